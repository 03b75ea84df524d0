//! [`ReportId`], [`Report`] and [`ReportUpdate`]: TruSTAR reports, typed,
//! and the checks an update passes before it is sent.

use std::fmt;

use api_time::OffsetDateTime;
use chrono::{DateTime, Utc};
use trustar_client::types as wire;

use crate::Error;
use crate::error::{Undecodable, epoch_ms, snippet};
use crate::indicators::{IndicatorCount, count};

/// The most bytes a report body may hold: 2 MiB (2,097,152 bytes), this
/// client's reading of TruSTAR's "2 MB".
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// The most characters `external_url` may hold.
pub const MAX_EXTERNAL_URL_CHARS: usize = 500;

/// Which id a report is addressed by.
///
/// ```
/// use threat_reports::trustar::ReportId;
///
/// assert_eq!(ReportId::External("M-1234".into()).to_string(), "report with external id \"M-1234\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReportId {
    /// TruSTAR's own report id (`idType=internal`).
    Internal(String),
    /// The caller's external tracking id (`idType=external`).
    External(String),
}

impl ReportId {
    pub(crate) fn parts(&self) -> Result<(&str, wire::IdType), Error> {
        let (id, kind) = match self {
            ReportId::Internal(id) => (id, wire::IdType::Internal),
            ReportId::External(id) => (id, wire::IdType::External),
        };
        if id.trim().is_empty() {
            return Err(Error::InvalidInput {
                field: "id",
                problem: "it is empty".into(),
                allowed: "a TruSTAR report id or an external tracking id".into(),
            });
        }
        Ok((id, kind))
    }
}

impl fmt::Display for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportId::Internal(id) => write!(f, "report with id {id:?}"),
            ReportId::External(id) => write!(f, "report with external id {id:?}"),
        }
    }
}

/// A report as TruSTAR returns it. Serializes with these field names
/// (stable, for scripts), times as RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// TruSTAR's internal id.
    pub id: String,
    /// The title.
    pub title: String,
    /// The body, whose indicators TruSTAR extracts.
    pub body: String,
    /// When the incident began.
    pub time_began: Option<DateTime<Utc>>,
    /// When the report was created.
    pub created: Option<DateTime<Utc>>,
    /// When the report last changed.
    pub updated: Option<DateTime<Utc>>,
    /// The URL of the report this one came from.
    pub external_url: Option<String>,
    /// The caller's tracking id.
    pub external_tracking_id: Option<String>,
    /// The enclave the report belongs to.
    pub enclave_ids: Vec<String>,
}

impl Report {
    /// The report of an answer, its times as date-times.
    pub(crate) fn from_wire(raw: wire::Report) -> Result<Self, Undecodable> {
        Ok(Report {
            time_began: epoch_ms("timeBegan", raw.time_began)?,
            created: epoch_ms("created", raw.created)?,
            updated: epoch_ms("updated", raw.updated)?,
            id: needed("id", raw.id)?,
            title: needed("title", raw.title)?,
            body: needed("reportBody", raw.report_body)?,
            external_url: raw.external_url,
            external_tracking_id: raw.external_tracking_id,
            enclave_ids: raw.enclave_ids,
        })
    }
}

/// A field the vendor lists without promising it, which a [`Report`]
/// needs: without it the report could not be written back whole.
fn needed(field: &'static str, value: Option<String>) -> Result<String, Undecodable> {
    value.ok_or_else(|| Undecodable {
        what: field,
        problem: format!("the report has no `{field}`"),
    })
}

/// The writable fields of a report: what an update sends, whole (TruSTAR
/// replaces the report; a field left out is lost). Serializes with these
/// field names.
///
/// ```
/// use threat_reports::trustar::ReportUpdate;
///
/// let update = ReportUpdate::new("Phishing wave", "Sender billing@secure-pay[.]com", "e27b914b")
///     .time_began("2016-09-22T11:38:35+02:00".parse()?);
/// assert_eq!(update.indicator_count().total, 1);
/// // One date-time type for reads and writes: the instant, in UTC.
/// assert_eq!(update.time_began.unwrap().to_rfc3339(), "2016-09-22T09:38:35+00:00");
/// # Ok::<(), threat_reports::chrono::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ReportUpdate {
    /// The title (required).
    pub title: String,
    /// The body (required, at most 2 MiB).
    pub body: String,
    /// Exactly one enclave id.
    pub enclave_ids: Vec<String>,
    /// The caller's tracking id.
    pub external_tracking_id: Option<String>,
    /// The URL of the report this one came from (at most 500 characters).
    pub external_url: Option<String>,
    /// When the incident began. The same type as a [`Report`]'s times:
    /// an instant, sent in UTC (`+00:00`, as TruSTAR writes its times).
    pub time_began: Option<DateTime<Utc>>,
}

