//! `reportctl trustar bulk-submit`: a folder or JSON Lines of reports into
//! TruSTAR, each input ending as exactly one report (or one set of parts),
//! whatever faults, crashes or reruns happen.
//!
//! Every input carries an external tracking id (its own, or one derived
//! from its name and content). A lost answer is read back by that id
//! before anything is sent again, and a rerun's submission of an input
//! already there is answered 409 and read back: nothing is created twice.
//! The journal (the bulk engine's, as `xsiam bulk-status` uses) makes a
//! rerun skip the inputs recorded as done.

mod inputs;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bulk_runner::{BulkError, Event, Outcome, RowError};
use serde::Serialize;
use threat_reports::trustar::{Submission, TrustarClient};

use crate::Failure;
use crate::bulk::Progress;
use crate::output::{print_json, shown};
use inputs::Input;

/// How a run goes.
pub struct Options {
    pub path: PathBuf,
    pub enclave: String,
    pub journal: Option<PathBuf>,
    pub concurrency: usize,
    pub split: bool,
    pub failed: Option<PathBuf>,
    pub timeout: Duration,
}

/// What became of one input.
#[derive(Debug, Clone, Serialize)]
struct Ended {
    input: String,
    /// `created`, `already there` (its external id was in the enclave: a
    /// rerun), `split` (into `ids.len()` parts), `skipped` (journaled as
    /// done by an earlier run), `over the limit`, `failed`, `unreadable`.
    outcome: String,
    /// The report ids it ended as (several when split).
    ids: Vec<String>,
    /// How many of them were already there (found, not created, by this
    /// run: a rerun after a crash or without the journal).
    already_there: usize,
    /// Why it failed.
    error: Option<String>,
}

