//! The journal: one JSON line per finished row, flushed and synced, read
//! back on a rerun. One run at a time holds it (a lock on the file).

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::input::Row;
use crate::Failure;

/// What became of a row, as the journal says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Outcome {
    /// XSIAM applied it.
    Done,
    /// It failed; a rerun sends it again.
    Failed,
    /// Older than a row already done for the same report: not sent.
    Superseded,
    /// In flight when a second Ctrl-C stopped the run: not known to be
    /// applied; a rerun sends it again.
    Interrupted,
}

/// One line of the journal.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Entry {
    /// When the row finished: RFC 3339, UTC, milliseconds (absent in
    /// journals written before timestamps were added).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub at: Option<String>,
    pub line: usize,
    pub source_id: String,
    pub status: String,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
}

impl Entry {
    pub fn of(row: &Row, outcome: Outcome, error: Option<String>) -> Self {
        Entry {
            at: Some(now()),
            line: row.line,
            source_id: row.source_id.clone(),
            status: row.status.canonical().to_string(),
            outcome,
            error,
        }
    }
}

/// The time now, as journal lines carry it.
fn now() -> String {
    use threat_reports::chrono::{DateTime, SecondsFormat, Utc};
    DateTime::<Utc>::from(std::time::SystemTime::now()).to_rfc3339_opts(SecondsFormat::Millis, true)
}

type RowKey = (usize, String, String);

pub(super) fn key(row: &Row) -> RowKey {
    (
        row.line,
        row.source_id.clone(),
        row.status.canonical().to_string(),
    )
}

/// What a journal records of earlier runs.
#[derive(Debug, Default)]
pub(super) struct Recorded {
    /// The rows done.
    pub done: HashSet<RowKey>,
    /// Per report, the last line of the file done for it: an earlier row
    /// for that report must not be sent again, or the report would go back.
    pub last_done_line: HashMap<String, usize>,
}

/// Appends entries, each flushed and synced before the next row counts as
/// finished. Holds the journal's lock while it lives.
struct Journal {
    file: File,
    path: PathBuf,
}

/// Whether `a` and `b` name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) if a == b => return true,
        _ => {}
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
    }
    false
}

impl Journal {
    /// Opens (or creates) the journal at `path` and reads what it records.
    /// Refused: the input file itself (`input`), and a journal another run
    /// holds. A last line cut short is set aside and said so, and the next
    /// entry starts on a line of its own; any other line that is not an
    /// entry is said so with its line number. Neither counts as done.
    fn open(path: &Path, input: &Path) -> Result<(Self, Recorded), Failure> {
        if same_file(path, input) {
            return Err(Failure::usage(format!(
                "--journal {} is the input file; the journal needs a file of its own \
                 (for example {}.journal)",
                path.display(),
                input.display()
            )));
        }
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(|e| {
                Failure::usage(format!("cannot open the journal {}: {e}", path.display()))
            })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(Failure::usage(format!(
                    "the journal {} is in use by another reportctl run; wait for it to \
                     finish, or give this run a journal of its own",
                    path.display()
                )));
            }
            Err(TryLockError::Error(e)) => {
                return Err(Failure::usage(format!(
                    "cannot lock the journal {}: {e}",
                    path.display()
                )));
            }
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| {
            Failure::usage(format!("cannot read the journal {}: {e}", path.display()))
        })?;
        let recorded = read(&bytes, path);
        let journal = Journal {
            file,
            path: path.to_path_buf(),
        };
        if !bytes.is_empty() && !bytes.ends_with(b"\n") {
            journal.set_aside_torn_tail(&bytes)?;
        }
        Ok((journal, recorded))
    }

    /// A last line cut short (a crash or a full disk while it was written)
    /// is moved to a file beside the journal, named in the message, and
    /// cut from the journal: it stays valid JSON Lines, and later runs do
    /// not warn again. The row it was for counts as not done.
    fn set_aside_torn_tail(&self, bytes: &[u8]) -> Result<(), Failure> {
        let cut = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let line = bytes[..cut].iter().filter(|b| **b == b'\n').count() + 1;
        let failed = |e: std::io::Error| Failure::failed(self.write_error(&e));
        let beside = (0..)
            .map(|n| {
                let suffix = if n == 0 {
                    String::new()
                } else {
                    format!(".{n}")
                };
                PathBuf::from(format!("{}.torn{suffix}", self.path.display()))
            })
            .find(|p| !p.exists())
            .unwrap_or_else(|| PathBuf::from(format!("{}.torn", self.path.display())));
        std::fs::write(&beside, &bytes[cut..]).map_err(failed)?;
        std::fs::File::open(&beside)
            .and_then(|f| f.sync_all())
            .map_err(failed)?;
        self.file.set_len(cut as u64).map_err(failed)?;
        self.file.sync_all().map_err(failed)?;
        eprintln!(
            "journal {}: line {line} was cut short (a crash or a full disk while it was \
             written); it was moved to {}, and that row counts as not done",
            self.path.display(),
            beside.display()
        );
        Ok(())
    }

    /// Appends `entry` and syncs it to disk.
    fn record(&mut self, entry: &Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.write(&line)
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes)?;
        self.file.flush()?;
        self.file.sync_data()
    }

    /// What a failed write means, naming the journal.
    fn write_error(&self, error: &std::io::Error) -> String {
        let why = match error.kind() {
            std::io::ErrorKind::StorageFull => "the disk is full".to_string(),
            std::io::ErrorKind::FileTooLarge => {
                "the file is too large for this system or its limits".to_string()
            }
            _ => error.to_string(),
        };
        format!("cannot write the journal {}: {why}", self.path.display())
    }
}

