//! TruSTAR access tokens: fetched lazily, cached until shortly before they
//! expire, refreshed once when the server says one went stale; concurrent
//! callers share one fetch.

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;
use tokio::time::Instant;
use trustar_client::types::{TokenRequest, TokenRequestGrantType};

use crate::Error;
use crate::auth::TokenSlot;
use crate::call::{CallRecord, recorded, too_large};
use crate::error::{Api, snippet};

/// The token lifetime the vendor documents ("about ten minutes"), assumed
/// when an answer does not say.
const DOCUMENTED_LIFETIME: Duration = Duration::from_secs(600);
use crate::executor::is_throttle;
use crate::failure::{Answer, Failure, failure, first_message, rate_limited};

const CREDENTIALS_HINT: &str = "Check the API key and secret (TRUSTAR_API_KEY and \
    TRUSTAR_API_SECRET; Station: Settings, API)";

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
        self.fetch(client, &mut fresh_until).await
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
        self.fetch(client, &mut fresh_until).await
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
        // The vendor documents tokens of about ten minutes; an answer
        // without `expires_in` is taken to mean that. An earlier expiry is
        // answered with 400 `Expired oauth2 access token`, and renewed then.
        let lifetime = match token.expires_in {
            Some(seconds) => Duration::from_secs(u64::try_from(seconds).unwrap_or(0)),
            None => {
                tracing::debug!("the token answer has no expires_in; assuming 600 s");
                DOCUMENTED_LIFETIME
            }
        };
        // Renew a little early: 30 s before expiry, or a fifth of a short life.
        let margin = (lifetime / 5).min(Duration::from_secs(30));
        *fresh_until = Some(Instant::now() + lifetime.saturating_sub(margin));
        self.slot.set(Some(SecretString::from(access_token)));
        Ok(())
    }
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
    // The vendor's words, most specific first.
    let fields = error.iter().flat_map(|e| {
        [
            e.error_description.as_deref(),
            e.message.as_deref(),
            e.error.as_deref(),
        ]
    });
    let message = first_message(fields, &response.body);
    match response.status {
        status if is_throttle(status, &body) => rate_limited(api, record, message, response),
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
