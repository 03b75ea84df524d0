//! `reportctl trustar` beyond get and update, as a user runs it against
//! the sandbox: the sandbox's state after each write, `--json` output,
//! exit codes.

mod common;

use common::{Server, reportctl, server};
use serde_json::Value;

const MINE: &str = "e27b914b-b1ee-4d25-b4b2-d50db5208b4d";
const RESEARCH: &str = "c0ffee00-1111-4222-8333-444455556666";
const READ_ONLY: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

fn run(server: &Server, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    reportctl(Some(server), dir).args(args).output().unwrap()
}

fn json(server: &Server, dir: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec!["--json", "trustar"];
    all.extend_from_slice(args);
    let output = run(server, dir, &all);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn submit_status_indicators_tags_copy_move_delete() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let body = d.join("body.txt");
    std::fs::write(
        &body,
        "Dropper evil.exe called 185.220.101.4 and hxxp://bad[.]example/x",
    )
    .unwrap();
    let body = body.to_str().unwrap();

    let submitted = json(
        &server,
        d,
        &[
            "submit",
            body,
            "--title",
            "Dropper",
            "--enclave",
            MINE,
            "--external-id",
            "CLI-1",
        ],
    );
    let id = submitted["id"].as_str().unwrap().to_string();
    let held = server
        .sandbox
        .state()
        .trustar_reports
        .into_iter()
        .find(|r| r.id.as_deref() == Some(id.as_str()))
        .unwrap();
    assert_eq!(held.external_tracking_id.as_deref(), Some("CLI-1"));

    assert_eq!(
        json(&server, d, &["status", &id])["status"],
        "SUBMISSION_SUCCESS"
    );
    let found = json(&server, d, &["indicators", "CLI-1", "--external"]);
    assert_eq!(found.as_array().unwrap().len(), 3, "{found}");
    let compared = json(&server, d, &["indicators", &id, "--compare"]);
    assert_eq!(compared["both"], 3, "{compared}");
    assert_eq!(compared["only_server"], Value::Array(vec![]));

    let tags = json(
        &server,
        d,
        &["tags", &id, "--add", "phishing", "--add", "triage"],
    );
    assert_eq!(tags.as_array().unwrap().len(), 2);
    let tags = json(&server, d, &["tags", &id, "--remove", "triage"]);
    assert_eq!(tags[0]["name"], "phishing");

    let copy = json(&server, d, &["copy", &id, "--to", RESEARCH]);
    let copy = copy["id"].as_str().unwrap();
    assert_ne!(copy, id);
    let refused = run(&server, d, &["trustar", "copy", &id, "--to", READ_ONLY]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("403"));
    json(&server, d, &["move", copy, "--to", MINE]);
    json(&server, d, &["delete", copy]);
    assert!(
        !server
            .sandbox
            .state()
            .trustar_reports
            .iter()
            .any(|r| r.id.as_deref() == Some(copy))
    );

    let enclaves = json(&server, d, &["enclaves"]);
    assert_eq!(enclaves.as_array().unwrap().len(), 3);
    let quotas = json(&server, d, &["quotas"]);
    assert_eq!(quotas[0]["max_requests"], 3000);
}

#[test]
fn search_list_upsert_and_the_indicator_limit() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let body = d.join("body.txt");
    std::fs::write(&body, "phishing kit evil.exe").unwrap();
    let body = body.to_str().unwrap();
    let id = json(
        &server,
        d,
        &[
            "upsert",
            body,
            "--title",
            "Weekly",
            "--enclave",
            MINE,
            "--external-id",
            "W-1",
        ],
    );
    let more = d.join("more.txt");
    std::fs::write(&more, "and 185.220.101.4").unwrap();
    let again = json(
        &server,
        d,
        &[
            "upsert",
            more.to_str().unwrap(),
            "--title",
            "Weekly",
            "--enclave",
            MINE,
            "--external-id",
            "W-1",
            "--append",
        ],
    );
    assert_eq!(id["id"], again["id"]);

    let found = json(&server, d, &["search", "phishing"]);
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found[0]["body"], Value::Null);
    let listed = json(
        &server,
        d,
        &["list", "--since", "2020-01-01T00:00:00Z", "--enclave", MINE],
    );
    // The upserted report and the seeded one of 2023 (the other is of 2016).
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");

    // Over the limit: refused before sending, exit 3.
    let big = d.join("big.txt");
    let text: String = (0..2001).map(|i| format!("dropper{i}.exe ")).collect();
    std::fs::write(&big, text).unwrap();
    let output = run(
        &server,
        d,
        &[
            "trustar",
            "submit",
            big.to_str().unwrap(),
            "--title",
            "Big",
            "--enclave",
            MINE,
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn an_oversized_report_is_refused_with_a_hint_or_split_with_split() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let body = d.join("weekly.txt");
    std::fs::write(
        &body,
        "Monday: evil.exe 185.220.101.4\n\nTuesday: dropper.scr bad.example.com",
    )
    .unwrap();
    let body = body.to_str().unwrap();
    let refused = run(
        &server,
        d,
        &[
            "trustar",
            "--max-indicators",
            "2",
            "submit",
            body,
            "--title",
            "Weekly",
            "--enclave",
            MINE,
        ],
    );
    assert_eq!(refused.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--split"));
    let split = json(
        &server,
        d,
        &[
            "--max-indicators",
            "2",
            "submit",
            body,
            "--title",
            "Weekly",
            "--enclave",
            MINE,
            "--external-id",
            "W-1",
            "--split",
        ],
    );
    assert_eq!(split["parts"], 2);
    assert_eq!(split["ids"].as_array().unwrap().len(), 2);
    let titles: Vec<String> = server
        .sandbox
        .state()
        .trustar_reports
        .into_iter()
        .filter_map(|r| r.title)
        .filter(|t| t.starts_with("Weekly"))
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
}
