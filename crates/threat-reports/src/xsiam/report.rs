//! [`MthReport`]: an XSIAM answer, typed, read field by field so that no
//! single field can turn an applied update into an error.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::{Api, ApiResponse, snippet};
use crate::{Error, ReportStatus, Reported, Severity};

/// An MTH/MDR report as XSIAM stored it after the update. Serializes with
/// these field names (stable, for scripts), times as RFC 3339.
///
/// Every field is read on its own: a field that is missing, null, of the
/// wrong type or out of range is `None` here, and stays readable as it
/// arrived through [`raw`](Self::raw) (`ATTACHMENTS` through
/// [`attachments_raw`](Self::attachments_raw)). Keys are read in upper case
/// (`XSOAR_SOURCE_ID`, as the vendor page spells them) or lower case.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct MthReport {
    /// `XSOAR_SOURCE_ID`: the report's id; the id sent, when the answer
    /// has none.
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
    /// `ATTACHMENTS`, decoded from the JSON text XSIAM sends; sorted by
    /// key; `None` when the text does not decode (see
    /// [`attachments`](Self::attachments) for why).
    pub attachments: Option<Vec<Attachment>>,
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
    /// `REPORT_STATUS`; a value this crate does not know is kept verbatim;
    /// `None` when the answer has none.
    pub status: Option<Reported<ReportStatus>>,
    /// The report object as it arrived.
    #[serde(skip)]
    raw: Map<String, Value>,
}

/// A report's classification; serializes as XSIAM spells it (`MTH`, `MDR`,
/// or the text it sent).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
    ///
    /// ```
    /// # use threat_reports::xsiam::Classification;
    /// assert_eq!(Classification::Mdr.as_str(), "MDR");
    /// ```
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
#[non_exhaustive]
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

/// Decodes `ATTACHMENTS` text: null, blank or `{}` mean none.
fn decode_attachments(raw: Option<&str>) -> Result<Vec<Attachment>, serde_json::Error> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let map: BTreeMap<String, RawAttachment> = serde_json::from_str(raw)?;
    Ok(map
        .into_iter()
        .map(|(key, a)| Attachment {
            key,
            name: a.attachment_name,
            size: a.attachment_size,
        })
        .collect())
}

impl MthReport {
    /// The status, when the answer carried one this crate knows.
    ///
    /// ```
    /// # use threat_reports::{ReportStatus, xsiam::MthReport};
    /// let report = MthReport::from_answer(serde_json::json!({"REPORT_STATUS": "ON_HOLD"}), "7");
    /// assert_eq!(report.known_status(), Some(ReportStatus::OnHold));
    /// let report = MthReport::from_answer(serde_json::json!({"REPORT_STATUS": "ARCHIVED"}), "7");
    /// assert_eq!(report.known_status(), None);
    /// ```
    pub fn known_status(&self) -> Option<ReportStatus> {
        self.status.as_ref().and_then(|s| s.known()).copied()
    }

    /// The report object as it arrived, every field verbatim.
    ///
    /// ```
    /// # use threat_reports::xsiam::MthReport;
    /// let report = MthReport::from_answer(
    ///     serde_json::json!({"XSOAR_SOURCE_ID": "7", "INSERT_TIME": "yesterday"}),
    ///     "7",
    /// );
    /// assert_eq!(report.inserted_at, None);
    /// assert_eq!(report.raw()["INSERT_TIME"], "yesterday");
    /// ```
    pub fn raw(&self) -> &Map<String, Value> {
        &self.raw
    }

    /// `ATTACHMENTS` as it arrived: the JSON text XSIAM sends (or the JSON
    /// of whatever else it sent there); `None` when absent or null.
    pub fn attachments_raw(&self) -> Option<String> {
        match field(&self.raw, "ATTACHMENTS")? {
            Value::Null => None,
            Value::String(text) => Some(text.clone()),
            other => Some(other.to_string()),
        }
    }

