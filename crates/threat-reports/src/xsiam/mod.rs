//! [`XsiamClient`]: sets the status of MTH/MDR reports in Cortex XSIAM.
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

mod builder;
mod envelope;
mod report;

use std::fmt;
use std::sync::Arc;

use xsiam_client::types::{
    ErrorResponse, UpdateReportStatusBody, UpdateReportStatusEnvelope, UpdateReportStatusRequest,
};

pub use builder::XsiamClientBuilder;
pub use envelope::BodyEnvelope;
pub use report::{Attachment, Classification, MthReport, NoReport};

use crate::call::{CallRecord, recorded, too_large};
use crate::error::{Api, snippet};
use crate::failure::{Answer, Failure, come_back_later, failure};
use crate::{Error, ReportStatus, StatusDialect};
use envelope::{Envelope, EnvelopeState};

const UNAUTHORIZED_HINT: &str = "Usual causes: the key itself is wrong or was revoked \
    (XSIAM_API_KEY), a wrong key id (x-xdr-auth-id: XSIAM_API_KEY_ID), a standard key \
    configured as advanced or the reverse (XSIAM_AUTH_MODE), or, with an advanced key, this \
    machine's clock more than about 5 minutes off";
const FORBIDDEN_HINT: &str = "Only users with Instance Administrator rights may call the \
    mth/child endpoints, on a tenant authorized for them";
const LICENCE_HINT: &str = "The tenant's licence does not cover this API";

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

/// What one sent body came to. Moved once per call, never stored.
#[allow(clippy::large_enum_variant)]
enum Sent {
    /// A success answer (or an answer that could not be read).
    Done(Result<MthReport, Error>),
    /// An error answer.
    Refused(Failure<ErrorResponse>, Arc<CallRecord>),
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
        let source_id = source_id.as_ref();
        let invalid = |problem: &str| Error::InvalidInput {
            field: "source_id",
            problem: problem.into(),
            allowed: "the report's xsoar_source_id: at least one character, not all whitespace"
                .into(),
        };
        if source_id.trim().is_empty() {
            return Err(invalid("it is empty"));
        }
        let fields = UpdateReportStatusRequest {
            xsoar_source_id: source_id.parse().map_err(|_| invalid("it is empty"))?,
            report_status: status.into(),
        };
        let probe = match self.envelope.envelope_or_probe().await {
            Ok(envelope) => {
                if let Some(refused) = self.refused_status(status) {
                    return Err(refused);
                }
                return self.finish(self.send(envelope, &fields, source_id).await, status);
            }
            Err(probe) => probe,
        };
        // This call finds out the tenant's envelope; others wait for it.
        match self.send(Envelope::Flat, &fields, source_id).await {
            Sent::Refused(failed, _) if wants_request_data(&failed) => {
                probe.learned(Envelope::RequestData);
                // The flat body was refused whole: nothing was applied yet.
                if let Some(refused) = self.refused_status(status) {
                    return Err(refused);
                }
                let sent = self.send(Envelope::RequestData, &fields, source_id).await;
                self.finish(sent, status)
            }
            sent @ Sent::Done(Ok(_)) => {
                probe.learned(Envelope::Flat);
                self.finish(sent, status)
            }
            sent => self.finish(sent, status),
        }
    }

    /// Sends the update in `envelope`.
    async fn send(
        &self,
        envelope: Envelope,
        fields: &UpdateReportStatusRequest,
        source_id: &str,
    ) -> Sent {
        let body: UpdateReportStatusBody = match envelope {
            Envelope::Flat => fields.clone().into(),
            Envelope::RequestData => UpdateReportStatusEnvelope {
                request_data: fields.clone(),
            }
            .into(),
        };
        let (result, record) = recorded(self.client.update_report_status(&body)).await;
        if let Some(error) = too_large(Api::Xsiam, &record) {
            return Sent::Done(Err(error));
        }
        let sent = match result {
            // The generated client hands the reply over as it arrived; it
            // is read field by field.
            Ok(answer) => Sent::Done(
                MthReport::from_reply(answer.into_inner().reply.get(), source_id)
                    .map_err(|why| no_report(why, &record)),
            ),
            // A success answer the generated client could not read (not
            // JSON, or no `reply`) was still a success.
            Err(progenitor_client::Error::InvalidResponsePayload(..))
                if record
                    .answer()
                    .is_some_and(|(status, _)| (200..300).contains(&status)) =>
            {
                let body = record.arrived().map(|a| a.body).unwrap_or_default();
                Sent::Done(
                    MthReport::from_update_answer(&body, source_id)
                        .map_err(|why| no_report(why, &record)),
                )
            }
            Err(error) => Sent::Refused(failure(error, &record).await, record),
        };
        // What a flat body's answer shows of the tenant's statuses.
        if envelope == Envelope::Flat {
            match &sent {
                Sent::Done(Ok(_)) => self.envelope.flat_body_answered(true),
                Sent::Refused(failed, _) if wants_request_data(failed) => {
                    self.envelope.flat_body_answered(false)
                }
                _ => {}
            }
        }
        sent
    }

    fn finish(&self, sent: Sent, status: ReportStatus) -> Result<MthReport, Error> {
        match sent {
            Sent::Done(result) => result,
            Sent::Refused(failed, record) => Err(to_error(failed, &record, status)),
        }
    }
}

