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

/// Applies `{PREFIX}_PROXY` (a proxy URL) and `{PREFIX}_CA_CERT` (a PEM
/// file's path) to `http`, when set.
pub(crate) fn connection_vars(
    var: &impl Fn(&str) -> Option<String>,
    proxy_var: &'static str,
    ca_var: &'static str,
    http: &mut HttpSettings,
) -> Result<(), Error> {
    if let Some(proxy) = var(proxy_var).filter(|v| !v.trim().is_empty()) {
        http.proxy = Some(proxy.trim().to_string());
    }
    if let Some(path) = var(ca_var).filter(|v| !v.trim().is_empty()) {
        let pem = std::fs::read(path.trim()).map_err(|e| Error::InvalidInput {
            field: ca_var,
            problem: format!("cannot read {:?}: {e}", snippet(path.trim())),
            allowed: "the path of a PEM file of root certificates".into(),
        })?;
        http.ca_certificates.push(pem);
    }
    Ok(())
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
    /// A proxy for every request (else the environment's, never for a
    /// loopback base URL).
    pub proxy: Option<String>,
    /// Extra root certificates (PEM), such as a TLS-inspecting proxy's.
    pub ca_certificates: Vec<Vec<u8>>,
}

impl std::fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSettings")
            .field("client", &self.client.as_ref().map(|_| "supplied"))
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("proxy", &self.proxy.as_deref().map(proxy_shown))
            .field("ca_certificates", &self.ca_certificates.len())
            .finish()
    }
}

/// What the executor needs of [`HttpSettings`] on every attempt.
#[derive(Clone, Default)]
pub(crate) struct PerRequest {
    /// The time limit of one attempt, set on each request: only for a
    /// supplied client and a timeout named in the builder (a client the
    /// builder makes carries its timeout itself, and a supplied client's
    /// own timeout stands unless the builder names one).
    pub timeout: Option<Duration>,
    /// The proxy requests go through, as messages show it (set, or from
    /// the environment), for the errors of connections through it.
    pub proxy: Option<std::sync::Arc<str>>,
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
    pub(crate) fn http_client(
        &self,
        api: Api,
        base_url: &str,
    ) -> Result<(reqwest::Client, PerRequest), Error> {
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
            if self.proxy.is_some() || !self.ca_certificates.is_empty() {
                return Err(Error::InvalidInput {
                    field: "http_client",
                    problem: "a proxy or a CA certificate is set beside a client of your own"
                        .into(),
                    allowed: "set the proxy and roots on your client, or let the builder make \
                              the client"
                        .into(),
                });
            }
            let user_agent = self.user_agent.is_some().then_some(header);
            return Ok((
                client.clone(),
                PerRequest {
                    timeout: self.timeout,
                    user_agent,
                    proxy: None,
                },
            ));
        }
        let mut builder = crate::tls::http_client_builder()?
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(header);
        match &self.proxy {
            Some(proxy) => {
                let proxy =
                    reqwest::Proxy::all(proxy.as_str()).map_err(|e| Error::InvalidInput {
                        field: "proxy",
                        problem: format!("{:?} is not a proxy URL ({e})", proxy_shown(proxy)),
                        allowed: "http://HOST:PORT, https://HOST:PORT or socks5://HOST:PORT, \
                              user:password@ allowed"
                            .into(),
                    })?;
                builder = builder.proxy(proxy);
            }
            // A proxy from the environment (HTTP_PROXY, HTTPS_PROXY,
            // ALL_PROXY) never captures a loopback server: the sandbox.
            None if is_loopback(base_url) => builder = builder.no_proxy(),
            None => {}
        }
        builder = add_ca_certificates(builder, &self.ca_certificates)?;
        let client = builder.build().map_err(|source| Error::Transport {
            api,
            attempts: 0,
            proxy: None,
            source,
        })?;
        Ok((
            client,
            PerRequest {
                timeout: None,
                user_agent: None,
                proxy: self.proxy_in_effect(base_url).map(Into::into),
            },
        ))
    }
}

/// Adds PEM root certificates to `builder`.
#[cfg(any(feature = "rustls", feature = "rustls-ring", feature = "native-tls"))]
fn add_ca_certificates(
    mut builder: reqwest::ClientBuilder,
    pems: &[Vec<u8>],
) -> Result<reqwest::ClientBuilder, Error> {
    for pem in pems {
        let certificates =
            reqwest::Certificate::from_pem_bundle(pem).map_err(|e| Error::InvalidInput {
                field: "ca_certificate",
                problem: format!("it is not PEM certificates ({e})"),
                allowed: "one or more -----BEGIN CERTIFICATE----- blocks".into(),
            })?;
        if certificates.is_empty() {
            return Err(Error::InvalidInput {
                field: "ca_certificate",
                problem: "it holds no certificate".into(),
                allowed: "one or more -----BEGIN CERTIFICATE----- blocks".into(),
            });
        }
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    Ok(builder)
}

/// Without TLS there is nothing to trust a certificate for.
#[cfg(not(any(feature = "rustls", feature = "rustls-ring", feature = "native-tls")))]
fn add_ca_certificates(
    builder: reqwest::ClientBuilder,
    pems: &[Vec<u8>],
) -> Result<reqwest::ClientBuilder, Error> {
    if pems.is_empty() {
        return Ok(builder);
    }
    Err(Error::InvalidInput {
        field: "ca_certificate",
        problem: "this build has no TLS (no rustls, rustls-ring or native-tls feature)".into(),
        allowed: "a build with a TLS feature, or no CA certificate".into(),
    })
}

impl HttpSettings {
    /// The proxy a client made here sends through, as messages show it:
    /// the one set, or the environment's for the base URL's scheme (not
    /// for a loopback base URL, which is reached directly). `NO_PROXY` may
    /// still exempt the host; the message says so then.
    fn proxy_in_effect(&self, base_url: &str) -> Option<String> {
        if let Some(proxy) = &self.proxy {
            return Some(proxy_shown(proxy));
        }
        if is_loopback(base_url) {
            return None;
        }
        let https = base_url.starts_with("https:");
        let names: &[&str] = if https {
            &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        } else {
            &["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
        };
        let (name, value) = names.iter().find_map(|name| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|v| (*name, v))
        })?;
        let exempt = ["NO_PROXY", "no_proxy"]
            .iter()
            .any(|n| std::env::var(n).is_ok_and(|v| !v.trim().is_empty()));
        Some(format!(
            "{} (from {name}{})",
            proxy_shown(value.trim()),
            if exempt {
                ", unless NO_PROXY exempts the host"
            } else {
                ""
            }
        ))
    }
}

/// Whether a base URL's host is this machine (the rule that allows plain
/// http: [`is_loopback_host`](crate::base_url::is_loopback_host)).
pub(crate) fn is_loopback(base_url: &str) -> bool {
    reqwest::Url::parse(base_url)
        .ok()
        .and_then(|url| url.host_str().map(crate::base_url::is_loopback_host))
        .unwrap_or(false)
}

/// A proxy URL as messages show it: without its password.
pub(crate) fn proxy_shown(proxy: &str) -> String {
    match reqwest::Url::parse(proxy) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        Ok(url) => url.to_string(),
        Err(_) => snippet(proxy),
    }
}
