//! `POST /public_api/v1/mth/child/report/update/status`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::dialect::{XsiamAnswerShape, XsiamDialect, labels, stored_form};
use crate::shared::{App, json, now_ms};

/// How far an advanced key's timestamp may be from the sandbox's clock.
const MAX_SKEW_MS: u64 = 5 * 60 * 1000;

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

/// The sandbox's own check of an advanced key, written from the vendor's
/// rule (not the facade's code): `Authorization` is the lowercase hex
/// SHA-256 of the plain concatenation `key + nonce + timestamp`.
fn advanced_signature(key: &str, nonce: &str, timestamp: &str) -> String {
    let digest = Sha256::digest(format!("{key}{nonce}{timestamp}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
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
        // Any number a client sends: `abs_diff` cannot overflow.
        let fresh = timestamp
            .parse::<i64>()
            .is_ok_and(|t| now_ms().abs_diff(t) <= MAX_SKEW_MS);
        if nonce.chars().count() != 64 || !fresh {
            return false;
        }
        authorization == advanced_signature(&c.xsiam_advanced_key, nonce, timestamp)
    }
}

/// A validation failure as live tenants answer it: HTTP 500, a generic
/// message, the reason only in `err_extra`.
fn live_refusal(why: String) -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "An error occurred while processing XSIAM public API",
        Value::String(why),
    )
}

/// Checks the key, the envelope, the body and the id (the dialect's
/// rules); stores the status's stored form and a new `UPDATE_TIME`;
/// answers with the whole report in the configured shape.
pub(crate) async fn update_status(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !app.xsiam_authorized(&headers) {
        return unauthorized();
    }
    let dialect = app.xsiam_dialect;
    let bad = |why: String| match dialect {
        XsiamDialect::Page => error(StatusCode::BAD_REQUEST, "Bad Request", Value::String(why)),
        XsiamDialect::Live => live_refusal(why),
    };
    let Ok(mut request) = serde_json::from_slice::<Value>(&body) else {
        return bad("the body is not JSON".into());
    };
    let wrapped = request.get("request_data").is_some();
    *app.lock()
        .xsiam_bodies
        .entry(if wrapped { "request_data" } else { "flat" }.into())
        .or_default() += 1;
    let fields = match (wrapped, dialect) {
        (true, _) => request["request_data"].take(),
        (false, XsiamDialect::Page) => request,
        (false, XsiamDialect::Live) => {
            return json(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"reply": {"err_code": 101, "err_msg": "Missing required param: `request_data`", "err_extra": null}}),
            );
        }
    };
    let Some(source_id) = fields
        .get("xsoar_source_id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
    else {
        return bad("xsoar_source_id is required: a non-empty string".into());
    };
    let label = fields
        .get("report_status")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(stored) = stored_form(dialect, label) else {
        return bad(format!(
            "Invalid report_status {label:?}: must be one of {}",
            labels(dialect)
        ));
    };
    // The state is locked only to apply the update and copy the report;
    // the answer is rendered after the lock is let go.
    let report = {
        let mut inner = app.lock();
        let Some(report) = inner.xsiam.get_mut(source_id) else {
            // As the vendor page says: an unknown id gets a generic error.
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "An error occurred while processing the request",
                Value::Null,
            );
        };
        report.report_status = Some(stored.to_string());
        report.update_time = Some(now_ms());
        let report = report.clone();
        *inner
            .xsiam_update_counts
            .entry(source_id.to_string())
            .or_default() += 1;
        report
    };
    // Every field, null when unset, as the vendor page's example shows them.
    let mut report = serde_json::to_value(&report).unwrap_or_else(|_| json!({}));
    if dialect == XsiamDialect::Live {
        report["COMMENTS"] = Value::Null;
        report["ATTACHMENTS"] = Value::Null;
    }
    let reply = match app.xsiam_answer {
        XsiamAnswerShape::Object => report,
        XsiamAnswerShape::Data => json!({"DATA": [report], "COUNT": 1}),
        XsiamAnswerShape::Array => json!([report]),
    };
    json(StatusCode::OK, json!({ "reply": reply }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_advanced_key_rule_gives_the_vendor_test_vector() {
        assert_eq!(
            super::advanced_signature(
                "testApiKey",
                "b5834c137a825cc6c80111f237e1c5f8dedeef5df9dcd4c7f1dc73f180c89b47",
                "1584983036945"
            ),
            "8eb5e56a1656a35c9d187762d945339455b5382e11d779c458a63c652e1e79e9"
        );
    }
}
