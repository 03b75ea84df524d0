//! The clients a command uses, from flags, the environment and the profile;
//! every problem named as the user set it.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use threat_reports::Error;
use threat_reports::trustar::{TrustarClient, TrustarClientBuilder};
use threat_reports::xsiam::{XsiamClient, XsiamClientBuilder};

use crate::Failure;
use crate::cli::{TrustarConnection, XsiamConnection};
use crate::config::{self, Profile, Setting};
use crate::words::{self, Api};

/// Names the facade's settings resolved from flags, environment and profile.
fn lookup(resolved: BTreeMap<&'static str, String>) -> impl Fn(&str) -> Option<String> {
    move |name| resolved.get(name).cloned()
}

/// A configuration error in the user's words, saying where settings come
/// from.
fn configuration(api: Api, error: Error, profile: &Profile) -> Failure {
    let message = words::configuration(api, &error).unwrap_or_else(|| words::error(&error));
    Failure::usage(format!(
        "{message}\n(settings come from flags, then the environment, then the profile in {})",
        profile.describe()
    ))
}

/// `--timeout` as a duration; 0 is refused.
fn timeout(seconds: u64) -> Result<Duration, Failure> {
    if seconds == 0 {
        return Err(Failure::usage(
            "--timeout must be at least 1 (seconds to wait for each attempt's answer)",
        ));
    }
    let timeout = Duration::from_secs(seconds);
    words::set_timeout(timeout);
    Ok(timeout)
}

/// A URL without a scheme is a tenant FQDN to the facade (`api-` is put in
/// front, https assumed). An IP address or `localhost` never is one: most
/// likely a local server was meant.
fn check_xsiam_url(url: &str) -> Result<(), Failure> {
    let url = url.trim();
    if url.contains("://") {
        return Ok(());
    }
    let authority = url.split('/').next().unwrap_or_default();
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => authority,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.parse::<IpAddr>().is_ok() || host.eq_ignore_ascii_case("localhost") {
        return Err(Failure::usage(format!(
            "the XSIAM URL {url:?} (--url, XSIAM_API_URL or xsiam_url) has no scheme, so it \
             is read as a tenant's FQDN: https://api-{url}. For a local server, give \
             http://{url}"
        )));
    }
    Ok(())
}

/// The XSIAM client the connection flags, environment and profile describe.
pub fn xsiam(c: &XsiamConnection, profile: &Profile) -> Result<XsiamClientBuilder, Failure> {
    let settings = vec![
        Setting::value("XSIAM_API_URL", "--url", c.url.clone(), "xsiam_url"),
        Setting::value(
            "XSIAM_API_KEY_ID",
            "--key-id",
            c.key_id.clone(),
            "xsiam_key_id",
        ),
        Setting::secret(
            "XSIAM_API_KEY",
            "--api-key-file",
            c.api_key_file.as_deref(),
            "xsiam_api_key_file",
        ),
        Setting::value(
            "XSIAM_AUTH_MODE",
            "--auth-mode",
            c.auth_mode.clone(),
            "xsiam_auth_mode",
        ),
        Setting::value(
            "XSIAM_BODY_ENVELOPE",
            "--body-envelope",
            c.body_envelope.clone(),
            "xsiam_body_envelope",
        ),
    ];
    let resolved = config::resolve(settings, profile)?;
    if let Some(url) = resolved.get("XSIAM_API_URL") {
        check_xsiam_url(url)?;
    }
    let timeout = timeout(c.timeout)?;
    let builder = XsiamClientBuilder::from_vars(lookup(resolved))
        .map_err(|e| configuration(Api::Xsiam, e, profile))?;
    Ok(builder.timeout(timeout))
}

/// Builds the XSIAM client, naming any problem as the user set it.
pub fn build_xsiam(builder: XsiamClientBuilder, profile: &Profile) -> Result<XsiamClient, Failure> {
    builder
        .build()
        .map_err(|e| configuration(Api::Xsiam, e, profile))
}

/// The TruSTAR client the connection flags, environment and profile
/// describe.
pub fn trustar(c: &TrustarConnection, profile: &Profile) -> Result<TrustarClient, Failure> {
    let settings = vec![
        Setting::value("TRUSTAR_BASE_URL", "--url", c.url.clone(), "trustar_url"),
        Setting::secret(
            "TRUSTAR_API_KEY",
            "--api-key-file",
            c.api_key_file.as_deref(),
            "trustar_api_key_file",
        ),
        Setting::secret(
            "TRUSTAR_API_SECRET",
            "--api-secret-file",
            c.api_secret_file.as_deref(),
            "trustar_api_secret_file",
        ),
    ];
    let resolved = config::resolve(settings, profile)?;
    let timeout = timeout(c.timeout)?;
    let builder: TrustarClientBuilder = TrustarClientBuilder::from_vars(lookup(resolved))
        .map_err(|e| configuration(Api::Trustar, e, profile))?;
    builder
        .timeout(timeout)
        .build()
        .map_err(|e| configuration(Api::Trustar, e, profile))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ip_or_localhost_without_a_scheme_is_refused_with_the_url_to_give() {
        for url in ["127.0.0.1:18181", "localhost:8080", "[::1]:80", "10.0.0.5"] {
            let message = check_xsiam_url(url).unwrap_err().message;
            assert!(message.contains(&format!("http://{url}")), "{message}");
            assert!(message.contains(&format!("https://api-{url}")), "{message}");
        }
        for url in ["tenant.xdr.us.paloaltonetworks.com", "http://127.0.0.1:1"] {
            assert!(check_xsiam_url(url).is_ok(), "{url}");
        }
    }
}
