//! The router: both APIs, the faults in front of them, and the
//! `/_sandbox` routes. The one module that knows every handler.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::shared::App;
use crate::{admin, faults, trustar, xsiam};

/// Both APIs, the faults in front of them, and the `/_sandbox` routes.
pub(crate) fn router(app: Arc<App>) -> Router {
    let apis = Router::new()
        .route(
            "/public_api/v1/mth/child/report/update/status",
            post(xsiam::update_status),
        )
        .route("/oauth/token", post(trustar::token))
        // Other methods, POST among them, go to `trustar::other_method`.
        .route(
            "/api/1.3/reports/{id}",
            get(trustar::get_report)
                .put(trustar::put_report)
                .fallback(trustar::other_method),
        )
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            faults::apply,
        ));
    let sandbox = Router::new()
        .route("/_sandbox/state", get(admin::state))
        .route("/_sandbox/reset", post(admin::reset))
        .route(
            "/_sandbox/faults",
            get(admin::faults)
                .post(admin::add_fault)
                .delete(admin::clear_faults),
        );
    apis.merge(sandbox)
        // Bodies over TruSTAR's 2 MB limit must reach the handler, which
        // answers 413 the vendor's way.
        .layer(DefaultBodyLimit::max(16 * 1024 * 1024))
        .with_state(app)
}
