//! `reportctl xsiam` reads and writes besides set-status, as a user runs
//! them against the sandbox, in both dialects: output columns, `--json`
//! field names, exit codes, and the sandbox's state after each write.

mod common;

use common::{Server, reportctl, server_with};
use report_sandbox::{Fault, FaultKind, Sandbox, XsiamDialect};
use serde_json::Value;

fn run(server: &Server, args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    reportctl(Some(server), home.path())
        .args(args)
        .output()
        .unwrap()
}

fn json(server: &Server, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let output = run(server, &all);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn ids(rows: &Value) -> Vec<String> {
    let mut ids: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["source_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn servers() -> Vec<(XsiamDialect, Server)> {
    [XsiamDialect::Page, XsiamDialect::Live]
        .into_iter()
        .map(|d| (d, server_with(Sandbox::builder().xsiam_dialect(d))))
        .collect()
}

#[test]
fn get_and_list_print_reports_with_stable_field_names() {
    for (dialect, server) in servers() {
        let rows = json(&server, &["xsiam", "get", "777777", "777776"]);
        assert_eq!(ids(&rows), ["777776", "777777"], "{dialect}");
        let row = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["source_id"] == "777777")
            .unwrap();
        let keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = [
            "source_id",
            "name",
            "status",
            "severity",
            "assigned_user",
            "incident_id",
            "classification",
            "report_type",
            "created",
            "updated",
        ];
        expected.sort();
        assert_eq!(keys, expected, "{dialect}");
        assert_eq!(row["status"], "NEW");
        assert_eq!(row["severity"], "SEV_040_HIGH");
        assert_eq!(row["incident_id"], 4711);
        assert_eq!(row["classification"], "MDR");
        assert_eq!(row["created"], "2025-11-18T21:06:40Z");

        let all = json(&server, &["xsiam", "list"]);
        assert_eq!(all.as_array().unwrap().len(), 5, "{dialect}");
        let open = json(
            &server,
            &["xsiam", "list", "--status", "new", "--status", "ON_HOLD"],
        );
        assert_eq!(ids(&open), ["777777", "777778", "777779"], "{dialect}");
        let incident = json(&server, &["xsiam", "list", "--incident", "4711"]);
        assert_eq!(ids(&incident), ["777777", "777779"], "{dialect}");
        let both = json(
            &server,
            &[
                "xsiam",
                "list",
                "--incident",
                "4711",
                "--incident",
                "4712",
                "--status",
                "New",
            ],
        );
        assert_eq!(ids(&both), ["777777", "777779"], "{dialect}");

        // People get aligned columns under a header.
        let output = run(&server, &["xsiam", "list", "--status", "new"]);
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("SOURCE ID  STATUS  SEVERITY"),
            "{text}"
        );
        let column = lines[0].find("NAME").unwrap();
        assert!(lines[1..].iter().all(|l| l.len() > column), "{text}");
        assert!(
            text.contains("Suspicious PowerShell on finance hosts"),
            "{text}"
        );

        // An id XSIAM does not know: the others print, the exit code is 1.
        let output = run(&server, &["xsiam", "get", "777776", "424242"]);
        assert_eq!(output.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&output.stdout).contains("777776"));
        assert!(String::from_utf8_lossy(&output.stderr).contains("424242"));

        let output = run(&server, &["xsiam", "list", "--status", "done"]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "a bad status is a usage error"
        );
    }
}

#[test]
fn assign_unassign_and_comments_change_the_sandbox_and_print_what_was_stored() {
    for (dialect, server) in servers() {
        let assigned = json(
            &server,
            &[
                "xsiam",
                "assign",
                "777777",
                "soc@example.com",
                "--username",
                "Night shift",
            ],
        );
        assert_eq!(assigned["assigned_user"], "soc@example.com", "{dialect}");
        let stored = |id: &str| {
            server
                .sandbox
                .state()
                .xsiam_reports
                .into_iter()
                .find(|r| r.xsoar_source_id.as_deref() == Some(id))
                .unwrap()
        };
        assert_eq!(
            stored("777777").assigned_user_pretty.as_deref(),
            Some("Night shift")
        );

        let output = run(&server, &["xsiam", "assign", "777777", " "]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "an empty user is refused unsent"
        );
        assert!(String::from_utf8_lossy(&output.stderr).contains("unassign"));
        assert_eq!(
            stored("777777").assigned_user.as_deref(),
            Some("soc@example.com")
        );

        let cleared = json(&server, &["xsiam", "unassign", "777777"]);
        assert_eq!(cleared["assigned_user"], Value::Null);
        assert_eq!(stored("777777").assigned_user, None);

        let added = json(
            &server,
            &[
                "xsiam",
                "comment",
                "777777",
                "Triage done",
                "--author",
                "analyst@company.com",
                "--attachment",
                "comment/notes.zip",
                "--extract-zip",
            ],
        );
        assert_eq!(added["added"], true);
        let comments = json(&server, &["xsiam", "comments", "777777"]);
        let list = comments.as_array().unwrap();
        assert_eq!(list.len(), 1, "{dialect}");
        let keys: Vec<&str> = list[0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["author", "comment_id", "created", "source_id", "text"]
        );
        assert_eq!(list[0]["text"], "Triage done");
        assert_eq!(list[0]["author"], "analyst@company.com");

        let window = json(
            &server,
            &[
                "xsiam",
                "comments",
                "--since",
                "1763468552000",
                "--until",
                "2025-11-18T12:22:32Z",
            ],
        );
        assert_eq!(window.as_array().unwrap().len(), 1, "the seeded comment");
        let output = run(
            &server,
            &["xsiam", "comments", "--since", "yesterday", "--until", "0"],
        );
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("RFC 3339"));
    }
}

#[test]
fn a_comment_whose_answer_is_lost_is_posted_once() {
    for (dialect, server) in servers() {
        server
            .sandbox
            .add_fault(Fault {
                kind: FaultKind::ApplyThenDrop,
                count: 1,
            })
            .unwrap();
        let output = run(
            &server,
            &[
                "xsiam",
                "comment",
                "777778",
                "Customer called back",
                "--author",
                "me",
            ],
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let copies = server
            .sandbox
            .state()
            .xsiam_comments
            .iter()
            .filter(|c| c.comment_text == "Customer called back")
            .count();
        assert_eq!(copies, 1, "{dialect}");
        assert_eq!(
            server.sandbox.state().faults_injected.get("apply_drop"),
            Some(&1)
        );
    }
}
