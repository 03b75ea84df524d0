//! The checks that keep the library crates fit to depend on: their public
//! API against a committed listing, every feature set building, clean
//! rustdoc, `cargo package` of all of them, and the indicator crate's
//! dependency budget.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use similar::TextDiff;

use crate::{cargo, stale_sources};

/// The crates users depend on, and the features their public API listing
/// is taken with (`all` for every feature).
pub const LIBRARIES: [(&str, bool); 8] = [
    ("api-time", false),
    ("client-transport", false),
    ("xsiam-client", false),
    ("trustar-client", false),
    ("trustar-indicators", true),
    ("threat-reports", false),
    ("report-sandbox", false),
    ("bulk-runner", false),
];

/// The cargo-public-api this project was tried with (it reads rustdoc's
/// JSON, which the stable toolchain writes with `RUSTC_BOOTSTRAP=1`).
pub const CARGO_PUBLIC_API_VERSION: &str = "0.52.0";

/// Installs `cargo TOOL` at `version` if `cargo TOOL --version` does not
/// answer.
pub fn ensure_cargo_tool(root: &Path, tool: &str, version: &str) -> Result<()> {
    let cargo_bin = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let subcommand = tool.trim_start_matches("cargo-");
    let answers = Command::new(&cargo_bin)
        .args([subcommand, "--version"])
        .current_dir(root)
        .output()
        .is_ok_and(|o| o.status.success());
    if !answers {
        eprintln!("xtask: installing {tool} {version}");
        cargo(root, &["install", tool, "--locked", "--version", version])?;
    }
    Ok(())
}

/// The listing file of `krate`.
fn listing_path(root: &Path, krate: &str) -> std::path::PathBuf {
    root.join("crates").join(krate).join("public-api.txt")
}

/// The public API of `krate` as cargo-public-api lists it (blanket and
/// auto-trait impls left out).
fn listing(root: &Path, krate: &str, all_features: bool) -> Result<String> {
    let cargo_bin = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo_bin);
    command
        .args(["public-api", "-p", krate, "-ss", "--color", "never"])
        .current_dir(root)
        // rustdoc's JSON output is unstable; the stable toolchain writes it
        // when told to allow unstable options.
        .env("RUSTC_BOOTSTRAP", "1");
    if all_features {
        command.arg("--all-features");
    }
    let output = command.output().context("cannot run cargo public-api")?;
    if !output.status.success() {
        bail!(
            "cargo public-api -p {krate} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Compares each library's public API with its committed listing
/// (`crates/NAME/public-api.txt`); `bless` writes the listings instead.
/// An accidental change to a public API fails here with its diff.
pub fn public_api(root: &Path, bless: bool) -> Result<()> {
    ensure_cargo_tool(root, "cargo-public-api", CARGO_PUBLIC_API_VERSION)?;
    let mut changed = Vec::new();
    for (krate, all_features) in LIBRARIES {
        let now = listing(root, krate, all_features)?;
        let path = listing_path(root, krate);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed == now {
            println!("{krate}: public API unchanged");
            continue;
        }
        if bless {
            std::fs::write(&path, &now)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!("{krate}: wrote {}", path.display());
            continue;
        }
        print!(
            "{}",
            TextDiff::from_lines(&committed, &now)
                .unified_diff()
                .header(&format!("{krate} (committed)"), &format!("{krate} (now)"))
        );
        changed.push(krate);
    }
    if !changed.is_empty() {
        bail!(
            "the public API of {} changed; if that is intended, run `cargo xtask public-api --bless` and commit the listings",
            changed.join(", ")
        );
    }
    Ok(())
}

/// The feature sets users may choose, each built on its own.
pub const FEATURE_SETS: [(&str, &[&str]); 8] = [
    (
        "threat-reports",
        &["--no-default-features", "--features", "xsiam,rustls"],
    ),
    (
        "threat-reports",
        &["--no-default-features", "--features", "trustar,rustls"],
    ),
    (
        "threat-reports",
        &[
            "--no-default-features",
            "--features",
            "xsiam,trustar,native-tls",
        ],
    ),
    (
        "threat-reports",
        &[
            "--no-default-features",
            "--features",
            "xsiam,trustar,rustls-ring",
        ],
    ),
    ("threat-reports", &["--no-default-features"]),
    ("trustar-indicators", &["--no-default-features"]),
    ("trustar-indicators", &["--features", "serde"]),
    (
        "xsiam-client",
        &["--no-default-features", "--features", "native-tls"],
    ),
];

/// Builds (checks) each feature set, warnings denied.
pub fn feature_sets(root: &Path) -> Result<()> {
    for (krate, flags) in FEATURE_SETS {
        eprintln!("xtask: cargo check -p {krate} {}", flags.join(" "));
        let mut args = vec!["clippy", "-p", krate];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["--", "-D", "warnings"]);
        cargo(root, &args)?;
    }
    Ok(())
}

/// `cargo doc --no-deps` of the library crates with warnings denied
/// (broken links, missing docs of public items, bad code blocks).
pub fn docs(root: &Path) -> Result<()> {
    let cargo_bin = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo_bin);
    command
        .args(["doc", "--no-deps", "--all-features"])
        .current_dir(root)
        .env("RUSTDOCFLAGS", "-D warnings");
    for (krate, _) in LIBRARIES {
        command.args(["-p", krate]);
    }
    let status = command.status().context("cannot run cargo doc")?;
    if !status.success() {
        bail!("`cargo doc` of the library crates has warnings ({status})");
    }
    Ok(())
}

