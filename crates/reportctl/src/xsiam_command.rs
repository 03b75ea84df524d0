//! `reportctl xsiam set-status` and `reportctl xsiam bulk-status`.

use threat_reports::{Error, ReportStatus, RetryPolicy};

use crate::cli::{XsiamCommand, XsiamConnection};
use crate::config::Profile;
use crate::{Failure, bulk, connection, input, output};

pub async fn run(
    connection: &XsiamConnection,
    profile: &Profile,
    command: XsiamCommand,
    json: bool,
) -> Result<(), Failure> {
    let timeout = connection::timeout(connection.timeout)?;
    let failure = |error| Failure::of(error, timeout);
    let builder = connection::xsiam(connection, profile, timeout)?;
    match command {
        XsiamCommand::SetStatus {
            source_id,
            status,
            max_attempts,
        } => {
            let status: ReportStatus = status.parse().map_err(|e| failure(Error::from(e)))?;
            if max_attempts == 0 {
                return Err(Failure::usage(
                    "--max-attempts must be at least 1 (1 means no retries)",
                ));
            }
            let builder = builder.retry(RetryPolicy::default().max_attempts(max_attempts));
            // Trimmed as bulk-status trims its rows.
            let report = connection::build_xsiam(builder, profile, timeout)?
                .update_report_status(source_id.trim(), status)
                .await
                .map_err(failure)?;
            output::mth_report(&report, json);
        }
        XsiamCommand::BulkStatus {
            file,
            concurrency,
            rate,
            max_attempts,
            journal,
            failed,
            dry_run,
        } => {
            if max_attempts == 0 {
                return Err(Failure::usage(
                    "--max-attempts must be at least 1 (1 means no retries)",
                ));
            }
            let builder = builder.retry(RetryPolicy::default().max_attempts(max_attempts));
            // --rate paces the rows' starts here, not in the client, so that
            // a row waiting for its turn can be cancelled unsent at Ctrl-C
            // (retries wait as the server asks, with backoff).
            let pace = (rate > 0).then(|| std::time::Duration::from_secs(1) / rate);
            let client = connection::build_xsiam(builder, profile, timeout)?;
            let (rows, invalid) = bulk::parse(&input::text(&file)?);
            if dry_run {
                if let Some(path) = &failed {
                    bulk::write_failed(path, &[], &invalid)?;
                }
                return bulk::dry_run(&rows, &invalid, journal.as_deref(), json).map(drop);
            }
            let options = bulk::Options {
                concurrency,
                journal,
                input: file,
                timeout,
                pace,
            };
            let summary = bulk::run(client, rows, &invalid, options).await?;
            output::bulk_summary(&summary, json);
            if let Some(path) = &failed {
                bulk::write_failed(path, &summary.failed_rows, &invalid)?;
            }
            if let Some(error) = &summary.journal_error {
                return Err(Failure::failed(format!(
                    "{error}; the run stopped. Free the space and rerun with the same --journal: \
                     every row it records as done is skipped"
                )));
            }
            if summary.interrupted {
                return Err(Failure::with_code(
                    130,
                    "interrupted; rerun with the same --journal to resume",
                ));
            }
            if summary.failed + summary.invalid > 0 {
                return Err(Failure::failed(format!(
                    "{} rows failed and {} were invalid",
                    summary.failed, summary.invalid
                )));
            }
        }
    }
    Ok(())
}
