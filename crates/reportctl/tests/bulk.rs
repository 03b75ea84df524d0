//! `reportctl xsiam bulk-status`: thousands of rows through injected faults,
//! stopped and resumed, malformed input; every row applied exactly once,
//! checked against the sandbox's own count of updates.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Server, environment, reportctl, server_with};
use report_sandbox::{Fault, FaultKind, Sandbox, SandboxState};
use threat_reports::ReportStatus;

/// A sandbox holding reports `r0000`… all `NEW`.
fn with_reports(n: usize) -> Server {
    common::with_reports_and_faults(n, &[])
}

/// The status row `i` sets, in some spelling.
fn status_of(i: usize) -> (&'static str, ReportStatus) {
    [
        ("in progress", ReportStatus::InProgress),
        ("CLOSED", ReportStatus::Closed),
        ("Pending", ReportStatus::Pending),
        ("resolved", ReportStatus::Resolved),
    ][i % 4]
}

fn csv(n: usize, path: &Path) {
    let mut text = String::from("source_id,status\n");
    for i in 0..n {
        text.push_str(&format!("r{i:04},{}\n", status_of(i).0));
    }
    std::fs::write(path, text).unwrap();
}

/// Every report carries its row's status and got exactly `expected`
/// updates.
fn assert_applied(server: &Server, n: usize) {
    let state = server.sandbox.state();
    for i in 0..n {
        let id = format!("r{i:04}");
        let report = state
            .xsiam_reports
            .iter()
            .find(|r| r.xsoar_source_id.as_deref() == Some(id.as_str()))
            .unwrap();
        assert_eq!(
            report.report_status.as_deref(),
            Some(status_of(i).1.canonical()),
            "{id}"
        );
    }
    assert_eq!(state.xsiam_update_counts.len(), n);
}

