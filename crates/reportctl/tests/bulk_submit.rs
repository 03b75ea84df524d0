//! `reportctl trustar bulk-submit` through the binary against the
//! sandbox: every input ends as exactly one report (or one set of parts),
//! none missing, none twice, whatever faults, kills and reruns happen.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{Server, environment, reportctl, server_with};
use report_sandbox::{Fault, FaultKind, Sandbox};
use serde_json::Value;

const MINE: &str = "e27b914b-b1ee-4d25-b4b2-d50db5208b4d";

/// A folder of `n` findings; every fifth one holds more than 3 indicators
/// in three paragraphs.
fn findings(dir: &Path, n: usize) -> std::path::PathBuf {
    findings_with(dir, n, 5)
}

/// A folder of `n` findings; every `every`th one (from the first) holds
/// more than 3 indicators in three paragraphs: two parts when split.
fn findings_with(dir: &Path, n: usize, every: usize) -> std::path::PathBuf {
    let folder = dir.join("findings");
    std::fs::create_dir(&folder).unwrap();
    for i in 0..n {
        let body = if i % every == 0 {
            format!(
                "Day one: dropper{i}.exe 185.220.{i}.1\n\nDay two: loader{i}.dll bad{i}.example.com\n\n\
                 Day three: CVE-2024-{:04}",
                1000 + i
            )
        } else {
            format!("Seen: dropper{i}.exe")
        };
        std::fs::write(folder.join(format!("finding-{i:03}.txt")), body).unwrap();
    }
    folder
}

/// The reports in the sandbox, by title without the part suffix: how many
/// reports each input became.
fn reports_by_input(server: &Server) -> BTreeMap<String, usize> {
    let mut by_input = BTreeMap::new();
    for report in server.sandbox.state().trustar_reports {
        let Some(title) = report.title else { continue };
        if !title.starts_with("finding-") {
            continue;
        }
        let input = title.split(" (").next().unwrap_or(&title).to_string();
        *by_input.entry(input).or_default() += 1;
    }
    by_input
}

fn bulk(server: &Server, dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--json", "trustar", "--max-indicators", "3", "bulk-submit"];
    all.extend_from_slice(args);
    reportctl(Some(server), dir).args(&all).output().unwrap()
}

#[test]
fn a_folder_with_faults_and_a_rerun_ends_as_one_report_or_one_set_of_parts_each() {
    let server = server_with(
        Sandbox::builder()
            .fault(Fault {
                kind: FaultKind::ApplyThenDrop,
                count: 3,
            })
            .fault(Fault {
                kind: FaultKind::ApplyThenUnavailable,
                count: 2,
            }),
    );
    let dir = tempfile::tempdir().unwrap();
    let folder = findings(dir.path(), 20);
    let journal = dir.path().join("submit.journal");
    let args = [
        folder.to_str().unwrap(),
        "--enclave",
        MINE,
        "--split",
        "--rate",
        "0",
        "--journal",
        journal.to_str().unwrap(),
    ];
    let output = bulk(&server, dir.path(), &args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["counts"]["created"], 16, "{summary}");
    assert_eq!(summary["counts"]["split"], 4, "{summary}");
    assert_eq!(summary["split"], 4);
    assert_eq!(summary["parts"], 8, "{summary}");
    let first = &summary["inputs"][0];
    assert_eq!(first["input"], "finding-000.txt");
    assert_eq!(first["ids"].as_array().unwrap().len(), 2, "{first}");

    let expected: BTreeMap<String, usize> = (0..20)
        .map(|i| (format!("finding-{i:03}"), if i % 5 == 0 { 2 } else { 1 }))
        .collect();
    assert_eq!(reports_by_input(&server), expected);

    // The rerun skips every input the journal has; nothing new.
    let output = bulk(&server, dir.path(), &args);
    assert!(output.status.success());
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["counts"]["skipped"], 20, "{summary}");
    // Without the journal, every input is found already there (409, read
    // back): still nothing new, and the summary says so.
    let output = bulk(&server, dir.path(), &args[..6]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["counts"]["already there"], 16, "{summary}");
    assert_eq!(summary["counts"]["split"], 4, "{summary}");
    assert_eq!(summary["inputs"][0]["already_there"], 2, "{summary}");
    assert!(summary["counts"].get("created").is_none(), "{summary}");
    assert_eq!(reports_by_input(&server), expected);
}

