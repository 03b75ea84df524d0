//! What the MTH reads and writes print: aligned columns for people, JSON
//! with stable field names for scripts.

use threat_reports::chrono::{DateTime, Utc};
use threat_reports::xsiam::{Assignment, MthComment, MthReport};

use crate::output::{columns, print_json, shown};

/// A report as `--json` prints it: these names, whatever XSIAM's casing.
#[derive(serde::Serialize)]
struct ReportRow<'a> {
    source_id: &'a str,
    name: Option<&'a str>,
    /// The stored form (`IN_PROGRESS`), or the text XSIAM sent.
    status: &'a threat_reports::Reported<threat_reports::ReportStatus>,
    severity: &'a threat_reports::Reported<threat_reports::Severity>,
    assigned_user: Option<&'a str>,
    incident_id: Option<i64>,
    classification: &'a threat_reports::Reported<threat_reports::xsiam::Classification>,
    report_type: Option<&'a str>,
    created: Option<DateTime<Utc>>,
    updated: Option<DateTime<Utc>>,
}

impl<'a> From<&'a MthReport> for ReportRow<'a> {
    fn from(r: &'a MthReport) -> Self {
        ReportRow {
            source_id: &r.source_id,
            name: r.name.as_deref(),
            status: &r.status,
            severity: &r.severity,
            assigned_user: r.assigned_user.as_deref(),
            incident_id: r.incident_id,
            classification: &r.classification,
            report_type: r.report_type.as_deref(),
            created: r.inserted_at,
            updated: r.updated_at,
        }
    }
}

/// A comment as `--json` prints it.
#[derive(serde::Serialize)]
struct CommentRow<'a> {
    comment_id: Option<i64>,
    source_id: &'a str,
    text: Option<&'a str>,
    author: Option<&'a str>,
    created: Option<DateTime<Utc>>,
}

/// Reports: one line each (source id, status, severity, assignee,
/// incident, name), or a JSON array.
pub fn reports(reports: &[MthReport], json: bool) {
    if json {
        let rows: Vec<ReportRow<'_>> = reports.iter().map(ReportRow::from).collect();
        return print_json(&rows);
    }
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            vec![
                shown(&r.source_id),
                r.status.to_string(),
                r.severity.to_string(),
                r.assigned_user.as_deref().map(shown).unwrap_or_default(),
                r.incident_id.map(|i| i.to_string()).unwrap_or_default(),
                r.name.as_deref().map(shown).unwrap_or_default(),
            ]
        })
        .collect();
    columns(
        &[
            "SOURCE ID",
            "STATUS",
            "SEVERITY",
            "ASSIGNED TO",
            "INCIDENT",
            "NAME",
        ],
        &rows,
    );
}

/// Comments: one line each (id, time, author, text), or a JSON array.
pub fn comments(comments: &[MthComment], json: bool) {
    if json {
        let rows: Vec<CommentRow<'_>> = comments
            .iter()
            .map(|c| CommentRow {
                comment_id: c.comment_id,
                source_id: &c.source_id,
                text: c.text.as_deref(),
                author: c.author.as_deref(),
                created: c.created,
            })
            .collect();
        return print_json(&rows);
    }
    let rows: Vec<Vec<String>> = comments
        .iter()
        .map(|c| {
            vec![
                c.comment_id.map(|i| i.to_string()).unwrap_or_default(),
                shown(&c.source_id),
                c.created.map(|t| t.to_rfc3339()).unwrap_or_default(),
                c.author.as_deref().map(shown).unwrap_or_default(),
                c.text.as_deref().map(shown).unwrap_or_default(),
            ]
        })
        .collect();
    columns(&["ID", "REPORT", "CREATED", "AUTHOR", "TEXT"], &rows);
}

/// An assignment as stored.
pub fn assignment(assignment: &Assignment, json: bool) {
    if json {
        return print_json(assignment);
    }
    match &assignment.assigned_user {
        Some(user) => out!(
            "{} assigned to {}",
            shown(&assignment.source_id),
            shown(user)
        ),
        None => out!("{} unassigned", shown(&assignment.source_id)),
    }
}

/// A comment added.
pub fn comment_added(source_id: &str, json: bool) {
    if json {
        return print_json(&serde_json::json!({"source_id": source_id, "added": true}));
    }
    out!("comment added to {}", shown(source_id));
}
