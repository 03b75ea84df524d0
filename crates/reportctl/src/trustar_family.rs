//! `reportctl trustar` beyond get and update: submit, upsert, delete,
//! status, search, list, indicators, tags, enclaves, copy, move, quotas.

use std::collections::BTreeSet;
use std::time::Duration;

use threat_reports::trustar::{ReportId, ReportQuery, ReportUpdate, TrustarClient, UpsertMode};
use threat_reports::{StreamExt, TryStreamExt};

use crate::cli::{ReportRange, TrustarCommand};
use crate::{Failure, input, trustar_output};

fn report_id(id: String, external: bool) -> ReportId {
    if external {
        ReportId::External(id)
    } else {
        ReportId::Internal(id)
    }
}

/// The query a `--since`/`--until`/`--enclave`/`--tag`/`--exclude-tag`
/// range describes (since a day ago by default).
fn query(range: ReportRange) -> Result<ReportQuery, Failure> {
    let until = range
        .until
        .map(|t| input::time("--until", &t))
        .transpose()?;
    let since = match range.since {
        Some(t) => input::time("--since", &t)?,
        None => {
            until.unwrap_or_else(|| std::time::SystemTime::now().into())
                - threat_reports::chrono::Duration::days(1)
        }
    };
    let mut query = ReportQuery::since(since);
    if let Some(until) = until {
        query = query.until(until);
    }
    for enclave in range.enclaves {
        query = query.enclave(enclave);
    }
    for tag in range.tags {
        query = query.tag(tag);
    }
    for tag in range.excluded_tags {
        query = query.excluded_tag(tag);
    }
    Ok(query)
}

/// Runs one of the family's commands.
pub async fn run(
    client: &TrustarClient,
    command: TrustarCommand,
    json: bool,
    timeout: Duration,
) -> Result<(), Failure> {
    let failure = |error| Failure::of(error, timeout);
    match command {
        TrustarCommand::Submit {
            body_file,
            title,
            enclave,
            external_id,
            external_url,
            time_began,
            dry_run,
            split,
        } => {
            let mut report = ReportUpdate::new(title, input::text(&body_file)?, enclave);
            if let Some(id) = external_id {
                report = report.external_tracking_id(id);
            }
            if let Some(url) = external_url {
                report = report.external_url(url);
            }
            if let Some(time) = time_began {
                report = report.time_began(input::time("--time-began", &time)?);
            }
            if split {
                let parts = client.split_report(&report).map_err(failure)?;
                if dry_run {
                    trustar_output::would_split(&parts, client.max_indicators(), json);
                    return Ok(());
                }
                let ids = client.submit_report_split(&report).await.map_err(failure)?;
                trustar_output::ids(&ids, json);
                return Ok(());
            }
            let count = client
                .check_update(&ReportId::Internal("new".into()), &report)
                .map_err(|e| {
                    let over = matches!(e, threat_reports::Error::TooManyIndicators { .. });
                    let mut refused = failure(e);
                    if over {
                        refused.message.push_str(
                            "\nreportctl trustar submit --split cuts it into parts that fit",
                        );
                    }
                    refused
                })?;
            if dry_run {
                trustar_output::would_submit(&count, client.max_indicators(), json);
                return Ok(());
            }
            let id = client.submit_report(&report).await.map_err(failure)?;
            trustar_output::id("submitted", &id, json);
        }
        TrustarCommand::Upsert {
            body_file,
            title,
            enclave,
            external_id,
            append,
        } => {
            let report = ReportUpdate::new(title, input::text(&body_file)?, enclave);
            let mode = if append {
                UpsertMode::Append
            } else {
                UpsertMode::Override
            };
            let id = client
                .upsert_report(&ReportId::External(external_id), &report, mode)
                .await
                .map_err(failure)?;
            trustar_output::id("upserted", &id, json);
        }
        TrustarCommand::Delete { id, external } => {
            let id = report_id(id, external);
            client.delete_report(&id).await.map_err(failure)?;
            trustar_output::done(&format!("deleted {id}"), json);
        }
        TrustarCommand::Status { id, external } => {
            let id = report_id(id, external);
            let status = client.report_status(&id).await.map_err(failure)?;
            trustar_output::processing(&status, json);
        }
        TrustarCommand::Search { term, range, limit } => {
            let mut query = query(range)?;
            if let Some(term) = term {
                query = query.term(term);
            }
            let reports = client.search_reports(query);
            let found: Vec<_> = match limit {
                Some(n) => reports.take(n).try_collect().await.map_err(failure)?,
                None => reports.try_collect().await.map_err(failure)?,
            };
            trustar_output::summaries(&found, json);
        }
        TrustarCommand::List { range } => {
            let found: Vec<_> = client
                .list_reports(query(range)?)
                .try_collect()
                .await
                .map_err(failure)?;
            trustar_output::summaries(&found, json);
        }
        TrustarCommand::Indicators {
            id,
            external,
            compare,
        } => {
            let id = report_id(id, external);
            let found: Vec<_> = client
                .report_indicators(&id)
                .try_collect()
                .await
                .map_err(failure)?;
            if !compare {
                trustar_output::extracted(&found, json);
                return Ok(());
            }
            let report = client.get_report(&id).await.map_err(failure)?;
            let server: BTreeSet<(String, String)> = found
                .iter()
                .map(|i| (i.kind.clone(), i.value.to_lowercase()))
                .collect();
            let local: BTreeSet<(String, String)> =
                threat_reports::indicators::extract(&report.body)
                    .into_iter()
                    .map(|i| (i.kind.as_str().to_string(), i.value.to_lowercase()))
                    .collect();
            trustar_output::comparison(&server, &local, json);
        }
        TrustarCommand::Tags {
            id,
            external,
            add,
            remove,
        } => {
            let id = report_id(id, external);
            if !add.is_empty() || !remove.is_empty() {
                let add: Vec<&str> = add.iter().map(String::as_str).collect();
                let remove: Vec<&str> = remove.iter().map(String::as_str).collect();
                client
                    .alter_report_tags(&id, &add, &remove)
                    .await
                    .map_err(failure)?;
            }
            let tags = client.report_tags(&id).await.map_err(failure)?;
            trustar_output::tags(&tags, json);
        }
        TrustarCommand::Enclaves => {
            let enclaves = client.enclaves().await.map_err(failure)?;
            trustar_output::enclaves(&enclaves, json);
        }
        TrustarCommand::Copy { id, to } => {
            let copy = client.copy_report(&id, &to).await.map_err(failure)?;
            trustar_output::id("copied", &copy, json);
        }
        TrustarCommand::Move { id, to } => {
            client.move_report(&id, &to).await.map_err(failure)?;
            trustar_output::done(&format!("moved {id} to {to}"), json);
        }
        TrustarCommand::Quotas => {
            let quotas = client.request_quotas().await.map_err(failure)?;
            trustar_output::quotas(&quotas, json);
        }
        TrustarCommand::Get { .. }
        | TrustarCommand::Update { .. }
        | TrustarCommand::BulkSubmit { .. } => {
            unreachable!("get, update and bulk-submit are run by trustar_command")
        }
    }
    Ok(())
}
