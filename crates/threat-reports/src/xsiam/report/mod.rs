//! [`MthReport`]: an XSIAM answer, typed, read field by field so that no
//! single field can turn an applied update into an error.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::{Api, ApiResponse, snippet};
use crate::{Error, ReportStatus, Reported, Severity};
pub use answer::NoReport;
use answer::{Fields, report_object};

mod answer;

/// An MTH/MDR report as an answer carries it (a read's row, or the report
/// as stored after an update). Serializes with
/// these field names (stable, for scripts), times as RFC 3339.
///
/// Every field is read on its own: a field that is missing, null, of the
/// wrong type or out of range is `None` here ([`Reported::Absent`] for the
/// status, severity and classification), and stays readable as it
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
    /// `ATTACHMENTS`, decoded from the JSON text XSIAM sends (sorted by
    /// key) or from a real array (in its order); `None` when it does not
    /// decode (see
    /// [`attachments`](Self::attachments) for why).
    pub attachments: Option<Vec<Attachment>>,
    /// `INCIDENT_ID`.
    pub incident_id: Option<i64>,
    /// `REPORT_TYPE`.
    pub report_type: Option<String>,
    /// `SEVERITY`; a value this crate does not know is kept verbatim.
    pub severity: Reported<Severity>,
    /// `COMMENTS`.
    pub comments: Option<String>,
    /// `CLASSIFICATION`: `MTH` or `MDR; anything else is kept verbatim.
    pub classification: Reported<Classification>,
    /// `ASSIGNED_USER`: the assignee's email.
    pub assigned_user: Option<String>,
    /// `ASSIGNED_USER_PRETTY`: the assignee's display name.
    pub assigned_user_name: Option<String>,
    /// `REPORT_STATUS`; a value this crate does not know is kept verbatim;
    /// [`Reported::Absent`] when the answer has none.
    pub status: Reported<ReportStatus>,
    /// The report object as it arrived.
    #[serde(skip)]
    raw: RawReport,
}

/// A report's classification, as XSIAM spells it (`MTH`, `MDR`); read
/// into a [`Reported`], so a new one is kept verbatim.
///
/// ```
/// use threat_reports::Reported;
/// use threat_reports::xsiam::Classification;
///
/// assert_eq!(Reported::<Classification>::parse("MDR"), Reported::Known(Classification::Mdr));
/// assert_eq!(Classification::Mth.to_string(), "MTH");
/// assert!("XDR".parse::<Classification>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Classification {
    /// Managed Threat Hunting.
    Mth,
    /// Managed Detection and Response.
    Mdr,
}

impl Classification {
    /// The text XSIAM uses: `MTH` or `MDR`.
    ///
    /// ```
    /// # use threat_reports::xsiam::Classification;
    /// assert_eq!(Classification::Mdr.as_str(), "MDR");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            Classification::Mth => "MTH",
            Classification::Mdr => "MDR",
        }
    }
}

impl std::fmt::Display for Classification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A classification this crate does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown classification {0:?}: XSIAM uses MTH or MDR")]
pub struct UnknownClassification(String);

impl std::str::FromStr for Classification {
    type Err = UnknownClassification;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "MTH" => Ok(Classification::Mth),
            "MDR" => Ok(Classification::Mdr),
            _ => Err(UnknownClassification(text.to_string())),
        }
    }
}

/// One attachment of a report.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Attachment {
    /// The storage key XSIAM files it under.
    pub key: String,
    /// `attachment_name`: the file name.
    pub name: String,
    /// `attachment_size`: bytes.
    pub size: u64,
}

#[derive(serde::Deserialize)]
struct RawAttachment {
    attachment_name: String,
    attachment_size: u64,
}

/// An element of `ATTACHMENTS` when it arrives as a real array (live
/// tenants, by the one account of them; the shape is not documented): an
/// object with the fields of the text form and its key, or the key alone.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum ListedAttachment {
    Object {
        #[serde(
            alias = "key",
            alias = "attachment_path",
            alias = "path_to_file",
            default
        )]
        attachment_key: String,
        #[serde(default)]
        attachment_name: String,
        #[serde(default)]
        attachment_size: u64,
    },
    Key(String),
}

