//! Running the rows: bounded concurrency, one row per report at a time in
//! file order, Ctrl-C and SIGTERM, a journal that can fail, the summary.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use threat_reports::xsiam::XsiamClient;
use tokio::task::JoinSet;

use super::failed_rows::print_failed_rows;
use super::input::{Invalid, Row};
use super::journal::{Entry, Ledger, Outcome, key};
use super::progress::Progress;
use super::signals::Stops;
use crate::Failure;
use crate::output::shown;

/// The most rows in flight at once. Each holds a connection (a file
/// handle); far below what exhausts the usual limit of 1,024 handles, and
/// far above what XSIAM's 10 calls per second can use.
pub const MAX_CONCURRENCY: usize = 256;

/// How a run goes.
#[derive(Debug)]
pub struct Options {
    /// Rows in flight at once (capped at [`MAX_CONCURRENCY`]).
    pub concurrency: usize,
    /// The journal, if any.
    pub journal: Option<PathBuf>,
    /// The input file (`-` for standard input): never its own journal.
    pub input: PathBuf,
    /// The time limit of each attempt, for messages.
    pub timeout: Duration,
    /// The time between row starts (`--rate`), if rows are paced. A row
    /// waiting for its start is not on the wire: the first Ctrl-C cancels
    /// it, and only rows already sent finish.
    pub pace: Option<Duration>,
}

/// A row that failed, as the summary lists it and `--failed` writes it.
#[derive(Debug, Clone, Serialize)]
pub struct FailedRow {
    pub line: usize,
    pub source_id: String,
    pub status: String,
    pub error: String,
}

/// What a run did.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub done: usize,
    pub skipped: usize,
    /// Rows older than a row done for the same report in an earlier run:
    /// not sent, so that a rerun never takes a report back.
    pub superseded: usize,
    pub failed: usize,
    pub invalid: usize,
    /// Stopped by Ctrl-C or SIGTERM.
    pub interrupted: bool,
    /// Rows in flight when a second Ctrl-C stopped the run at once: not
    /// known to be applied, journaled as `interrupted`.
    pub abandoned: usize,
    /// Rows that were waiting for their turn under `--rate` at the first
    /// Ctrl-C: never sent, not journaled; a rerun sends them.
    pub not_started: usize,
    pub failures_by_error: BTreeMap<String, usize>,
    /// Every failed row, in the order they failed.
    pub failed_rows: Vec<FailedRow>,
    /// Why the journal could not be written, if it could not: the run
    /// stopped starting rows then.
    pub journal_error: Option<String>,
    /// From the first row started to the last one finished.
    pub seconds: f64,
    /// Rows done (or failed) per second.
    pub rows_per_second: f64,
}

/// A short name for an error, to group failures by.
fn error_kind(error: &threat_reports::Error) -> String {
    if crate::words::out_of_file_handles(error) {
        return "out of file handles".into();
    }
    match error.status() {
        Some(status) => format!("HTTP {status}"),
        None => match error {
            threat_reports::Error::Transport { .. } => "transport".into(),
            threat_reports::Error::InvalidInput { .. } => "invalid input".into(),
            _ => "other".into(),
        },
    }
}

/// How far the stop requests have gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Running,
    /// No new rows; the rows in flight finish and are journaled.
    Draining,
    /// Now: the rows in flight are abandoned.
    Now,
}

