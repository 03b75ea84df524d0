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
//! assert_eq!(report.status.known(), Some(&ReportStatus::InProgress));
//! # Ok(())
//! # }
//! ```

mod builder;
mod report;

use std::fmt;

use xsiam_client::types::{ErrorResponse, UpdateReportStatusRequest};

pub use builder::XsiamClientBuilder;
pub use report::{Attachment, Classification, MthReport};

use crate::call::{CallRecord, recorded};
use crate::error::{Api, snippet};
use crate::executor::is_throttle;
use crate::failure::{Answer, Failure, failure, rate_limited};
use crate::{Error, ReportStatus};

const UNAUTHORIZED_HINT: &str = "Usual causes: a wrong key id (x-xdr-auth-id), a standard key \
    configured as advanced or the reverse, or, with an advanced key, this machine's clock more \
    than about 5 minutes off";
const FORBIDDEN_HINT: &str = "Only users with Instance Administrator rights may call the \
    mth/child endpoints, on a tenant authorized for them";
const LICENCE_HINT: &str = "The tenant's licence does not cover this API";

/// The `Authorization` value of an advanced key: the lowercase hex SHA-256
/// of `key + nonce + timestamp` (a plain concatenation, not an HMAC). The
/// client computes it for every attempt; a server or a test that checks
/// advanced keys uses this same rule.
///
/// ```
/// let signature = threat_reports::xsiam::advanced_key_signature(
///     "testApiKey",
///     "b5834c137a825cc6c80111f237e1c5f8dedeef5df9dcd4c7f1dc73f180c89b47",
///     "1584983036945",
/// );
/// assert_eq!(signature, "8eb5e56a1656a35c9d187762d945339455b5382e11d779c458a63c652e1e79e9");
/// ```
pub fn advanced_key_signature(key: &str, nonce: &str, timestamp: &str) -> String {
    use secrecy::ExposeSecret;
    crate::auth::advanced_signature(&secrecy::SecretString::from(key), nonce, timestamp)
        .expose_secret()
        .to_string()
}

/// A client for Cortex XSIAM's MTH/MDR report API: authenticated, retrying,
/// with typed answers. Cheap to clone; clones share connections.
#[derive(Clone)]
pub struct XsiamClient {
    client: xsiam_client::Client,
    base_url: String,
    key_id: String,
    advanced: bool,
}

impl fmt::Debug for XsiamClient {
    /// The base URL, the kind of key and its id; never the key.
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
            .finish_non_exhaustive()
    }
}

impl XsiamClient {
    /// A builder: base URL and key are required.
    pub fn builder() -> XsiamClientBuilder {
        XsiamClientBuilder::default()
    }

    /// A client configured from the environment: `XSIAM_API_URL`,
    /// `XSIAM_API_KEY_ID`, `XSIAM_API_KEY`, and `XSIAM_AUTH_MODE`
    /// (`standard`, the default, or `advanced`).
    pub fn from_env() -> Result<Self, Error> {
        XsiamClientBuilder::from_vars(|name| std::env::var(name).ok())?.build()
    }

    /// The base URL every call goes to, normalized
    /// (`https://api-TENANT…`, no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sets the status of the report `source_id` and returns the report as
    /// stored after the update.
    ///
    /// The request carries the status's label (`"In Progress"`); the answer
    /// its stored form (`IN_PROGRESS`). An empty `source_id` is refused
    /// before anything is sent.
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
        let body = UpdateReportStatusRequest {
            xsoar_source_id: source_id.parse().map_err(|_| invalid("it is empty"))?,
            report_status: status.into(),
        };
        let (result, record) = recorded(self.client.update_report_status(&body)).await;
        match result {
            Ok(answer) => MthReport::try_from(answer.into_inner().reply),
            Err(error) => Err(to_error(failure(error, &record).await, &record)),
        }
    }
}

/// The vendor's message: `err_msg`, and `err_extra` when it says more.
fn message(error: &Option<ErrorResponse>, body: &str) -> (Option<String>, String) {
    let Some(reply) = error.as_ref().map(|e| &e.reply) else {
        return (None, body.to_string());
    };
    let code = reply.err_code.as_ref().map(|c| snippet(&c.to_string()));
    let mut message = reply.err_msg.clone().unwrap_or_default();
    let extra = match &reply.err_extra {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    if let Some(extra) = extra.filter(|e| !e.is_empty() && *e != message) {
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&extra);
    }
    if message.is_empty() {
        message = body.to_string();
    }
    (code, snippet(&message))
}

fn to_error(failed: Failure<ErrorResponse>, record: &CallRecord) -> Error {
    let api = Api::Xsiam;
    let Answer {
        response,
        body,
        error,
    } = match failed.into_answer(api, "an update-status answer ({\"reply\": {...}})", record) {
        Ok(answer) => answer,
        Err(error) => return error,
    };
    let (code, mut message) = message(&error, &response.body);
    match response.status {
        status if is_throttle(status, &body) => rate_limited(api, record, message, response),
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
        status => {
            if status == 500 {
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
            let expected = crate::auth::advanced_signature(
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
