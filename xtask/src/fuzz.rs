//! `cargo xtask fuzz`: every target under `fuzz/` for a bounded time, with
//! cargo-fuzz (pinned, installed when missing) and libFuzzer, seeded from
//! `fuzz-checks`' seed corpus.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo, target_dir};

/// The cargo-fuzz this project was tried with.
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// The targets, as named in `fuzz/Cargo.toml`.
pub const TARGETS: [&str; 5] = ["extract", "status", "answers", "differential", "hostile"];

/// How long to fuzz.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Seconds per target (`-max_total_time`).
    Seconds(u64),
    /// Inputs per target (`-runs`), with a fixed seed: the same inputs on
    /// every run of the same build, as CI wants.
    Runs(u64),
}

/// Fuzzes every target within `budget`; fails on the first crash, naming
/// the input libFuzzer saved under `fuzz/artifacts/`.
pub fn fuzz(root: &Path, budget: Budget) -> Result<()> {
    crate::library::ensure_cargo_tool(root, "cargo-fuzz", CARGO_FUZZ_VERSION)?;
    let target = target_dir(root);
    let seeds = target.join("fuzz-seeds");
    cargo(
        root,
        &[
            "run",
            "--quiet",
            "-p",
            "fuzz-checks",
            "--example",
            "write_seeds",
            "--",
            &seeds.to_string_lossy(),
        ],
    )?;
    let cargo_bin = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for name in TARGETS {
        let limit = match budget {
            Budget::Seconds(s) => format!("-max_total_time={s}"),
            // The differential target runs the sandbox's reference counter,
            // slow by design (about 250 inputs/s under the sanitizer, against
            // thousands for the others): a tenth of the inputs.
            Budget::Runs(n) if name == "differential" => format!("-runs={}", (n / 10).max(1)),
            // The hostile target makes full calls over loopback, some of
            // which wait out a 100 ms attempt timeout (about 11 inputs/s
            // under the sanitizer): a two-hundredth.
            Budget::Runs(n) if name == "hostile" => format!("-runs={}", (n / 200).max(1)),
            Budget::Runs(n) => format!("-runs={n}"),
        };
        let corpus = target.join("fuzz-corpus").join(name);
        std::fs::create_dir_all(&corpus)
            .with_context(|| format!("cannot create {}", corpus.display()))?;
        eprintln!("xtask fuzz: == {name} ({limit})");
        let status = Command::new(&cargo_bin)
            .args(["fuzz", "run", name, "--target-dir"])
            .arg(target.join("fuzz"))
            .arg(&corpus)
            .arg(seeds.join(name))
            .args([
                "--",
                &limit,
                "-seed=1",
                "-rss_limit_mb=2048",
                "-max_len=65536",
            ])
            // cargo-fuzz needs nightly flags (-Zsanitizer); this allows them
            // on the stable toolchain.
            .env("RUSTC_BOOTSTRAP", "1")
            .current_dir(root.join("fuzz"))
            .status()
            .context("cannot run cargo fuzz")?;
        if !status.success() {
            bail!(
                "fuzz target `{name}` failed ({status}): the crashing input is under fuzz/artifacts/{name}/; \
                 replay it with `RUSTC_BOOTSTRAP=1 cargo fuzz run {name} fuzz/artifacts/{name}/FILE` from fuzz/"
            );
        }
    }
    Ok(())
}
