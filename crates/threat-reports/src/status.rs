//! [`ReportStatus`]: the five statuses an XSIAM report can be set to, from
//! any reasonable spelling.

use std::fmt;
use std::str::FromStr;

#[cfg(feature = "xsiam")]
use xsiam_client::types::ReportStatusRequest;

use crate::words::normalized_words;

/// The status of an MTH/MDR report, as XSIAM lets a client set it.
///
/// Requests spell it as a label (`"In Progress"`), answers as the stored
/// upper snake case form (`"IN_PROGRESS"`). Parsing accepts both and every
/// spelling that differs from them only in case, in surrounding or repeated
/// whitespace, or in the separator between words (space, `_`, `-` or none).
///
/// ```
/// use threat_reports::ReportStatus;
///
/// for spelling in ["In Progress", "IN_PROGRESS", "in-progress", "inprogress", " in  progress "] {
///     assert_eq!(spelling.parse::<ReportStatus>().unwrap(), ReportStatus::InProgress);
/// }
/// let status = ReportStatus::InProgress;
/// assert_eq!(status.canonical(), "IN_PROGRESS");
/// assert_eq!(status.label(), "In Progress");
/// assert_eq!(status.to_string(), "IN_PROGRESS");
///
/// let error = "In Prgress".parse::<ReportStatus>().unwrap_err();
/// assert!(error.to_string().contains(r#""In Prgress""#));
/// assert!(error.to_string().contains("New, In Progress, Pending, Resolved, Closed"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ReportStatus {
    /// `New` / `NEW`.
    New,
    /// `In Progress` / `IN_PROGRESS`.
    InProgress,
    /// `Pending` / `PENDING`.
    Pending,
    /// `Resolved` / `RESOLVED`.
    Resolved,
    /// `Closed` / `CLOSED`.
    Closed,
}

impl ReportStatus {
    /// Every status, in workflow order.
    pub const ALL: [ReportStatus; 5] = [
        ReportStatus::New,
        ReportStatus::InProgress,
        ReportStatus::Pending,
        ReportStatus::Resolved,
        ReportStatus::Closed,
    ];

    /// The stored form XSIAM answers carry: `"IN_PROGRESS"`.
    ///
    /// ```
    /// assert_eq!(threat_reports::ReportStatus::Closed.canonical(), "CLOSED");
    /// ```
    pub const fn canonical(self) -> &'static str {
        match self {
            ReportStatus::New => "NEW",
            ReportStatus::InProgress => "IN_PROGRESS",
            ReportStatus::Pending => "PENDING",
            ReportStatus::Resolved => "RESOLVED",
            ReportStatus::Closed => "CLOSED",
        }
    }

    /// The label XSIAM requests take: `"In Progress"`.
    ///
    /// ```
    /// assert_eq!(threat_reports::ReportStatus::New.label(), "New");
    /// ```
    pub const fn label(self) -> &'static str {
        match self {
            ReportStatus::New => "New",
            ReportStatus::InProgress => "In Progress",
            ReportStatus::Pending => "Pending",
            ReportStatus::Resolved => "Resolved",
            ReportStatus::Closed => "Closed",
        }
    }
}

/// A text that is not one of the five report statuses.
///
/// ```
/// let error = "done".parse::<threat_reports::ReportStatus>().unwrap_err();
/// assert_eq!(error.input(), "done");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown report status {input:?}: expected one of New, In Progress, Pending, Resolved, Closed \
     (any case; words separated by a space, \"_\", \"-\" or nothing)"
)]
pub struct UnknownStatus {
    input: String,
}

impl UnknownStatus {
    /// The text that was given (at most 200 characters of it).
    pub fn input(&self) -> &str {
        &self.input
    }
}

/// The input as an error message quotes it: at most 200 characters.
pub(crate) fn quoted_input(input: &str) -> String {
    input.chars().take(200).collect()
}

impl FromStr for ReportStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Answers and most requests spell it exactly: no need to normalize.
        if let Some(exact) = ReportStatus::ALL
            .into_iter()
            .find(|status| s == status.canonical() || s == status.label())
        {
            return Ok(exact);
        }
        let words = normalized_words(s);
        ReportStatus::ALL
            .into_iter()
            .find(|status| words.spell(status.label()))
            .ok_or_else(|| UnknownStatus {
                input: quoted_input(s),
            })
    }
}

impl fmt::Display for ReportStatus {
    /// Writes [`ReportStatus::canonical`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.canonical())
    }
}

impl serde::Serialize for ReportStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.canonical())
    }
}

impl<'de> serde::Deserialize<'de> for ReportStatus {
    /// Accepts every spelling [`FromStr`] accepts.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::text_serde::deserialize_parsed(deserializer)
    }
}

#[cfg(feature = "xsiam")]
impl From<ReportStatusRequest> for ReportStatus {
    fn from(value: ReportStatusRequest) -> Self {
        match value {
            ReportStatusRequest::New => ReportStatus::New,
            ReportStatusRequest::InProgress => ReportStatus::InProgress,
            ReportStatusRequest::Pending => ReportStatus::Pending,
            ReportStatusRequest::Resolved => ReportStatus::Resolved,
            ReportStatusRequest::Closed => ReportStatus::Closed,
        }
    }
}

#[cfg(feature = "xsiam")]
impl From<ReportStatus> for ReportStatusRequest {
    fn from(value: ReportStatus) -> Self {
        match value {
            ReportStatus::New => ReportStatusRequest::New,
            ReportStatus::InProgress => ReportStatusRequest::InProgress,
            ReportStatus::Pending => ReportStatusRequest::Pending,
            ReportStatus::Resolved => ReportStatusRequest::Resolved,
            ReportStatus::Closed => ReportStatusRequest::Closed,
        }
    }
}
