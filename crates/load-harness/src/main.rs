//! `load-harness`: prints the request-path benchmark or runs the soak test.
//! `cargo xtask bench-requests` and `cargo xtask soak` run it in release
//! mode.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use load_harness::cpu_split::{self, SplitPlan};
use load_harness::{BenchPlan, SoakPlan, request_path, soak};
use report_sandbox::FaultRates;

/// Load on the facade against the sandbox, in one process.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// XSIAM status updates through the facade and a plain reqwest loop.
    RequestPath {
        /// Timed requests per run.
        #[arg(long, default_value_t = 10_000)]
        requests: usize,
        /// Concurrencies to measure at.
        #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
        concurrency: Vec<usize>,
        /// Rounds at each concurrency, each running both paths; the median
        /// of the rounds' ratios counts.
        #[arg(long, default_value_t = 15)]
        rounds: usize,
        /// Then this many pairs of the steady measure (one thread per
        /// runtime, CPU time per request); 0 for none.
        #[arg(long, default_value_t = 12)]
        split_pairs: usize,
    },
    /// `reportctl trustar bulk-submit` on a folder of small findings with
    /// the rate limit off (reports/s, the client's and the sandbox's CPU),
    /// and the indicator splitter against counting the same body once.
    Bulk {
        /// The `reportctl` binary to run (a release build).
        #[arg(long)]
        reportctl: std::path::PathBuf,
        /// Findings in the folder.
        #[arg(long, default_value_t = 1_000)]
        reports: usize,
        /// Submissions in flight at once.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Runs of the bulk submission (each against a fresh sandbox).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// The splitter's body: bytes.
        #[arg(long, default_value_t = 2_000_000)]
        bytes: usize,
        /// The splitter's body: indicators.
        #[arg(long, default_value_t = 20_000)]
        indicators: usize,
    },
    /// Mixed calls with faults injected at random; checks the sandbox's state.
    Soak {
        /// Calls in all.
        #[arg(long, default_value_t = 100_000)]
        calls: usize,
        /// Calls in flight at once.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// The sandbox's fault rates.
        #[arg(
            long,
            default_value = "503=0.05,429=0.02,drop=0.01,apply_drop=0.01,apply_503=0.01,wait=10,seed=1"
        )]
        fault_rates: FaultRates,
    },
}

/// The target: the facade at least this fraction of the plain
/// loop's throughput at every concurrency.
const TARGET_RATIO: f64 = 0.95;

fn main() -> ExitCode {
    let outcome = match Args::parse().command {
        Command::RequestPath {
            requests,
            concurrency,
            rounds,
            split_pairs,
        } => bench(&BenchPlan {
            requests,
            concurrencies: concurrency,
            rounds,
            ..BenchPlan::default()
        })
        .and_then(|ok| {
            Ok(ok
                && split(&SplitPlan {
                    pairs: split_pairs,
                    ..SplitPlan::default()
                })?)
        }),
        Command::Bulk {
            reportctl,
            reports,
            concurrency,
            runs,
            bytes,
            indicators,
        } => bulk(&reportctl, reports, concurrency, runs, bytes, indicators),
        Command::Soak {
            calls,
            concurrency,
            fault_rates,
        } => soak_test(&SoakPlan {
            calls,
            concurrency,
            fault_rates,
            ..SoakPlan::default()
        }),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("load-harness: {message}");
            ExitCode::FAILURE
        }
    }
}

