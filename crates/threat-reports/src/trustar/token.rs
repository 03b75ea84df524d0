//! TruSTAR access tokens: fetched lazily, cached until shortly before they
//! expire, refreshed once when the server says one went stale; concurrent
//! callers share one fetch.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;
use tokio::time::Instant;
use trustar_client::types::{TokenRequest, TokenRequestGrantType};

use crate::Error;
use crate::call::{CallRecord, recorded, too_large};
use crate::error::{Api, snippet};
use crate::failure::{Answer, Failure, come_back_later, failure, first_message};

/// The token lifetime the vendor documents ("about ten minutes"), assumed
/// when an answer does not say, and the longest a token is used.
const DOCUMENTED_LIFETIME: Duration = Duration::from_secs(600);

const CREDENTIALS_HINT: &str = "Check the API key and secret (TRUSTAR_API_KEY and \
    TRUSTAR_API_SECRET; Station: Settings, API)";

/// The current bearer token, shared by a client's calls.
#[derive(Default)]
pub(crate) struct TokenSlot {
    token: RwLock<Option<SecretString>>,
}

impl TokenSlot {
    pub(crate) fn current(&self) -> Option<SecretString> {
        self.token.read().ok().and_then(|t| t.clone())
    }

    pub(crate) fn set(&self, token: Option<SecretString>) {
        if let Ok(mut slot) = self.token.write() {
            *slot = token;
        }
    }
}

/// Where tokens come from.
enum Source {
    /// A token given by the caller: used as is, never refreshed.
    Fixed,
    /// Fetched with the client credentials, through this client (which
    /// sends HTTP Basic).
    Credentials(trustar_client::Client),
}

pub(crate) struct Tokens {
    pub(crate) slot: Arc<TokenSlot>,
    source: Source,
    /// When the token in the slot stops being fresh; the lock is what
    /// concurrent callers wait on while one of them fetches.
    fresh_until: Mutex<Option<Instant>>,
}

impl Tokens {
    pub(crate) fn fixed(token: SecretString) -> Self {
        let slot = Arc::new(TokenSlot::default());
        slot.set(Some(token));
        Tokens {
            slot,
            source: Source::Fixed,
            fresh_until: Mutex::new(None),
        }
    }

    pub(crate) fn from_credentials(token_client: trustar_client::Client) -> Self {
        Tokens {
            slot: Arc::new(TokenSlot::default()),
            source: Source::Credentials(token_client),
            fresh_until: Mutex::new(None),
        }
    }

    /// Whether a stale token can be replaced.
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self.source, Source::Credentials(_))
    }

    /// Makes sure the slot holds a fresh token.
    pub(crate) async fn ensure(&self) -> Result<(), Error> {
        let Source::Credentials(client) = &self.source else {
            return Ok(());
        };
        let mut fresh_until = self.fresh_until.lock().await;
        if fresh_until.is_some_and(|until| Instant::now() < until) && self.slot.current().is_some()
        {
            return Ok(());
        }
        // Boxed: the fetch is a whole call, rarely made; unboxed it would
        // make every request's future as large as a token call.
        Box::pin(self.fetch(client, &mut fresh_until)).await
    }

    /// After the server called the token `used` stale: fetches a new one,
    /// unless another call already has.
    pub(crate) async fn refresh(&self, used: Option<&SecretString>) -> Result<(), Error> {
        let Source::Credentials(client) = &self.source else {
            return Ok(());
        };
        let mut fresh_until = self.fresh_until.lock().await;
        let current = self.slot.current();
        let same = match (current.as_ref(), used) {
            (Some(a), Some(b)) => a.expose_secret() == b.expose_secret(),
            (None, None) => true,
            _ => false,
        };
        if !same {
            return Ok(());
        }
        // Boxed: the fetch is a whole call, rarely made; unboxed it would
        // make every request's future as large as a token call.
        Box::pin(self.fetch(client, &mut fresh_until)).await
    }

    async fn fetch(
        &self,
        client: &trustar_client::Client,
        fresh_until: &mut Option<Instant>,
    ) -> Result<(), Error> {
        tracing::debug!("fetching a TruSTAR access token");
        let request = TokenRequest {
            grant_type: TokenRequestGrantType::ClientCredentials,
        };
        let (result, record) = recorded(client.get_token(&request)).await;
        if let Some(error) = too_large(Api::Trustar, &record) {
            return Err(error);
        }
        let token = match result {
            Ok(answer) => answer.into_inner(),
            Err(error) => return Err(token_error(failure(error, &record).await, &record)),
        };
        let access_token = match token.access_token {
            Some(access_token) if !access_token.is_empty() => access_token,
            missing => {
                let problem = if missing.is_some() {
                    "access_token is empty"
                } else {
                    "it has no access_token"
                };
                return Err(Error::Decode {
                    api: Api::Trustar,
                    what: "a token answer",
                    problem: problem.into(),
                    response: hidden_body(record.response()),
                });
            }
        };
        *fresh_until = Some(fresh_until_from(Instant::now(), token.expires_in));
        self.slot.set(Some(SecretString::from(access_token)));
        Ok(())
    }
}

