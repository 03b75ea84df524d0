//! TruSTAR's reads besides one report: processing status, the list by
//! time window, search, correlated reports, a report's indicators and
//! tags, the enclaves' tags, the enclaves and the quotas; paged and
//! windowed as the vendor documents them.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use crate::shared::{App, Inner, json, now_ms};
use crate::trustar::{IdTypeQuery, Right, answer, message, readable};
use crate::trustar_query::QueryPairs;
use crate::wire::TrustarReport;
use crate::xsiam::checked;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const YEAR_MS: i64 = 365 * DAY_MS;

/// The most reports `GET /reports` returns for one window.
pub(crate) const WINDOW_PAGE: usize = 25;

/// The most results a search reaches, all pages together.
const SEARCH_CAP: i64 = 10_000;

/// `GET /reports/{id}/status`.
pub(crate) async fn status(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    query: Result<Query<IdTypeQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let inner = app.lock();
    let internal = checked!(readable(&inner, &id, query));
    let status = if inner.processed(&internal) {
        "SUBMISSION_SUCCESS"
    } else {
        "SUBMISSION_PROCESSING"
    };
    json(
        StatusCode::OK,
        json!({"id": internal, "status": status, "errorMessage": ""}),
    )
}

/// Which reports a list or search looks at: the enclaves given (each
/// readable) or every readable one, the tags all carried, no excluded tag.
struct Filter {
    enclaves: Vec<String>,
    tags: Vec<String>,
    excluded: Vec<String>,
}

impl Filter {
    fn of(query: &QueryPairs, inner: &Inner) -> Result<Filter, Response> {
        let mut enclaves = query.all("enclaveIds");
        for enclave in &enclaves {
            if !inner.may_in(Right::Read, enclave) {
                return Err(message(
                    StatusCode::FORBIDDEN,
                    &format!("The user does not have read access to enclave {enclave}"),
                ));
            }
        }
        if enclaves.is_empty() {
            enclaves = inner
                .trustar_enclaves
                .iter()
                .filter(|e| e.read)
                .map(|e| e.id.clone())
                .collect();
        }
        Ok(Filter {
            enclaves,
            tags: query.all("tags"),
            excluded: query.all("excludedTags"),
        })
    }

    fn admits(&self, report: &TrustarReport) -> bool {
        report
            .enclave_ids
            .first()
            .is_some_and(|e| self.enclaves.contains(e))
            && self.tags.iter().all(|t| report.tags.contains(t))
            && !self.excluded.iter().any(|t| report.tags.contains(t))
    }
}

/// `from` and `to`: `to` defaults to now, `from` to `span` before it and
/// is moved up to `span` before `to` when it is earlier.
fn window(query: &QueryPairs, span: i64) -> Result<(i64, i64), Response> {
    let to = query.number("to", now_ms(), 0..=i64::MAX / 2)?;
    let from = query.number("from", to.saturating_sub(span), 0..=i64::MAX / 2)?;
    Ok((from.max(to.saturating_sub(span)), to))
}

/// The reports `filter` admits updated in `[from, to]`, newest first (ties
/// by id, so that the order is stable).
fn updated_in(inner: &Inner, filter: &Filter, from: i64, to: i64) -> Vec<TrustarReport> {
    let mut found: Vec<TrustarReport> = inner
        .trustar
        .values()
        .filter(|r| filter.admits(r))
        .filter(|r| r.updated.is_some_and(|u| (from..=to).contains(&u)))
        .cloned()
        .collect();
    found.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.id.cmp(&b.id)));
    found
}

/// `GET /api/1.3/reports`: the newest [`WINDOW_PAGE`] reports updated in
/// the window (with neither `from` nor `to`, of all time), which is at
/// most 24 hours (a wider one starts 24 hours
/// before `to`, silently, as TruSTAR's SDK says of its window); `hasNext`
/// when the window holds more.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let query = QueryPairs::parse(raw.as_deref());
    // With no window at all, the latest reports, however old (the vendor's
    // page); otherwise at most 24 hours.
    let (from, to) = match (query.one("from"), query.one("to")) {
        (None, None) => (0, i64::MAX),
        _ => checked!(window(&query, DAY_MS)),
    };
    let inner = app.lock();
    let filter = checked!(Filter::of(&query, &inner));
    let found = updated_in(&inner, &filter, from, to);
    let items: Vec<Value> = found.iter().take(WINDOW_PAGE).map(answer).collect();
    json(
        StatusCode::OK,
        json!({"items": items, "hasNext": found.len() > WINDOW_PAGE}),
    )
}

