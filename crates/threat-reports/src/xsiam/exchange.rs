//! What every MTH operation shares: one body sent in the envelope the
//! tenant takes (learned once per client, for all eight operations), the
//! answer's `reply` handed to the operation's decoder, and an error
//! answer turned into an [`Error`] in XSIAM's words.

use std::future::Future;
use std::sync::Arc;

use progenitor_client::ResponseValue;
use serde_json::value::RawValue;
use xsiam_client::types::ErrorResponse;

use super::XsiamClient;
use super::envelope::{Envelope, Probe};
use crate::call::{CallRecord, recorded, too_large};
use crate::error::{Api, snippet};
use crate::failure::{Answer, Failure, come_back_later, failure};
use crate::{Error, ReportStatus, StatusDialect};

const UNAUTHORIZED_HINT: &str = "Usual causes: the key itself is wrong or was revoked \
    (XSIAM_API_KEY), a wrong key id (x-xdr-auth-id: XSIAM_API_KEY_ID), a standard key \
    configured as advanced or the reverse (XSIAM_AUTH_MODE), or, with an advanced key, this \
    machine's clock more than about 5 minutes off";
const FORBIDDEN_HINT: &str = "Only users with Instance Administrator rights may call the \
    mth/child endpoints, on a tenant authorized for them";
const LICENCE_HINT: &str = "The tenant's licence does not cover this API";

/// What one sent body came to. Moved once per call, never stored.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Sent<T> {
    /// A success answer, decoded (or the error it could not be read as).
    Done(Result<T, Error>),
    /// An error answer, or no answer.
    Refused(Failure<ErrorResponse>, Arc<CallRecord>),
}

/// What an operation is about, for the words of its errors.
#[derive(Clone, Copy)]
pub(crate) enum About {
    /// Setting this status.
    Status(ReportStatus),
    /// A write naming one report (assign, comment): a generic 500 may mean
    /// an unknown id.
    Report,
    /// A read.
    Read,
}

/// A request's fields, sent flat or wrapped in `request_data`: each
/// operation's generated body type takes either.
pub(crate) trait Enveloped: Clone {
    /// The generated body type (flat or wrapped).
    type Body;
    /// The body to send in `envelope`.
    fn body(&self, envelope: Envelope) -> Self::Body;
}

macro_rules! enveloped {
    ($($request:ident => $wrapped:ident in $body:ident),+ $(,)?) => {$(
        impl Enveloped for xsiam_client::types::$request {
            type Body = xsiam_client::types::$body;
            fn body(&self, envelope: Envelope) -> Self::Body {
                match envelope {
                    Envelope::Flat => self.clone().into(),
                    Envelope::RequestData => xsiam_client::types::$wrapped {
                        request_data: self.clone(),
                    }
                    .into(),
                }
            }
        }
    )+};
}

enveloped!(
    UpdateReportStatusRequest => UpdateReportStatusEnvelope in UpdateReportStatusBody,
    GetReportsBySourceIdRequest => GetReportsBySourceIdEnvelope in GetReportsBySourceIdBody,
    GetReportsByIncidentIdRequest => GetReportsByIncidentIdEnvelope in GetReportsByIncidentIdBody,
    GetReportsByStatusesRequest => GetReportsByStatusesEnvelope in GetReportsByStatusesBody,
    UpdateReportAssignmentRequest => UpdateReportAssignmentEnvelope in UpdateReportAssignmentBody,
    AddCommentRequest => AddCommentEnvelope in AddCommentBody,
    GetCommentsRequest => GetCommentsEnvelope in GetCommentsBody,
);

/// The generated answers: each holds its `reply` as it arrived.
pub(crate) trait HasReply {
    fn reply(&self) -> &str;
}

macro_rules! has_reply {
    ($($answer:ident),+) => {$(
        impl HasReply for xsiam_client::types::$answer {
            fn reply(&self) -> &str {
                self.reply.get()
            }
        }
    )+};
}

has_reply!(
    UpdateReportStatusResponse,
    GetReportsResponse,
    UpdateReportAssignmentResponse,
    AddCommentResponse,
    GetCommentsResponse
);

/// The `reply` of a success answer's body, for one the generated client
/// could not read.
fn reply_of(body: &[u8]) -> Result<Box<RawValue>, String> {
    #[derive(serde::Deserialize)]
    struct Answer {
        reply: Option<Box<RawValue>>,
    }
    let answer: Answer =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON ({e})"))?;
    answer
        .reply
        .ok_or_else(|| "the answer has no \"reply\"".to_string())
}

