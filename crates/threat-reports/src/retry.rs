//! [`RetryPolicy`]: which failures are tried again, how often, and how
//! long to wait in between.

use std::time::Duration;

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

/// Whether a failure to get an answer is worth another attempt: the
/// connection failed or timed out, or the request or the answer's body
/// broke off. The one rule for the executor's retries and
/// [`Error::is_retryable`](crate::Error::is_retryable).
pub(crate) fn is_transient(error: &reqwest::Error) -> bool {
    error.is_connect() || error.is_timeout() || error.is_request() || error.is_body()
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
    fn zero_attempts_are_refused() {
        assert!(RetryPolicy::none().max_attempts(0).check().is_err());
    }
}
