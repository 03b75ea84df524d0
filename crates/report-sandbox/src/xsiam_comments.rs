//! The MTH writes besides status, and the comments read:
//! `report/update/assign`, `add_comment` and `get_comments`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::dialect::XsiamDialect;
use crate::shared::{App, now_ms};
use crate::wire::XsiamComment;
use crate::xsiam::{accept, checked, refusal, reply, required_text, unknown_report};

/// The tenant's users an assignment may name (`user` is validated against
/// them), with their display names.
pub(crate) const TENANT_USERS: [(&str, &str); 3] = [
    ("analyst@company.com", "Motti Analysto"),
    ("iavron@paloaltonetworks.com", "iavron iavron"),
    ("soc@example.com", "SOC Analyst"),
];

/// The tenant id the page's comments answer is keyed by.
const TENANT_ID: &str = "9998546484426";

/// The storage key prefixes live tenants take for a comment's attachment.
const ATTACHMENT_PREFIXES: [&str; 5] = [
    "send_report/",
    "update_report/",
    "add_comment/",
    "update_comment/",
    "comment/",
];

/// `report/update/assign`: sets the assignee, or clears the assignment
/// when `user` is absent or null (as live tenants do); `user` must be one
/// of the tenant's users.
pub(crate) async fn assign(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let dialect = app.xsiam_dialect;
    let fields = checked!(accept(&app, &headers, &body));
    let source_id = checked!(required_text(dialect, &fields, "xsoar_source_id"));
    let user = match fields.get("user") {
        None | Some(Value::Null) => None,
        Some(Value::String(user)) => match TENANT_USERS.iter().find(|(u, _)| u == user) {
            Some(known) => Some(*known),
            None => {
                return refusal(
                    dialect,
                    format!("user {user:?} is not a user of this tenant"),
                );
            }
        },
        Some(_) => return refusal(dialect, "user must be a string or null".into()),
    };
    let username = match fields.get("username") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => return refusal(dialect, "username must be a string or null".into()),
    };
    let assigned = {
        let mut inner = app.lock();
        let Some(report) = inner.xsiam.get_mut(source_id) else {
            return unknown_report();
        };
        match user {
            Some((email, display)) => {
                report.assigned_user = Some(email.to_string());
                report.assigned_user_pretty = Some(username.unwrap_or_else(|| display.into()));
            }
            // Cleared: the display name is forced to null too.
            None => {
                report.assigned_user = None;
                report.assigned_user_pretty = None;
            }
        }
        report.update_time = Some(now_ms());
        let assigned = report.assigned_user.clone();
        *inner
            .xsiam_assign_counts
            .entry(source_id.to_string())
            .or_default() += 1;
        assigned
    };
    reply(json!({"success": true, "xsoar_source_id": source_id, "assigned_user": assigned}))
}

/// `add_comment`: one more comment on the report. The page's sandbox takes
/// the attachment as `attachment_path` or `path_to_file` and
/// `extract_zip_file` as a string or a boolean, comments up to 2048
/// characters; the live one only `path_to_file` under the known prefixes,
/// a string `extract_zip_file`, up to 4096 characters.
pub(crate) async fn add_comment(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let dialect = app.xsiam_dialect;
    let fields = checked!(accept(&app, &headers, &body));
    let source_id = checked!(required_text(dialect, &fields, "xsoar_source_id"));
    let text = checked!(required_text(dialect, &fields, "comment_text"));
    let author = checked!(required_text(dialect, &fields, "comment_created_by"));
    let limit = match dialect {
        XsiamDialect::Page => 2048,
        XsiamDialect::Live => 4096,
    };
    let length = text.chars().count();
    if length > limit {
        return refusal(
            dialect,
            format!("comment_text is {length} characters; the limit is {limit}"),
        );
    }
    let attachment = checked!(attachment(dialect, &fields));
    match (fields.get("extract_zip_file"), dialect) {
        (None | Some(Value::Null), _) => {}
        (Some(Value::String(flag)), _) if flag == "true" || flag == "false" => {}
        (Some(Value::Bool(_)), XsiamDialect::Page) => {}
        (Some(other), _) => {
            return refusal(
                dialect,
                format!("extract_zip_file must be \"true\" or \"false\", not {other}"),
            );
        }
    }
    {
        let mut inner = app.lock();
        if !inner.xsiam.contains_key(source_id) {
            return unknown_report();
        }
        let comment_id = inner
            .xsiam_comments
            .iter()
            .map(|c| c.comment_id)
            .max()
            .unwrap_or(0)
            + 1;
        inner.xsiam_comments.push(XsiamComment {
            comment_id,
            xsoar_source_id: source_id.to_string(),
            comment_text: text.to_string(),
            comment_created_by: author.to_string(),
            comment_username: Some(author.to_string()),
            comment_author_type: 0,
            comment_insert_time: now_ms(),
            comment_update_time: None,
            comment_attachments: attachment.into_iter().collect(),
        });
    }
    reply(Value::Bool(true))
}

