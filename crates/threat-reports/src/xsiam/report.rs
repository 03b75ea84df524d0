//! [`MthReport`]: an XSIAM answer, typed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::error::{Api, epoch_ms, snippet};
use crate::{Error, ReportStatus, Reported, Severity};

/// An MTH/MDR report as XSIAM stored it after the update. Serializes with
/// these field names (stable, for scripts), times as RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct MthReport {
    /// `XSOAR_SOURCE_ID`: the report's id.
    pub source_id: String,
    /// `NAME`.
    pub name: Option<String>,
    /// `DESCRIPTION`.
    pub description: Option<String>,
    /// `CREATED_BY`.
    pub created_by: Option<String>,
    /// `INSERT_TIME`: when the report was created.
    pub inserted_at: Option<DateTime<Utc>>,
    /// `UPDATE_TIME`: when it last changed.
    pub updated_at: Option<DateTime<Utc>>,
    /// `ATTACHMENTS`, decoded from the JSON text XSIAM sends; sorted by key.
    pub attachments: Vec<Attachment>,
    /// `INCIDENT_ID`.
    pub incident_id: Option<i64>,
    /// `REPORT_TYPE`.
    pub report_type: Option<String>,
    /// `SEVERITY`; a value this crate does not know is kept verbatim.
    pub severity: Option<Reported<Severity>>,
    /// `COMMENTS`.
    pub comments: Option<String>,
    /// `CLASSIFICATION`.
    pub classification: Option<Classification>,
    /// `ASSIGNED_USER`: the assignee's email.
    pub assigned_user: Option<String>,
    /// `ASSIGNED_USER_PRETTY`: the assignee's display name.
    pub assigned_user_name: Option<String>,
    /// `REPORT_STATUS`; a value this crate does not know (`ON_HOLD`,
    /// `RESOLVED_TP`, …) is kept verbatim.
    pub status: Reported<ReportStatus>,
}

/// A report's classification; serializes as XSIAM spells it (`MTH`, `MDR`,
/// or the text it sent).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Classification {
    /// Managed Threat Hunting.
    Mth,
    /// Managed Detection and Response.
    Mdr,
    /// Anything else, verbatim.
    Other(String),
}

impl Classification {
    /// The text XSIAM uses: `MTH`, `MDR`, or what it sent.
    pub fn as_str(&self) -> &str {
        match self {
            Classification::Mth => "MTH",
            Classification::Mdr => "MDR",
            Classification::Other(text) => text,
        }
    }

    fn read(text: String) -> Self {
        match text.as_str() {
            "MTH" => Classification::Mth,
            "MDR" => Classification::Mdr,
            _ => Classification::Other(text),
        }
    }
}

/// One attachment of a report.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Attachment {
    /// The storage key XSIAM files it under.
    pub key: String,
    /// `attachment_name`: the file name.
    pub name: String,
    /// `attachment_size`: bytes.
    pub size: u64,
}

impl serde::Serialize for Classification {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[derive(serde::Deserialize)]
struct RawAttachment {
    attachment_name: String,
    attachment_size: u64,
}

/// Decodes `ATTACHMENTS`: null, blank or `{}` mean none.
pub(crate) fn attachments(raw: Option<&str>) -> Result<Vec<Attachment>, Error> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let map: BTreeMap<String, RawAttachment> =
        serde_json::from_str(raw).map_err(|e| Error::Decode {
            api: Api::Xsiam,
            what: "ATTACHMENTS (a JSON object of {attachment_name, attachment_size})",
            problem: e.to_string(),
            body: snippet(raw),
        })?;
    Ok(map
        .into_iter()
        .map(|(key, a)| Attachment {
            key,
            name: a.attachment_name,
            size: a.attachment_size,
        })
        .collect())
}

impl TryFrom<xsiam_client::types::MthReport> for MthReport {
    type Error = Error;

    fn try_from(raw: xsiam_client::types::MthReport) -> Result<Self, Error> {
        Ok(MthReport {
            attachments: attachments(raw.attachments.as_deref())?,
            inserted_at: epoch_ms(Api::Xsiam, "INSERT_TIME", raw.insert_time)?,
            updated_at: epoch_ms(Api::Xsiam, "UPDATE_TIME", raw.update_time)?,
            source_id: raw.xsoar_source_id,
            name: raw.name,
            description: raw.description,
            created_by: raw.created_by,
            incident_id: raw.incident_id,
            report_type: raw.report_type,
            severity: raw.severity.as_deref().map(Reported::parse),
            comments: raw.comments,
            classification: raw.classification.map(Classification::read),
            assigned_user: raw.assigned_user,
            assigned_user_name: raw.assigned_user_pretty,
            status: Reported::parse(&raw.report_status),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_decode_or_fail_with_the_text() {
        let raw = r#"{"b": {"attachment_name": "x.pdf", "attachment_size": 3}, "a": {"attachment_name": "y.txt", "attachment_size": 0}}"#;
        let list = attachments(Some(raw)).unwrap();
        assert_eq!(
            list.iter().map(|a| a.key.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(list[1].name, "x.pdf");
        assert!(attachments(None).unwrap().is_empty());
        assert!(attachments(Some("{}")).unwrap().is_empty());
        assert!(attachments(Some("  ")).unwrap().is_empty());
        let error = attachments(Some("{not json")).unwrap_err().to_string();
        assert!(
            error.contains("ATTACHMENTS") && error.contains("{not json"),
            "{error}"
        );
        let error = attachments(Some(r#"{"k": {"attachment_name": 5}}"#))
            .unwrap_err()
            .to_string();
        assert!(error.contains("attachment_name"), "{error}");
    }
}
