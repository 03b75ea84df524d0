//! The clients a command uses, from flags, the environment and the profile;
//! every problem named as the user set it.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use threat_reports::trustar::{TrustarClient, TrustarClientBuilder};
use threat_reports::xsiam::{XsiamClient, XsiamClientBuilder};
use threat_reports::{Api, Error};

use crate::Failure;
use crate::cli::{TrustarConnection, XsiamConnection};
use crate::config::{self, Profile, Setting, Source};
use crate::words;

/// Names the facade's settings resolved from flags, environment and profile.
fn lookup(resolved: BTreeMap<&'static str, String>) -> impl Fn(&str) -> Option<String> {
    move |name| resolved.get(name).cloned()
}

/// A configuration error in the user's words, saying where settings come
/// from.
fn configuration(api: Api, error: Error, profile: &Profile, timeout: Duration) -> Failure {
    let message =
        words::configuration(api, &error).unwrap_or_else(|| words::error(&error, timeout));
    Failure::usage(format!(
        "{message}\n(settings come from flags, then the environment, then the profile in {})",
        profile.describe()
    ))
}

/// `--timeout` as a duration; 0 is refused.
pub fn timeout(seconds: u64) -> Result<Duration, Failure> {
    if seconds == 0 {
        return Err(Failure::usage(
            "--timeout must be at least 1 (seconds to wait for each attempt's answer)",
        ));
    }
    Ok(Duration::from_secs(seconds))
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

/// A path flag as the settings carry it.
fn path_text(path: &Option<PathBuf>) -> Option<String> {
    path.as_ref().map(|p| p.display().to_string())
}

/// A plain setting, as given on the command line.
fn value(source: &'static Source, flag: &Option<String>) -> Setting<'static> {
    Setting {
        source,
        flag: flag.clone(),
        flag_file: None,
    }
}

/// A secret, from the file the command line names.
fn secret<'a>(source: &'static Source, file: &'a Option<PathBuf>) -> Setting<'a> {
    Setting {
        source,
        flag: None,
        flag_file: file.as_deref(),
    }
}

/// The XSIAM client the connection flags, environment and profile
/// describe, with `timeout` for each attempt.
pub fn xsiam(
    c: &XsiamConnection,
    profile: &Profile,
    timeout: Duration,
) -> Result<XsiamClientBuilder, Failure> {
    let [url, key_id, key, auth_mode, body_envelope, proxy, ca_cert] = &config::XSIAM;
    let settings = vec![
        value(url, &c.url),
        value(key_id, &c.key_id),
        secret(key, &c.api_key_file),
        value(auth_mode, &c.auth_mode),
        value(body_envelope, &c.body_envelope),
        value(proxy, &c.proxy),
        value(ca_cert, &path_text(&c.ca_cert)),
    ];
    let resolved = config::resolve(settings, profile)?;
    if let Some(url) = resolved.get(config::XSIAM[0].env) {
        check_xsiam_url(url)?;
    }
    let builder = XsiamClientBuilder::from_vars(lookup(resolved))
        .map_err(|e| configuration(Api::Xsiam, e, profile, timeout))?;
    Ok(builder.timeout(timeout))
}

/// Builds the XSIAM client, naming any problem as the user set it.
pub fn build_xsiam(
    builder: XsiamClientBuilder,
    profile: &Profile,
    timeout: Duration,
) -> Result<XsiamClient, Failure> {
    builder
        .build()
        .map_err(|e| configuration(Api::Xsiam, e, profile, timeout))
}

/// The TruSTAR client the connection flags, environment and profile
/// describe, with `timeout` for each attempt.
pub fn trustar(
    c: &TrustarConnection,
    profile: &Profile,
    timeout: Duration,
) -> Result<TrustarClient, Failure> {
    trustar_paced(c, profile, timeout, None)
}

/// The same, spacing its calls (all of them: tokens, read-backs, parts)
/// to at most `per_minute` a minute when given.
pub fn trustar_paced(
    c: &TrustarConnection,
    profile: &Profile,
    timeout: Duration,
    per_minute: Option<u32>,
) -> Result<TrustarClient, Failure> {
    let [url, key, api_secret, proxy, ca_cert] = &config::TRUSTAR;
    let settings = vec![
        value(url, &c.url),
        secret(key, &c.api_key_file),
        secret(api_secret, &c.api_secret_file),
        value(proxy, &c.proxy),
        value(ca_cert, &path_text(&c.ca_cert)),
    ];
    let resolved = config::resolve(settings, profile)?;
    let builder: TrustarClientBuilder = TrustarClientBuilder::from_vars(lookup(resolved))
        .map_err(|e| configuration(Api::Trustar, e, profile, timeout))?;
    let builder = match c.max_indicators {
        Some(0) => {
            return Err(Failure::usage(
                "--max-indicators must be at least 1 (the most indicators a report may hold)",
            ));
        }
        Some(limit) => builder.max_indicators(limit),
        None => builder,
    };
    let builder = match per_minute {
        Some(calls) => builder.rate_limit(threat_reports::RateLimit::per_minute(calls)),
        None => builder,
    };
    builder
        .timeout(timeout)
        .build()
        .map_err(|e| configuration(Api::Trustar, e, profile, timeout))
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
