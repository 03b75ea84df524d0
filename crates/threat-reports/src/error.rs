//! [`Error`]: everything a client call can fail with, in words a person can
//! act on.

use std::fmt;
use std::time::Duration;

use crate::indicators::IndicatorCount;

/// Which API an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Api {
    /// Cortex XSIAM.
    Xsiam,
    /// TruSTAR.
    Trustar,
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Api::Xsiam => "XSIAM",
            Api::Trustar => "TruSTAR",
        })
    }
}

/// The raw facts of an answer behind an error, kept for support cases.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiResponse {
    /// The HTTP status (0 when no answer came).
    pub status: u16,
    /// The request id the server gave (TruSTAR's `Trace-Id`, or
    /// `x-request-id`), to quote when opening a support case.
    pub request_id: Option<String>,
    /// The start of the body as it arrived (at most [`BODY_SNIPPET`]
    /// characters; not a re-encoding of what was parsed).
    pub body: String,
}

/// The most characters of an answer's body an error keeps.
pub const BODY_SNIPPET: usize = 512;

/// `text`, cut to [`BODY_SNIPPET`] characters with a note of what was cut.
pub(crate) fn snippet(text: &str) -> String {
    match text.char_indices().nth(BODY_SNIPPET) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}… ({} more bytes)", &text[..cut], text.len() - cut),
    }
}

/// What was wrong with a success answer that could not be read; the
/// client adds the answer itself to make it an [`Error::Decode`].
#[derive(Debug)]
pub(crate) struct Undecodable {
    pub what: &'static str,
    pub problem: String,
}

impl Undecodable {
    pub(crate) fn into_error(self, api: Api, response: ApiResponse) -> Error {
        Error::Decode {
            api,
            what: self.what,
            problem: self.problem,
            response,
        }
    }
}

/// An answer's epoch-milliseconds `field` as a UTC date-time.
pub(crate) fn epoch_ms(
    field: &'static str,
    ms: Option<i64>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, Undecodable> {
    ms.map(|ms| {
        chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms).ok_or_else(|| Undecodable {
            what: field,
            problem: format!("{ms} is out of range for milliseconds since the Unix epoch"),
        })
    })
    .transpose()
}

/// The words of [`Error::TooManyIndicators`].
fn too_many(
    count: &Option<IndicatorCount>,
    limit: &usize,
    server_message: &Option<String>,
    response: &Option<Box<ApiResponse>>,
) -> String {
    let Some(response) = response else {
        let count = count
            .as_ref()
            .map_or_else(|| "too many indicators".into(), |c| c.to_string());
        return format!(
            "the report holds {count}, over the limit of {limit}; nothing was sent: split it \
             into smaller reports or trim the body"
        );
    };
    let local = count.as_ref().map_or_else(String::new, |c| {
        format!(" This client counted {c} before sending (its limit is {limit}).")
    });
    format!(
        "TruSTAR refused the report as too large (HTTP {}){}: {}.{local} TruSTAR's limit may be \
         2,000 indicators (its update page), 500 (its error pages) or 2 MiB of body: split the \
         report, or lower the client's max_indicators to match",
        response.status,
        request_id(response),
        server_message.as_deref().unwrap_or("no message"),
    )
}

fn request_id(response: &ApiResponse) -> String {
    response
        .request_id
        .as_ref()
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
}

/// What a transport failure was, and whether the request may have reached
/// the server, without the cause's own text (that is the error's source).
fn transport_words(
    api: &Api,
    attempts: &u32,
    proxy: &Option<String>,
    source: &reqwest::Error,
) -> String {
    if source.is_builder() {
        return format!(
            "could not set up the HTTP client for {api}: nothing was sent (the cause follows)"
        );
    }
    let through = proxy
        .as_ref()
        .map(|p| format!(" through the proxy {p}"))
        .unwrap_or_default();
    let what = if source.is_timeout() {
        format!("{api} did not answer in time{through}")
    } else if source.is_connect() {
        format!("could not connect to {api}{through}")
    } else if source.is_body() || source.is_request() || source.is_decode() {
        format!("the connection to {api}{through} broke off")
    } else {
        format!("could not reach {api}{through}")
    };
    // A connection that was never made carried nothing; once connected,
    // the request may have been read and acted on before the failure.
    let may_have_reached = if source.is_connect() {
        " Nothing was sent."
    } else {
        " The request may have reached the server: a write may have been applied."
    };
    format!(
        "{what} after {attempts} attempt(s).{may_have_reached} Check the base URL, the network \
         and any proxy; the time limit of each attempt is set with .timeout(..)"
    )
}

