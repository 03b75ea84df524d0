//! [`OffsetDateTime`]: the type every OpenAPI `date-time` string of the
//! generated clients becomes.
//!
//! It is an RFC 3339 / ISO-8601 time that cannot lack an offset, keeps the
//! offset it was given, and writes it numerically: `+00:00` where chrono
//! would write `Z`, which is how the vendors document their times
//! (TruSTAR: `2016-09-22T11:38:35+00:00`).
//!
//! ```
//! use api_time::OffsetDateTime;
//!
//! let t: OffsetDateTime = "2016-09-22T11:38:35+00:00".parse().unwrap();
//! assert_eq!(t.to_string(), "2016-09-22T11:38:35+00:00");
//! assert_eq!(t.as_chrono().timestamp(), 1_474_544_315);
//!
//! // A time without an offset is refused, with the reason.
//! let err = "2016-09-22T11:38:35".parse::<OffsetDateTime>().unwrap_err();
//! assert!(err.to_string().contains("offset"));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};

/// A date-time with a UTC offset, written as RFC 3339 with a numeric offset.
///
/// ```
/// use api_time::OffsetDateTime;
/// use chrono::{FixedOffset, TimeZone};
///
/// let paris = FixedOffset::east_opt(2 * 3600).unwrap();
/// let t = OffsetDateTime::from(paris.with_ymd_and_hms(2016, 9, 22, 13, 38, 35).unwrap());
/// assert_eq!(serde_json::to_string(&t).unwrap(), r#""2016-09-22T13:38:35+02:00""#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OffsetDateTime(DateTime<FixedOffset>);

impl OffsetDateTime {
    /// The time as a chrono value.
    pub fn as_chrono(&self) -> DateTime<FixedOffset> {
        self.0
    }

    /// The current time, in UTC (`+00:00`).
    ///
    /// ```
    /// let now = api_time::OffsetDateTime::now_utc();
    /// assert!(now.to_string().ends_with("+00:00"));
    /// ```
    pub fn now_utc() -> Self {
        Self(DateTime::<Utc>::from(std::time::SystemTime::now()).fixed_offset())
    }
}

impl From<DateTime<FixedOffset>> for OffsetDateTime {
    fn from(value: DateTime<FixedOffset>) -> Self {
        Self(value)
    }
}

impl From<DateTime<Utc>> for OffsetDateTime {
    fn from(value: DateTime<Utc>) -> Self {
        Self(value.fixed_offset())
    }
}

impl From<OffsetDateTime> for DateTime<FixedOffset> {
    fn from(value: OffsetDateTime) -> Self {
        value.0
    }
}

/// A text that is not an RFC 3339 date-time with an offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    input: String,
    reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not an RFC 3339 date-time with an offset ({}); \
             expected e.g. 2016-09-22T11:38:35+00:00",
            self.input, self.reason
        )
    }
}

impl std::error::Error for ParseError {}

impl FromStr for OffsetDateTime {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse_from_rfc3339(s)
            .map(Self)
            .map_err(|e| ParseError {
                input: s.chars().take(64).collect(),
                reason: match e.kind() {
                    chrono::format::ParseErrorKind::TooShort => "no offset, or cut short".into(),
                    _ => e.to_string(),
                },
            })
    }
}

impl fmt::Display for OffsetDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, false))
    }
}

impl serde::Serialize for OffsetDateTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for OffsetDateTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_offset_and_writes_it_numerically() {
        for text in [
            "2016-09-22T11:38:35+00:00",
            "2016-09-22T13:38:35+02:00",
            "2016-09-22T06:08:35-05:30",
            "2016-09-22T11:38:35.250+00:00",
        ] {
            let t: OffsetDateTime = text.parse().unwrap();
            assert_eq!(t.to_string(), text);
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<OffsetDateTime>(&json).unwrap(), t);
        }
        let z: OffsetDateTime = "2016-09-22T11:38:35Z".parse().unwrap();
        assert_eq!(z.to_string(), "2016-09-22T11:38:35+00:00");
    }

    #[test]
    fn refuses_times_without_an_offset_with_a_clear_message() {
        for text in ["2016-09-22T11:38:35", "2016-09-22", "yesterday", ""] {
            let error = text.parse::<OffsetDateTime>().unwrap_err().to_string();
            assert!(
                error.contains("expected e.g. 2016-09-22T11:38:35+00:00"),
                "{error}"
            );
            assert!(serde_json::from_str::<OffsetDateTime>(&format!("\"{text}\"")).is_err());
        }
    }
}

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
