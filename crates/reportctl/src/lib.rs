//! `reportctl`: the threat-reports facade on the command line. Every
//! command is a thin layer over the library: configuration, input and
//! output live here, report logic in `threat-reports`.
//!
//! Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 over the
//! indicator limit, 130 stopped by Ctrl-C or SIGTERM.

#![forbid(unsafe_code)]

#[macro_use]
mod output;
mod bulk;
mod bulk_submit;
mod cli;
mod config;
mod connection;
mod input;
mod trustar_command;
mod trustar_family;
mod trustar_output;
mod words;
mod xsiam_command;
mod xsiam_output;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use threat_reports::{Error, indicators};

use cli::{Cli, Command, IndicatorsCommand};

/// Why a command did not succeed, and its exit code.
#[derive(Debug)]
pub struct Failure {
    code: u8,
    message: String,
    /// What the library's error said of the answer, for `--json`.
    details: Option<Details>,
}

/// The facts of a library error that `--json` carries beside the text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Details {
    /// The HTTP status of the answer, if one came.
    pub http_status: Option<u16>,
    /// The vendor's error code (XSIAM's `err_code`), if it gave one.
    pub vendor_code: Option<String>,
    /// Whether the same call may succeed later (the library's rule).
    pub retryable: bool,
    /// The request id the server gave, to quote to the vendor.
    pub request_id: Option<String>,
}

impl Details {
    fn of(error: &Error) -> Self {
        Details {
            http_status: error.status(),
            vendor_code: error.vendor_code().map(str::to_string),
            retryable: error.is_retryable(),
            request_id: error.request_id().map(str::to_string),
        }
    }
}

impl Failure {
    /// A usage or configuration error: exit code 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
            details: None,
        }
    }

    /// A failure with its own exit code (130: interrupted).
    pub fn with_code(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
            details: None,
        }
    }

    /// A failure: exit code 1.
    pub fn failed(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
            details: None,
        }
    }
}

/// The exit code an error of the library means.
fn exit_code(error: &Error) -> u8 {
    match error {
        Error::InvalidInput { .. } => 2,
        Error::TooManyIndicators { .. } => 3,
        _ => 1,
    }
}

impl Failure {
    /// An error of the library, in reportctl's words; `timeout` is the
    /// time limit of each attempt, as `--timeout` set it.
    pub fn of(error: Error, timeout: std::time::Duration) -> Self {
        Failure {
            code: exit_code(&error),
            message: words::error(&error, timeout),
            details: Some(Details::of(&error)),
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
    let json = cli.json;
    // Counting and listing need no network: no runtime to start.
    if let Command::Indicators { command } = cli.command {
        return finish(indicators_command(command, json), json);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            return finish(Err(Failure::failed(format!("cannot start: {e}"))), json);
        }
    };
    finish(runtime.block_on(run(cli)), json)
}

/// The exit code of a command's outcome, with its message on stderr (as
/// JSON with `--json`).
fn finish(outcome: Result<(), Failure>, json: bool) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if json {
                let details = failure.details.unwrap_or(Details {
                    http_status: None,
                    vendor_code: None,
                    retryable: false,
                    request_id: None,
                });
                let error = serde_json::json!({
                    "error": failure.message,
                    "exit_code": failure.code,
                    "http_status": details.http_status,
                    "vendor_code": details.vendor_code,
                    "retryable": details.retryable,
                    "request_id": details.request_id,
                });
                eprintln!("{error}");
            } else {
                eprintln!("reportctl: {}", failure.message);
            }
            ExitCode::from(failure.code)
        }
    }
}

/// `indicators count` and `indicators list`.
fn indicators_command(command: IndicatorsCommand, json: bool) -> Result<(), Failure> {
    match command {
        IndicatorsCommand::Count { file, limit } => {
            let text = input::text_or_stdin(file.as_deref())?;
            // Every core: a corpus of many megabytes counts in a fraction
            // of the time; the answer is the same.
            let threads =
                std::thread::available_parallelism().unwrap_or(std::num::NonZeroUsize::MIN);
            let count = indicators::count_parallel(&text, threads);
            output::count(&count, limit, json);
            if count.exceeds(limit) {
                return Err(Failure::with_code(
                    3,
                    format!("{count} is over the limit of {limit}"),
                ));
            }
        }
        IndicatorsCommand::List { file } => {
            let text = input::text_or_stdin(file.as_deref())?;
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
            xsiam_command::run(&connection, &profile, command, json).await?;
        }
        Command::Trustar {
            connection,
            command,
        } => {
            let profile = config::load(cli.config.as_deref(), &cli.profile)?;
            trustar_command::run(&connection, &profile, command, json).await?;
        }
        Command::Indicators { command } => indicators_command(command, json)?,
        Command::Sandbox { options } => {
            let port = options.port;
            let sandbox = options
                .builder()
                .map_err(Failure::usage)?
                .start()
                .await
                .map_err(|e| Failure::failed(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
            if json {
                output::json_line(&serde_json::json!({
                    "url": sandbox.base_url(),
                    "credentials": sandbox.credentials(),
                }));
            } else {
                out!("{}", sandbox.banner().trim_end());
            }
            let _ = tokio::signal::ctrl_c().await;
            sandbox.stop().await;
        }
        Command::Completions { shell } => {
            if json {
                return Err(Failure::usage(
                    "--json does not apply to completions: a completion script is shell code",
                ));
            }
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "reportctl", &mut script);
            output::raw(&script);
        }
    }
    Ok(())
}