/// A duration in words: `250 ms`, `3 s`, `1.500 s`.
pub(crate) fn duration_words(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{}.{:03} s", d.as_secs(), d.subsec_millis())
    }
}

/// How long the server asked to wait, and whether that was longer than
/// the retry budget.
fn asked_wait(after: &Option<Duration>, budget: &Option<Duration>) -> String {
    let Some(after) = after else {
        return String::new();
    };
    let over = budget
        .map(|b| {
            format!(
                ", longer than the retry budget ({}) allows, so no retry waited for it",
                duration_words(b)
            )
        })
        .unwrap_or_default();
    format!("; the server asks to wait {}{over}", duration_words(*after))
}

/// Everything a call of [`XsiamClient`](crate::xsiam::XsiamClient) or
/// [`TrustarClient`](crate::trustar::TrustarClient) can fail with.
///
/// `Display` says what happened and what to do about it; the fields keep
/// the status, the vendor's code and message, the request id and the start
/// of the body. No variant ever holds a key, secret or token.
///
/// ```
/// use threat_reports::{Error, ReportStatus};
///
/// let error = Error::from("in progres".parse::<ReportStatus>().unwrap_err());
/// let Error::InvalidInput { field, .. } = &error else { unreachable!() };
/// assert_eq!(*field, "status");
/// assert!(error.to_string().starts_with("invalid status: "));
/// ```
///
/// Every variant is `#[non_exhaustive]`: match with `..`, so that a field
/// added later breaks no caller.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The call was refused before anything was sent.
    #[error("invalid {field}: {problem}; expected {allowed}")]
    #[non_exhaustive]
    InvalidInput {
        /// The argument or field at fault.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
        /// What is allowed.
        allowed: String,
    },

    /// The server refused the credentials.
    #[error("{api} refused the credentials (HTTP {}): {message}{}. {hint}", .response.status, request_id(.response))]
    #[non_exhaustive]
    Unauthorized {
        /// The API.
        api: Api,
        /// The vendor's message.
        message: String,
        /// The usual causes, and what to check.
        hint: &'static str,
        /// The raw answer.
        response: ApiResponse,
    },

    /// The credentials are valid but may not make this call.
    #[error("{api} does not allow this call (HTTP {}): {message}{}. {hint}", .response.status, request_id(.response))]
    #[non_exhaustive]
    Forbidden {
        /// The API.
        api: Api,
        /// The vendor's message.
        message: String,
        /// The usual causes, and what to check.
        hint: &'static str,
        /// The raw answer.
        response: ApiResponse,
    },

    /// The thing asked for does not exist (or not yet).
    #[error("{api} has no {what} (HTTP 404){}: check the id, and for a report just submitted, try again shortly", request_id(.response))]
    #[non_exhaustive]
    NotFound {
        /// The API.
        api: Api,
        /// What was asked for.
        what: String,
        /// The raw answer.
        response: ApiResponse,
    },

    /// The report is too large. Raised before sending when the local count
    /// is over the limit (nothing is sent; `response` is `None`), or when the
    /// server answers 413 (then `response` and `server_message` hold its
    /// answer, and `count` the local count of what was sent, which was
    /// under the client's limit: the server's limit may be lower, or the
    /// body over 2 MiB).
    #[error("{}", too_many(.count, .limit, .server_message, .response))]
    #[non_exhaustive]
    TooManyIndicators {
        /// The local count of the body, by kind, when the client made one.
        count: Option<IndicatorCount>,
        /// The client's limit.
        limit: usize,
        /// TruSTAR's message when the server refused the report with 413.
        server_message: Option<String>,
        /// The server's 413 answer, when there was one.
        response: Option<Box<ApiResponse>>,
    },

    /// The server is throttling these calls and retries did not get through.
    #[error(
        "{api} is rate limiting these calls (HTTP {}) after {attempts} attempt(s){}{}: {message}. Slow down (see RetryPolicy and the client's rate_limit), or retry later",
        .response.status, asked_wait(.retry_after, .retry_budget), request_id(.response)
    )]
    #[non_exhaustive]
    RateLimited {
        /// The API.
        api: Api,
        /// How long the server asked to wait, if it said.
        retry_after: Option<Duration>,
        /// The retry budget, when the server asked for a longer wait than
        /// it allows and no retry was made for that reason.
        retry_budget: Option<Duration>,
        /// How many attempts were made.
        attempts: u32,
        /// The vendor's message.
        message: String,
        /// The raw answer.
        response: ApiResponse,
    },

    /// The server, or a gateway in front of it, answered 502, 503 or 504
    /// on every attempt.
    #[error(
        "{api} is unavailable (HTTP {}) after {attempts} attempt(s){}{}: {message}. Retry later",
        .response.status, asked_wait(.retry_after, .retry_budget), request_id(.response)
    )]
    #[non_exhaustive]
    Unavailable {
        /// The API.
        api: Api,
        /// How long the server asked to wait (`Retry-After`), if it said.
        retry_after: Option<Duration>,
        /// The retry budget, when the server asked for a longer wait than
        /// it allows and no retry was made for that reason.
        retry_budget: Option<Duration>,
        /// How many attempts were made.
        attempts: u32,
        /// The vendor's message (or the start of the body).
        message: String,
        /// The raw answer.
        response: ApiResponse,
    },

    /// Any other error answer.
    #[error(
        "{api} answered HTTP {}{}{}: {message}",
        .response.status,
        .code.as_ref().map(|c| format!(" with code {c}")).unwrap_or_default(),
        request_id(.response)
    )]
    #[non_exhaustive]
    Api {
        /// The API.
        api: Api,
        /// The vendor's error code, if any.
        code: Option<String>,
        /// The vendor's message (or the start of the body).
        message: String,
        /// The raw answer.
        response: ApiResponse,
    },

    /// The server could not be reached, or the connection failed, after
    /// every retry. `Display` says which it was and whether the request may
    /// have reached the server; the cause itself is the error's
    /// [`source`](std::error::Error::source) (so a chain printer such as
    /// `anyhow` shows it once).
    #[error("{}", transport_words(.api, .attempts, .proxy, .source))]
    #[non_exhaustive]
    Transport {
        /// The API.
        api: Api,
        /// How many attempts were made.
        attempts: u32,
        /// The proxy the connection went through (set on the builder, or
        /// from the environment), password hidden; `None` for a direct one.
        proxy: Option<String>,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },

    /// A success answer could not be read. For an update, the server
    /// answered 2xx: the update may well have been applied.
    #[error(
        "{api}'s answer (HTTP {}){} could not be read as {what}: {problem} (body: {})",
        .response.status, request_id(.response), .response.body
    )]
    #[non_exhaustive]
    Decode {
        /// The API.
        api: Api,
        /// What was expected.
        what: &'static str,
        /// What was wrong.
        problem: String,
        /// The raw answer.
        response: ApiResponse,
    },

    /// A write that is not idempotent (a TruSTAR submission, copy or
    /// append) lost its answer after it may have reached the server, and
    /// the client could not tell whether it was applied: it was not sent
    /// again. `source` is the lost answer's error; `hint` says how to make
    /// such a write checkable (an external tracking id).
    #[error("{api}: the {what} may have been applied, and was not sent again: {source}. {hint}")]
    #[non_exhaustive]
    Unconfirmed {
        /// The API.
        api: Api,
        /// What may have been applied (`report submission`, `copy`, …).
        what: &'static str,
        /// How to make the write checkable next time.
        hint: &'static str,
        /// The lost answer's error.
        #[source]
        source: Box<Error>,
    },

    /// A report was still being processed when the wait for it ran out.
    #[error("{api}: the {what} was still processing after {}, past the wait's deadline; read it later", duration_words(*.waited))]
    #[non_exhaustive]
    StillProcessing {
        /// The API.
        api: Api,
        /// The report waited for.
        what: String,
        /// How long the client waited.
        waited: Duration,
    },

    /// The answer's body was larger than a client reads.
    #[error(
        "{api} answered HTTP {}{} with a body of at least {size} bytes, over the {limit} bytes \
         a client reads; the rest was not read{}",
        .response.status, request_id(.response),
        if (200..300).contains(&.response.status) { " (the call itself succeeded on the server)" } else { "" }
    )]
    #[non_exhaustive]
    AnswerTooLarge {
        /// The API.
        api: Api,
        /// The size of the body, or as much as was seen of it.
        size: u64,
        /// The most a client reads.
        limit: usize,
        /// The raw answer (the start of its body).
        response: ApiResponse,
    },
}

