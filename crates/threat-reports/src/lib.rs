//! # threat-reports
//!
//! The crate SOC and detection engineers depend on to automate their
//! Cortex XSIAM and TruSTAR report workflows, on top of the generated
//! clients `xsiam-client` and `trustar-client`.
//!
//! - [`ReportStatus`] and [`Severity`] turn the many spellings of a status
//!   or severity into one canonical value; [`Reported`] keeps a value an
//!   answer carries even when this crate does not know it yet.
//! - [`xsiam::XsiamClient`] covers the eight MTH/MDR endpoints of Cortex
//!   XSIAM (read and filter reports, assign them, comment on them, set
//!   their status) in both dialects tenants speak; [`trustar::TrustarClient`]
//!   reads and replaces TruSTAR reports.
//! - [`indicators`] counts a report body's indicators the way TruSTAR does,
//!   before the upload, so an oversized report is caught at once with a
//!   breakdown by kind.
//!
//! ```
//! use threat_reports::{indicators, ReportStatus};
//!
//! let status: ReportStatus = "in progress".parse()?;
//! assert_eq!(status.label(), "In Progress"); // what XSIAM requests take
//! assert_eq!(status.canonical(), "IN_PROGRESS"); // what XSIAM answers carry
//!
//! let count = indicators::count("Dropper evil.exe called api.evildomain.com");
//! assert_eq!(count.to_string(), "2 indicators: 1 URL, 1 SOFTWARE");
//! assert!(!count.exceeds(indicators::TRUSTAR_INDICATOR_LIMIT));
//! # Ok::<(), threat_reports::UnknownStatus>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
// With only one API's feature (or none), the other's share of the common
// machinery is unused; the full build keeps every warning.
#![cfg_attr(
    not(all(feature = "xsiam", feature = "trustar")),
    allow(dead_code, unused_imports, unused_variables, unused_mut)
)]

mod auth;
mod base_url;
mod call;
mod config;
mod error;
mod executor;
mod failure;
mod pace;
mod reported;
mod retry;
mod severity;
mod status;
mod text_serde;
mod throttle;
mod tls;
#[cfg(feature = "trustar")]
pub mod trustar;
mod words;
mod written;
#[cfg(feature = "xsiam")]
pub mod xsiam;

/// Indicator counting, TruSTAR's way: the [`trustar_indicators`] crate,
/// re-exported (depend on it alone when counting is all you need).
pub use trustar_indicators as indicators;

// Foreign crates whose types appear in this crate's public API, re-exported
// so that users name the same versions.

/// The HTTP client crate: build the `reqwest::Client` for the builders'
/// `http_client` with it; `Error::Transport` holds its error.
pub use reqwest;

/// Date-times of answers (`chrono::DateTime<Utc>`).
pub use chrono;

/// Answers as they arrived (`MthReport::raw`).
pub use serde_json;

/// The date-time type of TruSTAR updates (`ReportUpdate::time_began`).
#[cfg(feature = "trustar")]
pub use api_time;

/// The generated XSIAM wire client, for what this facade does not wrap;
/// [`ReportStatus`] converts to and from its `ReportStatusRequest`.
#[cfg(feature = "xsiam")]
pub use xsiam_client;

/// The paged reads' [`Stream`] trait and its combinators (`next`,
/// `try_collect`, …), re-exported so that a caller needs no `futures` of
/// its own.
#[cfg(feature = "trustar")]
pub use futures_util::{Stream, StreamExt, TryStreamExt};
/// The generated TruSTAR wire client, for what this facade does not wrap.
#[cfg(feature = "trustar")]
pub use trustar_client;

pub use error::{Api, ApiResponse, BODY_SNIPPET, Error};
pub use pace::RateLimit;
pub use reported::Reported;
pub use retry::RetryPolicy;
pub use severity::{Severity, UnknownSeverity};
pub use status::{ReportStatus, StatusDialect, UnknownStatus};
pub use tls::http_client_builder;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
