//! `bulk-status --dry-run`: the whole file checked, and what a run would
//! send, row by row, with nothing sent and the journal left as it is.

use std::path::Path;

use serde::Serialize;

use super::input::{Invalid, Row};
use crate::Failure;
use crate::output::{raw, shown};
use bulk_runner::peek;

/// What a run would do with one line.
#[derive(Debug, Serialize)]
pub struct Planned {
    pub line: usize,
    pub source_id: String,
    /// The status as the request would carry it (`In Progress`), or as
    /// the line wrote it when the line is invalid.
    pub status: String,
    /// `send`, `skip` (the journal has it done), `superseded` (a later row
    /// for the report is done) or `invalid`.
    pub action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// Prints the plan and returns it; sends nothing. Exits as the run would:
/// 1 when a line is invalid.
pub fn dry_run(
    rows: &[Row],
    invalid: &[Invalid],
    journal: Option<&Path>,
    json: bool,
) -> Result<Vec<Planned>, Failure> {
    let recorded = match journal {
        Some(path) => peek(path).map_err(|e| Failure::failed(e.to_string()))?,
        None => Default::default(),
    };
    let mut plan: Vec<Planned> = rows
        .iter()
        .map(|row| {
            let superseded = recorded.is_superseded(row);
            let action = if recorded.is_done(row) {
                "skip"
            } else if superseded {
                "superseded"
            } else {
                "send"
            };
            Planned {
                line: row.line,
                source_id: row.source_id.clone(),
                status: row.status.label().to_string(),
                action,
                why: None,
            }
        })
        .chain(invalid.iter().map(|bad| {
            let (id, status) = bad.fields.clone().unwrap_or_default();
            Planned {
                line: bad.line,
                source_id: id,
                status,
                action: "invalid",
                why: Some(bad.problem.clone()),
            }
        }))
        .collect();
    plan.sort_by_key(|p| p.line);
    let count = |action| plan.iter().filter(|p| p.action == action).count();
    let (send, skip, superseded) = (count("send"), count("skip"), count("superseded"));
    if json {
        crate::output::print_json(&serde_json::json!({
            "dry_run": true,
            "rows": plan,
            "would_send": send,
            "skipped": skip,
            "superseded": superseded,
            "invalid": invalid.len(),
        }));
    } else {
        for p in &plan {
            match &p.why {
                Some(why) => eprintln!("line {}: invalid: {why}", p.line),
                None => raw(format!(
                    "line {}: {} {} -> {}\n",
                    p.line,
                    p.action,
                    shown(&p.source_id),
                    p.status
                )
                .as_bytes()),
            }
        }
        raw(format!(
            "dry run: {send} rows would be sent, {skip} skipped as done, {superseded} superseded, \
             {} invalid; nothing was sent\n",
            invalid.len()
        )
        .as_bytes());
    }
    if invalid.is_empty() {
        Ok(plan)
    } else {
        Err(Failure::failed(format!(
            "{} rows are invalid: fix them (--failed FILE writes them with why) and run again",
            invalid.len()
        )))
    }
}
