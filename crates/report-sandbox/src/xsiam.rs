//! `POST /public_api/v1/mth/child/report/update/status`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};
use threat_reports::ReportStatus;

use crate::app::{App, json, now_ms};

/// The labels a request may carry, exactly.
const LABELS: [&str; 5] = ["New", "In Progress", "Pending", "Resolved", "Closed"];
/// How far an advanced key's timestamp may be from the sandbox's clock.
const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

fn error(status: StatusCode, message: &str, extra: Value) -> Response {
    json(
        status,
        json!({"reply": {"err_code": status.as_u16(), "err_msg": message, "err_extra": extra}}),
    )
}

/// The vendor's 401, seen in the wild.
fn unauthorized() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "Public API request unauthorized",
        Value::Null,
    )
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

impl App {
    /// Standard keys by value; advanced keys by recomputing the hash of
    /// `key + nonce + timestamp`, with a 64-character nonce and a timestamp
    /// at most 5 minutes off.
    fn xsiam_authorized(&self, headers: &HeaderMap) -> bool {
        let c = &self.credentials;
        let (Some(id), Some(authorization)) = (
            header(headers, "x-xdr-auth-id"),
            header(headers, "authorization"),
        ) else {
            return false;
        };
        if id == c.xsiam_standard_key_id {
            return authorization == c.xsiam_standard_key;
        }
        if id != c.xsiam_advanced_key_id {
            return false;
        }
        let (Some(nonce), Some(timestamp)) = (
            header(headers, "x-xdr-nonce"),
            header(headers, "x-xdr-timestamp"),
        ) else {
            return false;
        };
        let fresh = timestamp
            .parse::<i64>()
            .is_ok_and(|t| (now_ms() - t).abs() <= MAX_SKEW_MS);
        if nonce.chars().count() != 64 || !fresh {
            return false;
        }
        authorization
            == threat_reports::xsiam::advanced_key_signature(
                &c.xsiam_advanced_key,
                nonce,
                timestamp,
            )
    }
}

/// Checks the key, the body and the id; stores the canonical status and a
/// new `UPDATE_TIME`; answers with the whole report.
pub(crate) async fn update_status(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !app.xsiam_authorized(&headers) {
        return unauthorized();
    }
    let bad = |why: String| error(StatusCode::BAD_REQUEST, "Bad Request", Value::String(why));
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return bad("the body is not JSON".into());
    };
    let Some(source_id) = request
        .get("xsoar_source_id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
    else {
        return bad("xsoar_source_id is required: a non-empty string".into());
    };
    let label = request
        .get("report_status")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !LABELS.contains(&label) {
        return bad(format!(
            "report_status must be one of {}",
            LABELS.join(", ")
        ));
    }
    let Ok(status) = label.parse::<ReportStatus>() else {
        return bad("report_status is not a status".into());
    };
    let mut inner = app.lock();
    let Some(report) = inner.xsiam.get_mut(source_id) else {
        // As the vendor page says: an unknown id gets a generic error.
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An error occurred while processing the request",
            Value::Null,
        );
    };
    report.report_status = status.canonical().to_string();
    report.update_time = Some(now_ms());
    let answer = json!({ "reply": report });
    *inner
        .xsiam_update_counts
        .entry(source_id.to_string())
        .or_default() += 1;
    json(StatusCode::OK, answer)
}
