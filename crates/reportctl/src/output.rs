//! What reportctl prints: aligned tables for people, JSON (stable field
//! names) for scripts.

use std::io::Write;

use serde_json::json;
use threat_reports::indicators::{Indicator, IndicatorCount};
use threat_reports::trustar::{Report, ReportId, ReportUpdate};
use threat_reports::xsiam::MthReport;

/// `println!` that stops quietly when standard output is closed (`| head`).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::raw(format!("{}\n", format_args!($($arg)*)).as_bytes())
    };
}

/// Set once standard output is found closed: nothing more is written.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes `bytes` to standard output. A closed pipe (`| head -1`) is no
/// failure: a reader that has seen enough stops reading, and the command
/// goes on to its end as it would have, writing nothing more to standard
/// output: its exit code, `--failed` file and journal are what they would
/// have been. Any other write error ends the process with 1.
pub fn raw(bytes: &[u8]) {
    use std::sync::atomic::Ordering;
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            return;
        }
        eprintln!("reportctl: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// `key  value` lines, keys aligned; empty values left out.
fn table(rows: &[(&str, String)]) {
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in rows.iter().filter(|(_, v)| !v.is_empty()) {
        out!("{key:width$}  {value}");
    }
}

pub(crate) fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => out!("{text}"),
        Err(e) => eprintln!("reportctl: cannot write JSON: {e}"),
    }
}

/// One JSON value on one line.
pub fn json_line(value: &serde_json::Value) {
    out!("{value}");
}

/// How much of a body a dry run shows.
const BODY_SHOWN_CHARS: usize = 2_000;

/// At most [`BODY_SHOWN_CHARS`] of a body, and how many characters it has.
fn body_excerpt(body: &str) -> (String, usize, bool) {
    let chars = body.chars().count();
    match body.char_indices().nth(BODY_SHOWN_CHARS) {
        Some((cut, _)) => (body[..cut].to_string(), chars, true),
        None => (body.to_string(), chars, false),
    }
}

fn or_empty<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

pub fn mth_report(report: &MthReport, json: bool) {
    if json {
        return print_json(report);
    }
    table(&[
        ("source id", shown(&report.source_id)),
        ("name", or_empty(&report.name)),
        ("status", report.status.to_string()),
        ("severity", report.severity.to_string()),
        ("classification", report.classification.to_string()),
        ("type", or_empty(&report.report_type)),
        ("assigned to", or_empty(&report.assigned_user)),
        (
            "created",
            report
                .inserted_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
        ),
        (
            "updated",
            report
                .updated_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
        ),
        (
            "attachments",
            match &report.attachments {
                Some(list) => list
                    .iter()
                    .map(|a| format!("{} ({} bytes)", a.name, a.size))
                    .collect::<Vec<_>>()
                    .join(", "),
                // Kept as it came: the answer's text did not decode.
                None => report.attachments_raw().unwrap_or_default(),
            },
        ),
    ]);
}

pub fn trustar_report(report: &Report, json: bool) {
    if json {
        return print_json(report);
    }
    table(&[
        ("id", shown(&report.id)),
        (
            "external id",
            report
                .external_tracking_id
                .as_deref()
                .map(shown)
                .unwrap_or_default(),
        ),
        ("title", report.title.clone()),
        ("enclave", report.enclave_ids.join(", ")),
        (
            "time began",
            report
                .time_began
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
        ),
        (
            "created",
            report.created.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ),
        (
            "updated",
            report.updated.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ),
        ("external URL", or_empty(&report.external_url)),
        (
            "indicators",
            threat_reports::indicators::count(&report.body).to_string(),
        ),
    ]);
    out!("\n{}", report.body);
}

/// What a dry run would send, its count, and the problem that would stop
/// it, if any. A long body is shown in part.
pub fn dry_run(
    before: &ReportUpdate,
    update: &ReportUpdate,
    limit: usize,
    problem: Option<&str>,
    json: bool,
) {
    let count = update.indicator_count();
    let count_before = before.indicator_count();
    let chars_before = before.body.chars().count();
    let (body, body_chars, cut) = body_excerpt(&update.body);
    let mut shown_update = match serde_json::to_value(update) {
        Ok(value) => value,
        Err(e) => return eprintln!("reportctl: cannot write JSON: {e}"),
    };
    shown_update["body"] = json!(body);
    if json {
        return print_json(&json!({
            "would_send": shown_update,
            "body_chars": body_chars,
            "body_truncated": cut,
            "indicators": count,
            "body_chars_before": chars_before,
            "indicators_before": count_before,
            "limit": limit,
            "over_limit": count.exceeds(limit),
            "refused": problem,
        }));
    }
    out!("Would send (nothing was sent):");
    print_json(&shown_update);
    if cut {
        out!("(the body has {body_chars} characters; the first {BODY_SHOWN_CHARS} are shown)");
    }
    if before.body != update.body {
        out!(
            "The body changes from {chars_before} to {body_chars} characters; it held {}",
            count_before
        );
    }
    out!(
        "{count}; limit {limit}{}",
        if count.exceeds(limit) {
            ": OVER THE LIMIT (--max-indicators N sets the limit)"
        } else {
            ""
        }
    );
}

