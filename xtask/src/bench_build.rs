//! `cargo xtask bench-build`: what depending on the indicator counter
//! costs a user, against depending on the whole facade with its default
//! TLS (rustls with aws-lc-rs) and with `rustls-ring`. Three one-line
//! binaries, each built from clean in release mode with a target directory
//! of its own, one after the other in the same run: the crates each brings
//! and the wall time of each build, and their ratios. A benchmark, never a
//! test.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::target_dir;

/// One measured build.
struct Build {
    name: &'static str,
    crates: usize,
    seconds: f64,
}

/// Writes a binary crate at `dir` depending on `dependency` (a path;
/// `extra` adds keys to its table, such as features).
fn scaffold(
    dir: &Path,
    name: &str,
    dependency: &str,
    path: &Path,
    extra: &str,
    main: &str,
) -> Result<()> {
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n{dependency} = {{ path = {path:?}{extra} }}\n\n[workspace]\n",
            path = path.display().to_string()
        ),
    )?;
    std::fs::write(dir.join("src/main.rs"), main)?;
    Ok(())
}

fn cargo_in(dir: &Path, args: &[&str]) -> Result<std::process::Output> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        // Its own target directory: a clean build, not the workspace's.
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .with_context(|| format!("cannot run cargo in {}", dir.display()))?;
    if !output.status.success() {
        bail!(
            "`cargo {}` failed in {}:\n{}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output)
}

/// Builds the binary at `dir` from clean and times it.
fn measure(dir: &Path, name: &'static str) -> Result<Build> {
    let _ = std::fs::remove_dir_all(dir.join("target"));
    // Resolve and download first, so that the timing is the build alone.
    cargo_in(dir, &["fetch", "--quiet"])?;
    let tree = cargo_in(
        dir,
        &[
            "tree", "-e", "normal", "--prefix", "none", "--format", "{p}",
        ],
    )?;
    let crates = crate::library::crate_names(&String::from_utf8_lossy(&tree.stdout)).len();
    let started = Instant::now();
    cargo_in(dir, &["build", "--release", "--quiet", "--offline"])?;
    Ok(Build {
        name,
        crates,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Measures both builds and prints the table.
pub fn bench_build(root: &Path) -> Result<()> {
    let base = target_dir(root).join("bench-build");
    let counter = base.join("counts-only");
    let facade = base.join("with-facade");
    let ring = base.join("with-facade-ring");
    let facade_main = "fn main() {\n    println!(\"{}\", threat_reports::indicators::count(\"8.8.8.8 evil[.]com\"));\n}\n";
    scaffold(
        &counter,
        "counts-only",
        "trustar-indicators",
        &root.join("crates/trustar-indicators"),
        "",
        "fn main() {\n    println!(\"{}\", trustar_indicators::count(\"8.8.8.8 evil[.]com\"));\n}\n",
    )?;
    scaffold(
        &facade,
        "with-facade",
        "threat-reports",
        &root.join("crates/threat-reports"),
        "",
        facade_main,
    )?;
    scaffold(
        &ring,
        "with-facade-ring",
        "threat-reports",
        &root.join("crates/threat-reports"),
        ", default-features = false, features = [\"xsiam\", \"trustar\", \"rustls-ring\"]",
        facade_main,
    )?;
    let mut builds = Vec::new();
    for (dir, name) in [
        (&counter, "trustar-indicators alone"),
        (&facade, "threat-reports"),
        (&ring, "threat-reports with rustls-ring"),
    ] {
        eprintln!("xtask bench-build: building the binary that depends on {name}");
        builds.push(measure(dir, name)?);
    }
    println!("| binary depends on | crates in its tree | clean release build |");
    println!("|---|---|---|");
    for b in &builds {
        println!("| {} | {} | {:.1} s |", b.name, b.crates, b.seconds);
    }
    println!(
        "\nthreat-reports costs {:.1}× the build time and {:.1}× the crates of the counter alone; \
         with rustls-ring, {:.2}× its default build time (same run)",
        builds[1].seconds / builds[0].seconds,
        builds[1].crates as f64 / builds[0].crates as f64,
        builds[2].seconds / builds[1].seconds
    );
    Ok(())
}
