//! What one call's attempts left behind, for its error: how many attempts
//! were made, how long the server last asked to wait, and the last
//! answer's status and request id.

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
    /// Milliseconds plus one; zero when the server named no wait.
    retry_after_ms: AtomicU64,
    /// The last answer's status and request id.
    answer: Mutex<Option<(u16, Option<String>)>>,
}

impl CallRecord {
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::Relaxed).max(1)
    }

    /// The last answer's status and request id, if an answer came.
    pub(crate) fn answer(&self) -> Option<(u16, Option<String>)> {
        self.answer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self.retry_after_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(Duration::from_millis(ms - 1)),
        }
    }
}

/// Runs `call` with a fresh record, and returns both.
pub(crate) async fn recorded<F: Future>(call: F) -> (F::Output, Arc<CallRecord>) {
    let record = Arc::new(CallRecord::default());
    let output = CALL.scope(record.clone(), call).await;
    (output, record)
}

/// Notes an attempt in the current call's record, if there is one.
pub(crate) fn note_attempt(attempt: u32) {
    let _ = CALL.try_with(|record| record.attempts.store(attempt, Ordering::Relaxed));
}

/// Notes the wait the server asked for.
pub(crate) fn note_retry_after(wait: Option<Duration>) {
    let ms = wait.map_or(0, |w| {
        u64::try_from(w.as_millis()).unwrap_or(u64::MAX - 1) + 1
    });
    let _ = CALL.try_with(|record| record.retry_after_ms.store(ms, Ordering::Relaxed));
}

/// Notes the status and request id of an answer.
pub(crate) fn note_answer(status: u16, request_id: Option<String>) {
    let _ = CALL.try_with(|record| {
        *record
            .answer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((status, request_id));
    });
}
