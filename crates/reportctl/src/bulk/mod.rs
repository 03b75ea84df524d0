//! `reportctl xsiam bulk-status`: many status updates, bounded concurrency,
//! a journal that makes reruns resume, and a summary.
//!
//! The journal has one JSON line per finished row, written, flushed and
//! synced as the row ends. A rerun skips the rows it records as done, so a
//! run stopped by Ctrl-C (which lets the rows in flight finish and journals
//! them), a crash or a dropped network resumes where it stopped. After a
//! hard kill, the rows that were in flight (at most `--concurrency`) may
//! have reached XSIAM without being journaled; they are sent again, which
//! sets the same status again (XSIAM has no way to ask).

//!
//! One run holds a journal at a time (a lock on the file). A second Ctrl-C
//! (or SIGTERM after a first stop request) stops at once: the rows in
//! flight are journaled as `interrupted`, not done, and a rerun sends them
//! again. A journal that cannot be written (a full disk) stops the run: no
//! row starts after that, and nothing is journaled as done that was not.

mod dry_run;
mod failed_rows;
mod input;
mod progress;
mod run;
mod signals;

pub use dry_run::dry_run;
pub use failed_rows::write_failed;
pub use input::parse;
pub(crate) use progress::Progress;
pub use run::{Options, Summary, run};
pub(crate) use signals::stop_requests;
