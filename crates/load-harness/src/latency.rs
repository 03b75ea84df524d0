//! Latencies of a run, summarized.

use std::time::Duration;

/// The figures of one timed run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunFigures {
    /// Requests that succeeded.
    pub succeeded: usize,
    /// Requests that failed.
    pub failed: usize,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// Median latency.
    pub p50: Duration,
    /// 99th-percentile latency.
    pub p99: Duration,
}

impl RunFigures {
    /// Summarizes per-request latencies measured over `elapsed`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use load_harness::RunFigures;
    ///
    /// let latencies: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
    /// let figures = RunFigures::from_latencies(latencies, 0, Duration::from_secs(2));
    /// assert_eq!(figures.p50, Duration::from_millis(50));
    /// assert_eq!(figures.p99, Duration::from_millis(99));
    /// assert_eq!(figures.requests_per_second(), 50.0);
    /// ```
    pub fn from_latencies(mut latencies: Vec<Duration>, failed: usize, elapsed: Duration) -> Self {
        latencies.sort_unstable();
        RunFigures {
            succeeded: latencies.len(),
            failed,
            elapsed,
            p50: percentile(&latencies, 50),
            p99: percentile(&latencies, 99),
        }
    }

    /// Successful requests per second of wall time.
    pub fn requests_per_second(&self) -> f64 {
        self.succeeded as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// The nearest-rank percentile of sorted values (zero when there are none).
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}
