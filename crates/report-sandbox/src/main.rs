//! `report-sandbox`: serves both APIs on 127.0.0.1 until Ctrl-C.
//!
//! The first line printed is the base URL (`--port 0` picks a free port).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use report_sandbox::{
    Credentials, Fault, FaultRates, Sandbox, SandboxState, XsiamAnswerShape, XsiamDialect,
};

/// A local, stateful stand-in for the XSIAM and TruSTAR report APIs.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Start from the reports in this JSON file (the format of
    /// GET /_sandbox/state) instead of the samples.
    #[arg(long)]
    state: Option<PathBuf>,
    /// The keys to accept, as a JSON file with the fields of the defaults
    /// printed at start.
    #[arg(long)]
    credentials: Option<PathBuf>,
    /// Lifetime of TruSTAR tokens, in seconds.
    #[arg(long, default_value_t = 599)]
    token_lifetime: u64,
    /// The most indicators a TruSTAR report may hold.
    #[arg(long, default_value_t = 2000)]
    max_indicators: usize,
    /// A fault for the next requests: 429:COUNT[:WAIT_MS], 503:COUNT,
    /// hang:COUNT:MS or drop:COUNT. Repeat for more.
    #[arg(long = "fault")]
    faults: Vec<Fault>,
    /// Faults at random once the queued ones are used up, e.g.
    /// 503=0.05,429=0.02,drop=0.01 (and optionally wait=MS for 429s,
    /// seed=N for the generator).
    #[arg(long)]
    fault_rates: Option<FaultRates>,
    /// Answer 429 beyond the vendors' rate limits (XSIAM 10/s, TruSTAR 60/min).
    #[arg(long)]
    enforce_rate_limits: bool,
    /// Also accept this TruSTAR bearer token, which never expires (for
    /// scripts and fuzzers).
    #[arg(long)]
    token: Option<String>,
    /// Which XSIAM to play: page (the vendor page: flat or wrapped bodies,
    /// the page's five labels) or live (live tenants: request_data only,
    /// the seven live labels, validation failures as HTTP 500).
    #[arg(long, default_value_t = XsiamDialect::Page)]
    xsiam_dialect: XsiamDialect,
    /// The shape of XSIAM's successful answers: object ({"reply": report}),
    /// data ({"reply": {"DATA": [report], "COUNT": 1}}) or array
    /// ({"reply": [report]}).
    #[arg(long, default_value_t = XsiamAnswerShape::Object)]
    xsiam_answer: XsiamAnswerShape,
}

fn read_json<T: serde::de::DeserializeOwned>(what: &str, path: &PathBuf) -> Result<T, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the {what} file {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("the {what} file {} is not valid: {e}", path.display()))
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("report-sandbox: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let mut builder = Sandbox::builder()
        .port(args.port)
        .token_lifetime(Duration::from_secs(args.token_lifetime))
        .max_indicators(args.max_indicators)
        .enforce_rate_limits(args.enforce_rate_limits)
        .xsiam_dialect(args.xsiam_dialect)
        .xsiam_answer(args.xsiam_answer);
    if let Some(path) = &args.state {
        builder = builder.state(read_json::<SandboxState>("state", path)?);
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
    let sandbox = builder
        .start()
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    print_banner(&sandbox);
    let _ = tokio::signal::ctrl_c().await;
    sandbox.stop().await;
    Ok(())
}

/// The banner: the base URL first. Whoever started the sandbox may stop
/// reading at any point: a closed stdout is no reason to stop serving.
fn print_banner(sandbox: &report_sandbox::RunningSandbox) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(sandbox.banner().as_bytes());
    let _ = out.flush();
}
