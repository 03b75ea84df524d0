//! What both client builders share: reading variables, and the HTTP client.

use std::time::Duration;

use crate::Error;
use crate::error::Api;

/// The time limit of one attempt when none is set.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The variable `name`, set and non-empty, or an error saying what it holds.
pub(crate) fn required_var(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    what: &str,
) -> Result<String, Error> {
    var(name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Error::InvalidInput {
            field: name,
            problem: "it is not set".into(),
            allowed: what.into(),
        })
}

/// The HTTP client: rustls, the time limit for each attempt and its
/// connection.
pub(crate) fn http_client(api: Api, timeout: Option<Duration>) -> Result<reqwest::Client, Error> {
    let timeout = timeout.unwrap_or(DEFAULT_TIMEOUT);
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .map_err(|source| Error::Transport {
            api,
            attempts: 0,
            source,
        })
}
