//! Credentials, and the headers each attempt carries.

#[cfg(feature = "xsiam")]
pub(crate) mod advanced_key;

use std::fmt;
#[cfg(any(feature = "xsiam", feature = "trustar"))]
use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

#[cfg(feature = "trustar")]
use crate::trustar::token::Tokens;

#[cfg(feature = "xsiam")]
use advanced_key::{Clock, NonceSource, advanced_signature};

#[cfg(feature = "xsiam")]
const X_XDR_AUTH_ID: HeaderName = HeaderName::from_static("x-xdr-auth-id");
#[cfg(feature = "xsiam")]
const X_XDR_NONCE: HeaderName = HeaderName::from_static("x-xdr-nonce");
#[cfg(feature = "xsiam")]
const X_XDR_TIMESTAMP: HeaderName = HeaderName::from_static("x-xdr-timestamp");

/// How a request proves who sends it.
#[derive(Clone)]
pub(crate) enum Auth {
    /// XSIAM standard key: the raw key as `Authorization`.
    #[cfg(feature = "xsiam")]
    XsiamStandard { key_id: String, key: SecretString },
    /// XSIAM advanced key: a fresh nonce and timestamp per attempt, and
    /// `Authorization` = hex SHA-256 of `key + nonce + timestamp`.
    #[cfg(feature = "xsiam")]
    XsiamAdvanced {
        key_id: String,
        key: SecretString,
        nonce: NonceSource,
        clock: Clock,
    },
    /// `Authorization: Bearer` with a token made fresh, if it went stale,
    /// when the request leaves.
    #[cfg(feature = "trustar")]
    Bearer(Arc<Tokens>),
    /// A fixed `Authorization` value (HTTP Basic for TruSTAR's token call).
    #[cfg(feature = "trustar")]
    Fixed(SecretString),
}

impl fmt::Debug for Auth {
    /// Names the scheme and the key id; never a key, hash or token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            #[cfg(feature = "xsiam")]
            Auth::XsiamStandard { key_id, .. } => {
                write!(f, "XsiamStandard {{ key_id: {key_id:?}, key: [REDACTED] }}")
            }
            #[cfg(feature = "xsiam")]
            Auth::XsiamAdvanced { key_id, .. } => {
                write!(f, "XsiamAdvanced {{ key_id: {key_id:?}, key: [REDACTED] }}")
            }
            #[cfg(feature = "trustar")]
            Auth::Bearer(_) => f.write_str("Bearer([REDACTED])"),
            #[cfg(feature = "trustar")]
            Auth::Fixed(_) => f.write_str("Fixed([REDACTED])"),
            #[cfg(not(any(feature = "xsiam", feature = "trustar")))]
            _ => Ok(()),
        }
    }
}

/// A header value the `Debug` of reqwest's types will not print.
fn sensitive(value: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(value).ok()?;
    value.set_sensitive(true);
    Some(value)
}

#[cfg(feature = "xsiam")]
fn plain(value: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(value).ok()
}

impl Auth {
    /// Sets this attempt's authentication headers, at the moment it
    /// leaves (after any wait in the rate limiter): an advanced key's
    /// timestamp is the time of sending, and a bearer token is renewed
    /// first if it went stale while the request waited. The builders check
    /// every credential is a valid header value, so none is ever left out.
    pub(crate) async fn apply(&self, headers: &mut HeaderMap) {
        let mut set = |name: HeaderName, value: Option<HeaderValue>| {
            if let Some(value) = value {
                headers.insert(name, value);
            }
        };
        match self {
            #[cfg(feature = "xsiam")]
            Auth::XsiamStandard { key_id, key } => {
                set(X_XDR_AUTH_ID, plain(key_id));
                set(AUTHORIZATION, sensitive(key.expose_secret()));
            }
            #[cfg(feature = "xsiam")]
            Auth::XsiamAdvanced {
                key_id,
                key,
                nonce,
                clock,
            } => {
                let nonce = nonce();
                let timestamp = clock().to_string();
                let signature = advanced_signature(key, &nonce, &timestamp);
                set(X_XDR_AUTH_ID, plain(key_id));
                set(X_XDR_NONCE, sensitive(&nonce));
                set(X_XDR_TIMESTAMP, plain(&timestamp));
                set(AUTHORIZATION, sensitive(signature.expose_secret()));
            }
            #[cfg(feature = "trustar")]
            Auth::Bearer(tokens) => {
                // A failure here is left to the call: it sends what the slot
                // holds, and a stale answer makes it fetch again and say why.
                let _ = tokens.ensure().await;
                if let Some(token) = tokens.slot.current() {
                    set(
                        AUTHORIZATION,
                        sensitive(&format!("Bearer {}", token.expose_secret())),
                    );
                }
            }
            #[cfg(feature = "trustar")]
            Auth::Fixed(value) => set(AUTHORIZATION, sensitive(value.expose_secret())),
            #[cfg(not(any(feature = "xsiam", feature = "trustar")))]
            _ => {}
        }
    }
}

/// Whether `value` can travel as a header value; refuses it otherwise,
/// without ever quoting it (it may be a secret).
pub(crate) fn check_header_value(field: &'static str, value: &str) -> Result<(), crate::Error> {
    if value.is_empty() {
        return Err(crate::Error::InvalidInput {
            field,
            problem: "it is empty".into(),
            allowed: "a non-empty value".into(),
        });
    }
    if HeaderValue::from_str(value).is_err() || value.trim() != value {
        return Err(crate::Error::InvalidInput {
            field,
            problem: "it holds characters that cannot travel in an HTTP header (a line break, \
                      a control character, or leading or trailing whitespace)"
                .into(),
            allowed: "visible ASCII characters, as the vendor's console shows them".into(),
        });
    }
    Ok(())
}

#[cfg(all(test, feature = "xsiam"))]
mod tests {
    use super::*;

    #[test]
    fn advanced_headers_use_the_injected_nonce_and_clock() {
        let auth = Auth::XsiamAdvanced {
            key_id: "241".into(),
            key: SecretString::from("testApiKey"),
            nonce: Arc::new(|| {
                "b5834c137a825cc6c80111f237e1c5f8dedeef5df9dcd4c7f1dc73f180c89b47".into()
            }),
            clock: Arc::new(|| 1_584_983_036_945),
        };
        let mut headers = HeaderMap::new();
        tokio_test_block_on(auth.apply(&mut headers));
        assert_eq!(headers["x-xdr-auth-id"], "241");
        assert_eq!(headers["x-xdr-timestamp"], "1584983036945");
        assert_eq!(
            headers["x-xdr-nonce"],
            "b5834c137a825cc6c80111f237e1c5f8dedeef5df9dcd4c7f1dc73f180c89b47"
        );
        assert_eq!(
            headers["authorization"],
            "8eb5e56a1656a35c9d187762d945339455b5382e11d779c458a63c652e1e79e9"
        );
        assert!(headers["authorization"].is_sensitive());
        assert!(!format!("{auth:?}").contains("testApiKey"));
    }

    fn tokio_test_block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }
}
