//! The steady measure of the request path: both paths, one thread per
//! runtime, in alternating pairs, with each side's CPU time per request.
//!
//! [`request_path::run`](crate::request_path::run) gives the sandbox and
//! the clients two threads each on this project's two cores, and a round's
//! ratio then moves from 0.6 to 1.2 (the sandbox's threads park and wake
//! more or less often). With one thread per runtime the two sides do not
//! compete for a core, and the clients' CPU time per request is each
//! path's own cost: runs agree to a few percent, and the per-pair
//! difference is the facade's overhead.

use std::time::Duration;

use crate::request_path::{PathRun, RequestPath, run_path};

/// What to measure: `pairs` times the facade and the plain loop, one after
/// the other (which goes first alternates), each `requests` updates with
/// `concurrency` in flight on a sandbox of its own.
///
/// ```
/// let plan = load_harness::cpu_split::SplitPlan::default();
/// assert_eq!((plan.pairs, plan.concurrency), (12, 16));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitPlan {
    /// Pairs of runs.
    pub pairs: usize,
    /// Updates per run (a twentieth more, untimed, to warm up).
    pub requests: usize,
    /// Updates in flight at once.
    pub concurrency: usize,
}

impl Default for SplitPlan {
    /// Twelve pairs of 60,000 updates, 16 in flight.
    fn default() -> Self {
        SplitPlan {
            pairs: 12,
            requests: 60_000,
            concurrency: 16,
        }
    }
}

/// One pair: the facade's run and the plain loop's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    /// The facade's run.
    pub facade: PathRun,
    /// The plain loop's run.
    pub plain: PathRun,
}

/// What the pairs measured. Each figure is a median over the pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Every pair, in the order run.
    pub pairs: Vec<Pair>,
}

impl Split {
    /// The median of `figure` over the pairs (`None` when a pair lacks it:
    /// CPU times are read from Linux's `/proc`).
    fn median(&self, figure: impl Fn(&Pair) -> Option<f64>) -> Option<f64> {
        let mut values = self.pairs.iter().map(figure).collect::<Option<Vec<_>>>()?;
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied()
    }

    /// The clients' CPU per request, in µs: the facade's and the plain
    /// loop's (medians over the pairs).
    pub fn client_cpu_micros(&self) -> Option<(f64, f64)> {
        Some((
            self.median(|p| micros(p.facade.client_cpu_per_request))?,
            self.median(|p| micros(p.plain.client_cpu_per_request))?,
        ))
    }

    /// The sandbox's CPU per request, in µs, while serving each path.
    pub fn sandbox_cpu_micros(&self) -> Option<(f64, f64)> {
        Some((
            self.median(|p| micros(p.facade.sandbox_cpu_per_request))?,
            self.median(|p| micros(p.plain.sandbox_cpu_per_request))?,
        ))
    }

    /// The facade's extra CPU per request in µs, clients and sandbox:
    /// the medians of each pair's difference.
    pub fn extra_cpu_micros(&self) -> Option<(f64, f64)> {
        let diff = |f: Option<Duration>, p: Option<Duration>| Some(micros(f)? - micros(p)?);
        Some((
            self.median(|p| {
                diff(
                    p.facade.client_cpu_per_request,
                    p.plain.client_cpu_per_request,
                )
            })?,
            self.median(|p| {
                diff(
                    p.facade.sandbox_cpu_per_request,
                    p.plain.sandbox_cpu_per_request,
                )
            })?,
        ))
    }

    /// The facade's throughput over the plain loop's: the median of the
    /// pairs' ratios.
    pub fn throughput_ratio(&self) -> f64 {
        self.median(|p| {
            Some(p.facade.figures.requests_per_second() / p.plain.figures.requests_per_second())
        })
        .unwrap_or(f64::NAN)
    }

    /// Requests that failed, in all runs.
    pub fn failed(&self) -> usize {
        self.pairs
            .iter()
            .map(|p| p.facade.figures.failed + p.plain.figures.failed)
            .sum()
    }
}

fn micros(d: Option<Duration>) -> Option<f64> {
    d.map(|d| d.as_secs_f64() * 1e6)
}

/// Runs the plan.
///
/// ```no_run
/// use load_harness::cpu_split::{SplitPlan, run};
///
/// let split = run(&SplitPlan::default())?;
/// if let Some((clients, sandbox)) = split.extra_cpu_micros() {
///     println!("the facade costs {clients:.2} µs more per request ({sandbox:.2} µs at the sandbox)");
/// }
/// # Ok::<(), String>(())
/// ```
pub fn run(plan: &SplitPlan) -> Result<Split, String> {
    let run = |path| run_path(path, plan.concurrency, plan.requests, 1);
    let mut pairs = Vec::with_capacity(plan.pairs);
    for pair in 0..plan.pairs.max(1) {
        // Which path goes first alternates.
        let (facade, plain) = if pair % 2 == 0 {
            let facade = run(RequestPath::Facade)?;
            (facade, run(RequestPath::Plain)?)
        } else {
            let plain = run(RequestPath::Plain)?;
            (run(RequestPath::Facade)?, plain)
        };
        pairs.push(Pair { facade, plain });
    }
    Ok(Split { pairs })
}
