//! `reportctl`: the threat-reports facade on the command line. Every
//! command is a thin layer over the library: configuration, input and
//! output live here, report logic in `threat-reports`.
//!
//! Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 over the
//! indicator limit.

#![forbid(unsafe_code)]

mod bulk;
mod cli;
mod config;
mod output;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use threat_reports::trustar::{ReportId, TrustarClientBuilder};
use threat_reports::xsiam::XsiamClientBuilder;
use threat_reports::{Error, ReportStatus, indicators};

use cli::{
    Cli, Command, IndicatorsCommand, TrustarCommand, TrustarConnection, XsiamCommand,
    XsiamConnection,
};
use config::{Profile, Setting};

/// Why a command did not succeed, and its exit code.
#[derive(Debug)]
pub struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    /// A usage or configuration error: exit code 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        let code = match &error {
            Error::InvalidInput { .. } => 2,
            Error::TooManyIndicators { .. } => 3,
            _ => 1,
        };
        Failure {
            code,
            message: error.to_string(),
        }
    }
}

/// Runs `reportctl` with these arguments and returns its exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    // Counting and listing need no network: no runtime to start.
    if let Command::Indicators { command } = cli.command {
        return finish(indicators_command(command, cli.json));
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("reportctl: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    finish(runtime.block_on(run(cli)))
}

/// The exit code of a command's outcome, with its message on stderr.
fn finish(outcome: Result<(), Failure>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("reportctl: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// `indicators count` and `indicators list`.
fn indicators_command(command: IndicatorsCommand, json: bool) -> Result<(), Failure> {
    match command {
        IndicatorsCommand::Count { file, limit } => {
            let text = read_input(file.as_deref())?;
            // Every core: a corpus of many megabytes counts in a fraction
            // of the time; the answer is the same.
            let threads =
                std::thread::available_parallelism().unwrap_or(std::num::NonZeroUsize::MIN);
            let count = indicators::count_parallel(&text, threads);
            output::count(&count, limit, json);
            if count.exceeds(limit) {
                return Err(Failure {
                    code: 3,
                    message: format!("{count} is over the limit of {limit}"),
                });
            }
        }
        IndicatorsCommand::List { file } => {
            let text = read_input(file.as_deref())?;
            output::indicators(&indicators::extract(&text), json);
        }
    }
    Ok(())
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let json = cli.json;
    match cli.command {
        Command::Xsiam {
            connection,
            command,
        } => {
            let profile = config::load(cli.config.as_deref(), &cli.profile)?;
            let builder = xsiam_builder(&connection, &profile)?;
            match command {
                XsiamCommand::SetStatus { source_id, status } => {
                    let status: ReportStatus = status.parse().map_err(Error::from)?;
                    // Trimmed as bulk-status trims its rows.
                    let report = builder
                        .build()?
                        .update_report_status(source_id.trim(), status)
                        .await?;
                    output::mth_report(&report, json);
                }
                XsiamCommand::BulkStatus {
                    file,
                    concurrency,
                    rate,
                    max_attempts,
                    journal,
                } => {
                    let builder = builder
                        .retry(threat_reports::RetryPolicy::default().max_attempts(max_attempts));
                    let builder = if rate > 0 {
                        builder.rate_limit(threat_reports::RateLimit::per_second(rate))
                    } else {
                        builder
                    };
                    let client = builder.build()?;
                    let (rows, invalid) = bulk::parse(&read_text(&file)?);
                    let summary =
                        bulk::run(client, rows, &invalid, concurrency, journal.as_deref()).await?;
                    output::bulk_summary(&summary, json);
                    if summary.interrupted {
                        return Err(Failure {
                            code: 130,
                            message: "interrupted; rerun with the same --journal to resume".into(),
                        });
                    }
                    if summary.failed + summary.invalid > 0 {
                        return Err(Failure {
                            code: 1,
                            message: format!(
                                "{} rows failed and {} were invalid",
                                summary.failed, summary.invalid
                            ),
                        });
                    }
                }
            }
        }
        Command::Trustar {
            connection,
            command,
        } => {
            let profile = config::load(cli.config.as_deref(), &cli.profile)?;
            let client = trustar_builder(&connection, &profile)?.build()?;
            match command {
                TrustarCommand::Get { id, external } => {
                    let report = client.get_report(&report_id(id, external)).await?;
                    output::trustar_report(&report, json);
                }
                TrustarCommand::Update {
                    id,
                    external,
                    title,
                    body_file,
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
                    let body = body_file.map(|path| read_text(&path)).transpose()?;
                    let report = client.get_report(&id).await?;
                    let mut update = threat_reports::trustar::ReportUpdate::from(&report);
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
                        update.time_began = Some(time);
                    }
                    if dry_run {
                        output::dry_run(&update, client.max_indicators(), json);
                    } else {
                        client.update_report(&id, &update).await?;
                        output::updated(&id, &update, json);
                    }
                }
            }
        }
        Command::Indicators { command } => indicators_command(command, json)?,
        Command::Sandbox { options } => {
            let port = options.port;
            let sandbox = options
                .builder()
                .map_err(Failure::usage)?
                .start()
                .await
                .map_err(|e| Failure {
                    code: 1,
                    message: format!("cannot listen on 127.0.0.1:{port}: {e}"),
                })?;
            print!("{}", sandbox.banner());
            let _ = tokio::signal::ctrl_c().await;
            sandbox.stop().await;
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "reportctl",
                &mut std::io::stdout(),
            );
        }
    }
    Ok(())
}

fn report_id(id: String, external: bool) -> ReportId {
    if external {
        ReportId::External(id)
    } else {
        ReportId::Internal(id)
    }
}

/// A file's text, or standard input for `-`.
fn read_text(path: &Path) -> Result<String, Failure> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
        return Ok(text);
    }
    std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))
}

