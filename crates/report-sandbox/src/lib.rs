//! # report-sandbox
//!
//! A local, stateful stand-in for both APIs, shaped as the vendors' pages
//! describe them: XSIAM's report-status update (standard and advanced keys,
//! checked), and TruSTAR's token, report read and report replace (tokens
//! that expire, full-replacement updates, the indicator limit counted by
//! its own counter). Faults come on demand: the next requests answer 429
//! or 503, hang, or drop the connection, before or after the update is
//! applied. Tests, examples, the CLI and users' own integration tests run
//! against it.
//!
//! It judges requests with nothing of the clients': its own wire types
//! ([`XsiamReport`], [`TrustarReport`]), its own date-time reading
//! ([`time`]), its own key check and status table, and its own indicator
//! counter ([`oracle`]). It depends on none of the project's client crates.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use report_sandbox::Sandbox;
//!
//! let sandbox = Sandbox::builder().start().await?;
//! let c = sandbox.credentials();
//! let answer = reqwest::Client::new()
//!     .post(format!("{}/public_api/v1/mth/child/report/update/status", sandbox.base_url()))
//!     .header("x-xdr-auth-id", &c.xsiam_standard_key_id)
//!     .header("authorization", &c.xsiam_standard_key)
//!     .json(&serde_json::json!({"xsoar_source_id": "777777", "report_status": "In Progress"}))
//!     .send()
//!     .await?;
//! assert_eq!(answer.status(), 200);
//! assert_eq!(sandbox.state().xsiam_reports[1].report_status.as_deref(), Some("IN_PROGRESS"));
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
// A refused request is its answer (`Err(Response)` in the handlers'
// helpers), built once per request: boxing it would only add an allocation.
#![allow(clippy::result_large_err)]
#![warn(missing_docs)]

pub mod cli;
// Leaves: the state's format, the keys, fault types and rates, dialects.
mod credentials;
mod dialect;
mod fault;
mod fault_rates;
pub mod oracle;
mod state;
pub mod time;
mod wire;
// What the handlers share; it depends only on the leaves.
mod shared;
// The handlers depend on `shared`, never the reverse.
mod admin;
mod faults;
mod trustar;
mod trustar_query;
mod trustar_reads;
mod trustar_writes;
mod xsiam;
mod xsiam_comments;
mod xsiam_reads;
// The router, the one place that knows every handler.
mod routes;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

pub use cli::SandboxOptions;
pub use credentials::Credentials;
pub use dialect::{XsiamAnswerShape, XsiamDialect};
pub use fault::{Fault, FaultKind};
pub use fault_rates::FaultRates;
pub use state::SandboxState;
pub use wire::{TrustarEnclave, TrustarReport, XsiamComment, XsiamReport};

use shared::{App, Settings};

/// The most indicators TruSTAR's update page allows in one report (its
/// error pages say 500; `--max-indicators` sets another).
const TRUSTAR_UPDATE_PAGE_LIMIT: usize = 2000;

/// The longest TruSTAR tokens may live here (the vendor's live about ten
/// minutes).
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The most XSIAM reports `xsiam_reports` may seed.
pub const MAX_SEEDED_REPORTS: usize = 1_000_000;

/// Builds a sandbox: every setting has a default.
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    port: u16,
    settings: Settings,
}

/// The sandbox: see [`Sandbox::builder`].
pub struct Sandbox;

impl Sandbox {
    /// A builder with the defaults: a free port on 127.0.0.1, the seeded
    /// reports, [`Credentials::default`], 599 s tokens (as TruSTAR's), an
    /// indicator limit of 2000, no faults, no rate limits.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            port: 0,
            settings: Settings {
                state: SandboxState::seeded(),
                credentials: Credentials::default(),
                token_lifetime: Duration::from_secs(599),
                max_indicators: TRUSTAR_UPDATE_PAGE_LIMIT,
                trustar_processing: Duration::ZERO,
                faults: Vec::new(),
                fault_rates: None,
                enforce_rate_limits: false,
                static_token: None,
                xsiam_dialect: XsiamDialect::Page,
                xsiam_answer: XsiamAnswerShape::Object,
                xsiam_reports: 0,
            },
        }
    }
}

impl SandboxBuilder {
    /// The port on 127.0.0.1 (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The reports to start with (and to go back to on reset).
    pub fn state(mut self, state: SandboxState) -> Self {
        self.settings.state = state;
        self
    }