/// `cargo package` of every library crate in one call, each verified by
/// building it from its packaged files alone (the workspace's unpublished
/// crates stand in for crates.io).
///
/// Nothing an earlier run left is used: cargo takes a crate from a
/// registry as unchanged when its name and version are, so both its
/// unpacked sources in cargo's home (see [`crate::stale_sources`]) and its
/// build in the target directory would be the earlier run's. The unpacked
/// copies are removed, and the packages are verified in a target directory
/// of their own, `target/package-verify`, emptied first.
pub fn package(root: &Path) -> Result<()> {
    if let Some(home) = stale_sources::cargo_home() {
        let names = LIBRARIES.map(|(krate, _)| krate);
        let removed = stale_sources::remove(&home, &names).with_context(|| {
            format!(
                "cannot remove earlier unpacked copies of the library crates under {}",
                home.join("registry").join("src").display()
            )
        })?;
        for path in removed {
            println!(
                "xtask: removed {}, unpacked by an earlier cargo package",
                path.display()
            );
        }
    }
    let verify_dir = crate::target_dir(root).join("package-verify");
    if verify_dir.exists() {
        std::fs::remove_dir_all(&verify_dir)
            .with_context(|| format!("cannot empty {}", verify_dir.display()))?;
    }
    let verify_dir = verify_dir.to_string_lossy();
    let mut args = vec!["package", "--allow-dirty", "--target-dir", &verify_dir];
    for (krate, _) in LIBRARIES {
        args.extend_from_slice(&["-p", krate]);
    }
    cargo(root, &args)
}

/// Crates that have no place under a text counter: network, async, TLS.
const NOT_FOR_A_COUNTER: [&str; 9] = [
    "tokio",
    "hyper",
    "reqwest",
    "rustls",
    "native-tls",
    "openssl",
    "mio",
    "h2",
    "http",
];

/// The most crates `trustar-indicators` may bring (itself included).
pub const INDICATOR_CRATE_BUDGET: usize = 20;

/// Checks `trustar-indicators`' normal dependency tree: at most
/// [`INDICATOR_CRATE_BUDGET`] crates, none of them network, async or TLS.
pub fn dependency_budget(root: &Path) -> Result<()> {
    let cargo_bin = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo_bin)
        .args([
            "tree",
            "-p",
            "trustar-indicators",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(root)
        .output()
        .context("cannot run cargo tree")?;
    if !output.status.success() {
        bail!(
            "cargo tree failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let crates = crate_names(&String::from_utf8_lossy(&output.stdout));
    check_budget(&crates)?;
    println!(
        "trustar-indicators: {} crates in its normal tree (budget {INDICATOR_CRATE_BUDGET}): {}",
        crates.len(),
        crates.join(", ")
    );
    Ok(())
}

/// The distinct crate names of `cargo tree --prefix none` output.
pub fn crate_names(tree: &str) -> Vec<String> {
    let mut names: Vec<String> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Fails when `crates` is over budget or holds a network, async or TLS
/// crate.
pub fn check_budget(crates: &[String]) -> Result<()> {
    let banned: Vec<_> = crates
        .iter()
        .filter(|name| NOT_FOR_A_COUNTER.contains(&name.as_str()))
        .collect();
    if !banned.is_empty() {
        bail!("trustar-indicators depends on network, async or TLS crates: {banned:?}");
    }
    if crates.len() > INDICATOR_CRATE_BUDGET {
        bail!(
            "trustar-indicators brings {} crates, over its budget of {INDICATOR_CRATE_BUDGET}: {}",
            crates.len(),
            crates.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_counts_distinct_crates_and_refuses_network_ones() {
        let tree = "trustar-indicators v0.1.0 (/x)\nmemchr v2.8.3\nhybrid-array v0.4.15\nhybrid-array v0.4.15 (*)\n";
        let names = crate_names(tree);
        assert_eq!(names, ["hybrid-array", "memchr", "trustar-indicators"]);
        assert!(check_budget(&names).is_ok());
        let with_tokio: Vec<String> = ["memchr", "tokio"].map(String::from).to_vec();
        assert!(
            check_budget(&with_tokio)
                .unwrap_err()
                .to_string()
                .contains("tokio")
        );
        let many: Vec<String> = (0..21).map(|i| format!("c{i}")).collect();
        assert!(
            check_budget(&many)
                .unwrap_err()
                .to_string()
                .contains("budget of 20")
        );
    }
}
