//! What the TruSTAR family's commands print: aligned columns or plain
//! lines for people, JSON for scripts.

use std::collections::BTreeSet;

use serde_json::json;
use threat_reports::indicators::IndicatorCount;
use threat_reports::trustar::{
    Enclave, ExtractedIndicator, Quota, ReportProcessing, ReportSummary, ReportUpdate, Tag,
};

use crate::output::{columns, print_json, shown};

/// A new or written report's id.
pub fn id(what: &str, id: &str, json: bool) {
    if json {
        return print_json(&json!({ "id": id }));
    }
    out!("{what} {}", shown(id));
}

/// A write with nothing to show but that it was done.
pub fn done(said: &str, json: bool) {
    if json {
        return print_json(&json!({ "done": said }));
    }
    out!("{said}");
}

/// What a dry-run submission would send.
pub fn would_submit(count: &IndicatorCount, limit: usize, json: bool) {
    if json {
        return print_json(
            &json!({"would_submit": true, "indicators": count.total, "limit": limit}),
        );
    }
    out!("would submit: {count} (limit {limit}); nothing sent");
}

/// A processing status.
pub fn processing(status: &ReportProcessing, json: bool) {
    if json {
        return print_json(status);
    }
    match status {
        ReportProcessing::Processing => out!("SUBMISSION_PROCESSING"),
        ReportProcessing::Done => out!("SUBMISSION_SUCCESS"),
        ReportProcessing::Failed(why) => out!("SUBMISSION_FAILURE: {}", shown(why)),
        ReportProcessing::Unknown(text) => out!("{}", shown(text)),
        _ => out!("{status:?}"),
    }
}

/// Reports of a list or search: id, updated, enclave, title.
pub fn summaries(reports: &[ReportSummary], json: bool) {
    if json {
        return print_json(&reports);
    }
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            vec![
                shown(&r.id),
                r.updated.map(|t| t.to_rfc3339()).unwrap_or_default(),
                r.external_tracking_id
                    .as_deref()
                    .map(shown)
                    .unwrap_or_default(),
                r.title.as_deref().map(shown).unwrap_or_default(),
            ]
        })
        .collect();
    columns(&["ID", "UPDATED", "EXTERNAL ID", "TITLE"], &rows);
}

/// The server's indicators.
pub fn extracted(found: &[ExtractedIndicator], json: bool) {
    if json {
        return print_json(&found);
    }
    let rows: Vec<Vec<String>> = found
        .iter()
        .map(|i| vec![i.kind.clone(), shown(&i.value)])
        .collect();
    columns(&["KIND", "VALUE"], &rows);
}

/// The server's indicators beside this project's count.
pub fn comparison(
    server: &BTreeSet<(String, String)>,
    local: &BTreeSet<(String, String)>,
    json: bool,
) {
    let only_server: Vec<_> = server.difference(local).collect();
    let only_local: Vec<_> = local.difference(server).collect();
    let both = server.intersection(local).count();
    if json {
        let pairs = |set: &[&(String, String)]| -> Vec<serde_json::Value> {
            set.iter()
                .map(|(k, v)| json!({"kind": k, "value": v}))
                .collect()
        };
        return print_json(&json!({
            "both": both,
            "only_server": pairs(&only_server),
            "only_local": pairs(&only_local),
        }));
    }
    out!(
        "{both} found by both; {} only by TruSTAR, {} only by this project's count",
        only_server.len(),
        only_local.len()
    );
    let rows: Vec<Vec<String>> = only_server
        .iter()
        .map(|(k, v)| vec!["TruSTAR only".into(), k.clone(), shown(v)])
        .chain(
            only_local
                .iter()
                .map(|(k, v)| vec!["local only".into(), k.clone(), shown(v)]),
        )
        .collect();
    if !rows.is_empty() {
        columns(&["FOUND BY", "KIND", "VALUE"], &rows);
    }
}

/// A report's tags.
pub fn tags(tags: &[Tag], json: bool) {
    if json {
        return print_json(&tags);
    }
    for tag in tags {
        out!("{}", shown(&tag.name));
    }
}

/// The enclaves and rights.
pub fn enclaves(enclaves: &[Enclave], json: bool) {
    if json {
        return print_json(&enclaves);
    }
    let flag = |on: bool, letter: &str| if on { letter.to_string() } else { "-".into() };
    let rows: Vec<Vec<String>> = enclaves
        .iter()
        .map(|e| {
            vec![
                shown(&e.id),
                format!(
                    "{}{}{}",
                    flag(e.read, "r"),
                    flag(e.create, "c"),
                    flag(e.update, "u")
                ),
                e.kind.clone().unwrap_or_default(),
                e.name.as_deref().map(shown).unwrap_or_default(),
            ]
        })
        .collect();
    columns(&["ID", "RIGHTS", "TYPE", "NAME"], &rows);
}

/// The quotas.
pub fn quotas(quotas: &[Quota], json: bool) {
    if json {
        return print_json(&quotas);
    }
    for q in quotas {
        out!(
            "{} of {} requests used; the next window starts {}",
            q.used_requests
                .map(|n| n.to_string())
                .unwrap_or_else(|| "?".into()),
            q.max_requests
                .map(|n| n.to_string())
                .unwrap_or_else(|| "?".into()),
            q.next_reset
                .map(|t| t.to_rfc3339())
                .unwrap_or_else(|| "?".into())
        );
    }
}

/// The ids of a split submission's parts.
pub fn ids(ids: &[String], json: bool) {
    if json {
        return print_json(&json!({ "ids": ids, "parts": ids.len() }));
    }
    for id in ids {
        out!("submitted {}", shown(id));
    }
}

/// What a split submission would send.
pub fn would_split(parts: &[ReportUpdate], limit: usize, json: bool) {
    if json {
        let parts: Vec<_> = parts
            .iter()
            .map(|p| json!({"title": p.title, "external_id": p.external_tracking_id, "indicators": p.indicator_count().total}))
            .collect();
        return print_json(&json!({ "would_submit": parts, "limit": limit }));
    }
    for part in parts {
        out!(
            "would submit {:?}: {} (limit {limit})",
            part.title,
            part.indicator_count()
        );
    }
    out!("nothing sent");
}