#[test]
fn without_split_oversized_inputs_are_reported_and_the_run_goes_on() {
    let server = server_with(Sandbox::builder());
    let dir = tempfile::tempdir().unwrap();
    let folder = findings(dir.path(), 10);
    let failed = dir.path().join("failed.csv");
    let output = bulk(
        &server,
        dir.path(),
        &[
            folder.to_str().unwrap(),
            "--enclave",
            MINE,
            "--rate",
            "0",
            "--failed",
            failed.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["counts"]["created"], 8, "{summary}");
    assert_eq!(summary["counts"]["over the limit"], 2, "{summary}");
    let written = std::fs::read_to_string(&failed).unwrap();
    assert_eq!(written.lines().count(), 3, "{written}");
    assert!(written.contains("--split"), "{written}");
    assert_eq!(reports_by_input(&server).len(), 8);
}

#[test]
fn json_lines_with_their_own_external_ids() {
    let server = server_with(Sandbox::builder());
    let dir = tempfile::tempdir().unwrap();
    let lines = dir.path().join("findings.jsonl");
    std::fs::write(
        &lines,
        "{\"title\": \"finding-a\", \"body\": \"evil.exe\", \"external_id\": \"J-1\"}\n\
         {\"title\": \"finding-b\", \"body\": \"loader.dll\"}\n\
         {\"title\": 5}\n",
    )
    .unwrap();
    let output = bulk(
        &server,
        dir.path(),
        &[lines.to_str().unwrap(), "--enclave", MINE, "--rate", "0"],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "the third line is unreadable"
    );
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["counts"]["created"], 2, "{summary}");
    assert_eq!(summary["counts"]["unreadable"], 1, "{summary}");
    let state = server.sandbox.state();
    assert!(
        state
            .trustar_reports
            .iter()
            .any(|r| r.external_tracking_id.as_deref() == Some("J-1"))
    );
}

/// Starts `bulk-submit FOLDER --split` with `journal`, `concurrency` and
/// `rate` (calls a minute), and kills it (SIGKILL) once `journaled` inputs
/// are in the journal (or after a minute).
fn kill_once_journaled(
    server: &Server,
    dir: &Path,
    folder: &Path,
    journal: &Path,
    (concurrency, rate): (&str, &str),
    journaled: usize,
) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reportctl"))
        .env_clear()
        .envs(environment(Some(server), dir))
        .args(["trustar", "--max-indicators", "3", "bulk-submit"])
        .arg(folder)
        .args(["--enclave", MINE, "--split", "--concurrency", concurrency])
        .args(["--rate", rate])
        .arg("--journal")
        .arg(journal)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let done = std::fs::read_to_string(journal)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if done >= journaled || started.elapsed() > std::time::Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Killed halfway (SIGKILL: nothing finishes, the in-flight input may be
/// stored but not journaled), then rerun: one report per input.
#[test]
fn killed_halfway_and_rerun_every_input_once() {
    let server = server_with(Sandbox::builder());
    let dir = tempfile::tempdir().unwrap();
    let folder = findings(dir.path(), 16);
    let journal = dir.path().join("submit.journal");
    // 4 calls a second: the run takes several seconds.
    kill_once_journaled(&server, dir.path(), &folder, &journal, ("2", "240"), 4);
    let before = reports_by_input(&server).len();
    assert!(
        before > 0 && before < 16,
        "killed halfway: {before} inputs in"
    );

    let output = reportctl(Some(&server), dir.path())
        .args([
            "--json",
            "trustar",
            "--max-indicators",
            "3",
            "bulk-submit",
            folder.to_str().unwrap(),
            "--enclave",
            MINE,
            "--split",
            "--rate",
            "0",
        ])
        .arg("--journal")
        .arg(&journal)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected: BTreeMap<String, usize> = (0..16)
        .map(|i| (format!("finding-{i:03}"), if i % 5 == 0 { 2 } else { 1 }))
        .collect();
    assert_eq!(reports_by_input(&server), expected);
}

/// The scenario: 200 findings, 10 of them over the limit, queued
/// apply-then-drop and 503 faults before and after a SIGKILL halfway, and
/// a rerun with the journal: the sandbox ends with exactly one report per
/// input, and two parts for each oversized one.
#[test]
fn two_hundred_findings_with_faults_a_kill_and_a_rerun() {
    let faults = |sandbox: &report_sandbox::RunningSandbox| {
        for kind in [FaultKind::ApplyThenDrop, FaultKind::ApplyThenUnavailable] {
            sandbox.add_fault(Fault { kind, count: 4 }).unwrap();
        }
        sandbox
            .add_fault(Fault {
                kind: FaultKind::Unavailable,
                count: 4,
            })
            .unwrap();
    };
    let server = server_with(Sandbox::builder());
    faults(&server.sandbox);
    let dir = tempfile::tempdir().unwrap();
    let folder = findings_with(dir.path(), 200, 20);
    let journal = dir.path().join("submit.journal");
    // 25 calls a second: the run takes about ten seconds.
    kill_once_journaled(&server, dir.path(), &folder, &journal, ("4", "1500"), 60);
    let before = reports_by_input(&server).len();
    assert!(
        (60..200).contains(&before),
        "killed halfway: {before} inputs in"
    );

    faults(&server.sandbox);
    let output = bulk(
        &server,
        dir.path(),
        &[
            folder.to_str().unwrap(),
            "--enclave",
            MINE,
            "--split",
            "--rate",
            "0",
            "--journal",
            journal.to_str().unwrap(),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    let counted: u64 = summary["counts"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(counted, 200, "{summary}");
    let expected: BTreeMap<String, usize> = (0..200)
        .map(|i| (format!("finding-{i:03}"), if i % 20 == 0 { 2 } else { 1 }))
        .collect();
    assert_eq!(reports_by_input(&server), expected);
}
