//! Faults on demand, and the vendors' rate limits when asked for: the
//! middleware in front of both APIs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use crate::fault::FaultKind;
use crate::shared::{App, json};

/// Which API a path belongs to.
fn api_of(path: &str) -> &'static str {
    if path.starts_with("/public_api/") {
        "xsiam"
    } else {
        "trustar"
    }
}

/// Throttling, in each API's own words.
fn too_many(api: &str, wait_ms: u64) -> Response {
    match api {
        "xsiam" => {
            let mut response = json(
                StatusCode::TOO_MANY_REQUESTS,
                json!({"reply": {"err_code": 429, "err_msg": "Too many requests", "err_extra": null}}),
            );
            if wait_ms >= 1000 {
                let seconds = wait_ms.div_ceil(1000).to_string();
                if let Ok(value) = HeaderValue::from_str(&seconds) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
            }
            response
        }
        _ => json(
            StatusCode::TOO_MANY_REQUESTS,
            json!({"message": "Request limit exceeded. Please wait before making another request.", "waitTime": wait_ms}),
        ),
    }
}

fn unavailable(api: &str) -> Response {
    match api {
        "xsiam" => json(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"reply": {"err_code": 503, "err_msg": "Service unavailable", "err_extra": null}}),
        ),
        _ => json(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"message": "Service unavailable"}),
        ),
    }
}

/// An answer whose body fails after the headers: the connection is cut.
fn dropped() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::other(
            "sandbox fault: connection dropped",
        ))
    });
    let mut response = Response::new(Body::from_stream(failing));
    *response.status_mut() = StatusCode::OK;
    response
}

/// Whether a request changes state: the XSIAM writes (status, assign,
/// comment) and TruSTAR's report PUT, POST and DELETE; not the reads
/// (XSIAM's are POSTs too) and not the token endpoint. Apply-faults only
/// bite where something is applied.
fn is_update(request: &Request) -> bool {
    let path = request.uri().path();
    let method = request.method();
    const XSIAM_WRITES: [&str; 3] = [
        "/public_api/v1/mth/child/report/update/status",
        "/public_api/v1/mth/child/report/update/assign",
        "/public_api/v1/mth/child/add_comment",
    ];
    XSIAM_WRITES.contains(&path)
        || (path.starts_with("/api/1.3/reports")
            && [
                axum::http::Method::PUT,
                axum::http::Method::POST,
                axum::http::Method::DELETE,
            ]
            .contains(method))
}

impl App {
    /// Takes one use of the next queued fault, or else draws one at the
    /// random rates; counts what it hands out.
    fn take_fault(&self, update: bool) -> Option<FaultKind> {
        let mut inner = self.lock();
        // An apply-fault waits for an update; a read goes by untouched.
        if !update && inner.faults.front().is_some_and(|f| f.kind.applies()) {
            return None;
        }
        // A fault of count 0 faults nothing (the entry points refuse one).
        while inner.faults.front().is_some_and(|f| f.count == 0) {
            inner.faults.pop_front();
        }
        let kind = match inner.faults.front_mut() {
            Some(front) => {
                let kind = front.kind;
                front.count = front.count.saturating_sub(1);
                if front.count == 0 {
                    inner.faults.pop_front();
                }
                kind
            }
            None => inner
                .random_faults
                .as_mut()?
                .next()
                .filter(|kind| update || !kind.applies())?,
        };
        *inner
            .faults_injected
            .entry(kind.label().into())
            .or_default() += 1;
        Some(kind)
    }

    /// With rate limits on: how long until this call would be allowed.
    fn over_limit(&self, api: &'static str) -> Option<Duration> {
        if !self.enforce_rate_limits {
            return None;
        }
        let (calls, per) = match api {
            "xsiam" => (10, Duration::from_secs(1)),
            _ => (60, Duration::from_secs(60)),
        };
        let now = Instant::now();
        let mut inner = self.lock();
        let recent = inner.recent.entry(api).or_default();
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= per)
        {
            recent.pop_front();
        }
        if recent.len() >= calls {
            return recent
                .front()
                .map(|oldest| per.saturating_sub(now.duration_since(*oldest)));
        }
        recent.push_back(now);
        None
    }
}

/// In front of both APIs: rate limits, then queued faults.
pub(crate) async fn apply(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let api = api_of(request.uri().path());
    if let Some(wait) = app.over_limit(api) {
        return too_many(
            api,
            u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1),
        );
    }
    let update = is_update(&request);
    match app.take_fault(update) {
        None => next.run(request).await,
        Some(FaultKind::ApplyThenDrop) => {
            let _applied = next.run(request).await;
            dropped()
        }
        Some(FaultKind::ApplyThenUnavailable) => {
            let _applied = next.run(request).await;
            unavailable(api)
        }
        Some(FaultKind::ApplyThenHang { ms }) => {
            let applied = next.run(request).await;
            tokio::time::sleep(Duration::from_millis(ms)).await;
            applied
        }
        Some(FaultKind::TooManyRequests { wait_ms }) => too_many(api, wait_ms),
        Some(FaultKind::Unavailable) => unavailable(api),
        Some(FaultKind::Hang { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(request).await
        }
        Some(FaultKind::DropConnection) => dropped(),
    }
}
