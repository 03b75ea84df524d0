//! TruSTAR's report writes besides replacement: submit, upsert, delete,
//! alter tags, copy and move. Each checks the caller's rights in the
//! enclaves it touches (403 in a read-only one) and marks what it wrote as
//! processing.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::shared::{App, Inner, json, now_ms};
use crate::trustar::{
    IdTypeQuery, MAX_BODY_BYTES, Right, Writable, bad_id_type, message, readable, too_large,
    writable,
};
use crate::trustar_query::QueryPairs;
use crate::wire::TrustarReport;
use crate::xsiam::checked;

/// The body of a submission or upsert, checked as TruSTAR checks it
/// (a JSON report object, its fields, the size and indicator limits).
fn report_fields(app: &App, body: &[u8]) -> Result<(Writable, Map<String, Value>), Response> {
    if body.len() > MAX_BODY_BYTES {
        return Err(too_large(app.max_indicators));
    }
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
        return Err(message(
            StatusCode::BAD_REQUEST,
            "the body must be a JSON report object",
        ));
    };
    let fields = writable(&object).map_err(|why| message(StatusCode::BAD_REQUEST, &why))?;
    if crate::oracle::count(&fields.body) > app.max_indicators {
        return Err(too_large(app.max_indicators));
    }
    Ok((fields, object))
}

/// A new internal id: a random version-4 GUID.
fn new_id() -> String {
    let mut b = [0u8; 16];
    let _ = getrandom::fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

impl Inner {
    /// A report with this external id in this enclave, if any (external
    /// ids are unique per company and enclave).
    fn with_external_id(&self, external_id: &str, enclave: &str) -> Option<String> {
        self.trustar
            .values()
            .find(|r| {
                r.external_tracking_id.as_deref() == Some(external_id)
                    && r.enclave_ids.first().map(String::as_str) == Some(enclave)
            })
            .and_then(|r| r.id.clone())
    }

    /// Stores a new report from `fields`; its id.
    fn create(&mut self, fields: Writable, processing: std::time::Duration) -> String {
        let id = new_id();
        let now = now_ms();
        self.trustar.insert(
            id.clone(),
            TrustarReport {
                id: Some(id.clone()),
                title: Some(fields.title),
                report_body: Some(fields.body),
                time_began: Some(fields.time_began.unwrap_or(now)),
                created: Some(now),
                updated: Some(now),
                external_url: fields.external_url,
                external_tracking_id: fields.external_tracking_id,
                distribution_type: Some("ENCLAVE".into()),
                enclave_ids: vec![fields.enclave_id],
                tags: Vec::new(),
            },
        );
        self.processing(&id, processing);
        id
    }
}

/// `{"id": id}`.
fn id_answer(id: &str) -> Response {
    json(StatusCode::OK, json!({ "id": id }))
}

/// `POST /api/1.3/reports`: a new report in one enclave the caller may
/// create in; the answer is its id as plain text. An external id already
/// used in that enclave is refused (409).
pub(crate) async fn submit(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let (fields, _) = checked!(report_fields(&app, &body));
    let mut inner = app.lock();
    if let Some(refused) = inner.refused_in(Right::Create, &fields.enclave_id) {
        return refused;
    }
    if let Some(external_id) = &fields.external_tracking_id
        && inner
            .with_external_id(external_id, &fields.enclave_id)
            .is_some()
    {
        return message(
            StatusCode::CONFLICT,
            &format!(
                "externalTrackingId {external_id:?} is already used by a report in enclave {}",
                fields.enclave_id
            ),
        );
    }
    let id = inner.create(fields, app.trustar_processing);
    *inner.trustar_update_counts.entry(id.clone()).or_default() += 1;
    let mut answer = id.into_response();
    answer
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    answer
}

/// `POST /api/1.3/reports/upsert`: updates the report named by `guid`
/// (`idType=internal`) or by `externalTrackingId` in the body's enclave
/// (`idType=external`), replacing its body (`mode=OVERRIDE`) or adding to
/// it (`APPEND`, on a new line); or submits it when there is none.
pub(crate) async fn upsert(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let query = QueryPairs::parse(raw.as_deref());
    let external = match query.one("idType") {
        None | Some("internal") => false,
        Some("external") => true,
        Some(_) => return bad_id_type(),
    };
    let append = match query.one("mode") {
        None | Some("OVERRIDE") => false,
        Some("APPEND") => true,
        Some(_) => return message(StatusCode::BAD_REQUEST, "mode must be OVERRIDE or APPEND"),
    };
    let (fields, object) = checked!(report_fields(&app, &body));
    let mut inner = app.lock();
    let existing = if external {
        fields
            .external_tracking_id
            .as_deref()
            .and_then(|x| inner.with_external_id(x, &fields.enclave_id))
    } else {
        object
            .get("guid")
            .and_then(Value::as_str)
            .filter(|id| inner.trustar.contains_key(*id))
            .map(str::to_string)
    };
    let Some(id) = existing else {
        if let Some(refused) = inner.refused_in(Right::Create, &fields.enclave_id) {
            return refused;
        }
        let id = inner.create(fields, app.trustar_processing);
        *inner.trustar_update_counts.entry(id.clone()).or_default() += 1;
        return id_answer(&id);
    };
    if let Some(refused) = inner.refused(Right::Update, &id) {
        return refused;
    }
    let Some(report) = inner.trustar.get_mut(&id) else {
        return message(StatusCode::NOT_FOUND, "Report not found");
    };
    let body = match (append, &report.report_body) {
        (true, Some(old)) => format!("{old}\n{}", fields.body),
        _ => fields.body,
    };
    // Refused whole: the stored report stays as it was.
    if crate::oracle::count(&body) > app.max_indicators {
        return too_large(app.max_indicators);
    }
    let now = now_ms();
    report.title = Some(fields.title);
    report.report_body = Some(body);
    report.external_tracking_id = fields.external_tracking_id;
    report.external_url = fields.external_url;
    report.time_began = Some(fields.time_began.unwrap_or(now));
    report.updated = Some(now);
    inner.processing(&id, app.trustar_processing);
    *inner.trustar_update_counts.entry(id.clone()).or_default() += 1;
    id_answer(&id)
}

/// `DELETE /api/1.3/reports/{id}`: gone, with its tags.
pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    query: Result<Query<IdTypeQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let mut inner = app.lock();
    let internal = checked!(readable(&inner, &id, query));
    if let Some(refused) = inner.refused(Right::Update, &internal) {
        return refused;
    }
    inner.trustar.remove(&internal);
    inner.trustar_ready_at.remove(&internal);
    StatusCode::OK.into_response()
}

