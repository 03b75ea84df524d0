//! How the sandbox's XSIAM behaves: as the vendor page describes it, or as
//! live tenants are reported to; and in which shape it answers.

use std::fmt;
use std::str::FromStr;

/// Which XSIAM the sandbox plays.
///
/// ```
/// use report_sandbox::XsiamDialect;
/// assert_eq!("live".parse::<XsiamDialect>().unwrap(), XsiamDialect::Live);
/// assert_eq!(XsiamDialect::default(), XsiamDialect::Page);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum XsiamDialect {
    /// The vendor page: the page's five labels, either body envelope, the
    /// answer's fields as stored.
    #[default]
    Page,
    /// Live tenants: only the `request_data` envelope (a flat body is
    /// answered HTTP 500 with `err_code` 101), only the seven live labels
    /// (any other is answered HTTP 500 with the reason only in
    /// `err_extra`), `COMMENTS` and `ATTACHMENTS` null in answers.
    Live,
}

/// The shape of a successful answer's `reply`.
///
/// ```
/// use report_sandbox::XsiamAnswerShape;
/// assert_eq!("data".parse::<XsiamAnswerShape>().unwrap(), XsiamAnswerShape::Data);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum XsiamAnswerShape {
    /// `{"reply": report}`, as the vendor page shows.
    #[default]
    Object,
    /// `{"reply": {"DATA": [report], "COUNT": 1}}`.
    Data,
    /// `{"reply": [report]}`.
    Array,
}

/// The status labels each dialect accepts, with the stored form each
/// becomes: the sandbox's own table, written from the vendor page and the
/// live tenants' reports (not the facade's).
pub(crate) fn stored_form(dialect: XsiamDialect, label: &str) -> Option<&'static str> {
    const PAGE: [(&str, &str); 5] = [
        ("New", "NEW"),
        ("In Progress", "IN_PROGRESS"),
        ("Pending", "PENDING"),
        ("Resolved", "RESOLVED"),
        ("Closed", "CLOSED"),
    ];
    const LIVE: [(&str, &str); 7] = [
        ("New", "NEW"),
        ("In Progress", "IN_PROGRESS"),
        ("On Hold", "ON_HOLD"),
        ("Resolved False Positive", "RESOLVED_FP"),
        ("Resolved True Positive", "RESOLVED_TP"),
        ("Resolved Other", "RESOLVED_OTHER"),
        ("Resolved Security Testing", "RESOLVED_SECURITY_TESTING"),
    ];
    let table: &[(&str, &'static str)] = match dialect {
        XsiamDialect::Page => &PAGE,
        XsiamDialect::Live => &LIVE,
    };
    table
        .iter()
        .find(|(accepted, _)| *accepted == label)
        .map(|(_, stored)| *stored)
}

/// The stored form a status label filters on in `get_reports_by_statuses`:
/// the dialect's labels, and on the page's sandbox also `On Hold` (the
/// "Get reports by statuses" page lists New, In Progress, On Hold and
/// Resolved).
pub(crate) fn filter_stored_form(dialect: XsiamDialect, label: &str) -> Option<&'static str> {
    match (dialect, label) {
        (XsiamDialect::Page, "On Hold") => Some("ON_HOLD"),
        _ => stored_form(dialect, label),
    }
}

/// The labels `get_reports_by_statuses` takes, for its error messages.
pub(crate) fn filter_labels(dialect: XsiamDialect) -> &'static str {
    match dialect {
        XsiamDialect::Page => "New, In Progress, Pending, Resolved, Closed, On Hold",
        XsiamDialect::Live => labels(XsiamDialect::Live),
    }
}

/// The labels a dialect accepts, for its error messages.
pub(crate) fn labels(dialect: XsiamDialect) -> &'static str {
    match dialect {
        XsiamDialect::Page => "New, In Progress, Pending, Resolved, Closed",
        XsiamDialect::Live => {
            "New, In Progress, On Hold, Resolved False Positive, Resolved True Positive, \
             Resolved Other, Resolved Security Testing"
        }
    }
}

macro_rules! named {
    ($type:ty, $what:literal, $($variant:path => $name:literal),+) => {
        impl FromStr for $type {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($name => Ok($variant),)+
                    other => Err(format!(
                        concat!("unknown ", $what, " {:?}: expected {}"),
                        other,
                        [$($name),+].join(" or ")
                    )),
                }
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(match self { $($variant => $name,)+ })
            }
        }
    };
}

named!(XsiamDialect, "XSIAM dialect", XsiamDialect::Page => "page", XsiamDialect::Live => "live");
named!(
    XsiamAnswerShape,
    "XSIAM answer shape",
    XsiamAnswerShape::Object => "object",
    XsiamAnswerShape::Data => "data",
    XsiamAnswerShape::Array => "array"
);
