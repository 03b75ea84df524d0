//! [`XsiamClient`]: the MTH/MDR reports of Cortex XSIAM ("Managed
//! Services APIs"): read and filter them, assign them, comment on them and
//! read their comments, set their status.
//!
//! ```no_run
//! use threat_reports::ReportStatus;
//! use threat_reports::xsiam::XsiamClient;
//!
//! # async fn run() -> Result<(), threat_reports::Error> {
//! let client = XsiamClient::builder()
//!     .base_url("tenant.xdr.us.paloaltonetworks.com") // `api-` is added
//!     .advanced_key("241", std::env::var("XSIAM_API_KEY").unwrap_or_default())
//!     .build()?;
//! let report = client.update_report_status("777776", "in progress".parse()?).await?;
//! assert_eq!(report.known_status(), Some(ReportStatus::InProgress));
//! # Ok(())
//! # }
//! ```

mod assignment;
mod builder;
mod comments;
mod envelope;
mod exchange;
mod read_back;
mod reads;
mod report;

use std::fmt;
use std::sync::Arc;

use xsiam_client::types::UpdateReportStatusRequest;

pub use assignment::Assignment;
pub use builder::XsiamClientBuilder;
pub use comments::{MthComment, NewComment};
pub use envelope::BodyEnvelope;
pub use report::{Attachment, Classification, MthReport, NoReport};

use crate::{Error, ReportStatus, StatusDialect};
use envelope::EnvelopeState;
use exchange::{About, Enveloped, unreadable};

/// The operations never sent twice once they may have reached the server:
/// a comment applied twice is two comments.
pub(crate) const SENT_ONCE: &[&str] = &["add_comment"];

/// The same, when lost writes are read back
/// ([`XsiamClientBuilder::read_back_lost_writes`]).
pub(crate) const SENT_ONCE_READ_BACK: &[&str] = &[
    "add_comment",
    "update_report_status",
    "update_report_assignment",
];

/// A client for Cortex XSIAM's MTH/MDR report API: authenticated, retrying,
/// with typed answers. Cheap to clone; clones share connections and what
/// the client learned of its tenant's body envelope.
#[derive(Clone)]
pub struct XsiamClient {
    client: xsiam_client::Client,
    base_url: String,
    key_id: String,
    advanced: bool,
    envelope: Arc<EnvelopeState>,
    /// With [`XsiamClientBuilder::read_back_lost_writes`]: the read-backs
    /// waiting to go out together.
    read_backs: Option<Arc<read_back::ReadBacks>>,
    /// How many times a write read back after a lost answer is sent in
    /// all: the retry policy's attempts.
    sends: u32,
}

impl fmt::Debug for XsiamClient {
    /// The base URL, the kind of key and its id, the envelope; never the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XsiamClient")
            .field("base_url", &self.base_url)
            .field(
                "key",
                &if self.advanced {
                    "advanced"
                } else {
                    "standard"
                },
            )
            .field("key_id", &self.key_id)
            .field("envelope", &self.envelope)
            .finish_non_exhaustive()
    }
}

impl XsiamClient {
    /// A builder: base URL and key are required.
    pub fn builder() -> XsiamClientBuilder {
        XsiamClientBuilder::default()
    }

    /// A client configured from the environment: `XSIAM_API_URL`,
    /// `XSIAM_API_KEY_ID`, `XSIAM_API_KEY`, `XSIAM_AUTH_MODE` (`standard`,
    /// the default, or `advanced`), `XSIAM_BODY_ENVELOPE` (`auto`, the
    /// default, `flat` or `request_data`), and optionally `XSIAM_PROXY` (a
    /// proxy URL) and `XSIAM_CA_CERT` (a PEM file of extra roots).
    pub fn from_env() -> Result<Self, Error> {
        XsiamClientBuilder::from_vars(|name| std::env::var(name).ok())?.build()
    }

    /// The base URL every call goes to, normalized
    /// (`https://api-TENANT…`, no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The body envelope this client sends now: the one configured, or
    /// with [`BodyEnvelope::Auto`], the one it learned from its tenant
    /// (`Auto` until the first answer tells).
    pub fn body_envelope(&self) -> BodyEnvelope {
        self.envelope.current()
    }

    /// The status labels this client's tenant takes, once its answers
    /// showed it: [`StatusDialect::Page`] (the vendor page's five: New, In
    /// Progress, Pending, Resolved, Closed) once it applied a flat body,
    /// [`StatusDialect::Live`] (New, In Progress, On Hold and four Resolved
    /// variants) once it refused one for want of `request_data`
    /// (`err_code` 101); `None` before (a configured envelope alone says
    /// nothing: a page tenant may take wrapped bodies too).
    ///
    /// Envelope and status set go together by the evidence there is: the
    /// vendor's "Update report status" page shows both the flat body and
    /// the five labels, and the one published account of live tenants (a
    /// community client's release notes, August 2026) reports both the
    /// refusal of flat bodies and the seven labels, no tenant being
    /// reported with one and not the other. Once the dialect is known,
    /// [`update_report_status`](Self::update_report_status) refuses a
    /// status of the other dialect before sending anything; until then the
    /// tenant decides.
    ///
    /// ```
    /// use threat_reports::xsiam::XsiamClient;
    ///
    /// let client = XsiamClient::builder()
    ///     .base_url("https://api-tenant.xdr.us.paloaltonetworks.com")
    ///     .standard_key("12", "key")
    ///     .build()?;
    /// assert_eq!(client.status_dialect(), None, "no answer yet");
    /// # Ok::<(), threat_reports::Error>(())
    /// ```
    pub fn status_dialect(&self) -> Option<StatusDialect> {
        self.envelope.dialect()
    }

