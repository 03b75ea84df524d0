//! The request-path benchmark: the same XSIAM status updates sent to the
//! sandbox through the facade and through a plain reqwest loop, at several
//! concurrencies, in one run.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use report_sandbox::{RunningSandbox, Sandbox};
use sandbox_clients::SandboxClients;
use threat_reports::ReportStatus;
use threat_reports::xsiam::XsiamClient;

use crate::RunFigures;

/// How requests reach the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestPath {
    /// `XsiamClient::update_report_status`: authentication, retries, the
    /// typed answer, a tracing span per call.
    Facade,
    /// `reqwest::Client::post(..).json(..).send()`, then the answer read as
    /// a JSON value: what a script without the SDK would do.
    Plain,
}

impl std::fmt::Display for RequestPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RequestPath::Facade => "facade",
            RequestPath::Plain => "plain reqwest",
        })
    }
}

/// What to measure.
///
/// ```
/// use load_harness::BenchPlan;
///
/// let plan = BenchPlan { concurrencies: vec![1, 8], ..BenchPlan::default() };
/// assert_eq!(plan.requests, 10_000);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchPlan {
    /// Timed requests per run.
    pub requests: usize,
    /// Untimed requests before each run.
    pub warmup: usize,
    /// The concurrencies to measure at.
    pub concurrencies: Vec<usize>,
    /// Rounds at each concurrency: each runs both paths back to back
    /// (which goes first alternates), and gives one throughput ratio; the
    /// median ratio counts, so a slow spell of the machine hits both
    /// paths of a round rather than one path's figure.
    pub rounds: usize,
}

impl Default for BenchPlan {
    /// 10,000 requests at 1, 16 and 64, fifteen rounds, 500 to warm up.
    fn default() -> Self {
        BenchPlan {
            requests: 10_000,
            warmup: 500,
            concurrencies: vec![1, 16, 64],
            rounds: 15,
        }
    }
}

/// Both paths at one concurrency.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// The facade's median run (by throughput).
    pub facade: RunFigures,
    /// The plain loop's median run.
    pub plain: RunFigures,
    /// Each round's facade throughput over the plain loop's.
    pub round_ratios: Vec<f64>,
}

impl Comparison {
    /// The median of the rounds' ratios of the facade's throughput to the
    /// plain loop's (1.0 = no overhead).
    pub fn throughput_ratio(&self) -> f64 {
        let mut ratios = self.round_ratios.clone();
        ratios.sort_by(f64::total_cmp);
        ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN)
    }
}

/// What a benchmark run found.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    /// One comparison per concurrency, in the plan's order.
    pub comparisons: Vec<Comparison>,
    /// Status updates the sandbox applied over the whole run (warm-ups
    /// included): every request sent, once.
    pub updates_applied: u64,
}

/// The XSIAM reports the requests go to, in turn.
const REPORTS: [&str; 3] = ["777776", "777777", "777778"];

/// Runs the plan: the sandbox serves on its own runtime, the clients run
/// on another; both have two worker threads.
///
/// ```no_run
/// let report = load_harness::request_path::run(&load_harness::BenchPlan::default())?;
/// for c in &report.comparisons {
///     println!("{}: {:.2}", c.concurrency, c.throughput_ratio());
/// }
/// # Ok::<(), String>(())
/// ```
pub fn run(plan: &BenchPlan) -> Result<BenchReport, String> {
    let server_runtime = runtime("sandbox", 2)?;
    let client_runtime = runtime("clients", 2)?;
    let sandbox = server_runtime
        .block_on(Sandbox::builder().start())
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let mut comparisons = Vec::new();
    for &concurrency in &plan.concurrencies {
        let mut facade = Vec::new();
        let mut plain = Vec::new();
        let mut round_ratios = Vec::new();
        for round in 0..plan.rounds.max(1) {
            let mut order = [RequestPath::Facade, RequestPath::Plain];
            if round % 2 == 1 {
                order.reverse();
            }
            for path in order {
                let sender = client_runtime.block_on(Sender::new(&sandbox, path))?;
                let sender = Arc::new(sender);
                client_runtime.block_on(timed(&sender, concurrency, plan.warmup));
                let run = client_runtime.block_on(timed(&sender, concurrency, plan.requests));
                match path {
                    RequestPath::Facade => facade.push(run),
                    RequestPath::Plain => plain.push(run),
                }
            }
            let (f, p) = (&facade[round], &plain[round]);
            round_ratios.push(f.requests_per_second() / p.requests_per_second());
        }
        comparisons.push(Comparison {
            concurrency,
            facade: median(facade),
            plain: median(plain),
            round_ratios,
        });
    }
    let updates_applied = sandbox.state().xsiam_update_counts.values().sum();
    drop(sandbox);
    Ok(BenchReport {
        comparisons,
        updates_applied,
    })
}

