//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The exit codes, as every `--help` lists them.
pub const EXIT_CODES: &str = "\
Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 over the
indicator limit, 130 stopped by Ctrl-C or SIGTERM.";

/// Report workflows for Cortex XSIAM and TruSTAR, from the shell.
///
/// Connection flags (--url, --key-id, --api-key-file, …) go after `xsiam`
/// or `trustar`, before or after the command: `reportctl xsiam --url U
/// set-status 1 closed` and `reportctl xsiam set-status 1 closed --url U`
/// are the same. --json, --profile and --config go anywhere.
#[derive(Parser, Debug)]
#[command(name = "reportctl", version, about, after_help = EXIT_CODES)]
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
    #[command(after_help = EXIT_CODES)]
    Xsiam {
        #[command(flatten)]
        connection: XsiamConnection,
        #[command(subcommand)]
        command: XsiamCommand,
    },
    /// TruSTAR reports.
    #[command(after_help = EXIT_CODES)]
    Trustar {
        #[command(flatten)]
        connection: TrustarConnection,
        #[command(subcommand)]
        command: TrustarCommand,
    },
    /// Count or list a text's indicators, as TruSTAR extracts them.
    #[command(after_help = EXIT_CODES)]
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
    #[arg(long, global = true)]
    pub url: Option<String>,
    /// The API key's id.
    #[arg(long, global = true)]
    pub key_id: Option<String>,
    /// A file holding the API key.
    #[arg(long, global = true)]
    pub api_key_file: Option<PathBuf>,
    /// standard or advanced.
    #[arg(long, global = true)]
    pub auth_mode: Option<String>,
    /// The update body's envelope: auto (the default: the vendor page's
    /// flat body until the tenant asks for request_data, then wrapped),
    /// flat, or request_data (what live tenants want).
    #[arg(long, global = true)]
    pub body_envelope: Option<String>,
    /// A proxy for every request (http://, https:// or socks5://); without
    /// it, HTTPS_PROXY/ALL_PROXY apply, but never to a loopback URL.
    #[arg(long, global = true, value_name = "URL")]
    pub proxy: Option<String>,
    /// A PEM file of root certificates to trust besides the system's (a
    /// TLS-inspecting proxy's).
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Seconds to wait for each attempt's answer.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = crate::words::DEFAULT_TIMEOUT_SECONDS)]
    pub timeout: u64,
}

