//! The bulk-submission benchmarks: `reportctl trustar bulk-submit` (the
//! real binary) moving a folder of small findings into the sandbox with
//! the rate limit off, with the CPU time the client process and the
//! sandbox each spent; and the indicator splitter on a 2 MB body against
//! counting the same body once.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use report_sandbox::Sandbox;
use threat_reports::indicators;

use crate::request_path::threads_cpu;

/// The enclave the findings go to (the sandbox's writable one).
const ENCLAVE: &str = "e27b914b-b1ee-4d25-b4b2-d50db5208b4d";

/// What one bulk submission measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BulkFigures {
    /// Inputs in the folder.
    pub reports: usize,
    /// Reports the sandbox holds from the folder afterwards.
    pub stored: usize,
    /// Wall time of the `reportctl` run.
    pub elapsed: Duration,
    /// CPU time of the `reportctl` process (its own work: reading the
    /// folder, counting indicators, the facade, the journal-free engine).
    pub client_cpu: Duration,
    /// CPU time of the sandbox's threads over the same run.
    pub sandbox_cpu: Duration,
}

impl BulkFigures {
    /// Reports submitted per second of wall time.
    pub fn reports_per_second(&self) -> f64 {
        self.reports as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    /// The client's share of the CPU time both sides spent.
    pub fn client_share(&self) -> f64 {
        let both = (self.client_cpu + self.sandbox_cpu).as_secs_f64();
        if both > 0.0 {
            self.client_cpu.as_secs_f64() / both
        } else {
            f64::NAN
        }
    }
}

/// Runs `reportctl` (the binary at `reportctl`) on a folder of `reports`
/// small findings, `concurrency` at a time, with `--rate 0`, against a
/// sandbox in this process.
///
/// ```no_run
/// let figures = load_harness::bulk_submit::bulk_submit("target/release/reportctl".as_ref(), 1000, 8)?;
/// println!("{:.0} reports/s", figures.reports_per_second());
/// # Ok::<(), String>(())
/// ```
pub fn bulk_submit(
    reportctl: &Path,
    reports: usize,
    concurrency: usize,
) -> Result<BulkFigures, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("sandbox")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a tokio runtime: {e}"))?;
    let sandbox = runtime
        .block_on(Sandbox::builder().start())
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let dir = Scratch::new()?;
    let folder = dir.0.join("findings");
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    std::fs::create_dir(&folder).map_err(|e| format!("cannot make {}: {e}", folder.display()))?;
    for i in 0..reports {
        write(
            folder.join(format!("finding-{i:05}.txt")),
            &format!(
                "Seen on host {i}: dropper{i}.exe calling 185.220.{}.{}",
                i / 250,
                i % 250
            ),
        )?;
    }
    let credentials = sandbox.credentials();
    let (key, secret) = (dir.0.join("key"), dir.0.join("secret"));
    write(key.clone(), &credentials.trustar_api_key)?;
    write(secret.clone(), &credentials.trustar_api_secret)?;

