//! The four MTH report reads: `get_all_reports`,
//! `get_reports_by_source_id`, `get_reports_by_incident_id` and
//! `get_reports_by_statuses`, each in the answer shapes its sources show.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::dialect::{XsiamAnswerShape, XsiamDialect, filter_labels, filter_stored_form};
use crate::shared::App;
use crate::wire::XsiamReport;
use crate::xsiam::{accept, checked, refusal, reply};

/// Which read, for its answer's shape.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    All,
    BySourceId,
    ByIncidentId,
    ByStatuses,
}

impl Read {
    /// Whether its rows come in lower_snake_case: by source id (the
    /// vendor's file and live tenants), by incident id (the vendor's file
    /// only; live tenants answer upper case there).
    fn lower_case_rows(self, dialect: XsiamDialect) -> bool {
        match self {
            Read::BySourceId => true,
            Read::ByIncidentId => dialect == XsiamDialect::Page,
            Read::All | Read::ByStatuses => false,
        }
    }

    /// Whether its rows are a bare array (the vendor's file, for the two
    /// reads it has; live tenants, by source id) or a `DATA` list; the
    /// configured shape decides when it is not `object`.
    fn bare_array(self, dialect: XsiamDialect, shape: XsiamAnswerShape) -> bool {
        match shape {
            XsiamAnswerShape::Array => true,
            XsiamAnswerShape::Data => false,
            _ => matches!(
                (self, dialect),
                (Read::BySourceId, _) | (Read::ByIncidentId, XsiamDialect::Page)
            ),
        }
    }
}

/// A report as a row of a read's answer. Upper case rows carry every field
/// (null when unset); on live tenants their `ATTACHMENTS` is a real array.
/// Lower case rows have the vendor's file's fields (no comments) and
/// `attachments` as JSON text.
fn row(report: &XsiamReport, lower: bool, dialect: XsiamDialect) -> Value {
    let Ok(Value::Object(upper)) = serde_json::to_value(report) else {
        return json!({});
    };
    if lower {
        let mut row: Map<String, Value> = upper
            .into_iter()
            .filter(|(key, _)| key != "COMMENTS")
            .map(|(key, value)| (key.to_ascii_lowercase(), value))
            .collect();
        if row.get("attachments").is_none_or(Value::is_null) {
            row.insert("attachments".into(), Value::String("{}".into()));
        }
        return Value::Object(row);
    }
    let mut row = upper;
    if dialect == XsiamDialect::Live {
        let list = attachment_list(report.attachments.as_deref());
        row.insert("ATTACHMENTS".into(), list);
    }
    Value::Object(row)
}

/// The attachments' JSON text as a real array, as live tenants are
/// reported to send it on the upper case reads:
/// `[{"attachment_key", "attachment_name", "attachment_size"}]`.
fn attachment_list(text: Option<&str>) -> Value {
    let map: Map<String, Value> = text
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default();
    Value::Array(
        map.into_iter()
            .map(|(key, mut value)| {
                if let Value::Object(fields) = &mut value {
                    fields.insert("attachment_key".into(), Value::String(key));
                }
                value
            })
            .collect(),
    )
}

/// Answers `reports` as `read` does in the sandbox's dialect and shape.
fn answer(app: &App, read: Read, reports: &[XsiamReport]) -> Response {
    let dialect = app.xsiam_dialect;
    let lower = read.lower_case_rows(dialect);
    let rows: Vec<Value> = reports.iter().map(|r| row(r, lower, dialect)).collect();
    if read.bare_array(dialect, app.xsiam_answer) {
        reply(Value::Array(rows))
    } else {
        let count = rows.len();
        reply(json!({"DATA": rows, "COUNT": count}))
    }
}

/// A required non-empty array of non-empty strings (ids are strings in
/// the vendor's file; live tenants refuse numbers).
fn id_list(dialect: XsiamDialect, fields: &Value, name: &str) -> Result<Vec<String>, Response> {
    let refuse = |why: &str| Err(refusal(dialect, format!("{name} {why}")));
    let Some(items) = fields.get(name).and_then(Value::as_array) else {
        return refuse("is required: a non-empty array of strings");
    };
    if items.is_empty() {
        return refuse("must hold at least one id");
    }
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(id) if !id.is_empty() => ids.push(id.clone()),
            Value::Number(_) => return refuse("must be strings, not numbers"),
            _ => return refuse("must be non-empty strings"),
        }
    }
    Ok(ids)
}

/// `get_all_reports`: every report; the body says nothing: `{}`, or
/// `{"request_data": {}}`. Any parameter is refused.
pub(crate) async fn all(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = checked!(accept(&app, &headers, &body));
    // Beside `request_data`, and inside it.
    let top: Value = serde_json::from_slice(&body).unwrap_or_default();
    let unknown = |o: &Value| {
        o.as_object()
            .and_then(|o| o.keys().find(|k| *k != "request_data").cloned())
    };
    if let Some(other) = unknown(&top).or_else(|| unknown(&fields)) {
        return refusal(
            app.xsiam_dialect,
            format!("unknown parameter {other:?}: get_all_reports takes none"),
        );
    }
    let reports: Vec<XsiamReport> = app.lock().xsiam.values().cloned().collect();
    answer(&app, Read::All, &reports)
}

/// `get_reports_by_source_id`: the reports named, in the order named;
/// unknown ids are left out.
pub(crate) async fn by_source_id(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = checked!(accept(&app, &headers, &body));
    let ids = checked!(id_list(app.xsiam_dialect, &fields, "xsoar_source_ids"));
    let reports: Vec<XsiamReport> = {
        let inner = app.lock();
        ids.iter()
            .filter_map(|id| inner.xsiam.get(id).cloned())
            .collect()
    };
    answer(&app, Read::BySourceId, &reports)
}

/// `get_reports_by_incident_id`: the reports of the incidents named, by
/// ids as strings.
pub(crate) async fn by_incident_id(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let dialect = app.xsiam_dialect;
    let fields = checked!(accept(&app, &headers, &body));
    let ids = checked!(id_list(dialect, &fields, "incident_ids"));
    let reports: Vec<XsiamReport> = app
        .lock()
        .xsiam
        .values()
        .filter(|r| {
            r.incident_id
                .is_some_and(|incident| ids.contains(&incident.to_string()))
        })
        .cloned()
        .collect();
    answer(&app, Read::ByIncidentId, &reports)
}

/// `get_reports_by_statuses`: the reports in any of the statuses, named by
/// the labels the dialect takes for filtering.
pub(crate) async fn by_statuses(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let dialect = app.xsiam_dialect;
    let fields = checked!(accept(&app, &headers, &body));
    let labels = checked!(id_list(dialect, &fields, "report_statuses"));
    let mut stored = Vec::with_capacity(labels.len());
    for label in &labels {
        match filter_stored_form(dialect, label) {
            Some(form) => stored.push(form),
            None => {
                return refusal(
                    dialect,
                    format!(
                        "Invalid report_statuses value {label:?}: supported statuses are {}",
                        filter_labels(dialect)
                    ),
                );
            }
        }
    }
    let reports: Vec<XsiamReport> = app
        .lock()
        .xsiam
        .values()
        .filter(|r| {
            r.report_status
                .as_deref()
                .is_some_and(|s| stored.contains(&s))
        })
        .cloned()
        .collect();
    answer(&app, Read::ByStatuses, &reports)
}