fn ms(d: std::time::Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn bench(plan: &BenchPlan) -> Result<bool, String> {
    println!(
        "Request path: {} XSIAM status updates per run ({} to warm up), {} rounds of both paths back to back;",
        plan.requests, plan.warmup, plan.rounds
    );
    println!(
        "requests/s and latencies are each path's median run, the ratio is the median of the rounds' ratios;\nto the sandbox on 127.0.0.1 in the same process (server and clients on separate 2-thread runtimes).\n"
    );
    let report = request_path::run(plan)?;
    println!(
        "| concurrency | path | requests/s | p50 | p99 | facade ÷ plain throughput, median of rounds (range) | target ≥ 0.95× |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut ok = true;
    for c in &report.comparisons {
        let ratio = c.throughput_ratio();
        for (name, run) in [("facade", &c.facade), ("plain reqwest", &c.plain)] {
            let (ratio, verdict) = if name == "facade" {
                let met = if ratio >= TARGET_RATIO {
                    "met"
                } else {
                    "**not met**"
                };
                let low = c.round_ratios.iter().copied().fold(f64::INFINITY, f64::min);
                let high = c.round_ratios.iter().copied().fold(0.0, f64::max);
                (format!("{ratio:.2}× ({low:.2}–{high:.2})"), met)
            } else {
                (String::new(), "")
            };
            println!(
                "| {} | {name} | {:.0} | {} | {} | {ratio} | {verdict} |",
                c.concurrency,
                run.requests_per_second(),
                ms(run.p50),
                ms(run.p99),
            );
            if run.failed > 0 {
                eprintln!(
                    "{} {name} requests failed at concurrency {}",
                    run.failed, c.concurrency
                );
                ok = false;
            }
        }
    }
    println!(
        "\nThe sandbox applied {} updates (every request, warm-ups included).",
        report.updates_applied
    );
    Ok(ok)
}

/// The steady measure: one thread per runtime, CPU time per request.
fn split(plan: &SplitPlan) -> Result<bool, String> {
    if plan.pairs == 0 {
        return Ok(true);
    }
    println!(
        "\nThe steady measure: one thread per runtime (sandbox and clients do not compete for a core), {} updates per run, {} in flight,\n{} pairs of runs of both paths (which goes first alternates); medians over the pairs.\n",
        plan.requests, plan.concurrency, plan.pairs
    );
    let split = cpu_split::run(plan)?;
    let cell = |v: Option<f64>| v.map_or("?".to_string(), |v| format!("{v:.2} µs"));
    let (clients, sandbox) = (split.client_cpu_micros(), split.sandbox_cpu_micros());
    let extra = split.extra_cpu_micros();
    println!("| path | clients' CPU per request | sandbox's CPU per request |");
    println!("|---|---|---|");
    for (name, pick) in [
        ("facade", (|p: (f64, f64)| p.0) as fn((f64, f64)) -> f64),
        ("plain reqwest", |p| p.1),
    ] {
        println!(
            "| {name} | {} | {} |",
            cell(clients.map(pick)),
            cell(sandbox.map(pick))
        );
    }
    println!(
        "| facade − plain (median of pairs) | {} | {} |",
        cell(extra.map(|e| e.0)),
        cell(extra.map(|e| e.1))
    );
    println!(
        "\nFacade ÷ plain throughput, median of pairs: {:.3}×.",
        split.throughput_ratio()
    );
    if split.failed() > 0 {
        eprintln!("{} requests failed in the steady measure", split.failed());
        return Ok(false);
    }
    Ok(true)
}

fn bulk(
    reportctl: &std::path::Path,
    reports: usize,
    concurrency: usize,
    runs: usize,
    bytes: usize,
    indicators: usize,
) -> Result<bool, String> {
    println!(
        "Bulk submission: reportctl trustar bulk-submit of {reports} small findings, {concurrency} at a time, \
         --rate 0, to the sandbox in this process (2 threads);\nreportctl's CPU from bash's `time` (getrusage), the sandbox threads' from /proc/self/task/*/schedstat.\n"
    );
    println!("| run | reports/s | wall | reportctl CPU | sandbox CPU | reportctl's share |");
    println!("|---|---|---|---|---|---|");
    let mut ok = true;
    for run in 1..=runs.max(1) {
        let f = load_harness::bulk_submit::bulk_submit(reportctl, reports, concurrency)?;
        println!(
            "| {run} | {:.0} | {} | {} | {} | {:.0}% |",
            f.reports_per_second(),
            ms(f.elapsed),
            ms(f.client_cpu),
            ms(f.sandbox_cpu),
            f.client_share() * 100.0
        );
        if f.stored != reports {
            eprintln!("the sandbox holds {} of the {reports} reports", f.stored);
            ok = false;
        }
    }
    let body = load_harness::bulk_submit::findings_body(bytes, indicators);
    let limit = threat_reports::indicators::TRUSTAR_INDICATOR_LIMIT;
    let s = load_harness::bulk_submit::split_against_count(&body, limit, 7)?;
    println!(
        "\nSplitter: a {:.1} MB body with {} indicators, cut at {limit} into {} parts; medians of 7 runs each, in turn.\n",
        s.bytes as f64 / 1e6,
        s.indicators,
        s.parts
    );
    println!("| counting once | splitting | splitting ÷ counting |");
    println!("|---|---|---|");
    println!("| {} | {} | {:.2}× |", ms(s.count), ms(s.split), s.ratio());
    Ok(ok)
}

fn soak_test(plan: &SoakPlan) -> Result<bool, String> {
    let r = plan.fault_rates;
    println!(
        "Soak: {} mixed calls, {} at a time; faults at random: {}% 503, {}% 429 ({} ms), {}% dropped connections; after the update was applied, {}% dropped connections and {}% 503 (seed {}); TruSTAR tokens live {} s.",
        plan.calls,
        plan.concurrency,
        r.unavailable * 100.0,
        r.too_many_requests * 100.0,
        r.wait_ms,
        r.drop_connection * 100.0,
        r.apply_then_drop * 100.0,
        r.apply_then_unavailable * 100.0,
        r.seed,
        plan.token_lifetime.as_secs(),
    );
    let report = soak::run(plan)?;
    let calls: Vec<String> = report
        .calls
        .iter()
        .map(|(k, n)| format!("{k:?} {n}"))
        .collect();
    println!("calls: {}", calls.join(", "));
    let faults: Vec<String> = report
        .faults_injected
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    println!("faults injected: {}", faults.join(", "));
    println!(
        "elapsed: {:.1} s ({:.0} calls/s)",
        report.elapsed.as_secs_f64(),
        report.calls.values().sum::<usize>() as f64 / report.elapsed.as_secs_f64()
    );
    println!("failed calls: {}", report.failed);
    for error in &report.first_errors {
        println!("  {error}");
    }
    println!(
        "writes made: {}; resent writes applied twice after an apply-fault: {} (of {} apply-faults); read-back writes (comments, TruSTAR submissions, updates with read_back_lost_writes) applied twice: {}; differences a user could not live with: {}",
        report.updates_expected,
        report.duplicates,
        report.apply_faults,
        report.read_back_duplicates,
        report.discrepancies.len()
    );
    for d in report.discrepancies.iter().take(20) {
        println!("  {d}");
    }
    let memory: Vec<String> = report
        .memory
        .iter()
        .map(|m| {
            format!(
                "{} calls: {:.1} MiB",
                m.calls_done,
                m.rss_kib as f64 / 1024.0
            )
        })
        .collect();
    println!("memory (RSS): {}", memory.join("; "));
    if let (Some(first), Some(tenth), Some(last)) = (
        report.memory.first(),
        report.memory.get(1),
        report.memory.last(),
    ) {
        println!(
            "RSS start {:.1} MiB, end {:.1} MiB; from the first tenth of the calls to the end: {:+.1} MiB",
            first.rss_kib as f64 / 1024.0,
            last.rss_kib as f64 / 1024.0,
            (last.rss_kib as f64 - tenth.rss_kib as f64) / 1024.0
        );
    }
    println!(
        "{}",
        if report.passed() {
            "PASSED: no update lost, every report at the last value written, every duplicate after an apply-fault"
        } else {
            "FAILED"
        }
    );
    Ok(report.passed())
}
