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

/// A text that is not one of the report statuses: it says what was given,
/// the nearest label when one is close (`did you mean "In Progress"?`), and
/// the labels allowed.
///
/// ```
/// let error = "In Prgress".parse::<threat_reports::ReportStatus>().unwrap_err();
/// assert_eq!(error.input(), "In Prgress");
/// assert_eq!(error.suggestion(), Some(threat_reports::ReportStatus::InProgress));
/// assert!(error.to_string().contains(r#"did you mean "In Progress"?"#));
/// assert_eq!("done".parse::<threat_reports::ReportStatus>().unwrap_err().suggestion(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStatus {
    input: String,
    suggestion: Option<ReportStatus>,
    /// The labels that could apply, as the message lists them.
    allowed: &'static [ReportStatus],
}

impl UnknownStatus {
    /// An unknown `input`, among the `allowed` statuses.
    pub(crate) fn among(input: &str, allowed: &'static [ReportStatus]) -> Self {
        UnknownStatus {
            input: quoted_input(input),
            suggestion: nearest(input, allowed),
            allowed,
        }
    }

    /// The text that was given (at most 200 characters of it).
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The status whose label or stored form is nearest the input, when
    /// one is within a typo or two of it.
    pub fn suggestion(&self) -> Option<ReportStatus> {
        self.suggestion
    }

    /// The labels that could apply, as the message lists them.
    pub(crate) fn allowed_labels(&self) -> String {
        if self.allowed.len() == ReportStatus::ALL.len() {
            ALL_LABELS.to_string()
        } else {
            labels(self.allowed)
        }
    }
}

impl fmt::Display for UnknownStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown report status {:?}", self.input)?;
        match self.suggestion {
            Some(near) => write!(f, ": did you mean {:?}? Expected", near.label())?,
            None => f.write_str(": expected")?,
        }
        let allowed = self.allowed_labels();
        write!(
            f,
            " one of {allowed} (or the stored forms such as IN_PROGRESS and \
             RESOLVED_TP; any case; words separated by a space, \"_\", \"-\" or nothing)"
        )
    }
}

impl std::error::Error for UnknownStatus {}

/// Labels as a message lists them: `A, B or C`.
pub(crate) fn labels(statuses: &[ReportStatus]) -> String {
    let names: Vec<&str> = statuses.iter().map(|s| s.label()).collect();
    match names.split_last() {
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The status among `allowed` whose label or stored form is nearest
/// `input` (case, spaces, `_` and `-` aside), if it is within two edits
/// and a third of the input's length.
fn nearest(input: &str, allowed: &[ReportStatus]) -> Option<ReportStatus> {
    let squash = |text: &str| -> Vec<char> {
        text.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .take(64)
            .collect()
    };
    let typed = squash(input);
    if typed.is_empty() {
        return None;
    }
    let limit = (typed.len() / 3).clamp(1, 2);
    allowed
        .iter()
        .map(|&status| {
            let d = edit_distance(&typed, &squash(status.label()))
                .min(edit_distance(&typed, &squash(status.canonical())));
            (d, status)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, status)| status)
}

/// Levenshtein distance.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
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
            .ok_or_else(|| UnknownStatus::among(s, &ReportStatus::ALL))
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
