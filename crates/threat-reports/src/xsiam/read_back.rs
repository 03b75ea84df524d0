//! Writes whose answer was lost, read back before they are sent again
//! ([`XsiamClientBuilder::read_back_lost_writes`](super::XsiamClientBuilder::read_back_lost_writes)):
//! the report is read (with the other read-backs in flight, in one
//! `get_reports_by_source_id` call), and the write is done if the report
//! already carries what was sent.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use super::{MthReport, XsiamClient};
use crate::Error;
use crate::written::{ReadBack, write_checked};

/// A report read back: `None` when XSIAM does not know the id.
type Found = Result<Option<MthReport>, Arc<Error>>;

/// How long a read-back waits for others to go out with it.
const GATHER: Duration = Duration::from_millis(20);

/// The most ids one read-back call carries.
const MAX_IDS: usize = 100;

/// The read-backs waiting to go out, shared by a client and its clones.
#[derive(Default)]
pub(crate) struct ReadBacks {
    waiting: Mutex<Vec<(String, oneshot::Sender<Found>)>>,
}

impl ReadBacks {
    /// Up to [`MAX_IDS`] waiting read-backs, taken off the queue.
    fn take(&self) -> Vec<(String, oneshot::Sender<Found>)> {
        let mut waiting = self
            .waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let n = waiting.len().min(MAX_IDS);
        waiting.drain(..n).collect()
    }
}

impl XsiamClient {
    /// The report `id` as XSIAM holds it now. Each caller queues its id,
    /// waits [`GATHER`], then sends whatever is queued (its own id, or
    /// nothing if another caller took it), in calls of at most
    /// [`MAX_IDS`] ids.
    async fn read_back(&self, batch: &ReadBacks, id: &str) -> Found {
        let (sender, answer) = oneshot::channel();
        batch
            .waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((id.to_string(), sender));
        tokio::time::sleep(GATHER).await;
        loop {
            let taken = batch.take();
            if taken.is_empty() {
                break;
            }
            let ids: BTreeSet<&str> = taken.iter().map(|(id, _)| id.as_str()).collect();
            tracing::debug!(ids = ids.len(), "reading back writes whose answer was lost");
            match self.reports_by_source_id(&ids).await {
                Ok(reports) => {
                    for (id, sender) in taken {
                        let found = reports.iter().find(|r| r.source_id == id).cloned();
                        let _ = sender.send(Ok(found));
                    }
                }
                Err(error) => {
                    let error = Arc::new(error);
                    for (_, sender) in taken {
                        let _ = sender.send(Err(error.clone()));
                    }
                }
            }
        }
        // A caller that took this id and was then dropped leaves it unread.
        answer.await.unwrap_or_else(|_| {
            Err(Arc::new(Error::InvalidInput {
                field: "read_back",
                problem: "the call reading it back was cancelled".into(),
                allowed: "a call left to finish".into(),
            }))
        })
    }

    /// Sends a write; when its answer is lost and read-backs are on, reads
    /// the report back: done (`from_report` of it) when `applied` says it
    /// carries what was sent, else sent again, at most the retry policy's
    /// attempts in all. A read-back that fails leaves the lost answer's
    /// error, which says the write may have been applied.
    pub(crate) async fn checked_write<T, Fut>(
        &self,
        source_id: &str,
        mut write: impl FnMut() -> Fut,
        applied: impl Fn(&MthReport) -> bool,
        from_report: impl Fn(MthReport) -> T,
    ) -> Result<T, Error>
    where
        Fut: Future<Output = Result<T, Error>>,
    {
        let Some(batch) = &self.read_backs else {
            return write().await;
        };
        write_checked(
            self.sends,
            write,
            || async {
                match self.read_back(batch, source_id).await {
                    Ok(Some(report)) if applied(&report) => ReadBack::Applied(from_report(report)),
                    Ok(_) => ReadBack::Missing,
                    Err(_) => ReadBack::Unknown,
                }
            },
            // The lost answer's own error: it says the write may have been
            // applied.
            |lost| lost,
        )
        .await
    }
}