#[derive(Subcommand, Debug)]
pub enum XsiamCommand {
    /// Show reports by source id (xsoar_source_id), in one call.
    #[command(after_help = EXIT_CODES)]
    Get {
        /// The reports' source ids.
        #[arg(required = true, value_name = "SOURCE_ID")]
        source_ids: Vec<String>,
    },
    /// List the tenant's reports: all of them, those in any of the
    /// statuses given, or those of the incidents given (both: those of the
    /// incidents in any of the statuses). XSIAM does not page: every
    /// report that matches comes in one answer.
    #[command(after_help = EXIT_CODES)]
    List {
        /// A status, any spelling ("On Hold", on-hold, ON_HOLD); repeat for
        /// more.
        #[arg(long = "status", value_name = "STATUS")]
        statuses: Vec<String>,
        /// An incident id; repeat for more.
        #[arg(long = "incident", value_name = "ID")]
        incidents: Vec<String>,
    },
    /// Assign a report to a user of the tenant (an email).
    #[command(after_help = EXIT_CODES)]
    Assign {
        /// The report's source id.
        source_id: String,
        /// The assignee's email (checked by the tenant).
        user: String,
        /// The assignee's display name.
        #[arg(long, value_name = "NAME")]
        username: Option<String>,
    },
    /// Clear a report's assignment.
    #[command(after_help = EXIT_CODES)]
    Unassign {
        /// The report's source id.
        source_id: String,
    },
    /// Add a comment to a report. Never posted twice: a lost answer is
    /// resolved by reading the report's comments back.
    #[command(after_help = EXIT_CODES)]
    Comment {
        /// The report's source id.
        source_id: String,
        /// The comment (at most 4096 characters).
        text: String,
        /// Who wrote it (an email or a name).
        #[arg(long, value_name = "WHO")]
        author: String,
        /// The storage key of a file already uploaded to XSIAM
        /// (comment/..., add_comment/..., ...).
        #[arg(long, value_name = "KEY")]
        attachment: Option<String>,
        /// Have XSIAM unpack the attachment (a zip).
        #[arg(long, requires = "attachment")]
        extract_zip: bool,
    },
    /// Show a report's comments, or every comment made between --since
    /// and --until (RFC 3339, or milliseconds since the Unix epoch).
    #[command(after_help = EXIT_CODES)]
    Comments {
        /// The report's source id.
        #[arg(required_unless_present = "since", conflicts_with_all = ["since", "until"])]
        source_id: Option<String>,
        /// The start of the window.
        #[arg(long, value_name = "TIME", requires = "until")]
        since: Option<String>,
        /// The end of the window.
        #[arg(long, value_name = "TIME", requires = "since")]
        until: Option<String>,
    },
    /// Set a report's status (any spelling: "In Progress", in-progress, …).
    #[command(after_help = EXIT_CODES)]
    SetStatus {
        /// The report's xsoar_source_id.
        source_id: String,
        /// The new status.
        status: String,
        /// Attempts before giving up (429s, 5xx and connection failures are
        /// retried with backoff); 1 means no retries.
        #[arg(long, default_value_t = 4)]
        max_attempts: u32,
    },
    /// Set the status of many reports from a file: CSV (source_id,status) or
    /// JSON Lines ({"source_id": …, "status": …}), - for standard input;
    /// UTF-8, lines ending in LF or CRLF. The file's last row for a report
    /// decides its status. With --journal, a rerun skips the rows already
    /// done and never sends a row older than one already done for the same
    /// report. Ctrl-C (or SIGTERM) lets the rows in flight finish; a second
    /// Ctrl-C stops at once.
    #[command(after_help = EXIT_CODES)]
    BulkStatus {
        /// The rows (a file, or - for standard input).
        file: PathBuf,
        /// Rows in flight at once (at most 256).
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
        /// rows it records as done are skipped. One run uses a journal at a
        /// time.
        #[arg(long)]
        journal: Option<PathBuf>,
        /// Write the rows that failed, and the invalid ones with why, to this
        /// file, as CSV to (fix and) rerun.
        #[arg(long, value_name = "FILE")]
        failed: Option<PathBuf>,
        /// Check the whole file and show what would be sent (and what the
        /// journal would skip); send nothing, change no journal.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Where TruSTAR is and which credentials to use; each falls back to the
/// environment (TRUSTAR_BASE_URL, TRUSTAR_API_KEY, TRUSTAR_API_SECRET), then
/// the config file. Secrets are never flag values.
#[derive(Args, Debug)]
pub struct TrustarConnection {
    /// The server (default https://api.trustar.co).
    #[arg(long, global = true)]
    pub url: Option<String>,
    /// A file holding the API key.
    #[arg(long, global = true)]
    pub api_key_file: Option<PathBuf>,
    /// A file holding the API secret.
    #[arg(long, global = true)]
    pub api_secret_file: Option<PathBuf>,
    /// The most indicators a report may hold before it is refused unsent
    /// (default 2000, TruSTAR's update page; some of its pages say 500).
    #[arg(long, global = true, value_name = "N")]
    pub max_indicators: Option<usize>,
    /// A proxy for every request (http://, https:// or socks5://); without
    /// it, HTTPS_PROXY/ALL_PROXY apply, but never to a loopback URL.
    #[arg(long, global = true, value_name = "URL")]
    pub proxy: Option<String>,
    /// A PEM file of root certificates to trust besides the system's (a
    /// TLS-inspecting proxy's).
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Seconds to wait for each attempt's answer.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = crate::words::DEFAULT_TIMEOUT_SECONDS)]
    pub timeout: u64,
}

#[derive(Subcommand, Debug)]
pub enum TrustarCommand {
    /// Submit a new report from a file (- for standard input); prints its id.
    #[command(after_help = EXIT_CODES)]
    Submit {
        /// The report's body.
        body_file: PathBuf,
        /// Its title.
        #[arg(long)]
        title: String,
        /// The enclave id to submit it to.
        #[arg(long)]
        enclave: String,
        /// Your tracking id: with one, a lost answer is read back instead
        /// of risking a second report.
        #[arg(long)]
        external_id: Option<String>,
        /// The URL of the report it comes from (http or https).
        #[arg(long)]
        external_url: Option<String>,
        /// When the incident began (RFC 3339 with an offset, or epoch ms).
        #[arg(long)]
        time_began: Option<String>,
        /// Check everything and show the indicator count; send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Over the indicator limit, cut the report into the fewest parts
        /// that fit (at blank lines, then line breaks, then spaces) and
        /// submit them as "TITLE (i/N)", external ids, …
        #[arg(long)]
        split: bool,
    },
    /// Submit many reports: a folder (each regular file one report, titled
    /// by its name without extension) or JSON Lines ({"title", "body",
    /// "external_id"?, "external_url"?, "time_began"?, "enclave"?}), -
    /// for standard input. Each input ends as exactly one report (or one
    /// set of parts with --split): every input carries an external id (its
    /// own, or one derived from its name and content), a lost answer is
    /// read back by it, and a rerun finds what is already there. With
    /// --journal, a rerun skips the inputs done.
    #[command(after_help = EXIT_CODES)]
    BulkSubmit {
        /// A folder, a JSON Lines file, or - for standard input.
        path: PathBuf,
        /// The enclave id to submit to (a JSON Lines input may name its own).
        #[arg(long)]
        enclave: String,
        /// A JSON Lines journal: inputs it records as done are skipped.
        #[arg(long)]
        journal: Option<PathBuf>,
        /// Inputs in flight at once.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Calls per minute at most, read-backs and parts included
        /// (TruSTAR allows 60 a user); 0 for no limit.
        #[arg(long, default_value_t = 50)]
        rate: u32,
        /// Cut inputs over the indicator limit into parts that fit;
        /// without it they are reported and the run goes on.
        #[arg(long)]
        split: bool,
        /// Write the inputs not submitted, with why, to this file (CSV).
        #[arg(long, value_name = "FILE")]
        failed: Option<PathBuf>,
    },
    /// Submit a report, or update the one with this external id.
    #[command(after_help = EXIT_CODES)]
    Upsert {
        /// The report's body (- for standard input).
        body_file: PathBuf,
        /// Its title.
        #[arg(long)]
        title: String,
        /// Its enclave id.
        #[arg(long)]
        enclave: String,
        /// Your tracking id: the key of the upsert.
        #[arg(long)]
        external_id: String,
        /// Add the body to the stored one instead of replacing it.
        #[arg(long)]
        append: bool,
    },
    /// Delete a report.
    #[command(after_help = EXIT_CODES)]
    Delete {
        /// The report id (TruSTAR's, or yours with --external).
        id: String,
        /// ID is an external tracking id.
        #[arg(long)]
        external: bool,
    },
    /// Whether TruSTAR has processed a report.
    #[command(after_help = EXIT_CODES)]
    Status {
        /// The report id (TruSTAR's, or yours with --external).
        id: String,
        /// ID is an external tracking id.
        #[arg(long)]
        external: bool,
    },
    /// Search reports by text (title and body), newest first, over any
    /// time range (the API's year and 10,000-result limits are worked
    /// around).
    #[command(after_help = EXIT_CODES)]
    Search {
        /// The text to find (at least 3 characters); none lists all.
        term: Option<String>,
        #[command(flatten)]
        range: ReportRange,
        /// At most this many reports.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// List the reports updated in a time range, newest first (each report
    /// once, however the API's 24-hour windows fall).
    #[command(after_help = EXIT_CODES)]
    List {
        #[command(flatten)]
        range: ReportRange,
    },
    /// The indicators TruSTAR extracted from a report.
    #[command(after_help = EXIT_CODES)]
    Indicators {
        /// The report id (TruSTAR's, or yours with --external).
        id: String,
        /// ID is an external tracking id.
        #[arg(long)]
        external: bool,
        /// Set them beside this project's own count of the report's body:
        /// what each found that the other did not.
        #[arg(long)]
        compare: bool,
    },
    /// Show a report's tags, or change them.
    #[command(after_help = EXIT_CODES)]
    Tags {
        /// The report id (TruSTAR's, or yours with --external).
        id: String,
        /// ID is an external tracking id.
        #[arg(long)]
        external: bool,
        /// A tag to add (repeat for more).
        #[arg(long = "add", value_name = "TAG")]
        add: Vec<String>,
        /// A tag to remove (repeat for more).
        #[arg(long = "remove", value_name = "TAG")]
        remove: Vec<String>,
    },
    /// The enclaves you can see, with your rights in each.
    #[command(after_help = EXIT_CODES)]
    Enclaves,
    /// Copy a report to another enclave; prints the copy's id.
    #[command(after_help = EXIT_CODES)]
    Copy {
        /// The report's TruSTAR id.
        id: String,
        /// The enclave id to copy it to.
        #[arg(long = "to", value_name = "ENCLAVE")]
        to: String,
    },
    /// Move a report to another enclave.
    #[command(after_help = EXIT_CODES)]
    Move {
        /// The report's TruSTAR id.
        id: String,
        /// The enclave id to move it to.
        #[arg(long = "to", value_name = "ENCLAVE")]
        to: String,
    },
    /// The company's request quotas.
    #[command(after_help = EXIT_CODES)]
    Quotas,
    /// Show a report.
    #[command(after_help = EXIT_CODES)]
    Get {
        /// The report id (TruSTAR's, or yours with --external).
        id: String,
        /// ID is an external tracking id.
        #[arg(long)]
        external: bool,
    },
    /// Change a report: read it, change only the given fields, write it back.
    #[command(after_help = EXIT_CODES)]
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
        #[arg(long, conflicts_with = "append")]
        body_file: Option<PathBuf>,
        /// Text to add at the end of the body, from this file (- for
        /// standard input), on a new line; read and written in one step.
        #[arg(long, value_name = "FILE")]
        append: Option<PathBuf>,
        /// A new enclave id.
        #[arg(long)]
        enclave: Option<String>,
        /// A new external URL (http or https, at most 500 characters).
        #[arg(long)]
        external_url: Option<String>,
        /// A new incident time, ISO 8601 with an offset (2016-09-22T11:38:35+00:00).
        #[arg(long)]
        time_began: Option<String>,
        /// Read the report and run every check of the update, show what
        /// would be sent and its indicator count, and exit as the update
        /// would (3 over the limit, 2 for invalid input); send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum IndicatorsCommand {
    /// The number of distinct indicators, by kind. Exit code 3 when over the limit.
    #[command(after_help = EXIT_CODES)]
    Count {
        /// The text (a file, or - or nothing for standard input).
        file: Option<PathBuf>,
        /// The limit to check against.
        #[arg(long, default_value_t = threat_reports::indicators::TRUSTAR_INDICATOR_LIMIT)]
        limit: usize,
    },
    /// Every indicator with its kind, value and byte position.
    #[command(after_help = EXIT_CODES)]
    List {
        /// The text (a file, or - or nothing for standard input).
        file: Option<PathBuf>,
    },
}

/// The time range, enclaves and tags of a list or search.
#[derive(Args, Debug)]
pub struct ReportRange {
    /// Reports updated since (RFC 3339, or epoch ms); default a day ago.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Reports updated until (RFC 3339, or epoch ms); default now.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only this enclave (repeat for more).
    #[arg(long = "enclave", value_name = "ID")]
    pub enclaves: Vec<String>,
    /// Only reports with this tag (repeat: all of them).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// No report with this tag (repeat: none of them).
    #[arg(long = "exclude-tag", value_name = "TAG")]
    pub excluded_tags: Vec<String>,
}
