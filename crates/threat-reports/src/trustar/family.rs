//! The writes and small reads of TruSTAR's reports family besides reading
//! and replacing one report: submit (and wait for processing), upsert,
//! delete, tags, copy, move, enclaves and quotas; and the types they
//! return.

use std::time::Duration;

use chrono::{DateTime, Utc};
use trustar_client::types as wire;

use super::{Context, ReportId, ReportUpdate, TrustarClient};
use crate::Error;
use crate::call::CallRecord;
use crate::error::{Api, snippet};
use crate::written::{ReadBack, write_checked};

/// How far TruSTAR is with a report (`GET /reports/{id}/status`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", content = "message")]
#[non_exhaustive]
pub enum ReportProcessing {
    /// `SUBMISSION_PROCESSING`: its indicators are not extracted yet.
    #[serde(rename = "SUBMISSION_PROCESSING")]
    Processing,
    /// `SUBMISSION_SUCCESS`: done.
    #[serde(rename = "SUBMISSION_SUCCESS")]
    Done,
    /// `SUBMISSION_FAILURE`, with TruSTAR's `errorMessage`.
    #[serde(rename = "SUBMISSION_FAILURE")]
    Failed(String),
    /// `UNKNOWN`, or a status this crate does not know, verbatim.
    #[serde(rename = "UNKNOWN")]
    Unknown(String),
}

impl ReportProcessing {
    fn of(status: Option<&str>, message: Option<String>) -> Self {
        match status {
            Some("SUBMISSION_PROCESSING") => ReportProcessing::Processing,
            Some("SUBMISSION_SUCCESS") => ReportProcessing::Done,
            Some("SUBMISSION_FAILURE") => ReportProcessing::Failed(message.unwrap_or_default()),
            other => ReportProcessing::Unknown(other.unwrap_or_default().to_string()),
        }
    }
}

/// A tag on a report, in one enclave.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Tag {
    /// The tag's name (tags have no other id any more).
    pub name: String,
    /// The enclave it is in.
    pub enclave_id: Option<String>,
}

impl Tag {
    fn from_wire(tag: wire::Tag) -> Option<Tag> {
        Some(Tag {
            name: tag.name.or(tag.guid)?,
            enclave_id: tag.enclave_id,
        })
    }
}

/// An enclave, and the caller's rights in it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Enclave {
    /// Its id: what reports name in `enclave_ids`.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// `CLOSED`, `COMMUNITY`, … (`CLOSED_CONCRETE` is read as `CLOSED`).
    pub kind: Option<String>,
    /// Whether the caller may read its reports.
    pub read: bool,
    /// Whether the caller may submit reports to it.
    pub create: bool,
    /// Whether the caller may change its reports.
    pub update: bool,
}

/// One of the company's request quotas.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Quota {
    /// Requests allowed per window.
    pub max_requests: Option<i64>,
    /// Requests used in this window.
    pub used_requests: Option<i64>,
    /// The window.
    pub window: Option<Duration>,
    /// When the next window begins.
    pub next_reset: Option<DateTime<Utc>>,
}

/// An indicator TruSTAR extracted from a report.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ExtractedIndicator {
    /// Its type as TruSTAR names it (`URL`, `SOFTWARE`, `IP`, …; the same
    /// names as [`IndicatorKind`](crate::indicators::IndicatorKind)).
    pub kind: String,
    /// The value.
    pub value: String,
}

/// How an upsert treats the stored body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UpsertMode {
    /// Replace it (idempotent: resent after a lost answer).
    #[default]
    Override,
    /// Append to it (not idempotent: read back after a lost answer).
    Append,
}

/// The hint of an unconfirmed submission.
const EXTERNAL_ID_HINT: &str = "Give the report an external tracking id \
    (ReportUpdate::external_tracking_id): with one, a lost answer is resolved by reading the \
    report back, and nothing is created twice";

