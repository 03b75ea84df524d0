//! The specs as a git revision holds them, and as the work tree does.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The specs in `specs/` at `base`, by name, with their text.
pub(super) fn specs_at(root: &Path, base: &str) -> Result<BTreeMap<String, String>> {
    let git = |args: &[&str]| -> Result<String> {
        let output = Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .context("cannot run git")?;
        if !output.status.success() {
            bail!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let mut specs = BTreeMap::new();
    for file in git(&["ls-tree", "--name-only", base, "specs/"])?.lines() {
        if let Some(name) = file
            .strip_prefix("specs/")
            .and_then(|f| f.strip_suffix(".yaml"))
        {
            specs.insert(name.to_string(), git(&["show", &format!("{base}:{file}")])?);
        }
    }
    Ok(specs)
}

/// The specs in the working tree's `specs/`.
pub(super) fn specs_now(root: &Path) -> Result<BTreeMap<String, String>> {
    let mut specs = BTreeMap::new();
    for entry in std::fs::read_dir(root.join("specs"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yaml")
            && let Some(name) = path.file_stem().and_then(|s| s.to_str())
        {
            specs.insert(name.to_string(), std::fs::read_to_string(&path)?);
        }
    }
    Ok(specs)
}
