//! The project's task runner, as a library so that tests can drive it.
//!
//! `cargo xtask regenerate` turns `specs/*.yaml` into the generated client
//! crates; see the README for every command.

pub mod apis;
pub mod bench_peers;
pub mod ci;
pub mod generate;
pub mod lint;
pub mod node_tools;
pub mod python_tools;
pub mod regenerate;
pub mod schemathesis;

use std::path::PathBuf;

/// The workspace root (the folder above `xtask/`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
