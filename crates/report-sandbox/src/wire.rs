//! The reports as the vendors' pages describe them, in the sandbox's own
//! types: written from the pages (the XSIAM "Update report status" answer,
//! the TruSTAR report object), not taken from the generated clients, so
//! that a field name a spec gets wrong shows up as a disagreement.

use serde::{Deserialize, Serialize};

/// An MTH/MDR report, with the upper case field names of XSIAM's answers.
/// Every field may be missing or null, as on the vendor page.
///
/// ```
/// let report: report_sandbox::XsiamReport =
///     serde_json::from_str(r#"{"XSOAR_SOURCE_ID": "7", "REPORT_STATUS": "NEW"}"#).unwrap();
/// assert_eq!(report.report_status.as_deref(), Some("NEW"));
/// assert_eq!(serde_json::to_value(&report).unwrap()["ASSIGNED_USER"], serde_json::Value::Null);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
#[non_exhaustive]
pub struct XsiamReport {
    /// The report's id.
    pub xsoar_source_id: Option<String>,
    /// Its name (title).
    pub name: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Who created it.
    pub created_by: Option<String>,
    /// When it was created, in milliseconds since the Unix epoch.
    pub insert_time: Option<i64>,
    /// When it last changed, in milliseconds since the Unix epoch.
    pub update_time: Option<i64>,
    /// Its attachments: a JSON object encoded as a string.
    pub attachments: Option<String>,
    /// The incident it belongs to.
    pub incident_id: Option<i64>,
    /// Its type, e.g. `Cyber Hygiene Report`.
    pub report_type: Option<String>,
    /// Its severity, e.g. `SEV_020_LOW`.
    pub severity: Option<String>,
    /// Comments, as the update answer carries them.
    pub comments: Option<String>,
    /// `MTH` or `MDR`.
    pub classification: Option<String>,
    /// The assignee's email.
    pub assigned_user: Option<String>,
    /// The assignee's display name.
    pub assigned_user_pretty: Option<String>,
    /// Its status, stored in upper snake case (`IN_PROGRESS`).
    pub report_status: Option<String>,
}

/// A TruSTAR report, with the field names of `GET /reports/{id}`: times in
/// milliseconds since the Unix epoch.
///
/// ```
/// let report: report_sandbox::TrustarReport =
///     serde_json::from_str(r#"{"id": "r1", "reportBody": "b", "enclaveIds": ["e"]}"#).unwrap();
/// assert_eq!(report.report_body.as_deref(), Some("b"));
/// assert_eq!(serde_json::to_value(&report).unwrap()["externalTrackingId"], serde_json::Value::Null);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct TrustarReport {
    /// TruSTAR's id.
    pub id: Option<String>,
    /// The title.
    pub title: Option<String>,
    /// The body.
    pub report_body: Option<String>,
    /// When the incident began.
    pub time_began: Option<i64>,
    /// When the report was created.
    pub created: Option<i64>,
    /// When it last changed.
    pub updated: Option<i64>,
    /// The URL of the report it came from.
    pub external_url: Option<String>,
    /// The submitter's tracking id.
    pub external_tracking_id: Option<String>,
    /// Deprecated; always `ENCLAVE`.
    pub distribution_type: Option<String>,
    /// The enclave it belongs to (one id).
    pub enclave_ids: Vec<String>,
    /// Its tags, by name (in its enclave). Not part of the report object
    /// TruSTAR answers with (`GET /reports/{id}/tags` lists them): shown
    /// in the sandbox's state, left out of answers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// An enclave, as `GET /api/1.3/enclaves` lists it, with the caller's
/// rights in it.
///
/// ```
/// let enclave: report_sandbox::TrustarEnclave =
///     serde_json::from_str(r#"{"id": "e1", "name": "Mine", "type": "CLOSED", "read": true, "create": true, "update": true}"#).unwrap();
/// assert!(enclave.create);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TrustarEnclave {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `CLOSED`, `COMMUNITY`, `RESEARCH`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether the caller may read its reports.
    pub read: bool,
    /// Whether the caller may submit reports to it.
    pub create: bool,
    /// Whether the caller may change (replace, tag, delete, move) its
    /// reports.
    pub update: bool,
}

/// A comment on an MTH/MDR report, with the field names of the vendor's
/// `get_comments` answer: times in milliseconds since the Unix epoch.
///
/// ```
/// let comment: report_sandbox::XsiamComment =
///     serde_json::from_str(r#"{"comment_id": 7, "xsoar_source_id": "777776", "comment_text": "seen"}"#).unwrap();
/// assert_eq!(comment.comment_id, 7);
/// assert_eq!(serde_json::to_value(&comment).unwrap()["comment_update_time"], serde_json::Value::Null);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct XsiamComment {
    /// The comment's id, counted up by the sandbox.
    pub comment_id: u64,
    /// The report it is on.
    pub xsoar_source_id: String,
    /// The text.
    pub comment_text: String,
    /// The author as the request named them.
    pub comment_created_by: String,
    /// The author's display name (the request's author for a comment made
    /// through the API).
    pub comment_username: Option<String>,
    /// 0 for a comment made through the API, 1 for a hunter's (as in the
    /// vendor's examples; the vendor does not say what they mean).
    pub comment_author_type: u8,
    /// When it was made.
    pub comment_insert_time: i64,
    /// When it last changed; null if never.
    pub comment_update_time: Option<i64>,
    /// Its attachments (the storage keys given; the vendor answers signed
    /// URLs).
    pub comment_attachments: Vec<String>,
}
