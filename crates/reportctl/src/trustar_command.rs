//! `reportctl trustar get` and `reportctl trustar update`; the rest of the
//! family is in `trustar_family`.

use std::time::Duration;

use threat_reports::Error;
use threat_reports::trustar::{MAX_EXTERNAL_URL_CHARS, ReportId, ReportUpdate};

use crate::cli::{TrustarCommand, TrustarConnection};
use crate::config::Profile;
use crate::{Failure, connection, input, output};

fn report_id(id: String, external: bool) -> ReportId {
    if external {
        ReportId::External(id)
    } else {
        ReportId::Internal(id)
    }
}

/// Whether `id` has the shape of TruSTAR's own ids (a UUID).
fn looks_internal(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A 404 for an id that is not TruSTAR's shape suggests `--external`.
fn not_found_hint(error: Error, id: &ReportId, timeout: Duration) -> Failure {
    let hint = match id {
        ReportId::Internal(raw) if error.status() == Some(404) && !looks_internal(raw) => {
            format!(
                "\n{} does not look like a TruSTAR id (a UUID): if it is your external tracking \
                 id, add --external",
                output::shown(raw)
            )
        }
        _ => String::new(),
    };
    let mut failure = Failure::of(error, timeout);
    failure.message.push_str(&hint);
    failure
}

/// `--external-url` must be an http or https URL.
fn checked_url(url: String) -> Result<String, Failure> {
    let refused = |why: String| {
        Failure::usage(format!(
            "--external-url {}: {why}; expected an http or https URL of at most \
             {MAX_EXTERNAL_URL_CHARS} characters",
            output::shown(&url)
        ))
    };
    match threat_reports::reqwest::Url::parse(url.trim()) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(url),
        Ok(parsed) => Err(refused(format!(
            "the scheme {} is not http or https",
            parsed.scheme()
        ))),
        Err(e) => Err(refused(format!("it is not a URL ({e})"))),
    }
}

pub async fn run(
    connection: &TrustarConnection,
    profile: &Profile,
    command: TrustarCommand,
    json: bool,
) -> Result<(), Failure> {
    let timeout = connection::timeout(connection.timeout)?;
    if let TrustarCommand::BulkSubmit {
        path,
        enclave,
        journal,
        concurrency,
        rate,
        split,
        failed,
    } = command
    {
        let per_minute = (rate > 0).then_some(rate);
        let client = connection::trustar_paced(connection, profile, timeout, per_minute)?;
        let options = crate::bulk_submit::Options {
            path,
            enclave,
            journal,
            concurrency,
            split,
            failed,
            timeout,
        };
        return crate::bulk_submit::run(client, options, json).await;
    }
    let client = connection::trustar(connection, profile, timeout)?;
    match command {
        command @ (TrustarCommand::Get { .. } | TrustarCommand::Update { .. }) => {
            get_or_update(&client, command, json, timeout).await
        }
        command => crate::trustar_family::run(&client, command, json, timeout).await,
    }
}

/// `get` and `update`.
async fn get_or_update(
    client: &threat_reports::trustar::TrustarClient,
    command: TrustarCommand,
    json: bool,
    timeout: Duration,
) -> Result<(), Failure> {
    match command {
        TrustarCommand::Get { id, external } => {
            let id = report_id(id, external);
            let report = client
                .get_report(&id)
                .await
                .map_err(|e| not_found_hint(e, &id, timeout))?;
            output::trustar_report(&report, json);
        }
        TrustarCommand::Update {
            id,
            external,
            title,
            body_file,
            append,
            enclave,
            external_url,
            time_began,
            dry_run,
        } => {
            let id = report_id(id, external);
            // Checked before anything is read or sent.
            let time_began = time_began
                .map(|t| t.parse::<api_time::OffsetDateTime>())
                .transpose()
                .map_err(|e| Failure::usage(format!("--time-began: {e}")))?;
            let external_url = external_url.map(checked_url).transpose()?;
            let body = body_file.map(|path| input::text(&path)).transpose()?;
            let appended = append.map(|path| input::text(&path)).transpose()?;
            let report = client
                .get_report(&id)
                .await
                .map_err(|e| not_found_hint(e, &id, timeout))?;
            let mut update = ReportUpdate::from(&report);
            let before = update.clone();
            if let Some(text) = appended {
                if !update.body.is_empty() && !update.body.ends_with('\n') {
                    update.body.push('\n');
                }
                update.body.push_str(&text);
            }
            if let Some(title) = title {
                update.title = title;
            }
            if let Some(body) = body {
                update.body = body;
            }
            if let Some(enclave) = enclave {
                update.enclave_ids = vec![enclave];
            }
            if let Some(url) = external_url {
                update.external_url = Some(url);
            }
            if let Some(time) = time_began {
                update.time_began = Some(time.as_chrono().to_utc());
            }
            if dry_run {
                // Every check the update makes, and its exit code.
                let refused = client
                    .check_update(&id, &update)
                    .err()
                    .map(|e| Failure::of(e, timeout));
                let problem = refused.as_ref().map(|f| f.message.as_str());
                output::dry_run(&before, &update, client.max_indicators(), problem, json);
                if let Some(mut failure) = refused {
                    failure.message = format!("the update would be refused: {}", failure.message);
                    return Err(failure);
                }
            } else {
                client
                    .update_report(&id, &update)
                    .await
                    .map_err(|e| Failure::of(e, timeout))?;
                output::updated(&id, &update, json);
            }
        }
        _ => unreachable!("the other commands are run by trustar_family"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trustar_ids_are_uuids() {
        assert!(looks_internal("3b9a4b6e-8a36-4b0b-9d2e-0a8f2f8b1c11"));
        assert!(!looks_internal("M-1234"));
        assert!(!looks_internal("3b9a4b6e"));
    }

    #[test]
    fn external_urls_must_be_http_urls() {
        assert!(checked_url("https://example.com/r/1".into()).is_ok());
        for bad in ["example.com", "ftp://example.com", "not a url"] {
            let message = checked_url(bad.into()).unwrap_err().message;
            assert!(message.starts_with("--external-url"), "{message}");
        }
    }
}