/// A report id from an answer's body: `{"id": …}`, a JSON string, or the
/// id as plain text (how submissions answer).
fn answer_id(record: &CallRecord) -> Option<String> {
    let body = record.arrived()?.body;
    let text = String::from_utf8_lossy(&body);
    let text = text.trim();
    if text.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        return value.get("id")?.as_str().map(str::to_string);
    }
    if text.starts_with('"') {
        return serde_json::from_str::<String>(text).ok();
    }
    (!text.is_empty() && !text.contains(char::is_whitespace)).then(|| text.to_string())
}

/// The error for a success answer that names no report id.
fn no_id(what: &'static str, record: &CallRecord) -> Error {
    let response = record.response();
    Error::Decode {
        api: Api::Trustar,
        what,
        problem: format!(
            "TruSTAR answered HTTP {}: the call was applied, but its answer names no report id",
            response.status
        ),
        response,
    }
}

/// What a submission came to: the report's id, and whether this call
/// created it.
///
/// ```
/// use threat_reports::trustar::Submission;
///
/// let s = Submission::created("3b9a4b6e");
/// assert!(s.created);
/// assert_eq!(s.id, "3b9a4b6e");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Submission {
    /// The report's internal id.
    pub id: String,
    /// `true` when this call created it; `false` when a report with its
    /// external id was already in its enclave (TruSTAR answered 409).
    pub created: bool,
}

impl Submission {
    /// A report this call created.
    pub fn created(id: impl Into<String>) -> Self {
        Submission {
            id: id.into(),
            created: true,
        }
    }
}

