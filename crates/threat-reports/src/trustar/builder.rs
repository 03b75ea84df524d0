//! [`TrustarClientBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};

use super::TrustarClient;
use super::token::Tokens;
use crate::auth::{Auth, check_header_value};
use crate::config::{HttpSettings, required_var};
use crate::error::Api;
use crate::executor::Executor;
use crate::indicators::TRUSTAR_INDICATOR_LIMIT;
use crate::pace::Pace;
use crate::{Error, RateLimit, RetryPolicy, base_url};

/// TruSTAR's one host, for the API and the token endpoint alike.
pub const DEFAULT_BASE_URL: &str = "https://api.trustar.co";

#[derive(Clone)]
enum Credentials {
    Client { key: String, secret: SecretString },
    Bearer(SecretString),
}

/// Builds a [`TrustarClient`].
///
/// ```
/// use threat_reports::trustar::TrustarClient;
///
/// let client = TrustarClient::builder()
///     .credentials("api-key", "api-secret")
///     .max_indicators(500)
///     .build()?;
/// assert_eq!(client.base_url(), "https://api.trustar.co");
/// assert_eq!(client.max_indicators(), 500);
/// let shown = format!("{client:?}");
/// assert!(!shown.contains("api-key") && !shown.contains("api-secret"));
/// # Ok::<(), threat_reports::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct TrustarClientBuilder {
    base_url: Option<String>,
    credentials: Option<Credentials>,
    max_indicators: Option<usize>,
    http: HttpSettings,
    retry: Option<RetryPolicy>,
    rate_limit: Option<RateLimit>,
}

impl fmt::Debug for TrustarClientBuilder {
    /// Never shows the key, secret or token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credentials = match &self.credentials {
            None => "none",
            Some(Credentials::Client { .. }) => "client credentials: [REDACTED]",
            Some(Credentials::Bearer(_)) => "bearer token: [REDACTED]",
        };
        f.debug_struct("TrustarClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &credentials)
            .field("max_indicators", &self.max_indicators)
            .field("http", &self.http)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}

impl TrustarClientBuilder {
    /// The server (default `https://api.trustar.co`), which serves both the
    /// API under `/api/1.3` and the token endpoint. The API's own address,
    /// as the vendor's SDK spells its endpoint
    /// (`https://api.trustar.co/api/1.3`), works too.
    ///
    /// ```
    /// use threat_reports::trustar::TrustarClient;
    ///
    /// let client = TrustarClient::builder()
    ///     .base_url("https://api.trustar.co/api/1.3/")
    ///     .credentials("api-key", "api-secret")
    ///     .build()?;
    /// assert_eq!(client.base_url(), "https://api.trustar.co");
    /// # Ok::<(), threat_reports::Error>(())
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// OAuth2 client credentials: tokens are fetched and renewed with them.
    pub fn credentials(
        mut self,
        api_key: impl Into<String>,
        api_secret: impl Into<String>,
    ) -> Self {
        self.credentials = Some(Credentials::Client {
            key: api_key.into(),
            secret: SecretString::from(api_secret.into()),
        });
        self
    }

