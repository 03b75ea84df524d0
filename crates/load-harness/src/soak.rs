//! The soak test: many mixed calls through the facade while the sandbox
//! injects faults at random, then the sandbox's state compared with what
//! was sent.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use report_sandbox::{FaultRates, RunningSandbox, Sandbox, SandboxState};
use sandbox_clients::SandboxClients;
use threat_reports::trustar::{ReportId, ReportUpdate, TrustarClient};
use threat_reports::xsiam::{NewComment, XsiamClient};
use threat_reports::{ReportStatus, RetryPolicy};

use crate::rss;

/// What to run.
///
/// ```
/// use load_harness::SoakPlan;
///
/// let plan = SoakPlan { calls: 10_000, concurrency: 8, ..SoakPlan::default() };
/// assert_eq!(plan.fault_rates.unavailable, 0.05);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SoakPlan {
    /// Calls in all.
    pub calls: usize,
    /// Calls in flight at once; each worker owns its own reports, so the
    /// order of updates to a report is known.
    pub concurrency: usize,
    /// The faults the sandbox injects.
    pub fault_rates: FaultRates,
    /// How long TruSTAR tokens live: short, so that the run renews them.
    pub token_lifetime: Duration,
}

impl Default for SoakPlan {
    /// 100,000 calls, 32 at a time, 5% 503, 2% 429 (10 ms), 1% dropped
    /// connections, and, after the update was applied, 1% dropped
    /// connections and 1% 503; 10 s tokens.
    fn default() -> Self {
        SoakPlan {
            calls: 100_000,
            concurrency: 32,
            fault_rates:
                "503=0.05,429=0.02,drop=0.01,apply_drop=0.01,apply_503=0.01,wait=10,seed=1"
                    .parse()
                    .expect("valid rates"),
            token_lifetime: Duration::from_secs(10),
        }
    }
}

/// One worker's calls, in a repeating pattern of ten: four XSIAM status
/// updates with the standard key (resent after a lost answer), one XSIAM
/// comment and two status updates with the advanced key (both read back
/// after a lost answer, never resent blindly), one TruSTAR read, one
/// TruSTAR replacement and one TruSTAR submission (with an external id:
/// read back after a lost answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CallKind {
    /// `update_report_status` with a standard key, resent after a lost
    /// answer.
    XsiamStandard,
    /// `update_report_status` with an advanced key, on a client that reads
    /// back a lost answer (`read_back_lost_writes`), on reports of its own.
    XsiamAdvanced,
    /// `add_comment` (always read back after a lost answer).
    XsiamComment,
    /// `get_report`.
    TrustarGet,
    /// `update_report`.
    TrustarUpdate,
    /// `submit_report`, with an external tracking id.
    TrustarSubmit,
}

impl CallKind {
    fn of(k: usize) -> CallKind {
        match k % 10 {
            0..=3 => CallKind::XsiamStandard,
            4 => CallKind::XsiamComment,
            5 | 6 => CallKind::XsiamAdvanced,
            7 => CallKind::TrustarGet,
            8 => CallKind::TrustarUpdate,
            _ => CallKind::TrustarSubmit,
        }
    }
}

/// The memory at a point of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemorySample {
    /// Calls finished when it was taken.
    pub calls_done: usize,
    /// Resident set size, KiB.
    pub rss_kib: u64,
}