/// A page of `found`: `pageNumber` and `pageSize` (default `size`, at
/// most `most`), with `hasNext`; no page reaches past `cap` results.
fn page(
    query: &QueryPairs,
    found: Vec<Value>,
    size: i64,
    most: i64,
    cap: i64,
) -> Result<Response, Response> {
    let number = query.number("pageNumber", 0, 0..=i64::from(i32::MAX))?;
    let size = query.number("pageSize", size, 1..=most)?;
    let total = i64::try_from(found.len()).unwrap_or(i64::MAX).min(cap);
    let start = number.saturating_mul(size).min(total);
    let end = start.saturating_add(size).min(total);
    let items: Vec<Value> = found
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(end - start).unwrap_or(0))
        .collect();
    Ok(json(
        StatusCode::OK,
        json!({"items": items, "pageNumber": number, "pageSize": size, "hasNext": end < total}),
    ))
}

/// `GET /api/1.3/reports/search`: reports whose title or body contain the
/// term (any case; at least 3 characters, or none), updated in the window
/// (default the last day, at most a year), newest first, by page of at
/// most 100, 10,000 results at most; `reportBody` null.
pub(crate) async fn search(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = QueryPairs::parse(raw.as_deref());
    let term = query.one("searchTerm").map(str::to_string);
    search_for(&app, &headers, &query, term.as_deref())
}

