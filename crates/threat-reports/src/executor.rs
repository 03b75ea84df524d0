//! The facade's [`Execute`]: every request of the generated clients goes
//! through here, once per attempt: fresh authentication headers, the
//! rate limiter, the retry policy, and one tracing span per call.

use std::time::Duration;

use buffered::Buffered;
use client_transport::{Execute, ExecuteFuture};
use reqwest::header::USER_AGENT;
use tokio::time::Instant;
use tracing::{Instrument, Level, field};

use crate::auth::Auth;
use crate::call::{
    Arrived, MAX_ANSWER_BYTES, note_answer, note_attempt, note_over_budget, note_oversized,
    note_proxy, note_retry_after,
};
use crate::config::PerRequest;
use crate::error::Api;
use crate::failure::request_id;
use crate::pace::Pace;
use crate::retry::{RetryPolicy, is_transient};
use crate::throttle::{asked_wait, asks_to_come_back, is_throttle};

/// The operation whose answer holds a token: its bodies are never logged.
const TOKEN_OPERATION: &str = "get_token";

pub(crate) struct Executor {
    pub api: Api,
    pub auth: Auth,
    pub retry: RetryPolicy,
    pub pace: Pace,
    pub per_request: PerRequest,
    /// Operations that are not idempotent (an XSIAM comment): never sent
    /// again once they may have reached the server. They are retried only
    /// after a throttle (refused, so not applied) or a connection that was
    /// never made; a timeout, a dropped connection or a 502–504 ends the
    /// call, and the client reads back before deciding.
    pub sent_once: &'static [&'static str],
}

impl Execute for Executor {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> ExecuteFuture<'a> {
        Box::pin(self.run(client, request, operation))
    }
}

impl Executor {
    async fn run(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        // progenitor sends the spec's version; the vendors have no use for it.
        request.headers_mut().remove("api-version");
        let span = tracing::info_span!(
            "threat_reports::call",
            api = %self.api,
            operation,
            method = %request.method(),
            path = request.url().path(),
            attempts = field::Empty,
            status = field::Empty,
            elapsed_ms = field::Empty,
        );
        async move {
            if operation != TOKEN_OPERATION
                && tracing::enabled!(Level::TRACE)
                && let Some(body) = request.body().and_then(|b| b.as_bytes())
            {
                tracing::trace!(body = %String::from_utf8_lossy(body), "request body");
            }
            let started = Instant::now();
            if let Some(proxy) = &self.per_request.proxy {
                note_proxy(proxy);
            }
            // A request whose body cannot be copied (a stream) is sent once,
            // never retried.
            let copyable = request.body().is_none_or(|b| b.as_bytes().is_some());
            let mut attempt = 0;
            loop {
                attempt += 1;
                note_attempt(attempt);
                tracing::debug!(attempt, "attempt");
                let mut this = this_attempt(&mut request);
                if let Some(timeout) = self.per_request.timeout {
                    *this.timeout_mut() = Some(timeout);
                }
                if let Some(user_agent) = &self.per_request.user_agent {
                    this.headers_mut().insert(USER_AGENT, user_agent.clone());
                }
                // Credentials are taken after the wait for a turn, as the
                // request leaves: a timestamp or token taken before it would
                // be as old as the wait.
                self.pace.take_turn().await;
                self.auth.apply(this.headers_mut()).await;
                let outcome = send(client, this).await;
                // The answer as it arrived, for errors that must show it
                // (an unreadable body, an error in an unexpected shape).
                if let Ok(answer) = &outcome {
                    note_answer(Arrived {
                        status: answer.status.as_u16(),
                        request_id: request_id(&answer.headers),
                        body: answer.body.clone(),
                    });
                }
                let resend = !self.sent_once.contains(&operation);
                let wait = match &outcome {
                    Err(error) if !resend && !error.is_connect() => None,
                    Ok(answer) if !resend && !is_throttle(answer.status.as_u16(), &answer.body) => {
                        None
                    }
                    Err(error) if is_transient(error) => {
                        tracing::debug!(attempt, error = %error, "attempt failed");
                        Some(self.retry.backoff(attempt))
                    }
                    Err(_) => None,
                    Ok(answer) => self.wait_before_retry(answer, attempt),
                };
                let may_retry = copyable && attempt < self.retry.attempts();
                if may_retry && let Some(wait) = wait {
                    // The wait may be any number a server sent: checked.
                    let budget = self.retry.total_budget();
                    if started
                        .elapsed()
                        .checked_add(wait)
                        .is_some_and(|end| end <= budget)
                    {
                        tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, "retrying");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    // Not waited for: the error says how long was asked.
                    note_over_budget(budget);
                }
                let current = tracing::Span::current();
                current.record("attempts", attempt);
                current.record("elapsed_ms", started.elapsed().as_millis() as u64);
                return match outcome {
                    Ok(answer) => {
                        current.record("status", answer.status.as_u16());
                        if operation != TOKEN_OPERATION {
                            tracing::trace!(body = %String::from_utf8_lossy(&answer.body), "answer body");
                        }
                        tracing::info!(status = answer.status.as_u16(), attempts = attempt, "call finished");
                        Ok(answer.into_response())
                    }
                    Err(error) => {
                        tracing::info!(error = %error, attempts = attempt, "call failed");
                        Err(error)
                    }
                };
            }
        }
        .instrument(span)
        .await
    }