/// What the soak found.
#[derive(Debug, Clone, PartialEq)]
pub struct SoakReport {
    /// Calls made, by kind.
    pub calls: BTreeMap<CallKind, usize>,
    /// Calls that returned an error.
    pub failed: usize,
    /// The first errors, as the facade put them.
    pub first_errors: Vec<String>,
    /// Every difference between the sandbox's final state and the updates
    /// the calls made that a user could not live with: an update lost, a
    /// final value other than the last one written, or a duplicate no
    /// apply-fault explains. Empty when there is none.
    pub discrepancies: Vec<String>,
    /// Updates applied more often than their call succeeded: expected
    /// after the sandbox applied an update and then lost its answer (XSIAM
    /// has no idempotency key, so the retry applies it again).
    pub duplicates: u64,
    /// The same for the writes that are read back after a lost answer
    /// (comments, TruSTAR submissions, and the advanced client's status
    /// updates): any is a discrepancy, so this is zero in a passing run.
    pub read_back_duplicates: u64,
    /// Faults injected after an update was applied (`apply_drop`,
    /// `apply_503`, `apply_hang`): each may cause one duplicate.
    pub apply_faults: u64,
    /// Writes the calls made (and so expected in the sandbox): status
    /// updates, comments and replacements.
    pub updates_expected: u64,
    /// Faults the sandbox answered, by kind.
    pub faults_injected: BTreeMap<String, u64>,
    /// Memory before the first call, during the run, and after the last.
    pub memory: Vec<MemorySample>,
    /// Wall time of the calls.
    pub elapsed: Duration,
}

impl SoakReport {
    /// No call failed, no update was lost, every report ends at the last
    /// value written, and every duplicate follows an apply-fault.
    pub fn passed(&self) -> bool {
        self.failed == 0 && self.discrepancies.is_empty()
    }
}

const XSIAM_PER_WORKER: usize = 4;
/// Reports of the advanced client's, whose lost writes are read back.
const READ_BACK_PER_WORKER: usize = 2;
const TRUSTAR_PER_WORKER: usize = 2;
const ENCLAVE: &str = "e27b914b-b1ee-4d25-b4b2-d50db5208b4d";

fn xsiam_id(worker: usize, j: usize) -> String {
    format!("soak-{worker}-{j}")
}

fn read_back_id(worker: usize, j: usize) -> String {
    format!("soak-{worker}-read-back-{j}")
}

fn trustar_id(worker: usize, j: usize) -> String {
    format!("00000000-0000-4000-8000-{worker:06}{j:06}")
}

/// The reports the workers own.
fn state(workers: usize) -> Result<SandboxState, String> {
    let mut xsiam = Vec::new();
    let mut trustar = Vec::new();
    for w in 0..workers {
        for j in 0..XSIAM_PER_WORKER {
            xsiam.push(
                serde_json::json!({"XSOAR_SOURCE_ID": xsiam_id(w, j), "REPORT_STATUS": "NEW"}),
            );
        }
        for j in 0..READ_BACK_PER_WORKER {
            xsiam.push(
                serde_json::json!({"XSOAR_SOURCE_ID": read_back_id(w, j), "REPORT_STATUS": "NEW"}),
            );
        }
        for j in 0..TRUSTAR_PER_WORKER {
            trustar.push(serde_json::json!({
                "id": trustar_id(w, j),
                "title": "soak",
                "reportBody": "nothing yet",
                "timeBegan": 1_700_000_000_000i64,
                "created": 1_700_000_000_000i64,
                "updated": 1_700_000_000_000i64,
                "distributionType": "ENCLAVE",
                "enclaveIds": [ENCLAVE],
            }));
        }
    }
    serde_json::from_value(serde_json::json!({"xsiam_reports": xsiam, "trustar_reports": trustar}))
        .map_err(|e| format!("the soak's reports do not fit the sandbox: {e}"))
}

/// The clients every worker shares.
struct Clients {
    standard: XsiamClient,
    advanced: XsiamClient,
    trustar: TrustarClient,
}

/// What one worker did, to check against the sandbox.
#[derive(Default)]
struct Ledger {
    calls: BTreeMap<CallKind, usize>,
    failed: usize,
    errors: Vec<String>,
    /// Per XSIAM report: updates made and the last status set.
    xsiam: BTreeMap<String, (u64, ReportStatus)>,
    /// Per TruSTAR report: replacements made and the last title set.
    trustar: BTreeMap<String, (u64, String)>,
    /// The texts of the comments added (each unique).
    comments: Vec<String>,
    /// The external ids of the TruSTAR reports submitted (each unique).
    submitted: Vec<String>,
}

