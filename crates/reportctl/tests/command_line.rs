//! reportctl speaks its own language: flags before or after the command and
//! in every help, errors that name what the user typed (flag, environment
//! variable, profile key) and never a library method, dry runs that check
//! everything, quiet exits on a closed pipe, `--json` everywhere.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{Server, environment, reportctl, server, server_with};
use report_sandbox::{Fault, FaultKind, Sandbox};
use serde_json::Value;

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The stderr of a command that must have exited with `code`.
fn failure(output: &std::process::Output, code: i32) -> String {
    let message = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{message}");
    message
}

/// Words of the library's API that no message of reportctl may show.
const LIBRARY_WORDS: [&str; 6] = [
    ".timeout(",
    "RetryPolicy",
    "base_url",
    ".standard_key(",
    ".credentials(",
    "retry.max_attempts",
];

fn assert_own_words(message: &str) {
    for word in LIBRARY_WORDS {
        assert!(!message.contains(word), "{word:?} in {message}");
    }
}

/// reportctl with no settings in the environment: all left to flags.
fn bare(home: &std::path::Path) -> assert_cmd::Command {
    reportctl(None, home)
}

fn key_file(server: &Server, home: &std::path::Path) -> std::path::PathBuf {
    let path = home.join("xsiam.key");
    std::fs::write(
        &path,
        format!("{}\n", server.sandbox.credentials().xsiam_standard_key),
    )
    .unwrap();
    path
}

#[test]
fn connection_flags_go_before_or_after_the_command() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    let key = key_file(&server, home.path());
    let url = server.sandbox.base_url().to_string();
    let id = server.sandbox.credentials().xsiam_standard_key_id.clone();
    let flags = [
        "--url",
        url.as_str(),
        "--key-id",
        id.as_str(),
        "--api-key-file",
        key.to_str().unwrap(),
        "--auth-mode",
        "STANDARD",
    ];
    let before = bare(home.path())
        .arg("xsiam")
        .args(flags)
        .args(["set-status", "777776", "closed"])
        .output()
        .unwrap();
    assert!(before.status.success(), "{}", stderr(&before));
    let after = bare(home.path())
        .args(["xsiam", "set-status", "777777", "closed", "--json"])
        .args(flags)
        .output()
        .unwrap();
    assert!(after.status.success(), "{}", stderr(&after));
    let json: Value = serde_json::from_str(&stdout(&after)).unwrap();
    assert_eq!(json["status"], "CLOSED");
}

#[test]
fn every_command_help_shows_the_connection_flags_and_exit_codes() {
    for command in [
        &["xsiam", "set-status", "--help"][..],
        &["xsiam", "bulk-status", "--help"],
        &["trustar", "get", "--help"],
        &["trustar", "update", "--help"],
    ] {
        let output = reportctl(None, std::path::Path::new("/nonexistent"))
            .args(command)
            .output()
            .unwrap();
        let help = stdout(&output);
        for flag in [
            "--url",
            "--api-key-file",
            "--timeout",
            "--json",
            "--profile",
            "--config",
        ] {
            assert!(help.contains(flag), "{command:?} lacks {flag}:\n{help}");
        }
        assert!(
            help.contains("130 stopped by Ctrl-C"),
            "{command:?}:\n{help}"
        );
    }
    let help = stdout(
        &reportctl(None, std::path::Path::new("/x"))
            .arg("--help")
            .output()
            .unwrap(),
    );
    assert!(help.contains("130 stopped by Ctrl-C or SIGTERM"), "{help}");
}

