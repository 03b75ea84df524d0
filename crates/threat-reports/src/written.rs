//! The one rule for writes that are not idempotent (a TruSTAR submission,
//! an append, a copy; an XSIAM comment, and status updates and
//! assignments when the client reads back): after an answer is lost (a
//! connection dropped, a timeout, a 502–504 once the request may have
//! reached the server), the write is read back by a key the request
//! carried before anything is sent again. Found, it was applied; missing,
//! it is sent again (as many sends in all as the retry policy has
//! attempts); when nothing can tell (no key, or the read failed), the
//! error says the write may have been applied.

use std::future::Future;

use crate::Error;

/// What reading a write back showed.
pub(crate) enum ReadBack<T> {
    /// The write is there: the call's result.
    Applied(T),
    /// It is not there: it may be sent again.
    Missing,
    /// Nothing tells: no key to read it back by, or the read failed.
    Unknown,
}

/// Sends `write` until it is answered, reading back with `read_back` after
/// each lost answer before sending again; at most `sends` sends.
///
/// - Answered (applied or refused): that answer.
/// - Lost, then found by `read_back`: the result it found.
/// - Lost, then missing: sent again; once `sends` are used, the last lost
///   answer's error (it says the write may have been applied).
/// - Lost, and `read_back` cannot tell: `unconfirmed` of the lost answer's
///   error.
pub(crate) async fn write_checked<T, W, R>(
    sends: u32,
    mut write: impl FnMut() -> W,
    mut read_back: impl FnMut() -> R,
    unconfirmed: impl FnOnce(Error) -> Error,
) -> Result<T, Error>
where
    W: Future<Output = Result<T, Error>>,
    R: Future<Output = ReadBack<T>>,
{
    let mut sent = 0;
    loop {
        sent += 1;
        let lost = match write().await {
            Err(error) if error.may_have_been_applied() => error,
            answered => return answered,
        };
        tracing::info!(sent, "a write's answer was lost; reading it back");
        // Boxed: the rare path's futures (a whole read) stay out of every
        // write's own future.
        match Box::pin(read_back()).await {
            ReadBack::Applied(result) => {
                tracing::info!("the write was found applied on reading back");
                return Ok(result);
            }
            ReadBack::Missing if sent < sends => {
                tracing::info!("the write was not applied; sending it again");
            }
            ReadBack::Missing => return Err(lost),
            ReadBack::Unknown => return Err(unconfirmed(lost)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::error::Api;

    fn lost() -> Error {
        Error::Unavailable {
            api: Api::Trustar,
            retry_after: None,
            retry_budget: None,
            attempts: 1,
            message: "Service Unavailable".into(),
            response: crate::ApiResponse {
                status: 503,
                request_id: None,
                body: String::new(),
            },
        }
    }

    fn unconfirmed(source: Error) -> Error {
        Error::Unconfirmed {
            api: Api::Trustar,
            what: "test write",
            hint: "read it",
            source: Box::new(source),
        }
    }

    /// Each outcome of reading back, and how many sends it leads to.
    #[tokio::test]
    async fn a_lost_write_is_read_back_before_it_is_sent_again() {
        for (found, sends, expect_ok, expect_sends) in [
            (ReadBack::Applied(7), 3, true, 1),
            (ReadBack::Missing, 3, false, 3),
            (ReadBack::Unknown, 3, false, 1),
        ] {
            let sent = Cell::new(0);
            let read = Cell::new(Some(found));
            let result = write_checked(
                sends,
                || {
                    sent.set(sent.get() + 1);
                    async { Err::<i32, _>(lost()) }
                },
                || {
                    let found = match read.take() {
                        Some(ReadBack::Applied(n)) => ReadBack::Applied(n),
                        Some(ReadBack::Unknown) => ReadBack::Unknown,
                        _ => ReadBack::Missing,
                    };
                    async move { found }
                },
                unconfirmed,
            )
            .await;
            assert_eq!(result.is_ok(), expect_ok);
            assert_eq!(sent.get(), expect_sends);
            if let Err(error) = result {
                assert!(error.may_have_been_applied(), "{error:?}");
            }
        }
    }

    /// An answered write (applied or refused) is never read back.
    #[tokio::test]
    async fn an_answered_write_is_not_read_back() {
        let read = Cell::new(0);
        let result = write_checked(
            3,
            || async { Ok::<_, Error>(1) },
            || {
                read.set(read.get() + 1);
                async { ReadBack::Applied(2) }
            },
            unconfirmed,
        )
        .await;
        assert_eq!(result.unwrap(), 1);
        assert_eq!(read.get(), 0);
    }
}
