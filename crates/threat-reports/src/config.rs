//! What both client builders share: reading variables, and the HTTP client.

use std::time::Duration;

use crate::Error;
use crate::error::{Api, snippet};

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

/// The `User-Agent` of every request unless the builder names another.
pub(crate) const DEFAULT_USER_AGENT: &str = concat!("threat-reports/", env!("CARGO_PKG_VERSION"));

/// What a builder says about HTTP: the caller's own client, the time
/// limit of one attempt, and the user agent.
#[derive(Clone, Default)]
pub(crate) struct HttpSettings {
    pub client: Option<reqwest::Client>,
    pub timeout: Option<Duration>,
    pub user_agent: Option<String>,
}

impl std::fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSettings")
            .field("client", &self.client.as_ref().map(|_| "supplied"))
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// What the executor needs of [`HttpSettings`] on every attempt.
#[derive(Clone)]
pub(crate) struct PerRequest {
    /// The time limit of one attempt, set on each request: only for a
    /// supplied client and a timeout named in the builder (a client the
    /// builder makes carries its timeout itself, and a supplied client's
    /// own timeout stands unless the builder names one).
    pub timeout: Option<Duration>,
    /// A `User-Agent` to set on each request: only for a supplied client
    /// and a user agent named in the builder (a client the builder makes
    /// carries its user agent itself).
    pub user_agent: Option<reqwest::header::HeaderValue>,
}

impl HttpSettings {
    /// The HTTP client to send with, and what each request must carry.
    ///
    /// A supplied client keeps its own settings (proxy, roots, client
    /// certificates, default headers, pool, timeout); a timeout or a user
    /// agent named in the builder replaces the client's, on each request.
    /// Otherwise the client is made here: the crate's TLS
    /// (rustls, or native-tls by feature), the timeout for each attempt and
    /// its connection, and the user agent (`threat-reports/<version>` by
    /// default).
    pub(crate) fn http_client(&self, api: Api) -> Result<(reqwest::Client, PerRequest), Error> {
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let user_agent = self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT);
        let header = reqwest::header::HeaderValue::from_str(user_agent).map_err(|_| {
            Error::InvalidInput {
                field: "user_agent",
                problem: format!("{:?} cannot travel in an HTTP header", snippet(user_agent)),
                allowed: "visible ASCII characters, e.g. my-soc-automation/1.2".into(),
            }
        })?;
        if let Some(client) = &self.client {
            let user_agent = self.user_agent.is_some().then_some(header);
            return Ok((
                client.clone(),
                PerRequest {
                    timeout: self.timeout,
                    user_agent,
                },
            ));
        }
        let client = crate::tls::http_client_builder()?
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(header)
            .build()
            .map_err(|source| Error::Transport {
                api,
                attempts: 0,
                source,
            })?;
        Ok((
            client,
            PerRequest {
                timeout: None,
                user_agent: None,
            },
        ))
    }
}