/// Decodes `ATTACHMENTS`: the JSON text XSIAM sends (an object by storage
/// key), or a real array; null, blank or `{}` mean none.
fn decode_attachments(raw: Option<&str>) -> Result<Vec<Attachment>, serde_json::Error> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    if raw.trim_start().starts_with('[') {
        let list: Vec<ListedAttachment> = serde_json::from_str(raw)?;
        return Ok(list
            .into_iter()
            .map(|item| match item {
                ListedAttachment::Object {
                    attachment_key,
                    attachment_name,
                    attachment_size,
                } => Attachment {
                    key: attachment_key,
                    name: attachment_name,
                    size: attachment_size,
                },
                ListedAttachment::Key(key) => Attachment {
                    name: key.rsplit('/').next().unwrap_or_default().to_string(),
                    key,
                    size: 0,
                },
            })
            .collect());
    }
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
        self.status.known().copied()
    }

    /// The severity, when the answer carried one this crate knows.
    ///
    /// ```
    /// # use threat_reports::{Severity, xsiam::MthReport};
    /// let report = MthReport::from_answer(serde_json::json!({"SEVERITY": "SEV_040_HIGH"}), "7");
    /// assert_eq!(report.known_severity(), Some(Severity::High));
    /// let report = MthReport::from_answer(serde_json::json!({}), "7");
    /// assert_eq!(report.known_severity(), None);
    /// ```
    pub fn known_severity(&self) -> Option<Severity> {
        self.severity.known().copied()
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
        self.raw.map()
    }

    /// `ATTACHMENTS` as it arrived: the JSON text XSIAM sends (or the JSON
    /// of whatever else it sent there); `None` when absent or null.
    pub fn attachments_raw(&self) -> Option<String> {
        match field(self.raw(), "ATTACHMENTS")? {
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
        let text = match report {
            Value::Object(_) => report.to_string(),
            _ => "{}".to_string(),
        };
        report_object(&text, sent_id)
            .unwrap_or_else(|| Fields::default().into_report("{}", sent_id))
    }
}

/// The form [`MthReport`] serializes to, read back.
#[derive(serde::Deserialize)]
struct Written {
    source_id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    inserted_at: Option<DateTime<Utc>>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    attachments: Option<Vec<Attachment>>,
    #[serde(default)]
    incident_id: Option<i64>,
    #[serde(default)]
    report_type: Option<String>,
    #[serde(default)]
    severity: Reported<Severity>,
    #[serde(default)]
    comments: Option<String>,
    #[serde(default)]
    classification: Reported<Classification>,
    #[serde(default)]
    assigned_user: Option<String>,
    #[serde(default)]
    assigned_user_name: Option<String>,
    #[serde(default)]
    status: Reported<ReportStatus>,
}

impl<'de> serde::Deserialize<'de> for MthReport {
    /// Reads what [`Serialize`](serde::Serialize) wrote (this crate's field
    /// names, not XSIAM's: [`from_answer`](Self::from_answer) reads an
    /// answer). The object read becomes [`raw`](Self::raw).
    ///
    /// ```
    /// # use threat_reports::xsiam::MthReport;
    /// let report = MthReport::from_answer(
    ///     serde_json::json!({"XSOAR_SOURCE_ID": "7", "REPORT_STATUS": "ON_HOLD", "SEVERITY": "SEV_090_NEW"}),
    ///     "7",
    /// );
    /// let text = serde_json::to_string(&report).unwrap();
    /// let back: MthReport = serde_json::from_str(&text).unwrap();
    /// assert_eq!(back, report);
    /// assert_eq!(back.raw()["severity"], "SEV_090_NEW");
    /// ```
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let object = Value::deserialize(deserializer)?;
        let text = object.to_string();
        let w: Written = serde_json::from_value(object).map_err(D::Error::custom)?;
        Ok(MthReport {
            source_id: w.source_id,
            name: w.name,
            description: w.description,
            created_by: w.created_by,
            inserted_at: w.inserted_at,
            updated_at: w.updated_at,
            attachments: w.attachments,
            incident_id: w.incident_id,
            report_type: w.report_type,
            severity: w.severity,
            comments: w.comments,
            classification: w.classification,
            assigned_user: w.assigned_user,
            assigned_user_name: w.assigned_user_name,
            status: w.status,
            raw: RawReport::new(&text),
        })
    }
}