pub fn updated(id: &ReportId, update: &ReportUpdate, json: bool) {
    if json {
        return print_json(&json!({ "updated": id.to_string(), "report": update }));
    }
    out!("Updated the {id} ({})", update.indicator_count());
}

pub fn count(count: &IndicatorCount, limit: usize, json: bool) {
    if json {
        return print_json(
            &json!({ "total": count.total, "by_kind": count.by_kind, "limit": limit, "over_limit": count.exceeds(limit) }),
        );
    }
    out!("{count}");
    let rows: Vec<(&str, String)> = count
        .by_kind
        .iter()
        .map(|(kind, n)| (kind.as_str(), n.to_string()))
        .collect();
    table(&rows);
}

pub fn indicators(found: &[Indicator], json: bool) {
    if json {
        return print_json(&found);
    }
    // Three aligned columns: kind, byte span, value.
    let spans: Vec<String> = found
        .iter()
        .map(|i| format!("{}..{}", i.span.start, i.span.end))
        .collect();
    let width = found
        .iter()
        .map(|i| i.kind.as_str().len())
        .max()
        .unwrap_or(0);
    let span_width = spans.iter().map(String::len).max().unwrap_or(0);
    for (indicator, span) in found.iter().zip(&spans) {
        out!(
            "{:width$}  {:span_width$}  {}",
            indicator.kind.as_str(),
            span,
            indicator.value
        );
    }
}

/// A value as output shows it: control characters escaped, at most 80
/// characters.
pub(crate) fn shown(text: &str) -> String {
    let escaped: String = text.chars().flat_map(char::escape_debug).collect();
    match escaped.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped,
    }
}

pub fn bulk_summary(summary: &crate::bulk::Summary, json: bool) {
    if json {
        return print_json(summary);
    }
    let mut rows = vec![("done", summary.done.to_string())];
    // Only a journal skips or supersedes rows: nothing to say without one.
    if summary.skipped > 0 {
        rows.push((
            "skipped",
            format!("{} (already done in the journal)", summary.skipped),
        ));
    }
    if summary.superseded > 0 {
        rows.push((
            "superseded",
            format!(
                "{} (older than a row already done for the same report)",
                summary.superseded
            ),
        ));
    }
    rows.push(("failed", summary.failed.to_string()));
    rows.push(("invalid", summary.invalid.to_string()));
    if summary.not_started > 0 {
        rows.push((
            "not started",
            format!(
                "{} (waiting for their turn under --rate at Ctrl-C: not sent)",
                summary.not_started
            ),
        ));
    }
    if summary.abandoned > 0 {
        rows.push((
            "abandoned",
            format!(
                "{} (in flight at the second Ctrl-C; journaled as not done)",
                summary.abandoned
            ),
        ));
    }
    rows.push((
        "rate",
        format!(
            "{:.1} rows/s over {:.1} s",
            summary.rows_per_second, summary.seconds
        ),
    ));
    if let Some(error) = &summary.journal_error {
        rows.push(("journal", format!("stopped the run: {error}")));
    }
    if summary.interrupted {
        rows.push((
            "interrupted",
            "yes: rerun with the same --journal to resume".into(),
        ));
    }
    let by_error: Vec<String> = summary
        .failures_by_error
        .iter()
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect();
    rows.push(("failures by error", by_error.join(", ")));
    table(&rows);
}

/// Rows of cells as aligned columns under a header; the last column is
/// not padded.
pub(crate) fn columns(header: &[&str], rows: &[Vec<String>]) {
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|row| row[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        let last = cells.len() - 1;
        let text: Vec<String> = cells
            .into_iter()
            .enumerate()
            .map(|(i, cell)| match i == last {
                true => cell,
                false => format!("{cell:width$}", width = widths[i]),
            })
            .collect();
        out!("{}", text.join("  ").trim_end());
    };
    line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        line(row.clone());
    }
}
