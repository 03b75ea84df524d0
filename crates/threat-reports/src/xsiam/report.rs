//! [`MthReport`]: an XSIAM answer, typed, read field by field so that no
//! single field can turn an applied update into an error.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::{Api, ApiResponse, snippet};
use crate::{Error, ReportStatus, Reported, Severity};

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
    /// assert_eq!(report.status.to_string(), "RESOLVED_TP");
    /// assert!(MthReport::from_update_answer(br#"{"reply": []}"#, "1").is_err());
    /// # Ok::<(), threat_reports::xsiam::NoReport>(())
    /// ```
    pub fn from_update_answer(body: &[u8], sent_id: &str) -> Result<MthReport, NoReport> {
        #[derive(serde::Deserialize)]
        struct Answer<'a> {
            #[serde(borrow)]
            reply: Option<&'a RawValue>,
        }
        let text = std::str::from_utf8(body)
            .map_err(|e| NoReport(format!("the body is not JSON ({e})")))?;
        let answer: Answer<'_> = serde_json::from_str(text)
            .map_err(|e| NoReport(format!("the body is not JSON ({e})")))?;
        let reply = answer
            .reply
            .ok_or_else(|| NoReport("the answer has no \"reply\"".into()))?;
        MthReport::from_reply(reply.get(), sent_id)
    }

    /// The report an answer's `reply` holds (its JSON text), read field by
    /// field: the report itself, `{"DATA": [report, ...], "COUNT": n}`, or
    /// an array of reports (the first, for a status update).
    pub(crate) fn from_reply(reply: &str, sent_id: &str) -> Result<MthReport, NoReport> {
        let none = || NoReport("\"reply\" holds no report (an empty list, or no object)".into());
        match serde_json::from_str::<Reply<'_>>(reply).map_err(|_| none())? {
            Reply::Other | Reply::List(None) => Err(none()),
            Reply::List(Some(first)) => report_object(first.get(), sent_id).ok_or_else(none),
            Reply::Object(fields) => match fields.data.filter(|d| d.get().starts_with('[')) {
                Some(data) => match serde_json::from_str::<Reply<'_>>(data.get()) {
                    Ok(Reply::List(Some(first))) => {
                        report_object(first.get(), sent_id).ok_or_else(none)
                    }
                    _ => Err(none()),
                },
                // No list after all: a report (with a DATA field, if any).
                None => Ok(fields.into_report(reply, sent_id)),
            },
        }
    }
}

impl MthReport {
    /// The reports an answer's `reply` holds (its JSON text), each read
    /// field by field: `{"DATA": [...], "COUNT": n}`, an array, or one
    /// report object. Elements that are not objects are skipped; rows
    /// with no id have an empty [`source_id`](Self::source_id).
    pub(crate) fn all_from_reply(reply: &str) -> Result<Vec<MthReport>, NoReport> {
        let none = || NoReport("\"reply\" holds no list of reports and no report".into());
        let rows = |text: &str| -> Result<Vec<MthReport>, NoReport> {
            let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|_| none())?;
            Ok(items
                .into_iter()
                .filter_map(|item| report_object(item.get(), ""))
                .collect())
        };
        if reply.trim_start().starts_with('[') {
            return rows(reply);
        }
        match serde_json::from_str::<Reply<'_>>(reply).map_err(|_| none())? {
            Reply::Object(fields) => match fields.data.filter(|d| d.get().starts_with('[')) {
                Some(data) => rows(data.get()),
                None => Ok(vec![fields.into_report(reply, "")]),
            },
            _ => Err(none()),
        }
    }
}

/// The report of an object's JSON text; `None` when it is not an object.
fn report_object(text: &str, sent_id: &str) -> Option<MthReport> {
    match serde_json::from_str::<Reply<'_>>(text) {
        Ok(Reply::Object(fields)) => Some(fields.into_report(text, sent_id)),
        _ => None,
    }
}

/// What a `reply` holds: a list (its first element), an object (its
/// report fields, and `DATA` if it has one), or something else.
// Lives on the stack for one answer: boxing the fields would cost an
// allocation per answer.
#[allow(clippy::large_enum_variant)]
enum Reply<'a> {
    List(Option<&'a RawValue>),
    Object(Fields<'a>),
    Other,
}

impl<'de> serde::Deserialize<'de> for Reply<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Reply<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a report, a list object or an array")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let first = seq.next_element::<&'de RawValue>()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Reply::List(first))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                Fields::visit(map).map(Reply::Object)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Reply::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Reply::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Reply::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Reply::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Reply::Other)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Reply::Other)
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// The fields of a report, each read on its own in one pass over the
/// object, by name in upper case (`XSOAR_SOURCE_ID`, as the vendor page
/// spells them) or lower case (one MTH endpoint answers lower_snake_case
/// keys); where both come, the upper case one.
#[derive(Default)]
struct Fields<'a> {
    values: [(Loose<'a>, bool); FIELD_NAMES.len()],
    /// `DATA`, in either case: the reports of a list object.
    data: Option<&'a RawValue>,
    /// `ATTACHMENTS` as it arrived (text, an array, anything).
    attachments: Option<&'a RawValue>,
}

/// The fields of a report, in the order of [`Fields::values`].
#[derive(Clone, Copy)]
enum Field {
    SourceId,
    Name,
    Description,
    CreatedBy,
    InsertTime,
    UpdateTime,
    Attachments,
    IncidentId,
    ReportType,
    Severity,
    Comments,
    Classification,
    AssignedUser,
    AssignedUserPretty,
    ReportStatus,
}

/// The fields' names in upper case, as the vendor page spells them.
const FIELD_NAMES: [&str; 15] = [
    "XSOAR_SOURCE_ID",
    "NAME",
    "DESCRIPTION",
    "CREATED_BY",
    "INSERT_TIME",
    "UPDATE_TIME",
    "ATTACHMENTS",
    "INCIDENT_ID",
    "REPORT_TYPE",
    "SEVERITY",
    "COMMENTS",
    "CLASSIFICATION",
    "ASSIGNED_USER",
    "ASSIGNED_USER_PRETTY",
    "REPORT_STATUS",
];

/// Which field a key names (its index), and whether it is in upper case.
fn field_of(key: &str) -> Option<(usize, bool)> {
    let upper = key.bytes().any(|b| b.is_ascii_uppercase());
    // The two usual spellings at the cost of one comparison; any other
    // casing by a slower search.
    let index = FIELD_NAMES.iter().position(|name| {
        name.len() == key.len() && (*name == key || name.eq_ignore_ascii_case(key))
    })?;
    Some((index, upper))
}

/// A key of an object: borrowed from the answer unless it holds escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(Visit)
    }
}

