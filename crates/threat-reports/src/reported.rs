//! [`Reported<T>`]: a value as an API answered it: known, unknown, or not
//! there.

use std::fmt;
use std::str::FromStr;

/// A value read from an answer: one this crate knows, one it does not
/// (kept verbatim), or none at all. One layer to `match`, like the AWS
/// SDK's enums with their `Unknown` case.
///
/// Stored values evolve (an XSIAM answer may carry `RESOLVED_DUPLICATE`
/// or any value added after this crate was written), so reading an answer never
/// fails on a value this crate does not know yet.
///
/// ```
/// use threat_reports::{Reported, ReportStatus};
///
/// fn describe(status: &Reported<ReportStatus>) -> String {
///     match status {
///         Reported::Known(ReportStatus::InProgress) => "being worked on".into(),
///         Reported::Known(other) => format!("{}", other.label()),
///         Reported::Unrecognized(text) => format!("{text} (new to this crate)"),
///         Reported::Absent => "no status in the answer".into(),
///     }
/// }
/// assert_eq!(describe(&Reported::parse("IN_PROGRESS")), "being worked on");
/// assert_eq!(describe(&Reported::Absent), "no status in the answer");
/// ```
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
    /// The answer had no value here (the field was missing or null).
    Absent,
}

impl<T> Default for Reported<T> {
    /// [`Reported::Absent`].
    fn default() -> Self {
        Reported::Absent
    }
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
            Reported::Unrecognized(_) | Reported::Absent => None,
        }
    }

    /// Whether the answer had no value here.
    ///
    /// ```
    /// use threat_reports::{Reported, Severity};
    ///
    /// let severity: Reported<Severity> = serde_json::from_str("null").unwrap();
    /// assert!(severity.is_absent());
    /// ```
    pub fn is_absent(&self) -> bool {
        matches!(self, Reported::Absent)
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
            Reported::Known(_) | Reported::Absent => None,
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
    /// The known value's canonical form, the verbatim text, or nothing
    /// for an absent value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reported::Known(value) => value.fmt(f),
            Reported::Unrecognized(text) => f.write_str(text),
            Reported::Absent => Ok(()),
        }
    }
}

impl<T: fmt::Display> serde::Serialize for Reported<T> {
    /// The text, or null for an absent value.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Reported::Absent => serializer.serialize_none(),
            _ => serializer.collect_str(self),
        }
    }
}

impl<'de, T: FromStr> serde::Deserialize<'de> for Reported<T> {
    /// Text, or null for [`Reported::Absent`] (a missing field too, with
    /// `#[serde(default)]`).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <Option<std::borrow::Cow<'de, str>>>::deserialize(deserializer)?;
        Ok(text.map_or(Reported::Absent, |text| Reported::parse(&text)))
    }
}
