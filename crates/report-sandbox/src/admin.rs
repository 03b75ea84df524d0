//! `/_sandbox/…`: look at the state, reset it, queue faults.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use serde_json::json;

use crate::fault::Fault;
use crate::shared::{App, json};

/// `GET /_sandbox/state`: every report, as stored now.
pub(crate) async fn state(State(app): State<Arc<App>>) -> Response {
    json(StatusCode::OK, json!(app.snapshot()))
}

/// `POST /_sandbox/reset`: back to the reports and faults of the start.
pub(crate) async fn reset(State(app): State<Arc<App>>) -> Response {
    app.reset();
    json(StatusCode::OK, json!(app.snapshot()))
}

fn queued(app: &App) -> Response {
    let faults: Vec<Fault> = app.lock().faults.iter().copied().collect();
    json(StatusCode::OK, json!({ "faults": faults }))
}

/// `GET /_sandbox/faults`: the queued faults.
pub(crate) async fn faults(State(app): State<Arc<App>>) -> Response {
    queued(&app)
}

/// `POST /_sandbox/faults` with `{"kind": …, "count": N, …}`.
pub(crate) async fn add_fault(State(app): State<Arc<App>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Fault>(&body) {
        Ok(fault) => {
            app.add_fault(fault);
            queued(&app)
        }
        Err(e) => json(
            StatusCode::BAD_REQUEST,
            json!({
                "message": format!("not a fault ({e}); expected e.g. {{\"kind\": \"too_many_requests\", \"wait_ms\": 200, \"count\": 3}} (count at least 1), or kind unavailable, hang (with ms), drop_connection, apply_then_drop, apply_then_unavailable or apply_then_hang (with ms)"),
            }),
        ),
    }
}

/// `POST /_sandbox/expire-tokens`: every TruSTAR token issued so far
/// expires now.
pub(crate) async fn expire_tokens(State(app): State<Arc<App>>) -> Response {
    app.expire_tokens();
    json(StatusCode::OK, json!({"expired": true}))
}

/// `DELETE /_sandbox/faults`: no more faults.
pub(crate) async fn clear_faults(State(app): State<Arc<App>>) -> Response {
    app.lock().faults.clear();
    queued(&app)
}
