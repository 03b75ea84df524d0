//! [`TrustarClient`]: reads and replaces TruSTAR reports.
//!
//! ```no_run
//! use threat_reports::trustar::{ReportId, TrustarClient};
//!
//! # async fn run() -> Result<(), threat_reports::Error> {
//! let client = TrustarClient::from_env()?;
//! let id = ReportId::External("M-1234".into());
//! // Read, change, write back the writable fields.
//! client
//!     .edit_report(&id, |report| report.body.push_str("\nAlso seen: 185.220.101.4"))
//!     .await?;
//! # Ok(())
//! # }
//! ```

mod builder;
mod family;
mod pages;
mod report;
pub(crate) mod token;

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use progenitor_client::ResponseValue;
use trustar_client::types::Error as WireError;

pub use builder::TrustarClientBuilder;
pub use family::{
    Enclave, ExtractedIndicator, Quota, ReportProcessing, Submission, Tag, UpsertMode,
};
pub use pages::{ReportQuery, ReportSummary};
pub use report::{MAX_BODY_BYTES, MAX_EXTERNAL_URL_CHARS, Report, ReportId, ReportUpdate};

/// The operations never sent twice once they may have reached the server:
/// each applied is one more report (a submission, a copy) or one more
/// appended body (an upsert in `APPEND` mode; an `OVERRIDE` one is
/// resent by the client itself).
pub(crate) const SENT_ONCE: &[&str] = &["submit_report", "copy_report", "upsert_report"];

use crate::Error;
use crate::call::{CallRecord, recorded, too_large};
use crate::error::{Api, snippet};
use crate::failure::{Answer, Failure, come_back_later, failure, first_message};
use crate::indicators::IndicatorCount;
use token::Tokens;

const UNAUTHORIZED_HINT: &str = "The access token was refused even after a fresh one was \
    fetched: check the API key and secret (TRUSTAR_API_KEY, TRUSTAR_API_SECRET), or the \
    bearer token given to the client";
const FORBIDDEN_HINT: &str = "The account may not read or write this report: check its \
    enclave and the user's role in Station";

/// A client for TruSTAR's report API: tokens, retries, and the checks
/// TruSTAR would make, made before sending. Cheap to clone; clones share
/// connections and tokens.
#[derive(Clone)]
pub struct TrustarClient {
    client: trustar_client::Client,
    tokens: Arc<Tokens>,
    max_indicators: usize,
    base_url: String,
    /// How many times a write is sent in all, read-backs between: the
    /// retry policy's attempts.
    sends: u32,
}

impl fmt::Debug for TrustarClient {
    /// The base URL and limit; never a key, secret or token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustarClient")
            .field("base_url", &self.base_url)
            .field("max_indicators", &self.max_indicators)
            .field(
                "tokens",
                &if self.tokens.can_refresh() {
                    "client credentials"
                } else {
                    "fixed bearer token"
                },
            )
            .finish_non_exhaustive()
    }
}

/// What one call is about, for the [`Error`] a failure becomes.
pub(crate) struct Context {
    /// What a 404 did not find (`report with id "…"`).
    what: String,
    /// The count of the body sent, for a 413.
    sent: Option<IndicatorCount>,
}

impl Context {
    /// A call about `what`.
    pub(crate) fn about(what: impl ToString) -> Self {
        Context {
            what: what.to_string(),
            sent: None,
        }
    }

    /// A call that sends a body with this count.
    pub(crate) fn sending(mut self, count: IndicatorCount) -> Self {
        self.sent = Some(count);
        self
    }
}

impl TrustarClient {
    /// A builder: credentials (or a bearer token) are required.
    pub fn builder() -> TrustarClientBuilder {
        TrustarClientBuilder::default()
    }

    /// A client configured from the environment: `TRUSTAR_API_KEY`,
    /// `TRUSTAR_API_SECRET`, and optionally `TRUSTAR_BASE_URL`,
    /// `TRUSTAR_PROXY` (a proxy URL) and `TRUSTAR_CA_CERT` (a PEM file of
    /// extra roots).
    pub fn from_env() -> Result<Self, Error> {
        TrustarClientBuilder::from_vars(|name| std::env::var(name).ok())?.build()
    }

