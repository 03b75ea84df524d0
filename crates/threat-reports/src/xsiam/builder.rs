//! [`XsiamClientBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use super::XsiamClient;
use super::envelope::{BodyEnvelope, EnvelopeState};
use crate::auth::advanced_key::{Clock, NonceSource, random_nonce, system_clock_ms};
use crate::auth::{Auth, check_header_value};
use crate::config::{HttpSettings, required_var};
use crate::error::Api;
use crate::executor::Executor;
use crate::pace::Pace;
use crate::{Error, RateLimit, RetryPolicy, base_url};

#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Standard,
    Advanced,
}

/// Builds an [`XsiamClient`].
///
/// ```
/// use std::time::Duration;
/// use threat_reports::{RateLimit, RetryPolicy};
/// use threat_reports::xsiam::XsiamClient;
///
/// let client = XsiamClient::builder()
///     .base_url("https://api-tenant.xdr.us.paloaltonetworks.com/public_api/v1/")
///     .standard_key("241", "the-api-key")
///     .timeout(Duration::from_secs(10))
///     .retry(RetryPolicy::default().max_attempts(3))
///     .rate_limit(RateLimit::xsiam())
///     .build()?;
/// assert_eq!(client.base_url(), "https://api-tenant.xdr.us.paloaltonetworks.com");
/// assert!(!format!("{client:?}").contains("the-api-key"));
/// # Ok::<(), threat_reports::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct XsiamClientBuilder {
    base_url: Option<String>,
    key: Option<(KeyKind, String, SecretString)>,
    http: HttpSettings,
    retry: Option<RetryPolicy>,
    rate_limit: Option<RateLimit>,
    envelope: BodyEnvelope,
    nonce: Option<NonceSource>,
    clock: Option<Clock>,
    read_back: bool,
}

impl fmt::Debug for XsiamClientBuilder {
    /// Never shows the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XsiamClientBuilder")
            .field("base_url", &self.base_url)
            .field(
                "key",
                &self.key.as_ref().map(|(kind, id, _)| {
                    let kind = if *kind == KeyKind::Advanced {
                        "advanced"
                    } else {
                        "standard"
                    };
                    format!("{kind} key {id:?}: [REDACTED]")
                }),
            )
            .field("http", &self.http)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("body_envelope", &self.envelope)
            .finish()
    }
}

impl XsiamClientBuilder {
    /// The tenant's API URL: `https://api-TENANT…`, or the bare tenant FQDN
    /// (`api-` and `https://` are added); a trailing `/` or
    /// `/public_api/v1` is dropped.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// A standard key: `key` is sent as `Authorization`.
    pub fn standard_key(mut self, key_id: impl Into<String>, key: impl Into<String>) -> Self {
        self.key = Some((
            KeyKind::Standard,
            key_id.into(),
            SecretString::from(key.into()),
        ));
        self
    }

