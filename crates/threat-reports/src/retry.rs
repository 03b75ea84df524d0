//! [`RetryPolicy`] and [`RateLimit`]: how calls wait and try again.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Which failures are retried, how often, and how long to wait between
/// attempts.
///
/// Retried: connection errors and timeouts, HTTP 429 and answers that say
/// "Too many requests" or "Rate limit exceeded" (waiting as long as the
/// server asks, through `Retry-After` or TruSTAR's `waitTime`), and 502,
/// 503, 504. Never retried: any other answer, so a 400 or 404 fails at once.
///
/// Waits grow exponentially with full jitter (a random wait between zero and
/// `initial_backoff × 2^(retry-1)`, at most `max_backoff`); no retry starts
/// once `budget` would be exceeded.
///
/// ```
/// use std::time::Duration;
/// use threat_reports::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .max_attempts(6)
///     .initial_backoff(Duration::from_millis(500))
///     .budget(Duration::from_secs(120));
/// assert_eq!(patient.attempts(), 6);
/// assert_eq!(RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    budget: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, waits from 200 ms up to 10 s, 60 s in all.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            budget: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// At most `attempts` attempts in all (the first one included; at least
    /// 1, checked when the client is built).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// The first retry waits up to this long.
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// No wait is longer than this (unless the server asks for longer).
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// No retry starts when the call would then have taken longer than this.
    pub fn budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// The most attempts a call makes.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    pub(crate) fn total_budget(&self) -> Duration {
        self.budget
    }

    /// The wait before retry number `retry` (1 for the first retry).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let ceiling = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        ceiling.mul_f64(random_fraction())
    }

    pub(crate) fn check(&self) -> Result<(), crate::Error> {
        if self.max_attempts == 0 {
            return Err(crate::Error::InvalidInput {
                field: "retry.max_attempts",
                problem: "it is 0".into(),
                allowed: "at least 1 (1 means no retries: RetryPolicy::none())".into(),
            });
        }
        Ok(())
    }
}

/// A uniformly random number in [0, 1), from the operating system.
fn random_fraction() -> f64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64,
        // Without randomness, wait the full backoff: never shorter.
        Err(_) => 1.0,
    }
}

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
    fn backoff_is_jittered_below_an_exponential_ceiling() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        for retry in 1..=6 {
            let ceiling = Duration::from_millis((100 * 2u64.pow(retry - 1)).min(1000));
            let waits: Vec<_> = (0..200).map(|_| policy.backoff(retry)).collect();
            assert!(waits.iter().all(|w| *w <= ceiling), "retry {retry}");
            // Full jitter: the waits spread over the range.
            assert!(waits.iter().any(|w| *w < ceiling / 4), "retry {retry}");
            assert!(waits.iter().any(|w| *w > ceiling * 3 / 4), "retry {retry}");
        }
    }

    #[test]
    fn zero_attempts_and_zero_calls_are_refused() {
        assert!(RetryPolicy::none().max_attempts(0).check().is_err());
        assert!(RateLimit::per_second(0).limiter().is_err());
    }
}
