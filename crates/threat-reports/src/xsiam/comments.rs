//! Comments on reports: [`MthComment`], reading them, and adding one
//! without ever posting it twice.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde_json::Value;
use xsiam_client::types::{
    AddCommentRequest, ExtractZipFile, ExtractZipFileString, GetCommentsRequest,
};

use super::envelope::Envelope;
use super::exchange::{About, Enveloped, unreadable};
use super::{XsiamClient, source_id_of};
use crate::call::CallRecord;
use crate::written::{ReadBack, write_checked};
use crate::{Error, StatusDialect};

/// A comment on an MTH/MDR report, read field by field (a field missing or
/// of another type is `None`). Serializes with these field names, times
/// as RFC 3339.
///
/// ```
/// use threat_reports::xsiam::MthComment;
///
/// let comment = MthComment::from_answer(&serde_json::json!({
///     "comment_id": 7, "xsoar_source_id": "777776", "comment_text": "Contained",
///     "comment_created_by": "analyst@company.com", "comment_insert_time": 1763468552000i64,
/// }));
/// assert_eq!(comment.comment_id, Some(7));
/// assert_eq!(comment.created.unwrap().to_rfc3339(), "2025-11-18T12:22:32+00:00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct MthComment {
    /// `comment_id`.
    pub comment_id: Option<i64>,
    /// `xsoar_source_id`: the report it is on.
    pub source_id: String,
    /// `comment_text`.
    pub text: Option<String>,
    /// `comment_created_by`: the author as the request named them.
    pub author: Option<String>,
    /// `comment_username`: the author's display name (a hunter's may be
    /// "Unit 42 Managed Services").
    pub author_name: Option<String>,
    /// `comment_insert_time`: when it was made.
    pub created: Option<DateTime<Utc>>,
    /// `comment_update_time`: when it last changed, if it did.
    pub updated: Option<DateTime<Utc>>,
    /// `comment_attachments`: signed URLs, which expire.
    pub attachments: Vec<String>,
}

