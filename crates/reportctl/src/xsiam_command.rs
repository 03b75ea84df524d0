//! `reportctl xsiam`: reads (get, list, comments), writes (assign,
//! unassign, comment, set-status) and `bulk-status`.

use threat_reports::xsiam::{NewComment, XsiamClient};
use threat_reports::{Error, ReportStatus, RetryPolicy};

use crate::cli::{XsiamCommand, XsiamConnection};
use crate::config::Profile;
use crate::{Failure, bulk, connection, input, output, xsiam_output};

pub async fn run(
    connection: &XsiamConnection,
    profile: &Profile,
    command: XsiamCommand,
    json: bool,
) -> Result<(), Failure> {
    let timeout = connection::timeout(connection.timeout)?;
    let failure = |error| Failure::of(error, timeout);
    let builder = connection::xsiam(connection, profile, timeout)?;
    let client = || connection::build_xsiam(builder.clone(), profile, timeout);
    match command {
        XsiamCommand::Get { source_ids } => {
            let ids: Vec<&str> = source_ids.iter().map(|id| id.trim()).collect();
            let found = client()?
                .reports_by_source_id(&ids)
                .await
                .map_err(failure)?;
            xsiam_output::reports(&found, json);
            let missing: Vec<&str> = ids
                .iter()
                .filter(|id| !found.iter().any(|r| r.source_id == **id))
                .copied()
                .collect();
            if !missing.is_empty() {
                return Err(Failure::failed(format!(
                    "XSIAM has no report with source id {}",
                    missing.join(", ")
                )));
            }
        }
        XsiamCommand::List {
            statuses,
            incidents,
        } => {
            let client = client()?;
            let reports = list(&client, &statuses, &incidents)
                .await
                .map_err(failure)?;
            xsiam_output::reports(&reports, json);
        }
        XsiamCommand::Assign {
            source_id,
            user,
            username,
        } => {
            let assigned = client()?
                .assign_report(source_id.trim(), &user, username.as_deref())
                .await
                .map_err(failure)?;
            xsiam_output::assignment(&assigned, json);
        }
        XsiamCommand::Unassign { source_id } => {
            let cleared = client()?
                .unassign_report(source_id.trim())
                .await
                .map_err(failure)?;
            xsiam_output::assignment(&cleared, json);
        }
        XsiamCommand::Comment {
            source_id,
            text,
            author,
            attachment,
            extract_zip,
        } => {
            let mut comment = NewComment::new(text, author);
            if let Some(key) = attachment {
                comment = comment.attachment(key).extract_zip(extract_zip);
            }
            client()?
                .add_comment(source_id.trim(), comment)
                .await
                .map_err(failure)?;
            xsiam_output::comment_added(source_id.trim(), json);
        }
        XsiamCommand::Comments {
            source_id,
            since,
            until,
        } => {
            let client = client()?;
            let comments = match (source_id, since, until) {
                (Some(id), _, _) => client.comments(id.trim()).await,
                (None, Some(since), Some(until)) => {
                    let (start, end) = (
                        input::time("--since", &since)?,
                        input::time("--until", &until)?,
                    );
                    client.comments_between(start, end).await
                }
                _ => {
                    return Err(Failure::usage(
                        "give a SOURCE_ID, or both --since and --until",
                    ));
                }
            }
            .map_err(failure)?;
            xsiam_output::comments(&comments, json);
        }
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
            // A row whose answer was lost is read back (in batches) before
            // it is sent again: each row is applied at most once.
            let builder = builder
                .retry(RetryPolicy::default().max_attempts(max_attempts))
                .read_back_lost_writes(true);
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

/// The reports `list` shows: all, by status, by incident, or by incident
/// and then status (the API takes one filter per call).
async fn list(
    client: &XsiamClient,
    statuses: &[String],
    incidents: &[String],
) -> Result<Vec<threat_reports::xsiam::MthReport>, Error> {
    let statuses = statuses
        .iter()
        .map(|s| client.parse_status(s))
        .collect::<Result<Vec<ReportStatus>, _>>()?;
    match (statuses.is_empty(), incidents.is_empty()) {
        (true, true) => client.all_reports().await,
        (false, true) => client.reports_by_status(statuses).await,
        (true, false) => {
            client
                .reports_by_incident(incidents.iter().map(|i| i.trim()))
                .await
        }
        (false, false) => {
            let reports = client
                .reports_by_incident(incidents.iter().map(|i| i.trim()))
                .await?;
            Ok(reports
                .into_iter()
                .filter(|r| r.known_status().is_some_and(|s| statuses.contains(&s)))
                .collect())
        }
    }
}
