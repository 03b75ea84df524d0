//! `reportctl xsiam bulk-status`: many status updates, bounded concurrency,
//! a journal that makes reruns resume, and a summary.
//!
//! The journal has one JSON line per finished row, written, flushed and
//! synced as the row ends. A rerun skips the rows it records as done, so a
//! run stopped by Ctrl-C (which lets the rows in flight finish and journals
//! them), a crash or a dropped network resumes where it stopped. After a
//! hard kill, the rows that were in flight (at most `--concurrency`) may
//! have reached XSIAM without being journaled; they are sent again, which
//! sets the same status again (XSIAM has no way to ask).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use threat_reports::ReportStatus;
use threat_reports::xsiam::XsiamClient;
use tokio::task::JoinSet;

use crate::Failure;

/// One valid row of the input.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    pub source_id: String,
    pub status: ReportStatus,
}

/// A row that could not be read, with why.
#[derive(Debug, Clone)]
pub struct Invalid {
    pub line: usize,
    pub problem: String,
}

/// The rows of CSV (`source_id,status`, an optional header) or JSON Lines
/// (`{"source_id": …, "status": …}`), told apart by the first character.
pub fn parse(text: &str) -> (Vec<Row>, Vec<Invalid>) {
    let mut rows = Vec::new();
    let mut invalid = Vec::new();
    let mut push = |read: Result<Row, Invalid>| match read {
        Ok(row) => rows.push(row),
        Err(bad) => invalid.push(bad),
    };
    if text.trim_start().starts_with('{') {
        #[derive(Deserialize)]
        struct JsonRow {
            /// Text, or a whole number (`777776` as well as `"777776"`).
            source_id: serde_json::Value,
            status: String,
        }
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<JsonRow>(line) {
                Ok(row) => match row.source_id {
                    serde_json::Value::String(id) => push(read_row(index + 1, &id, &row.status)),
                    serde_json::Value::Number(n) if n.is_u64() || n.is_i64() => {
                        push(read_row(index + 1, &n.to_string(), &row.status))
                    }
                    other => push(Err(Invalid {
                        line: index + 1,
                        problem: format!(
                            "source_id must be text or a whole number, not {}",
                            crate::output::shown(&other.to_string())
                        ),
                    })),
                },
                Err(e) => push(Err(Invalid {
                    line: index + 1,
                    problem: format!("not a {{\"source_id\", \"status\"}} object: {e}"),
                })),
            }
        }
    } else {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        for (index, record) in reader.records().enumerate() {
            let line = match &record {
                Ok(r) => r.position().map_or(index + 1, |p| p.line() as usize),
                Err(e) => e.position().map_or(index + 1, |p| p.line() as usize),
            };
            match record {
                Ok(r) if r.len() == 2 => {
                    let is_header = index == 0
                        && r[0].eq_ignore_ascii_case("source_id")
                        && r[1].eq_ignore_ascii_case("status");
                    if !is_header {
                        push(read_row(line, &r[0], &r[1]));
                    }
                }
                Ok(r) if r.len() == 1 && r[0].is_empty() => {}
                Ok(r) => push(Err(Invalid {
                    line,
                    problem: format!("expected 2 fields (source_id,status), found {}", r.len()),
                })),
                Err(e) => push(Err(Invalid {
                    line,
                    problem: e.to_string(),
                })),
            }
        }
    }
    (rows, invalid)
}

/// A row from its fields, trimmed as CSV trims them, or why it is invalid.
fn read_row(line: usize, source_id: &str, status: &str) -> Result<Row, Invalid> {
    let source_id = source_id.trim();
    if source_id.is_empty() {
        return Err(Invalid {
            line,
            problem: "source_id is empty".into(),
        });
    }
    match status.parse::<ReportStatus>() {
        Ok(status) => Ok(Row {
            line,
            source_id: source_id.to_string(),
            status,
        }),
        Err(e) => Err(Invalid {
            line,
            problem: e.to_string(),
        }),
    }
}

/// One line of the journal.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    line: usize,
    source_id: String,
    status: String,
    outcome: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    error: Option<String>,
}

type RowKey = (usize, String, String);

fn key(row: &Row) -> RowKey {
    (
        row.line,
        row.source_id.clone(),
        row.status.canonical().to_string(),
    )
}

/// What a journal records of earlier runs.
#[derive(Debug, Default)]
struct Recorded {
    /// The rows done.
    done: HashSet<RowKey>,
    /// Per report, the last line of the file done for it: an earlier row
    /// for that report must not be sent again, or the report would go back.
    last_done_line: HashMap<String, usize>,
    /// Whether the file ends in the middle of a line (a crash, or a full
    /// disk, while an entry was written): the next entry starts on a new
    /// line.
    torn: bool,
}