/// Runs the soak on a two-thread runtime, sandbox and clients together.
///
/// ```no_run
/// let report = load_harness::soak::run(&load_harness::SoakPlan::default())?;
/// assert!(report.passed(), "{:?}", report.discrepancies);
/// # Ok::<(), String>(())
/// ```
pub fn run(plan: &SoakPlan) -> Result<SoakReport, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a tokio runtime: {e}"))?;
    runtime.block_on(soak(plan))
}

async fn soak(plan: &SoakPlan) -> Result<SoakReport, String> {
    let workers = plan.concurrency.max(1);
    let sandbox = Sandbox::builder()
        .state(state(workers)?)
        .token_lifetime(plan.token_lifetime)
        .fault_rates(plan.fault_rates)
        .start()
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let clients = Arc::new(clients(&sandbox)?);
    let done = Arc::new(AtomicUsize::new(0));
    let mut memory = vec![sample(0)];
    let start = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let calls = plan.calls / workers + usize::from(w < plan.calls % workers);
            tokio::spawn(work(w, calls, clients.clone(), done.clone()))
        })
        .collect();
    let every = (plan.calls / 10).max(1);
    let mut next_sample = every;
    while !tasks.iter().all(|t| t.is_finished()) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let calls_done = done.load(Ordering::Relaxed);
        if calls_done >= next_sample {
            memory.push(sample(calls_done));
            next_sample += every;
        }
    }
    let mut ledger = Ledger::default();
    for task in tasks {
        let mine = task
            .await
            .map_err(|e| format!("a soak worker panicked: {e}"))?;
        merge(&mut ledger, mine);
    }
    let elapsed = start.elapsed();
    let calls_done = done.load(Ordering::Relaxed);
    if memory.last().is_none_or(|m| m.calls_done != calls_done) {
        memory.push(sample(calls_done));
    }
    let state = sandbox.state();
    let updates_expected = ledger.xsiam.values().map(|(n, _)| n).sum::<u64>()
        + ledger.trustar.values().map(|(n, _)| n).sum::<u64>()
        + ledger.comments.len() as u64
        + ledger.submitted.len() as u64;
    let verdict = verdict(&ledger, &state);
    Ok(SoakReport {
        discrepancies: verdict.discrepancies,
        duplicates: verdict.duplicates,
        read_back_duplicates: verdict.read_back_duplicates,
        apply_faults: verdict.apply_faults,
        calls: ledger.calls,
        failed: ledger.failed,
        first_errors: ledger.errors,
        updates_expected,
        faults_injected: state.faults_injected,
        memory,
        elapsed,
    })
}

fn sample(calls_done: usize) -> MemorySample {
    MemorySample {
        calls_done,
        rss_kib: rss::resident_kib().unwrap_or(0),
    }
}

fn clients(sandbox: &RunningSandbox) -> Result<Clients, String> {
    // Patient enough that 8% faults never exhaust it (0.08^12 per call).
    let retry = RetryPolicy::default()
        .max_attempts(12)
        .initial_backoff(Duration::from_millis(2))
        .max_backoff(Duration::from_millis(50))
        .budget(Duration::from_secs(60));
    let c = sandbox.credentials();
    let built = |e: threat_reports::Error| format!("cannot build a client: {e}");
    Ok(Clients {
        standard: sandbox
            .xsiam_client()
            .retry(retry.clone())
            .build()
            .map_err(built)?,
        advanced: sandbox
            .xsiam_client()
            .advanced_key(&c.xsiam_advanced_key_id, &c.xsiam_advanced_key)
            .retry(retry.clone())
            .read_back_lost_writes(true)
            .build()
            .map_err(built)?,
        trustar: sandbox
            .trustar_client()
            .retry(retry)
            .build()
            .map_err(built)?,
    })
}

