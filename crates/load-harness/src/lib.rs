//! # load-harness
//!
//! Load on the facade against the [`report_sandbox`], in one process, for
//! the figures in `BENCHMARKS.md`:
//!
//! - [`request_path`]: the same XSIAM status updates through the facade and
//!   through a plain reqwest loop, at several concurrencies: throughput,
//!   p50/p99 latency, and the facade's throughput over the plain loop's.
//! - [`cpu_split`]: the steady measure of the same: one thread per runtime,
//!   each side's CPU time per request, in alternating pairs.
//! - [`soak`]: many mixed calls of both APIs while the sandbox injects
//!   faults at random, then the sandbox's state checked against every
//!   update made (none lost, none applied twice), with the process's
//!   memory sampled along the way.
//!
//! `cargo xtask bench-requests` and `cargo xtask soak` run them in release
//! mode; the tests run them small, for correctness only.
//!
//! ```no_run
//! let report = load_harness::soak::run(&load_harness::SoakPlan {
//!     calls: 1_000,
//!     ..Default::default()
//! })?;
//! assert!(report.passed());
//! # Ok::<(), String>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bulk_submit;
pub mod cpu_split;
mod latency;
pub mod request_path;
pub mod rss;
pub mod soak;

pub use latency::RunFigures;
pub use request_path::{BenchPlan, BenchReport, Comparison, RequestPath};
pub use soak::{CallKind, MemorySample, SoakPlan, SoakReport};
