//! The root README's first program is `examples/first_program.rs`, word for
//! word, and it runs against the default sandbox with the environment the
//! sandbox's banner prints.

use std::path::PathBuf;
use std::process::Command;

use report_sandbox::{RunningSandbox, Sandbox};

const PROGRAM: &str = include_str!("../examples/first_program.rs");
const ROOT_README: &str = include_str!("../../../README.md");
const CLIENTS: &str = include_str!("../examples/clients.rs");
const CRATE_README: &str = include_str!("../README.md");

/// An example's binary: built beside this test by `cargo test`, or here.
fn example_binary(name: &str) -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    let profile_dir = deps.parent().and_then(|d| d.parent()).unwrap();
    let binary = profile_dir.join("examples").join(name);
    if !binary.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "threat-reports", "--example", name])
            .status()
            .unwrap();
        assert!(status.success(), "cargo build --example {name} failed");
    }
    binary
}

#[test]
fn the_readme_shows_the_first_program_word_for_word() {
    let block = format!("```rust\n{PROGRAM}```");
    assert!(
        ROOT_README.contains(&block),
        "README.md must show examples/first_program.rs in a ```rust block"
    );
}

/// Runs the example `name` with the environment the sandbox's banner
/// prints for both APIs; its standard output, once it succeeded.
async fn run_example(sandbox: &RunningSandbox, name: &'static str) -> String {
    let c = sandbox.credentials().clone();
    let url = sandbox.base_url().to_string();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(example_binary(name))
            .env("XSIAM_API_URL", &url)
            .env("XSIAM_API_KEY_ID", c.xsiam_standard_key_id)
            .env("XSIAM_API_KEY", c.xsiam_standard_key)
            .env("TRUSTAR_BASE_URL", &url)
            .env("TRUSTAR_API_KEY", c.trustar_api_key)
            .env("TRUSTAR_API_SECRET", c.trustar_api_secret)
            .env_remove("XSIAM_AUTH_MODE")
            .env_remove("XSIAM_BODY_ENVELOPE")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn the_first_program_runs_against_the_default_sandbox() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let stdout = run_example(&sandbox, "first_program").await;
    assert_eq!(stdout, "report 777776 is now IN_PROGRESS\n");
    assert_eq!(
        sandbox.state().xsiam_reports[0].report_status.as_deref(),
        Some("IN_PROGRESS")
    );
}

#[test]
fn the_crate_readme_shows_the_clients_example_word_for_word() {
    let block = format!("```rust,no_run\n{CLIENTS}```");
    assert!(
        CRATE_README.contains(&block),
        "crates/threat-reports/README.md must show examples/clients.rs"
    );
}

/// The crate README's example, with the environment the sandbox's banner
/// prints for both APIs.
#[tokio::test]
async fn the_crate_readme_example_runs_against_the_default_sandbox() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let stdout = run_example(&sandbox, "clients").await;
    assert!(
        stdout.starts_with("777776 is now Some(InProgress)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("report with external id \"M-1234\": "),
        "{stdout}"
    );
    let body = sandbox
        .state()
        .trustar_reports
        .iter()
        .find(|r| r.external_tracking_id.as_deref() == Some("M-1234"))
        .and_then(|r| r.report_body.clone())
        .unwrap();
    assert!(body.ends_with("\nSeen again."), "{body}");
}

const ANALYST_LOOP: &str = include_str!("../examples/analyst_loop.rs");

#[test]
fn both_readmes_show_the_analysts_loop_word_for_word() {
    let block = format!("```rust,no_run\n{ANALYST_LOOP}```");
    assert!(
        ROOT_README.contains(&block),
        "README.md must show examples/analyst_loop.rs in a ```rust,no_run block"
    );
    assert!(
        CRATE_README.contains(&block),
        "crates/threat-reports/README.md must show examples/analyst_loop.rs"
    );
}

/// The analyst's loop against the sandbox in both dialects: each new
/// report is assigned, commented once and in progress.
#[tokio::test]
async fn the_analysts_loop_runs_against_the_sandbox_in_both_dialects() {
    for dialect in [
        report_sandbox::XsiamDialect::Page,
        report_sandbox::XsiamDialect::Live,
    ] {
        let sandbox = Sandbox::builder()
            .xsiam_dialect(dialect)
            .start()
            .await
            .unwrap();
        let stdout = run_example(&sandbox, "analyst_loop").await;
        assert_eq!(
            stdout,
            "777777 IN_PROGRESS Suspicious PowerShell on finance hosts\n\
             777779 IN_PROGRESS Credential stuffing against the VPN portal\n",
            "{dialect}"
        );
        let state = sandbox.state();
        for id in ["777777", "777779"] {
            let report = state
                .xsiam_reports
                .iter()
                .find(|r| r.xsoar_source_id.as_deref() == Some(id))
                .unwrap();
            assert_eq!(report.report_status.as_deref(), Some("IN_PROGRESS"));
            assert_eq!(report.assigned_user.as_deref(), Some("analyst@company.com"));
            let comments = state
                .xsiam_comments
                .iter()
                .filter(|c| c.xsoar_source_id == id && c.comment_text == "Triage started")
                .count();
            assert_eq!(comments, 1, "{dialect} {id}");
        }
    }
}

const SUBMIT_AND_TAG: &str = include_str!("../examples/submit_and_tag.rs");

#[test]
fn both_readmes_show_submit_and_tag_word_for_word() {
    let block = format!("```rust,no_run\n{SUBMIT_AND_TAG}```");
    assert!(
        ROOT_README.contains(&block),
        "README.md must show examples/submit_and_tag.rs"
    );
    assert!(
        CRATE_README.contains(&block),
        "crates/threat-reports/README.md must show examples/submit_and_tag.rs"
    );
}

/// Submit, wait for processing, read the indicators, tag: against a
/// sandbox whose processing takes a moment.
#[tokio::test]
async fn submit_and_tag_runs_against_the_sandbox() {
    let sandbox = Sandbox::builder()
        .trustar_processing(std::time::Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let stdout = run_example(&sandbox, "submit_and_tag").await;
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort();
    assert_eq!(lines, ["IP 185.220.101.4", "SOFTWARE evil.exe"], "{stdout}");
    let state = sandbox.state();
    let report = state
        .trustar_reports
        .iter()
        .find(|r| r.external_tracking_id.as_deref() == Some("ticket-4711"))
        .unwrap();
    assert_eq!(report.tags, ["dropper"]);
}