/// Worker `w`'s calls, in order, on its own reports.
async fn work(w: usize, calls: usize, clients: Arc<Clients>, done: Arc<AtomicUsize>) -> Ledger {
    let mut ledger = Ledger::default();
    for k in 0..calls {
        let kind = CallKind::of(k);
        *ledger.calls.entry(kind).or_default() += 1;
        let result = match kind {
            CallKind::XsiamStandard | CallKind::XsiamAdvanced => {
                let status = ReportStatus::PAGE[(k / 3) % ReportStatus::PAGE.len()];
                let (client, id) = if kind == CallKind::XsiamStandard {
                    (&clients.standard, xsiam_id(w, k % XSIAM_PER_WORKER))
                } else {
                    (&clients.advanced, read_back_id(w, k % READ_BACK_PER_WORKER))
                };
                let result = client.update_report_status(&id, status).await;
                if result.is_ok() {
                    let entry = ledger.xsiam.entry(id).or_insert((0, status));
                    *entry = (entry.0 + 1, status);
                }
                result.map(drop)
            }
            CallKind::XsiamComment => {
                let text = format!("soak {w} call {k}");
                let comment = NewComment::new(text.clone(), "soak@example.com");
                let result = clients
                    .standard
                    .add_comment(xsiam_id(w, k % XSIAM_PER_WORKER), comment)
                    .await;
                if result.is_ok() {
                    ledger.comments.push(text);
                }
                result
            }
            CallKind::TrustarSubmit => {
                let external = format!("soak-{w}-{k}");
                let report = ReportUpdate::new(
                    format!("soak submission {w} {k}"),
                    format!("call {k} saw evil{k}[.]example"),
                    ENCLAVE,
                )
                .external_tracking_id(external.clone());
                let result = clients.trustar.submit_report(&report).await;
                if result.is_ok() {
                    ledger.submitted.push(external);
                }
                result.map(drop)
            }
            CallKind::TrustarGet => {
                let id = ReportId::Internal(trustar_id(w, k % TRUSTAR_PER_WORKER));
                clients.trustar.get_report(&id).await.map(drop)
            }
            CallKind::TrustarUpdate => {
                let id = trustar_id(w, k % TRUSTAR_PER_WORKER);
                let title = format!("soak {w} call {k}");
                let update = ReportUpdate::new(
                    title.clone(),
                    format!("call {k} saw 198.51.100.{} and evil{k}[.]example", k % 250),
                    ENCLAVE,
                );
                let result = clients
                    .trustar
                    .update_report(&ReportId::Internal(id.clone()), &update)
                    .await;
                if result.is_ok() {
                    let entry = ledger.trustar.entry(id).or_insert((0, String::new()));
                    *entry = (entry.0 + 1, title);
                }
                result
            }
        };
        if let Err(error) = result {
            ledger.failed += 1;
            if ledger.errors.len() < 5 {
                ledger.errors.push(error.to_string());
            }
        }
        done.fetch_add(1, Ordering::Relaxed);
    }
    ledger
}

fn merge(into: &mut Ledger, from: Ledger) {
    for (kind, n) in from.calls {
        *into.calls.entry(kind).or_default() += n;
    }
    into.failed += from.failed;
    into.errors.extend(
        from.errors
            .into_iter()
            .take(5usize.saturating_sub(into.errors.len())),
    );
    into.xsiam.extend(from.xsiam);
    into.trustar.extend(from.trustar);
    into.comments.extend(from.comments);
    into.submitted.extend(from.submitted);
}

/// What the sandbox's state says of the ledger.
struct Verdict {
    discrepancies: Vec<String>,
    duplicates: u64,
    read_back_duplicates: u64,
    apply_faults: u64,
}