    /// `ATTACHMENTS`, decoded; an error that quotes the text when it does
    /// not decode.
    ///
    /// ```
    /// # use threat_reports::xsiam::MthReport;
    /// let report = MthReport::from_answer(
    ///     serde_json::json!({"ATTACHMENTS": "{not json", "REPORT_STATUS": "NEW"}),
    ///     "7",
    /// );
    /// assert_eq!(report.attachments, None);
    /// assert!(report.attachments().unwrap_err().to_string().contains("{not json"));
    /// assert_eq!(report.source_id, "7"); // the id sent
    /// ```
    pub fn attachments(&self) -> Result<Vec<Attachment>, Error> {
        let raw = self.attachments_raw();
        decode_attachments(raw.as_deref()).map_err(|e| Error::Decode {
            api: Api::Xsiam,
            what: "ATTACHMENTS (a JSON object of {attachment_name, attachment_size})",
            problem: e.to_string(),
            response: ApiResponse {
                status: 200,
                request_id: None,
                body: snippet(raw.as_deref().unwrap_or_default()),
            },
        })
    }

    /// Reads a report object of an answer, field by field; `sent_id` is
    /// the id the request named, for an answer that names none.
    pub fn from_answer(report: Value, sent_id: &str) -> MthReport {
        let raw = match report {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let text = |name| match field(&raw, name) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let integer = |name| match field(&raw, name) {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        let time = |name| integer(name).and_then(DateTime::<Utc>::from_timestamp_millis);
        let attachments = match field(&raw, "ATTACHMENTS") {
            None | Some(Value::Null) => Some(Vec::new()),
            Some(Value::String(s)) => decode_attachments(Some(s)).ok(),
            Some(_) => None,
        };
        MthReport {
            source_id: text("XSOAR_SOURCE_ID")
                .filter(|id| !id.is_empty())
                .or_else(|| integer("XSOAR_SOURCE_ID").map(|n| n.to_string()))
                .unwrap_or_else(|| sent_id.to_string()),
            name: text("NAME"),
            description: text("DESCRIPTION"),
            created_by: text("CREATED_BY"),
            inserted_at: time("INSERT_TIME"),
            updated_at: time("UPDATE_TIME"),
            attachments,
            incident_id: integer("INCIDENT_ID"),
            report_type: text("REPORT_TYPE"),
            severity: text("SEVERITY").as_deref().map(Reported::parse),
            comments: text("COMMENTS"),
            classification: text("CLASSIFICATION").map(Classification::read),
            assigned_user: text("ASSIGNED_USER"),
            assigned_user_name: text("ASSIGNED_USER_PRETTY"),
            status: text("REPORT_STATUS").as_deref().map(Reported::parse),
            raw,
        }
    }
}

/// Why a success answer's body gave no report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NoReport(String);

impl MthReport {
    /// The report a success answer's body holds, read field by field:
    /// `{"reply": report}`, `{"reply": {"DATA": [report, ...], "COUNT": n}}`
    /// or `{"reply": [report, ...]}` (the first report). `sent_id` is the
    /// id the request named, for an answer that names none. [`NoReport`]
    /// says why a body holds no report (not JSON, no `reply`, an empty
    /// list).
    ///
    /// ```
    /// use threat_reports::xsiam::MthReport;
    ///
    /// let report = MthReport::from_update_answer(
    ///     br#"{"reply": {"DATA": [{"REPORT_STATUS": "RESOLVED_TP"}], "COUNT": 1}}"#,
    ///     "777776",
    /// )?;
    /// assert_eq!(report.source_id, "777776");
    /// assert_eq!(report.status.unwrap().to_string(), "RESOLVED_TP");
    /// assert!(MthReport::from_update_answer(br#"{"reply": []}"#, "1").is_err());
    /// # Ok::<(), threat_reports::xsiam::NoReport>(())
    /// ```
    pub fn from_update_answer(body: &[u8], sent_id: &str) -> Result<MthReport, NoReport> {
        let mut answer: Value = serde_json::from_slice(body)
            .map_err(|e| NoReport(format!("the body is not JSON ({e})")))?;
        let reply = answer
            .get_mut("reply")
            .map(Value::take)
            .ok_or_else(|| NoReport("the answer has no \"reply\"".into()))?;
        let report = report_in_reply(reply).ok_or_else(|| {
            NoReport("\"reply\" holds no report (an empty list, or no object)".into())
        })?;
        Ok(MthReport::from_answer(report, sent_id))
    }
}

/// A field by its upper case name, or in lower case (one MTH endpoint
/// answers lower_snake_case keys).
fn field<'a>(raw: &'a Map<String, Value>, upper: &str) -> Option<&'a Value> {
    raw.get(upper)
        .or_else(|| raw.get(upper.to_ascii_lowercase().as_str()))
}