impl TrustarClient {
    /// Submits a new report and returns its id, after the checks
    /// [`update_report`](Self::update_report) makes (title, body, one
    /// enclave, size, indicator count): a refused report sends nothing.
    ///
    /// A submission is not idempotent (each one applied is one more
    /// report), so it is never resent blindly. When its answer is lost
    /// after it may have reached TruSTAR (a dropped connection, a timeout,
    /// a 502–504), a report with an external tracking id is read back by
    /// that id: found in its enclave, the submission was applied and its
    /// id is returned; not found, it is sent again (as many sends in all
    /// as the retry policy has attempts). Without an external id the error
    /// is [`Error::Unconfirmed`]: the report may have been created.
    ///
    /// A report whose external id is already used in its enclave (a
    /// rerun: TruSTAR answers 409) is not created again: the report with
    /// that id is returned.
    ///
    /// TruSTAR processes a report after answering; until then some reads
    /// answer 404: [`wait_until_processed`](Self::wait_until_processed).
    ///
    /// ```no_run
    /// # use threat_reports::trustar::{ReportUpdate, TrustarClient};
    /// # async fn run(client: TrustarClient) -> Result<(), threat_reports::Error> {
    /// let report = ReportUpdate::new("Phishing wave", "Sender billing@secure-pay[.]com", "e27b914b")
    ///     .external_tracking_id("ticket-4711");
    /// let id = client.submit_report(&report).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn submit_report(&self, report: &ReportUpdate) -> Result<String, Error> {
        self.submit_report_as(report).await.map(|s| s.id)
    }

    /// [`submit_report`](Self::submit_report), saying whether this call
    /// created the report or found it already there (a rerun: its
    /// external id was already used in its enclave).
    ///
    /// ```no_run
    /// # use threat_reports::trustar::{ReportUpdate, TrustarClient};
    /// # async fn run(client: TrustarClient) -> Result<(), threat_reports::Error> {
    /// let report = ReportUpdate::new("Phishing wave", "billing@secure-pay[.]com", "e27b914b")
    ///     .external_tracking_id("ticket-4711");
    /// let submitted = client.submit_report_as(&report).await?;
    /// if !submitted.created {
    ///     println!("{} was already there", submitted.id);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn submit_report_as(&self, report: &ReportUpdate) -> Result<Submission, Error> {
        let body = report.checked(self.max_indicators)?;
        let context = Context::about("new report").sending(report.indicator_count());
        let external = report.external_tracking_id.as_ref();
        // The report with the submission's external id, if it is in the
        // submission's enclave.
        let with_external_id = || async move {
            let external = external?.clone();
            match self.get_report(&ReportId::External(external)).await {
                Ok(found) if found.enclave_ids == report.enclave_ids => Some(Ok(found.id)),
                Ok(_) => None,
                Err(error) => Some(Err(error)),
            }
        };
        write_checked(
            self.sends,
            || async {
                match self
                    .call(&context, || self.client.submit_report(&body))
                    .await
                {
                    Ok((_, record)) => answer_id(&record)
                        .map(Submission::created)
                        .ok_or_else(|| no_id("a report id", &record)),
                    // Already there (a rerun): the report with this
                    // external id.
                    Err(error @ Error::Api { .. })
                        if error.status() == Some(409) && external.is_some() =>
                    {
                        match with_external_id().await {
                            Some(Ok(id)) => Ok(Submission { id, created: false }),
                            _ => Err(error),
                        }
                    }
                    Err(error) => Err(error),
                }
            },
            || async {
                match with_external_id().await {
                    // Found after this call's own answer was lost: created
                    // by it.
                    Some(Ok(id)) => ReadBack::Applied(Submission::created(id)),
                    Some(Err(Error::NotFound { .. })) => ReadBack::Missing,
                    // No external id to read it back by, or the read failed.
                    _ => ReadBack::Unknown,
                }
            },
            |lost| Error::Unconfirmed {
                api: Api::Trustar,
                what: "report submission",
                hint: EXTERNAL_ID_HINT,
                source: Box::new(lost),
            },
        )
        .await
    }

    /// Submits a report whose body may hold more indicators than
    /// [`max_indicators`](Self::max_indicators): one within the limit is
    /// submitted as it is; a larger one is cut with
    /// [`indicators::split`](crate::indicators::split) into the fewest
    /// parts that fit (at paragraph, then line, then whitespace
    /// boundaries, never inside an indicator), submitted in order as
    /// "TITLE (i/N)", with the external ids `X-i` when the report has the
    /// external id `X`. Returns the ids, in order. A body that cannot be
    /// cut under the limit is refused before anything is sent.
    ///
    /// Each part is a submission as [`submit_report`](Self::submit_report)
    /// makes it: with external ids, a lost answer is read back and a rerun
    /// finds the parts already there instead of creating them twice.
    ///
    /// ```no_run
    /// # use threat_reports::trustar::{ReportUpdate, TrustarClient};
    /// # async fn run(client: TrustarClient, weekly_dump: String) -> Result<(), threat_reports::Error> {
    /// let report = ReportUpdate::new("Weekly IOCs", weekly_dump, "e27b914b")
    ///     .external_tracking_id("weekly-2026-49");
    /// let ids = client.submit_report_split(&report).await?;
    /// println!("{} parts", ids.len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn submit_report_split(&self, report: &ReportUpdate) -> Result<Vec<String>, Error> {
        let parts = self.submit_report_split_as(report).await?;
        Ok(parts.into_iter().map(|part| part.id).collect())
    }

    /// [`submit_report_split`](Self::submit_report_split), saying for
    /// each part whether this call created it or found it already there
    /// (a rerun after some parts were submitted).
    pub async fn submit_report_split_as(
        &self,
        report: &ReportUpdate,
    ) -> Result<Vec<Submission>, Error> {
        let parts = self.split_report(report)?;
        let mut submitted = Vec::with_capacity(parts.len());
        for part in &parts {
            submitted.push(self.submit_report_as(part).await?);
        }
        Ok(submitted)
    }

    /// The reports [`submit_report_split`](Self::submit_report_split)
    /// would submit, in order: the report itself when it fits, else its
    /// parts, titled "TITLE (i/N)" with external ids `X-i`. Nothing is
    /// sent.
    pub fn split_report(&self, report: &ReportUpdate) -> Result<Vec<ReportUpdate>, Error> {
        if !report.indicator_count().exceeds(self.max_indicators) {
            report.checked(self.max_indicators)?;
            return Ok(vec![report.clone()]);
        }
        let bodies = crate::indicators::split(&report.body, self.max_indicators).map_err(|e| {
            Error::InvalidInput {
                field: "body",
                problem: e.to_string(),
                allowed: format!(
                    "a body that whitespace can cut into parts of at most {} indicators",
                    self.max_indicators
                ),
            }
        })?;
        let n = bodies.len();
        let parts: Vec<ReportUpdate> = bodies
            .into_iter()
            .enumerate()
            .map(|(i, body)| {
                let mut part = report.clone();
                part.title = format!("{} ({}/{n})", report.title, i + 1);
                part.body = body.to_string();
                part.external_tracking_id = report
                    .external_tracking_id
                    .as_ref()
                    .map(|x| format!("{x}-{}", i + 1));
                part
            })
            .collect();
        for part in &parts {
            part.checked(self.max_indicators)?;
        }
        Ok(parts)
    }

    /// How far TruSTAR is with processing the report.
    pub async fn report_status(&self, id: &ReportId) -> Result<ReportProcessing, Error> {
        let (raw_id, id_type) = id.parts()?;
        let (status, _) = self
            .call(&Context::about(id), || {
                self.client.get_report_status(raw_id, Some(id_type))
            })
            .await?;
        Ok(ReportProcessing::of(
            status.status.as_deref(),
            status.error_message,
        ))
    }

    /// Waits until TruSTAR has processed the report (its indicators
    /// extracted), polling its status with a growing pause (100 ms, then
    /// twice as long each time, at most 2 s) until `deadline` has passed.
    /// A 404 while waiting (a report just submitted) is waited out too.
    /// `Ok(Done)` when it is done; [`ReportProcessing::Failed`] is an
    /// `Ok` too (TruSTAR's answer, with its message); past the deadline,
    /// [`Error::StillProcessing`].
    pub async fn wait_until_processed(
        &self,
        id: &ReportId,
        deadline: Duration,
    ) -> Result<ReportProcessing, Error> {
        let started = tokio::time::Instant::now();
        let mut pause = Duration::from_millis(100);
        loop {
            match self.report_status(id).await {
                Ok(ReportProcessing::Processing) | Err(Error::NotFound { .. }) => {}
                other => return other,
            }
            let waited = started.elapsed();
            if waited.saturating_add(pause) > deadline {
                return Err(Error::StillProcessing {
                    api: Api::Trustar,
                    what: id.to_string(),
                    waited,
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    /// Deletes the report. Idempotent in effect: after a lost answer it is
    /// sent again, and a second delete of a report already gone is
    /// [`Error::NotFound`].
    pub async fn delete_report(&self, id: &ReportId) -> Result<(), Error> {
        let (raw_id, id_type) = id.parts()?;
        match self
            .call(&Context::about(id), || {
                self.client.delete_report(raw_id, Some(id_type))
            })
            .await
        {
            Ok(_) => Ok(()),
            // A 2xx with a body the spec does not declare deleted it all the same.
            Err(Error::Api { response, .. }) if (200..300).contains(&response.status) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Submits or updates a report, keyed by `id` (its internal id, or its
    /// external tracking id), and returns its internal id. With
    /// [`UpsertMode::Append`] the body is added to the stored one.
    ///
    /// An `Override` upsert is sent again after a lost answer (it sets the
    /// report whole). An `Append` one is not idempotent: after a lost
    /// answer the report is read back by `id`, and the append counts as
    /// applied when the stored body ends with the appended text; otherwise
    /// it is sent again, and if reading back fails, the error is
    /// [`Error::Unconfirmed`].
    pub async fn upsert_report(
        &self,
        id: &ReportId,
        report: &ReportUpdate,
        mode: UpsertMode,
    ) -> Result<String, Error> {
        let (raw_id, id_type) = id.parts()?;
        let wire::ReportUpdate {
            title,
            report_body,
            enclave_ids,
            external_tracking_id,
            external_url,
            time_began,
        } = report.checked(self.max_indicators)?;
        let (guid, external_tracking_id) = match id {
            ReportId::Internal(_) => (Some(raw_id.to_string()), external_tracking_id),
            ReportId::External(_) => (None, Some(raw_id.to_string())),
        };
        let body = wire::ReportUpsert {
            guid,
            title: title.to_string().parse().map_err(|_| empty("title"))?,
            report_body: report_body.to_string().parse().map_err(|_| empty("body"))?,
            enclave_ids: [enclave_ids[0]
                .to_string()
                .parse()
                .map_err(|_| empty("enclave_ids"))?],
            external_tracking_id,
            external_url: external_url
                .map(|u| u.to_string().parse())
                .transpose()
                .map_err(|_| empty("external_url"))?,
            time_began,
        };
        let wire_mode = match mode {
            UpsertMode::Override => wire::UpsertMode::Override,
            UpsertMode::Append => wire::UpsertMode::Append,
        };
        let context = Context::about(id).sending(report.indicator_count());
        write_checked(
            self.sends,
            || async {
                let (_, record) = self
                    .call(&context, || {
                        self.client
                            .upsert_report(Some(id_type), Some(wire_mode), &body)
                    })
                    .await?;
                answer_id(&record).ok_or_else(|| no_id("a report id", &record))
            },
            // An override sets the report whole: sent again as it is. An
            // append is there when the stored body ends with its text.
            || async {
                if mode == UpsertMode::Override {
                    return ReadBack::Missing;
                }
                match self.get_report(id).await {
                    Ok(found) if found.body.ends_with(report.body.as_str()) => {
                        ReadBack::Applied(found.id)
                    }
                    Ok(_) | Err(Error::NotFound { .. }) => ReadBack::Missing,
                    Err(_) => ReadBack::Unknown,
                }
            },
            |lost| Error::Unconfirmed {
                api: Api::Trustar,
                what: "append",
                hint: "Read the report to see whether the text was appended",
                source: Box::new(lost),
            },
        )
        .await
    }

    /// The report's tags.
    pub async fn report_tags(&self, id: &ReportId) -> Result<Vec<Tag>, Error> {
        let (raw_id, id_type) = id.parts()?;
        let (tags, _) = self
            .call(&Context::about(id), || {
                self.client.get_report_tags(raw_id, Some(id_type))
            })
            .await?;
        Ok(tags.into_iter().filter_map(Tag::from_wire).collect())
    }

    /// Adds and removes tags by name (at most 90 characters each). Adding
    /// a tag the report has, or removing one it lacks, changes nothing, so
    /// the call is retried like a read.
    pub async fn alter_report_tags(
        &self,
        id: &ReportId,
        add: &[&str],
        remove: &[&str],
    ) -> Result<(), Error> {
        let (raw_id, id_type) = id.parts()?;
        let names = |names: &[&str]| -> Result<Vec<wire::TagName>, Error> {
            names
                .iter()
                .map(|name| {
                    Ok(wire::TagName {
                        name: name.trim().parse().map_err(|_| Error::InvalidInput {
                            field: "tag",
                            problem: format!(
                                "{:?} is empty or longer than 90 characters",
                                snippet(name)
                            ),
                            allowed: "a tag name of 1 to 90 characters".into(),
                        })?,
                    })
                })
                .collect()
        };
        let body = wire::AlterTags {
            added_tags: names(add)?,
            removed_tags: names(remove)?,
        };
        match self
            .call(&Context::about(id), || {
                self.client.alter_report_tags(raw_id, Some(id_type), &body)
            })
            .await
        {
            Ok(_) => Ok(()),
            // Applied: an answer the client cannot read changes nothing.
            Err(Error::Decode { response, .. }) if (200..300).contains(&response.status) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Every tag on the reports of these enclaves (all the caller's when
    /// empty).
    pub async fn enclave_tags(&self, enclave_ids: &[String]) -> Result<Vec<Tag>, Error> {
        let enclaves = (!enclave_ids.is_empty()).then(|| enclave_ids.to_vec());
        let (tags, _) = self
            .call(&Context::about("the enclaves' tags"), || {
                self.client.enclave_tags(enclaves.as_ref())
            })
            .await?;
        Ok(tags.into_iter().filter_map(Tag::from_wire).collect())
    }

    /// Copies the report, as stored, to another enclave; returns the
    /// copy's id. Not idempotent: never resent after a lost answer (the
    /// error is [`Error::Unconfirmed`]: a copy may have been made).
    pub async fn copy_report(&self, id: &str, to_enclave: &str) -> Result<String, Error> {
        let dest = to_enclave.trim().parse().map_err(|_| empty("to_enclave"))?;
        let context = Context::about(ReportId::Internal(id.to_string()));
        write_checked(
            self.sends,
            || async {
                let (_, record) = self
                    .call(&context, || self.client.copy_report(id, &dest))
                    .await?;
                answer_id(&record).ok_or_else(|| no_id("the copy's id", &record))
            },
            // A copy carries no key of its own to find it by.
            || async { ReadBack::Unknown },
            |lost| Error::Unconfirmed {
                api: Api::Trustar,
                what: "copy",
                hint: "List the destination enclave's reports to see whether the copy was made",
                source: Box::new(lost),
            },
        )
        .await
    }

    /// Moves the report, with its tags, to another enclave (its id stays).
    /// Idempotent: retried after a lost answer.
    pub async fn move_report(&self, id: &str, to_enclave: &str) -> Result<(), Error> {
        let dest = to_enclave.trim().parse().map_err(|_| empty("to_enclave"))?;
        let context = Context::about(ReportId::Internal(id.to_string()));
        match self
            .call(&context, || self.client.move_report(id, &dest))
            .await
        {
            Ok(_) => Ok(()),
            Err(Error::Decode { response, .. }) if (200..300).contains(&response.status) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// The enclaves the caller can see, with its rights in each.
    pub async fn enclaves(&self) -> Result<Vec<Enclave>, Error> {
        let (enclaves, _) = self
            .call(&Context::about("enclaves"), || self.client.get_enclaves())
            .await?;
        Ok(enclaves
            .into_iter()
            .filter_map(|e| {
                Some(Enclave {
                    id: e.id?,
                    name: e.name,
                    kind: e.type_.map(|t| {
                        if t == "CLOSED_CONCRETE" {
                            "CLOSED".into()
                        } else {
                            t
                        }
                    }),
                    read: e.read.unwrap_or(false),
                    create: e.create.unwrap_or(false),
                    update: e.update.unwrap_or(false),
                })
            })
            .collect())
    }

    /// The company's request quotas (the short-term limit of 60 calls a
    /// minute is not among them).
    pub async fn request_quotas(&self) -> Result<Vec<Quota>, Error> {
        let (quotas, _) = self
            .call(&Context::about("request quotas"), || {
                self.client.get_request_quotas()
            })
            .await?;
        Ok(quotas
            .into_iter()
            .map(|q| Quota {
                max_requests: q.max_requests,
                used_requests: q.used_requests,
                window: q
                    .time_window
                    .and_then(|ms| u64::try_from(ms).ok())
                    .map(Duration::from_millis),
                next_reset: q.next_reset_time.and_then(DateTime::from_timestamp_millis),
            })
            .collect())
    }
}

/// The error for an empty required argument.
fn empty(field: &'static str) -> Error {
    Error::InvalidInput {
        field,
        problem: "it is empty".into(),
        allowed: "at least one visible character".into(),
    }
}
