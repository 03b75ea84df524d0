//! Checking a base URL: https, or http to this machine only.

use std::net::IpAddr;

use crate::Error;

/// Whether a URL's host is this machine: `localhost` or a loopback address
/// (`127.0.0.1`, `[::1]`).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `raw` as a base URL without a trailing `/`: `https://…`, or `http://`
/// when the host is loopback (a local test server or sandbox).
pub(crate) fn checked(field: &'static str, raw: &str) -> Result<String, Error> {
    let invalid = |problem: String| Error::InvalidInput {
        field,
        problem,
        allowed: "an https:// URL (http:// only to 127.0.0.1, ::1 or localhost)".into(),
    };
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|e| invalid(format!("{:?} is not a URL ({e})", raw.trim())))?;
    let loopback = is_loopback_host(url.host_str().unwrap_or_default());
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(invalid(format!(
                "{:?} is plain http to another machine: credentials would travel unencrypted",
                url.as_str()
            )));
        }
        other => return Err(invalid(format!("{other}:// is not a web URL"))),
    }
    if url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        // Not quoted: a user name or password in a URL may be a secret.
        return Err(invalid(
            "it has a query, a fragment, or a user name or password".into(),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::checked;

    #[test]
    fn https_anywhere_http_only_to_this_machine() {
        assert_eq!(
            checked("base_url", "https://api.trustar.co/").unwrap(),
            "https://api.trustar.co"
        );
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
        ] {
            assert!(checked("base_url", local).is_ok(), "{local}");
        }
        for bad in [
            "http://api.trustar.co",
            "http://10.0.0.1",
            "ftp://x",
            "api.trustar.co",
            "https://u:p@x.io",
            "https://x.io/?a=1",
        ] {
            assert!(checked("base_url", bad).is_err(), "{bad}");
        }
    }
}