    /// An advanced key: each attempt sends a fresh nonce and timestamp and
    /// the SHA-256 of `key + nonce + timestamp`.
    pub fn advanced_key(mut self, key_id: impl Into<String>, key: impl Into<String>) -> Self {
        self.key = Some((
            KeyKind::Advanced,
            key_id.into(),
            SecretString::from(key.into()),
        ));
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
    /// # use threat_reports::xsiam::XsiamClient;
    /// let client = XsiamClient::builder()
    ///     .base_url("tenant.example.com")
    ///     .standard_key("7", "key")
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
    /// # use threat_reports::xsiam::XsiamClient;
    /// let mut headers = threat_reports::reqwest::header::HeaderMap::new();
    /// headers.insert("x-soc-team", "blue".parse().unwrap());
    /// // http_client_builder(): this crate's TLS, ready (see its docs)
    /// let http = threat_reports::http_client_builder()?
    ///     .default_headers(headers)
    ///     .build()
    ///     .unwrap();
    /// let client = XsiamClient::builder()
    ///     .base_url("tenant.example.com")
    ///     .standard_key("7", "key")
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

    /// The body's envelope (default [`BodyEnvelope::Auto`]: the vendor
    /// page's flat body until the tenant asks for `request_data`, then
    /// wrapped). Set [`BodyEnvelope::RequestData`] for a tenant known to
    /// want it, to save the first call's probe.
    ///
    /// ```
    /// use threat_reports::xsiam::{BodyEnvelope, XsiamClient};
    ///
    /// let client = XsiamClient::builder()
    ///     .base_url("tenant.example.com")
    ///     .standard_key("7", "key")
    ///     .body_envelope(BodyEnvelope::RequestData)
    ///     .build()?;
    /// assert_eq!(client.body_envelope(), BodyEnvelope::RequestData);
    /// # Ok::<(), threat_reports::Error>(())
    /// ```
    pub fn body_envelope(mut self, envelope: BodyEnvelope) -> Self {
        self.envelope = envelope;
        self
    }

    /// Whether status updates and assignments whose answer was lost are
    /// read back before being sent again (default off: they are resent,
    /// which is safe, since both set a value, but applies them twice).
    ///
    /// On, such a write is sent once; when its answer is lost after it may
    /// have reached XSIAM (a dropped connection, a timeout, a 502–504), the
    /// client reads the report back and is done if it already carries the
    /// value sent, and sends it again only if not. Read-backs of calls in
    /// flight together go out as one `get_reports_by_source_id` call. Bulk
    /// tools turn this on, so that each row is applied at most once.
    /// Comments are always read back ([`XsiamClient::add_comment`]).
    ///
    /// ```
    /// use threat_reports::xsiam::XsiamClient;
    ///
    /// let client = XsiamClient::builder()
    ///     .base_url("tenant.example.com")
    ///     .standard_key("7", "key")
    ///     .read_back_lost_writes(true)
    ///     .build()?;
    /// assert!(client.reads_back_lost_writes());
    /// # Ok::<(), threat_reports::Error>(())
    /// ```
    pub fn read_back_lost_writes(mut self, on: bool) -> Self {
        self.read_back = on;
        self
    }

    /// Spaces calls out on the client side (off by default);
    /// [`RateLimit::xsiam`] is XSIAM's documented limit.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// For tests: where advanced keys get their nonces and time.
    #[cfg(test)]
    pub(crate) fn nonce_and_clock(mut self, nonce: NonceSource, clock: Clock) -> Self {
        self.nonce = Some(nonce);
        self.clock = Some(clock);
        self
    }

    /// A builder configured from variables looked up with `var` (the
    /// process environment for [`XsiamClient::from_env`]): `XSIAM_API_URL`,
    /// `XSIAM_API_KEY_ID`, `XSIAM_API_KEY`, `XSIAM_AUTH_MODE` (`standard`,
    /// the default, or `advanced`) and `XSIAM_BODY_ENVELOPE` (`auto`, the
    /// default, `flat` or `request_data`).
    ///
    /// ```
    /// use threat_reports::xsiam::XsiamClientBuilder;
    ///
    /// let vars = |name: &str| match name {
    ///     "XSIAM_API_URL" => Some("tenant.example.com".to_string()),
    ///     "XSIAM_API_KEY_ID" => Some("7".to_string()),
    ///     "XSIAM_API_KEY" => Some("k".to_string()),
    ///     "XSIAM_AUTH_MODE" => Some("advanced".to_string()),
    ///     _ => None,
    /// };
    /// let client = XsiamClientBuilder::from_vars(vars)?.build()?;
    /// assert_eq!(client.base_url(), "https://api-tenant.example.com");
    /// # Ok::<(), threat_reports::Error>(())
    /// ```
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let required = |name, what| required_var(&var, name, what);
        let url = required(
            "XSIAM_API_URL",
            "the tenant's API URL, e.g. https://api-TENANT.xdr.us.paloaltonetworks.com",
        )?;
        let key_id = required("XSIAM_API_KEY_ID", "the API key's id (a number)")?;
        let key = required("XSIAM_API_KEY", "the API key")?;
        let mut builder = XsiamClientBuilder::default().base_url(url);
        crate::config::connection_vars(&var, "XSIAM_PROXY", "XSIAM_CA_CERT", &mut builder.http)?;
        if let Some(envelope) = var("XSIAM_BODY_ENVELOPE").filter(|v| !v.trim().is_empty()) {
            builder = builder.body_envelope(envelope.parse().map_err(|_| Error::InvalidInput {
                field: "XSIAM_BODY_ENVELOPE",
                problem: format!("{:?} is not a body envelope", snippet_of(&envelope)),
                allowed: "auto, flat or request_data".into(),
            })?);
        }
        let mode = var("XSIAM_AUTH_MODE").map(|m| m.trim().to_ascii_lowercase());
        match mode.as_deref() {
            None | Some("") | Some("standard") => Ok(builder.standard_key(key_id, key)),
            Some("advanced") => Ok(builder.advanced_key(key_id, key)),
            Some(other) => Err(Error::InvalidInput {
                field: "XSIAM_AUTH_MODE",
                problem: format!("{:?} is not a key kind", snippet_of(other)),
                allowed: "standard or advanced".into(),
            }),
        }
    }

