//! [`Transport`]: the seam through which a generated client sends its
//! requests; and [`ArrivedJson`], the parts of answers it hands to a facade
//! as they arrived, for the facade to read field by field.
//!
//! Every generated client holds a `Transport` and hands it each request
//! the generated code has built, with the operation's id. The default sends
//! the request once, as it is. A facade plugs in its own [`Execute`] to add
//! authentication per attempt, retry, rate-limit and trace — without
//! writing any HTTP for the operations the specs describe.
//!
//! ```
//! use client_transport::{Execute, ExecuteFuture, Transport};
//!
//! /// Sends every request with an extra header.
//! struct Tagged;
//!
//! impl Execute for Tagged {
//!     fn execute<'a>(
//!         &'a self,
//!         client: &'a reqwest::Client,
//!         mut request: reqwest::Request,
//!         _operation: &'static str,
//!     ) -> ExecuteFuture<'a> {
//!         request.headers_mut().insert("x-tag", "1".parse().unwrap());
//!         Box::pin(client.execute(request))
//!     }
//! }
//!
//! let transport = Transport::new(Tagged);
//! assert_eq!(format!("{transport:?}"), "Transport");
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod arrived;

pub use arrived::ArrivedJson;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The future an [`Execute`] returns.
pub type ExecuteFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Sends one request of a generated client and returns its response.
pub trait Execute: Send + Sync + 'static {
    /// Sends `request` (built by the generated code for `operation`, its
    /// `operationId`) with `client`, however often and however decorated
    /// the implementation sees fit.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> ExecuteFuture<'a>;
}

/// Sends each request once, as it was built.
struct Direct;

impl Execute for Direct {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        _operation: &'static str,
    ) -> ExecuteFuture<'a> {
        Box::pin(client.execute(request))
    }
}

/// A shared [`Execute`]: what a generated client sends its requests through.
#[derive(Clone)]
pub struct Transport(Arc<dyn Execute>);

impl Transport {
    /// A transport that sends through `executor`.
    pub fn new(executor: impl Execute) -> Self {
        Transport(Arc::new(executor))
    }

    /// A transport that sends each request once, as it was built.
    ///
    /// ```
    /// let transport = client_transport::Transport::direct();
    /// # drop(transport);
    /// ```
    pub fn direct() -> Self {
        Transport::new(Direct)
    }

    /// Sends `request` for `operation` through this transport.
    ///
    /// Returns the executor's future as it is (not an `async fn` around
    /// it, which would keep the request a second time in its state).
    pub fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> ExecuteFuture<'a> {
        self.0.execute(client, request, operation)
    }
}

impl Default for Transport {
    fn default() -> Self {
        Transport::direct()
    }
}

impl fmt::Debug for Transport {
    /// Shows nothing of the executor, which may hold credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Transport")
    }
}

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