fn journal_lines(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn thousands_of_rows_through_429s_503s_and_drops_are_applied_exactly_once() {
    let server = with_reports(3000);
    for fault in [
        Fault {
            kind: FaultKind::TooManyRequests { wait_ms: 5 },
            count: 20,
        },
        Fault {
            kind: FaultKind::Unavailable,
            count: 20,
        },
        Fault {
            kind: FaultKind::DropConnection,
            count: 5,
        },
    ] {
        server.sandbox.add_fault(fault).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let (rows, journal) = (
        dir.path().join("rows.csv"),
        dir.path().join("journal.jsonl"),
    );
    csv(3000, &rows);
    // The sandbox plays the vendor page's dialect, and the client is told
    // so: with the default (auto), the first call finds out the envelope
    // while the others wait, and every fault queued here would land on
    // that one call. The probe under faults has its own test.
    let output = reportctl(Some(&server), dir.path())
        .args([
            "xsiam",
            "--body-envelope",
            "flat",
            "bulk-status",
            "--concurrency",
            "16",
            "--rate",
            "0",
            "--max-attempts",
            "10",
            "--journal",
        ])
        .arg(&journal)
        .arg(&rows)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("done               3000"), "{stdout}");
    assert_applied(&server, 3000);
    assert!(
        server
            .sandbox
            .state()
            .xsiam_update_counts
            .values()
            .all(|n| *n == 1)
    );
    assert_eq!(journal_lines(&journal), 3000);
}

/// Starts a bulk run of `n` rows at `rate` rows a second (0: no limit),
/// stops it with `signal` once the journal has some lines, then reruns it
/// to the end.
fn stop_and_resume(signal: &str, n: usize, rate: &str) -> (Server, usize) {
    let server = with_reports(n);
    let dir = tempfile::tempdir().unwrap();
    let (rows, journal) = (
        dir.path().join("rows.csv"),
        dir.path().join("journal.jsonl"),
    );
    csv(n, &rows);
    let mut run = Command::new(env!("CARGO_BIN_EXE_reportctl"))
        .env_clear()
        .envs(environment(Some(&server), dir.path()))
        .args([
            "xsiam",
            "bulk-status",
            "--concurrency",
            "4",
            "--rate",
            rate,
            "--journal",
        ])
        .arg(&journal)
        .arg(&rows)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while journal_lines(&journal) < 100 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the run made no progress"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .args([signal, &run.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let stopped = run.wait().unwrap();
    let done_before = journal_lines(&journal);
    assert!(done_before < n, "the run finished before it was stopped");
    if signal == "-INT" {
        assert_eq!(stopped.code(), Some(130), "Ctrl-C stops cleanly with 130");
    }

    let output = reportctl(Some(&server), dir.path())
        .args([
            "xsiam",
            "bulk-status",
            "--concurrency",
            "4",
            "--rate",
            "0",
            "--journal",
        ])
        .arg(&journal)
        .arg(&rows)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert_applied(&server, n);
    let _ = std::io::stderr().flush();
    (server, done_before)
}

#[test]
fn a_run_stopped_by_ctrl_c_resumes_with_every_row_applied_exactly_once() {
    let (server, _) = stop_and_resume("-INT", 600, "100");
    let counts = server.sandbox.state().xsiam_update_counts;
    assert!(
        counts.values().all(|n| *n == 1),
        "{:?}",
        counts.iter().filter(|(_, n)| **n != 1).collect::<Vec<_>>()
    );
}

/// With no rate limit the run spends most of its time journaling rather
/// than waiting on the network: a Ctrl-C that arrives then is not lost.
#[test]
fn a_ctrl_c_while_rows_are_being_journaled_still_stops_the_run() {
    let (server, _) = stop_and_resume("-INT", 3000, "0");
    let counts = server.sandbox.state().xsiam_update_counts;
    assert!(counts.values().all(|n| *n == 1));
}

#[test]
fn a_killed_run_resumes_and_resends_at_most_the_rows_in_flight() {
    let (server, _) = stop_and_resume("-KILL", 600, "100");
    let counts = server.sandbox.state().xsiam_update_counts;
    let resent: u64 = counts.values().map(|n| n - 1).sum();
    // Rows in flight when the process died may have reached the server
    // unjournaled: at most --concurrency of them are sent again.
    assert!(resent <= 4, "{resent} rows were applied twice");
}

#[test]
fn malformed_rows_are_reported_by_line_and_the_others_applied() {
    let server = with_reports(3);
    let dir = tempfile::tempdir().unwrap();
    let rows = "{\"source_id\": \"r0000\", \"status\": \"In Progress\"}\n\
                not json\n\
                {\"source_id\": \"r0001\", \"status\": \"finished\"}\n\
                \n\
                {\"source_id\": \"\", \"status\": \"New\"}\n\
                {\"source_id\": \"r0002\", \"status\": \"closed\"}\n";
    let output = reportctl(Some(&server), dir.path())
        .args(["xsiam", "bulk-status", "--rate", "0", "-"])
        .write_stdin(rows)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line 2: not a {\"source_id\", \"status\"} object"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 3: unknown report status \"finished\""),
        "{stderr}"
    );
    assert!(stderr.contains("line 5: source_id is empty"), "{stderr}");
    let state = server.sandbox.state();
    assert_eq!(
        state.xsiam_reports[0].report_status.as_deref(),
        Some("IN_PROGRESS")
    );
    assert_eq!(state.xsiam_reports[1].report_status.as_deref(), Some("NEW"));
    assert_eq!(
        state.xsiam_reports[2].report_status.as_deref(),
        Some("CLOSED")
    );
}

#[test]
fn rows_for_one_report_apply_in_file_order() {
    let server = with_reports(2);
    let dir = tempfile::tempdir().unwrap();
    let mut rows = String::new();
    for status in ["New", "In Progress", "Pending", "Resolved", "Closed"] {
        rows.push_str(&format!("r0000,{status}\nr0001,{status}\n"));
    }
    let output = reportctl(Some(&server), dir.path())
        .args([
            "--json",
            "xsiam",
            "bulk-status",
            "--concurrency",
            "8",
            "--rate",
            "0",
            "-",
        ])
        .write_stdin(rows)
        .output()
        .unwrap();
    assert!(output.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["done"], 10);
    let state = server.sandbox.state();
    assert!(
        state
            .xsiam_reports
            .iter()
            .all(|r| r.report_status.as_deref() == Some("CLOSED"))
    );
    assert!(state.xsiam_update_counts.values().all(|n| *n == 5));
}

/// A sandbox playing a live tenant, in `shape`, holding reports `r0000`….
fn live_with_reports(n: usize, shape: report_sandbox::XsiamAnswerShape) -> Server {
    let reports: Vec<_> = (0..n)
        .map(|i| serde_json::json!({"XSOAR_SOURCE_ID": format!("r{i:04}"), "REPORT_STATUS": "NEW"}))
        .collect();
    let state: SandboxState = serde_json::from_value(
        serde_json::json!({"xsiam_reports": reports, "trustar_reports": []}),
    )
    .unwrap();
    server_with(
        Sandbox::builder()
            .state(state)
            .xsiam_dialect(report_sandbox::XsiamDialect::Live)
            .xsiam_answer(shape),
    )
}