#[test]
fn errors_name_flags_environment_and_profile_keys_not_library_methods() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    // No key anywhere.
    let output = reportctl(None, home.path())
        .args([
            "xsiam",
            "set-status",
            "777776",
            "closed",
            "--url",
            "http://127.0.0.1:9",
        ])
        .args(["--key-id", "1"])
        .output()
        .unwrap();
    let message = failure(&output, 2);
    assert!(
        message.contains(
            "--api-key-file FILE (or XSIAM_API_KEY, or xsiam_api_key_file in the profile)"
        ),
        "{message}"
    );
    assert_own_words(&message);

    // No retries at all is --max-attempts 1, said so.
    let rows = home.path().join("rows.csv");
    std::fs::write(&rows, "777776,closed\n").unwrap();
    let output = reportctl(Some(&server), home.path())
        .args(["xsiam", "bulk-status", "--max-attempts", "0"])
        .arg(&rows)
        .output()
        .unwrap();
    let message = failure(&output, 2);
    assert!(
        message.contains("--max-attempts must be at least 1"),
        "{message}"
    );
    assert_own_words(&message);

    // A server nobody listens on.
    let output = reportctl(Some(&server), home.path())
        .args([
            "xsiam",
            "set-status",
            "777776",
            "closed",
            "--url",
            "http://127.0.0.1:9",
        ])
        .output()
        .unwrap();
    let message = failure(&output, 1);
    assert!(
        message.contains("could not reach XSIAM at http://127.0.0.1:9"),
        "{message}"
    );
    assert!(
        message.contains("Check --url (or XSIAM_API_URL"),
        "{message}"
    );
    assert_own_words(&message);

    // A bad auth mode from the profile names the profile key.
    let config = home.path().join("config.toml");
    std::fs::write(&config, "[profiles.default]\nxsiam_auth_mode = \"fancy\"\n").unwrap();
    let output = reportctl(Some(&server), home.path())
        .env_remove("XSIAM_AUTH_MODE")
        .args([
            "--config",
            config.to_str().unwrap(),
            "xsiam",
            "set-status",
            "777776",
            "closed",
        ])
        .output()
        .unwrap();
    let message = failure(&output, 2);
    assert!(
        message.contains("--auth-mode (or XSIAM_AUTH_MODE, or xsiam_auth_mode in the profile)"),
        "{message}"
    );
    assert!(message.contains(config.to_str().unwrap()), "{message}");
}

#[test]
fn an_empty_key_file_says_so_and_names_the_file() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    for (content, says) in [("", "is empty"), ("\nthe-key\n", "has an empty first line")] {
        let key = home.path().join("key");
        std::fs::write(&key, content).unwrap();
        let output = reportctl(Some(&server), home.path())
            .args(["xsiam", "set-status", "777776", "closed", "--api-key-file"])
            .arg(&key)
            .output()
            .unwrap();
        let message = failure(&output, 2);
        assert!(
            message.contains(&format!("the --api-key-file file {} {says}", key.display())),
            "{message}"
        );
    }
}

#[test]
fn a_server_that_never_answers_times_out_naming_the_flag() {
    let server = server_with(Sandbox::builder().fault(Fault {
        kind: FaultKind::Hang { ms: 10_000 },
        count: 5,
    }));
    let home = tempfile::tempdir().unwrap();
    let rows = home.path().join("rows.csv");
    std::fs::write(&rows, "777776,closed\n").unwrap();
    let output = reportctl(Some(&server), home.path())
        .args([
            "xsiam",
            "bulk-status",
            "--timeout",
            "1",
            "--max-attempts",
            "1",
            "--body-envelope",
            "flat",
        ])
        .arg(&rows)
        .output()
        .unwrap();
    let message = failure(&output, 1);
    assert!(
        message.contains("did not answer: timed out after 1 s, 1 attempt(s)"),
        "{message}"
    );
    assert!(message.contains("--timeout SECONDS"), "{message}");
    assert_own_words(&message);
}

#[test]
fn an_address_without_a_scheme_is_read_as_a_tenant_and_says_so() {
    let home = tempfile::tempdir().unwrap();
    let output = reportctl(None, home.path())
        .args([
            "xsiam",
            "set-status",
            "1",
            "closed",
            "--url",
            "127.0.0.1:18181",
        ])
        .output()
        .unwrap();
    let message = failure(&output, 2);
    assert!(message.contains("https://api-127.0.0.1:18181"), "{message}");
    assert!(message.contains("give http://127.0.0.1:18181"), "{message}");
}

