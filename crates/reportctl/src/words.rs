//! The library's errors in reportctl's own words: each setting named as the
//! user gives it (flag, environment variable, profile key), never as a
//! library method.

use std::time::Duration;

use threat_reports::{Api, Error};

use crate::config;

/// The default of `--timeout`, in seconds (the library's).
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 30;

/// Where a setting of the library comes from, as a user gives it. The
/// library names a setting by its environment variable or, in a builder's
/// checks, by its own field.
pub fn setting(api: Api, field: &str) -> Option<String> {
    let env = match (api, field) {
        (_, "retry.max_attempts") => return Some("--max-attempts".into()),
        (_, "rate_limit") => return Some("--rate".into()),
        (Api::Xsiam, "base_url") => "XSIAM_API_URL",
        (Api::Xsiam, "key_id") => "XSIAM_API_KEY_ID",
        (Api::Xsiam, "key") => "XSIAM_API_KEY",
        (Api::Trustar, "base_url") => "TRUSTAR_BASE_URL",
        (Api::Trustar, "credentials") => "TRUSTAR_API_KEY",
        (_, env) => env,
    };
    config::source(env).map(config::Source::described)
}

/// What a setting may be, where the library's own words name methods.
fn allowed(field: &str, library: &str) -> String {
    match field {
        "retry.max_attempts" => "at least 1 (1 means no retries)".into(),
        "key" => "a key id and a key".into(),
        "credentials" => "an API key and an API secret".into(),
        _ => library.to_string(),
    }
}

/// A configuration error of `api` in the user's words.
pub fn configuration(api: Api, error: &Error) -> Option<String> {
    let Error::InvalidInput {
        field,
        problem,
        allowed: library,
        ..
    } = error
    else {
        return None;
    };
    let setting = setting(api, field)?;
    Some(format!(
        "{setting}: {problem}; expected {}",
        allowed(field, library)
    ))
}

/// Whether the error came from running out of file handles (EMFILE, or
/// ENFILE for the whole system).
pub fn out_of_file_handles(error: &Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && matches!(io.raw_os_error(), Some(23 | 24))
        {
            return true;
        }
        source = e.source();
    }
    false
}

/// The innermost cause of an error, which says what really happened.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Any error of the library, in the user's words; `timeout` is the time
/// limit of each attempt, as `--timeout` set it.
pub fn error(error: &Error, timeout: Duration) -> String {
    if out_of_file_handles(error) {
        return "ran out of file handles (too many open files): lower --concurrency, or raise \
                the limit with ulimit -n"
            .into();
    }
    if let Error::Transport {
        api,
        attempts,
        proxy,
        source,
        ..
    } = error
    {
        let url = source
            .url()
            .map(|u| format!(" at {}", u.origin().ascii_serialization()))
            .unwrap_or_default();
        let prefix = match api {
            Api::Trustar => "TRUSTAR",
            _ => "XSIAM",
        };
        let (through, check) = match proxy {
            Some(p) => (
                format!(" through the proxy {p}"),
                format!(
                    "the proxy (--proxy, {prefix}_PROXY or the profile's {}_proxy; \
                     HTTPS_PROXY/ALL_PROXY otherwise)",
                    prefix.to_ascii_lowercase()
                ),
            ),
            None => (String::new(), "any proxy".to_string()),
        };
        if source.is_timeout() {
            return format!(
                "{api}{url} did not answer{through}: timed out after {} s, {attempts} \
                 attempt(s); --timeout SECONDS sets the time limit of each attempt",
                timeout.as_secs_f64()
            );
        }
        let flag = setting(*api, "base_url").unwrap_or_else(|| "--url".into());
        return format!(
            "could not reach {api}{url}{through} after {attempts} attempt(s): {}. Check {flag}, \
             the network and {check}",
            root_cause(source)
        );
    }
    if let Error::TooManyIndicators { .. } = error {
        // The library's advice names its builder; here it is a flag.
        return error.to_string().replace(
            "lower the client's max_indicators",
            "lower --max-indicators",
        );
    }
    if let Error::RateLimited {
        api,
        retry_after,
        attempts,
        message,
        response,
        ..
    } = error
    {
        let wait = retry_after
            .map(|w| format!("; it asks to wait {} s", w.as_secs_f64()))
            .unwrap_or_default();
        let request = response
            .request_id
            .as_deref()
            .map(|id| format!(" (request id {id})"))
            .unwrap_or_default();
        return format!(
            "{api} is rate limiting these calls (HTTP {}) after {attempts} attempt(s){wait}{request}: \
             {message}. Retry later, allow more attempts with --max-attempts N, or, for \
             bulk-status, send fewer calls a second with --rate N",
            response.status
        );
    }
    error.to_string()
}
