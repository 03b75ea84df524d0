//! Many writes, each applied once, and a run that can stop and resume:
//! the engine under `reportctl xsiam bulk-status`, for your own rows and
//! your own write.
//!
//! - **Bounded concurrency**, at most [`MAX_CONCURRENCY`] rows at once.
//! - **One row per key at a time, in input order**: rows for the same key
//!   (a report id) never overlap, so the input's last row for a key is the
//!   one that stays.
//! - **A journal** (JSON Lines, one line per finished row, flushed and
//!   synced as the row ends): a rerun with the same journal skips the rows
//!   done, and never writes a row older than one already done for its key
//!   (`superseded`). One run holds a journal at a time (a file lock); a
//!   journal that cannot be written stops the run from starting rows, and
//!   nothing is journaled as done that was not; a last line cut short by a
//!   crash is set aside.
//! - **Pacing** (`pace`: the time between row starts). A row waiting for
//!   its turn has sent nothing: the first stop request cancels it.
//! - **Stopping in two steps**: the first request ([`Stopper::stop`]) lets
//!   the rows already being written finish and journals them; the second
//!   abandons them (journaled `interrupted`: not known to be applied; a
//!   rerun writes them again).
//!
//! What exactly-once this gives: every row is journaled done only after its
//! write returned `Ok`; after a crash, at most the rows in flight may have
//! been applied unjournaled, and are written again by the rerun. Writes
//! that set a value (a status) make that harmless; a write that is not
//! idempotent should read back by a key it carried before resending (your
//! `write` can do that).
//!
//! ```
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::sync::Arc;
//! use bulk_runner::{BulkRow, Options, RowError, Stopper, run};
//!
//! #[derive(Clone)]
//! struct Row { line: usize, id: String, status: String }
//!
//! impl BulkRow for Row {
//!     fn line(&self) -> usize { self.line }
//!     fn key(&self) -> &str { &self.id }
//!     fn value(&self) -> String { self.status.clone() }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let journal = dir.path().join("updates.journal");
//! let rows: Vec<Row> = (1..=5)
//!     .map(|line| Row { line, id: format!("r{line}"), status: "CLOSED".into() })
//!     .collect();
//! let applied = Arc::new(AtomicUsize::new(0));
//! let options = Options { journal: Some(journal.clone()), concurrency: 1, ..Options::default() };
//!
//! // The first run is stopped once two rows are written (as a Ctrl-C would).
//! let (stopper, stops) = Stopper::new();
//! let count = applied.clone();
//! let first = run(rows.clone(), move |row: Row| {
//!     let (count, stopper) = (count.clone(), stopper.clone());
//!     async move {
//!         if count.fetch_add(1, Ordering::SeqCst) + 1 == 2 {
//!             stopper.stop();
//!         }
//!         let _ = row;
//!         Ok::<(), RowError>(())
//!     }
//! }, options.clone(), stops, |_| {}).await?;
//! assert!(first.interrupted);
//! assert!(first.done >= 2 && first.done < 5);
//!
//! // The rerun with the same journal writes only what is left.
//! let count = applied.clone();
//! let (_stopper, stops) = Stopper::new();
//! let second = run(rows, move |_row: Row| {
//!     let count = count.clone();
//!     async move { count.fetch_add(1, Ordering::SeqCst); Ok::<(), RowError>(()) }
//! }, options, stops, |_| {}).await?;
//! assert_eq!(second.skipped, first.done);
//! assert_eq!(first.done + second.done, 5);
//! assert_eq!(applied.load(Ordering::SeqCst), 5, "each row written once");
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod journal;
mod run;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use journal::{Recorded, peek};
pub use run::run;

/// The most rows in flight at once. Each may hold a connection (a file
/// handle); far below what exhausts the usual limit of 1,024 handles.
pub const MAX_CONCURRENCY: usize = 256;

/// A row to write.
pub trait BulkRow: Clone + Send + Sync + 'static {
    /// Where the row is in its input (from 1): with the key and the value,
    /// what the journal knows it by; a later line for the same key wins.
    fn line(&self) -> usize;
    /// What rows are ordered on: one row per key is written at a time (a
    /// report's id).
    fn key(&self) -> &str;
    /// What the row writes, as the journal records it (a canonical status).
    fn value(&self) -> String;
}

/// Why a row's write failed: a short kind to group failures by (`HTTP
/// 503`), and the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RowError {
    /// A short name to group by.
    pub kind: String,
    /// What happened.
    pub message: String,
}

impl RowError {
    /// A failure of `kind`, saying `message`.
    ///
    /// ```
    /// let e = bulk_runner::RowError::new("HTTP 503", "XSIAM answered 503");
    /// assert_eq!(e.to_string(), "XSIAM answered 503");
    /// ```
    pub fn new(kind: impl Into<String>, message: impl Into<String>) -> Self {
        RowError {
            kind: kind.into(),
            message: message.into(),
        }
    }
}

/// What became of a row, as the journal says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// Written.
    Done,
    /// Its write failed; a rerun writes it again.
    Failed,
    /// Older than a row already done for the same key: not written.
    Superseded,
    /// In flight when a second stop request ended the run: not known to be
    /// written; a rerun writes it again.
    Interrupted,
}