/// What the journal at `path` records. A last line cut short is set aside
/// and said so; any other line that is not an entry is said so with its
/// line number. Neither counts as done.
fn read_journal(path: &Path) -> Result<Recorded, Failure> {
    let text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Recorded::default()),
        Err(e) => {
            return Err(Failure::usage(format!(
                "cannot read the journal {}: {e}",
                path.display()
            )));
        }
    };
    let torn = !text.is_empty() && !text.ends_with(b"\n");
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.split_terminator('\n').collect();
    let mut recorded = Recorded {
        torn,
        ..Recorded::default()
    };
    for (i, line) in lines.iter().enumerate() {
        let number = i + 1;
        if torn && number == lines.len() {
            eprintln!(
                "journal {}: line {number} was cut short (a crash or a full disk while it was \
                 written); it is set aside, and that row counts as not done",
                path.display()
            );
            continue;
        }
        match serde_json::from_str::<Entry>(line) {
            Ok(entry) => {
                if entry.outcome == "done" {
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
    Ok(recorded)
}

/// Appends entries, each flushed and synced before the next row counts as
/// finished.
struct Journal(File);

impl Journal {
    /// Opens the journal for appending; after a torn last line, the next
    /// entry starts on a line of its own.
    fn open(path: &Path, torn: bool) -> Result<Self, Failure> {
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| {
                Failure::usage(format!("cannot open the journal {}: {e}", path.display()))
            })?;
        if torn {
            file.write_all(b"\n").map_err(|e| Failure {
                code: 1,
                message: format!("cannot write the journal {}: {e}", path.display()),
            })?;
        }
        Ok(Journal(file))
    }

    fn record(&mut self, entry: &Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.0.write_all(&line)?;
        self.0.flush()?;
        self.0.sync_data()
    }
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
    pub interrupted: bool,
    pub failures_by_error: BTreeMap<String, usize>,
}

/// A short name for an error, to group failures by.
fn error_kind(error: &threat_reports::Error) -> String {
    match error.status() {
        Some(status) => format!("HTTP {status}"),
        None => match error {
            threat_reports::Error::Transport { .. } => "transport".into(),
            threat_reports::Error::InvalidInput { .. } => "invalid input".into(),
            _ => "other".into(),
        },
    }
}

/// Runs the rows not yet done, at most `concurrency` at once; stops
/// starting rows on Ctrl-C.
pub async fn run(
    client: XsiamClient,
    rows: Vec<Row>,
    invalid: &[Invalid],
    concurrency: usize,
    journal: Option<&Path>,
) -> Result<Summary, Failure> {
    if concurrency == 0 {
        return Err(Failure::usage("--concurrency must be at least 1"));
    }
    let mut summary = Summary {
        invalid: invalid.len(),
        ..Summary::default()
    };
    for bad in invalid {
        eprintln!("line {}: {}", bad.line, bad.problem);
    }
    let recorded = match journal {
        Some(path) => read_journal(path)?,
        None => Recorded::default(),
    };
    let mut journal = journal
        .map(|path| Journal::open(path, recorded.torn))
        .transpose()?;
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
            row.source_id,
            row.status.canonical()
        );
        if let Some(journal) = journal.as_mut() {
            let entry = Entry {
                line: row.line,
                source_id: row.source_id.clone(),
                status: row.status.canonical().to_string(),
                outcome: "superseded".into(),
                error: None,
            };
            journal.record(&entry).map_err(|e| Failure {
                code: 1,
                message: format!("cannot write the journal: {e}"),
            })?;
        }
    }

    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(todo.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} rows, {per_sec}, eta {eta}",
        ) {
            bar.set_style(style);
        }
        bar
    });
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
    let mut stopping = false;
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    loop {
        while !stopping && in_flight.len() < concurrency {
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
            let handle = in_flight.spawn(async move {
                client
                    .update_report_status(&task_row.source_id, task_row.status)
                    .await
                    .map(|_| ())
                    .map_err(|e| (error_kind(&e), e.to_string()))
            });
            rows_by_task.insert(handle.id(), row);
        }
        if in_flight.is_empty() && (stopping || waiting.is_empty()) {
            break;
        }
        let finished = tokio::select! {
            finished = in_flight.join_next_with_id() => finished,
            _ = &mut interrupt, if !stopping => {
                stopping = true;
                summary.interrupted = true;
                eprintln!("stopping: waiting for the {} rows in flight", in_flight.len());
                continue;
            }
        };
        let (row, result) = match finished {
            Some(Ok((id, result))) => (rows_by_task.remove(&id), result),
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
                ("done", None)
            }
            Err((kind, message)) => {
                summary.failed += 1;
                *summary.failures_by_error.entry(kind).or_default() += 1;
                ("failed", Some(message))
            }
        };
        let entry = Entry {
            line: row.line,
            source_id: row.source_id.clone(),
            status: row.status.canonical().to_string(),
            outcome: outcome.into(),
            error: error.clone(),
        };
        if let Some(journal) = journal.as_mut() {
            journal.record(&entry).map_err(|e| Failure {
                code: 1,
                message: format!("cannot write the journal: {e}"),
            })?;
        }
        match &progress {
            Some(bar) => bar.inc(1),
            None => eprintln!(
                "line {}: {} -> {}: {}{}",
                row.line,
                row.source_id,
                row.status.canonical(),
                outcome,
                error.map(|e| format!(": {e}")).unwrap_or_default()
            ),
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    Ok(summary)
}
