//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Report workflows for Cortex XSIAM and TruSTAR, from the shell.
///
/// Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 over the
/// indicator limit.
#[derive(Parser, Debug)]
#[command(name = "reportctl", version, about)]
pub struct Cli {
    /// Print JSON (stable field names) instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// The profile of the config file to use.
    #[arg(long, global = true, default_value = "default")]
    pub profile: String,
    /// The config file (default: $XDG_CONFIG_HOME/threat-reports/config.toml).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Cortex XSIAM MTH/MDR reports.
    Xsiam {
        #[command(flatten)]
        connection: XsiamConnection,
        #[command(subcommand)]
        command: XsiamCommand,
    },
    /// TruSTAR reports.
    Trustar {
        #[command(flatten)]
        connection: TrustarConnection,
        #[command(subcommand)]
        command: TrustarCommand,
    },
    /// Count or list a text's indicators, as TruSTAR extracts them.
    Indicators {
        #[command(subcommand)]
        command: IndicatorsCommand,
    },
    /// Run the local sandbox of both APIs in the foreground.
    Sandbox {
        /// Every option of the `report-sandbox` binary.
        #[command(flatten)]
        options: report_sandbox::SandboxOptions,
    },
    /// Print a shell completion script.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// Where XSIAM is and which key to use; each falls back to the environment
/// (XSIAM_API_URL, XSIAM_API_KEY_ID, XSIAM_API_KEY, XSIAM_AUTH_MODE,
/// XSIAM_BODY_ENVELOPE), then
/// the config file. The key itself is never a flag value: argv is visible
/// to other users.
#[derive(Args, Debug)]
pub struct XsiamConnection {
    /// The tenant's API URL or FQDN.
    #[arg(long)]
    pub url: Option<String>,
    /// The API key's id.
    #[arg(long)]
    pub key_id: Option<String>,
    /// A file holding the API key.
    #[arg(long)]
    pub api_key_file: Option<PathBuf>,
    /// standard or advanced.
    #[arg(long)]
    pub auth_mode: Option<String>,
    /// The update body's envelope: auto (the default: the vendor page's
    /// flat body until the tenant asks for request_data, then wrapped),
    /// flat, or request_data (what live tenants want).
    #[arg(long)]
    pub body_envelope: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum XsiamCommand {
    /// Set a report's status (any spelling: "In Progress", in-progress, …).
    SetStatus {
        /// The report's xsoar_source_id.
        source_id: String,
        /// The new status.
        status: String,
    },
    /// Set the status of many reports from a file: CSV (source_id,status) or
    /// JSON Lines ({"source_id": …, "status": …}), - for standard input.
    /// With --journal, a rerun skips the rows already done.
    BulkStatus {
        /// The rows (a file, or - for standard input).
        file: PathBuf,
        /// Rows in flight at once.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Calls started per second at most (XSIAM allows 10); 0 for no limit.
        #[arg(long, default_value_t = 10)]
        rate: u32,
        /// Attempts per row before it counts as failed (429s, 5xx and
        /// connection failures are retried with backoff).
        #[arg(long, default_value_t = 6)]
        max_attempts: u32,
        /// A JSON Lines journal: one line per finished row, synced to disk;
        /// rows it records as done are skipped.
        #[arg(long)]
        journal: Option<PathBuf>,
    },
}

/// Where TruSTAR is and which credentials to use; each falls back to the
/// environment (TRUSTAR_BASE_URL, TRUSTAR_API_KEY, TRUSTAR_API_SECRET), then
/// the config file. Secrets are never flag values.
#[derive(Args, Debug)]
pub struct TrustarConnection {
    /// The server (default https://api.trustar.co).
    #[arg(long)]
    pub url: Option<String>,
    /// A file holding the API key.
    #[arg(long)]
    pub api_key_file: Option<PathBuf>,
    /// A file holding the API secret.
    #[arg(long)]
    pub api_secret_file: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum TrustarCommand {
    /// Show a report.
    Get {
        /// The report id (TruSTAR's, or yours with --external).
        id: String,
        /// ID is an external tracking id.
        #[arg(long)]
        external: bool,
    },
    /// Change a report: read it, change only the given fields, write it back.
    Update {
        /// The report id (TruSTAR's, or yours with --external).
        id: String,
        /// ID is an external tracking id.
        #[arg(long)]
        external: bool,
        /// A new title.
        #[arg(long)]
        title: Option<String>,
        /// A new body, from this file (- for standard input).
        #[arg(long)]
        body_file: Option<PathBuf>,
        /// A new enclave id.
        #[arg(long)]
        enclave: Option<String>,
        /// A new external URL.
        #[arg(long)]
        external_url: Option<String>,
        /// A new incident time, ISO 8601 with an offset (2016-09-22T11:38:35+00:00).
        #[arg(long)]
        time_began: Option<String>,
        /// Show what would be sent, and its indicator count; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum IndicatorsCommand {
    /// The number of distinct indicators, by kind. Exit code 3 when over the limit.
    Count {
        /// The text (a file, or - or nothing for standard input).
        file: Option<PathBuf>,
        /// The limit to check against.
        #[arg(long, default_value_t = threat_reports::indicators::TRUSTAR_INDICATOR_LIMIT)]
        limit: usize,
    },
    /// Every indicator with its kind, value and byte position.
    List {
        /// The text (a file, or - or nothing for standard input).
        file: Option<PathBuf>,
    },
}
