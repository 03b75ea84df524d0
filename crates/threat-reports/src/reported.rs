//! [`Reported<T>`]: a value as an API answered it, known or not.

use std::fmt;
use std::str::FromStr;

/// A value read from an answer: one this crate knows, or one it does not,
/// kept verbatim.
///
/// Stored values evolve (an XSIAM answer may carry `RESOLVED_DUPLICATE`
/// or any value added after this crate was written), so reading an answer never
/// fails on a value this crate does not know yet.
///
/// ```
/// use threat_reports::{Reported, ReportStatus};
///
/// let known: Reported<ReportStatus> = Reported::parse("IN_PROGRESS");
/// assert_eq!(known, Reported::Known(ReportStatus::InProgress));
///
/// let new: Reported<ReportStatus> = serde_json::from_str(r#""RESOLVED_DUPLICATE""#).unwrap();
/// assert_eq!(new, Reported::Unrecognized("RESOLVED_DUPLICATE".to_string()));
/// assert_eq!(new.known(), None);
/// assert_eq!(new.to_string(), "RESOLVED_DUPLICATE");
/// assert_eq!(serde_json::to_string(&new).unwrap(), r#""RESOLVED_DUPLICATE""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Reported<T> {
    /// A value this crate knows.
    Known(T),
    /// A value this crate does not know, exactly as it was answered.
    Unrecognized(String),
}

impl<T: FromStr> Reported<T> {
    /// Reads a value; never fails.
    ///
    /// ```
    /// use threat_reports::{Reported, Severity};
    ///
    /// assert_eq!(Reported::<Severity>::parse("low"), Reported::Known(Severity::Low));
    /// assert_eq!(Reported::<Severity>::parse("SEV_070_X").unrecognized(), Some("SEV_070_X"));
    /// ```
    pub fn parse(text: &str) -> Self {
        match text.parse() {
            Ok(value) => Reported::Known(value),
            Err(_) => Reported::Unrecognized(text.to_string()),
        }
    }
}

impl<T> Reported<T> {
    /// The known value, if it is one.
    ///
    /// ```
    /// use threat_reports::{Reported, ReportStatus};
    ///
    /// let status: Reported<ReportStatus> = Reported::parse("CLOSED");
    /// assert_eq!(status.known(), Some(&ReportStatus::Closed));
    /// ```
    pub fn known(&self) -> Option<&T> {
        match self {
            Reported::Known(value) => Some(value),
            Reported::Unrecognized(_) => None,
        }
    }

    /// The verbatim text of a value this crate does not know.
    ///
    /// ```
    /// use threat_reports::{Reported, ReportStatus};
    ///
    /// let status: Reported<ReportStatus> = Reported::parse("ARCHIVED");
    /// assert_eq!(status.unrecognized(), Some("ARCHIVED"));
    /// ```
    pub fn unrecognized(&self) -> Option<&str> {
        match self {
            Reported::Known(_) => None,
            Reported::Unrecognized(text) => Some(text),
        }
    }
}

impl<T> From<T> for Reported<T> {
    fn from(value: T) -> Self {
        Reported::Known(value)
    }
}

impl<T: fmt::Display> fmt::Display for Reported<T> {
    /// The known value's canonical form, or the verbatim text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reported::Known(value) => value.fmt(f),
            Reported::Unrecognized(text) => f.write_str(text),
        }
    }
}

impl<T: fmt::Display> serde::Serialize for Reported<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de, T: FromStr> serde::Deserialize<'de> for Reported<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Reported::parse(&text))
    }
}
