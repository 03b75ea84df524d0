//! What one call's attempts left behind, for its error: how many attempts
//! were made, how long the server last asked to wait, and the last
//! answer as it arrived (status, request id, body).

use std::future::Future;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

tokio::task_local! {
    static CALL: Arc<CallRecord>;
}

/// Filled in by the executor, read by the client once the call is over.
#[derive(Debug, Default)]
pub(crate) struct CallRecord {
    attempts: AtomicU32,
    /// How long the server last asked to wait, if it said.
    retry_after: Mutex<Option<Duration>>,
    /// The retry budget, when a retry was not made because its wait would
    /// have run past it.
    over_budget: Mutex<Option<Duration>>,
    /// The last answer, as it arrived.
    answer: Mutex<Option<Arrived>>,
    /// The size of an answer that was over [`MAX_ANSWER_BYTES`], if one was.
    oversized: AtomicU64,
    /// The proxy the call went through, as messages show it.
    proxy: Mutex<Option<Arc<str>>>,
}

/// An answer as it arrived: its status, request id and body (shared, not
/// copied).
#[derive(Debug, Clone)]
pub(crate) struct Arrived {
    pub status: u16,
    pub request_id: Option<String>,
    pub body: bytes::Bytes,
}

/// The most bytes of an answer body a client reads (the largest answer
/// either API documents is a report of at most 2 MiB, JSON-escaped).
pub(crate) const MAX_ANSWER_BYTES: usize = 8 << 20;

impl CallRecord {
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::Relaxed).max(1)
    }

    /// The last answer's status and request id, if an answer came.
    pub(crate) fn answer(&self) -> Option<(u16, Option<String>)> {
        self.arrived().map(|a| (a.status, a.request_id))
    }

    /// The last answer, as it arrived.
    pub(crate) fn arrived(&self) -> Option<Arrived> {
        locked(&self.answer).clone()
    }

    /// The last answer's facts for an error: status, request id and a
    /// bounded snippet of the body as it arrived (status 0 and no body when
    /// no answer came).
    pub(crate) fn response(&self) -> crate::ApiResponse {
        self.arrived().map_or_else(
            || crate::ApiResponse {
                status: 0,
                request_id: None,
                body: String::new(),
            },
            |a| crate::ApiResponse {
                status: a.status,
                request_id: a.request_id,
                body: crate::error::snippet(&String::from_utf8_lossy(&a.body)),
            },
        )
    }

    /// The size of an answer over [`MAX_ANSWER_BYTES`], if there was one
    /// (reading stopped there).
    pub(crate) fn oversized(&self) -> Option<u64> {
        match self.oversized.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }

    pub(crate) fn retry_after(&self) -> Option<Duration> {
        *locked(&self.retry_after)
    }

    /// The retry budget, when the server asked for a wait longer than it
    /// and no retry was made.
    pub(crate) fn over_budget(&self) -> Option<Duration> {
        *locked(&self.over_budget)
    }

    /// The proxy the call went through, if one was set or came from the
    /// environment.
    pub(crate) fn proxy(&self) -> Option<String> {
        locked(&self.proxy).as_deref().map(str::to_string)
    }
}

/// Runs `call` with a fresh record, and returns both.
///
/// Not an `async fn`: one would keep `call` twice in its state (as the
/// argument, and again as the future it awaits), and every request's
/// future holds this one.
pub(crate) fn recorded<F: Future>(call: F) -> impl Future<Output = (F::Output, Arc<CallRecord>)> {
    use futures_util::FutureExt;
    let record = Arc::new(CallRecord::default());
    CALL.scope(record.clone(), call)
        .map(move |output| (output, record))
}

/// Notes an attempt in the current call's record, if there is one.
pub(crate) fn note_attempt(attempt: u32) {
    let _ = CALL.try_with(|record| record.attempts.store(attempt, Ordering::Relaxed));
}

/// A record's field, locked (a panic elsewhere never loses it).
fn locked<T>(field: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    field
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Notes the proxy the call goes through.
pub(crate) fn note_proxy(proxy: &Arc<str>) {
    let _ = CALL.try_with(|record| *locked(&record.proxy) = Some(proxy.clone()));
}

/// Notes the wait the server asked for, exactly as long as it asked.
pub(crate) fn note_retry_after(wait: Option<Duration>) {
    let _ = CALL.try_with(|record| *locked(&record.retry_after) = wait);
}

/// Notes that a retry was not made because its wait would have run past
/// the retry budget.
pub(crate) fn note_over_budget(budget: Duration) {
    let _ = CALL.try_with(|record| *locked(&record.over_budget) = Some(budget));
}

/// Notes an answer as it arrived.
pub(crate) fn note_answer(arrived: Arrived) {
    let _ = CALL.try_with(|record| *locked(&record.answer) = Some(arrived));
}

/// Notes that an answer was over [`MAX_ANSWER_BYTES`]: at least `size` bytes.
pub(crate) fn note_oversized(size: u64) {
    let _ = CALL.try_with(|record| record.oversized.store(size.max(1), Ordering::Relaxed));
}

/// [`Error::AnswerTooLarge`](crate::Error::AnswerTooLarge), when the call's
/// answer was over [`MAX_ANSWER_BYTES`].
pub(crate) fn too_large(api: crate::error::Api, record: &CallRecord) -> Option<crate::Error> {
    record.oversized().map(|size| crate::Error::AnswerTooLarge {
        api,
        size,
        limit: MAX_ANSWER_BYTES,
        response: record.response(),
    })
}
