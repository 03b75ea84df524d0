//! The pinned Python tools (schemathesis), in a virtual environment.
//!
//! `tools/requirements.txt` pins them; the xtask creates the git-ignored
//! `tools/.venv` and installs them the first time they are needed, and again
//! whenever the pins change.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

const STAMP: &str = ".venv/.xtask-installed-requirements.txt";

/// Installs the pinned Python tools if needed; returns the venv's `bin`.
pub fn ensure_installed(root: &Path) -> Result<PathBuf> {
    let tools = root.join("tools");
    let bin = tools.join(".venv/bin");
    let requirements =
        fs::read(tools.join("requirements.txt")).context("cannot read tools/requirements.txt")?;
    let lock =
        File::create(tools.join(".install.lock")).context("cannot create tools/.install.lock")?;
    lock.lock().context("cannot lock tools/.install.lock")?;
    // Installed means: the pins have not changed, and the tools are there.
    if fs::read(tools.join(STAMP)).ok().as_deref() == Some(requirements.as_slice())
        && bin.join("schemathesis").exists()
    {
        return Ok(bin);
    }
    eprintln!("xtask: installing the pinned Python tools (tools/.venv)…");
    let run = |command: &mut Command, what: &str| -> Result<()> {
        let status = command
            .current_dir(&tools)
            .status()
            .with_context(|| format!("cannot run {what}"))?;
        if !status.success() {
            bail!("{what} failed ({status})");
        }
        Ok(())
    };
    run(
        Command::new("python3").args(["-m", "venv", ".venv"]),
        "python3 -m venv (Debian: apt-get install python3-venv)",
    )?;
    run(
        Command::new(bin.join("pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            "requirements.txt",
        ]),
        "pip install -r tools/requirements.txt",
    )?;
    fs::write(tools.join(STAMP), &requirements).context("cannot write the install stamp")?;
    Ok(bin)
}