impl Error {
    /// The HTTP status of the answer behind this error, if there was one.
    ///
    /// ```
    /// # use threat_reports::{Error, ReportStatus};
    /// let error = Error::from("closd".parse::<ReportStatus>().unwrap_err());
    /// assert_eq!(error.status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        self.response().map(|r| r.status).filter(|s| *s != 0)
    }

    /// The vendor's error code, when its answer carried one (XSIAM's
    /// `err_code`).
    ///
    /// ```
    /// # use threat_reports::{Error, ReportStatus};
    /// let error = Error::from("closd".parse::<ReportStatus>().unwrap_err());
    /// assert_eq!(error.vendor_code(), None);
    /// ```
    pub fn vendor_code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The request id the server gave, if any: quote it to the vendor.
    pub fn request_id(&self) -> Option<&str> {
        self.response().and_then(|r| r.request_id.as_deref())
    }

    /// The answer behind this error, if one came: status, request id and
    /// the start of the body as it arrived.
    ///
    /// ```
    /// # use threat_reports::{Error, ReportStatus};
    /// let error = Error::from("closd".parse::<ReportStatus>().unwrap_err());
    /// assert!(error.response().is_none());
    /// ```
    pub fn response(&self) -> Option<&ApiResponse> {
        match self {
            Error::Unauthorized { response, .. }
            | Error::Forbidden { response, .. }
            | Error::NotFound { response, .. }
            | Error::RateLimited { response, .. }
            | Error::Unavailable { response, .. }
            | Error::Api { response, .. }
            | Error::Decode { response, .. }
            | Error::AnswerTooLarge { response, .. } => Some(response),
            Error::TooManyIndicators { response, .. } => response.as_deref(),
            Error::Unconfirmed { source, .. } => source.response(),
            Error::InvalidInput { .. }
            | Error::Transport { .. }
            | Error::StillProcessing { .. } => None,
        }
    }

    /// Whether the same call may succeed if made again later, by the rule
    /// the client's own retries follow ([`RetryPolicy`](crate::RetryPolicy)):
    /// a throttle, a 502, 503 or 504, a connection that failed or timed
    /// out. Any other answer (bad input, refused credentials or
    /// permissions, a missing report, a report too large, an unreadable
    /// answer, and a generic 500, which XSIAM gives for an unknown id or a
    /// refused value) will fail the same way.
    ///
    /// A retryable error does not say the call had no effect: a timeout or
    /// a 503 may come after the server applied it.
    ///
    /// ```
    /// # use threat_reports::{Error, ReportStatus};
    /// let error = Error::from("closd".parse::<ReportStatus>().unwrap_err());
    /// assert!(!error.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Unavailable { .. } => true,
            Error::StillProcessing { .. } => true,
            Error::Transport { source, .. } => crate::retry::is_transient(source),
            _ => false,
        }
    }
}

