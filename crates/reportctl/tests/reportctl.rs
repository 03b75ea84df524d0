//! `reportctl` run as a user runs it, against the sandbox: output, exit
//! codes, configuration from flags, environment and profiles.

mod common;

use common::{reportctl, server};
use serde_json::Value;

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn set_status_accepts_any_spelling_and_prints_the_canonical_status() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    let output = reportctl(Some(&server), home.path())
        .args(["xsiam", "set-status", "777777", "in-progress"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("status          IN_PROGRESS"), "{text}");
    assert!(
        text.contains("name            Suspicious PowerShell on finance hosts"),
        "{text}"
    );
    assert_eq!(
        server.sandbox.state().xsiam_reports[1]
            .report_status
            .as_deref(),
        Some("IN_PROGRESS")
    );

    let output = reportctl(Some(&server), home.path())
        .args(["--json", "xsiam", "set-status", "777776", "CLOSED"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["status"], "CLOSED");
    assert_eq!(report["source_id"], "777776");
    assert_eq!(report["attachments"][0]["name"], "sample.pdf");
    assert_eq!(report["classification"], "MTH");
}

#[test]
fn exit_codes_tell_usage_from_failure() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    // An unknown status: usage, with the accepted values.
    let output = reportctl(Some(&server), home.path())
        .args(["xsiam", "set-status", "777777", "done"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("New, In Progress, Pending, Resolved, Closed, On Hold"),
        "{}",
        stderr(&output)
    );
    // The server's generic error for an unknown id: a failure.
    let output = reportctl(Some(&server), home.path())
        .args(["xsiam", "set-status", "nope", "New"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("HTTP 500"), "{}", stderr(&output));
    // No configuration at all: usage, saying where settings come from.
    let output = reportctl(None, home.path())
        .args(["xsiam", "set-status", "1", "New"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("XSIAM_API_URL"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("flags, then the environment, then the profile"),
        "{}",
        stderr(&output)
    );
    // A secret is never a flag value.
    let output = reportctl(None, home.path())
        .args(["xsiam", "--api-key", "k", "set-status", "1", "New"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn trustar_get_and_update_change_only_the_given_fields() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    let output = reportctl(Some(&server), home.path())
        .args(["--json", "trustar", "get", "M-1234", "--external"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["title"], "curl api-report");
    assert_eq!(report["time_began"], "2016-09-22T11:38:35Z");

    let body = home.path().join("body.txt");
    std::fs::write(&body, "New body: evil.exe and 185.220.101.4").unwrap();
    // A dry run sends nothing.
    let output = reportctl(Some(&server), home.path())
        .args([
            "trustar",
            "update",
            "M-1234",
            "--external",
            "--title",
            "Renamed",
            "--body-file",
        ])
        .arg(&body)
        .arg("--dry-run")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("nothing was sent"));
    assert!(stdout(&output).contains("2 indicators: 1 IP, 1 SOFTWARE"));
    assert_eq!(
        server.sandbox.state().trustar_reports[0].title.as_deref(),
        Some("curl api-report")
    );

    let output = reportctl(Some(&server), home.path())
        .args([
            "trustar",
            "update",
            "M-1234",
            "--external",
            "--title",
            "Renamed",
            "--body-file",
        ])
        .arg(&body)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let stored = &server.sandbox.state().trustar_reports[0];
    assert_eq!(stored.title.as_deref(), Some("Renamed"));
    assert_eq!(
        stored.report_body.as_deref(),
        Some("New body: evil.exe and 185.220.101.4")
    );
    assert_eq!(
        stored.external_tracking_id.as_deref(),
        Some("M-1234"),
        "other fields kept"
    );
    assert_eq!(
        stored.time_began,
        Some(1_474_544_315_000),
        "other fields kept"
    );

    // Too many indicators: exit 3, and nothing changes.
    let big: String = (0..2001)
        .map(|i| format!("CVE-2024-{:05}\n", 10_000 + i))
        .collect();
    std::fs::write(&body, big).unwrap();
    let output = reportctl(Some(&server), home.path())
        .args(["trustar", "update", "M-1234", "--external", "--body-file"])
        .arg(&body)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("2001 indicators: 2001 CVE"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        server.sandbox.state().trustar_reports[0].title.as_deref(),
        Some("Renamed")
    );

    let output = reportctl(Some(&server), home.path())
        .args([
            "trustar",
            "update",
            "M-1234",
            "--external",
            "--time-began",
            "yesterday",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--time-began"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn indicators_count_and_list() {
    let home = tempfile::tempdir().unwrap();
    let text = "Beacon to 185.220.101.4 from evil.exe; see hxxp://bad[.]com/x";
    let output = reportctl(None, home.path())
        .args(["indicators", "count"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        stdout(&output).starts_with("3 indicators: 1 IP, 1 URL, 1 SOFTWARE\n"),
        "{}",
        stdout(&output)
    );

    let output = reportctl(None, home.path())
        .args(["--json", "indicators", "count", "--limit", "2", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let count: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(count["total"], 3);
    assert_eq!(count["over_limit"], true);
    assert_eq!(count["by_kind"]["URL"], 1);

    let output = reportctl(None, home.path())
        .args(["--json", "indicators", "list"])
        .write_stdin(text)
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(list[2]["kind"], "URL");
    assert_eq!(list[2]["value"], "http://bad.com/x");
    let span = (list[2]["span"]["start"].as_u64().unwrap() as usize)
        ..(list[2]["span"]["end"].as_u64().unwrap() as usize);
    assert_eq!(&text[span], "hxxp://bad[.]com/x");
}

#[test]
fn settings_come_from_a_config_profile_with_secrets_in_files() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    let c = server.sandbox.credentials();
    let key_file = home.path().join("xsiam-key");
    std::fs::write(&key_file, format!("{}\n", c.xsiam_advanced_key)).unwrap();
    let dir = home.path().join("threat-reports");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[profiles.lab]\nxsiam_url = \"{}\"\nxsiam_key_id = \"{}\"\nxsiam_api_key_file = \"{}\"\nxsiam_auth_mode = \"advanced\"\n",
            server.sandbox.base_url(),
            c.xsiam_advanced_key_id,
            key_file.display()
        ),
    )
    .unwrap();
    let output = reportctl(None, home.path())
        .args([
            "--profile",
            "lab",
            "xsiam",
            "set-status",
            "777778",
            "Resolved",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        server.sandbox.state().xsiam_reports[2]
            .report_status
            .as_deref(),
        Some("RESOLVED")
    );

    // A flag wins over the profile; an unknown profile is a usage error.
    let output = reportctl(None, home.path())
        .args([
            "--profile",
            "lab",
            "xsiam",
            "--url",
            "http://127.0.0.1:9",
            "set-status",
            "777778",
            "New",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "the flag's unreachable URL was used"
    );
    let output = reportctl(None, home.path())
        .args(["--profile", "nope", "xsiam", "set-status", "1", "New"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("[profiles.nope]"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn completions_are_generated() {
    let home = tempfile::tempdir().unwrap();
    let output = reportctl(None, home.path())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(stdout(&output).contains("reportctl"));
    assert!(stdout(&output).contains("set-status"));
}

#[test]
fn the_sandbox_command_serves_both_apis_in_the_foreground() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_reportctl"))
        .args(["sandbox", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim().to_string();
    let home = tempfile::tempdir().unwrap();
    let output = reportctl(None, home.path())
        .args([
            "xsiam",
            "--url",
            &url,
            "--key-id",
            "1",
            "set-status",
            "777776",
            "New",
        ])
        .env("XSIAM_API_KEY", "sandbox-standard-key")
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("NEW"));
}

/// `reportctl sandbox` takes every option of the `report-sandbox` binary:
/// here the live dialect, more seeded reports, a fault after the update is
/// applied, and a state file.
#[test]
fn the_sandbox_command_takes_every_option_of_the_sandbox_binary() {
    use std::io::{BufRead, BufReader};
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_reportctl"))
        .args(["sandbox", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for option in [
        "--state",
        "--credentials",
        "--token-lifetime",
        "--max-indicators",
        "--fault ",
        "--fault-rates",
        "--enforce-rate-limits",
        "--token",
        "--xsiam-dialect",
        "--xsiam-answer",
        "--xsiam-reports",
    ] {
        assert!(help.contains(option), "{option} missing from:\n{help}");
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_reportctl"))
        .args([
            "sandbox",
            "--port",
            "0",
            "--xsiam-dialect",
            "live",
            "--xsiam-answer",
            "data",
            "--xsiam-reports",
            "5",
            "--fault",
            "apply_503:1",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim().to_string();
    let home = tempfile::tempdir().unwrap();
    let output = reportctl(None, home.path())
        .args([
            "xsiam",
            "--url",
            &url,
            "--key-id",
            "1",
            "set-status",
            "1000004",
            "resolved tp",
        ])
        .env("XSIAM_API_KEY", "sandbox-standard-key")
        .output()
        .unwrap();
    let state: serde_json::Value = tokio::runtime::Runtime::new().unwrap().block_on(async {
        // The facade's TLS, ready: reqwest is built here without a default
        // crypto provider (see threat_reports::http_client_builder).
        threat_reports::http_client_builder()
            .unwrap()
            .build()
            .unwrap()
            .get(format!("{url}/_sandbox/state"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(output.status.success(), "{}", stderr(&output));
    // The apply-fault met the first update request, the flat probe, which a
    // live tenant refuses (nothing applied): its 503 was retried, flat
    // again, then answered 101; the wrapped update was applied once.
    assert_eq!(state["faults_injected"]["apply_503"], 1);
    assert_eq!(state["xsiam_bodies"]["flat"], 2);
    assert_eq!(state["xsiam_bodies"]["request_data"], 1);
    assert_eq!(state["xsiam_update_counts"]["1000004"], 1);
    let report = state["xsiam_reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["XSOAR_SOURCE_ID"] == "1000004")
        .unwrap();
    assert_eq!(report["REPORT_STATUS"], "RESOLVED_TP");
}

/// A profile takes `xsiam_key_id = 2` as written for a number, and an
/// unknown key (a typo) is an error that lists the known ones;
/// `--auth-mode` ignores case; `set-status` trims the id as bulk rows are.
#[test]
fn profiles_take_whole_numbers_and_refuse_unknown_keys() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    let c = server.sandbox.credentials();
    let key_file = home.path().join("xsiam-key");
    std::fs::write(&key_file, format!("{}\n", c.xsiam_advanced_key)).unwrap();
    let dir = home.path().join("threat-reports");
    std::fs::create_dir_all(&dir).unwrap();
    let config = |extra: &str| {
        std::fs::write(
            dir.join("config.toml"),
            format!(
                "[profiles.lab]\nxsiam_url = \"{}\"\nxsiam_key_id = {}\nxsiam_api_key_file = \"{}\"\n{extra}",
                server.sandbox.base_url(),
                c.xsiam_advanced_key_id,
                key_file.display()
            ),
        )
        .unwrap();
    };
    config("");
    let output = reportctl(None, home.path())
        .args([
            "--profile",
            "lab",
            "xsiam",
            "--auth-mode",
            "ADVANCED",
            "set-status",
            " 777778 ",
            "pending",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        server.sandbox.state().xsiam_reports[2]
            .report_status
            .as_deref(),
        Some("PENDING")
    );
    config("xsiam_keyid = \"3\"\n");
    let output = reportctl(None, home.path())
        .args(["--profile", "lab", "xsiam", "set-status", "777778", "new"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains("unknown key \"xsiam_keyid\""), "{text}");
    assert!(text.contains("xsiam_key_id, xsiam_api_key_file"), "{text}");
}

/// `--json` errors carry what the library error carries: the HTTP status,
/// the vendor's code, whether a retry may help, the request id.
#[test]
fn json_errors_carry_the_status_code_retryable_and_request_id() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    let output = reportctl(Some(&server), home.path())
        .args(["--json", "xsiam", "set-status", "999999", "in progress"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let error: Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(error["http_status"], 500, "{error}");
    assert_eq!(error["retryable"], false, "{error}");
    assert_eq!(error["exit_code"], 1);
    assert!(error["error"].as_str().unwrap().contains("500"), "{error}");
    for key in ["vendor_code", "request_id"] {
        assert!(error.get(key).is_some(), "{key} missing: {error}");
    }

    // A usage error has no answer behind it.
    let output = reportctl(Some(&server), home.path())
        .args(["--json", "xsiam", "set-status", "777776", "in progres"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error: Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(error["http_status"], Value::Null);
    assert_eq!(error["retryable"], false);
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("did you mean \\\"In Progress\\\"")
            || error["error"].as_str().unwrap().contains("did you mean"),
        "{error}"
    );
}

/// `indicators list` prints three aligned columns.
#[test]
fn indicators_list_aligns_its_columns() {
    let home = tempfile::tempdir().unwrap();
    let text = "see 8.8.8.8 and hxxp://bad[.]com/x then CVE-2021-44228 at 10.0.0.1";
    let output = reportctl(None, home.path())
        .args(["indicators", "list"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    let lines: Vec<&str> = printed.lines().collect();
    assert!(lines.len() >= 3, "{printed}");
    let value_column = |line: &str, value: &str| line.find(value).unwrap();
    let columns: Vec<usize> = lines
        .iter()
        .map(|line| value_column(line, line.split_whitespace().last().unwrap()))
        .collect();
    assert!(columns.windows(2).all(|w| w[0] == w[1]), "{printed}");
}

/// `set-status --max-attempts`: with 1, a 429 is not retried and the
/// message speaks of flags; with more, the retries get through.
#[test]
fn set_status_takes_max_attempts_and_a_rate_limit_speaks_of_flags() {
    use report_sandbox::{Fault, FaultKind};
    let server = common::with_reports_and_faults(
        1,
        &[Fault {
            kind: FaultKind::TooManyRequests { wait_ms: 5 },
            count: 2,
        }],
    );
    let home = tempfile::tempdir().unwrap();
    let output = reportctl(Some(&server), home.path())
        .args([
            "xsiam",
            "set-status",
            "r0000",
            "in progress",
            "--max-attempts",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("after 1 attempt(s)"), "{text}");
    assert!(
        text.contains("--max-attempts") && text.contains("--rate"),
        "{text}"
    );
    assert!(!text.contains("RetryPolicy"), "{text}");

    let output = reportctl(Some(&server), home.path())
        .args([
            "xsiam",
            "set-status",
            "r0000",
            "in progress",
            "--max-attempts",
            "3",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        common::status_of(&server, "r0000").as_deref(),
        Some("IN_PROGRESS")
    );

    let output = reportctl(Some(&server), home.path())
        .args(["xsiam", "set-status", "r0000", "new", "--max-attempts", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// `trustar update --append FILE` adds to the body in one step (read,
/// append, write back), `--dry-run` shows the change and sends nothing;
/// `--max-indicators` sets the limit, and the server's 413 advice names it.
#[test]
fn trustar_update_appends_and_max_indicators_sets_the_limit() {
    let server = common::server_with(report_sandbox::Sandbox::builder().max_indicators(6));
    let home = tempfile::tempdir().unwrap();
    let notes = home.path().join("notes.txt");
    std::fs::write(&notes, "Seen again from 198.51.100.7.\n").unwrap();
    let body_of = |server: &common::Server| {
        server
            .sandbox
            .state()
            .trustar_reports
            .iter()
            .find(|r| r.external_tracking_id.as_deref() == Some("M-1234"))
            .and_then(|r| r.report_body.clone())
            .unwrap()
    };
    let before = body_of(&server);

    let output = reportctl(Some(&server), home.path())
        .args([
            "trustar",
            "update",
            "M-1234",
            "--external",
            "--dry-run",
            "--append",
        ])
        .arg(&notes)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let shown = stdout(&output);
    assert!(shown.contains("The body changes from"), "{shown}");
    assert_eq!(body_of(&server), before, "a dry run sends nothing");

    let output = reportctl(Some(&server), home.path())
        .args(["trustar", "update", "M-1234", "--external", "--append"])
        .arg(&notes)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let after = body_of(&server);
    assert!(after.starts_with(&before), "{after}");
    assert!(
        after.ends_with("Seen again from 198.51.100.7.\n"),
        "{after}"
    );

    // The client's own limit, from the flag: refused unsent, exit 3.
    let output = reportctl(Some(&server), home.path())
        .args([
            "trustar",
            "--max-indicators",
            "1",
            "update",
            "M-1234",
            "--external",
        ])
        .args(["--append"])
        .arg(&notes)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(body_of(&server), after, "refused before sending");

    // The server's lower limit (6 here): its 413 advice names the flag.
    std::fs::write(&notes, "8.8.8.8 9.9.9.9 1.1.1.1 evil.example.com\n").unwrap();
    let output = reportctl(Some(&server), home.path())
        .args(["trustar", "update", "M-1234", "--external", "--append"])
        .arg(&notes)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(text.contains("--max-indicators"), "{text}");
    assert!(!text.contains("max_indicators"), "{text}");
}