/// The error for a success answer whose reply does not hold what was
/// expected.
pub(crate) fn unreadable(what: &'static str, why: &str, record: &CallRecord) -> Error {
    let response = record.response();
    Error::Decode {
        api: Api::Xsiam,
        what,
        problem: format!(
            "{why}. XSIAM answered HTTP {}: the call reached it and may have been applied, \
             but its answer could not be read",
            response.status
        ),
        response,
    }
}

impl XsiamClient {
    /// Sends one body in `envelope` (`request` makes the generated call)
    /// and hands a success answer's `reply` (its JSON text) to `decode`.
    ///
    /// `request` is a closure, not the call's future: an argument of an
    /// `async fn` stays in its state beside the future it is moved into,
    /// and every request's future would hold the generated call twice.
    pub(crate) async fn send<R: HasReply, T, Call>(
        &self,
        envelope: Envelope,
        request: impl FnOnce() -> Call,
        decode: impl FnOnce(&str, &CallRecord) -> Result<T, Error>,
    ) -> Sent<T>
    where
        Call: Future<Output = Result<ResponseValue<R>, progenitor_client::Error<ErrorResponse>>>,
    {
        // The generated call's future (over 1.5 KB) boxed once: every
        // future around it (exchange, read-back, the caller's) then moves
        // a pointer, not the call, each time it is made or awaited.
        let (result, record) = recorded(Box::pin(request())).await;
        if let Some(error) = too_large(Api::Xsiam, &record) {
            return Sent::Done(Err(error));
        }
        let sent = match result {
            Ok(answer) => Sent::Done(decode(answer.into_inner().reply(), &record)),
            // A success answer the generated client could not read (not
            // JSON, or no `reply`) was still a success.
            Err(progenitor_client::Error::InvalidResponsePayload(..))
                if record
                    .answer()
                    .is_some_and(|(status, _)| (200..300).contains(&status)) =>
            {
                let body = record.arrived().map(|a| a.body).unwrap_or_default();
                Sent::Done(match reply_of(&body) {
                    Ok(reply) => decode(reply.get(), &record),
                    Err(why) => Err(unreadable("an answer with a \"reply\"", &why, &record)),
                })
            }
            // Boxed: an error answer is the rare path, and its future is
            // large (the generated error, read whole).
            Err(error) => Sent::Refused(Box::pin(failure(error, &record)).await, record),
        };
        // What a flat body's answer shows of the tenant's dialect.
        if envelope == Envelope::Flat {
            match &sent {
                Sent::Done(Ok(_)) => self.envelope.flat_body_answered(true),
                Sent::Refused(failed, _) if wants_request_data(failed) => {
                    self.envelope.flat_body_answered(false)
                }
                _ => {}
            }
        }
        sent
    }

    /// Sends one operation in the envelope the tenant takes: once known,
    /// that one; until then a flat body, then (if the tenant answers that
    /// it wants `request_data`) the same wrapped, learning the envelope
    /// for this client and its clones. `check` runs before any body that
    /// could be applied is sent, with what the client knows then (a
    /// status of the other dialect is refused there).
    pub(crate) async fn exchange<T, Fut>(
        &self,
        about: About,
        mut send: impl FnMut(Envelope) -> Fut,
        check: impl Fn(&Self) -> Option<Error>,
    ) -> Result<T, Error>
    where
        Fut: Future<Output = Sent<T>>,
    {
        let envelope = match self.envelope.envelope_or_probe().await {
            Ok(envelope) => envelope,
            // Boxed: the first call of a client finds out the envelope;
            // every later call's future stays free of that path.
            Err(probe) => return Box::pin(self.probe(probe, about, send, check)).await,
        };
        if let Some(refused) = check(self) {
            return Err(refused);
        }
        finish(send(envelope).await, about)
    }

