//! The pinned npm tools (Spectral, Redocly, Prism, openapi-examples-validator).
//!
//! They are declared in `tools/package.json` with a committed lockfile and
//! installed with `npm ci` into the git-ignored `tools/node_modules` the first
//! time anything needs them, so a fresh machine needs no manual step. Tests
//! that need Prism call [`ensure_installed`] too: one code path for all.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Marker written after a successful install: a copy of the lockfile it
/// installed, so a changed lockfile triggers a reinstall.
const STAMP: &str = "node_modules/.xtask-installed-lock.json";

/// Installs the pinned tools if needed and returns their `.bin` folder.
///
/// Safe to call from several processes at once (a file lock serializes
/// them); cheap when the tools are already installed.
pub fn ensure_installed(root: &Path) -> Result<PathBuf> {
    let tools = root.join("tools");
    let bin = tools.join("node_modules/.bin");
    let lockfile =
        fs::read(tools.join("package-lock.json")).context("cannot read tools/package-lock.json")?;

    let lock_path = tools.join(".install.lock");
    let lock = File::create(&lock_path)
        .with_context(|| format!("cannot create {}", lock_path.display()))?;
    lock.lock().context("cannot lock tools/.install.lock")?;

    // Installed means: the lockfile has not changed, and the tools are there.
    let present = ["spectral", "redocly", "prism", "openapi-examples-validator"]
        .iter()
        .all(|tool| bin.join(tool).exists());
    if present && fs::read(tools.join(STAMP)).ok().as_deref() == Some(lockfile.as_slice()) {
        return Ok(bin);
    }
    eprintln!("xtask: installing the pinned OpenAPI tools (npm ci in tools/)…");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&tools)
        .status()
        .context(
            "cannot run npm: install Node.js 20 and npm (Debian: apt-get install nodejs npm)",
        )?;
    if !status.success() {
        bail!("npm ci in tools/ failed ({status})");
    }
    fs::write(tools.join(STAMP), &lockfile).context("cannot write the install stamp")?;
    Ok(bin)
}

/// A command for one of the installed tools (`spectral`, `redocly`, `prism`,
/// `openapi-examples-validator`), run from the workspace root.
pub fn tool(root: &Path, name: &str) -> Result<Command> {
    let bin = ensure_installed(root)?;
    let mut command = Command::new(bin.join(name));
    command.current_dir(root).env("REDOCLY_TELEMETRY", "off");
    Ok(command)
}
