//! What every TruSTAR endpoint shares (the token check, `idType`, finding a
//! report, the writable fields, enclave rights), `POST /oauth/token`, and
//! `GET` and `PUT /api/1.3/reports/{id}`.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::shared::{App, Inner, json, now_ms};
use crate::wire::TrustarReport;

/// TruSTAR's size limit for a report.
pub(crate) const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

pub(crate) fn message(status: StatusCode, text: &str) -> Response {
    json(status, json!({ "message": text }))
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json(
        status,
        json!({ "error": error, "error_description": description }),
    )
}

pub(crate) fn too_large(limit: usize) -> Response {
    message(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!(
            "Incident Report contains too many indicators or the file size is too large - Consider \
             splitting into smaller reports. Max indicators extracted per report are {limit}"
        ),
    )
}

/// 32 random hex digits.
fn new_token() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // Unique enough for a sandbox without an OS random source.
        bytes = now_ms()
            .to_le_bytes()
            .repeat(2)
            .try_into()
            .unwrap_or_default();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The token request's form body, percent-decoded.
#[derive(serde::Deserialize)]
pub(crate) struct TokenForm {
    grant_type: Option<String>,
}

/// HTTP Basic with the sandbox's API key and secret, and the form body
/// `grant_type=client_credentials`.
pub(crate) async fn token(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    let expected = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        app.credentials.trustar_api_key, app.credentials.trustar_api_secret
    ));
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "));
    if basic != Some(expected.as_str()) {
        return oauth_error(StatusCode::UNAUTHORIZED, "unauthorized", "Bad credentials");
    }
    let grant_type = form.ok().and_then(|Form(form)| form.grant_type);
    if grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials, as a form body \
             (application/x-www-form-urlencoded)",
        );
    }
    let token = new_token();
    // The lifetime is at most a day (checked at start): no overflow.
    app.lock()
        .tokens
        .insert(token.clone(), Instant::now() + app.token_lifetime);
    json(
        StatusCode::OK,
        json!({
            "access_token": token,
            "token_type": "bearer",
            "expires_in": app.token_lifetime.as_secs(),
            "scope": "read write",
        }),
    )
}

impl App {
    /// TruSTAR's refusal, unless the call carries `Authorization: Bearer`
    /// with a token this sandbox issued and that has not expired (400 for a
    /// bad token, 401 for none).
    pub(crate) fn bearer_refusal(&self, headers: &HeaderMap) -> Option<Response> {
        let Some(token) = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return Some(oauth_error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Full authentication is required to access this resource",
            ));
        };
        let mut inner = self.lock();
        if self.static_token.as_deref() == Some(token) {
            inner.trustar_calls += 1;
            return None;
        }
        let (refusal, description) = match inner.tokens.get(token) {
            Some(expiry) if Instant::now() < *expiry => {
                inner.trustar_calls += 1;
                return None;
            }
            Some(_) => ("expired", "Expired oauth2 access token"),
            None => ("invalid", "Invalid oauth2 access token"),
        };
        *inner.token_refusals.entry(refusal.into()).or_default() += 1;
        Some(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_token",
            description,
        ))
    }
}

/// The `idType` of a report's address, percent-decoded from the query.
#[derive(serde::Deserialize)]
pub(crate) struct IdTypeQuery {
    #[serde(rename = "idType")]
    id_type: Option<String>,
}

/// Whether the query says `idType=external` (`internal` is the default);
/// `None` for any other value or a query that does not parse.
pub(crate) fn external(query: Result<Query<IdTypeQuery>, QueryRejection>) -> Option<bool> {
    let Ok(Query(query)) = query else {
        return None;
    };
    match query.id_type.as_deref() {
        None | Some("internal") => Some(false),
        Some("external") => Some(true),
        Some(_) => None,
    }
}

/// TruSTAR's 400 for an `idType` that is neither.
pub(crate) fn bad_id_type() -> Response {
    message(
        StatusCode::BAD_REQUEST,
        "idType must be internal or external",
    )
}

/// The internal id of the report `id` names.
pub(crate) fn find(inner: &Inner, id: &str, external: bool) -> Option<String> {
    if external {
        inner
            .trustar
            .values()
            .find(|r| r.external_tracking_id.as_deref() == Some(id))
            .and_then(|r| r.id.clone())
    } else {
        inner.trustar.contains_key(id).then(|| id.to_string())
    }
}