/// A comment's attachment key, by the dialect's field name and rules.
fn attachment(dialect: XsiamDialect, fields: &Value) -> Result<Option<String>, Response> {
    let text = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_string);
    match dialect {
        XsiamDialect::Page => Ok(text("attachment_path").or_else(|| text("path_to_file"))),
        XsiamDialect::Live => {
            if fields.get("attachment_path").is_some() {
                return Err(refusal(
                    dialect,
                    "unknown parameter attachment_path (the attachment key is path_to_file)".into(),
                ));
            }
            match text("path_to_file") {
                Some(key) if !ATTACHMENT_PREFIXES.iter().any(|p| key.starts_with(p)) => {
                    Err(refusal(
                        dialect,
                        format!(
                            "path_to_file {key:?} must start with one of {}",
                            ATTACHMENT_PREFIXES.join(", ")
                        ),
                    ))
                }
                key => Ok(key),
            }
        }
    }
}

/// `get_comments`: one report's comments (the window then ignored), or the
/// comments made between `start_time` and `end_time`, both in
/// milliseconds. Keyed by the tenant id (the page) or not (live tenants).
pub(crate) async fn get_comments(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let dialect = app.xsiam_dialect;
    let fields = checked!(accept(&app, &headers, &body));
    if let Some(other) = fields.as_object().and_then(|o| {
        o.keys()
            .find(|k| !["xsoar_source_id", "start_time", "end_time"].contains(&k.as_str()))
    }) {
        return refusal(
            dialect,
            format!("unknown parameter {other:?}: xsoar_source_id, start_time, end_time"),
        );
    }
    let source_id = match fields.get("xsoar_source_id") {
        None => None,
        Some(Value::String(id)) if !id.is_empty() => Some(id.as_str()),
        Some(_) => return refusal(dialect, "xsoar_source_id must be a non-empty string".into()),
    };
    let time = |name: &str| match fields.get(name) {
        None => Ok(None),
        Some(value) => value.as_i64().map(Some).ok_or_else(|| {
            refusal(
                dialect,
                format!("{name} must be milliseconds since the Unix epoch (a 64-bit integer)"),
            )
        }),
    };
    let window = (checked!(time("start_time")), checked!(time("end_time")));
    let comments: Vec<XsiamComment> = {
        let inner = app.lock();
        let all = inner.xsiam_comments.iter();
        match (source_id, window) {
            (Some(id), _) => all.filter(|c| c.xsoar_source_id == id).cloned().collect(),
            (_, (Some(start), Some(end))) => all
                .filter(|c| (start..=end).contains(&c.comment_insert_time))
                .cloned()
                .collect(),
            _ => {
                return refusal(
                    dialect,
                    "At least one search criteria must be provided: xsoar_source_id, or \
                     start_time and end_time"
                        .into(),
                );
            }
        }
    };
    let result = json!({"status": true, "data": comments});
    reply(match dialect {
        XsiamDialect::Page => json!({ TENANT_ID: result }),
        XsiamDialect::Live => result,
    })
}