/// Runs the rows not yet done, at most `concurrency` at once; stops
/// starting rows on the first Ctrl-C (or SIGTERM), stops at once on the
/// second.
pub async fn run(
    client: XsiamClient,
    rows: Vec<Row>,
    invalid: &[Invalid],
    options: Options,
) -> Result<Summary, Failure> {
    if options.concurrency == 0 {
        return Err(Failure::usage(
            "--concurrency must be at least 1 (rows in flight at once)",
        ));
    }
    let concurrency = options.concurrency.min(MAX_CONCURRENCY);
    if concurrency < options.concurrency {
        eprintln!(
            "--concurrency {} is above the cap of {MAX_CONCURRENCY}: running {MAX_CONCURRENCY} rows at once",
            options.concurrency
        );
    }
    let mut summary = Summary {
        invalid: invalid.len(),
        ..Summary::default()
    };
    for bad in invalid {
        eprintln!("line {}: {}", bad.line, bad.problem);
    }
    let (mut journal, recorded) = Ledger::open(options.journal.as_deref(), &options.input)?;
    let (skipped, todo): (Vec<Row>, Vec<Row>) = rows
        .into_iter()
        .partition(|row| recorded.done.contains(&key(row)));
    summary.skipped = skipped.len();
    // A row older than one already done for the same report would take the
    // report back to an earlier status: the file's last row decides.
    let (superseded, todo): (Vec<Row>, Vec<Row>) = todo.into_iter().partition(|row| {
        recorded
            .last_done_line
            .get(&row.source_id)
            .is_some_and(|last| *last > row.line)
    });
    summary.superseded = superseded.len();
    for row in &superseded {
        eprintln!(
            "line {}: {} -> {}: superseded: a later row for this report is already done",
            row.line,
            shown(&row.source_id),
            row.status.canonical()
        );
        // A failure stops the run before any row starts; the summary says it.
        let _ = journal.record(&Entry::of(row, Outcome::Superseded, None));
    }

    let progress = Progress::new(todo.len());
    let started = Instant::now();
    let client = Arc::new(client);
    let mut pending = todo.into_iter();
    // Rows for a report that has a row in flight wait, in file order, so
    // that the file's last row for a report is the one that stays.
    let mut waiting: VecDeque<Row> = VecDeque::new();
    let mut busy: HashSet<String> = HashSet::new();
    let mut in_flight = JoinSet::new();
    // Which row each task carries, so that not even a panicking task can
    // lose its row.
    let mut rows_by_task: HashMap<tokio::task::Id, Row> = HashMap::new();
    // Under --rate, when each task's row may leave, and the handle that
    // cancels it while it waits; the tasks cancelled so, never sent.
    let mut next_start = tokio::time::Instant::now();
    let mut starts: HashMap<tokio::task::Id, (tokio::time::Instant, tokio::task::AbortHandle)> =
        HashMap::new();
    let mut cancelled_unsent: HashSet<tokio::task::Id> = HashSet::new();
    let mut stop = Stop::Running;
    let mut stops = Stops::new();
    loop {
        while stop == Stop::Running && journal.error().is_none() && in_flight.len() < concurrency {
            let ready = waiting
                .iter()
                .position(|row| !busy.contains(&row.source_id));
            let row = match ready.and_then(|i| waiting.remove(i)) {
                Some(row) => row,
                None => match pending.next() {
                    Some(row)
                        if busy.contains(&row.source_id)
                            || waiting.iter().any(|w| w.source_id == row.source_id) =>
                    {
                        waiting.push_back(row);
                        continue;
                    }
                    Some(row) => row,
                    None => break,
                },
            };
            busy.insert(row.source_id.clone());
            let client = client.clone();
            let task_row = row.clone();
            let start = options.pace.map(|pace| {
                let at = next_start.max(tokio::time::Instant::now());
                next_start = at + pace;
                at
            });
            let handle = in_flight.spawn(async move {
                if let Some(at) = start {
                    tokio::time::sleep_until(at).await;
                }
                client
                    .update_report_status(&task_row.source_id, task_row.status)
                    .await
                    .map(|_| ())
            });
            if let Some(at) = start {
                starts.insert(handle.id(), (at, handle.clone()));
            }
            rows_by_task.insert(handle.id(), row);
        }
        let starting = stop == Stop::Running && journal.error().is_none();
        if in_flight.is_empty() && (!starting || waiting.is_empty()) {
            break;
        }
        let finished = tokio::select! {
            finished = in_flight.join_next_with_id() => finished,
            _ = stops.next(), if stop != Stop::Now => {
                if stop == Stop::Running {
                    stop = Stop::Draining;
                    summary.interrupted = true;
                    // Rows still waiting for their turn have sent nothing:
                    // they are not sent (a task whose start is still ahead
                    // is asleep, and a cancelled task is never polled again).
                    let now = tokio::time::Instant::now();
                    for (id, (at, handle)) in &starts {
                        if *at > now {
                            handle.abort();
                            cancelled_unsent.insert(*id);
                        }
                    }
                    let unsent = match cancelled_unsent.len() {
                        0 => String::new(),
                        n => format!("; {n} rows waiting for their turn (--rate) are not sent"),
                    };
                    progress.say(&format!(
                        "stopping: waiting for the {} rows in flight{unsent} (Ctrl-C again to \
                         stop at once)",
                        in_flight.len() - cancelled_unsent.len()
                    ));
                    continue;
                }
                stop = Stop::Now;
                in_flight.abort_all();
                progress.say(&format!(
                    "stopping now: {} rows in flight are journaled as not done",
                    in_flight.len()
                ));
                continue;
            }
        };
        if let Some(Ok((id, _))) = &finished {
            starts.remove(id);
        }
        let (row, result) = match finished {
            Some(Ok((id, result))) => (
                rows_by_task.remove(&id),
                result.map_err(|e| (error_kind(&e), crate::words::error(&e, options.timeout))),
            ),
            Some(Err(join_error))
                if join_error.is_cancelled() && cancelled_unsent.remove(&join_error.id()) =>
            {
                // Waiting for its turn at the first Ctrl-C: never sent.
                starts.remove(&join_error.id());
                if let Some(row) = rows_by_task.remove(&join_error.id()) {
                    busy.remove(&row.source_id);
                    summary.not_started += 1;
                }
                continue;
            }
            Some(Err(join_error)) if join_error.is_cancelled() => {
                // Abandoned by the second Ctrl-C: not known to be applied.
                let Some(row) = rows_by_task.remove(&join_error.id()) else {
                    continue;
                };
                summary.abandoned += 1;
                // Stopping anyway; the summary says a failure.
                let _ = journal.record(&Entry::of(&row, Outcome::Interrupted, None));
                continue;
            }
            Some(Err(join_error)) => (
                rows_by_task.remove(&join_error.id()),
                Err((
                    "crash".to_string(),
                    format!("the row's task failed: {join_error}"),
                )),
            ),
            None => continue,
        };
        let Some(row) = row else { continue };
        busy.remove(&row.source_id);
        let (outcome, error) = match result {
            Ok(()) => {
                summary.done += 1;
                (Outcome::Done, None)
            }
            Err((kind, message)) => {
                summary.failed += 1;
                *summary.failures_by_error.entry(kind).or_default() += 1;
                summary.failed_rows.push(FailedRow {
                    line: row.line,
                    source_id: row.source_id.clone(),
                    status: row.status.canonical().to_string(),
                    error: message.clone(),
                });
                (Outcome::Failed, Some(message))
            }
        };
        if let Err(message) = journal.record(&Entry::of(&row, outcome, error.clone())) {
            // No new row starts; the rows in flight finish and are counted.
            progress.say(&format!(
                "{message}: starting no more rows; line {} ({}) and the rows still in flight are not journaled",
                row.line,
                shown(&row.source_id)
            ));
        }
        progress.row(|| {
            format!(
                "line {}: {} -> {}: {}{}",
                row.line,
                shown(&row.source_id),
                row.status.canonical(),
                match outcome {
                    Outcome::Done => "done",
                    _ => "failed",
                },
                error.map(|e| format!(": {e}")).unwrap_or_default()
            )
        });
    }
    progress.clear();
    summary.journal_error = journal.error().map(str::to_string);
    summary.seconds = started.elapsed().as_secs_f64();
    let finished = summary.done + summary.failed;
    if summary.seconds > 0.0 {
        summary.rows_per_second = finished as f64 / summary.seconds;
    }
    if progress.is_bar() {
        print_failed_rows(&summary.failed_rows);
    }
    Ok(summary)
}