#[test]
fn a_dry_run_runs_every_check_and_exits_as_the_update_would() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    let body = home.path().join("body.txt");
    let dry = |extra: &[&str]| {
        reportctl(Some(&server), home.path())
            .args(["trustar", "update", "M-1234", "--external", "--dry-run"])
            .args(extra)
            .output()
            .unwrap()
    };

    // Over the limit: exit 3, and --json says over_limit.
    let big: String = (0..2001)
        .map(|i| format!("CVE-2024-{:05}\n", 10_000 + i))
        .collect();
    std::fs::write(&body, &big).unwrap();
    let output = dry(&["--body-file", body.to_str().unwrap(), "--json"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["over_limit"], true);
    assert_eq!(json["body_truncated"], true);
    assert_eq!(json["body_chars"], big.chars().count());
    // A large body is shown in part.
    assert!(
        stdout(&output).len() < big.len(),
        "the whole body was printed"
    );

    // Invalid input: exit 2, named.
    let output = dry(&["--title", "  "]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the update would be refused: invalid title"),
        "{}",
        stderr(&output)
    );

    // A valid one: exit 0.
    let output = dry(&["--title", "Renamed"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("nothing was sent"));
    assert!(
        server.sandbox.state().trustar_update_counts.is_empty(),
        "nothing sent"
    );
}

#[test]
fn external_urls_must_be_urls_and_nothing_is_sent_otherwise() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    let output = reportctl(Some(&server), home.path())
        .args([
            "trustar",
            "update",
            "M-1234",
            "--external",
            "--external-url",
            "example.com/r/1",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--external-url example.com/r/1: it is not a URL"),
        "{}",
        stderr(&output)
    );
    assert!(server.sandbox.state().trustar_update_counts.is_empty());
}

#[test]
fn a_404_for_an_id_that_is_not_trustars_suggests_external() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    let output = reportctl(Some(&server), home.path())
        .args(["trustar", "get", "M-1234"])
        .output()
        .unwrap();
    let message = failure(&output, 1);
    assert!(message.contains("add --external"), "{message}");
    let output = reportctl(Some(&server), home.path())
        .args(["trustar", "get", "M-1234", "--external"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}

/// Reads one line of `reportctl ARGS`, then closes the pipe: the command
/// must stop quietly with 0.
fn first_line_then_close(args: &[&str], home: &std::path::Path) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reportctl"))
        .env_clear()
        .envs(environment(None, home))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(!line.is_empty());
    drop(out);
    let output = child.wait_with_output().unwrap();
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{args:?}: {message}");
    assert!(!message.contains("panicked"), "{args:?}: {message}");
    assert!(message.is_empty(), "{args:?}: {message}");
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let home = tempfile::tempdir().unwrap();
    let big = home.path().join("big.txt");
    let text: String = (0..200_000)
        .map(|i| format!("host-{i}.evil.com 10.{}.1.1\n", i % 200))
        .collect();
    std::fs::write(&big, text).unwrap();
    first_line_then_close(&["indicators", "list", big.to_str().unwrap()], home.path());
    first_line_then_close(&["completions", "bash"], home.path());
}

/// The leaf commands `--help` lists, as paths (`xsiam set-status`), found
/// by walking the help of each command that has commands.
fn leaf_commands(home: &std::path::Path) -> Vec<String> {
    let mut leaves = Vec::new();
    let mut queue = vec![Vec::<String>::new()];
    while let Some(path) = queue.pop() {
        let output = reportctl(None, home)
            .args(&path)
            .arg("--help")
            .output()
            .unwrap();
        let help = stdout(&output);
        let Some(section) = help.split("Commands:").nth(1) else {
            leaves.push(path.join(" "));
            continue;
        };
        for line in section.lines().skip(1) {
            let Some(name) = line
                .strip_prefix("  ")
                .and_then(|l| l.split_whitespace().next())
            else {
                break;
            };
            if name != "help" {
                let mut child = path.clone();
                child.push(name.to_string());
                queue.push(child);
            }
        }
    }
    leaves.sort();
    leaves
}

/// Every command, run with `--json` against the sandbox: standard output
/// is JSON (one document, or one per line), and a failure is a JSON object
/// on standard error. The list of commands is checked against `--help`, so
/// a new command without a JSON check fails here.
#[test]
fn json_is_honoured_by_every_command_help_lists() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    let text = home.path().join("body.txt");
    std::fs::write(&text, "evil.exe 8.8.8.8").unwrap();
    let rows = home.path().join("rows.csv");
    std::fs::write(&rows, "777776,closed\n").unwrap();
    let text = text.to_str().unwrap();
    let rows = rows.to_str().unwrap();
    let runs: Vec<(&str, Vec<&str>)> = vec![
        (
            "xsiam set-status",
            vec!["xsiam", "set-status", "777777", "closed"],
        ),
        ("xsiam bulk-status", vec!["xsiam", "bulk-status", rows]),
        ("xsiam get", vec!["xsiam", "get", "777776"]),
        ("xsiam list", vec!["xsiam", "list", "--status", "new"]),
        (
            "xsiam assign",
            vec!["xsiam", "assign", "777777", "soc@example.com"],
        ),
        ("xsiam unassign", vec!["xsiam", "unassign", "777777"]),
        (
            "xsiam comment",
            vec!["xsiam", "comment", "777777", "seen", "--author", "me"],
        ),
        ("xsiam comments", vec!["xsiam", "comments", "777777"]),
        (
            "trustar get",
            vec!["trustar", "get", "M-1234", "--external"],
        ),
        (
            "trustar update",
            vec![
                "trustar",
                "update",
                "M-1234",
                "--external",
                "--title",
                "t",
                "--dry-run",
            ],
        ),
        (
            "trustar submit",
            vec![
                "trustar",
                "submit",
                text,
                "--title",
                "t",
                "--enclave",
                "e27b914b-b1ee-4d25-b4b2-d50db5208b4d",
            ],
        ),
        (
            "trustar upsert",
            vec![
                "trustar",
                "upsert",
                text,
                "--title",
                "t",
                "--enclave",
                "e27b914b-b1ee-4d25-b4b2-d50db5208b4d",
                "--external-id",
                "J-1",
            ],
        ),
        (
            "trustar status",
            vec!["trustar", "status", "M-1234", "--external"],
        ),
        ("trustar search", vec!["trustar", "search", "test"]),
        ("trustar list", vec!["trustar", "list"]),
        (
            "trustar indicators",
            vec!["trustar", "indicators", "M-1234", "--external"],
        ),
        (
            "trustar tags",
            vec!["trustar", "tags", "M-1234", "--external"],
        ),
        ("trustar enclaves", vec!["trustar", "enclaves"]),
        (
            "trustar copy",
            vec![
                "trustar",
                "copy",
                "3b9a4b6e-2bd8-4a9c-9a59-0f1a1a4b7f10",
                "--to",
                "c0ffee00-1111-4222-8333-444455556666",
            ],
        ),
        (
            "trustar move",
            vec![
                "trustar",
                "move",
                "5d0c7a52-0c3f-4bb2-8a5e-2f9b1d6e8c41",
                "--to",
                "c0ffee00-1111-4222-8333-444455556666",
            ],
        ),
        ("trustar quotas", vec!["trustar", "quotas"]),
        (
            "trustar bulk-submit",
            vec![
                "trustar",
                "bulk-submit",
                text,
                "--enclave",
                "e27b914b-b1ee-4d25-b4b2-d50db5208b4d",
                "--rate",
                "0",
            ],
        ),
        (
            "trustar delete",
            vec!["trustar", "delete", "M-5678", "--external"],
        ),
        ("indicators count", vec!["indicators", "count", text]),
        ("indicators list", vec!["indicators", "list", text]),
        // A failure: --json errors are JSON on stderr.
        ("completions", vec!["completions", "bash"]),
    ];
    let mut checked: Vec<String> = runs.iter().map(|(name, _)| name.to_string()).collect();
    for (name, args) in &runs {
        let extra: &[&str] = if args[0] == "xsiam" {
            &["--json", "--body-envelope", "flat"]
        } else {
            &["--json"]
        };
        let output = reportctl(Some(&server), home.path())
            .args(args)
            .args(extra)
            .output()
            .unwrap();
        if output.status.success() {
            let out = stdout(&output);
            let whole = serde_json::from_str::<Value>(&out).is_ok();
            let lines = out
                .lines()
                .filter(|l| !l.trim().is_empty())
                .all(|l| serde_json::from_str::<Value>(l).is_ok());
            assert!(!out.trim().is_empty() && (whole || lines), "{name}: {out}");
        } else {
            let error: Value = serde_json::from_str(stderr(&output).trim())
                .unwrap_or_else(|e| panic!("{name}: {e}: {}", stderr(&output)));
            assert!(
                error["error"].is_string() && error["exit_code"].is_number(),
                "{name}"
            );
        }
    }
    // The sandbox runs until stopped: its first line is JSON (checked in
    // json_is_honoured_by_every_command).
    checked.push("sandbox".into());
    checked.sort();
    assert_eq!(checked, leaf_commands(home.path()));
}