    /// The keys to accept.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.settings.credentials = credentials;
        self
    }

    /// How long TruSTAR tokens live; short lifetimes let tests exercise
    /// token refresh.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.settings.token_lifetime = lifetime;
        self
    }

    /// The most indicators a TruSTAR report may hold (413 above).
    pub fn max_indicators(mut self, limit: usize) -> Self {
        self.settings.max_indicators = limit;
        self
    }

    /// How long a TruSTAR report takes to process once written (default
    /// none): meanwhile `/status` says `SUBMISSION_PROCESSING` and reading
    /// its indicators is 404, as TruSTAR warns for a report just
    /// submitted.
    ///
    /// ```
    /// let builder = report_sandbox::Sandbox::builder()
    ///     .trustar_processing(std::time::Duration::from_millis(300));
    /// # let _ = builder;
    /// ```
    pub fn trustar_processing(mut self, delay: Duration) -> Self {
        self.settings.trustar_processing = delay;
        self
    }

    /// Faults for the next requests, in order.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.settings.faults.push(fault);
        self
    }

    /// Faults at random, at these rates, once the queued faults are used
    /// up. Rates that are not probabilities, or add up to more than 1, are
    /// refused by [`SandboxBuilder::start`].
    pub fn fault_rates(mut self, rates: FaultRates) -> Self {
        self.settings.fault_rates = Some(rates);
        self
    }

    /// Answer 429 beyond the vendors' rate limits (XSIAM 10/s, TruSTAR
    /// 60/min).
    pub fn enforce_rate_limits(mut self, on: bool) -> Self {
        self.settings.enforce_rate_limits = on;
        self
    }

    /// Also accepts this TruSTAR bearer token, which never expires: for
    /// scripts and fuzzers that cannot fetch one.
    pub fn static_token(mut self, token: impl Into<String>) -> Self {
        self.settings.static_token = Some(token.into());
        self
    }

    /// Seeds `n` more XSIAM reports, all `NEW`, with the ids `1000000`,
    /// `1000001`, … (default none): load tests need not queue on the five
    /// samples.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let sandbox = report_sandbox::Sandbox::builder().xsiam_reports(500).start().await.unwrap();
    /// let ids: Vec<_> = sandbox.state().xsiam_reports.into_iter().filter_map(|r| r.xsoar_source_id).collect();
    /// assert_eq!(ids.len(), 505);
    /// assert!(ids.contains(&"1000499".to_string()));
    /// # }
    /// ```
    pub fn xsiam_reports(mut self, n: usize) -> Self {
        self.settings.xsiam_reports = n;
        self
    }

    /// Which XSIAM to play (default [`XsiamDialect::Page`]).
    ///
    /// ```
    /// # use report_sandbox::{Sandbox, XsiamDialect, XsiamAnswerShape};
    /// let builder = Sandbox::builder()
    ///     .xsiam_dialect(XsiamDialect::Live)
    ///     .xsiam_answer(XsiamAnswerShape::Data);
    /// # drop(builder);
    /// ```
    pub fn xsiam_dialect(mut self, dialect: XsiamDialect) -> Self {
        self.settings.xsiam_dialect = dialect;
        self
    }

    /// The shape of XSIAM's successful answers (default
    /// [`XsiamAnswerShape::Object`]).
    pub fn xsiam_answer(mut self, shape: XsiamAnswerShape) -> Self {
        self.settings.xsiam_answer = shape;
        self
    }

    /// Whether the settings can run: every limit is stated where the
    /// setting is.
    fn check(&self) -> Result<(), String> {
        let settings = &self.settings;
        settings.state.check()?;
        if let Some(rates) = &settings.fault_rates {
            rates.validate()?;
        }
        for fault in &settings.faults {
            fault.check()?;
        }
        if settings.token_lifetime > MAX_TOKEN_LIFETIME {
            return Err(format!(
                "a token lifetime of {} s is too long: allowed are 0 to {} s (a day)",
                settings.token_lifetime.as_secs(),
                MAX_TOKEN_LIFETIME.as_secs()
            ));
        }
        if settings.xsiam_reports > MAX_SEEDED_REPORTS {
            return Err(format!(
                "{} seeded XSIAM reports are too many: allowed are 0 to {MAX_SEEDED_REPORTS}",
                settings.xsiam_reports
            ));
        }
        Ok(())
    }

    /// Binds 127.0.0.1 and serves in the background until the returned
    /// handle is dropped. Refused (`InvalidInput`): fault rates out of
    /// range, a fault of count 0, a token lifetime over
    /// [`MAX_TOKEN_LIFETIME`], more than [`MAX_SEEDED_REPORTS`] seeded
    /// reports, and a state whose reports cannot be found by id
    /// ([`SandboxState::check`]).
    pub async fn start(self) -> std::io::Result<RunningSandbox> {
        self.check()
            .map_err(|why| std::io::Error::new(std::io::ErrorKind::InvalidInput, why))?;
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, self.port)))
                .await?;
        let address = listener.local_addr()?;
        let credentials = self.settings.credentials.clone();
        let app = Arc::new(App::new(self.settings));
        let router = routes::router(app.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(RunningSandbox {
            base_url: format!("http://{address}"),
            credentials,
            app,
            stop: Some(stop),
            server,
        })
    }
}

