//! The router: both APIs, the faults in front of them, and the
//! `/_sandbox` routes. The one module that knows every handler.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderValue;
use axum::response::Response;
use axum::routing::{get, post};

use crate::shared::App;
use crate::{
    admin, faults, trustar, trustar_reads, trustar_writes, xsiam, xsiam_comments, xsiam_reads,
};

/// Both APIs, the faults in front of them, and the `/_sandbox` routes.
pub(crate) fn router(app: Arc<App>) -> Router {
    let faults = || axum::middleware::from_fn_with_state(app.clone(), faults::apply);
    let xsiam = Router::new()
        .route(
            "/public_api/v1/mth/child/report/update/status",
            post(xsiam::update_status),
        )
        .route(
            "/public_api/v1/mth/child/get_all_reports",
            post(xsiam_reads::all),
        )
        .route(
            "/public_api/v1/mth/child/get_reports_by_source_id",
            post(xsiam_reads::by_source_id),
        )
        .route(
            "/public_api/v1/mth/child/get_reports_by_incident_id",
            post(xsiam_reads::by_incident_id),
        )
        .route(
            "/public_api/v1/mth/child/get_reports_by_statuses",
            post(xsiam_reads::by_statuses),
        )
        .route(
            "/public_api/v1/mth/child/report/update/assign",
            post(xsiam_comments::assign),
        )
        .route(
            "/public_api/v1/mth/child/add_comment",
            post(xsiam_comments::add_comment),
        )
        .route(
            "/public_api/v1/mth/child/get_comments",
            post(xsiam_comments::get_comments),
        )
        .layer(faults());
    let trustar = Router::new()
        .route("/oauth/token", post(trustar::token))
        // Other methods, POST among them, go to `trustar::other_method`.
        .route(
            "/api/1.3/reports",
            get(trustar_reads::list).post(trustar_writes::submit),
        )
        .route(
            "/api/1.3/reports/search",
            get(trustar_reads::search).post(trustar_reads::search_by_body),
        )
        .route("/api/1.3/reports/upsert", post(trustar_writes::upsert))
        .route(
            "/api/1.3/reports/correlated",
            get(trustar_reads::correlated),
        )
        .route("/api/1.3/reports/tags", get(trustar_reads::enclave_tags))
        .route(
            "/api/1.3/reports/{id}",
            get(trustar::get_report)
                .put(trustar::put_report)
                .delete(trustar_writes::delete)
                .fallback(trustar::other_method),
        )
        .route("/api/1.3/reports/{id}/status", get(trustar_reads::status))
        .route(
            "/api/1.3/reports/{id}/indicators",
            get(trustar_reads::indicators),
        )
        .route(
            "/api/1.3/reports/{id}/tags",
            get(trustar_reads::report_tags),
        )
        .route(
            "/api/1.3/reports/{id}/alter-tags",
            post(trustar_writes::alter_tags),
        )
        .route("/api/1.3/reports/copy/{id}", post(trustar_writes::copy))
        .route(
            "/api/1.3/reports/move/{id}",
            post(trustar_writes::move_report),
        )
        .route("/api/1.3/enclaves", get(trustar_reads::enclaves))
        .route("/api/1.3/request-quotas", get(trustar_reads::quotas))
        .layer(faults())
        // Outermost: every TruSTAR answer, a fault's too, carries one.
        .layer(axum::middleware::map_response(trace_id));
    let sandbox = Router::new()
        .route("/_sandbox/state", get(admin::state))
        .route("/_sandbox/reset", post(admin::reset))
        .route("/_sandbox/expire-tokens", post(admin::expire_tokens))
        .route(
            "/_sandbox/faults",
            get(admin::faults)
                .post(admin::add_fault)
                .delete(admin::clear_faults),
        );
    xsiam
        .merge(trustar)
        .merge(sandbox)
        // Bodies over TruSTAR's 2 MB limit must reach the handler, which
        // answers 413 the vendor's way.
        .layer(DefaultBodyLimit::max(16 * 1024 * 1024))
        .with_state(app)
}

/// TruSTAR's `Trace-Id` header: 16 random hex digits per answer, as the
/// vendor sends with every answer (its SDK quotes it in errors).
async fn trace_id(mut response: Response) -> Response {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("trace-id", value);
    }
    response
}