/// A run's journal, if it has one. Once a write fails nothing more is
/// written (an entry after a lost one would hide it), and the failure is
/// kept: the run then starts no more rows.
#[derive(Default)]
pub(super) struct Ledger {
    journal: Option<Journal>,
    error: Option<String>,
}

impl Ledger {
    /// The journal at `path` (see [`Journal::open`]), or none.
    pub fn open(path: Option<&Path>, input: &Path) -> Result<(Self, Recorded), Failure> {
        let Some(path) = path else {
            return Ok((Ledger::default(), Recorded::default()));
        };
        let (journal, recorded) = Journal::open(path, input)?;
        let ledger = Ledger {
            journal: Some(journal),
            error: None,
        };
        Ok((ledger, recorded))
    }

    /// Journals `entry`; `Err` with what went wrong only for the write that
    /// failed, after which every entry is dropped.
    pub fn record(&mut self, entry: &Entry) -> Result<(), String> {
        let Some(journal) = self.journal.as_mut() else {
            return Ok(());
        };
        if let Err(e) = journal.record(entry) {
            let message = journal.write_error(&e);
            self.error = Some(message.clone());
            self.journal = None;
            return Err(message);
        }
        Ok(())
    }

    /// Why the journal could not be written, once it could not.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

/// What a journal records, read without taking its lock or changing it
/// (for a dry run); an absent journal records nothing.
pub(super) fn peek(path: &Path) -> Result<Recorded, Failure> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(read(&bytes, path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Recorded::default()),
        Err(e) => Err(Failure::failed(format!(
            "cannot read the journal {}: {e}",
            path.display()
        ))),
    }
}

/// The entries of a journal's whole lines (a last line cut short is not
/// read: [`Journal::open`] sets it aside).
fn read(bytes: &[u8], path: &Path) -> Recorded {
    let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let text = String::from_utf8_lossy(&bytes[..whole]);
    let lines: Vec<&str> = text.split_terminator('\n').collect();
    let mut recorded = Recorded::default();
    for (i, line) in lines.iter().enumerate() {
        let number = i + 1;
        match serde_json::from_str::<Entry>(line) {
            Ok(entry) => {
                if entry.outcome == Outcome::Done {
                    let last = recorded
                        .last_done_line
                        .entry(entry.source_id.clone())
                        .or_insert(entry.line);
                    *last = (*last).max(entry.line);
                    recorded
                        .done
                        .insert((entry.line, entry.source_id, entry.status));
                }
            }
            Err(_) if line.trim().is_empty() => {}
            Err(e) => eprintln!(
                "journal {}: line {number} is not a journal entry ({e}); it is ignored",
                path.display()
            ),
        }
    }
    recorded
}
