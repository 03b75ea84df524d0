//! One request path alone, for profilers (`valgrind --tool=callgrind`,
//! `perf record`): `cargo run --release -p load-harness --example one_path
//! -- facade|plain [REQUESTS] [CONCURRENCY]` sends that many XSIAM updates
//! (2,000 one at a time unless told) to an in-process sandbox, on the
//! request-path benchmark's runtimes. Compare the two paths' profiles: the
//! sandbox's share is the same in both.

use std::process::ExitCode;

use load_harness::RequestPath;
use load_harness::request_path::run_path;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let path = match args.next().as_deref() {
        Some("facade") => RequestPath::Facade,
        Some("plain") => RequestPath::Plain,
        other => {
            eprintln!("usage: one_path facade|plain [REQUESTS] [CONCURRENCY] (not {other:?})");
            return ExitCode::from(2);
        }
    };
    let requests: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(2_000);
    let concurrency: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    match run_path(path, concurrency, requests) {
        Ok(run) if run.failed == 0 => {
            println!("{path}: {:.0} requests/s", run.requests_per_second());
            ExitCode::SUCCESS
        }
        Ok(run) => {
            eprintln!("{path}: {} of {requests} failed", run.failed);
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
