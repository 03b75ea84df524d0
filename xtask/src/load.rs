//! `bench-requests`, `bench-bulk` and `soak`: the `load-harness` binary,
//! built in release mode, against the sandbox in its own process.

use std::path::Path;

use anyhow::Result;

use crate::{cargo, target_dir};

fn load_harness(root: &Path, args: &[&str]) -> Result<()> {
    let mut all = vec!["run", "--release", "--quiet", "-p", "load-harness", "--"];
    all.extend_from_slice(args);
    cargo(root, &all)
}

/// The request-path benchmark with its defaults: 10,000 updates per run at
/// concurrency 1, 16 and 64, fifteen rounds of both paths back to back.
pub fn bench_requests(root: &Path) -> Result<()> {
    load_harness(root, &["request-path"])
}

/// The soak with its defaults: 100,000 mixed calls, 32 at a time, with 5%
/// 503, 2% 429 and 1% dropped connections; fails on any lost or doubled
/// update.
pub fn soak(root: &Path) -> Result<()> {
    load_harness(root, &["soak"])
}

/// The bulk-submission benchmark: `reportctl trustar bulk-submit` (built
/// in release mode) on 1,000 small findings with the rate limit off, three
/// runs; then the splitter on a 2 MB body with 20,000 indicators against
/// counting it once.
pub fn bench_bulk(root: &Path) -> Result<()> {
    cargo(root, &["build", "--release", "--quiet", "-p", "reportctl"])?;
    let reportctl = target_dir(root).join("release/reportctl");
    let reportctl = reportctl.to_string_lossy();
    load_harness(root, &["bulk", "--reportctl", &reportctl])
}