#[test]
fn a_bulk_run_against_a_live_tenant_sends_one_flat_body_and_applies_every_row() {
    use report_sandbox::XsiamAnswerShape;
    for (shape, spellings) in [
        (
            XsiamAnswerShape::Data,
            ["resolved tp", "On Hold", "RESOLVED_FP", "Resolved - Other"],
        ),
        (
            XsiamAnswerShape::Array,
            [
                "resolved_security_testing",
                "new",
                "in progress",
                "Resolved True Positive",
            ],
        ),
    ] {
        let server = live_with_reports(500, shape);
        let dir = tempfile::tempdir().unwrap();
        let rows = dir.path().join("rows.csv");
        let mut text = String::from("source_id,status\n");
        for i in 0..500 {
            text.push_str(&format!("r{i:04},{}\n", spellings[i % 4]));
        }
        std::fs::write(&rows, text).unwrap();
        let output = reportctl(Some(&server), dir.path())
            .args(["xsiam", "bulk-status", "--concurrency", "8", "--rate", "0"])
            .arg(&rows)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let state = server.sandbox.state();
        assert_eq!(state.xsiam_bodies.get("flat"), Some(&1), "{shape:?}");
        assert_eq!(
            state.xsiam_bodies.get("request_data"),
            Some(&500),
            "{shape:?}"
        );
        for (i, report) in state.xsiam_reports.iter().enumerate() {
            let expected: ReportStatus = spellings[i % 4].parse().unwrap();
            assert_eq!(report.report_status.as_deref(), Some(expected.canonical()));
        }
    }
}

