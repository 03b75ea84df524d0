//! [`IndicatorCount`]: how many distinct indicators a text holds, by kind.

use std::collections::BTreeMap;
use std::fmt;

use crate::IndicatorKind;

/// The number of distinct `(kind, value)` pairs in a text, and the
/// breakdown by kind. Repeats of the same indicator count once.
///
/// ```
/// use trustar_indicators::{count, IndicatorKind};
///
/// let n = count("evil.exe, api.evildomain.com, hash d2dd1bcdd6d6cfac59ba9638d2cd886c, EVIL.EXE");
/// assert_eq!(n.total, 3);
/// assert_eq!(n.by_kind[&IndicatorKind::Software], 1);
/// assert_eq!(n.to_string(), "3 indicators: 1 URL, 1 MD5, 1 SOFTWARE");
/// assert!(n.exceeds(2));
/// assert!(!n.exceeds(3));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct IndicatorCount {
    /// Distinct indicators, all kinds together.
    pub total: usize,
    /// Distinct indicators of each kind found; kinds with none are absent.
    pub by_kind: BTreeMap<IndicatorKind, usize>,
}

impl IndicatorCount {
    /// Whether the count is over `limit` (TruSTAR refuses a report with
    /// more than [`TRUSTAR_INDICATOR_LIMIT`](crate::TRUSTAR_INDICATOR_LIMIT)).
    pub fn exceeds(&self, limit: usize) -> bool {
        self.total > limit
    }
}

impl fmt::Display for IndicatorCount {
    /// One line: `3 indicators: 1 URL, 1 MD5, 1 SOFTWARE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = if self.total == 1 {
            "indicator"
        } else {
            "indicators"
        };
        write!(f, "{} {noun}", self.total)?;
        for (i, (kind, n)) in self.by_kind.iter().enumerate() {
            let sep = if i == 0 { ": " } else { ", " };
            write!(f, "{sep}{n} {kind}")?;
        }
        Ok(())
    }
}
