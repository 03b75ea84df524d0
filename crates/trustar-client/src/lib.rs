//! Generated client for the TruSTAR 1.3 report API (`specs/trustar.yaml`).
//!
//! The code in `generated.rs` comes from the spec: change the spec and run
//! `cargo xtask regenerate`, never the generated file. This crate speaks the
//! wire format only; tokens, retries and indicator limits live in the
//! `threat-reports` facade.
//!
//! ```
//! use trustar_client::types::IdType;
//!
//! assert_eq!(IdType::default(), IdType::Internal);
//! assert_eq!(IdType::External.to_string(), "external");
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