/// A report object as it arrived: its JSON text, and the object itself,
/// parsed when first asked for.
#[derive(Clone)]
struct RawReport {
    text: Box<str>,
    parsed: OnceLock<Map<String, Value>>,
}

impl RawReport {
    fn new(text: &str) -> Self {
        RawReport {
            text: text.into(),
            parsed: OnceLock::new(),
        }
    }

    fn map(&self) -> &Map<String, Value> {
        self.parsed
            .get_or_init(|| match serde_json::from_str(&self.text) {
                Ok(Value::Object(map)) => map,
                _ => Map::new(),
            })
    }
}

impl PartialEq for RawReport {
    /// Always: two reports are equal when their typed fields are, whatever
    /// form they were read from (an answer, or this crate's own JSON).
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for RawReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A field by its upper case name, or in lower case (one MTH endpoint
/// answers lower_snake_case keys).
fn field<'a>(raw: &'a Map<String, Value>, upper: &str) -> Option<&'a Value> {
    raw.get(upper)
        .or_else(|| raw.get(upper.to_ascii_lowercase().as_str()))
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
        let id = |reply: &str| MthReport::from_reply(reply, "sent").map(|r| r.source_id);
        let report = r#"{"XSOAR_SOURCE_ID": "1"}"#;
        assert_eq!(id(report).unwrap(), "1");
        assert_eq!(id(&format!("[{report}, {{}}]")).unwrap(), "1");
        assert_eq!(
            id(&format!(r#"{{"DATA": [{report}], "COUNT": 1}}"#)).unwrap(),
            "1"
        );
        assert_eq!(id(&format!(r#"{{"data": [{report}]}}"#)).unwrap(), "1");
        // A DATA that is not a list is a field of the report.
        assert_eq!(id(r#"{"DATA": 5, "XSOAR_SOURCE_ID": "2"}"#).unwrap(), "2");
        for none in [r#"{"DATA": [], "COUNT": 0}"#, "[]", r#""text""#, "[5]", "7"] {
            assert!(id(none).is_err(), "{none}");
        }
    }

    #[test]
    fn upper_case_keys_win_over_lower_case_ones_in_either_order() {
        for text in [
            r#"{"XSOAR_SOURCE_ID": "U", "xsoar_source_id": "l"}"#,
            r#"{"xsoar_source_id": "l", "XSOAR_SOURCE_ID": "U"}"#,
        ] {
            assert_eq!(MthReport::from_reply(text, "s").unwrap().source_id, "U");
        }
    }

    #[test]
    fn raw_keeps_the_report_as_it_arrived() {
        let text = r#"{"NAME": "n", "EXTRA": {"deep": [1, 2]}, "INSERT_TIME": 1.5}"#;
        let report = MthReport::from_reply(text, "s").unwrap();
        assert_eq!(report.raw()["EXTRA"]["deep"][1], 2);
        assert_eq!(report.inserted_at, None);
        assert_eq!(
            report,
            MthReport::from_answer(serde_json::from_str(text).unwrap(), "s")
        );
    }

    #[test]
    fn lower_case_keys_and_numbers_as_text_are_read() {
        let report = MthReport::from_answer(
            json!({"xsoar_source_id": 777776, "report_status": "ON_HOLD", "insert_time": "1763468832000", "NAME": 5}),
            "sent",
        );
        assert_eq!(report.source_id, "777776");
        assert_eq!(report.status, Reported::Known(ReportStatus::OnHold));
        assert!(report.inserted_at.is_some());
        assert_eq!(report.name, None);
        assert_eq!(report.raw()["NAME"], 5);
    }
}
