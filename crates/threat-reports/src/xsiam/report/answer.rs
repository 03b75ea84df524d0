//! Reading answers into [`MthReport`]s: the shapes a `reply` takes (a
//! report, a list object, an array), and each report's fields read on
//! their own in one pass, in either casing.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use super::{MthReport, RawReport, decode_attachments};
use crate::Reported;

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
pub(super) fn report_object(text: &str, sent_id: &str) -> Option<MthReport> {
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
pub(super) struct Fields<'a> {
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
    // The page's spelling by exact comparison (names of the key's length
    // only); any other casing by a second, case-blind search.
    let same_length = || {
        FIELD_NAMES
            .iter()
            .enumerate()
            .filter(|(_, name)| name.len() == key.len())
    };
    if let Some((index, _)) = same_length().find(|(_, name)| **name == key) {
        return Some((index, true));
    }
    let (index, _) = same_length().find(|(_, name)| name.eq_ignore_ascii_case(key))?;
    Some((index, key.bytes().any(|b| b.is_ascii_uppercase())))
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

    /// A text field read as a [`Reported`] value (parsed from the answer's
    /// text, not from a copy of it).
    fn reported<T: std::str::FromStr>(&mut self, name: Field) -> Reported<T> {
        match self.take(name) {
            Loose::Text(text) => Reported::parse(&text),
            _ => Reported::Absent,
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
    pub(super) fn into_report(mut self, text: &str, sent_id: &str) -> MthReport {
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
            severity: self.reported(Field::Severity),
            comments: self.text(Field::Comments),
            classification: self.reported(Field::Classification),
            assigned_user: self.text(Field::AssignedUser),
            assigned_user_name: self.text(Field::AssignedUserPretty),
            status: self.reported(Field::ReportStatus),
            raw: RawReport::new(text),
        }
    }
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