#[test]
fn set_status_works_against_a_live_tenant_with_no_setting() {
    let server = live_with_reports(1, report_sandbox::XsiamAnswerShape::Data);
    let dir = tempfile::tempdir().unwrap();
    let output = reportctl(Some(&server), dir.path())
        .args(["--json", "xsiam", "set-status", "r0000", "resolved tp"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["status"], "RESOLVED_TP");
    assert_eq!(printed["source_id"], "r0000");
    assert_eq!(
        server.sandbox.state().xsiam_reports[0]
            .report_status
            .as_deref(),
        Some("RESOLVED_TP")
    );
    // Told the envelope, it sends no flat body at all.
    let output = reportctl(Some(&server), dir.path())
        .args([
            "xsiam",
            "--body-envelope",
            "request_data",
            "set-status",
            "r0000",
            "on hold",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(server.sandbox.state().xsiam_bodies.get("flat"), Some(&1));
    let output = reportctl(Some(&server), dir.path())
        .args([
            "xsiam",
            "--body-envelope",
            "sideways",
            "set-status",
            "r0000",
            "new",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("auto, flat or request_data"), "{stderr}");
}

/// Faults after the update was applied: the answer is lost, the client
/// retries, the update lands twice. What a user relies on still holds:
/// every report ends at its file's last row for it, and every row is
/// applied once (a lost answer is read back, not resent blindly).
#[test]
fn with_faults_after_the_update_is_applied_every_report_ends_at_its_last_row() {
    let reports: Vec<_> = (0..40)
        .map(|i| serde_json::json!({"XSOAR_SOURCE_ID": format!("r{i:04}"), "REPORT_STATUS": "NEW"}))
        .collect();
    let state: SandboxState = serde_json::from_value(
        serde_json::json!({"xsiam_reports": reports, "trustar_reports": []}),
    )
    .unwrap();
    // At random, so that the faults spread over the run (queued ones
    // would all meet the first call, which finds out the envelope alone).
    let server = server_with(
        Sandbox::builder()
            .state(state)
            .fault_rates("apply_drop=0.1,apply_503=0.1,seed=7".parse().unwrap()),
    );
    let dir = tempfile::tempdir().unwrap();
    let rows = dir.path().join("rows.csv");
    // Three rows per report, interleaved: the last one decides.
    let mut text = String::from("source_id,status\n");
    let last = ["closed", "pending", "resolved", "new"];
    for round in 0..3 {
        for i in 0..40 {
            let status = if round == 2 {
                last[i % 4]
            } else {
                ["in progress", "new"][round]
            };
            text.push_str(&format!("r{i:04},{status}\n"));
        }
    }
    std::fs::write(&rows, text).unwrap();
    let output = reportctl(Some(&server), dir.path())
        .args([
            "xsiam",
            "bulk-status",
            "--concurrency",
            "8",
            "--rate",
            "0",
            "--max-attempts",
            "10",
        ])
        .arg(&rows)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let state = server.sandbox.state();
    for i in 0..40 {
        let expected: ReportStatus = last[i % 4].parse().unwrap();
        let id = format!("r{i:04}");
        let report = state
            .xsiam_reports
            .iter()
            .find(|r| r.xsoar_source_id.as_deref() == Some(id.as_str()))
            .unwrap();
        assert_eq!(
            report.report_status.as_deref(),
            Some(expected.canonical()),
            "{id}"
        );
    }
    // The faults bit: each applied an update whose answer was lost. The
    // row was read back, found applied, and not sent again: each of the
    // 120 rows applied exactly once.
    let injected: u64 = ["apply_drop", "apply_503"]
        .iter()
        .map(|k| state.faults_injected.get(*k).copied().unwrap_or(0))
        .sum();
    assert!(injected >= 10, "only {injected} apply-faults");
    let applied: u64 = state.xsiam_update_counts.values().sum();
    assert_eq!(applied, 120, "{injected} answers were lost");
    assert!(state.xsiam_update_counts.values().all(|n| *n == 3));
}

/// The reproduction: `777776,new` then `777776,closed`, one 503,
/// one attempt each. The first run fails line 2 and does line 3; the
/// rerun must not send line 2, or the report would end `NEW`.
#[test]
fn a_rerun_never_takes_a_report_back_to_an_older_row() {
    let server = server_with(Sandbox::builder().fault(Fault {
        kind: FaultKind::Unavailable,
        count: 1,
    }));
    let dir = tempfile::tempdir().unwrap();
    let (rows, journal) = (
        dir.path().join("rows.csv"),
        dir.path().join("journal.jsonl"),
    );
    std::fs::write(&rows, "source_id,status\n777776,new\n777776,closed\n").unwrap();
    let run = || {
        reportctl(Some(&server), dir.path())
            .args([
                "xsiam",
                "--body-envelope",
                "flat",
                "bulk-status",
                "--max-attempts",
                "1",
                "--rate",
                "0",
                "--journal",
            ])
            .arg(&journal)
            .arg(&rows)
            .output()
            .unwrap()
    };
    let first = run();
    assert_eq!(first.status.code(), Some(1), "line 2 failed");
    let status = || {
        server.sandbox.state().xsiam_reports[0]
            .report_status
            .clone()
            .unwrap()
    };
    assert_eq!(status(), "CLOSED");
    let second = run();
    let stdout = String::from_utf8_lossy(&second.stdout);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(second.status.success(), "{stdout}\n{stderr}");
    assert_eq!(status(), "CLOSED", "the rerun took the report back");
    assert!(stdout.contains("superseded         1"), "{stdout}");
    assert!(
        stderr.contains("line 2: 777776 -> NEW: superseded"),
        "{stderr}"
    );
    assert!(
        std::fs::read_to_string(&journal)
            .unwrap()
            .contains("\"outcome\":\"superseded\""),
        "journaled as superseded"
    );
    // Two updates in all: line 2 was never applied, line 3 once.
    assert_eq!(server.sandbox.state().xsiam_update_counts["777776"], 1);
}

/// A journal cut in the middle of a line (a crash while writing): the
/// fragment is moved to a file beside it, named in the message, and cut
/// from the journal, which stays JSON Lines; a corrupt line is named by its
/// number; a later run does not warn about the fragment again.
#[test]
fn a_torn_journal_is_set_aside_not_glued_onto() {
    let server = with_reports(3);
    let dir = tempfile::tempdir().unwrap();
    let (rows, journal) = (
        dir.path().join("rows.csv"),
        dir.path().join("journal.jsonl"),
    );
    std::fs::write(
        &rows,
        "source_id,status\nr0000,closed\nr0001,closed\nr0002,closed\n",
    )
    .unwrap();
    std::fs::write(
        &journal,
        "{\"line\":2,\"source_id\":\"r0000\",\"status\":\"CLOSED\",\"outcome\":\"done\"}\nnot an entry\n{\"line\":3,\"source_id\":\"r0001\",\"sta",
    )
    .unwrap();
    let output = reportctl(Some(&server), dir.path())
        .args([
            "xsiam",
            "--body-envelope",
            "flat",
            "bulk-status",
            "--rate",
            "0",
            "--journal",
        ])
        .arg(&journal)
        .arg(&rows)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let beside = format!("{}.torn", journal.display());
    assert!(
        stderr.contains("line 3 was cut short") && stderr.contains(&beside),
        "{stderr}"
    );
    assert!(stderr.contains("line 2 is not a journal entry"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&beside).unwrap(),
        "{\"line\":3,\"source_id\":\"r0001\",\"sta",
        "the fragment, as it was, beside the journal"
    );
    let state = server.sandbox.state();
    // Line 2 was done; the torn entry's row and the last one were sent.
    assert_eq!(state.xsiam_update_counts.get("r0000"), None);
    assert_eq!(state.xsiam_update_counts.get("r0001"), Some(&1));
    assert_eq!(state.xsiam_update_counts.get("r0002"), Some(&1));
    let text = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "not an entry");
    for line in &lines[2..] {
        let entry: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(entry["outcome"], "done");
    }
    assert_eq!(lines.len(), 4);
    // A rerun finds nothing torn, and nothing to send.
    let output = reportctl(Some(&server), dir.path())
        .args([
            "xsiam",
            "--body-envelope",
            "flat",
            "bulk-status",
            "--journal",
        ])
        .arg(&journal)
        .arg(&rows)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("cut short"), "{stderr}");
    assert_eq!(server.sandbox.state().xsiam_update_counts.len(), 2);
}

/// JSON Lines rows take a numeric `source_id`; rows are trimmed the same
/// way in JSON Lines as in CSV; without a journal the summary says nothing
/// of skipped rows.
#[test]
fn json_lines_take_numeric_ids_and_trim_like_csv() {
    let reports = serde_json::json!([
        {"XSOAR_SOURCE_ID": "7001", "REPORT_STATUS": "NEW"},
        {"XSOAR_SOURCE_ID": "7002", "REPORT_STATUS": "NEW"}
    ]);
    let state: SandboxState = serde_json::from_value(
        serde_json::json!({"xsiam_reports": reports, "trustar_reports": []}),
    )
    .unwrap();
    let server = server_with(Sandbox::builder().state(state));
    let dir = tempfile::tempdir().unwrap();
    let output = reportctl(Some(&server), dir.path())
        .args(["xsiam", "bulk-status", "--rate", "0", "-"])
        .write_stdin("{\"source_id\": 7001, \"status\": \"closed\"}\n{\"source_id\": \" 7002 \", \"status\": \" pending \"}\n{\"source_id\": 1.5, \"status\": \"new\"}\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("line 3: source_id must be text or a whole number, not 1.5"),
        "{stderr}"
    );
    let state = server.sandbox.state();
    assert_eq!(
        state.xsiam_reports[0].report_status.as_deref(),
        Some("CLOSED")
    );
    assert_eq!(
        state.xsiam_reports[1].report_status.as_deref(),
        Some("PENDING")
    );
    assert!(!stdout.contains("skipped"), "{stdout}");
    assert!(!stdout.contains("superseded"), "{stdout}");
}

/// `bulk-status … | head -1` once the reader has gone: a closed standard
/// output changes nothing but what is printed. The exit code still says
/// rows failed, `--failed` is written, and the journal holds every row.
#[test]
fn a_closed_standard_output_changes_no_exit_code_failed_file_or_journal() {
    // Two rows fail: each meets a 503 and so does its read-back.
    let server = common::with_reports_and_faults(
        6,
        &[Fault {
            kind: FaultKind::Unavailable,
            count: 4,
        }],
    );
    let dir = tempfile::tempdir().unwrap();
    let (rows, journal, failed) = (
        dir.path().join("rows.csv"),
        dir.path().join("journal.jsonl"),
        dir.path().join("failed.csv"),
    );
    let text: String = (0..6).map(|i| format!("r{i:04},closed\n")).collect();
    std::fs::write(&rows, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_reportctl"))
        .env_clear()
        .envs(environment(Some(&server), dir.path()))
        .args([
            "xsiam",
            "--body-envelope",
            "flat",
            "bulk-status",
            "--rate",
            "0",
            "--concurrency",
            "1",
            "--max-attempts",
            "1",
        ])
        .arg("--journal")
        .arg(&journal)
        .arg("--failed")
        .arg(&failed)
        .arg(&rows)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before anything is printed.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let failed_rows = std::fs::read_to_string(&failed).unwrap();
    assert_eq!(failed_rows.lines().count(), 3, "{failed_rows}");
    assert!(
        failed_rows.starts_with("source_id,status,why\n"),
        "{failed_rows}"
    );
    let journaled = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(journaled.lines().count(), 6, "{journaled}");
}
