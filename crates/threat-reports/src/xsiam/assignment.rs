//! Assigning a report, and clearing its assignment.

use serde_json::Value;
use xsiam_client::types::UpdateReportAssignmentRequest;

use super::exchange::{About, Enveloped, unreadable};
use super::{XsiamClient, source_id_of};
use crate::Error;
use crate::call::CallRecord;
use crate::error::Api;

/// A report's assignment as XSIAM answered it.
///
/// ```
/// use threat_reports::xsiam::Assignment;
///
/// let cleared: Assignment =
///     serde_json::from_str(r#"{"source_id": "777776", "assigned_user": null}"#).unwrap();
/// assert_eq!(cleared.assigned_user, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Assignment {
    /// The report (`xsoar_source_id`): the answer's, or the id sent.
    pub source_id: String,
    /// The assignee's email as stored; `None` once cleared (or when the
    /// answer did not say).
    pub assigned_user: Option<String>,
}

/// Reads an assign answer's `reply` field by field: `success: false` is
/// a refusal; anything else that is an object is the assignment.
fn assignment(reply: &str, sent_id: &str, record: &CallRecord) -> Result<Assignment, Error> {
    let Ok(Value::Object(reply)) = serde_json::from_str::<Value>(reply) else {
        return Err(unreadable(
            "an assignment ({\"success\", \"xsoar_source_id\", \"assigned_user\"})",
            "\"reply\" is not an object",
            record,
        ));
    };
    let success = match reply.get("success") {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    if success == Some(false) {
        return Err(Error::Api {
            api: Api::Xsiam,
            code: None,
            message: "XSIAM answered success: false; the assignment was not applied".into(),
            response: record.response(),
        });
    }
    Ok(Assignment {
        source_id: reply
            .get("xsoar_source_id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .unwrap_or(sent_id)
            .to_string(),
        assigned_user: reply
            .get("assigned_user")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

impl XsiamClient {
    /// Assigns the report to `user` (the assignee's email, which the tenant
    /// checks against its users), with an optional display name
    /// (`username`, free text). An empty or blank `user` is refused before
    /// anything is sent: XSIAM clears the assignment when `user` is
    /// missing, so a body without one is only ever sent by
    /// [`unassign_report`](Self::unassign_report).
    ///
    /// Idempotent: retried after a lost answer like a status update.
    ///
    /// ```no_run
    /// # async fn run(client: threat_reports::xsiam::XsiamClient) -> Result<(), threat_reports::Error> {
    /// let assigned = client.assign_report("777777", "analyst@company.com", None).await?;
    /// assert_eq!(assigned.assigned_user.as_deref(), Some("analyst@company.com"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn assign_report(
        &self,
        source_id: impl AsRef<str>,
        user: impl AsRef<str>,
        username: Option<&str>,
    ) -> Result<Assignment, Error> {
        let user = user.as_ref().trim();
        let user = user.parse().map_err(|_| Error::InvalidInput {
            field: "user",
            problem: "it is empty; XSIAM would clear the assignment instead".into(),
            allowed: "the assignee's email (to clear the assignment, use unassign_report)".into(),
        })?;
        self.assignment(source_id.as_ref(), Some(user), username)
            .await
    }

    /// Clears the report's assignment: the one call that sends an assign
    /// body without a user (XSIAM then also clears the display name).
    ///
    /// ```no_run
    /// # async fn run(client: threat_reports::xsiam::XsiamClient) -> Result<(), threat_reports::Error> {
    /// let cleared = client.unassign_report("777777").await?;
    /// assert_eq!(cleared.assigned_user, None);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn unassign_report(&self, source_id: impl AsRef<str>) -> Result<Assignment, Error> {
        self.assignment(source_id.as_ref(), None, None).await
    }

    async fn assignment(
        &self,
        source_id: &str,
        user: Option<xsiam_client::types::UpdateReportAssignmentRequestUser>,
        username: Option<&str>,
    ) -> Result<Assignment, Error> {
        let fields = UpdateReportAssignmentRequest {
            xsoar_source_id: source_id_of(source_id)?,
            user,
            username: username.map(str::to_string),
        };
        let wanted = fields.user.as_ref().map(|u| u.to_string());
        self.checked_write(
            source_id,
            || self.assign_once(&fields, source_id),
            |report| report.assigned_user == wanted,
            |report| Assignment {
                source_id: report.source_id,
                assigned_user: report.assigned_user,
            },
        )
        .await
    }

    /// Sends one assignment (in the envelope the tenant takes).
    async fn assign_once(
        &self,
        fields: &UpdateReportAssignmentRequest,
        source_id: &str,
    ) -> Result<Assignment, Error> {
        let id = source_id;
        self.exchange(
            About::Report,
            |envelope| {
                let body = fields.body(envelope);
                async move {
                    self.send(
                        envelope,
                        || self.client.update_report_assignment(&body),
                        |reply, record| assignment(reply, id, record),
                    )
                    .await
                }
            },
            |_| None,
        )
        .await
    }
}