    /// The wait before retrying after `answer`, if it is worth retrying.
    fn wait_before_retry(&self, answer: &Buffered, attempt: u32) -> Option<Duration> {
        let status = answer.status.as_u16();
        if !asks_to_come_back(status, &answer.body) {
            return None;
        }
        let asked = asked_wait(&answer.headers, &answer.body, std::time::SystemTime::now());
        note_retry_after(asked);
        Some(asked.unwrap_or_else(|| self.retry.backoff(attempt)))
    }
}

/// The request to send for this attempt: a copy when it can be copied (so
/// that a retry can send it again), else the original itself, which is then
/// sent once (`run` never retries a request that cannot be copied).
fn this_attempt(request: &mut reqwest::Request) -> reqwest::Request {
    match request.try_clone() {
        Some(copy) => copy,
        None => {
            let emptied = reqwest::Request::new(request.method().clone(), request.url().clone());
            std::mem::replace(request, emptied)
        }
    }
}

/// Sends and reads the whole answer, so that a connection dropped in the
/// middle of a body is one more transient failure, retried like the others.
/// At most [`MAX_ANSWER_BYTES`] are read: a larger answer is cut there and
/// noted, and the client reports it as too large.
async fn send(client: &reqwest::Client, request: reqwest::Request) -> reqwest::Result<Buffered> {
    let mut response = client.execute(request).await?;
    let status = response.status();
    let version = response.version();
    let headers = std::mem::take(response.headers_mut());
    let url = response.url().clone();
    let body = match response.content_length() {
        Some(length) if length > MAX_ANSWER_BYTES as u64 => {
            note_oversized(length);
            bytes::Bytes::new()
        }
        _ => read_capped(&mut response).await?,
    };
    Ok(Buffered {
        status,
        version,
        headers,
        url,
        body,
    })
}

/// The body, or its first [`MAX_ANSWER_BYTES`] when it is longer.
async fn read_capped(response: &mut reqwest::Response) -> reqwest::Result<bytes::Bytes> {
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            note_oversized((body.len() + chunk.len()) as u64);
            break;
        }
        if body.is_empty() && response.content_length() == Some(chunk.len() as u64) {
            // The whole body in one piece: no copy.
            return Ok(chunk);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

mod buffered {
    use reqwest::header::HeaderMap;
    use reqwest::{StatusCode, Version};

    /// A whole answer, read into memory.
    pub(crate) struct Buffered {
        pub status: StatusCode,
        pub version: Version,
        pub headers: HeaderMap,
        /// Where the answer came from (kept, so that reqwest need not
        /// parse a placeholder URL for the rebuilt response).
        pub url: reqwest::Url,
        pub body: bytes::Bytes,
    }

    impl Buffered {
        pub(crate) fn into_response(self) -> reqwest::Response {
            use reqwest::ResponseBuilderExt;
            let mut response = http::Response::new(self.body);
            *response.status_mut() = self.status;
            *response.version_mut() = self.version;
            *response.headers_mut() = self.headers;
            // The URL travels in an extension only reqwest's builder can set.
            if let Some(url) = http::Response::builder()
                .url(self.url)
                .extensions_mut()
                .map(std::mem::take)
            {
                response.extensions_mut().extend(url);
            }
            reqwest::Response::from(response)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Buffered;

    /// The rebuilt answer keeps everything the generated code may read.
    #[test]
    fn a_buffered_answer_keeps_status_headers_url_and_body() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("trace-id", "abc".parse().unwrap());
        let url: reqwest::Url = "http://127.0.0.1:9/api/1.3/reports/1".parse().unwrap();
        let response = Buffered {
            status: reqwest::StatusCode::NOT_FOUND,
            version: reqwest::Version::HTTP_11,
            headers,
            url: url.clone(),
            body: bytes::Bytes::from_static(b"{}"),
        }
        .into_response();
        assert_eq!(response.status(), 404);
        assert_eq!(response.headers()["trace-id"], "abc");
        assert_eq!(response.url(), &url);
    }

    /// Every request's future holds the authentication step's; a rarely
    /// taken path inside it (fetching a TruSTAR token is a whole call) is
    /// boxed, or it would make every request's future kilobytes larger.
    /// It measured 3,432 bytes before the fetch was boxed, 200 after.
    #[cfg(feature = "xsiam")]
    #[test]
    fn the_authentication_step_keeps_each_requests_future_small() {
        let auth = crate::auth::Auth::XsiamStandard {
            key_id: "1".into(),
            key: "k".into(),
        };
        let mut headers = reqwest::header::HeaderMap::new();
        let apply = auth.apply(&mut headers);
        assert!(
            std::mem::size_of_val(&apply) <= 512,
            "the authentication future takes {} bytes",
            std::mem::size_of_val(&apply)
        );
    }
}