    // Through bash's `time`, which reads the child's CPU time from
    // getrusage (to the millisecond, as printed).
    let script = r#"TIMEFORMAT='%3U %3S'; { time "$0" "$@" > /dev/null 2> /dev/null; } 2>&1; exit ${PIPESTATUS[0]}"#;
    let sandbox_before = threads_cpu("sandbox");
    let started = Instant::now();
    let output = Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg(reportctl)
        .args(["--json", "trustar", "--url", sandbox.base_url()])
        .arg("--api-key-file")
        .arg(&key)
        .arg("--api-secret-file")
        .arg(&secret)
        .arg("bulk-submit")
        .arg(&folder)
        .args(["--enclave", ENCLAVE, "--rate", "0"])
        .args(["--concurrency", &concurrency.to_string()])
        .env_remove("TRUSTAR_API_KEY")
        .env_remove("TRUSTAR_API_SECRET")
        .env_remove("TRUSTAR_BASE_URL")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", reportctl.display()))?;
    let elapsed = started.elapsed();
    let sandbox_after = threads_cpu("sandbox");
    if !output.status.success() {
        return Err(format!(
            "reportctl failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let client_cpu = user_and_system(&String::from_utf8_lossy(&output.stdout))
        .ok_or("cannot read the client's CPU time from bash's time")?;
    let sandbox_cpu = match (sandbox_before, sandbox_after) {
        (Some(before), Some(after)) => after.saturating_sub(before),
        _ => return Err("cannot read the sandbox threads' CPU time".into()),
    };
    let stored = sandbox
        .state()
        .trustar_reports
        .iter()
        .filter(|r| {
            r.title
                .as_deref()
                .is_some_and(|t| t.starts_with("finding-"))
        })
        .count();
    drop(sandbox);
    Ok(BulkFigures {
        reports,
        stored,
        elapsed,
        client_cpu,
        sandbox_cpu,
    })
}

/// User plus system seconds, as bash's `time` printed them (`%3U %3S`).
fn user_and_system(printed: &str) -> Option<Duration> {
    let mut seconds = printed.split_whitespace().map(|s| s.parse::<f64>().ok());
    let (user, system) = (seconds.next()??, seconds.next()??);
    Duration::try_from_secs_f64(user + system).ok()
}

/// A scratch folder under the system's temporary folder, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Self, String> {
        let path = std::env::temp_dir().join(format!("bench-bulk-{}", std::process::id()));
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("cannot make {}: {e}", path.display()))?;
        Ok(Scratch(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What the splitter benchmark measured: medians of `rounds` runs each.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitFigures {
    /// The body's size in bytes.
    pub bytes: usize,
    /// Indicators in it, as counted.
    pub indicators: usize,
    /// The parts the splitter cut it into at the limit.
    pub parts: usize,
    /// Median time to count the body once.
    pub count: Duration,
    /// Median time to split it.
    pub split: Duration,
}

impl SplitFigures {
    /// Splitting's time over counting's (1.0: as fast as one count).
    pub fn ratio(&self) -> f64 {
        self.split.as_secs_f64() / self.count.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// A body of about `bytes` bytes of prose holding `indicators` distinct
/// indicators (public addresses, domains, SHA-256 and MD5 hashes in
/// turn), ten to a paragraph.
///
/// ```
/// let body = load_harness::bulk_submit::findings_body(10_000, 100);
/// assert_eq!(threat_reports::indicators::count(&body).total, 100);
/// ```
pub fn findings_body(bytes: usize, indicators: usize) -> String {
    const FILLER: &str = "the analyst saw the host reach out again after the reboot ";
    let mut body = String::with_capacity(bytes + 1024);
    let per_indicator = bytes / indicators.max(1);
    for i in 0..indicators {
        let start = body.len();
        let hash = (i as u128 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
        match i % 4 {
            0 => body.push_str(&format!(
                "185.{}.{}.{}",
                16 + (i >> 16) % 200,
                (i >> 8) & 255,
                i & 255
            )),
            1 => body.push_str(&format!("host{i}.bad-example.com")),
            2 => body.push_str(&format!("{hash:032x}{:032x}", hash.rotate_left(17))),
            _ => body.push_str(&format!("{hash:032x}")),
        }
        body.push(' ');
        // Prose up to the indicator's share of the bytes (the filler is
        // ASCII: any prefix of it is whole characters).
        while body.len() - start + 2 < per_indicator {
            let room = per_indicator - 2 - (body.len() - start);
            body.push_str(&FILLER[..room.min(FILLER.len())]);
        }
        body.push_str(if i % 10 == 9 { ".\n\n" } else { ". " });
    }
    body
}

/// Splits `body` at `limit` and counts it, `rounds` times each in turn.
///
/// ```
/// let body = load_harness::bulk_submit::findings_body(20_000, 200);
/// let figures = load_harness::bulk_submit::split_against_count(&body, 50, 3)?;
/// assert!(figures.parts >= 4);
/// # Ok::<(), String>(())
/// ```
pub fn split_against_count(
    body: &str,
    limit: usize,
    rounds: usize,
) -> Result<SplitFigures, String> {
    let mut counts = Vec::new();
    let mut splits = Vec::new();
    let mut parts = 0;
    let mut indicators_found = 0;
    for _ in 0..rounds.max(1) {
        let started = Instant::now();
        indicators_found =
            std::hint::black_box(indicators::count(std::hint::black_box(body))).total;
        counts.push(started.elapsed());
        let started = Instant::now();
        let cut =
            indicators::split(std::hint::black_box(body), limit).map_err(|e| e.to_string())?;
        splits.push(started.elapsed());
        parts = cut.len();
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    Ok(SplitFigures {
        bytes: body.len(),
        indicators: indicators_found,
        parts,
        count: median(counts),
        split: median(splits),
    })
}