/// A file's text, or standard input when there is no file or it is `-`.
fn read_input(path: Option<&Path>) -> Result<String, Failure> {
    read_text(path.unwrap_or(Path::new("-")))
}

/// Names the facade's settings resolved from flags, environment and profile.
fn lookup(resolved: BTreeMap<&'static str, String>) -> impl Fn(&str) -> Option<String> {
    move |name| resolved.get(name).cloned()
}

/// A configuration error says where settings come from.
fn configuration(error: Error, profile: &Profile) -> Failure {
    Failure::usage(format!(
        "{error}\n(settings come from flags, then the environment, then the profile in {})",
        profile.describe()
    ))
}

fn xsiam_builder(c: &XsiamConnection, profile: &Profile) -> Result<XsiamClientBuilder, Failure> {
    let settings = vec![
        Setting {
            name: "XSIAM_API_URL",
            flag: c.url.clone(),
            flag_file: None,
            config_key: "xsiam_url",
            config_is_file: false,
        },
        Setting {
            name: "XSIAM_API_KEY_ID",
            flag: c.key_id.clone(),
            flag_file: None,
            config_key: "xsiam_key_id",
            config_is_file: false,
        },
        Setting {
            name: "XSIAM_API_KEY",
            flag: None,
            flag_file: c.api_key_file.as_deref(),
            config_key: "xsiam_api_key_file",
            config_is_file: true,
        },
        Setting {
            name: "XSIAM_AUTH_MODE",
            flag: c.auth_mode.clone(),
            flag_file: None,
            config_key: "xsiam_auth_mode",
            config_is_file: false,
        },
        Setting {
            name: "XSIAM_BODY_ENVELOPE",
            flag: c.body_envelope.clone(),
            flag_file: None,
            config_key: "xsiam_body_envelope",
            config_is_file: false,
        },
    ];
    let resolved = config::resolve(settings, profile)?;
    XsiamClientBuilder::from_vars(lookup(resolved)).map_err(|e| configuration(e, profile))
}

fn trustar_builder(
    c: &TrustarConnection,
    profile: &Profile,
) -> Result<TrustarClientBuilder, Failure> {
    let settings = vec![
        Setting {
            name: "TRUSTAR_BASE_URL",
            flag: c.url.clone(),
            flag_file: None,
            config_key: "trustar_url",
            config_is_file: false,
        },
        Setting {
            name: "TRUSTAR_API_KEY",
            flag: None,
            flag_file: c.api_key_file.as_deref(),
            config_key: "trustar_api_key_file",
            config_is_file: true,
        },
        Setting {
            name: "TRUSTAR_API_SECRET",
            flag: None,
            flag_file: c.api_secret_file.as_deref(),
            config_key: "trustar_api_secret_file",
            config_is_file: true,
        },
    ];
    let resolved = config::resolve(settings, profile)?;
    TrustarClientBuilder::from_vars(lookup(resolved)).map_err(|e| configuration(e, profile))
}
