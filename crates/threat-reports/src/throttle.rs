//! What an answer says about waiting: whether it is a throttle, and how
//! long the server asks the client to wait. Pure functions of the status,
//! headers and body, so that any answer can be judged without a panic.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Whether an answer says the caller is being throttled: HTTP 429, or an
/// error whose body says so (XSIAM's throttle is not well documented).
pub(crate) fn is_throttle(status: u16, body: &[u8]) -> bool {
    if status == 429 {
        return true;
    }
    if status < 400 {
        return false;
    }
    let head = String::from_utf8_lossy(&body[..body.len().min(4096)]).to_ascii_lowercase();
    head.contains("too many requests") || head.contains("rate limit exceeded")
}

/// Whether an answer asks the client to come back later: a throttle, or a
/// 502, 503 or 504. The one rule for which answers the executor retries
/// and which errors say so (`RateLimited`, `Unavailable`).
pub(crate) fn asks_to_come_back(status: u16, body: &[u8]) -> bool {
    is_throttle(status, body) || matches!(status, 502..=504)
}

/// How long the server asks to wait: `Retry-After` in seconds or as an
/// HTTP date, or TruSTAR's `waitTime` in milliseconds in the body.
///
/// Any number is taken, however large (`Duration` holds `u64::MAX`
/// seconds); the caller compares it with what it is willing to wait, with
/// checked arithmetic. A date in the past asks for no wait.
pub(crate) fn asked_wait(headers: &HeaderMap, body: &[u8], now: SystemTime) -> Option<Duration> {
    let header = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .and_then(|v| match v.parse::<u64>() {
            Ok(seconds) => Some(Duration::from_secs(seconds)),
            Err(_) => httpdate::parse_http_date(v)
                .ok()
                .map(|at| at.duration_since(now).unwrap_or(Duration::ZERO)),
        });
    header.or_else(|| {
        serde_json::from_slice::<serde_json::Value>(body)
            .ok()?
            .get("waitTime")?
            .as_u64()
            .map(Duration::from_millis)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, retry_after.parse().unwrap());
        headers
    }

    #[test]
    fn retry_after_in_seconds_as_a_date_or_as_wait_time() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_470);
        assert_eq!(
            asked_wait(&headers(" 3 "), b"", now),
            Some(Duration::from_secs(3))
        );
        // Wed, 21 Oct 2015 07:28:00 GMT is 1445412480: ten seconds on.
        assert_eq!(
            asked_wait(&headers("Wed, 21 Oct 2015 07:28:00 GMT"), b"", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            asked_wait(&headers("Wed, 21 Oct 2015 07:27:00 GMT"), b"", now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            asked_wait(&headers("18446744073709551615"), b"", now),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(asked_wait(&headers("soon"), b"", now), None);
        assert_eq!(
            asked_wait(
                &HeaderMap::new(),
                br#"{"waitTime": 18446744073709551615}"#,
                now
            ),
            Some(Duration::from_millis(u64::MAX))
        );
        assert_eq!(
            asked_wait(&HeaderMap::new(), br#"{"waitTime": -5}"#, now),
            None
        );
    }

    #[test]
    fn throttles_by_status_or_by_words() {
        assert!(is_throttle(429, b""));
        assert!(is_throttle(500, b"{\"err_msg\": \"Too many requests\"}"));
        assert!(!is_throttle(200, b"Too many requests"));
        assert!(!is_throttle(500, b"{}"));
    }
}