/// The tag names of an `alter-tags` list, each 1 to 90 characters.
fn tag_names(body: &Value, key: &str) -> Result<Vec<String>, Response> {
    let Some(list) = body.get(key) else {
        return Ok(Vec::new());
    };
    let bad = || {
        message(
            StatusCode::BAD_REQUEST,
            &format!("{key} must be a list of {{\"name\": NAME}}, each name 1 to 90 characters"),
        )
    };
    list.as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|tag| {
            tag.get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.trim().is_empty() && n.chars().count() <= 90)
                .map(str::to_string)
                .ok_or_else(bad)
        })
        .collect()
}

/// `POST /api/1.3/reports/{id}/alter-tags`: adds and removes tags by name;
/// adding one it has or removing one it lacks changes nothing.
pub(crate) async fn alter_tags(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    query: Result<Query<IdTypeQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let Ok(body @ Value::Object(_)) = serde_json::from_slice::<Value>(&body) else {
        return message(StatusCode::BAD_REQUEST, "the body must be a JSON object");
    };
    let added = checked!(tag_names(&body, "addedTags"));
    let removed = checked!(tag_names(&body, "removedTags"));
    let mut inner = app.lock();
    let internal = checked!(readable(&inner, &id, query));
    if let Some(refused) = inner.refused(Right::Update, &internal) {
        return refused;
    }
    let Some(report) = inner.trustar.get_mut(&internal) else {
        return message(StatusCode::NOT_FOUND, "Report not found");
    };
    report.tags.retain(|t| !removed.contains(t));
    for tag in added {
        if !report.tags.contains(&tag) {
            report.tags.push(tag);
        }
    }
    report.tags.sort();
    id_answer(&internal)
}

/// The destination enclave of a copy or move.
fn destination(raw: Option<&str>) -> Result<String, Response> {
    QueryPairs::parse(raw)
        .one("destEnclaveId")
        .filter(|e| !e.trim().is_empty())
        .map(str::to_string)
        .ok_or_else(|| message(StatusCode::BAD_REQUEST, "destEnclaveId is required"))
}

/// `POST /api/1.3/reports/copy/{id}`: a new report, the same as stored
/// (tags included), in `destEnclaveId`; the answer is the copy's id.
pub(crate) async fn copy(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let destination = checked!(destination(raw.as_deref()));
    let mut inner = app.lock();
    let Some(source) = inner
        .trustar
        .get(&id)
        .filter(|r| inner.may(Right::Read, r))
        .cloned()
    else {
        return message(StatusCode::NOT_FOUND, "Report not found");
    };
    if let Some(refused) = inner.refused_in(Right::Create, &destination) {
        return refused;
    }
    let copy_id = new_id();
    let now = now_ms();
    inner.trustar.insert(
        copy_id.clone(),
        TrustarReport {
            id: Some(copy_id.clone()),
            created: Some(now),
            updated: Some(now),
            enclave_ids: vec![destination],
            ..source
        },
    );
    inner.processing(&copy_id, app.trustar_processing);
    id_answer(&copy_id)
}

/// `POST /api/1.3/reports/move/{id}`: the report, its id and tags, now in
/// `destEnclaveId`.
pub(crate) async fn move_report(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let destination = checked!(destination(raw.as_deref()));
    let mut inner = app.lock();
    if !inner
        .trustar
        .get(&id)
        .is_some_and(|r| inner.may(Right::Read, r))
    {
        return message(StatusCode::NOT_FOUND, "Report not found");
    }
    if let Some(refused) = inner.refused(Right::Update, &id) {
        return refused;
    }
    if let Some(refused) = inner.refused_in(Right::Create, &destination) {
        return refused;
    }
    if let Some(report) = inner.trustar.get_mut(&id)
        && report.enclave_ids.first() != Some(&destination)
    {
        report.enclave_ids = vec![destination];
        report.updated = Some(now_ms());
    }
    id_answer(&id)
}