/// Where an answer's `reply` holds its report: the report object itself,
/// `{"DATA": [report, ...], "COUNT": n}`, or a bare array of reports (the
/// first report, for a status update). `None` when it holds none.
pub(crate) fn report_in_reply(reply: Value) -> Option<Value> {
    match reply {
        Value::Array(reports) => reports.into_iter().next(),
        Value::Object(mut map) => match map.remove("DATA").or_else(|| map.remove("data")) {
            Some(Value::Array(reports)) => reports.into_iter().next(),
            Some(other) => {
                // Not a list after all: a report with a DATA field.
                map.insert("DATA".into(), other);
                Some(Value::Object(map))
            }
            None => Some(Value::Object(map)),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn attachments_decode_or_stay_raw() {
        let raw = r#"{"b": {"attachment_name": "x.pdf", "attachment_size": 3}, "a": {"attachment_name": "y.txt", "attachment_size": 0}}"#;
        let report = MthReport::from_answer(json!({ "ATTACHMENTS": raw }), "1");
        let list = report.attachments.clone().unwrap();
        assert_eq!(
            list.iter().map(|a| a.key.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(list[1].name, "x.pdf");
        assert_eq!(report.attachments().unwrap(), list);
        for none in [
            json!({}),
            json!({"ATTACHMENTS": null}),
            json!({"ATTACHMENTS": "{}"}),
            json!({"ATTACHMENTS": "  "}),
        ] {
            let report = MthReport::from_answer(none, "1");
            assert_eq!(report.attachments, Some(Vec::new()));
        }
        let bad = MthReport::from_answer(
            json!({"ATTACHMENTS": r#"{"k": {"attachment_name": 5}}"#}),
            "1",
        );
        assert_eq!(bad.attachments, None);
        let error = bad.attachments().unwrap_err().to_string();
        assert!(error.contains("attachment_name"), "{error}");
        assert_eq!(
            bad.attachments_raw().unwrap(),
            r#"{"k": {"attachment_name": 5}}"#
        );
    }

    #[test]
    fn each_shape_of_reply_gives_its_report() {
        let report = json!({"XSOAR_SOURCE_ID": "1"});
        assert_eq!(report_in_reply(report.clone()), Some(report.clone()));
        assert_eq!(
            report_in_reply(json!([report.clone()])),
            Some(report.clone())
        );
        assert_eq!(
            report_in_reply(json!({"DATA": [report.clone()], "COUNT": 1})),
            Some(report.clone())
        );
        assert_eq!(report_in_reply(json!({"DATA": [], "COUNT": 0})), None);
        assert_eq!(report_in_reply(json!([])), None);
        assert_eq!(report_in_reply(json!("text")), None);
    }

    #[test]
    fn lower_case_keys_and_numbers_as_text_are_read() {
        let report = MthReport::from_answer(
            json!({"xsoar_source_id": 777776, "report_status": "ON_HOLD", "insert_time": "1763468832000", "NAME": 5}),
            "sent",
        );
        assert_eq!(report.source_id, "777776");
        assert_eq!(report.status, Some(Reported::Known(ReportStatus::OnHold)));
        assert!(report.inserted_at.is_some());
        assert_eq!(report.name, None);
        assert_eq!(report.raw()["NAME"], 5);
    }
}