/// Runs the inputs at `options.path` through `client`.
pub async fn run(client: TrustarClient, options: Options, json: bool) -> Result<(), Failure> {
    let (inputs, unreadable) = inputs::read(&options.path, &options.enclave)?;
    let mut ended: Vec<Ended> = unreadable
        .iter()
        .map(|u| {
            if !json {
                eprintln!("{}: unreadable: {}", shown(&u.name), u.problem);
            }
            Ended {
                input: u.name.clone(),
                outcome: "unreadable".into(),
                ids: Vec::new(),
                already_there: 0,
                error: Some(u.problem.clone()),
            }
        })
        .collect();
    let names: BTreeMap<usize, String> = inputs.iter().map(|i| (i.line, i.name.clone())).collect();
    let ids: Arc<Mutex<BTreeMap<usize, Vec<Submission>>>> = Arc::default();
    // The signal listeners are made before the first row starts, and kept.
    let (stop_requests, forwarding) = crate::bulk::stop_requests();
    let client = Arc::new(client);
    let timeout = options.timeout;
    let (split, written) = (options.split, ids.clone());
    let write = move |input: Input| {
        let (client, written) = (client.clone(), written.clone());
        async move {
            let refused = |e: threat_reports::Error| {
                let kind = match &e {
                    threat_reports::Error::TooManyIndicators { .. } => "over the limit",
                    _ => "failed",
                };
                let mut message = crate::words::error(&e, timeout);
                if kind == "over the limit" {
                    message.push_str(" (--split cuts such reports into parts that fit)");
                }
                RowError::new(kind, message)
            };
            let submitted = if split {
                client.submit_report_split_as(&input.report).await
            } else {
                client
                    .submit_report_as(&input.report)
                    .await
                    .map(|s| vec![s])
            }
            .map_err(refused)?;
            if let Ok(mut map) = written.lock() {
                map.insert(input.line, submitted);
            }
            Ok::<(), RowError>(())
        }
    };
    let engine_options = bulk_runner::Options {
        concurrency: options.concurrency,
        journal: options.journal.clone(),
        input: (!options.path.is_dir()).then(|| options.path.clone()),
        pace: None,
    };
    let mut progress: Option<Progress> = None;
    let say = |progress: &Option<Progress>, message: &str| match progress {
        Some(p) => p.say(message),
        None => eprintln!("{message}"),
    };
    let outcome = bulk_runner::run(
        inputs,
        write,
        engine_options,
        stop_requests,
        |event| match event {
            // With --json, the summary says it all; standard error stays
            // free for an error's JSON.
            Event::Planned { rows } if !json => progress = Some(Progress::new(rows)),
            Event::JournalNote(note) => say(&progress, note),
            Event::Finished {
                row,
                outcome,
                error,
            } => {
                if let Some(p) = &progress {
                    p.row(|| {
                        format!(
                            "{}: {}{}",
                            shown(&row.name),
                            match outcome {
                                Outcome::Done => "submitted",
                                _ => "failed",
                            },
                            error.map(|e| format!(": {e}")).unwrap_or_default()
                        )
                    });
                }
            }
            Event::Stopping { in_flight, .. } => say(
                &progress,
                &format!(
                    "stopping: waiting for the {in_flight} reports in flight (Ctrl-C again to \
                     stop at once)"
                ),
            ),
            Event::JournalFailed { message, .. } => say(&progress, message),
            _ => {}
        },
    )
    .await;
    forwarding.abort();
    if let Some(p) = &progress {
        p.clear();
    }
    let summary = outcome.map_err(|e| match e {
        BulkError::NoConcurrency => Failure::usage("--concurrency must be at least 1"),
        BulkError::JournalInUse { journal } => Failure::usage(format!(
            "the journal {} is in use by another reportctl run",
            journal.display()
        )),
        other => Failure::failed(other.to_string()),
    })?;
    let written = ids.lock().map(|m| m.clone()).unwrap_or_default();
    let failed: BTreeMap<usize, (String, String)> = summary
        .failed_rows
        .iter()
        .map(|f| (f.row.line, (f.error.kind.clone(), f.error.message.clone())))
        .collect();
    for (line, name) in &names {
        let mut end = Ended {
            input: name.clone(),
            outcome: "skipped".into(),
            ids: Vec::new(),
            already_there: 0,
            error: None,
        };
        if let Some(parts) = written.get(line) {
            end.ids = parts.iter().map(|p| p.id.clone()).collect();
            end.already_there = parts.iter().filter(|p| !p.created).count();
            end.outcome = match (parts.len(), end.already_there) {
                (1, 0) => "created",
                (1, _) => "already there",
                _ => "split",
            }
            .into();
        } else if let Some((kind, message)) = failed.get(line) {
            end.outcome = kind.clone();
            end.error = Some(message.clone());
        }
        ended.push(end);
    }
    report(&ended, json);
    if let Some(path) = &options.failed {
        let mut text = String::from("input,why\n");
        for e in ended.iter().filter(|e| e.error.is_some()) {
            let why = e.error.clone().unwrap_or_default().replace('"', "\"\"");
            text.push_str(&format!("\"{}\",\"{why}\"\n", e.input.replace('"', "\"\"")));
        }
        std::fs::write(path, text)
            .map_err(|e| Failure::failed(format!("cannot write {}: {e}", path.display())))?;
    }
    if summary.interrupted {
        return Err(Failure::with_code(
            130,
            "interrupted; rerun with the same --journal to resume",
        ));
    }
    let bad = ended.iter().filter(|e| e.error.is_some()).count();
    if bad > 0 {
        return Err(Failure::failed(format!("{bad} inputs were not submitted")));
    }
    Ok(())
}

/// The summary: counts by outcome and what each input ended as.
fn report(ended: &[Ended], json: bool) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in ended {
        *counts.entry(e.outcome.as_str()).or_default() += 1;
    }
    let split = counts.get("split").copied().unwrap_or(0);
    let parts: usize = ended
        .iter()
        .filter(|e| e.outcome == "split")
        .map(|e| e.ids.len())
        .sum();
    if json {
        return print_json(&serde_json::json!({
            "counts": counts,
            "split": split,
            "parts": parts,
            "inputs": ended,
        }));
    }
    for e in ended {
        let there = match e.already_there {
            0 => String::new(),
            k => format!(", {k} already there"),
        };
        match (&e.error, e.ids.as_slice()) {
            (Some(error), _) => out!("{}: {}: {}", shown(&e.input), e.outcome, error),
            (None, []) => out!("{}: {}", shown(&e.input), e.outcome),
            (None, ids) if e.outcome == "split" => out!(
                "{}: split into {} parts{there}: {}",
                shown(&e.input),
                ids.len(),
                ids.join(" ")
            ),
            (None, ids) => out!("{}: {}: {}", shown(&e.input), e.outcome, ids.join(" ")),
        }
    }
    let mut line: Vec<String> = counts
        .iter()
        .map(|(k, n)| match *k {
            "split" => format!("{n} split (into {parts} parts)"),
            _ => format!("{n} {k}"),
        })
        .collect();
    if line.is_empty() {
        line.push("no inputs".into());
    }
    out!("{}", line.join(", "));
}
