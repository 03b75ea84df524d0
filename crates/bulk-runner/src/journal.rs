//! The journal: one JSON line per finished row, flushed and synced, read
//! back on a rerun. One run at a time holds it (a lock on the file).

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{BulkError, BulkRow, Outcome};

/// One line of the journal. Journals written by `reportctl` before this
/// crate existed name the key `source_id` and the value `status`; they are
/// read alike.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// When the row finished: RFC 3339, UTC, milliseconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub at: Option<String>,
    pub line: usize,
    #[serde(alias = "source_id")]
    pub key: String,
    #[serde(alias = "status")]
    pub value: String,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
}

impl Entry {
    pub fn of<R: BulkRow>(row: &R, outcome: Outcome, error: Option<String>) -> Self {
        Entry {
            at: Some(now()),
            line: row.line(),
            key: row.key().to_string(),
            value: row.value(),
            outcome,
            error,
        }
    }
}

/// The time now, as journal lines carry it.
fn now() -> String {
    use chrono::{DateTime, SecondsFormat, Utc};
    DateTime::<Utc>::from(std::time::SystemTime::now()).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A row's identity in the journal: its line, key and value.
pub(crate) type RowId = (usize, String, String);

pub(crate) fn id<R: BulkRow>(row: &R) -> RowId {
    (row.line(), row.key().to_string(), row.value())
}

/// What a journal records of earlier runs.
#[derive(Debug, Default)]
pub struct Recorded {
    /// The rows done.
    pub(crate) done: HashSet<RowId>,
    /// Per key, the last line done for it: an earlier row for that key must
    /// not be written again, or the key's record would go back.
    pub(crate) last_done_line: HashMap<String, usize>,
}

impl Recorded {
    /// Whether the journal records `row` as done.
    pub fn is_done<R: BulkRow>(&self, row: &R) -> bool {
        self.done.contains(&id(row))
    }

    /// Whether a later row for the same key is recorded as done, so that
    /// writing `row` would take the key back.
    pub fn is_superseded<R: BulkRow>(&self, row: &R) -> bool {
        self.last_done_line
            .get(row.key())
            .is_some_and(|last| *last > row.line())
    }
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
    /// Opens (or creates) the journal at `path` and reads what it records,
    /// with notes on lines it could not read. Refused: the input file itself
    /// (`input`), and a journal another run holds. A last line cut short is
    /// set aside and noted, and the next entry starts on a line of its own.
    fn open(path: &Path, input: Option<&Path>) -> Result<(Self, Recorded, Vec<String>), BulkError> {
        if input.is_some_and(|input| same_file(path, input)) {
            return Err(BulkError::JournalIsInput {
                journal: path.to_path_buf(),
            });
        }
        let unavailable = |source| BulkError::JournalUnavailable {
            journal: path.to_path_buf(),
            source,
        };
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(unavailable)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(BulkError::JournalInUse {
                    journal: path.to_path_buf(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(unavailable(e)),
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(unavailable)?;
        let (recorded, mut notes) = read(&bytes, path);
        let journal = Journal {
            file,
            path: path.to_path_buf(),
        };
        if !bytes.is_empty() && !bytes.ends_with(b"\n") {
            notes.push(journal.set_aside_torn_tail(&bytes)?);
        }
        Ok((journal, recorded, notes))
    }

    /// A last line cut short (a crash or a full disk while it was written)
    /// is moved to a file beside the journal, named in the note, and cut
    /// from the journal: it stays valid JSON Lines, and later runs do not
    /// note it again. The row it was for counts as not done.
    fn set_aside_torn_tail(&self, bytes: &[u8]) -> Result<String, BulkError> {
        let cut = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let line = bytes[..cut].iter().filter(|b| **b == b'\n').count() + 1;
        let failed = |e: std::io::Error| BulkError::JournalWrite {
            message: self.write_error(&e),
        };
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
        Ok(format!(
            "journal {}: line {line} was cut short (a crash or a full disk while it was \
             written); it was moved to {}, and that row counts as not done",
            self.path.display(),
            beside.display()
        ))
    }

    /// Appends `entry` and syncs it to disk.
    fn record(&mut self, entry: &Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)?;
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
pub(crate) struct Ledger {
    journal: Option<Journal>,
    error: Option<String>,
}

impl Ledger {
    /// The journal at `path` (see [`Journal::open`]), or none.
    pub fn open(
        path: Option<&Path>,
        input: Option<&Path>,
    ) -> Result<(Self, Recorded, Vec<String>), BulkError> {
        let Some(path) = path else {
            return Ok((Ledger::default(), Recorded::default(), Vec::new()));
        };
        let (journal, recorded, notes) = Journal::open(path, input)?;
        let ledger = Ledger {
            journal: Some(journal),
            error: None,
        };
        Ok((ledger, recorded, notes))
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
/// (for a dry run); an absent journal records nothing. Notes on lines that
/// are not entries are dropped.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let recorded = bulk_runner::peek(&dir.path().join("none.journal"))?;
/// # drop(recorded);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn peek(path: &Path) -> Result<Recorded, BulkError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(read(&bytes, path).0),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Recorded::default()),
        Err(source) => Err(BulkError::JournalUnavailable {
            journal: path.to_path_buf(),
            source,
        }),
    }
}

/// The entries of a journal's whole lines (a last line cut short is not
/// read: [`Journal::open`] sets it aside), and notes on the lines that are
/// not entries.
fn read(bytes: &[u8], path: &Path) -> (Recorded, Vec<String>) {
    let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let text = String::from_utf8_lossy(&bytes[..whole]);
    let mut recorded = Recorded::default();
    let mut notes = Vec::new();
    for (i, line) in text.split_terminator('\n').enumerate() {
        match serde_json::from_str::<Entry>(line) {
            Ok(entry) => {
                if entry.outcome == Outcome::Done {
                    let last = recorded
                        .last_done_line
                        .entry(entry.key.clone())
                        .or_insert(entry.line);
                    *last = (*last).max(entry.line);
                    recorded.done.insert((entry.line, entry.key, entry.value));
                }
            }
            Err(_) if line.trim().is_empty() => {}
            Err(e) => notes.push(format!(
                "journal {}: line {} is not a journal entry ({e}); it is ignored",
                path.display(),
                i + 1
            )),
        }
    }
    (recorded, notes)
}