impl Error {
    /// Whether the call may have been applied although it failed: the
    /// request may have reached the server and its answer was lost (a
    /// connection that dropped or timed out after it was made, a 502, 503
    /// or 504 from a gateway), or a success answer could not be read. A
    /// write that is not idempotent is read back before it is sent again
    /// (as [`XsiamClient::add_comment`](crate::xsiam::XsiamClient::add_comment)
    /// does); a refusal (4xx, a generic 500), a throttle or a connection
    /// never made applied nothing.
    ///
    /// ```
    /// # use threat_reports::{Error, ReportStatus};
    /// let error = Error::from("closd".parse::<ReportStatus>().unwrap_err());
    /// assert!(!error.may_have_been_applied());
    /// ```
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Error::Transport { source, .. } => !source.is_connect(),
            Error::Unavailable { .. } | Error::Unconfirmed { .. } => true,
            Error::Decode { response, .. } | Error::AnswerTooLarge { response, .. } => {
                (200..300).contains(&response.status)
            }
            _ => false,
        }
    }
}

impl From<crate::UnknownStatus> for Error {
    /// A status that does not parse is invalid input, so that
    /// `"in progress".parse()?` works in a function returning this error.
    ///
    /// ```
    /// use threat_reports::{Error, ReportStatus};
    ///
    /// fn status(text: &str) -> Result<ReportStatus, Error> {
    ///     Ok(text.parse()?)
    /// }
    /// assert!(matches!(status("done"), Err(Error::InvalidInput { field: "status", .. })));
    /// ```
    fn from(error: crate::UnknownStatus) -> Self {
        let problem = match error.suggestion() {
            Some(near) => format!(
                "{:?} is not a report status (did you mean {:?}?)",
                error.input(),
                near.label()
            ),
            None => format!("{:?} is not a report status", error.input()),
        };
        Error::InvalidInput {
            field: "status",
            problem,
            allowed: format!(
                "{}, or a stored form such as IN_PROGRESS or RESOLVED_TP, in any case, with \
                 words separated by a space, \"_\", \"-\" or nothing",
                error.allowed_labels()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_bounded_on_character_boundaries() {
        assert_eq!(snippet("short"), "short");
        let long = "é".repeat(1000);
        let cut = snippet(&long);
        assert!(cut.starts_with(&"é".repeat(BODY_SNIPPET)));
        assert!(cut.ends_with(&format!("({} more bytes)", 2000 - 2 * BODY_SNIPPET)));
    }
}
