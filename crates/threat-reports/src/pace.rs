//! [`RateLimit`] and how an executor's calls meet it ([`Pace`]): client-side
//! pacing, so that bulk callers stay under a vendor's limit.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// A client-side limit on how often calls start, for bulk callers: calls are
/// spaced evenly, waiting their turn.
///
/// ```
/// use threat_reports::RateLimit;
///
/// assert_eq!(RateLimit::xsiam(), RateLimit::per_second(10));
/// assert_eq!(RateLimit::trustar(), RateLimit::per_minute(60));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    calls: u32,
    per: Duration,
}

impl RateLimit {
    /// At most `calls` calls a second.
    pub fn per_second(calls: u32) -> Self {
        RateLimit {
            calls,
            per: Duration::from_secs(1),
        }
    }

    /// At most `calls` calls a minute.
    pub fn per_minute(calls: u32) -> Self {
        RateLimit {
            calls,
            per: Duration::from_secs(60),
        }
    }

    /// XSIAM's documented limit: 10 calls a second per tenant.
    pub fn xsiam() -> Self {
        RateLimit::per_second(10)
    }

    /// TruSTAR's documented limit: 60 calls a minute per user.
    pub fn trustar() -> Self {
        RateLimit::per_minute(60)
    }

    pub(crate) fn limiter(&self) -> Result<Arc<Limiter>, crate::Error> {
        if self.calls == 0 {
            return Err(crate::Error::InvalidInput {
                field: "rate_limit",
                problem: "it allows 0 calls".into(),
                allowed: "at least 1 call per period".into(),
            });
        }
        Ok(Arc::new(Limiter {
            interval: self.per / self.calls,
            next: Mutex::new(None),
        }))
    }
}

/// Hands out evenly spaced start times.
#[derive(Debug)]
pub(crate) struct Limiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Limiter {
    /// Waits for this call's turn.
    pub(crate) async fn acquire(&self) {
        let turn = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let turn = next.map_or(now, |at| at.max(now));
            *next = Some(turn + self.interval);
            turn
        };
        tokio::time::sleep_until(turn).await;
    }

    /// Counts a call that goes at once, ahead of the queue: the calls that
    /// ask for a turn after it wait one interval more, so the rate holds.
    /// For a call others wait on (the token fetch), which must not queue
    /// behind them.
    pub(crate) async fn charge(&self) {
        let mut next = self.next.lock().await;
        let now = Instant::now();
        *next = Some(next.map_or(now, |at| at.max(now)) + self.interval);
    }
}

/// How an executor's calls meet a client-side rate limit.
#[derive(Debug, Clone, Default)]
pub(crate) enum Pace {
    /// No limit.
    #[default]
    Free,
    /// Each attempt waits for its turn.
    Queued(Arc<Limiter>),
    /// Each attempt goes at once and is counted (see [`Limiter::charge`]).
    AheadOfQueue(Arc<Limiter>),
}

impl Pace {
    /// Waits for this attempt's turn, or counts it.
    pub(crate) async fn take_turn(&self) {
        match self {
            Pace::Free => {}
            Pace::Queued(limiter) => limiter.acquire().await,
            Pace::AheadOfQueue(limiter) => limiter.charge().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_calls_are_refused() {
        assert!(RateLimit::per_second(0).limiter().is_err());
    }
}
