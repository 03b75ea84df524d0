//! What a failed generated call left: an answer (status, request id, body,
//! the vendor's error if it decoded), a transport error, or an unreadable
//! answer. Each client turns these into [`Error`](crate::Error)s its own way.

use reqwest::header::{HeaderMap, HeaderName};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::call::CallRecord;
use crate::error::{Api, ApiResponse, snippet};
use crate::throttle::{asks_to_come_back, is_throttle};

pub(crate) enum Failure<E> {
    /// An error answer.
    Answer {
        response: ApiResponse,
        /// The whole body, for the throttle check.
        body: Vec<u8>,
        /// The vendor's error, when the body is one.
        error: Option<E>,
    },
    /// No answer: the connection failed, or its body could not be read.
    Transport(reqwest::Error),
    /// A success answer whose body could not be read.
    Unreadable {
        problem: String,
        response: ApiResponse,
    },
    /// The generated code refused to build the request.
    Refused(String),
}

/// The request id an answer carries: TruSTAR's `Trace-Id`, or
/// `x-request-id`.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    // Names made once, not parsed from text on every answer.
    const NAMES: [HeaderName; 2] = [
        HeaderName::from_static("trace-id"),
        HeaderName::from_static("x-request-id"),
    ];
    NAMES
        .iter()
        .find_map(|name| headers.get(name))
        .and_then(|v| v.to_str().ok())
        .map(snippet)
}

/// What `error` left; `record` supplies the status of an error answer
/// whose body the generated code could not read as the vendor's error.
pub(crate) async fn failure<E: DeserializeOwned + Serialize>(
    error: progenitor_client::Error<E>,
    record: &CallRecord,
) -> Failure<E> {
    use progenitor_client::Error as E2;
    match error {
        E2::ErrorResponse(answer) => {
            let status = answer.status().as_u16();
            let request_id = request_id(answer.headers());
            let error = answer.into_inner();
            // The body as it arrived (the executor kept it), not a
            // re-encoding of what the generated type read of it.
            let body = match record.arrived() {
                Some(arrived) if arrived.status == status => arrived.body.to_vec(),
                _ => serde_json::to_vec(&error).unwrap_or_default(),
            };
            error_answer(status, request_id, body, Some(error))
        }
        E2::UnexpectedResponse(answer) => {
            let status = answer.status().as_u16();
            let request_id = request_id(answer.headers());
            let body = answer.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            let error = serde_json::from_slice(&body).ok();
            error_answer(status, request_id, body, error)
        }
        // An error answer in a shape other than the vendor's error is
        // still an error answer, with its status and request id.
        E2::InvalidResponsePayload(body, problem) => match record.answer() {
            Some((status, request_id)) if status >= 400 => {
                error_answer(status, request_id, body.to_vec(), None)
            }
            answer => Failure::Unreadable {
                problem: problem.to_string(),
                response: ApiResponse {
                    status: answer.as_ref().map_or(0, |(status, _)| *status),
                    request_id: answer.and_then(|(_, id)| id),
                    body: snippet(&String::from_utf8_lossy(&body)),
                },
            },
        },
        E2::CommunicationError(e) | E2::ResponseBodyError(e) | E2::InvalidUpgrade(e) => {
            Failure::Transport(e)
        }
        E2::InvalidRequest(why) | E2::Custom(why) => Failure::Refused(why),
    }
}

/// An error answer: its status, request id and body (kept whole, and as a
/// bounded snippet), and the vendor's error if the body is one.
fn error_answer<E>(
    status: u16,
    request_id: Option<String>,
    body: Vec<u8>,
    error: Option<E>,
) -> Failure<E> {
    Failure::Answer {
        response: ApiResponse {
            status,
            request_id,
            body: snippet(&String::from_utf8_lossy(&body)),
        },
        body,
        error,
    }
}

/// The first of the vendor's message fields that is present, as a bounded
/// snippet; `body_snippet` when none is.
pub(crate) fn first_message<'a>(
    fields: impl IntoIterator<Item = Option<&'a str>>,
    body_snippet: &str,
) -> String {
    fields
        .into_iter()
        .flatten()
        .next()
        .map_or_else(|| body_snippet.to_string(), snippet)
}

/// An error answer's parts.
pub(crate) struct Answer<E> {
    pub response: ApiResponse,
    pub body: Vec<u8>,
    pub error: Option<E>,
}

impl<E> Failure<E> {
    /// The error answer, or the [`Error`] any other failure is (`what`
    /// names the answer expected, for an unreadable one).
    pub(crate) fn into_answer(
        self,
        api: Api,
        what: &'static str,
        record: &CallRecord,
    ) -> Result<Answer<E>, Error> {
        match self {
            Failure::Answer {
                response,
                body,
                error,
            } => Ok(Answer {
                response,
                body,
                error,
            }),
            Failure::Transport(source) => Err(Error::Transport {
                api,
                attempts: record.attempts(),
                proxy: record.proxy(),
                source,
            }),
            Failure::Unreadable { problem, response } => Err(Error::Decode {
                api,
                what,
                problem,
                response,
            }),
            Failure::Refused(problem) => Err(Error::InvalidInput {
                field: "request",
                problem,
                allowed: "a request the spec allows".into(),
            }),
        }
    }
}

/// The error for an answer that asks the client to come back later: a
/// throttle, or 502–504; `None` for any other answer. With what the call's
/// attempts recorded.
pub(crate) fn come_back_later(
    api: Api,
    record: &CallRecord,
    body: &[u8],
    message: &str,
    response: &ApiResponse,
) -> Option<Error> {
    let (retry_after, retry_budget, attempts) = (
        record.retry_after(),
        record.over_budget(),
        record.attempts(),
    );
    if !asks_to_come_back(response.status, body) {
        return None;
    }
    let (message, response) = (message.to_string(), response.clone());
    if is_throttle(response.status, body) {
        Some(Error::RateLimited {
            api,
            retry_after,
            retry_budget,
            attempts,
            message,
            response,
        })
    } else {
        Some(Error::Unavailable {
            api,
            retry_after,
            retry_budget,
            attempts,
            message,
            response,
        })
    }
}