    /// A ready access token, used as is and never renewed.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::Bearer(SecretString::from(token.into())));
        self
    }

    /// The most indicators an update may hold (default 2000, TruSTAR's
    /// update page; its error docs say 500).
    pub fn max_indicators(mut self, limit: usize) -> Self {
        self.max_indicators = Some(limit);
        self
    }

    /// The time limit of one attempt and of its connection (default 30 s).
    /// With [`http_client`](Self::http_client), it applies to each request
    /// only when set here: otherwise the supplied client's own timeout
    /// stands.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http.timeout = Some(timeout);
        self
    }

    /// Sends every request through this proxy (`http://`, `https://` or
    /// `socks5://`, with `user:password@` if it asks). Without one, the
    /// environment's (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`)
    /// applies, except to a loopback base URL (a local sandbox), which is
    /// always reached directly.
    ///
    /// ```
    /// # use threat_reports::trustar::TrustarClient;
    /// let client = TrustarClient::builder()
    ///     .credentials("api-key", "api-secret")
    ///     .proxy("http://proxy.corp.example:3128")
    ///     .build()?;
    /// # drop(client);
    /// # Ok::<(), threat_reports::Error>(())
    /// ```
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.http.proxy = Some(url.into());
        self
    }

    /// Trusts these root certificates (PEM, one or more) besides the
    /// system's: a TLS-inspecting proxy's, or a private CA's.
    pub fn ca_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.http.ca_certificates.push(pem.into());
        self
    }

    /// Sends through `client` instead of one the builder makes: for a
    /// proxy, a TLS-inspecting proxy's root certificate, client
    /// certificates, or one connection pool shared with other code. The
    /// client keeps its own settings (its timeout among them) and default
    /// headers; a [`timeout`](Self::timeout) or a
    /// [`user_agent`](Self::user_agent) named here replaces the client's.
    ///
    /// ```
    /// # use threat_reports::trustar::TrustarClient;
    /// let mut headers = threat_reports::reqwest::header::HeaderMap::new();
    /// headers.insert("x-soc-team", "blue".parse().unwrap());
    /// // http_client_builder(): this crate's TLS, ready (see its docs)
    /// let http = threat_reports::http_client_builder()?
    ///     .default_headers(headers)
    ///     .build()
    ///     .unwrap();
    /// let client = TrustarClient::builder()
    ///     .credentials("api-key", "api-secret")
    ///     .http_client(http)
    ///     .build()?;
    /// # Ok::<(), threat_reports::Error>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http.client = Some(client);
        self
    }

    /// The `User-Agent` header (default `threat-reports/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.http.user_agent = Some(user_agent.into());
        self
    }

    /// How failures are retried (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Spaces calls out on the client side (off by default);
    /// [`RateLimit::trustar`] is TruSTAR's documented per-user limit.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// A builder configured from variables looked up with `var` (the
    /// process environment for [`TrustarClient::from_env`]):
    /// `TRUSTAR_API_KEY`, `TRUSTAR_API_SECRET`, and optionally
    /// `TRUSTAR_BASE_URL`.
    ///
    /// ```
    /// use threat_reports::trustar::TrustarClientBuilder;
    ///
    /// let missing = TrustarClientBuilder::from_vars(|_| None).unwrap_err();
    /// assert!(missing.to_string().contains("TRUSTAR_API_KEY"));
    /// ```
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let required = |name, what| required_var(&var, name, what);
        let key = required("TRUSTAR_API_KEY", "the API key from Station: Settings, API")?;
        let secret = required(
            "TRUSTAR_API_SECRET",
            "the API secret from Station: Settings, API",
        )?;
        let mut builder = TrustarClientBuilder::default().credentials(key, secret);
        crate::config::connection_vars(
            &var,
            "TRUSTAR_PROXY",
            "TRUSTAR_CA_CERT",
            &mut builder.http,
        )?;
        if let Some(url) = var("TRUSTAR_BASE_URL").filter(|v| !v.is_empty()) {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// Checks everything and builds the client.
    pub fn build(self) -> Result<TrustarClient, Error> {
        let base_url = base_url::checked(
            "base_url",
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
        )?;
        // The paths of the spec start with /api/1.3; a base URL that already
        // ends with it would double it.
        let base_url = base_url
            .strip_suffix("/api/1.3")
            .map_or(base_url.clone(), str::to_string);
        let credentials = self.credentials.ok_or_else(|| Error::InvalidInput {
            field: "credentials",
            problem: "none are set".into(),
            allowed: ".credentials(api_key, api_secret) or .bearer_token(token)".into(),
        })?;
        let retry = self.retry.unwrap_or_default();
        retry.check()?;
        let limiter = self.rate_limit.map(|l| l.limiter()).transpose()?;
        let (http, per_request) = self.http.http_client(Api::Trustar, &base_url)?;
        let client_for = |auth: Auth, pace: Pace| {
            let transport = client_transport::Transport::new(Executor {
                api: Api::Trustar,
                auth,
                retry: retry.clone(),
                pace,
                per_request: per_request.clone(),
                sent_once: super::SENT_ONCE,
            });
            trustar_client::Client::new_with_client(&base_url, http.clone(), transport)
        };
        let tokens = match credentials {
            Credentials::Bearer(token) => {
                check_header_value("bearer_token", token.expose_secret())?;
                Tokens::fixed(token)
            }
            Credentials::Client { key, secret } => {
                check_header_value("api_key", &key)?;
                check_header_value("api_secret", secret.expose_secret())?;
                let basic = base64::engine::general_purpose::STANDARD
                    .encode(format!("{key}:{}", secret.expose_secret()));
                // Token calls count against the same limits as report
                // calls, but never queue behind them: the calls waiting in
                // the queue may be waiting for this very token.
                Tokens::from_credentials(client_for(
                    Auth::Fixed(SecretString::from(format!("Basic {basic}"))),
                    limiter.clone().map_or(Pace::Free, Pace::AheadOfQueue),
                ))
            }
        };
        let tokens = Arc::new(tokens);
        Ok(TrustarClient {
            client: client_for(
                Auth::Bearer(tokens.clone()),
                limiter.map_or(Pace::Free, Pace::Queued),
            ),
            tokens,
            max_indicators: self.max_indicators.unwrap_or(TRUSTAR_INDICATOR_LIMIT),
            base_url,
            sends: retry.attempts().max(1),
        })
    }
}
