//! The library's errors in reportctl's own words: each setting named as the
//! user gives it (flag, environment variable, profile key), never as a
//! library method.

use std::sync::OnceLock;
use std::time::Duration;

use threat_reports::Error;

/// The time limit of one attempt, as `--timeout` set it: for messages.
static TIMEOUT: OnceLock<Duration> = OnceLock::new();

/// The default of `--timeout`, in seconds (the library's).
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 30;

/// Records the time limit the clients use, for messages.
pub fn set_timeout(timeout: Duration) {
    let _ = TIMEOUT.set(timeout);
}

fn timeout() -> Duration {
    TIMEOUT
        .get()
        .copied()
        .unwrap_or(Duration::from_secs(DEFAULT_TIMEOUT_SECONDS))
}

/// Which API a setting belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Xsiam,
    Trustar,
}

/// Where a setting of the library comes from, as a user gives it.
pub fn setting(api: Api, field: &str) -> Option<&'static str> {
    Some(match (api, field) {
        (Api::Xsiam, "XSIAM_API_URL" | "base_url") => {
            "--url (or XSIAM_API_URL, or xsiam_url in the profile)"
        }
        (Api::Xsiam, "XSIAM_API_KEY_ID" | "key_id") => {
            "--key-id (or XSIAM_API_KEY_ID, or xsiam_key_id in the profile)"
        }
        (Api::Xsiam, "XSIAM_API_KEY" | "key") => {
            "the API key: --api-key-file FILE (or XSIAM_API_KEY, or xsiam_api_key_file in the profile)"
        }
        (Api::Xsiam, "XSIAM_AUTH_MODE") => {
            "--auth-mode (or XSIAM_AUTH_MODE, or xsiam_auth_mode in the profile)"
        }
        (Api::Xsiam, "XSIAM_BODY_ENVELOPE") => {
            "--body-envelope (or XSIAM_BODY_ENVELOPE, or xsiam_body_envelope in the profile)"
        }
        (Api::Trustar, "TRUSTAR_BASE_URL" | "base_url") => {
            "--url (or TRUSTAR_BASE_URL, or trustar_url in the profile)"
        }
        (Api::Trustar, "TRUSTAR_API_KEY" | "credentials") => {
            "the API key: --api-key-file FILE (or TRUSTAR_API_KEY, or trustar_api_key_file in the profile)"
        }
        (Api::Trustar, "TRUSTAR_API_SECRET") => {
            "the API secret: --api-secret-file FILE (or TRUSTAR_API_SECRET, or trustar_api_secret_file in the profile)"
        }
        (_, "retry.max_attempts") => "--max-attempts",
        (_, "rate_limit") => "--rate",
        _ => return None,
    })
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

/// Any error of the library, in the user's words.
pub fn error(error: &Error) -> String {
    if out_of_file_handles(error) {
        return "ran out of file handles (too many open files): lower --concurrency, or raise \
                the limit with ulimit -n"
            .into();
    }
    if let Error::Transport {
        api,
        attempts,
        source,
    } = error
    {
        let url = source
            .url()
            .map(|u| format!(" at {}", u.origin().ascii_serialization()))
            .unwrap_or_default();
        if source.is_timeout() {
            return format!(
                "{api}{url} did not answer: timed out after {} s, {attempts} attempt(s); \
                 --timeout SECONDS sets the time limit of each attempt",
                timeout().as_secs_f64()
            );
        }
        let flag = match api {
            threat_reports::Api::Xsiam => setting(Api::Xsiam, "base_url"),
            _ => setting(Api::Trustar, "base_url"),
        }
        .unwrap_or("--url");
        return format!(
            "could not reach {api}{url} after {attempts} attempt(s): {}. Check {flag}, the \
             network and any proxy",
            root_cause(source)
        );
    }
    error.to_string()
}