/// How a run goes.
#[derive(Debug, Clone)]
pub struct Options {
    /// Rows in flight at once (at least 1; capped at [`MAX_CONCURRENCY`]).
    pub concurrency: usize,
    /// The journal, if any.
    pub journal: Option<PathBuf>,
    /// The input file, if there is one: never its own journal.
    pub input: Option<PathBuf>,
    /// The time between row starts, if rows are paced.
    pub pace: Option<Duration>,
}

impl Default for Options {
    /// Eight rows at once, no journal, no pacing.
    fn default() -> Self {
        Options {
            concurrency: 8,
            journal: None,
            input: None,
            pace: None,
        }
    }
}

/// What a run tells as it goes, for a progress display.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a, R> {
    /// The journal's notes on lines it could not read or set aside.
    JournalNote(&'a str),
    /// The concurrency asked for is above [`MAX_CONCURRENCY`]: this many
    /// run at once.
    ConcurrencyCapped {
        /// What was asked.
        asked: usize,
        /// What runs.
        running: usize,
    },
    /// A row not written: a later row for its key is done.
    Superseded(&'a R),
    /// The rows to write, after those the journal skips.
    Planned {
        /// How many.
        rows: usize,
    },
    /// A row finished.
    Finished {
        /// The row.
        row: &'a R,
        /// Done or failed.
        outcome: Outcome,
        /// Why it failed.
        error: Option<&'a RowError>,
    },
    /// The journal could not be written: no row starts after this one.
    JournalFailed {
        /// What went wrong.
        message: &'a str,
        /// The row whose entry was lost.
        row: &'a R,
    },
    /// The first stop request: rows waiting for their turn are not
    /// written, the ones in flight finish.
    Stopping {
        /// Rows being written.
        in_flight: usize,
        /// Rows that were waiting for their turn: not written.
        not_started: usize,
    },
    /// The second stop request: the rows in flight are abandoned.
    StoppingNow {
        /// Rows abandoned.
        in_flight: usize,
    },
}

/// A row whose write failed.
#[derive(Debug, Clone)]
pub struct FailedRow<R> {
    /// The row.
    pub row: R,
    /// Why.
    pub error: RowError,
}

/// What a run did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Summary<R> {
    /// Rows written.
    pub done: usize,
    /// Rows the journal had done.
    pub skipped: usize,
    /// Rows older than a row done for the same key: not written.
    pub superseded: usize,
    /// Rows whose write failed.
    pub failed: usize,
    /// Stopped by a stop request.
    pub interrupted: bool,
    /// Rows in flight at a second stop request: journaled `interrupted`.
    pub abandoned: usize,
    /// Rows waiting for their turn at the first stop request: not written,
    /// not journaled.
    pub not_started: usize,
    /// Failed rows by their error's kind.
    pub failures_by_error: BTreeMap<String, usize>,
    /// Every failed row, in the order they failed.
    pub failed_rows: Vec<FailedRow<R>>,
    /// Why the journal could not be written, if it could not.
    pub journal_error: Option<String>,
    /// From the first row started to the last one finished.
    pub seconds: f64,
    /// Rows done or failed per second.
    pub rows_per_second: f64,
}

impl<R> Default for Summary<R> {
    fn default() -> Self {
        Summary {
            done: 0,
            skipped: 0,
            superseded: 0,
            failed: 0,
            interrupted: false,
            abandoned: 0,
            not_started: 0,
            failures_by_error: BTreeMap::new(),
            failed_rows: Vec::new(),
            journal_error: None,
            seconds: 0.0,
            rows_per_second: 0.0,
        }
    }
}

/// Why a run could not start (or set its journal straight).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BulkError {
    /// A concurrency of 0.
    #[error("the concurrency must be at least 1 (rows in flight at once)")]
    NoConcurrency,
    /// The journal is the input file.
    #[error("the journal {} is the input file; the journal needs a file of its own", .journal.display())]
    JournalIsInput {
        /// The journal.
        journal: PathBuf,
    },
    /// Another run holds the journal.
    #[error("the journal {} is in use by another run", .journal.display())]
    JournalInUse {
        /// The journal.
        journal: PathBuf,
    },
    /// The journal cannot be opened, locked or read.
    #[error("cannot open the journal {}: {source}", .journal.display())]
    JournalUnavailable {
        /// The journal.
        journal: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The journal cannot be written (setting aside a torn last line).
    #[error("{message}")]
    JournalWrite {
        /// What went wrong, naming the journal.
        message: String,
    },
}

/// Asks a run to stop: the first request lets the rows in flight finish,
/// the second abandons them. Clone it into a Ctrl-C handler.
#[derive(Debug, Clone)]
pub struct Stopper(tokio::sync::mpsc::UnboundedSender<()>);

/// The stop requests a run listens to (see [`Stopper`]).
#[derive(Debug)]
pub struct StopRequests(tokio::sync::mpsc::UnboundedReceiver<()>);

impl Stopper {
    /// A stopper and the requests it sends, for [`run`].
    pub fn new() -> (Stopper, StopRequests) {
        let (send, receive) = tokio::sync::mpsc::unbounded_channel();
        (Stopper(send), StopRequests(receive))
    }

    /// Asks the run to stop (a second call: at once).
    pub fn stop(&self) {
        let _ = self.0.send(());
    }
}

impl StopRequests {
    /// The next stop request; never, once every stopper is gone.
    pub(crate) async fn next(&mut self) {
        if self.0.recv().await.is_none() {
            std::future::pending::<()>().await;
        }
    }
}
