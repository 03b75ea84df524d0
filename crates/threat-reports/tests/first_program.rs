//! The root README's first program is `examples/first_program.rs`, word for
//! word, and it runs against the default sandbox with the environment the
//! sandbox's banner prints.

use std::path::PathBuf;
use std::process::Command;

use report_sandbox::Sandbox;

const PROGRAM: &str = include_str!("../examples/first_program.rs");
const ROOT_README: &str = include_str!("../../../README.md");

/// The example's binary: built beside this test by `cargo test`, or here.
fn example_binary() -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    let profile_dir = deps.parent().and_then(|d| d.parent()).unwrap();
    let binary = profile_dir.join("examples").join("first_program");
    if !binary.exists() {
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "-q",
                "-p",
                "threat-reports",
                "--example",
                "first_program",
            ])
            .status()
            .unwrap();
        assert!(
            status.success(),
            "cargo build --example first_program failed"
        );
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

#[tokio::test]
async fn the_first_program_runs_against_the_default_sandbox() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let c = sandbox.credentials().clone();
    let url = sandbox.base_url().to_string();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(example_binary())
            .env("XSIAM_API_URL", url)
            .env("XSIAM_API_KEY_ID", c.xsiam_standard_key_id)
            .env("XSIAM_API_KEY", c.xsiam_standard_key)
            .env_remove("XSIAM_AUTH_MODE")
            .env_remove("XSIAM_BODY_ENVELOPE")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout, "report 777776 is now IN_PROGRESS\n");
    assert_eq!(
        sandbox.state().xsiam_reports[0].report_status.as_deref(),
        Some("IN_PROGRESS")
    );
}
