//! Generated client for the Cortex XSIAM MTH/MDR report API (`specs/xsiam.yaml`).
//!
//! The code in `generated.rs` comes from the spec: change the spec and run
//! `cargo xtask regenerate`, never the generated file. This crate speaks the
//! wire format only; authentication, retries and status normalization live
//! in the `threat-reports` facade.
//!
//! ```
//! use xsiam_client::types::{ReportStatusRequest, UpdateReportStatusRequest};
//!
//! let body = UpdateReportStatusRequest {
//!     xsoar_source_id: "777776".parse().unwrap(),
//!     report_status: ReportStatusRequest::InProgress,
//! };
//! assert_eq!(
//!     serde_json::to_string(&body).unwrap(),
//!     r#"{"report_status":"In Progress","xsoar_source_id":"777776"}"#
//! );
//! ```

#[rustfmt::skip]
#[allow(missing_docs, clippy::all)]
mod generated;

pub use client_transport::{Execute, ExecuteFuture, Transport};
pub use generated::*;

/// Every request goes through the client's [`Transport`] (by default, sent
/// once as built; the facade plugs in authentication, retries and tracing).
impl progenitor_client::ClientHooks<Transport> for Client {
    // The transport's future itself, not an `async fn` around it: that
    // would keep the request a second time in every call's state.
    fn exec(
        &self,
        request: reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> {
        self.inner.execute(&self.client, request, info.operation_id)
    }
}

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