/// `POST /api/1.3/reports/search`: the same, with `searchTerm` in a JSON
/// body (as the vendor's SDK sends it) or the query.
pub(crate) async fn search_by_body(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: bytes::Bytes,
) -> Response {
    let query = QueryPairs::parse(raw.as_deref());
    let from_body = serde_json::from_slice::<Value>(&body).ok().and_then(|b| {
        b.get("searchTerm")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let term = from_body.or_else(|| query.one("searchTerm").map(str::to_string));
    search_for(&app, &headers, &query, term.as_deref())
}

fn search_for(app: &App, headers: &HeaderMap, query: &QueryPairs, term: Option<&str>) -> Response {
    if let Some(refused) = app.bearer_refusal(headers) {
        return refused;
    }
    // Absent to browse; else at least 3 characters, as given.
    let term = term.map(str::to_lowercase);
    if term.as_ref().is_some_and(|t| t.chars().count() < 3) {
        return message(
            StatusCode::BAD_REQUEST,
            "searchTerm must be at least 3 characters long",
        );
    }
    let to = checked!(query.number("to", now_ms(), 0..=i64::MAX / 2));
    let from = checked!(query.number("from", to.saturating_sub(DAY_MS), 0..=i64::MAX / 2));
    let from = from.max(to.saturating_sub(YEAR_MS));
    let inner = app.lock();
    let filter = checked!(Filter::of(query, &inner));
    let found: Vec<Value> = updated_in(&inner, &filter, from, to)
        .iter()
        .filter(|r| {
            term.as_ref().is_none_or(|term| {
                [&r.title, &r.report_body].iter().any(|t| {
                    t.as_deref()
                        .is_some_and(|t| t.to_lowercase().contains(term.as_str()))
                })
            })
        })
        .map(|r| {
            let mut item = answer(r);
            item["reportBody"] = Value::Null;
            item
        })
        .collect();
    drop(inner);
    page(query, found, 25, 100, SEARCH_CAP).unwrap_or_else(|refused| refused)
}

/// `GET /api/1.3/reports/correlated`: reports holding any of the given
/// indicator values (by the sandbox's own counter), newest first, by page.
pub(crate) async fn correlated(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let query = QueryPairs::parse(raw.as_deref());
    let wanted: BTreeSet<String> = query
        .all("indicators")
        .into_iter()
        .map(|v| v.to_lowercase())
        .collect();
    if wanted.is_empty() || wanted.len() > 25 {
        return message(
            StatusCode::BAD_REQUEST,
            "indicators must hold 1 to 25 indicator values",
        );
    }
    let inner = app.lock();
    let filter = checked!(Filter::of(&query, &inner));
    let found: Vec<Value> = updated_in(&inner, &filter, 0, i64::MAX)
        .iter()
        .filter(|r| {
            crate::oracle::indicators(r.report_body.as_deref().unwrap_or_default())
                .iter()
                .any(|(_, value)| wanted.contains(&value.to_lowercase()))
        })
        .map(answer)
        .collect();
    drop(inner);
    page(&query, found, 25, 100, i64::MAX).unwrap_or_else(|refused| refused)
}

/// `GET /reports/{id}/indicators`: what the sandbox's own counter finds in
/// the body, by page (default 100, at most 1000); 404 while the report is
/// processing.
pub(crate) async fn indicators(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    query: Result<Query<IdTypeQuery>, QueryRejection>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let inner = app.lock();
    let internal = checked!(readable(&inner, &id, query));
    if !inner.processed(&internal) {
        return message(
            StatusCode::NOT_FOUND,
            "Indicators not found: the report is still being processed",
        );
    }
    let body = inner
        .trustar
        .get(&internal)
        .and_then(|r| r.report_body.clone())
        .unwrap_or_default();
    drop(inner);
    let found: Vec<Value> = crate::oracle::indicators(&body)
        .into_iter()
        .map(|(kind, value)| json!({"indicatorType": kind, "value": value}))
        .collect();
    let query = QueryPairs::parse(raw.as_deref());
    page(&query, found, 100, 1000, i64::MAX).unwrap_or_else(|refused| refused)
}

/// A tag as TruSTAR lists it: its name as `guid` too.
fn tag(name: &str, enclave: &str) -> Value {
    json!({"guid": name, "name": name, "enclaveId": enclave})
}

/// `GET /reports/{id}/tags`: a bare array.
pub(crate) async fn report_tags(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    query: Result<Query<IdTypeQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let inner = app.lock();
    let internal = checked!(readable(&inner, &id, query));
    let report = &inner.trustar[&internal];
    let enclave = report.enclave_ids.first().cloned().unwrap_or_default();
    let tags: Vec<Value> = report.tags.iter().map(|t| tag(t, &enclave)).collect();
    json(StatusCode::OK, Value::Array(tags))
}

/// `GET /reports/tags`: every tag on the reports of the enclaves given (or
/// all readable ones), once per enclave.
pub(crate) async fn enclave_tags(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let query = QueryPairs::parse(raw.as_deref());
    let inner = app.lock();
    let filter = checked!(Filter::of(&query, &inner));
    let tags: BTreeSet<(String, String)> = inner
        .trustar
        .values()
        .filter(|r| filter.admits(r))
        .flat_map(|r| {
            let enclave = r.enclave_ids.first().cloned().unwrap_or_default();
            r.tags.iter().map(move |t| (enclave.clone(), t.clone()))
        })
        .collect();
    let tags: Vec<Value> = tags.iter().map(|(e, t)| tag(t, e)).collect();
    json(StatusCode::OK, Value::Array(tags))
}

/// `GET /api/1.3/enclaves`: a bare array, with the caller's rights.
pub(crate) async fn enclaves(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let enclaves = app.lock().trustar_enclaves.clone();
    json(StatusCode::OK, json!(enclaves))
}

/// `GET /api/1.3/request-quotas`: one daily quota of 3,000 calls (the
/// vendor's example), resetting at midnight UTC, with the calls made.
pub(crate) async fn quotas(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Some(refused) = app.bearer_refusal(&headers) {
        return refused;
    }
    let used = app.lock().trustar_calls;
    let now = now_ms();
    let last = now - now.rem_euclid(DAY_MS);
    json(
        StatusCode::OK,
        json!([{
            "guid": "7bd9d5bf-5c8a-4bd0-a1b2-0c9d1e2f3a4b",
            "maxRequests": 3000,
            "usedRequests": used,
            "timeWindow": DAY_MS,
            "lastResetTime": last,
            "nextResetTime": last + DAY_MS,
        }]),
    )
}
