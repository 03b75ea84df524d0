//! `bulk-status` over the bulk engine (`bulk-runner`): the rows are status
//! updates, the write is `XsiamClient::update_report_status`, Ctrl-C and
//! SIGTERM are the stop requests, and the engine's events become the
//! progress bar, the lines per row and the summary, in reportctl's words.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bulk_runner::{BulkError, BulkRow, Event, Outcome, RowError};
use serde::Serialize;
use threat_reports::xsiam::XsiamClient;

use super::failed_rows::print_failed_rows;
use super::input::{Invalid, Row};
use super::progress::Progress;
use crate::Failure;
use crate::output::shown;

/// How a run goes.
#[derive(Debug)]
pub struct Options {
    /// Rows in flight at once (capped at [`bulk_runner::MAX_CONCURRENCY`]).
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

impl BulkRow for Row {
    fn line(&self) -> usize {
        self.line
    }

    fn key(&self) -> &str {
        &self.source_id
    }

    fn value(&self) -> String {
        self.status.canonical().to_string()
    }
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

/// The engine's refusal to start, in reportctl's words.
fn refused(error: BulkError, options: &Options) -> Failure {
    match error {
        BulkError::NoConcurrency => {
            Failure::usage("--concurrency must be at least 1 (rows in flight at once)")
        }
        BulkError::JournalIsInput { journal } => Failure::usage(format!(
            "--journal {} is the input file; the journal needs a file of its own \
             (for example {}.journal)",
            journal.display(),
            options.input.display()
        )),
        BulkError::JournalInUse { journal } => Failure::usage(format!(
            "the journal {} is in use by another reportctl run; wait for it to \
             finish, or give this run a journal of its own",
            journal.display()
        )),
        BulkError::JournalWrite { message } => Failure::failed(message),
        other => Failure::usage(other.to_string()),
    }
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
    for bad in invalid {
        eprintln!("line {}: {}", bad.line, bad.problem);
    }
    // The signal listeners are made before the first row starts, and kept.
    let (stop_requests, forwarding) = crate::bulk::stop_requests();
    let client = Arc::new(client);
    let timeout = options.timeout;
    let write = move |row: Row| {
        let client = client.clone();
        async move {
            client
                .update_report_status(&row.source_id, row.status)
                .await
                .map(drop)
                .map_err(|e| RowError::new(error_kind(&e), crate::words::error(&e, timeout)))
        }
    };
    let engine_options = bulk_runner::Options {
        concurrency: options.concurrency,
        journal: options.journal.clone(),
        input: Some(options.input.clone()),
        pace: options.pace,
    };
    let mut progress: Option<Progress> = None;
    let say = |progress: &Option<Progress>, message: &str| match progress {
        Some(p) => p.say(message),
        None => eprintln!("{message}"),
    };
    let outcome = bulk_runner::run(
        rows,
        write,
        engine_options,
        stop_requests,
        |event| match event {
            Event::JournalNote(note) => say(&progress, note),
            Event::ConcurrencyCapped { asked, running } => say(
                &progress,
                &format!(
                    "--concurrency {asked} is above the cap of {running}: running {running} rows \
                     at once"
                ),
            ),
            Event::Superseded(row) => say(
                &progress,
                &format!(
                    "line {}: {} -> {}: superseded: a later row for this report is already done",
                    row.line,
                    shown(&row.source_id),
                    row.status.canonical()
                ),
            ),
            Event::Planned { rows } => progress = Some(Progress::new(rows)),
            Event::Finished {
                row,
                outcome,
                error,
            } => {
                if let Some(p) = &progress {
                    p.row(|| {
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
            }
            Event::JournalFailed { message, row } => say(
                &progress,
                &format!(
                    "{message}: starting no more rows; line {} ({}) and the rows still in \
                     flight are not journaled",
                    row.line,
                    shown(&row.source_id)
                ),
            ),
            Event::Stopping {
                in_flight,
                not_started,
            } => {
                let unsent = match not_started {
                    0 => String::new(),
                    n => format!("; {n} rows waiting for their turn (--rate) are not sent"),
                };
                say(
                    &progress,
                    &format!(
                        "stopping: waiting for the {in_flight} rows in flight{unsent} (Ctrl-C \
                         again to stop at once)"
                    ),
                );
            }
            Event::StoppingNow { in_flight } => say(
                &progress,
                &format!("stopping now: {in_flight} rows in flight are journaled as not done"),
            ),
            _ => {}
        },
    )
    .await;
    forwarding.abort();
    let engine = outcome.map_err(|e| refused(e, &options))?;
    if let Some(p) = &progress {
        p.clear();
    }
    let summary = Summary {
        done: engine.done,
        skipped: engine.skipped,
        superseded: engine.superseded,
        failed: engine.failed,
        invalid: invalid.len(),
        interrupted: engine.interrupted,
        abandoned: engine.abandoned,
        not_started: engine.not_started,
        failures_by_error: engine.failures_by_error,
        failed_rows: engine
            .failed_rows
            .into_iter()
            .map(|f| FailedRow {
                line: f.row.line,
                source_id: f.row.source_id,
                status: f.row.status.canonical().to_string(),
                error: f.error.message,
            })
            .collect(),
        journal_error: engine.journal_error,
        seconds: engine.seconds,
        rows_per_second: engine.rows_per_second,
    };
    if progress.as_ref().is_some_and(Progress::is_bar) {
        print_failed_rows(&summary.failed_rows);
    }
    Ok(summary)
}
