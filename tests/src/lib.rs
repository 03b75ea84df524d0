//! Helpers for the cross-crate tests: fixtures and a Prism harness.

pub mod prism;

use std::path::PathBuf;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    xtask::workspace_root()
}

/// The text of `tests/fixtures/{name}`.
pub fn fixture(name: &str) -> String {
    let path = workspace_root().join("tests/fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