impl MthComment {
    /// Reads one comment object of an answer, field by field.
    pub fn from_answer(comment: &Value) -> MthComment {
        let text = |name: &str| {
            comment
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let number = |name: &str| {
            comment.get(name).and_then(|v| match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            })
        };
        let time = |name: &str| number(name).and_then(DateTime::<Utc>::from_timestamp_millis);
        MthComment {
            comment_id: number("comment_id"),
            source_id: text("xsoar_source_id")
                .or_else(|| number("xsoar_source_id").map(|n| n.to_string()))
                .unwrap_or_default(),
            text: text("comment_text"),
            author: text("comment_created_by"),
            author_name: text("comment_username"),
            created: time("comment_insert_time"),
            updated: time("comment_update_time"),
            attachments: comment
                .get("comment_attachments")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// The comments of a `get_comments` reply: `{"status", "data"}`, a map
/// from tenant id to that, or a bare array.
fn comments(reply: &str, record: &CallRecord) -> Result<Vec<MthComment>, Error> {
    let unread = |why: &str| {
        unreadable(
            "comments ({\"reply\": {\"data\": [...]}}, {\"reply\": {TENANT: {\"data\": [...]}}} \
             or {\"reply\": [...]})",
            why,
            record,
        )
    };
    let reply: Value = serde_json::from_str(reply).map_err(|_| unread("\"reply\" is not JSON"))?;
    let from_list = |list: &Vec<Value>| -> Vec<MthComment> {
        list.iter()
            .filter(|c| c.is_object())
            .map(MthComment::from_answer)
            .collect()
    };
    match &reply {
        Value::Array(list) => Ok(from_list(list)),
        Value::Object(map) => match map.get("data") {
            Some(Value::Array(list)) => Ok(from_list(list)),
            Some(Value::Null) => Ok(Vec::new()),
            Some(_) => Err(unread("\"data\" is not a list")),
            None => Ok(map
                .values()
                .filter_map(|tenant| tenant.get("data").and_then(Value::as_array))
                .flat_map(from_list)
                .collect()),
        },
        Value::Null => Ok(Vec::new()),
        _ => Err(unread("\"reply\" is neither a list nor an object")),
    }
}

/// A comment to add: its text and author, and optionally an attachment
/// already uploaded to XSIAM's storage.
///
/// ```
/// use threat_reports::xsiam::NewComment;
///
/// let comment = NewComment::new("Contained; see the timeline.", "analyst@company.com")
///     .attachment("comment/timeline.zip")
///     .extract_zip(true);
/// assert_eq!(comment.text(), "Contained; see the timeline.");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    text: String,
    author: String,
    attachment: Option<String>,
    extract_zip: Option<bool>,
}

impl NewComment {
    /// A comment by `author` (an email or a name; XSIAM does not check it).
    pub fn new(text: impl Into<String>, author: impl Into<String>) -> Self {
        NewComment {
            text: text.into(),
            author: author.into(),
            attachment: None,
            extract_zip: None,
        }
    }

    /// Attaches a file already in XSIAM's storage, by its key (live
    /// tenants take keys under `comment/`, `add_comment/`, `send_report/`,
    /// `update_report/` or `update_comment/`).
    pub fn attachment(mut self, key: impl Into<String>) -> Self {
        self.attachment = Some(key.into());
        self
    }

    /// Whether XSIAM unpacks a zip attachment (sent as the string
    /// `"true"`/`"false"`, which every source accepts).
    pub fn extract_zip(mut self, extract: bool) -> Self {
        self.extract_zip = Some(extract);
        self
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The request's fields for `source_id`; the attachment key under the
    /// name the envelope's dialect uses (`attachment_path` with flat
    /// bodies, as the page; `path_to_file` wrapped, as live tenants).
    fn request(&self, source_id: &str, envelope: Envelope) -> Result<AddCommentRequest, Error> {
        let invalid = |field: &'static str, problem: &str, allowed: &str| Error::InvalidInput {
            field,
            problem: problem.into(),
            allowed: allowed.into(),
        };
        let key = match &self.attachment {
            None => None,
            Some(key) if key.trim().is_empty() => {
                return Err(invalid(
                    "attachment",
                    "the key is empty",
                    "the storage key of a file already uploaded, e.g. comment/report.pdf",
                ));
            }
            Some(key) => Some(key.clone()),
        };
        let flag = |extract: bool| {
            ExtractZipFile::String(if extract {
                ExtractZipFileString::True
            } else {
                ExtractZipFileString::False
            })
        };
        let (attachment_path, path_to_file) = match envelope {
            Envelope::Flat => (key, None),
            Envelope::RequestData => (None, key),
        };
        Ok(AddCommentRequest {
            xsoar_source_id: source_id_of(source_id)?,
            comment_text: self
                .text
                .parse()
                .map_err(|_| invalid("text", "the comment is empty", "at least one character"))?,
            comment_created_by: self
                .author
                .trim()
                .parse()
                .map_err(|_| invalid("author", "it is empty", "the author's email or name"))?,
            attachment_path: attachment_path
                .map(|k| k.parse())
                .transpose()
                .ok()
                .flatten(),
            path_to_file: path_to_file.map(|k| k.parse()).transpose().ok().flatten(),
            extract_zip_file: self.extract_zip.map(flag),
        })
    }

    /// Whether `comment` on the report is this one: same text, same author.
    fn is(&self, comment: &MthComment) -> bool {
        comment.text.as_deref() == Some(self.text.as_str())
            && comment.author.as_deref().map(str::trim) == Some(self.author.trim())
    }
}

impl XsiamClient {
    /// The comments on one report, as XSIAM returns them.
    ///
    /// ```no_run
    /// # async fn run(client: threat_reports::xsiam::XsiamClient) -> Result<(), threat_reports::Error> {
    /// for comment in client.comments("777776").await? {
    ///     println!("{:?} {:?}: {:?}", comment.created, comment.author, comment.text);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn comments(&self, source_id: impl AsRef<str>) -> Result<Vec<MthComment>, Error> {
        let fields = GetCommentsRequest {
            xsoar_source_id: Some(source_id_of(source_id.as_ref())?),
            start_time: None,
            end_time: None,
        };
        self.get_comments(fields).await
    }

    /// Every comment made between `start` and `end` (inclusive), on any
    /// report. `start` after `end`, or a time before 1970, is refused
    /// before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(client: threat_reports::xsiam::XsiamClient) -> Result<(), threat_reports::Error> {
    /// let end: chrono::DateTime<chrono::Utc> = std::time::SystemTime::now().into();
    /// let today = client.comments_between(end - chrono::Duration::days(1), end).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn comments_between(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<MthComment>, Error> {
        let (from, to) = (start.timestamp_millis(), end.timestamp_millis());
        if from < 0 || from > to {
            return Err(Error::InvalidInput {
                field: "start",
                problem: format!("the window {start} .. {end} is empty or before 1970"),
                allowed: "a start at or before the end, both after 1970-01-01".into(),
            });
        }
        let fields = GetCommentsRequest {
            xsoar_source_id: None,
            start_time: Some(from),
            end_time: Some(to),
        };
        self.get_comments(fields).await
    }

