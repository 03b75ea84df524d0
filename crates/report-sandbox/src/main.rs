//! `report-sandbox`: serves both APIs on 127.0.0.1 until Ctrl-C.
//!
//! The first line printed is the base URL (`--port 0` picks a free port).

use std::process::ExitCode;

use clap::Parser;
use report_sandbox::SandboxOptions;

/// A local, stateful stand-in for the XSIAM and TruSTAR report APIs.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    options: SandboxOptions,
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
    let port = args.options.port;
    let builder = args.options.builder()?;
    let sandbox = builder
        .start()
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
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