/// One path alone at one concurrency, for profilers: `requests` updates
/// (after `requests / 20` to warm up) to a sandbox of its own, the
/// sandbox and the clients each on a runtime of `threads` threads (2 in
/// [`run`]), with the CPU time each side's threads spent on the timed
/// requests.
///
/// ```no_run
/// use load_harness::RequestPath;
///
/// let run = load_harness::request_path::run_path(RequestPath::Facade, 16, 20_000, 1)?;
/// println!("{:.0} requests/s", run.figures.requests_per_second());
/// if let Some(cpu) = run.client_cpu_per_request {
///     println!("{:.2} µs of the clients' CPU per request", cpu.as_secs_f64() * 1e6);
/// }
/// # Ok::<(), String>(())
/// ```
pub fn run_path(
    path: RequestPath,
    concurrency: usize,
    requests: usize,
    threads: usize,
) -> Result<PathRun, String> {
    let server_runtime = runtime("sandbox", threads)?;
    let client_runtime = runtime("clients", threads)?;
    let sandbox = server_runtime
        .block_on(Sandbox::builder().start())
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let sender = Arc::new(client_runtime.block_on(Sender::new(&sandbox, path))?);
    client_runtime.block_on(timed(&sender, concurrency, requests / 20));
    let before = (threads_cpu("clients"), threads_cpu("sandbox"));
    let figures = client_runtime.block_on(timed(&sender, concurrency, requests));
    let after = (threads_cpu("clients"), threads_cpu("sandbox"));
    let per_request = |before: Option<Duration>, after: Option<Duration>| {
        let spent = after?.checked_sub(before?)?;
        Some(spent / u32::try_from(requests.max(1)).ok()?)
    };
    Ok(PathRun {
        figures,
        client_cpu_per_request: per_request(before.0, after.0),
        sandbox_cpu_per_request: per_request(before.1, after.1),
    })
}

/// What [`run_path`] measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathRun {
    /// Throughput and latencies of the timed requests.
    pub figures: RunFigures,
    /// The CPU time the clients' runtime threads spent per timed request
    /// (Linux only: `None` where `/proc/self/task/*/schedstat` is not).
    pub client_cpu_per_request: Option<Duration>,
    /// The same for the sandbox's runtime threads.
    pub sandbox_cpu_per_request: Option<Duration>,
}

/// The CPU time this process's threads named `name` have run, from
/// `/proc/self/task/*/schedstat` (Linux); `None` where it cannot be read.
pub(crate) fn threads_cpu(name: &str) -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let dir = task.ok()?.path();
        let Ok(comm) = std::fs::read_to_string(dir.join("comm")) else {
            continue;
        };
        if comm.trim() != name {
            continue;
        }
        let stat = std::fs::read_to_string(dir.join("schedstat")).ok()?;
        let ran: u64 = stat.split_whitespace().next()?.parse().ok()?;
        total = total.saturating_add(ran);
    }
    Some(Duration::from_nanos(total))
}

/// A runtime of `threads` threads that carry `name` (what a profile and
/// [`threads_cpu`] see).
fn runtime(name: &str, threads: usize) -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name(name)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a tokio runtime: {e}"))
}

/// The run with the median throughput.
fn median(mut runs: Vec<RunFigures>) -> RunFigures {
    runs.sort_by(|a, b| a.requests_per_second().total_cmp(&b.requests_per_second()));
    runs[runs.len() / 2]
}

/// One path's way of sending an update.
enum Sender {
    Facade(XsiamClient),
    Plain {
        client: reqwest::Client,
        url: String,
        key_id: String,
        key: String,
    },
}

impl Sender {
    async fn new(sandbox: &RunningSandbox, path: RequestPath) -> Result<Self, String> {
        Ok(match path {
            RequestPath::Facade => Sender::Facade(
                sandbox
                    .xsiam_client()
                    .build()
                    .map_err(|e| format!("cannot build the facade client: {e}"))?,
            ),
            RequestPath::Plain => {
                let credentials = sandbox.credentials();
                Sender::Plain {
                    client: reqwest::Client::builder()
                        .timeout(Duration::from_secs(30))
                        .build()
                        .map_err(|e| format!("cannot build a reqwest client: {e}"))?,
                    url: format!(
                        "{}/public_api/v1/mth/child/report/update/status",
                        sandbox.base_url()
                    ),
                    key_id: credentials.xsiam_standard_key_id.clone(),
                    key: credentials.xsiam_standard_key.clone(),
                }
            }
        })
    }

    /// Sends the `i`th update; true when it was applied.
    async fn send(&self, i: usize) -> bool {
        let report = REPORTS[i % REPORTS.len()];
        let status = ReportStatus::PAGE[i % ReportStatus::PAGE.len()];
        match self {
            Sender::Facade(client) => client.update_report_status(report, status).await.is_ok(),
            Sender::Plain {
                client,
                url,
                key_id,
                key,
            } => {
                let sent = client
                    .post(url)
                    .header("Authorization", key)
                    .header("x-xdr-auth-id", key_id)
                    .json(&serde_json::json!({
                        "xsoar_source_id": report,
                        "report_status": status.label(),
                    }))
                    .send()
                    .await;
                let Ok(answer) = sent else { return false };
                let ok = answer.status().is_success();
                answer.json::<serde_json::Value>().await.is_ok() && ok
            }
        }
    }
}

/// Sends `requests` updates with `concurrency` in flight, timing each.
async fn timed(sender: &Arc<Sender>, concurrency: usize, requests: usize) -> RunFigures {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (sender, next) = (sender.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(requests / concurrency.max(1) + 1);
                let mut failed = 0;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= requests {
                        break;
                    }
                    let sent = Instant::now();
                    if sender.send(i).await {
                        latencies.push(sent.elapsed());
                    } else {
                        failed += 1;
                    }
                }
                (latencies, failed)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(requests);
    let mut failed = 0;
    for worker in workers {
        match worker.await {
            Ok((mine, my_failures)) => {
                latencies.extend(mine);
                failed += my_failures;
            }
            Err(_) => failed += 1,
        }
    }
    RunFigures::from_latencies(latencies, failed, start.elapsed())
}