pub(crate) async fn get_report(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    query: Result<Query<IdTypeQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let Some(external) = external(query) else {
        return bad_id_type();
    };
    let inner = app.lock();
    match find(&inner, &id, external).and_then(|internal| inner.trustar.get(&internal)) {
        Some(report) if inner.may(Right::Read, report) => json(StatusCode::OK, answer(report)),
        _ => message(StatusCode::NOT_FOUND, "Report not found"),
    }
}

/// The writable fields of a PUT body, checked as TruSTAR checks them. The
/// read-only fields a client may echo from a read (`id`, `created`,
/// `updated`, `distributionType`) are ignored, and a null optional field
/// is an absent one.
pub(crate) struct Writable {
    pub title: String,
    pub body: String,
    pub enclave_id: String,
    pub external_tracking_id: Option<String>,
    pub external_url: Option<String>,
    pub time_began: Option<i64>,
}

pub(crate) fn writable(body: &Map<String, Value>) -> Result<Writable, String> {
    let text = |key: &str| {
        body.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    };
    let optional = |key: &str| match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{key} must be a string or null")),
    };
    let title = text("title").ok_or("title is required")?;
    let report_body = text("reportBody").ok_or("reportBody is required")?;
    let enclave_id = match body
        .get("enclaveIds")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([Value::String(id)]) if !id.is_empty() => id.clone(),
        _ => return Err("enclaveIds must be an array of exactly one enclave id".into()),
    };
    let external_url = optional("externalUrl")?;
    if external_url
        .as_ref()
        .is_some_and(|u| u.chars().count() > 500)
    {
        return Err("externalUrl is limited to 500 characters".into());
    }
    // Absent or null means "now". The vendor's own Python SDK sends the
    // report as it read it, `timeBegan` in epoch milliseconds; a real
    // server takes that as well as ISO-8601 with an offset.
    let time_began = match body.get("timeBegan") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(crate::time::iso8601_ms(text).ok_or_else(|| {
            format!(
                "timeBegan {:?} is not an ISO-8601 date-time with an offset, e.g. \
                 2016-09-22T11:38:35+00:00",
                text.chars().take(64).collect::<String>()
            )
        })?),
        Some(Value::Number(ms)) => Some(
            ms.as_i64()
                .filter(|ms| chrono::DateTime::from_timestamp_millis(*ms).is_some())
                .ok_or("timeBegan in milliseconds since the Unix epoch is out of range")?,
        ),
        Some(_) => {
            return Err(
                "timeBegan must be an ISO-8601 date-time with an offset, or milliseconds since \
                 the Unix epoch"
                    .into(),
            );
        }
    };
    Ok(Writable {
        title,
        body: report_body,
        enclave_id,
        external_tracking_id: optional("externalTrackingId")?,
        external_url,
        time_began,
    })
}

/// Full replacement: every writable field takes the body's value (null or
/// absent optional fields become null; an absent `timeBegan` becomes now).
pub(crate) async fn put_report(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    query: Result<Query<IdTypeQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let Some(external) = external(query) else {
        return bad_id_type();
    };
    if body.len() > MAX_BODY_BYTES {
        return too_large(app.max_indicators);
    }
    let fields = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(object)) => writable(&object),
        _ => Err("the body must be a JSON report object".into()),
    };
    let fields = match fields {
        Ok(fields) => fields,
        Err(why) => return message(StatusCode::BAD_REQUEST, &why),
    };
    if crate::oracle::count(&fields.body) > app.max_indicators {
        return too_large(app.max_indicators);
    }
    let mut inner = app.lock();
    let Some(internal) = find(&inner, &id, external) else {
        return message(StatusCode::NOT_FOUND, "Report not found");
    };
    if let Some(refused) = inner.refused(Right::Update, &internal) {
        return refused;
    }
    if let Some(refused) = inner.refused_in(Right::Create, &fields.enclave_id) {
        return refused;
    }
    let processing = app.trustar_processing;
    inner.processing(&internal, processing);
    let Some(report) = inner.trustar.get_mut(&internal) else {
        return message(StatusCode::NOT_FOUND, "Report not found");
    };
    let now = now_ms();
    report.title = Some(fields.title);
    report.report_body = Some(fields.body);
    report.enclave_ids = vec![fields.enclave_id];
    report.external_tracking_id = fields.external_tracking_id;
    report.external_url = fields.external_url;
    report.time_began = Some(fields.time_began.unwrap_or(now));
    report.updated = Some(now);
    *inner.trustar_update_counts.entry(internal).or_default() += 1;
    StatusCode::OK.into_response()
}