    /// Checks everything and builds the client.
    pub fn build(self) -> Result<XsiamClient, Error> {
        let raw_url = self.base_url.ok_or_else(|| Error::InvalidInput {
            field: "base_url",
            problem: "it is not set".into(),
            allowed: "the tenant's API URL or FQDN".into(),
        })?;
        let base_url = normalized_base_url(&raw_url)?;
        let (kind, key_id, key) = self.key.ok_or_else(|| Error::InvalidInput {
            field: "key",
            problem: "no key is set".into(),
            allowed: ".standard_key(key_id, key) or .advanced_key(key_id, key)".into(),
        })?;
        check_header_value("key_id", &key_id)?;
        check_header_value("key", secrecy::ExposeSecret::expose_secret(&key))?;
        let retry = self.retry.unwrap_or_default();
        retry.check()?;
        let limiter = self.rate_limit.map(|l| l.limiter()).transpose()?;
        let (http, per_request) = self.http.http_client(Api::Xsiam, &base_url)?;
        let auth = match kind {
            KeyKind::Standard => Auth::XsiamStandard {
                key_id: key_id.clone(),
                key,
            },
            KeyKind::Advanced => Auth::XsiamAdvanced {
                key_id: key_id.clone(),
                key,
                nonce: self.nonce.unwrap_or_else(|| Arc::new(random_nonce)),
                clock: self.clock.unwrap_or_else(|| Arc::new(system_clock_ms)),
            },
        };
        let (read_back, attempts) = (self.read_back, retry.attempts());
        let transport = client_transport::Transport::new(Executor {
            api: Api::Xsiam,
            auth,
            retry,
            pace: limiter.map_or(Pace::Free, Pace::Queued),
            per_request,
            sent_once: if read_back {
                super::SENT_ONCE_READ_BACK
            } else {
                super::SENT_ONCE
            },
        });
        Ok(XsiamClient {
            client: xsiam_client::Client::new_with_client(&base_url, http, transport),
            base_url,
            key_id,
            advanced: kind == KeyKind::Advanced,
            envelope: Arc::new(EnvelopeState::new(self.envelope)),
            read_backs: read_back.then(|| Arc::new(super::read_back::ReadBacks::default())),
            sends: attempts.max(1),
        })
    }
}

/// At most 40 characters of a value, for an error message.
fn snippet_of(value: &str) -> String {
    value.chars().take(40).collect()
}

/// `https://api-TENANT…` from a URL or a bare FQDN, without a trailing `/`
/// or `/public_api/v1`.
fn normalized_base_url(raw: &str) -> Result<String, Error> {
    let raw = raw.trim();
    if raw.is_empty() || raw.starts_with('/') {
        return Err(Error::InvalidInput {
            field: "base_url",
            problem: "it names no host".into(),
            allowed: "the tenant's API URL (https://api-TENANT…) or its FQDN".into(),
        });
    }
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        let host = raw.split('/').next().unwrap_or_default();
        let rest = &raw[host.len()..];
        let host = if host.starts_with("api-") {
            host.to_string()
        } else {
            format!("api-{host}")
        };
        format!("https://{host}{rest}")
    };
    let checked = base_url::checked("base_url", &with_scheme)?;
    let mut url = checked.as_str();
    while let Some(shorter) = url
        .strip_suffix("/public_api/v1")
        .or_else(|| url.strip_suffix('/'))
    {
        url = shorter;
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::normalized_base_url;

    #[test]
    fn base_urls_in_every_accepted_form() {
        let expected = "https://api-tenant.xdr.us.paloaltonetworks.com";
        for form in [
            "https://api-tenant.xdr.us.paloaltonetworks.com",
            "https://api-tenant.xdr.us.paloaltonetworks.com/",
            "https://api-tenant.xdr.us.paloaltonetworks.com/public_api/v1",
            "https://api-tenant.xdr.us.paloaltonetworks.com/public_api/v1/",
            "tenant.xdr.us.paloaltonetworks.com",
            "api-tenant.xdr.us.paloaltonetworks.com/",
            " tenant.xdr.us.paloaltonetworks.com/public_api/v1 ",
        ] {
            assert_eq!(normalized_base_url(form).unwrap(), expected, "{form}");
        }
        assert_eq!(
            normalized_base_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(normalized_base_url("http://api-tenant.example.com").is_err());
        assert!(normalized_base_url("").is_err());
    }
}