/// The error for a success answer that holds no report.
fn no_report(why: NoReport, record: &CallRecord) -> Error {
    let response = record.response();
    Error::Decode {
        api: Api::Xsiam,
        what: "a report ({\"reply\": report}, {\"reply\": {\"DATA\": [report]}} or {\"reply\": [report]})",
        problem: format!(
            "{why}. XSIAM answered HTTP {}, so the update may have been applied, but it \
             returned no report",
            response.status
        ),
        response,
    }
}

/// Whether an error answer says the tenant wants the `request_data`
/// envelope: `err_code` 101, or a message naming `request_data`, whatever
/// the HTTP status.
fn wants_request_data(failed: &Failure<ErrorResponse>) -> bool {
    let Failure::Answer { body, error, .. } = failed else {
        return false;
    };
    let code_101 = error.as_ref().is_some_and(|e| {
        e.reply
            .err_code
            .as_ref()
            .is_some_and(|code| code.to_string().trim() == "101")
    });
    code_101 || String::from_utf8_lossy(body).contains("request_data")
}

/// The vendor's code and message: the reason in `err_extra` first, then
/// `err_msg`; and whether the answer gave a reason.
fn message(error: &Option<ErrorResponse>, body: &str) -> (Option<String>, String, bool) {
    let Some(reply) = error.as_ref().map(|e| &e.reply) else {
        return (None, body.to_string(), false);
    };
    let code = reply.err_code.as_ref().map(|c| snippet(&c.to_string()));
    let err_msg = reply.err_msg.clone().unwrap_or_default();
    let extra = match &reply.err_extra {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
    .filter(|e| !e.trim().is_empty() && *e != err_msg);
    let reason = extra.is_some();
    let message = match (extra, err_msg.is_empty()) {
        (Some(extra), false) => format!("{extra} (XSIAM said: {err_msg})"),
        (Some(extra), true) => extra,
        (None, false) => err_msg,
        (None, true) => body.to_string(),
    };
    (code, snippet(&message), reason)
}

/// For a refused status value: the labels of the other dialect.
fn status_hint(status: ReportStatus) -> String {
    let live = "On Hold, Resolved False Positive, Resolved True Positive, Resolved Other, \
                Resolved Security Testing";
    let page = "Pending, Resolved, Closed";
    let other = match status.dialect() {
        StatusDialect::Page => format!("the live tenants' labels ({live})"),
        StatusDialect::Live => format!("the vendor page's labels ({page})"),
        _ => format!("the vendor page's labels ({page}) or the live tenants' ({live})"),
    };
    format!(
        " (the tenant refused the status {:?}: it may expect {other})",
        status.label()
    )
}

fn to_error(failed: Failure<ErrorResponse>, record: &CallRecord, status: ReportStatus) -> Error {
    let api = Api::Xsiam;
    let Answer {
        response,
        body,
        error,
    } = match failed.into_answer(api, "an update-status answer ({\"reply\": {...}})", record) {
        Ok(answer) => answer,
        Err(error) => return error,
    };
    let (code, mut message, gave_reason) = message(&error, &response.body);
    if let Some(later) = come_back_later(api, record, &body, &message, &response) {
        return later;
    }
    match response.status {
        401 => Error::Unauthorized {
            api,
            message,
            hint: UNAUTHORIZED_HINT,
            response,
        },
        402 => Error::Forbidden {
            api,
            message,
            hint: LICENCE_HINT,
            response,
        },
        403 => Error::Forbidden {
            api,
            message,
            hint: FORBIDDEN_HINT,
            response,
        },
        http => {
            if message.to_ascii_lowercase().contains("status") {
                message.push_str(&status_hint(status));
            } else if http == 500 && !gave_reason {
                message.push_str(
                    " (XSIAM also answers this way for an unknown xsoar_source_id: check the id)",
                );
            }
            Error::Api {
                api,
                code,
                message,
                response,
            }
        }
    }
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
