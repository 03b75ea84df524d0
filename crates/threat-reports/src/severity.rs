//! [`Severity`]: XSIAM's `SEV_0x0_NAME` values and plain severity words.

use std::fmt;
use std::str::FromStr;

use crate::status::quoted_input;
use crate::words::normalized_words;

/// The severity of a report.
///
/// Parses XSIAM's stored form (`SEV_020_LOW`) and plain words (`low`,
/// `Low`, `LOW`), leniently as [`ReportStatus`](crate::ReportStatus) does.
/// A value this enum does not know is kept verbatim by
/// [`Reported<Severity>`](crate::Reported).
///
/// ```
/// use threat_reports::Severity;
///
/// assert_eq!("SEV_020_LOW".parse::<Severity>().unwrap(), Severity::Low);
/// assert_eq!("low".parse::<Severity>().unwrap(), Severity::Low);
/// assert_eq!(Severity::Critical.canonical(), "SEV_050_CRITICAL");
/// assert_eq!(Severity::Critical.label(), "Critical");
/// assert!("SEV_060_SEVERE".parse::<Severity>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Severity {
    /// `SEV_010_INFO`.
    Info,
    /// `SEV_020_LOW`.
    Low,
    /// `SEV_030_MEDIUM`.
    Medium,
    /// `SEV_040_HIGH`.
    High,
    /// `SEV_050_CRITICAL`.
    Critical,
    /// `SEV_090_UNKNOWN`: XSIAM's own "severity not known".
    Unknown,
}

impl Severity {
    /// Every severity, from the least to the most severe, then `Unknown`.
    pub const ALL: [Severity; 6] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
        Severity::Unknown,
    ];

    /// XSIAM's stored form: `"SEV_020_LOW"`.
    ///
    /// ```
    /// assert_eq!(threat_reports::Severity::Low.canonical(), "SEV_020_LOW");
    /// ```
    pub const fn canonical(self) -> &'static str {
        match self {
            Severity::Info => "SEV_010_INFO",
            Severity::Low => "SEV_020_LOW",
            Severity::Medium => "SEV_030_MEDIUM",
            Severity::High => "SEV_040_HIGH",
            Severity::Critical => "SEV_050_CRITICAL",
            Severity::Unknown => "SEV_090_UNKNOWN",
        }
    }

    /// The plain word: `"Low"`.
    ///
    /// ```
    /// assert_eq!(threat_reports::Severity::Unknown.label(), "Unknown");
    /// ```
    pub const fn label(self) -> &'static str {
        match self {
            Severity::Info => "Info",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
            Severity::Unknown => "Unknown",
        }
    }
}

/// A text that is not one of the known severities.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown severity {input:?}: expected one of SEV_010_INFO, SEV_020_LOW, SEV_030_MEDIUM, \
     SEV_040_HIGH, SEV_050_CRITICAL, SEV_090_UNKNOWN, or the words Info, Low, Medium, High, \
     Critical, Unknown (any case)"
)]
pub struct UnknownSeverity {
    input: String,
}

impl UnknownSeverity {
    /// The text that was given (at most 200 characters of it).
    ///
    /// ```
    /// let error = "urgent".parse::<threat_reports::Severity>().unwrap_err();
    /// assert_eq!(error.input(), "urgent");
    /// ```
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl FromStr for Severity {
    type Err = UnknownSeverity;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Answers spell it exactly: no need to normalize.
        if let Some(exact) = Severity::ALL
            .into_iter()
            .find(|sev| s == sev.canonical() || s == sev.label())
        {
            return Ok(exact);
        }
        let words = normalized_words(s);
        Severity::ALL
            .into_iter()
            .find(|sev| words.spell(sev.canonical()) || words.spell(sev.label()))
            .ok_or_else(|| UnknownSeverity {
                input: quoted_input(s),
            })
    }
}

impl fmt::Display for Severity {
    /// Writes [`Severity::canonical`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.canonical())
    }
}

impl serde::Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.canonical())
    }
}

impl<'de> serde::Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::text_serde::deserialize_parsed(deserializer)
    }
}