/// A sandbox serving on 127.0.0.1; stops when dropped.
pub struct RunningSandbox {
    base_url: String,
    credentials: Credentials,
    app: Arc<App>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
}

impl RunningSandbox {
    /// `http://127.0.0.1:PORT`: the base URL of both APIs.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The keys it accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The reports as they are now.
    pub fn state(&self) -> SandboxState {
        self.app.snapshot()
    }

    /// Queues a fault for the next requests; a fault of count 0 is refused.
    pub fn add_fault(&self, fault: Fault) -> Result<(), String> {
        fault.check()?;
        self.app.add_fault(fault);
        Ok(())
    }

    /// Expires every TruSTAR token issued so far: the next call with one is
    /// refused as `Expired oauth2 access token`, though its client believes
    /// it fresh (as when the server's clock or policy differs from what the
    /// token answer said). `POST /_sandbox/expire-tokens` does the same.
    pub fn expire_tokens(&self) {
        self.app.expire_tokens();
    }

    /// Which XSIAM it plays.
    pub fn xsiam_dialect(&self) -> XsiamDialect {
        self.app.xsiam_dialect
    }

    /// What a person starting the sandbox needs to see: the base URL on the
    /// first line, then the credentials it accepts, marked sandbox-only,
    /// the XSIAM dialect it plays with the statuses that dialect takes, the
    /// reports it holds, and its own routes.
    pub fn banner(&self) -> String {
        let c = &self.credentials;
        let url = &self.base_url;
        let state = self.state();
        let dialect = self.app.xsiam_dialect;
        let xsiam_ids: Vec<&str> = state
            .xsiam_reports
            .iter()
            .filter_map(|r| r.xsoar_source_id.as_deref())
            .collect();
        let shown = |ids: &[&str]| match ids {
            [] => "none".to_string(),
            ids if ids.len() <= 6 => ids.join(", "),
            ids => format!(
                "{}, … {} ({} in all)",
                ids[..4].join(", "),
                ids[ids.len() - 1],
                ids.len()
            ),
        };
        let trustar: Vec<String> = state
            .trustar_reports
            .iter()
            .map(|r| match (&r.id, &r.external_tracking_id) {
                (Some(id), Some(external)) => format!("{id} (external id {external})"),
                (Some(id), None) => id.clone(),
                _ => "?".into(),
            })
            .collect();
        format!(
            "{url}\n\
             SANDBOX-ONLY credentials (never real ones):\n\
             \x20 XSIAM standard key: id {} key {}\n\
             \x20 XSIAM advanced key: id {} key {}\n\
             \x20 TruSTAR: api key {} secret {}\n\
             XSIAM plays the {dialect} dialect: statuses {}\n\
             \x20 reports {}\n\
             TruSTAR reports {}\n\
             State: GET {url}/_sandbox/state, reset: POST {url}/_sandbox/reset, faults: {url}/_sandbox/faults\n\
             For threat-reports' from_env() and reportctl:\n\
             \x20 export XSIAM_API_URL={url} XSIAM_API_KEY_ID={} XSIAM_API_KEY={}\n\
             \x20 export TRUSTAR_BASE_URL={url} TRUSTAR_API_KEY={} TRUSTAR_API_SECRET={}\n",
            c.xsiam_standard_key_id,
            c.xsiam_standard_key,
            c.xsiam_advanced_key_id,
            c.xsiam_advanced_key,
            c.trustar_api_key,
            c.trustar_api_secret,
            dialect::labels(dialect),
            shown(&xsiam_ids),
            if trustar.is_empty() {
                "none".to_string()
            } else {
                trustar.join(", ")
            },
            c.xsiam_standard_key_id,
            c.xsiam_standard_key,
            c.trustar_api_key,
            c.trustar_api_secret,
        )
    }

    /// Stops serving and waits for the server to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.server).await;
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