impl<'a> Fields<'a> {
    /// One pass over an object: each report field's value read on its own
    /// (never failing), `DATA` kept as its text, every other value skipped.
    fn visit<A: serde::de::MapAccess<'a>>(mut map: A) -> Result<Self, A::Error> {
        let mut fields = Fields::default();
        while let Some(Key(key)) = map.next_key::<Key<'a>>()? {
            if key.eq_ignore_ascii_case("DATA") {
                fields.data = Some(map.next_value()?);
                continue;
            }
            match field_of(&key) {
                Some((i, upper)) if i == Field::Attachments as usize => {
                    let raw: &'a RawValue = map.next_value()?;
                    if upper || fields.attachments.is_none() {
                        fields.attachments = Some(raw);
                    }
                }
                Some((i, upper)) => {
                    let value: Loose<'a> = map.next_value()?;
                    // The upper case spelling wins over a lower case one.
                    if upper || !fields.values[i].1 {
                        fields.values[i] = (value, upper);
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(fields)
    }

    /// Takes a field's value out (each is read once).
    fn take(&mut self, field: Field) -> Loose<'a> {
        std::mem::take(&mut self.values[field as usize].0)
    }

    fn text(&mut self, name: Field) -> Option<String> {
        match self.take(name) {
            Loose::Text(text) => Some(text.into_owned()),
            _ => None,
        }
    }

    fn integer(&mut self, name: Field) -> Option<i64> {
        match self.take(name) {
            Loose::Integer(n) => Some(n),
            Loose::Text(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    fn time(&mut self, name: Field) -> Option<DateTime<Utc>> {
        self.integer(name)
            .and_then(DateTime::<Utc>::from_timestamp_millis)
    }

    /// The report these fields make; `text` is the report object's JSON,
    /// kept as it arrived.
    fn into_report(mut self, text: &str, sent_id: &str) -> MthReport {
        let attachments = match self.attachments.map(|raw| raw.get().trim_start()) {
            None | Some("null") => Some(Vec::new()),
            Some(raw) => match serde_json::from_str::<Loose<'_>>(raw) {
                Ok(Loose::Text(text)) => decode_attachments(Some(&text)).ok(),
                _ if raw.starts_with('[') => decode_attachments(Some(raw)).ok(),
                _ => None,
            },
        };
        let source_id = match self.take(Field::SourceId) {
            Loose::Text(id) if !id.is_empty() => id.into_owned(),
            Loose::Integer(n) => n.to_string(),
            _ => sent_id.to_string(),
        };
        MthReport {
            source_id,
            name: self.text(Field::Name),
            description: self.text(Field::Description),
            created_by: self.text(Field::CreatedBy),
            inserted_at: self.time(Field::InsertTime),
            updated_at: self.time(Field::UpdateTime),
            attachments,
            incident_id: self.integer(Field::IncidentId),
            report_type: self.text(Field::ReportType),
            severity: reported(self.text(Field::Severity)),
            comments: self.text(Field::Comments),
            classification: reported(self.text(Field::Classification)),
            assigned_user: self.text(Field::AssignedUser),
            assigned_user_name: self.text(Field::AssignedUserPretty),
            status: reported(self.text(Field::ReportStatus)),
            raw: RawReport::new(text),
        }
    }
}

/// A text field read as a [`Reported`] value.
fn reported<T: std::str::FromStr>(text: Option<String>) -> Reported<T> {
    text.as_deref().map_or(Reported::Absent, Reported::parse)
}

/// A field's value, read without failing: text, a whole number, null, or
/// anything else (kept only in the raw report).
#[derive(Default)]
enum Loose<'a> {
    #[default]
    Absent,
    Null,
    Text(Cow<'a, str>),
    Integer(i64),
    Other,
}

impl<'de> serde::Deserialize<'de> for Loose<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Loose<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Loose::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Loose::Text(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Loose::Integer(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(i64::try_from(v).map_or(Loose::Other, Loose::Integer))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Loose::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Loose::Other)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Loose::Null)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Loose::Other)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Loose::Other)
            }
        }
        deserializer.deserialize_any(Visit)
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
