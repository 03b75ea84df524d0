//! [`ReportStatus`]: the statuses an XSIAM report can be set to, in both
//! dialects (the vendor page's and live tenants'), from any reasonable
//! spelling.

use std::fmt;
use std::str::FromStr;

#[cfg(feature = "xsiam")]
use xsiam_client::types::ReportStatusRequest;

use crate::words::normalized_words;

/// The status of an MTH/MDR report, as XSIAM lets a client set it.
///
/// Requests spell it as a label (`"In Progress"`), answers as the stored
/// upper snake case form (`"IN_PROGRESS"`). The vendor page lists five
/// labels (New, In Progress, Pending, Resolved, Closed); live tenants take
/// seven (New, In Progress, On Hold, and four Resolved variants). A tenant
/// refuses the labels of the other dialect.
///
/// Parsing accepts the label and the stored form of each, and every
/// spelling that differs from them only in case, in surrounding or repeated
/// whitespace, or in the separator between words (space, `_`, `-` or none):
/// `resolved tp`, `Resolved - True Positive`, `RESOLVED_TRUE_POSITIVE` and
/// `resolved_fp` all parse.
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
/// let tp: ReportStatus = "Resolved - True Positive".parse().unwrap();
/// assert_eq!(tp, ReportStatus::ResolvedTruePositive);
/// assert_eq!(tp.canonical(), "RESOLVED_TP");
/// assert_eq!("resolved_fp".parse::<ReportStatus>().unwrap().label(), "Resolved False Positive");
///
/// let error = "In Prgress".parse::<ReportStatus>().unwrap_err();
/// assert!(error.to_string().contains(r#""In Prgress""#));
/// assert!(error.to_string().contains("New, In Progress, Pending, Resolved, Closed, On Hold"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ReportStatus {
    /// `New` / `NEW` (both dialects).
    New,
    /// `In Progress` / `IN_PROGRESS` (both dialects).
    InProgress,
    /// `Pending` / `PENDING` (the vendor page).
    Pending,
    /// `Resolved` / `RESOLVED` (the vendor page).
    Resolved,
    /// `Closed` / `CLOSED` (the vendor page).
    Closed,
    /// `On Hold` / `ON_HOLD` (live tenants).
    OnHold,
    /// `Resolved False Positive` / `RESOLVED_FP` (live tenants).
    ResolvedFalsePositive,
    /// `Resolved True Positive` / `RESOLVED_TP` (live tenants).
    ResolvedTruePositive,
    /// `Resolved Other` / `RESOLVED_OTHER` (live tenants).
    ResolvedOther,
    /// `Resolved Security Testing` / `RESOLVED_SECURITY_TESTING` (live
    /// tenants).
    ResolvedSecurityTesting,
}

/// Which dialect of XSIAM lists a status label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusDialect {
    /// Both the vendor page and live tenants.
    Both,
    /// Only the vendor page ("Update report status").
    Page,
    /// Only live tenants.
    Live,
}

impl ReportStatus {
    /// Every status: the page's five, then the live tenants' others.
    pub const ALL: [ReportStatus; 10] = [
        ReportStatus::New,
        ReportStatus::InProgress,
        ReportStatus::Pending,
        ReportStatus::Resolved,
        ReportStatus::Closed,
        ReportStatus::OnHold,
        ReportStatus::ResolvedFalsePositive,
        ReportStatus::ResolvedTruePositive,
        ReportStatus::ResolvedOther,
        ReportStatus::ResolvedSecurityTesting,
    ];

    /// The labels of the vendor page, which tenants of its dialect take.
    pub const PAGE: [ReportStatus; 5] = [
        ReportStatus::New,
        ReportStatus::InProgress,
        ReportStatus::Pending,
        ReportStatus::Resolved,
        ReportStatus::Closed,
    ];

    /// The labels live tenants take.
    pub const LIVE: [ReportStatus; 7] = [
        ReportStatus::New,
        ReportStatus::InProgress,
        ReportStatus::OnHold,
        ReportStatus::ResolvedFalsePositive,
        ReportStatus::ResolvedTruePositive,
        ReportStatus::ResolvedOther,
        ReportStatus::ResolvedSecurityTesting,
    ];

