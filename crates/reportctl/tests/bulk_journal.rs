//! `bulk-status` and its journal under what stops a run: a second run on
//! the same journal, the input as its own journal, a journal that cannot be
//! written, a second Ctrl-C, SIGTERM, too many rows at once and too few
//! file handles. Each checked against the sandbox's own state.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Server, environment, reportctl, status_of, with_reports_and_faults};
use report_sandbox::{Fault, FaultKind};

fn with_reports(n: usize, faults: &[Fault]) -> Server {
    with_reports_and_faults(n, faults)
}

/// Rows `r0000,closed`, `r0001,closed`, …
fn rows(n: usize, path: &Path) {
    let text: String = (0..n).map(|i| format!("r{i:04},closed\n")).collect();
    std::fs::write(path, text).unwrap();
}

/// The journal's entries; a last line cut short (a write that failed part
/// way) is not one.
fn journal(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n') && !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

fn outcomes(path: &Path, outcome: &str) -> Vec<String> {
    journal(path)
        .into_iter()
        .filter(|e| e["outcome"] == outcome)
        .map(|e| e["key"].as_str().unwrap().to_string())
        .collect()
}

/// `reportctl xsiam bulk-status ARGS` started in the background.
fn spawn(server: &Server, home: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_reportctl"))
        .env_clear()
        .envs(environment(Some(server), home))
        // Flat, as the sandbox's page dialect wants: no probe holds the
        // other rows back.
        .args(["xsiam", "bulk-status", "--body-envelope", "flat"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(30), "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn hang(count: u32) -> Fault {
    Fault {
        kind: FaultKind::Hang { ms: 20_000 },
        count,
    }
}

#[test]
fn a_second_run_on_the_same_journal_is_refused_while_the_first_holds_it() {
    // The first run's only row hangs, so it holds the journal.
    let server = with_reports(2, &[hang(1)]);
    let dir = tempfile::tempdir().unwrap();
    let (input, journal_path) = (dir.path().join("rows.csv"), dir.path().join("j.jsonl"));
    rows(1, &input);
    let j = journal_path.to_str().unwrap();
    let mut first = spawn(
        &server,
        dir.path(),
        &["--journal", j, input.to_str().unwrap()],
    );
    wait_until("the first run never sent its row", || {
        server.sandbox.state().faults_injected.contains_key("hang")
    });

    let output = reportctl(Some(&server), dir.path())
        .args(["xsiam", "bulk-status", "--journal", j])
        .arg(&input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is in use by another reportctl run"),
        "{stderr}"
    );
    first.kill().unwrap();
    first.wait().unwrap();
}

#[test]
fn the_input_file_is_refused_as_its_own_journal() {
    let server = with_reports(3, &[]);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("rows.csv");
    rows(3, &input);
    let before = std::fs::read(&input).unwrap();
    // Also through another spelling of the same path.
    let other = dir.path().join(".").join("rows.csv");
    let output = reportctl(Some(&server), dir.path())
        .args(["xsiam", "bulk-status", "--journal"])
        .arg(&other)
        .arg(&input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is the input file"), "{stderr}");
    assert_eq!(
        std::fs::read(&input).unwrap(),
        before,
        "the input is untouched"
    );
    assert!(server.sandbox.state().xsiam_update_counts.is_empty());
}

/// A journal that stops accepting writes part-way (here the file size
/// limit, as a full disk does): the run stops with the error and a summary,
/// and every row the journal calls done was applied. A rerun with room
/// finishes the rest.
#[test]
fn a_journal_that_cannot_be_written_stops_the_run_and_claims_nothing_undone() {
    let n = 400;
    let server = with_reports(n, &[]);
    let dir = tempfile::tempdir().unwrap();
    let (input, journal_path) = (dir.path().join("rows.csv"), dir.path().join("j.jsonl"));
    rows(n, &input);
    // 8 KiB of journal (about 100 entries), then every write fails; the
    // signal that would kill the process is ignored, so the write returns
    // an error as on a full disk.
    let script = format!(
        "trap '' XFSZ; ulimit -f 8; exec {} xsiam bulk-status --concurrency 4 --rate 0 --journal {} {}",
        env!("CARGO_BIN_EXE_reportctl"),
        journal_path.display(),
        input.display()
    );
    let output = Command::new("bash")
        .args(["-c", &script])
        .env_clear()
        .envs(environment(Some(&server), dir.path()))
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write the journal"), "{stderr}");
    assert!(stderr.contains("rerun with the same --journal"), "{stderr}");
    assert!(stdout.contains("done"), "a summary: {stdout}");
    assert!(stdout.contains("stopped the run"), "{stdout}");
    let done = outcomes(&journal_path, "done");
    assert!(!done.is_empty() && done.len() < n, "{} done", done.len());
    for id in &done {
        assert_eq!(status_of(&server, id).as_deref(), Some("CLOSED"), "{id}");
    }
    let applied = server.sandbox.state().xsiam_update_counts.len();
    assert!(
        applied < n,
        "no row starts after the journal failed: {applied}"
    );

    let output = reportctl(Some(&server), dir.path())
        .args(["xsiam", "bulk-status", "--rate", "0", "--journal"])
        .arg(&journal_path)
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for i in 0..n {
        let id = format!("r{i:04}");
        assert_eq!(status_of(&server, &id).as_deref(), Some("CLOSED"), "{id}");
    }
}

#[test]
fn a_second_ctrl_c_stops_at_once_and_journals_the_rows_in_flight_as_not_done() {
    let server = with_reports(8, &[hang(4)]);
    let dir = tempfile::tempdir().unwrap();
    let (input, journal_path) = (dir.path().join("rows.csv"), dir.path().join("j.jsonl"));
    rows(8, &input);
    let mut run = spawn(
        &server,
        dir.path(),
        &[
            "--concurrency",
            "4",
            "--journal",
            journal_path.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
    );
    wait_until("four rows never hung", || {
        server.sandbox.state().faults_injected.get("hang") == Some(&4)
    });
    signal(&run, "-INT");
    // The run says it took the first Ctrl-C: the event, not a while.
    let mut messages = BufReader::new(run.stderr.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("stopping: waiting for the 4 rows in flight") {
        let mut line = String::new();
        assert!(
            messages.read_line(&mut line).unwrap() > 0,
            "the run ended before it said it was stopping: {seen}"
        );
        seen.push_str(&line);
    }
    assert!(
        run.try_wait().unwrap().is_none(),
        "the first Ctrl-C waits for the rows in flight"
    );
    let second = Instant::now();
    signal(&run, "-INT");
    let output = run.wait_with_output().unwrap();
    assert!(
        second.elapsed() < Duration::from_secs(5),
        "the second Ctrl-C stops at once"
    );
    messages.read_to_string(&mut seen).unwrap();
    let stderr = seen;
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("stopping now"), "{stderr}");
    assert_eq!(outcomes(&journal_path, "interrupted").len(), 4, "{stderr}");
    assert!(outcomes(&journal_path, "done").is_empty());

    let output = reportctl(Some(&server), dir.path())
        .args(["xsiam", "bulk-status", "--journal"])
        .arg(&journal_path)
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for i in 0..8 {
        let id = format!("r{i:04}");
        assert_eq!(status_of(&server, &id).as_deref(), Some("CLOSED"), "{id}");
    }
}

#[test]
fn sigterm_stops_like_the_first_ctrl_c() {
    // Hangs short enough to finish: the rows in flight end and are journaled.
    let server = with_reports(
        8,
        &[Fault {
            kind: FaultKind::Hang { ms: 1_500 },
            count: 2,
        }],
    );
    let dir = tempfile::tempdir().unwrap();
    let (input, journal_path) = (dir.path().join("rows.csv"), dir.path().join("j.jsonl"));
    rows(8, &input);
    let run = spawn(
        &server,
        dir.path(),
        &[
            "--concurrency",
            "2",
            "--timeout",
            "60",
            "--journal",
            journal_path.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
    );
    wait_until("two rows never hung", || {
        server.sandbox.state().faults_injected.get("hang") == Some(&2)
    });
    signal(&run, "-TERM");
    let output = run.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("waiting for the 2 rows in flight"),
        "{stderr}"
    );
    // The two rows in flight finished and were journaled as done; nothing
    // else started.
    assert_eq!(outcomes(&journal_path, "done").len(), 2, "{stderr}");
    assert_eq!(server.sandbox.state().xsiam_update_counts.len(), 2);

    // The rerun applies the other six, each once.
    let output = reportctl(Some(&server), dir.path())
        .args(["xsiam", "bulk-status", "--journal"])
        .arg(&journal_path)
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let counts = server.sandbox.state().xsiam_update_counts;
    assert_eq!(counts.len(), 8);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
}

#[test]
fn concurrency_is_capped_with_a_message() {
    let server = with_reports(5, &[]);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("rows.csv");
    rows(5, &input);
    let output = reportctl(Some(&server), dir.path())
        .args(["xsiam", "bulk-status", "--concurrency", "100000"])
        .arg(&input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("above the cap of 256"), "{stderr}");
}

#[test]
fn running_out_of_file_handles_is_reported_as_that() {
    let n = 200;
    let server = with_reports(n, &[]);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("rows.csv");
    rows(n, &input);
    let script = format!(
        "ulimit -n 48; exec {} xsiam bulk-status --concurrency 200 --rate 0 --max-attempts 1 {}",
        env!("CARGO_BIN_EXE_reportctl"),
        input.display()
    );
    let output = Command::new("bash")
        .args(["-c", &script])
        .env_clear()
        .envs(environment(Some(&server), dir.path()))
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("ran out of file handles"), "{stderr}");
    assert!(
        stdout.contains("out of file handles"),
        "grouped so: {stdout}"
    );
    assert!(!stderr.contains("could not reach"), "{stderr}");
}

/// Under `--rate`, the first Ctrl-C stops the rows still waiting for their
/// turn: only rows already sent finish, the run ends at once rather than
/// after the queue's wait, and the rerun applies every row exactly once.
#[test]
fn at_the_first_ctrl_c_rows_waiting_for_the_rate_limit_are_not_sent() {
    let n = 20;
    let server = with_reports(n, &[]);
    let dir = tempfile::tempdir().unwrap();
    let (input, journal_path) = (dir.path().join("rows.csv"), dir.path().join("rows.journal"));
    rows(n, &input);
    // Two rows a second, eight at once: six rows wait for their turn.
    let child = spawn(
        &server,
        dir.path(),
        &[
            "--rate",
            "2",
            "--concurrency",
            "8",
            "--journal",
            journal_path.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
    );
    wait_until("a first row applied", || {
        !server.sandbox.state().xsiam_update_counts.is_empty()
    });
    let stopped_at = Instant::now();
    signal(&child, "-INT");
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    // Eight queued rows at two a second would take about 3.5 s more.
    assert!(
        stopped_at.elapsed() < Duration::from_millis(2500),
        "took {:?}: {stderr}",
        stopped_at.elapsed()
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("not started"), "{stdout}");
    let applied: Vec<String> = server
        .sandbox
        .state()
        .xsiam_update_counts
        .keys()
        .cloned()
        .collect();
    let mut done = outcomes(&journal_path, "done");
    done.sort();
    assert_eq!(done, applied, "every row sent finished and was journaled");
    assert!(applied.len() <= 3, "{} rows were sent", applied.len());

    let output = reportctl(Some(&server), dir.path())
        .args(["xsiam", "bulk-status", "--rate", "0", "--journal"])
        .arg(&journal_path)
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let counts = server.sandbox.state().xsiam_update_counts;
    assert_eq!(counts.len(), n);
    assert!(counts.values().all(|c| *c == 1), "{counts:?}");
}
