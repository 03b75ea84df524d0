//! [`http_client_builder`]: a `reqwest::ClientBuilder` with this crate's
//! TLS, for callers who build their own client.
//!
//! With the default `rustls` feature, TLS is rustls with reqwest's default
//! crypto (aws-lc-rs) and the platform's certificate verifier (the
//! system's roots), and this is reqwest's own builder. With `rustls-ring`
//! instead, it is rustls with ring's crypto: a first build about a third
//! shorter (aws-lc-rs's C build goes), but reqwest is then built without a
//! crypto provider of its own, so a client built from a bare
//! `reqwest::Client::builder()` (or `reqwest::get`) anywhere in the same
//! binary panics in reqwest unless it is started from
//! [`http_client_builder`] or a provider is installed process-wide
//! (`rustls::crypto::ring::default_provider().install_default()`). That is
//! why ring is not the default. With `native-tls`, the system's TLS
//! library needs none of this.

use crate::Error;

/// A `reqwest::ClientBuilder` with the TLS this crate's own clients use:
/// add a proxy, roots, a client certificate, a timeout, then hand the
/// built client to `.http_client(..)` of either client builder.
///
/// ```
/// use std::time::Duration;
/// use threat_reports::xsiam::XsiamClient;
///
/// let http = threat_reports::http_client_builder()?
///     .timeout(Duration::from_secs(10))
///     .build()?;
/// let client = XsiamClient::builder()
///     .base_url("https://api-tenant.xdr.us.paloaltonetworks.com")
///     .standard_key("12", "key")
///     .http_client(http)
///     .build()?;
/// # drop(client);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, Error> {
    let builder = reqwest::Client::builder();
    #[cfg(feature = "rustls-ring")]
    let builder = builder.tls_backend_preconfigured(rustls_config()?);
    Ok(builder)
}

/// rustls with ring and the platform's verifier.
#[cfg(feature = "rustls-ring")]
fn rustls_config() -> Result<rustls::ClientConfig, Error> {
    use std::sync::Arc;
    let unavailable = |e: rustls::Error| Error::InvalidInput {
        field: "tls",
        problem: format!("the platform's certificate verifier could not start: {e}"),
        allowed: "a system with its CA certificates installed (ca-certificates), or a client \
                  of your own through .http_client(..)"
            .into(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier =
        rustls_platform_verifier::Verifier::new(provider.clone()).map_err(unavailable)?;
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(unavailable)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}