/// Methods the spec does not list. POST replaces the report like PUT,
/// because the vendor page's own curl example sends POST where the page
/// documents PUT; anything else is 405 with the spec's methods in `Allow`.
pub(crate) async fn other_method(
    method: axum::http::Method,
    state: State<Arc<App>>,
    id: Path<String>,
    query: Result<Query<IdTypeQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method == axum::http::Method::POST {
        return put_report(state, id, query, headers, body).await;
    }
    let mut refused = StatusCode::METHOD_NOT_ALLOWED.into_response();
    refused.headers_mut().insert(
        axum::http::header::ALLOW,
        axum::http::HeaderValue::from_static("GET,HEAD,PUT,DELETE"),
    );
    refused
}

/// A report as TruSTAR answers with it: its fields, without the tags the
/// sandbox keeps beside them.
pub(crate) fn answer(report: &TrustarReport) -> Value {
    let mut value = json!(report);
    if let Value::Object(fields) = &mut value {
        fields.remove("tags");
    }
    value
}

/// A right the caller may have in an enclave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Right {
    Read,
    Create,
    Update,
}

impl Inner {
    /// Whether the caller has `right` in `enclave` (an unknown enclave
    /// grants nothing).
    pub(crate) fn may_in(&self, right: Right, enclave: &str) -> bool {
        self.trustar_enclaves
            .iter()
            .find(|e| e.id == enclave)
            .is_some_and(|e| match right {
                Right::Read => e.read,
                Right::Create => e.create,
                Right::Update => e.update,
            })
    }

    /// Whether the caller has `right` in the report's enclave.
    pub(crate) fn may(&self, right: Right, report: &TrustarReport) -> bool {
        report
            .enclave_ids
            .first()
            .is_some_and(|enclave| self.may_in(right, enclave))
    }

    /// TruSTAR's refusal of a write in `enclave`: 403 for an enclave the
    /// caller does not know or may not write.
    pub(crate) fn refused_in(&self, right: Right, enclave: &str) -> Option<Response> {
        if !self.trustar_enclaves.iter().any(|e| e.id == enclave) {
            return Some(message(
                StatusCode::FORBIDDEN,
                &format!("Unknown enclave {enclave}: use an enclave id from GET /enclaves"),
            ));
        }
        (!self.may_in(right, enclave)).then(|| {
            let what = match right {
                Right::Read => "read",
                Right::Create => "create",
                Right::Update => "update",
            };
            message(
                StatusCode::FORBIDDEN,
                &format!("The user does not have {what} access to enclave {enclave}"),
            )
        })
    }

    /// The refusal of `right` on the report `internal` (in its enclave).
    pub(crate) fn refused(&self, right: Right, internal: &str) -> Option<Response> {
        let enclave = self
            .trustar
            .get(internal)
            .and_then(|r| r.enclave_ids.first())?
            .clone();
        self.refused_in(right, &enclave)
    }

    /// Notes that the report `internal` was written: it is processing for
    /// `delay` from now.
    pub(crate) fn processing(&mut self, internal: &str, delay: std::time::Duration) {
        match Instant::now().checked_add(delay) {
            Some(at) if !delay.is_zero() => {
                self.trustar_ready_at.insert(internal.to_string(), at);
            }
            _ => {
                self.trustar_ready_at.remove(internal);
            }
        }
    }

    /// Whether the report `internal` is done processing.
    pub(crate) fn processed(&self, internal: &str) -> bool {
        self.trustar_ready_at
            .get(internal)
            .is_none_or(|at| Instant::now() >= *at)
    }
}

/// The internal id of a readable report, by `idType`; or the refusal.
pub(crate) fn readable(
    inner: &Inner,
    id: &str,
    query: Result<Query<IdTypeQuery>, QueryRejection>,
) -> Result<String, Response> {
    let Some(external) = external(query) else {
        return Err(bad_id_type());
    };
    match find(inner, id, external) {
        Some(internal)
            if inner
                .trustar
                .get(&internal)
                .is_some_and(|r| inner.may(Right::Read, r)) =>
        {
            Ok(internal)
        }
        _ => Err(message(StatusCode::NOT_FOUND, "Report not found")),
    }
}