    /// The base URL every call goes to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The most indicators an update may hold.
    pub fn max_indicators(&self) -> usize {
        self.max_indicators
    }

    /// Reads a report (times become date-times).
    pub async fn get_report(&self, id: &ReportId) -> Result<Report, Error> {
        let (raw_id, id_type) = id.parts()?;
        let context = Context::about(id);
        let (raw, record) = self
            .call(&context, || self.client.get_report(raw_id, Some(id_type)))
            .await?;
        Report::from_wire(raw).map_err(|e| e.into_error(Api::Trustar, record.response()))
    }

    /// Every check [`update_report`](Self::update_report) makes before it
    /// sends anything, with nothing sent: `Ok` with the update's indicator
    /// count when it would be sent, the same error otherwise. For dry runs.
    ///
    /// ```
    /// use threat_reports::Error;
    /// use threat_reports::trustar::{ReportId, ReportUpdate, TrustarClient};
    ///
    /// let client = TrustarClient::builder().bearer_token("t").max_indicators(1).build()?;
    /// let id = ReportId::External("M-1234".into());
    /// let small = ReportUpdate::new("t", "evil.exe", "e1");
    /// assert_eq!(client.check_update(&id, &small)?.total, 1);
    /// let big = ReportUpdate::new("t", "evil.exe and 185.220.101.4", "e1");
    /// assert!(matches!(client.check_update(&id, &big), Err(Error::TooManyIndicators { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn check_update(
        &self,
        id: &ReportId,
        update: &ReportUpdate,
    ) -> Result<crate::indicators::IndicatorCount, Error> {
        id.parts()?;
        update.checked(self.max_indicators)?;
        Ok(update.indicator_count())
    }

    /// Replaces a report with `update`, after checking everything TruSTAR
    /// would refuse: a non-empty title and body, exactly one enclave id,
    /// `external_url` of at most 500 characters, a body of at most 2 MiB,
    /// and at most [`max_indicators`](Self::max_indicators) indicators.
    /// A refused update sends nothing.
    pub async fn update_report(&self, id: &ReportId, update: &ReportUpdate) -> Result<(), Error> {
        let (raw_id, id_type) = id.parts()?;
        let body = update.checked(self.max_indicators)?;
        let context = Context::about(id).sending(update.indicator_count());
        let result = self
            .call(&context, || {
                self.client.update_report(raw_id, Some(id_type), &body)
            })
            .await;
        match result {
            Ok(_) => Ok(()),
            // The spec documents 200 with no body; a server that answers
            // 201 or 204 stored the report all the same.
            Err(Error::Api { response, .. }) if (200..300).contains(&response.status) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Reads the report, lets `edit` change its writable fields, and writes
    /// them back (never `id`, `created` or `updated`). Returns what was
    /// written.
    pub async fn edit_report(
        &self,
        id: &ReportId,
        edit: impl FnOnce(&mut ReportUpdate),
    ) -> Result<ReportUpdate, Error> {
        let report = self.get_report(id).await?;
        let mut update = ReportUpdate::from(&report);
        edit(&mut update);
        self.update_report(id, &update).await?;
        Ok(update)
    }

    /// [`edit_report`](Self::edit_report) with an edit that can fail and
    /// await: it takes the report's writable fields and returns them
    /// changed, or an error, in which case nothing is sent. Its error type
    /// takes this crate's [`Error`] too (`anyhow::Error` and
    /// `Box<dyn std::error::Error + Send + Sync>` do), so one `?` serves
    /// both.
    ///
    /// ```no_run
    /// use threat_reports::trustar::{ReportId, TrustarClient};
    ///
    /// type BoxError = Box<dyn std::error::Error + Send + Sync>;
    ///
    /// # async fn run(client: TrustarClient) -> Result<(), BoxError> {
    /// let id = ReportId::External("M-1234".into());
    /// let written = client
    ///     .try_edit_report(&id, |mut update| async move {
    ///         let notes = tokio::fs::read_to_string("notes.txt").await?;
    ///         update.body.push_str("\n\n");
    ///         update.body.push_str(&notes);
    ///         Ok::<_, BoxError>(update)
    ///     })
    ///     .await?;
    /// println!("{} indicators now", written.indicator_count().total);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn try_edit_report<E, F, Fut>(
        &self,
        id: &ReportId,
        edit: F,
    ) -> Result<ReportUpdate, E>
    where
        E: From<Error>,
        F: FnOnce(ReportUpdate) -> Fut,
        Fut: Future<Output = Result<ReportUpdate, E>>,
    {
        let report = self.get_report(id).await?;
        let update = edit(ReportUpdate::from(&report)).await?;
        self.update_report(id, &update).await?;
        Ok(update)
    }

    /// Runs one generated call with a fresh token; replays it once with a
    /// new token if the server says the one used went stale. Returns the
    /// answer and what the call recorded of it.
    pub(crate) async fn call<T, F, Fut>(
        &self,
        context: &Context,
        operation: F,
    ) -> Result<(T, Arc<CallRecord>), Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<WireError>>>,
    {
        let mut replayed = false;
        loop {
            self.tokens.ensure().await?;
            let used = self.tokens.slot.current();
            // The generated call's future boxed once, and the rare paths
            // (an error answer read whole, a token fetched again) too: the
            // futures around this one then stay small and cheap to move.
            let (result, record) = recorded(Box::pin(operation())).await;
            if let Some(error) = too_large(Api::Trustar, &record) {
                return Err(error);
            }
            let failed = match result {
                Ok(answer) => return Ok((answer.into_inner(), record)),
                Err(error) => Box::pin(failure(error, &record)).await,
            };
            if !replayed && self.tokens.can_refresh() && is_stale_token(&failed) {
                tracing::debug!("the access token went stale; fetching a new one and replaying");
                Box::pin(self.tokens.refresh(used.as_ref())).await?;
                replayed = true;
                continue;
            }
            return Err(self.to_error(failed, context, &record));
        }
    }

    fn to_error(
        &self,
        failed: Failure<WireError>,
        context: &Context,
        record: &CallRecord,
    ) -> Error {
        let api = Api::Trustar;
        let Answer {
            response,
            body,
            error,
        } = match failed.into_answer(api, "a report", record) {
            Ok(answer) => answer,
            Err(error) => return error,
        };
        // The vendor's words, most specific first.
        let fields = error.iter().flat_map(|e| {
            [
                e.message.as_deref(),
                e.error_description.as_deref(),
                e.error.as_deref(),
            ]
        });
        let message = first_message(fields, &response.body);
        if let Some(later) = come_back_later(api, record, &body, &message, &response) {
            return later;
        }
        match response.status {
            401 | 400 if is_stale(&error) || response.status == 401 => Error::Unauthorized {
                api,
                message,
                hint: UNAUTHORIZED_HINT,
                response,
            },
            403 => Error::Forbidden {
                api,
                message,
                hint: FORBIDDEN_HINT,
                response,
            },
            404 => Error::NotFound {
                api,
                what: context.what.clone(),
                response,
            },
            413 => Error::TooManyIndicators {
                count: context.sent.clone(),
                limit: self.max_indicators,
                server_message: Some(message),
                response: Some(Box::new(response)),
            },
            _ => Error::Api {
                api,
                code: error.and_then(|e| e.error).map(|code| snippet(&code)),
                message,
                response,
            },
        }
    }
}

/// Whether an error body says the token expired or is invalid.
fn is_stale(error: &Option<WireError>) -> bool {
    error.as_ref().is_some_and(|e| {
        let description = e
            .error_description
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        description.contains("expired oauth2 access token")
            || description.contains("invalid oauth2 access token")
            || e.error.as_deref() == Some("invalid_token")
    })
}

/// TruSTAR answers a stale token with 400 (and a description saying so), or
/// 401.
fn is_stale_token(failed: &Failure<WireError>) -> bool {
    match failed {
        Failure::Answer {
            response, error, ..
        } => response.status == 401 || (response.status == 400 && is_stale(error)),
        _ => false,
    }
}