    /// The call that finds out the tenant's envelope (the others wait
    /// for it): a flat body, then (if the tenant answers that it wants
    /// `request_data`) the same wrapped.
    async fn probe<T, Fut>(
        &self,
        probe: Probe<'_>,
        about: About,
        mut send: impl FnMut(Envelope) -> Fut,
        check: impl Fn(&Self) -> Option<Error>,
    ) -> Result<T, Error>
    where
        Fut: Future<Output = Sent<T>>,
    {
        match send(Envelope::Flat).await {
            Sent::Refused(failed, _) if wants_request_data(&failed) => {
                probe.learned(Envelope::RequestData);
                // The flat body was refused whole: nothing was applied yet.
                if let Some(refused) = check(self) {
                    return Err(refused);
                }
                finish(send(Envelope::RequestData).await, about)
            }
            sent @ Sent::Done(Ok(_)) => {
                probe.learned(Envelope::Flat);
                finish(sent, about)
            }
            sent => finish(sent, about),
        }
    }
}

/// What one sent body came to, as the operation's result.
fn finish<T>(sent: Sent<T>, about: About) -> Result<T, Error> {
    match sent {
        Sent::Done(result) => result,
        Sent::Refused(failed, record) => Err(to_error(failed, &record, about)),
    }
}

/// Whether an error answer says the tenant wants the `request_data`
/// envelope: `err_code` 101, or a message naming `request_data`, whatever
/// the HTTP status.
pub(crate) fn wants_request_data(failed: &Failure<ErrorResponse>) -> bool {
    let Failure::Answer { body, error, .. } = failed else {
        return false;
    };
    let code_101 = error.as_ref().is_some_and(|e| {
        e.reply
            .err_code
            .as_ref()
            .is_some_and(|code| code.to_string().trim() == "101")
    });
    code_101 || String::from_utf8_lossy(body).contains("request_data")
}

/// The vendor's code and message: the reason in `err_extra` first, then
/// `err_msg`; and whether the answer gave a reason.
fn message(error: &Option<ErrorResponse>, body: &str) -> (Option<String>, String, bool) {
    let Some(reply) = error.as_ref().map(|e| &e.reply) else {
        return (None, body.to_string(), false);
    };
    let code = reply.err_code.as_ref().map(|c| snippet(&c.to_string()));
    let err_msg = reply.err_msg.clone().unwrap_or_default();
    let extra = match &reply.err_extra {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
    .filter(|e| !e.trim().is_empty() && *e != err_msg);
    let reason = extra.is_some();
    let message = match (extra, err_msg.is_empty()) {
        (Some(extra), false) => format!("{extra} (XSIAM said: {err_msg})"),
        (Some(extra), true) => extra,
        (None, false) => err_msg,
        (None, true) => body.to_string(),
    };
    (code, snippet(&message), reason)
}

/// For a refused status value: the labels of the other dialect.
fn status_hint(status: ReportStatus) -> String {
    let live = "On Hold, Resolved False Positive, Resolved True Positive, Resolved Other, \
                Resolved Security Testing";
    let page = "Pending, Resolved, Closed";
    let other = match status.dialect() {
        StatusDialect::Page => format!("the live tenants' labels ({live})"),
        StatusDialect::Live => format!("the vendor page's labels ({page})"),
        _ => format!("the vendor page's labels ({page}) or the live tenants' ({live})"),
    };
    format!(
        " (the tenant refused the status {:?}: it may expect {other})",
        status.label()
    )
}

/// The error for a refused call.
pub(crate) fn to_error(failed: Failure<ErrorResponse>, record: &CallRecord, about: About) -> Error {
    let api = Api::Xsiam;
    let Answer {
        response,
        body,
        error,
    } = match failed.into_answer(api, "an answer ({\"reply\": ...})", record) {
        Ok(answer) => answer,
        Err(error) => return error,
    };
    let (code, mut message, gave_reason) = message(&error, &response.body);
    if let Some(later) = come_back_later(api, record, &body, &message, &response) {
        return later;
    }
    match response.status {
        401 => Error::Unauthorized {
            api,
            message,
            hint: UNAUTHORIZED_HINT,
            response,
        },
        402 => Error::Forbidden {
            api,
            message,
            hint: LICENCE_HINT,
            response,
        },
        403 => Error::Forbidden {
            api,
            message,
            hint: FORBIDDEN_HINT,
            response,
        },
        http => {
            match about {
                About::Status(status) if message.to_ascii_lowercase().contains("status") => {
                    message.push_str(&status_hint(status));
                }
                About::Status(_) | About::Report if http == 500 && !gave_reason => {
                    message.push_str(
                        " (XSIAM also answers this way for an unknown xsoar_source_id: check \
                         the id)",
                    );
                }
                _ => {}
            }
            Error::Api {
                api,
                code,
                message,
                response,
            }
        }
    }
}