#[test]
fn json_is_honoured_by_every_command() {
    let home = tempfile::tempdir().unwrap();
    // Errors too: a JSON object on stderr.
    let output = reportctl(None, home.path())
        .args([
            "--json",
            "xsiam",
            "set-status",
            "1",
            "closed",
            "--url",
            "localhost",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error: Value = serde_json::from_str(stderr(&output).trim()).unwrap();
    assert_eq!(error["exit_code"], 2);
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("http://localhost")
    );
    // Completions are shell code: --json is refused, not ignored.
    let output = reportctl(None, home.path())
        .args(["completions", "bash", "--json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    // The sandbox's first line is JSON with its URL.
    let mut child = Command::new(env!("CARGO_BIN_EXE_reportctl"))
        .env_clear()
        .envs(environment(None, home.path()))
        .args(["sandbox", "--port", "0", "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let banner: Value = serde_json::from_str(&line).unwrap();
    assert!(
        banner["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:"),
        "{line}"
    );
    assert!(
        banner["credentials"]["xsiam_standard_key_id"].is_string(),
        "{line}"
    );
}

#[test]
fn counting_a_terminal_says_it_reads_standard_input() {
    let home = tempfile::tempdir().unwrap();
    // A pseudo-terminal from script(1), given end-of-input at once.
    let command = format!("{} indicators count", env!("CARGO_BIN_EXE_reportctl"));
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_clear()
        .envs(environment(None, home.path()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            // Wait for the prompt itself, not for a while: the terminal
            // echoes it on standard output once reportctl reads.
            let mut out = BufReader::new(child.stdout.take().unwrap());
            let mut seen = String::new();
            while !seen.contains("standard input") {
                let mut line = String::new();
                if out.read_line(&mut line).unwrap() == 0 {
                    break;
                }
                seen.push_str(&line);
            }
            stdin.write_all(b"evil.exe\n\x04").unwrap();
            drop(stdin);
            let mut rest = String::new();
            std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
            seen.push_str(&rest);
            child.wait().map(|status| (seen, status))
        })
        .unwrap();
    let (seen, status) = output;
    assert!(status.success(), "{seen}");
    assert!(
        seen.contains("reading the text from standard input"),
        "{seen}"
    );
    assert!(seen.contains("1 indicator"), "{seen}");
}