    /// The stored form XSIAM answers carry: `"IN_PROGRESS"`, `"RESOLVED_TP"`.
    ///
    /// ```
    /// assert_eq!(threat_reports::ReportStatus::Closed.canonical(), "CLOSED");
    /// assert_eq!(threat_reports::ReportStatus::ResolvedFalsePositive.canonical(), "RESOLVED_FP");
    /// ```
    pub const fn canonical(self) -> &'static str {
        match self {
            ReportStatus::New => "NEW",
            ReportStatus::InProgress => "IN_PROGRESS",
            ReportStatus::Pending => "PENDING",
            ReportStatus::Resolved => "RESOLVED",
            ReportStatus::Closed => "CLOSED",
            ReportStatus::OnHold => "ON_HOLD",
            ReportStatus::ResolvedFalsePositive => "RESOLVED_FP",
            ReportStatus::ResolvedTruePositive => "RESOLVED_TP",
            ReportStatus::ResolvedOther => "RESOLVED_OTHER",
            ReportStatus::ResolvedSecurityTesting => "RESOLVED_SECURITY_TESTING",
        }
    }

    /// The label XSIAM requests take: `"In Progress"`.
    ///
    /// ```
    /// assert_eq!(threat_reports::ReportStatus::New.label(), "New");
    /// assert_eq!(threat_reports::ReportStatus::OnHold.label(), "On Hold");
    /// ```
    pub const fn label(self) -> &'static str {
        match self {
            ReportStatus::New => "New",
            ReportStatus::InProgress => "In Progress",
            ReportStatus::Pending => "Pending",
            ReportStatus::Resolved => "Resolved",
            ReportStatus::Closed => "Closed",
            ReportStatus::OnHold => "On Hold",
            ReportStatus::ResolvedFalsePositive => "Resolved False Positive",
            ReportStatus::ResolvedTruePositive => "Resolved True Positive",
            ReportStatus::ResolvedOther => "Resolved Other",
            ReportStatus::ResolvedSecurityTesting => "Resolved Security Testing",
        }
    }

    /// Which dialect lists this label.
    ///
    /// ```
    /// use threat_reports::{ReportStatus, StatusDialect};
    /// assert_eq!(ReportStatus::New.dialect(), StatusDialect::Both);
    /// assert_eq!(ReportStatus::Closed.dialect(), StatusDialect::Page);
    /// assert_eq!(ReportStatus::OnHold.dialect(), StatusDialect::Live);
    /// ```
    pub const fn dialect(self) -> StatusDialect {
        match self {
            ReportStatus::New | ReportStatus::InProgress => StatusDialect::Both,
            ReportStatus::Pending | ReportStatus::Resolved | ReportStatus::Closed => {
                StatusDialect::Page
            }
            _ => StatusDialect::Live,
        }
    }
}

/// Every label, as the error messages list them.
pub(crate) const ALL_LABELS: &str = "New, In Progress, Pending, Resolved, Closed, On Hold, \
    Resolved False Positive, Resolved True Positive, Resolved Other or Resolved Security Testing";

/// A text that is not one of the report statuses.
///
/// ```
/// let error = "done".parse::<threat_reports::ReportStatus>().unwrap_err();
/// assert_eq!(error.input(), "done");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown report status {input:?}: expected one of {ALL_LABELS} (or the stored forms such \
     as IN_PROGRESS and RESOLVED_TP; any case; words separated by a space, \"_\", \"-\" or nothing)"
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
            .find(|status| words.spell(status.label()) || words.spell(status.canonical()))
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
            ReportStatusRequest::OnHold => ReportStatus::OnHold,
            ReportStatusRequest::ResolvedFalsePositive => ReportStatus::ResolvedFalsePositive,
            ReportStatusRequest::ResolvedTruePositive => ReportStatus::ResolvedTruePositive,
            ReportStatusRequest::ResolvedOther => ReportStatus::ResolvedOther,
            ReportStatusRequest::ResolvedSecurityTesting => ReportStatus::ResolvedSecurityTesting,
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
            ReportStatus::OnHold => ReportStatusRequest::OnHold,
            ReportStatus::ResolvedFalsePositive => ReportStatusRequest::ResolvedFalsePositive,
            ReportStatus::ResolvedTruePositive => ReportStatusRequest::ResolvedTruePositive,
            ReportStatus::ResolvedOther => ReportStatusRequest::ResolvedOther,
            ReportStatus::ResolvedSecurityTesting => ReportStatusRequest::ResolvedSecurityTesting,
        }
    }
}
