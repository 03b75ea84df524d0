//! Faults at random, at given rates, from a seeded generator: for soak
//! tests, where queued faults would run out.

use serde::{Deserialize, Serialize};

use crate::fault::FaultKind;

/// Each request to the APIs independently answers 503, 429 or drops the
/// connection, with these probabilities; the draws come from a generator
/// seeded with `seed`, so a run can be repeated.
///
/// A fault takes the place of the answer: the request is not applied, as
/// when a load balancer in front of the vendor refuses it.
///
/// ```
/// use report_sandbox::FaultRates;
///
/// let rates: FaultRates = "503=0.05,429=0.02,drop=0.01,seed=7".parse().unwrap();
/// assert_eq!(rates.unavailable, 0.05);
/// assert_eq!(rates.seed, 7);
/// assert!("503=0.7,429=0.5".parse::<FaultRates>().is_err()); // adds up to more than 1
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FaultRates {
    /// The share of requests answered 503.
    pub unavailable: f64,
    /// The share answered 429.
    pub too_many_requests: f64,
    /// The share whose connection is dropped in the middle of the answer.
    pub drop_connection: f64,
    /// The share of updates applied, then answered by a dropped
    /// connection (reads are never hit).
    #[serde(default)]
    pub apply_then_drop: f64,
    /// The share of updates applied, then answered 503.
    #[serde(default)]
    pub apply_then_unavailable: f64,
    /// How long a 429 asks to wait, in milliseconds.
    pub wait_ms: u64,
    /// The generator's seed.
    pub seed: u64,
}

impl Default for FaultRates {
    /// No faults; 429s would ask for 10 ms; seed 1.
    fn default() -> Self {
        FaultRates {
            unavailable: 0.0,
            too_many_requests: 0.0,
            drop_connection: 0.0,
            apply_then_drop: 0.0,
            apply_then_unavailable: 0.0,
            wait_ms: 10,
            seed: 1,
        }
    }
}

impl FaultRates {
    /// Checks every rate is a probability and that they add up to at most 1.
    ///
    /// ```
    /// use report_sandbox::FaultRates;
    ///
    /// let rates = FaultRates { unavailable: 0.5, drop_connection: 0.6, ..FaultRates::default() };
    /// assert!(rates.validate().unwrap_err().contains("at most 1"));
    /// assert!(FaultRates::default().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        let rates = [
            ("503", self.unavailable),
            ("429", self.too_many_requests),
            ("drop", self.drop_connection),
            ("apply_drop", self.apply_then_drop),
            ("apply_503", self.apply_then_unavailable),
        ];
        for (name, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!(
                    "the {name} rate {rate} is not a probability: allowed are 0 to 1"
                ));
            }
        }
        let total: f64 = rates.iter().map(|(_, r)| r).sum();
        if total > 1.0 {
            return Err(format!("the rates add up to {total}: allowed is at most 1"));
        }
        Ok(())
    }
}

impl std::str::FromStr for FaultRates {
    type Err = String;

    /// `503=P,429=P,drop=P[,wait=MS][,seed=N]`, any subset, in any order.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let usage = |part: &str| {
            format!(
                "{part:?} in {s:?} is not a fault rate: expected e.g. 503=0.05,429=0.02,drop=0.01,apply_drop=0.01,apply_503=0.01,wait=10,seed=1 (rates from 0 to 1)"
            )
        };
        let mut rates = FaultRates::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once('=').ok_or_else(|| usage(part))?;
            let rate = || value.parse::<f64>().map_err(|_| usage(part));
            let whole = || value.parse::<u64>().map_err(|_| usage(part));
            match name.trim() {
                "503" => rates.unavailable = rate()?,
                "429" => rates.too_many_requests = rate()?,
                "drop" => rates.drop_connection = rate()?,
                "apply_drop" => rates.apply_then_drop = rate()?,
                "apply_503" => rates.apply_then_unavailable = rate()?,
                "wait" => rates.wait_ms = whole()?,
                "seed" => rates.seed = whole()?,
                _ => return Err(usage(part)),
            }
        }
        rates.validate()?;
        Ok(rates)
    }
}

/// The rates and their generator's state.
#[derive(Debug, Clone)]
pub(crate) struct RandomFaults {
    rates: FaultRates,
    state: u64,
}

impl RandomFaults {
    pub(crate) fn new(rates: FaultRates) -> Self {
        RandomFaults {
            rates,
            state: rates.seed,
        }
    }

    /// SplitMix64: a uniform draw in [0, 1).
    fn draw(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // The top 53 bits, as a fraction.
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The fault for this request, if it gets one.
    pub(crate) fn next(&mut self) -> Option<FaultKind> {
        let r = self.draw();
        let rates = self.rates;
        let kinds = [
            (rates.unavailable, FaultKind::Unavailable),
            (
                rates.too_many_requests,
                FaultKind::TooManyRequests {
                    wait_ms: rates.wait_ms,
                },
            ),
            (rates.drop_connection, FaultKind::DropConnection),
            (rates.apply_then_drop, FaultKind::ApplyThenDrop),
            (
                rates.apply_then_unavailable,
                FaultKind::ApplyThenUnavailable,
            ),
        ];
        let mut below = 0.0;
        for (rate, kind) in kinds {
            below += rate;
            if r < below {
                return Some(kind);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Over many draws, each fault comes at about its rate, and the same
    /// seed gives the same sequence.
    #[test]
    fn faults_come_at_their_rates_and_repeat_with_the_seed() {
        let rates: FaultRates = "503=0.05,429=0.02,drop=0.01,seed=42".parse().unwrap();
        let mut faults = RandomFaults::new(rates);
        let draws: Vec<_> = (0..100_000).map(|_| faults.next()).collect();
        let share = |f: fn(&Option<FaultKind>) -> bool| {
            draws.iter().filter(|d| f(d)).count() as f64 / draws.len() as f64
        };
        let unavailable = share(|d| matches!(d, Some(FaultKind::Unavailable)));
        let throttled = share(|d| matches!(d, Some(FaultKind::TooManyRequests { wait_ms: 10 })));
        let dropped = share(|d| matches!(d, Some(FaultKind::DropConnection)));
        assert!((unavailable - 0.05).abs() < 0.005, "{unavailable}");
        assert!((throttled - 0.02).abs() < 0.003, "{throttled}");
        assert!((dropped - 0.01).abs() < 0.002, "{dropped}");
        let mut again = RandomFaults::new(rates);
        assert!(draws.iter().all(|d| *d == again.next()));
    }

    #[test]
    fn bad_rates_say_what_is_allowed() {
        let error = "503=1.5".parse::<FaultRates>().unwrap_err();
        assert!(error.contains("allowed are 0 to 1"), "{error}");
        let error = "503=x".parse::<FaultRates>().unwrap_err();
        assert!(error.contains("expected e.g. 503=0.05"), "{error}");
        let error = "teapot=0.1".parse::<FaultRates>().unwrap_err();
        assert!(error.contains("\"teapot=0.1\""), "{error}");
    }
}
