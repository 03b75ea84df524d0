//! What reportctl prints: aligned tables for people, JSON (stable field
//! names) for scripts.

use serde_json::json;
use threat_reports::indicators::{Indicator, IndicatorCount};
use threat_reports::trustar::{Report, ReportId, ReportUpdate};
use threat_reports::xsiam::MthReport;

/// `key  value` lines, keys aligned; empty values left out.
fn table(rows: &[(&str, String)]) {
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in rows.iter().filter(|(_, v)| !v.is_empty()) {
        println!("{key:width$}  {value}");
    }
}

fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("reportctl: cannot write JSON: {e}"),
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
        ("source id", report.source_id.clone()),
        ("name", or_empty(&report.name)),
        ("status", or_empty(&report.status)),
        ("severity", or_empty(&report.severity)),
        (
            "classification",
            report
                .classification
                .as_ref()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
        ),
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
        ("id", report.id.clone()),
        ("external id", or_empty(&report.external_tracking_id)),
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
    println!("\n{}", report.body);
}

pub fn dry_run(update: &ReportUpdate, limit: usize, json: bool) {
    let count = update.indicator_count();
    if json {
        return print_json(&json!({ "would_send": update, "indicators": count, "limit": limit }));
    }
    println!("Would send (nothing was sent):");
    print_json(update);
    println!(
        "{count}; limit {limit}{}",
        if count.exceeds(limit) {
            ": OVER THE LIMIT"
        } else {
            ""
        }
    );
}

pub fn updated(id: &ReportId, update: &ReportUpdate, json: bool) {
    if json {
        return print_json(&json!({ "updated": id.to_string(), "report": update }));
    }
    println!("Updated the {id} ({})", update.indicator_count());
}

pub fn count(count: &IndicatorCount, limit: usize, json: bool) {
    if json {
        return print_json(
            &json!({ "total": count.total, "by_kind": count.by_kind, "limit": limit, "over_limit": count.exceeds(limit) }),
        );
    }
    println!("{count}");
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
    let width = found
        .iter()
        .map(|i| i.kind.as_str().len())
        .max()
        .unwrap_or(0);
    for indicator in found {
        println!(
            "{:width$}  {}..{}  {}",
            indicator.kind.as_str(),
            indicator.span.start,
            indicator.span.end,
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
