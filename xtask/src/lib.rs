//! The project's task runner, as a library so that tests can drive it.
//!
//! `cargo xtask regenerate` turns `specs/*.yaml` into the generated client
//! crates; see the README for every command.

pub mod apis;
pub mod bench_build;
pub mod bench_peers;
pub mod ci;
pub mod foreign_examples;
pub mod fuzz;
pub mod generate;
pub mod library;
pub mod lint;
pub mod load;
pub mod node_tools;
pub mod peer_accuracy;
pub mod python_tools;
pub mod regenerate;
pub mod review_pages;
pub mod schemathesis;
pub mod spec_diff;
pub mod stale_sources;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The workspace root (the folder above `xtask/`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// The target directory: `$CARGO_TARGET_DIR`, or `target/` under `root`.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Runs the cargo that runs this xtask with `args` in `root`; fails with
/// the command line if it fails.
pub fn cargo(root: &Path, args: &[&str]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(args)
        .current_dir(root)
        .status()
        .with_context(|| format!("cannot run {cargo}"))?;
    if !status.success() {
        bail!("`cargo {}` failed ({status})", args.join(" "));
    }
    Ok(())
}