    /// Reads a status as this client's tenant takes it: any spelling
    /// [`ReportStatus`] parses, limited to the tenant's labels once its
    /// dialect is known ([`status_dialect`](Self::status_dialect)). The
    /// error names the nearest label (`did you mean "On Hold"?`) and lists
    /// only the labels the tenant takes.
    ///
    /// ```
    /// use threat_reports::ReportStatus;
    /// use threat_reports::xsiam::XsiamClient;
    ///
    /// let client = XsiamClient::builder()
    ///     .base_url("https://api-tenant.xdr.us.paloaltonetworks.com")
    ///     .standard_key("12", "key")
    ///     .build()?;
    /// // Before any answer, every label of both dialects.
    /// assert_eq!(client.parse_status("on hold")?, ReportStatus::OnHold);
    /// let error = client.parse_status("on hld").unwrap_err().to_string();
    /// assert!(error.contains(r#"did you mean "On Hold"?"#), "{error}");
    /// # Ok::<(), threat_reports::Error>(())
    /// ```
    pub fn parse_status(&self, text: &str) -> Result<ReportStatus, Error> {
        let allowed = self.allowed_statuses();
        match text.parse::<ReportStatus>() {
            Ok(status) if allowed.contains(&status) => Ok(status),
            Ok(status) => Err(self
                .refused_status(status)
                .unwrap_or_else(|| Error::from(crate::UnknownStatus::among(text, allowed)))),
            Err(_) => Err(Error::from(crate::UnknownStatus::among(text, allowed))),
        }
    }

    /// The statuses the tenant takes, as far as this client knows.
    fn allowed_statuses(&self) -> &'static [ReportStatus] {
        match self.status_dialect() {
            Some(StatusDialect::Page) => &ReportStatus::PAGE,
            Some(StatusDialect::Live) => &ReportStatus::LIVE,
            _ => &ReportStatus::ALL,
        }
    }

    /// The error for a status the tenant does not take, once its dialect
    /// is known: sent, it would only be refused.
    fn refused_status(&self, status: ReportStatus) -> Option<Error> {
        let (dialect, takes, why) = match self.status_dialect()? {
            StatusDialect::Page => (
                "the vendor page's dialect",
                &ReportStatus::PAGE[..],
                "it takes flat bodies",
            ),
            StatusDialect::Live => (
                "the live tenants' dialect",
                &ReportStatus::LIVE[..],
                "it wants the request_data envelope",
            ),
            _ => return None,
        };
        if takes.contains(&status) {
            return None;
        }
        Some(Error::InvalidInput {
            field: "status",
            problem: format!(
                "this tenant speaks {dialect} ({why}), which has no {:?}; nothing was sent",
                status.label()
            ),
            allowed: format!("one of {}", crate::status::labels(takes)),
        })
    }

    /// Sets the status of the report `source_id` and returns the report as
    /// stored after the update.
    ///
    /// The request carries the status's label (`"In Progress"`); the answer
    /// its stored form (`IN_PROGRESS`). An empty `source_id` is refused
    /// before anything is sent, and so is a status of the other dialect
    /// once the client knows its tenant's ([`status_dialect`](Self::status_dialect)).
    ///
    /// `Ok` means the server applied the update: a success answer is never
    /// turned into an error by one field it could not read (see
    /// [`MthReport`]). An `Err` means the update is not known to be applied.
    ///
    /// With [`BodyEnvelope::Auto`] (the default) the first call sends the
    /// vendor page's flat body; if the tenant answers that it wants
    /// `request_data` (`err_code` 101), the same update is sent again
    /// wrapped, and from then on this client and its clones send wrapped
    /// bodies. Calls made while the first is out wait for its answer. A
    /// probe whose answer shows nothing (a 503, a timeout) teaches nothing,
    /// and the next call probes again: a tenant that refuses flat bodies
    /// sees one flat body for each such probe (two, when the first probe
    /// meets a 503), and none once one probe was answered.
    pub async fn update_report_status(
        &self,
        source_id: impl AsRef<str>,
        status: ReportStatus,
    ) -> Result<MthReport, Error> {
        let source_id = source_id_of(source_id.as_ref())?;
        self.checked_write(
            source_id.as_str(),
            || self.set_status(&source_id, status),
            |report| report.known_status() == Some(status),
            |report| report,
        )
        .await
    }

    /// Whether this client reads back status updates and assignments whose
    /// answer was lost before sending them again
    /// ([`XsiamClientBuilder::read_back_lost_writes`]).
    pub fn reads_back_lost_writes(&self) -> bool {
        self.read_backs.is_some()
    }

    /// Sends one status update (in the envelope the tenant takes).
    async fn set_status(
        &self,
        source_id: &xsiam_client::types::SourceId,
        status: ReportStatus,
    ) -> Result<MthReport, Error> {
        let fields = UpdateReportStatusRequest {
            xsoar_source_id: source_id.clone(),
            report_status: status.into(),
        };
        let id = source_id.as_str();
        self.exchange(
            About::Status(status),
            |envelope| {
                let body = fields.body(envelope);
                async move {
                    self.send(
                        envelope,
                        || self.client.update_report_status(&body),
                        |reply, record| {
                            MthReport::from_reply(reply, id).map_err(|why| {
                            unreadable(
                                "a report ({\"reply\": report}, {\"reply\": {\"DATA\": [report]}} \
                                 or {\"reply\": [report]})",
                                &why.to_string(),
                                record,
                            )
                        })
                        },
                    )
                    .await
                }
            },
            |client| client.refused_status(status),
        )
        .await
    }
}