/// Until when a token fetched at `now` is used, from the answer's
/// `expires_in` (seconds).
///
/// The vendor documents tokens of about ten minutes; an answer without
/// `expires_in`, or with one that is not positive, is taken to mean that,
/// and a longer one is capped to it (a server's number never overflows an
/// `Instant`). An earlier expiry is answered with 400 `Expired oauth2 access
/// token`, and renewed then. Tokens are renewed a little early: 30 s before
/// expiry, or a fifth of a short life before.
fn fresh_until_from(now: Instant, expires_in: Option<i64>) -> Instant {
    let lifetime = match expires_in.and_then(|s| u64::try_from(s).ok()) {
        Some(seconds) if seconds > 0 => Duration::from_secs(seconds).min(DOCUMENTED_LIFETIME),
        _ => {
            tracing::debug!("the token answer has no usable expires_in; assuming 600 s");
            DOCUMENTED_LIFETIME
        }
    };
    let margin = (lifetime / 5).min(Duration::from_secs(30));
    now + lifetime.saturating_sub(margin)
}

/// A token answer's facts without its body, which may hold a token.
fn hidden_body(response: crate::ApiResponse) -> crate::ApiResponse {
    crate::ApiResponse {
        body: "(not shown: it may hold a token)".into(),
        ..response
    }
}

/// What a failed token call means.
fn token_error(failed: Failure<trustar_client::types::Error>, record: &CallRecord) -> Error {
    let api = Api::Trustar;
    // Neither the body of a token answer nor the parser's message (which may
    // quote a value) is shown: either may hold a token.
    if let Failure::Unreadable { response, .. } = failed {
        return Error::Decode {
            api,
            what: "a token answer ({access_token, expires_in, ...})",
            problem: "it does not have the documented shape".into(),
            response: hidden_body(response),
        };
    }
    let Answer {
        response,
        body,
        error,
    } = match failed.into_answer(api, "a token answer", record) {
        Ok(answer) => answer,
        Err(error) => return error,
    };
    let response = hidden_body(response);
    // An answer that holds a token, whatever its status, shows nothing of
    // its body; others show the vendor's words, most specific first, and
    // never the body as it arrived.
    let holds_token = serde_json::from_slice::<serde_json::Value>(&body)
        .is_ok_and(|answer| answer.get("access_token").is_some());
    let error = error.filter(|_| !holds_token);
    let fields = error.iter().flat_map(|e| {
        [
            e.error_description.as_deref(),
            e.message.as_deref(),
            e.error.as_deref(),
        ]
    });
    let message = first_message(fields, &response.body);
    if let Some(later) = come_back_later(api, record, &body, &message, &response) {
        return later;
    }
    match response.status {
        400 | 401 | 403 => Error::Unauthorized {
            api,
            message,
            hint: CREDENTIALS_HINT,
            response,
        },
        _ => Error::Api {
            api,
            code: error.and_then(|e| e.error).map(|code| snippet(&code)),
            message,
            response,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_are_capped_at_the_documented_ten_minutes() {
        let now = Instant::now();
        let longest = DOCUMENTED_LIFETIME - Duration::from_secs(30);
        for expires_in in [Some(i64::MAX), Some(86_400), Some(600)] {
            assert_eq!(
                fresh_until_from(now, expires_in),
                now + longest,
                "{expires_in:?}"
            );
        }
        for nonsense in [None, Some(0), Some(-1), Some(i64::MIN)] {
            assert_eq!(
                fresh_until_from(now, nonsense),
                now + longest,
                "{nonsense:?}"
            );
        }
        // A short life is renewed a fifth early.
        assert_eq!(
            fresh_until_from(now, Some(10)),
            now + Duration::from_secs(8)
        );
    }
}
