//! [`SandboxOptions`]: every setting of the sandbox as command-line
//! options, shared by the `report-sandbox` binary and `reportctl sandbox`.

use std::path::PathBuf;
use std::time::Duration;

use crate::{
    Credentials, Fault, FaultRates, Sandbox, SandboxBuilder, SandboxState, XsiamAnswerShape,
    XsiamDialect,
};

/// Every setting of the sandbox, as options.
///
/// ```
/// use clap::Parser;
///
/// #[derive(Parser)]
/// struct Cli {
///     #[command(flatten)]
///     sandbox: report_sandbox::SandboxOptions,
/// }
///
/// let cli = Cli::parse_from(["x", "--port", "0", "--xsiam-dialect", "live", "--xsiam-reports", "50"]);
/// assert!(cli.sandbox.builder().is_ok());
/// ```
#[derive(clap::Args, Debug, Clone)]
pub struct SandboxOptions {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Start from the reports in this JSON file (the format of
    /// GET /_sandbox/state) instead of the samples.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// The keys to accept, as a JSON file with the fields of the defaults
    /// printed at start.
    #[arg(long)]
    pub credentials: Option<PathBuf>,
    /// Lifetime of TruSTAR tokens, in seconds.
    #[arg(long, default_value_t = 599)]
    pub token_lifetime: u64,
    /// The most indicators a TruSTAR report may hold.
    #[arg(long, default_value_t = 2000)]
    pub max_indicators: usize,
    /// Milliseconds a TruSTAR report takes to process once written
    /// (`/status` says SUBMISSION_PROCESSING and its indicators are 404
    /// meanwhile), at most a day.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=86_400_000))]
    pub trustar_processing_ms: u64,
    /// A fault for the next requests: `429:COUNT[:WAIT_MS]`, 503:COUNT,
    /// hang:COUNT:MS or drop:COUNT; or for the next updates, after they are
    /// applied: apply_drop:COUNT, apply_503:COUNT or apply_hang:COUNT:MS.
    /// Repeat for more.
    #[arg(long = "fault")]
    pub faults: Vec<Fault>,
    /// Faults at random once the queued ones are used up, e.g.
    /// 503=0.05,429=0.02,drop=0.01,apply_drop=0.01,apply_503=0.01 (and
    /// optionally wait=MS for 429s, seed=N for the generator).
    #[arg(long)]
    pub fault_rates: Option<FaultRates>,
    /// Answer 429 beyond the vendors' rate limits (XSIAM 10/s, TruSTAR 60/min).
    #[arg(long)]
    pub enforce_rate_limits: bool,
    /// Also accept this TruSTAR bearer token, which never expires (for
    /// scripts and fuzzers).
    #[arg(long)]
    pub token: Option<String>,
    /// Which XSIAM to play: page (the vendor page: flat or wrapped bodies,
    /// the page's five labels) or live (live tenants: request_data only,
    /// the seven live labels, validation failures as HTTP 500).
    #[arg(long, default_value_t = XsiamDialect::Page)]
    pub xsiam_dialect: XsiamDialect,
    /// The shape of XSIAM's successful answers: object ({"reply": report}),
    /// data (`{"reply": {"DATA": [report], "COUNT": 1}}`) or array
    /// (`{"reply": [report]}`).
    #[arg(long, default_value_t = XsiamAnswerShape::Object)]
    pub xsiam_answer: XsiamAnswerShape,
    /// Seed N more XSIAM reports, all NEW, with the ids 1000000, 1000001, …
    #[arg(long, default_value_t = 0)]
    pub xsiam_reports: usize,
}

/// A JSON file the options name, read.
fn read_json<T: serde::de::DeserializeOwned>(what: &str, path: &PathBuf) -> Result<T, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the {what} file {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("the {what} file {} is not valid: {e}", path.display()))
}

impl SandboxOptions {
    /// The builder these options describe; an unreadable state or
    /// credentials file is an error that names it.
    pub fn builder(&self) -> Result<SandboxBuilder, String> {
        let args = self.clone();
        let mut builder = Sandbox::builder()
            .port(args.port)
            .token_lifetime(Duration::from_secs(args.token_lifetime))
            .max_indicators(args.max_indicators)
            .trustar_processing(Duration::from_millis(args.trustar_processing_ms))
            .enforce_rate_limits(args.enforce_rate_limits)
            .xsiam_dialect(args.xsiam_dialect)
            .xsiam_answer(args.xsiam_answer)
            .xsiam_reports(args.xsiam_reports);
        if let Some(path) = &args.state {
            let state = read_json::<SandboxState>("state", path)?;
            state
                .check()
                .map_err(|e| format!("the state file {} is not valid: {e}", path.display()))?;
            builder = builder.state(state);
        }
        if let Some(path) = &args.credentials {
            builder = builder.credentials(read_json::<Credentials>("credentials", path)?);
        }
        if let Some(token) = args.token {
            builder = builder.static_token(token);
        }
        if let Some(rates) = args.fault_rates {
            builder = builder.fault_rates(rates);
        }
        for fault in args.faults {
            builder = builder.fault(fault);
        }
        Ok(builder)
    }
}
