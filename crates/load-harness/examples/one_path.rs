//! One request path alone, for profilers (`valgrind --tool=callgrind`,
//! `perf record`): `cargo run --release -p load-harness --example one_path
//! -- facade|plain [REQUESTS] [CONCURRENCY] [THREADS]` sends that many XSIAM
//! updates (2,000 one at a time unless told) to an in-process sandbox, the
//! sandbox and the clients each on a runtime of THREADS threads (2, as in
//! the benchmark, unless told). It prints the throughput and, on Linux,
//! the CPU time each side's threads spent per request: with `1` thread
//! each, the two sides do not compete for this 2-core machine's cores,
//! and the clients' figure is the steadiest measure of a path's cost.

use std::process::ExitCode;

use load_harness::RequestPath;
use load_harness::request_path::run_path;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let path = match args.next().as_deref() {
        Some("facade") => RequestPath::Facade,
        Some("plain") => RequestPath::Plain,
        other => {
            eprintln!(
                "usage: one_path facade|plain [REQUESTS] [CONCURRENCY] [THREADS] (not {other:?})"
            );
            return ExitCode::from(2);
        }
    };
    let requests: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(2_000);
    let concurrency: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let threads: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(2);
    match run_path(path, concurrency, requests, threads) {
        Ok(run) if run.figures.failed == 0 => {
            let micros = |d: Option<std::time::Duration>| {
                d.map_or("?".to_string(), |d| format!("{:.2}", d.as_secs_f64() * 1e6))
            };
            println!(
                "{path}: {:.0} requests/s; CPU per request: clients {} µs, sandbox {} µs",
                run.figures.requests_per_second(),
                micros(run.client_cpu_per_request),
                micros(run.sandbox_cpu_per_request),
            );
            ExitCode::SUCCESS
        }
        Ok(run) => {
            eprintln!("{path}: {} of {requests} failed", run.figures.failed);
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
