//! What every XSIAM endpoint shares (the key check, the envelope, the
//! dialect's refusals) and `POST /public_api/v1/mth/child/report/update/status`.

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

/// A refused request in the dialect's way: a 400 with the reason (the
/// page), or a 500 with the reason only in `err_extra` (live tenants).
pub(crate) fn refusal(dialect: XsiamDialect, why: String) -> Response {
    match dialect {
        XsiamDialect::Page => error(StatusCode::BAD_REQUEST, "Bad Request", Value::String(why)),
        XsiamDialect::Live => live_refusal(why),
    }
}

/// The vendor's generic error for an unknown `xsoar_source_id`.
pub(crate) fn unknown_report() -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "An error occurred while processing the request",
        Value::Null,
    )
}

/// A success answer: `{"reply": reply}`.
pub(crate) fn reply(reply: Value) -> Response {
    json(StatusCode::OK, json!({ "reply": reply }))
}

/// A request's fields, once the key, the JSON and the envelope passed the
/// dialect's rules; or the answer that refuses it. Counts the envelope
/// each body came in.
pub(crate) fn accept(app: &App, headers: &HeaderMap, body: &[u8]) -> Result<Value, Response> {
    if !app.xsiam_authorized(headers) {
        return Err(unauthorized());
    }
    let dialect = app.xsiam_dialect;
    let Ok(mut request) = serde_json::from_slice::<Value>(body) else {
        return Err(refusal(dialect, "the body is not JSON".into()));
    };
    if !request.is_object() {
        return Err(refusal(dialect, "the body is not a JSON object".into()));
    }
    let wrapped = request.get("request_data").is_some();
    // Both at once is neither envelope: which fields would count?
    if wrapped && request.as_object().is_some_and(|o| o.len() > 1) {
        return Err(refusal(
            dialect,
            "a body with request_data carries nothing beside it".into(),
        ));
    }
    *app.lock()
        .xsiam_bodies
        .entry(if wrapped { "request_data" } else { "flat" }.into())
        .or_default() += 1;
    match (wrapped, dialect) {
        (true, _) => match request["request_data"].take() {
            fields @ Value::Object(_) => Ok(fields),
            _ => Err(refusal(dialect, "request_data must be an object".into())),
        },
        (false, XsiamDialect::Page) => Ok(request),
        (false, XsiamDialect::Live) => Err(json(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"reply": {"err_code": 101, "err_msg": "Missing required param: `request_data`", "err_extra": null}}),
        )),
    }
}

/// The value of a check, or (from the handler) the answer that refused it.
macro_rules! checked {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(refused) => return refused,
        }
    };
}
pub(crate) use checked;

/// A field that must be a non-empty string.
pub(crate) fn required_text<'a>(
    dialect: XsiamDialect,
    fields: &'a Value,
    name: &str,
) -> Result<&'a str, Response> {
    fields
        .get(name)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
        .ok_or_else(|| refusal(dialect, format!("{name} is required: a non-empty string")))
}

/// Checks the key, the envelope, the body and the id (the dialect's
/// rules); stores the status's stored form and a new `UPDATE_TIME`;
/// answers with the whole report in the configured shape.
pub(crate) async fn update_status(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let dialect = app.xsiam_dialect;
    let fields = checked!(accept(&app, &headers, &body));
    let source_id = checked!(required_text(dialect, &fields, "xsoar_source_id"));
    let label = fields
        .get("report_status")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(stored) = stored_form(dialect, label) else {
        return refusal(
            dialect,
            format!(
                "Invalid report_status {label:?}: must be one of {}",
                labels(dialect)
            ),
        );
    };
    // The state is locked only to apply the update and copy the report;
    // the answer is rendered after the lock is let go.
    let report = {
        let mut inner = app.lock();
        let Some(report) = inner.xsiam.get_mut(source_id) else {
            // As the vendor page says: an unknown id gets a generic error.
            return unknown_report();
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
    reply(match app.xsiam_answer {
        XsiamAnswerShape::Object => report,
        XsiamAnswerShape::Data => json!({"DATA": [report], "COUNT": 1}),
        XsiamAnswerShape::Array => json!([report]),
    })
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
