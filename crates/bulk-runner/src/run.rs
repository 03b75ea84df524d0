//! Running the rows: bounded concurrency, one row per key at a time in
//! input order, pacing, two-step stopping, a journal that can fail, the
//! summary.

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use tokio::task::{AbortHandle, Id, JoinSet};

use crate::journal::{Entry, Ledger};
use crate::{
    BulkError, BulkRow, Event, FailedRow, MAX_CONCURRENCY, Options, Outcome, RowError,
    StopRequests, Summary,
};

/// How far the stop requests have gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Running,
    /// No new rows; the rows in flight finish and are journaled.
    Draining,
    /// Now: the rows in flight are abandoned.
    Now,
}

/// Writes the rows the journal does not record as done, at most
/// `options.concurrency` at once and one per key at a time, in input
/// order, each with `write`; tells `observe` what happens; stops starting
/// rows at the first stop request and at once at the second. The rows are
/// taken in the order given (their `line` decides what supersedes what).
///
/// `Err` only when the run cannot start: a concurrency of 0, or a journal
/// that is the input, is held by another run, or cannot be opened. Once
/// running, failures are rows in the summary.
pub async fn run<R, W, Fut>(
    rows: Vec<R>,
    write: W,
    options: Options,
    mut stops: StopRequests,
    mut observe: impl FnMut(Event<'_, R>),
) -> Result<Summary<R>, BulkError>
where
    R: BulkRow,
    W: Fn(R) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), RowError>> + Send + 'static,
{
    if options.concurrency == 0 {
        return Err(BulkError::NoConcurrency);
    }
    let concurrency = options.concurrency.min(MAX_CONCURRENCY);
    if concurrency < options.concurrency {
        observe(Event::ConcurrencyCapped {
            asked: options.concurrency,
            running: concurrency,
        });
    }
    let mut summary = Summary::default();
    let (mut journal, recorded, notes) =
        Ledger::open(options.journal.as_deref(), options.input.as_deref())?;
    for note in &notes {
        observe(Event::JournalNote(note));
    }
    let (skipped, todo): (Vec<R>, Vec<R>) = rows.into_iter().partition(|row| recorded.is_done(row));
    summary.skipped = skipped.len();
    // A row older than one already done for the same key would take the
    // key back to an earlier value: the input's last row decides.
    let (superseded, todo): (Vec<R>, Vec<R>) = todo
        .into_iter()
        .partition(|row| recorded.is_superseded(row));
    summary.superseded = superseded.len();
    for row in &superseded {
        observe(Event::Superseded(row));
        // A failure stops the run before any row starts; the summary says it.
        let _ = journal.record(&Entry::of(row, Outcome::Superseded, None));
    }
    observe(Event::Planned { rows: todo.len() });

    let started = Instant::now();
    let write = Arc::new(write);
    let mut pending = todo.into_iter();
    // Rows for a key that has a row in flight wait, in input order, so that
    // the input's last row for a key is the one that stays.
    let mut waiting: VecDeque<R> = VecDeque::new();
    let mut busy: HashSet<String> = HashSet::new();
    let mut in_flight = JoinSet::new();
    // Which row each task carries, so that not even a panicking task can
    // lose its row.
    let mut rows_by_task: HashMap<Id, R> = HashMap::new();
    // Under pacing, when each task's row may leave, and the handle that
    // cancels it while it waits; the tasks cancelled so, never written.
    let mut next_start = tokio::time::Instant::now();
    let mut starts: HashMap<Id, (tokio::time::Instant, AbortHandle)> = HashMap::new();
    let mut cancelled_unsent: HashSet<Id> = HashSet::new();
    let mut stop = Stop::Running;
    loop {
        while stop == Stop::Running && journal.error().is_none() && in_flight.len() < concurrency {
            let ready = waiting.iter().position(|row| !busy.contains(row.key()));
            let row = match ready.and_then(|i| waiting.remove(i)) {
                Some(row) => row,
                None => match pending.next() {
                    Some(row)
                        if busy.contains(row.key())
                            || waiting.iter().any(|w| w.key() == row.key()) =>
                    {
                        waiting.push_back(row);
                        continue;
                    }
                    Some(row) => row,
                    None => break,
                },
            };
            busy.insert(row.key().to_string());
            let start = options.pace.map(|pace| {
                let at = next_start.max(tokio::time::Instant::now());
                next_start = at + pace;
                at
            });
            let (write, task_row) = (write.clone(), row.clone());
            let handle = in_flight.spawn(async move {
                if let Some(at) = start {
                    tokio::time::sleep_until(at).await;
                }
                write(task_row).await
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
                    // a task whose start is still ahead is asleep, and a
                    // cancelled task is never polled again.
                    let now = tokio::time::Instant::now();
                    for (id, (at, handle)) in &starts {
                        if *at > now {
                            handle.abort();
                            cancelled_unsent.insert(*id);
                        }
                    }
                    observe(Event::Stopping {
                        in_flight: in_flight.len() - cancelled_unsent.len(),
                        not_started: cancelled_unsent.len(),
                    });
                    continue;
                }
                stop = Stop::Now;
                in_flight.abort_all();
                observe(Event::StoppingNow { in_flight: in_flight.len() });
                continue;
            }
        };
        if let Some(Ok((id, _))) = &finished {
            starts.remove(id);
        }
        let (row, result) = match finished {
            Some(Ok((id, result))) => (rows_by_task.remove(&id), result),
            Some(Err(join_error))
                if join_error.is_cancelled() && cancelled_unsent.remove(&join_error.id()) =>
            {
                // Waiting for its turn at the first stop request: never sent.
                starts.remove(&join_error.id());
                if let Some(row) = rows_by_task.remove(&join_error.id()) {
                    busy.remove(row.key());
                    summary.not_started += 1;
                }
                continue;
            }
            Some(Err(join_error)) if join_error.is_cancelled() => {
                // Abandoned by the second stop request: not known to be
                // applied.
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
                Err(RowError::new(
                    "crash",
                    format!("the row's task failed: {join_error}"),
                )),
            ),
            None => continue,
        };
        let Some(row) = row else { continue };
        busy.remove(row.key());
        let (outcome, error) = match result {
            Ok(()) => {
                summary.done += 1;
                (Outcome::Done, None)
            }
            Err(error) => {
                summary.failed += 1;
                *summary
                    .failures_by_error
                    .entry(error.kind.clone())
                    .or_default() += 1;
                (Outcome::Failed, Some(error))
            }
        };
        let entry = Entry::of(&row, outcome, error.as_ref().map(|e| e.message.clone()));
        if let Err(message) = journal.record(&entry) {
            // No new row starts; the rows in flight finish and are counted.
            observe(Event::JournalFailed {
                message: &message,
                row: &row,
            });
        }
        observe(Event::Finished {
            row: &row,
            outcome,
            error: error.as_ref(),
        });
        if let Some(error) = error {
            summary.failed_rows.push(FailedRow { row, error });
        }
    }
    summary.journal_error = journal.error().map(str::to_string);
    summary.seconds = started.elapsed().as_secs_f64();
    let finished = summary.done + summary.failed;
    if summary.seconds > 0.0 {
        summary.rows_per_second = finished as f64 / summary.seconds;
    }
    Ok(summary)
}
