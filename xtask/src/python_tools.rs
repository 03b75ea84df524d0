//! The pinned Python tools, each set in its own virtual environment:
//! schemathesis (`tools/requirements.txt` into `tools/.venv`) and the
//! benchmark peers (`tools/bench/requirements.txt` into
//! `tools/.bench-venv`). The xtask creates a git-ignored venv and installs
//! its pins the first time they are needed, and again whenever they change.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// A virtual environment of pinned tools.
pub struct Venv {
    /// Its folder, relative to `tools/`.
    pub folder: &'static str,
    /// Its pins, relative to `tools/`.
    pub requirements: &'static str,
    /// An executable in its `bin` that an install must leave there.
    pub probe: &'static str,
}

/// schemathesis, for `cargo xtask schemathesis`.
pub const SPEC_TOOLS: Venv = Venv {
    folder: ".venv",
    requirements: "requirements.txt",
    probe: "schemathesis",
};

/// iocextract and ioc-finder, for `cargo xtask bench-peers`.
pub const BENCH_PEERS: Venv = Venv {
    folder: ".bench-venv",
    requirements: "bench/requirements.txt",
    probe: "python",
};

/// Installs schemathesis if needed; returns the venv's `bin`.
pub fn ensure_installed(root: &Path) -> Result<PathBuf> {
    ensure(root, &SPEC_TOOLS)
}

/// Installs `venv`'s pins if needed; returns its `bin`.
pub fn ensure(root: &Path, venv: &Venv) -> Result<PathBuf> {
    let tools = root.join("tools");
    let bin = tools.join(venv.folder).join("bin");
    let stamp = tools
        .join(venv.folder)
        .join(".xtask-installed-requirements.txt");
    let requirements = fs::read(tools.join(venv.requirements))
        .with_context(|| format!("cannot read tools/{}", venv.requirements))?;
    let lock =
        File::create(tools.join(".install.lock")).context("cannot create tools/.install.lock")?;
    lock.lock().context("cannot lock tools/.install.lock")?;
    // Installed means: the pins have not changed, and the tools are there.
    if fs::read(&stamp).ok().as_deref() == Some(requirements.as_slice())
        && bin.join(venv.probe).exists()
    {
        return Ok(bin);
    }
    eprintln!(
        "xtask: installing the pinned Python tools (tools/{})…",
        venv.folder
    );
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
        Command::new("python3").args(["-m", "venv", venv.folder]),
        "python3 -m venv (Debian: apt-get install python3-venv)",
    )?;
    run(
        Command::new(bin.join("pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            venv.requirements,
        ]),
        &format!("pip install -r tools/{}", venv.requirements),
    )?;
    fs::write(&stamp, &requirements).context("cannot write the install stamp")?;
    Ok(bin)
}
