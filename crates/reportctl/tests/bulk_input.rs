//! `bulk-status` input and output as a user meets them: CRLF files, an
//! unterminated quote, bytes that are not UTF-8, ids with control
//! characters, failed rows listed and written to rerun, and the terminal's
//! progress bar and rates.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Server, environment, reportctl, status_of, with_reports_and_faults};
use report_sandbox::{Fault, FaultKind};

fn with_reports(n: usize, faults: &[Fault]) -> Server {
    with_reports_and_faults(n, faults)
}

/// `bulk-status FILE ARGS`, flat bodies, no rate limit.
fn bulk(server: &Server, dir: &Path, file: &Path, args: &[&str]) -> std::process::Output {
    reportctl(Some(server), dir)
        .args([
            "xsiam",
            "bulk-status",
            "--body-envelope",
            "flat",
            "--rate",
            "0",
        ])
        .args(args)
        .arg(file)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn crlf_files_report_the_right_line_numbers() {
    let server = with_reports(3, &[]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rows.csv");
    std::fs::write(
        &file,
        "source_id,status\r\nr0000,closed\r\n\r\nr0001,bogus\r\nr0002,closed\r\n",
    )
    .unwrap();
    let output = bulk(&server, dir.path(), &file, &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("line 4: "), "bogus is on line 4: {stderr}");
    assert!(stderr.contains("line 5: r0002 -> CLOSED: done"), "{stderr}");
    assert_eq!(status_of(&server, "r0000").as_deref(), Some("CLOSED"));
}

#[test]
fn an_unterminated_quote_names_the_lines_it_swallowed() {
    let server = with_reports(4, &[]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rows.csv");
    std::fs::write(
        &file,
        "r0000,closed\n\"r0001,closed\nr0002,closed\nr0003,closed\n",
    )
    .unwrap();
    let output = bulk(&server, dir.path(), &file, &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("line 2: a quote opened on line 2 runs to line 4"),
        "{stderr}"
    );
    assert_eq!(status_of(&server, "r0000").as_deref(), Some("CLOSED"));
    assert_eq!(
        status_of(&server, "r0002").as_deref(),
        Some("NEW"),
        "swallowed, not sent"
    );
}

#[test]
fn input_that_is_not_utf8_is_refused_with_its_line_and_byte() {
    let server = with_reports(2, &[]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rows.csv");
    std::fs::write(&file, b"r0000,closed\nr00\xff1,closed\n").unwrap();
    let output = bulk(&server, dir.path(), &file, &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is not UTF-8: line 2, byte 4 of the line (byte 17 of the input)"),
        "{stderr}"
    );
    assert!(
        server.sandbox.state().xsiam_update_counts.is_empty(),
        "nothing sent"
    );
}

#[test]
fn control_characters_in_ids_are_escaped_and_long_ids_shortened() {
    let server = with_reports(1, &[]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rows.jsonl");
    let long = "x".repeat(300);
    std::fs::write(
        &file,
        format!(
            "{{\"source_id\": \"r\\u001b[31mX\", \"status\": \"closed\"}}\n{{\"source_id\": \"{long}\", \"status\": \"closed\"}}\n"
        ),
    )
    .unwrap();
    let output = bulk(&server, dir.path(), &file, &["--max-attempts", "1"]);
    let stderr = text(&output.stderr);
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert!(stderr.contains("r\\u{1b}[31mX"), "{stderr}");
    assert!(!stderr.contains(&long), "a 300-character id is shortened");
    assert!(stderr.contains(&format!("{}…", "x".repeat(80))), "{stderr}");
}

#[test]
fn failed_rows_are_written_to_rerun() {
    // The first 25 updates are answered 503, with no retry, and so is
    // each one's read-back (a 503 may come after the update was applied).
    let server = with_reports(
        32,
        &[Fault {
            kind: FaultKind::Unavailable,
            count: 50,
        }],
    );
    let dir = tempfile::tempdir().unwrap();
    let (file, failed) = (dir.path().join("rows.csv"), dir.path().join("failed.csv"));
    let mut rows: String = (0..30).map(|i| format!("r{i:04},closed\n")).collect();
    // Two invalid rows: written too, with why, to fix and rerun.
    rows.push_str("r0030,closd\nr0031,closed,extra\n");
    std::fs::write(&file, rows).unwrap();
    let output = bulk(
        &server,
        dir.path(),
        &file,
        &[
            "--concurrency",
            "1",
            "--max-attempts",
            "1",
            "--failed",
            failed.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let written = std::fs::read_to_string(&failed).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines[0], "source_id,status,why");
    assert_eq!(lines.len(), 28, "{written}");
    assert!(
        lines[1].starts_with("r0000,CLOSED,line 1: failed: "),
        "{written}"
    );
    assert!(
        lines[26].starts_with("r0030,closd,\"line 31: invalid: unknown report status"),
        "{written}"
    );
    assert!(lines[26].contains("did you mean"), "{written}");
    assert!(
        lines[27].starts_with("\"r0031,closed,extra\",,\"line 32: invalid: expected 2 fields"),
        "{written}"
    );

    // Fixed by hand (the two invalid rows), the file reruns as it is.
    let fixed = written
        .replace("r0030,closd,", "r0030,closed,")
        .replace("\"r0031,closed,extra\",,", "r0031,closed,");
    std::fs::write(&failed, fixed).unwrap();
    let output = bulk(&server, dir.path(), &failed, &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    for i in 0..32 {
        let id = format!("r{i:04}");
        assert_eq!(status_of(&server, &id).as_deref(), Some("CLOSED"), "{id}");
    }
}

/// `reportctl ARGS` on a terminal (a pseudo-terminal from `script`), its
/// output as the terminal got it.
fn on_a_terminal(server: &Server, dir: &Path, args: &str) -> String {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_reportctl"));
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_clear()
        .envs(environment(Some(server), dir))
        .env("TERM", "xterm")
        .output()
        .unwrap();
    text(&output.stdout)
}

#[test]
fn on_a_terminal_the_bar_is_cleared_then_the_summary_lists_the_failed_rows() {
    // 25 rows fail: each meets a 503, and so does its read-back.
    let server = with_reports(
        40,
        &[Fault {
            kind: FaultKind::Unavailable,
            count: 50,
        }],
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rows.csv");
    let rows: String = (0..40).map(|i| format!("r{i:04},closed\n")).collect();
    std::fs::write(&file, rows).unwrap();
    let seen = on_a_terminal(
        &server,
        dir.path(),
        &format!(
            "xsiam bulk-status --body-envelope flat --rate 20 --concurrency 1 --max-attempts 1 {}",
            file.display()
        ),
    );
    let listed = seen
        .find("failed rows:")
        .unwrap_or_else(|| panic!("{seen}"));
    assert!(
        seen.contains("line 1: r0000 -> CLOSED: XSIAM is unavailable (HTTP 503)"),
        "{seen}"
    );
    assert!(seen.contains("line 20: r0019"), "{seen}");
    assert!(
        !seen.contains("line 21: r0020"),
        "the first 20 only: {seen}"
    );
    assert!(
        seen.contains("… and 5 more (--failed FILE writes them all)"),
        "{seen}"
    );
    // The bar drew (rates with one decimal) and was erased before the list.
    let bar = seen
        .rfind(" rows/s, eta")
        .unwrap_or_else(|| panic!("no bar: {seen}"));
    let erased = seen[bar..].find("\u{1b}[2K").map(|i| bar + i);
    assert!(erased.is_some_and(|e| e < listed), "{seen:?}");
    let rate = &seen[..bar];
    let digits = rate.rsplit(' ').next().unwrap();
    assert!(
        digits.split_once('.').is_some_and(|(_, d)| d.len() == 1),
        "one decimal: {digits:?}"
    );
    assert!(seen.contains("rows/s over"), "the summary's rate: {seen}");
}

/// Every journal line carries when its row finished (RFC 3339, UTC).
#[test]
fn journal_lines_carry_a_timestamp() {
    use threat_reports::chrono::{DateTime, Utc};
    let server = with_reports(3, &[]);
    let dir = tempfile::tempdir().unwrap();
    let (file, journal) = (dir.path().join("rows.csv"), dir.path().join("rows.journal"));
    std::fs::write(&file, "r0000,closed\nr0001,new\nr0002,pending\n").unwrap();
    let before = DateTime::<Utc>::from(std::time::SystemTime::now());
    let output = bulk(
        &server,
        dir.path(),
        &file,
        &["--journal", journal.to_str().unwrap()],
    );
    let after = DateTime::<Utc>::from(std::time::SystemTime::now());
    assert!(output.status.success(), "{}", text(&output.stderr));
    let lines = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(lines.lines().count(), 3, "{lines}");
    for line in lines.lines() {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        let at = entry["at"]
            .as_str()
            .unwrap_or_else(|| panic!("no at: {line}"));
        assert!(at.ends_with('Z'), "{at}");
        let at: DateTime<Utc> = at.parse().unwrap();
        let slack = threat_reports::chrono::TimeDelta::seconds(1);
        assert!(
            at >= before - slack && at <= after + slack,
            "{at} not in {before}..{after}"
        );
    }
}

/// `--dry-run` checks the whole file, shows what would be sent and what the
/// journal would skip, sends nothing and leaves the journal as it was.
#[test]
fn a_dry_run_checks_everything_and_sends_nothing() {
    let server = with_reports(3, &[]);
    let dir = tempfile::tempdir().unwrap();
    let (file, journal) = (dir.path().join("rows.csv"), dir.path().join("rows.journal"));
    std::fs::write(&file, "r0000,closed\nr0001,in progress\n").unwrap();
    let output = bulk(
        &server,
        dir.path(),
        &file,
        &["--journal", journal.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let journaled = std::fs::read_to_string(&journal).unwrap();

    std::fs::write(
        &file,
        "r0000,closed\nr0001,in progress\nr0002,pending\nr0002,closd\n",
    )
    .unwrap();
    let before = server.sandbox.state();
    let output = bulk(
        &server,
        dir.path(),
        &file,
        &["--journal", journal.to_str().unwrap(), "--dry-run"],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "an invalid row: exits as the run would"
    );
    let shown = text(&output.stdout);
    assert!(shown.contains("line 1: skip r0000 -> Closed"), "{shown}");
    assert!(shown.contains("line 3: send r0002 -> Pending"), "{shown}");
    assert!(
        shown.contains("1 rows would be sent, 2 skipped as done"),
        "{shown}"
    );
    assert!(text(&output.stderr).contains("line 4: invalid: unknown report status"));
    assert_eq!(
        server.sandbox.state().xsiam_bodies,
        before.xsiam_bodies,
        "nothing sent"
    );
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap(),
        journaled,
        "journal unchanged"
    );

    std::fs::write(&file, "r0002,pending\n").unwrap();
    let output = bulk(&server, dir.path(), &file, &["--dry-run", "--json"][..]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["would_send"], 1);
    assert_eq!(plan["rows"][0]["action"], "send");
    assert_eq!(server.sandbox.state().xsiam_bodies, before.xsiam_bodies);
}