/// A report's id as requests carry it: refused before anything is sent
/// when it is empty or all whitespace.
fn source_id_of(id: &str) -> Result<xsiam_client::types::SourceId, Error> {
    let invalid = |problem: &str| Error::InvalidInput {
        field: "source_id",
        problem: problem.into(),
        allowed: "the report's xsoar_source_id: at least one character, not all whitespace".into(),
    };
    if id.trim().is_empty() {
        return Err(invalid("it is empty"));
    }
    id.parse().map_err(|_| invalid("it is empty"))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    const VECTOR_NONCE: &str = "b5834c137a825cc6c80111f237e1c5f8dedeef5df9dcd4c7f1dc73f180c89b47";

    fn answer() -> serde_json::Value {
        serde_json::json!({ "reply": { "XSOAR_SOURCE_ID": "777776", "REPORT_STATUS": "IN_PROGRESS" } })
    }

    /// The vendor's test vector, end to end: with the nonce and clock
    /// injected, the request carries exactly the documented headers.
    #[tokio::test]
    async fn advanced_key_sends_the_vendor_test_vector() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/public_api/v1/mth/child/report/update/status"))
            .and(header("x-xdr-auth-id", "241"))
            .and(header("x-xdr-nonce", VECTOR_NONCE))
            .and(header("x-xdr-timestamp", "1584983036945"))
            .and(header(
                "authorization",
                "8eb5e56a1656a35c9d187762d945339455b5382e11d779c458a63c652e1e79e9",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(answer()))
            .expect(1)
            .mount(&server)
            .await;
        let client = XsiamClient::builder()
            .base_url(server.uri())
            .advanced_key("241", "testApiKey")
            .nonce_and_clock(
                Arc::new(|| VECTOR_NONCE.to_string()),
                Arc::new(|| 1_584_983_036_945),
            )
            .build()
            .unwrap();
        let report = client
            .update_report_status("777776", ReportStatus::InProgress)
            .await
            .unwrap();
        assert_eq!(
            report.status,
            crate::Reported::Known(ReportStatus::InProgress)
        );
    }

    /// Each retry computes the headers again: a new nonce and timestamp.
    #[tokio::test]
    async fn advanced_headers_are_computed_again_for_each_retry() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(answer()))
            .mount(&server)
            .await;
        let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (nonces, clock) = (counter.clone(), counter);
        let client = XsiamClient::builder()
            .base_url(server.uri())
            .advanced_key("241", "testApiKey")
            .retry(
                crate::RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(1)),
            )
            .nonce_and_clock(
                Arc::new(move || {
                    format!(
                        "{:064}",
                        nonces.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                    )
                }),
                Arc::new(move || 1_000 + clock.load(std::sync::atomic::Ordering::SeqCst)),
            )
            .build()
            .unwrap();
        client
            .update_report_status("777776", ReportStatus::New)
            .await
            .unwrap();
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 2);
        let values = |name: &str| -> Vec<String> {
            requests
                .iter()
                .map(|r| r.headers[name].to_str().unwrap().to_string())
                .collect()
        };
        let nonces = values("x-xdr-nonce");
        assert_ne!(nonces[0], nonces[1]);
        assert_ne!(values("x-xdr-timestamp")[0], values("x-xdr-timestamp")[1]);
        for (i, request) in requests.iter().enumerate() {
            let expected = crate::auth::advanced_key::advanced_signature(
                &secrecy::SecretString::from("testApiKey"),
                &nonces[i],
                &values("x-xdr-timestamp")[i],
            );
            assert_eq!(
                request.headers["authorization"].to_str().unwrap(),
                secrecy::ExposeSecret::expose_secret(&expected)
            );
        }
    }
}
