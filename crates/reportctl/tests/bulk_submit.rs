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
    let folder = dir.join("findings");
    std::fs::create_dir(&folder).unwrap();
    for i in 0..n {
        let body = if i % 5 == 0 {
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
    assert_eq!(summary["counts"]["submitted"], 20, "{summary}");
    assert_eq!(summary["split"], 4);
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
    // back): still nothing new.
    let output = bulk(&server, dir.path(), &args[..6]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
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
    assert_eq!(summary["counts"]["submitted"], 8, "{summary}");
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
    assert_eq!(summary["counts"]["submitted"], 2, "{summary}");
    assert_eq!(summary["counts"]["unreadable"], 1, "{summary}");
    let state = server.sandbox.state();
    assert!(
        state
            .trustar_reports
            .iter()
            .any(|r| r.external_tracking_id.as_deref() == Some("J-1"))
    );
}

/// Killed halfway (SIGKILL: nothing finishes, the in-flight input may be
/// stored but not journaled), then rerun: one report per input.
#[test]
fn killed_halfway_and_rerun_every_input_once() {
    let server = server_with(Sandbox::builder());
    let dir = tempfile::tempdir().unwrap();
    let folder = findings(dir.path(), 16);
    let journal = dir.path().join("submit.journal");
    let mut child = Command::new(env!("CARGO_BIN_EXE_reportctl"))
        .env_clear()
        .envs(environment(Some(&server), dir.path()))
        .args([
            "trustar",
            "--max-indicators",
            "3",
            "bulk-submit",
            folder.to_str().unwrap(),
            "--enclave",
            MINE,
            "--split",
            "--concurrency",
            "2",
            // 4 calls a second: the run takes several seconds.
            "--rate",
            "240",
        ])
        .arg("--journal")
        .arg(&journal)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill once some inputs are journaled, well before the end.
    let started = std::time::Instant::now();
    loop {
        let done = std::fs::read_to_string(&journal)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if done >= 4 || started.elapsed() > std::time::Duration::from_secs(20) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
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