impl ReportUpdate {
    /// A report with a title, a body and its enclave.
    pub fn new(
        title: impl Into<String>,
        body: impl Into<String>,
        enclave_id: impl Into<String>,
    ) -> Self {
        ReportUpdate {
            title: title.into(),
            body: body.into(),
            enclave_ids: vec![enclave_id.into()],
            external_tracking_id: None,
            external_url: None,
            time_began: None,
        }
    }

    /// Sets when the incident began. `"2016-09-22T11:38:35+02:00".parse()`
    /// gives one (chrono takes any offset and keeps the instant); a time
    /// without an offset is refused by the parse.
    pub fn time_began(mut self, time: DateTime<Utc>) -> Self {
        self.time_began = Some(time);
        self
    }

    /// Sets the caller's tracking id.
    pub fn external_tracking_id(mut self, id: impl Into<String>) -> Self {
        self.external_tracking_id = Some(id.into());
        self
    }

    /// Sets the URL of the report this one came from.
    pub fn external_url(mut self, url: impl Into<String>) -> Self {
        self.external_url = Some(url.into());
        self
    }

    /// The body's indicators, counted as TruSTAR counts them.
    pub fn indicator_count(&self) -> IndicatorCount {
        count(&self.body)
    }

    /// Checks everything TruSTAR would refuse, with the indicator limit in
    /// force, and returns the wire body.
    pub(crate) fn checked(&self, max_indicators: usize) -> Result<wire::ReportUpdate, Error> {
        let invalid = |field: &'static str, problem: String, allowed: &str| Error::InvalidInput {
            field,
            problem,
            allowed: allowed.into(),
        };
        if self.title.trim().is_empty() {
            return Err(invalid(
                "title",
                "it is empty".into(),
                "a title with at least one visible character",
            ));
        }
        if self.body.trim().is_empty() {
            return Err(invalid(
                "body",
                "it is empty".into(),
                "the report's text, at least one visible character",
            ));
        }
        if self.body.len() > MAX_BODY_BYTES {
            return Err(invalid(
                "body",
                format!("it holds {} bytes", self.body.len()),
                "at most 2 MiB (2,097,152 bytes): split the report",
            ));
        }
        match self.enclave_ids.as_slice() {
            [id] if !id.trim().is_empty() => {}
            [_] => {
                return Err(invalid(
                    "enclave_ids",
                    "the enclave id is empty".into(),
                    "exactly one enclave id (not its name)",
                ));
            }
            ids => {
                return Err(invalid(
                    "enclave_ids",
                    format!("it holds {} ids", ids.len()),
                    "exactly one enclave id (not its name)",
                ));
            }
        }
        if let Some(url) = &self.external_url {
            let chars = url.chars().count();
            if chars > MAX_EXTERNAL_URL_CHARS {
                return Err(invalid(
                    "external_url",
                    format!("it holds {chars} characters"),
                    "at most 500 characters",
                ));
            }
        }
        let count = self.indicator_count();
        if count.exceeds(max_indicators) {
            return Err(Error::TooManyIndicators {
                count: Some(count),
                limit: max_indicators,
                server_message: None,
                response: None,
            });
        }
        let wire_error = |field: &'static str| {
            move |e: wire::error::ConversionError| Error::InvalidInput {
                field,
                problem: snippet(&e.to_string()),
                allowed: "what the TruSTAR spec allows".into(),
            }
        };
        Ok(wire::ReportUpdate {
            title: self.title.parse().map_err(wire_error("title"))?,
            report_body: self.body.parse().map_err(wire_error("body"))?,
            enclave_ids: [self.enclave_ids[0]
                .parse()
                .map_err(wire_error("enclave_ids"))?],
            external_tracking_id: self.external_tracking_id.clone(),
            external_url: self
                .external_url
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(wire_error("external_url"))?,
            time_began: self.time_began.map(OffsetDateTime::from),
        })
    }
}

impl From<&Report> for ReportUpdate {
    /// The writable fields of a report read back: never its `id`, `created`
    /// or `updated`.
    fn from(report: &Report) -> Self {
        ReportUpdate {
            title: report.title.clone(),
            body: report.body.clone(),
            enclave_ids: report.enclave_ids.clone(),
            external_tracking_id: report.external_tracking_id.clone(),
            external_url: report.external_url.clone(),
            time_began: report.time_began,
        }
    }
}