    async fn get_comments(&self, fields: GetCommentsRequest) -> Result<Vec<MthComment>, Error> {
        let fields = &fields;
        self.exchange(
            About::Read,
            |envelope| {
                let body = fields.body(envelope);
                async move {
                    self.send(envelope, || self.client.get_comments(&body), comments)
                        .await
                }
            },
            |_| None,
        )
        .await
    }

    /// Adds a comment to the report. `Ok` means XSIAM has the comment, once.
    ///
    /// A comment is not idempotent: sent twice, it is posted twice, and
    /// XSIAM's answer carries no id to tell. So this client never resends
    /// it blindly. Before sending, it reads the report's comments (one
    /// extra call); when an answer is lost after the comment may have
    /// reached XSIAM (a dropped connection, a timeout, a 502–504), it
    /// reads them again: a new comment with the same text and author
    /// means it was applied (`Ok`); none means it was not, and it is sent
    /// again (as many sends in all as the retry policy has attempts). When
    /// reading back fails too, the error is the lost answer's, and says the
    /// comment may have been posted ([`Error::may_have_been_applied`]). Throttles and refused
    /// connections, which apply nothing, are retried as usual.
    ///
    /// The one case this cannot tell: another client posting the same text
    /// under the same author on the same report at the same moment.
    ///
    /// The text may be at most 4096 characters (2048 once the tenant is
    /// known to speak the vendor page's dialect, whose file says so).
    ///
    /// ```no_run
    /// # use threat_reports::xsiam::NewComment;
    /// # async fn run(client: threat_reports::xsiam::XsiamClient) -> Result<(), threat_reports::Error> {
    /// client
    ///     .add_comment("777777", NewComment::new("Assigned for triage", "analyst@company.com"))
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn add_comment(
        &self,
        source_id: impl AsRef<str>,
        comment: NewComment,
    ) -> Result<(), Error> {
        let source_id = source_id.as_ref();
        // Checked before anything is sent, reads included.
        comment.request(source_id, Envelope::Flat)?;
        let limit = match self.status_dialect() {
            Some(StatusDialect::Page) => 2048,
            _ => 4096,
        };
        let length = comment.text.chars().count();
        if length > limit {
            return Err(Error::InvalidInput {
                field: "text",
                problem: format!("the comment is {length} characters long"),
                allowed: format!("at most {limit} characters"),
            });
        }
        let before: HashSet<Option<i64>> = self
            .comments(source_id)
            .await?
            .iter()
            .filter(|c| comment.is(c))
            .map(|c| c.comment_id)
            .collect();
        write_checked(
            self.sends,
            || self.post_comment(source_id, &comment),
            // There when a comment with this text and author is listed that
            // was not listed before the first send.
            || async {
                match self.comments(source_id).await {
                    Ok(now)
                        if now
                            .iter()
                            .filter(|c| comment.is(c))
                            .any(|c| !before.contains(&c.comment_id)) =>
                    {
                        ReadBack::Applied(())
                    }
                    Ok(_) => ReadBack::Missing,
                    Err(_) => ReadBack::Unknown,
                }
            },
            // The lost answer's own error: it says the comment may have
            // been added.
            |lost| lost,
        )
        .await
    }

    /// Sends the comment once (the executor does not resend it either).
    async fn post_comment(&self, source_id: &str, comment: &NewComment) -> Result<(), Error> {
        self.exchange(
            About::Report,
            |envelope| {
                let body = comment
                    .request(source_id, envelope)
                    .map(|fields| fields.body(envelope));
                async move {
                    let body = match body {
                        Ok(body) => body,
                        Err(error) => return super::exchange::Sent::Done(Err(error)),
                    };
                    self.send(
                        envelope,
                        || self.client.add_comment(&body),
                        |reply, record| match reply.trim() {
                            "false" => Err(Error::Api {
                                api: crate::error::Api::Xsiam,
                                code: None,
                                message: "XSIAM answered false: the comment was not added".into(),
                                response: record.response(),
                            }),
                            _ => Ok(()),
                        },
                    )
                    .await
                }
            },
            |_| None,
        )
        .await
    }
}