/// Compares the sandbox's state with the ledger: what a user can rely on
/// is that no update is lost and every report ends at the last value its
/// owner wrote. An update may be applied twice only where the sandbox
/// applied it and then lost the answer (an apply-fault), each such fault at
/// most once, and never when the write is read back after a lost answer
/// (comments, the advanced client's updates): those apply exactly once.
fn verdict(ledger: &Ledger, state: &SandboxState) -> Verdict {
    let mut found = Vec::new();
    let mut duplicates = 0;
    let mut read_back_duplicates = 0;
    let applied = |counts: &BTreeMap<String, u64>, id: &str| counts.get(id).copied().unwrap_or(0);
    let count = |what: String, made: u64, count: u64, found: &mut Vec<String>| {
        if count < made {
            found.push(format!(
                "{what}: {made} made, {count} applied: {} lost",
                made - count
            ));
        }
        count.saturating_sub(made)
    };
    for (id, (made, last)) in &ledger.xsiam {
        let twice = count(
            format!("XSIAM {id}: updates"),
            *made,
            applied(&state.xsiam_update_counts, id),
            &mut found,
        );
        if id.contains("-read-back-") {
            read_back_duplicates += twice;
        } else {
            duplicates += twice;
        }
        let stored = state
            .xsiam_reports
            .iter()
            .find(|r| r.xsoar_source_id.as_deref() == Some(id.as_str()));
        match stored {
            Some(r) if r.report_status.as_deref() == Some(last.canonical()) => {}
            Some(r) => found.push(format!(
                "XSIAM {id}: last status set {}, stored {}",
                last.canonical(),
                r.report_status.as_deref().unwrap_or("nothing")
            )),
            None => found.push(format!("XSIAM {id}: gone from the sandbox")),
        }
    }
    for (id, (made, last)) in &ledger.trustar {
        duplicates += count(
            format!("TruSTAR {id}: replacements"),
            *made,
            applied(&state.trustar_update_counts, id),
            &mut found,
        );
        match state
            .trustar_reports
            .iter()
            .find(|r| r.id.as_ref() == Some(id))
        {
            Some(r) if r.title.as_ref() == Some(last) => {}
            Some(r) => found.push(format!(
                "TruSTAR {id}: last title set {last:?}, stored {:?}",
                r.title.as_deref().unwrap_or("(none)")
            )),
            None => found.push(format!("TruSTAR {id}: gone from the sandbox")),
        }
    }
    // Each comment added is there once; none is there that was not added.
    let mut copies: BTreeMap<&str, u64> = BTreeMap::new();
    for comment in &state.xsiam_comments {
        *copies.entry(comment.comment_text.as_str()).or_default() += 1;
    }
    for text in &ledger.comments {
        let stored = copies.remove(text.as_str()).unwrap_or(0);
        read_back_duplicates += count(format!("comment {text:?}"), 1, stored, &mut found);
    }
    for (text, n) in copies {
        if text.starts_with("soak ") {
            read_back_duplicates += n;
            found.push(format!(
                "comment {text:?}: stored {n} times, but its call failed"
            ));
        }
    }
    // Each report submitted is there once (a lost answer was read back by
    // its external id, never sent blindly); none is there whose call failed.
    let mut submitted: BTreeMap<&str, u64> = BTreeMap::new();
    for report in &state.trustar_reports {
        if let Some(external) = report.external_tracking_id.as_deref()
            && external.starts_with("soak-")
        {
            *submitted.entry(external).or_default() += 1;
        }
    }
    for external in &ledger.submitted {
        let stored = submitted.remove(external.as_str()).unwrap_or(0);
        read_back_duplicates += count(format!("submission {external:?}"), 1, stored, &mut found);
    }
    for (external, n) in submitted {
        read_back_duplicates += n;
        found.push(format!(
            "submission {external:?}: stored {n} times, but its call failed"
        ));
    }
    if read_back_duplicates > 0 {
        found.push(format!(
            "{read_back_duplicates} writes that are read back after a lost answer were \
             applied twice"
        ));
    }
    // Updates nobody made, to reports no worker owns.
    for (id, n) in &state.xsiam_update_counts {
        if !ledger.xsiam.contains_key(id) {
            duplicates += n;
        }
    }
    let submitted_ids: std::collections::HashSet<&str> = state
        .trustar_reports
        .iter()
        .filter(|r| {
            r.external_tracking_id
                .as_deref()
                .is_some_and(|x| x.starts_with("soak-"))
        })
        .filter_map(|r| r.id.as_deref())
        .collect();
    for (id, n) in &state.trustar_update_counts {
        // A submission counts one write for its new report: checked above.
        if !ledger.trustar.contains_key(id) && !submitted_ids.contains(id.as_str()) {
            duplicates += n;
        }
    }
    let apply_faults: u64 = state
        .faults_injected
        .iter()
        .filter(|(kind, _)| kind.starts_with("apply_"))
        .map(|(_, n)| n)
        .sum();
    if duplicates > apply_faults {
        found.push(format!(
            "{duplicates} updates applied more often than their calls succeeded, but only \
             {apply_faults} apply-faults were injected: {} duplicates no fault explains",
            duplicates - apply_faults
        ));
    }
    Verdict {
        discrepancies: found,
        duplicates,
        read_back_duplicates,
        apply_faults,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check finds a lost update, a stale final value and a duplicate
    /// no apply-fault explains, and lets a duplicate an apply-fault
    /// explains pass.
    #[test]
    fn differences_from_the_ledger_are_found() {
        let mut state = state(1).unwrap();
        let mut ledger = Ledger::default();
        ledger
            .xsiam
            .insert(xsiam_id(0, 0), (2, ReportStatus::Closed));
        state.xsiam_reports[0].report_status = Some("CLOSED".into());
        state.xsiam_update_counts.insert(xsiam_id(0, 0), 2);
        ledger
            .trustar
            .insert(trustar_id(0, 0), (1, "soak 0 call 9".into()));
        state.trustar_reports[0].title = Some("soak 0 call 9".into());
        state.trustar_update_counts.insert(trustar_id(0, 0), 1);
        assert!(verdict(&ledger, &state).discrepancies.is_empty());

        // A duplicate after an apply-fault: expected, counted.
        state.xsiam_update_counts.insert(xsiam_id(0, 0), 3);
        state.faults_injected.insert("apply_drop".into(), 1);
        let v = verdict(&ledger, &state);
        assert!(v.discrepancies.is_empty(), "{:?}", v.discrepancies);
        assert_eq!((v.duplicates, v.apply_faults), (1, 1));

        // The same duplicate with no apply-fault: unexpected.
        state.faults_injected.clear();
        let found = verdict(&ledger, &state).discrepancies.join("\n");
        assert!(found.contains("1 duplicates no fault explains"), "{found}");

        // A lost update and a stale final value.
        state.faults_injected.insert("apply_503".into(), 5);
        state.trustar_update_counts.insert(trustar_id(0, 0), 0);
        state.trustar_reports[0].title = Some("soak 0 call 8".into());
        let found = verdict(&ledger, &state).discrepancies.join("\n");
        assert!(found.contains("1 made, 0 applied: 1 lost"), "{found}");
        assert!(found.contains("stored \"soak 0 call 8\""), "{found}");
        assert!(!found.contains("no fault explains"), "{found}");
    }

    /// A write that is read back after a lost answer may never be applied
    /// twice, apply-faults or not; a comment must be there once.
    #[test]
    fn a_read_back_write_applied_twice_is_a_discrepancy() {
        let mut state = state(1).unwrap();
        state.faults_injected.insert("apply_drop".into(), 5);
        let mut ledger = Ledger::default();
        let id = read_back_id(0, 0);
        ledger.xsiam.insert(id.clone(), (1, ReportStatus::New));
        state.xsiam_update_counts.insert(id.clone(), 1);
        ledger.comments.push("soak 0 call 4".into());
        let comment: report_sandbox::XsiamComment = serde_json::from_value(
            serde_json::json!({"comment_id": 9, "xsoar_source_id": xsiam_id(0, 0), "comment_text": "soak 0 call 4"}),
        )
        .unwrap();
        state.xsiam_comments.push(comment.clone());
        let v = verdict(&ledger, &state);
        assert!(v.discrepancies.is_empty(), "{:?}", v.discrepancies);

        state.xsiam_comments.push(comment);
        state.xsiam_update_counts.insert(id, 2);
        let v = verdict(&ledger, &state);
        assert_eq!(v.read_back_duplicates, 2);
        let found = v.discrepancies.join("\n");
        assert!(found.contains("2 writes that are read back"), "{found}");

        state.xsiam_comments.clear();
        let found = verdict(&ledger, &state).discrepancies.join("\n");
        assert!(found.contains("1 made, 0 applied: 1 lost"), "{found}");
    }
}
