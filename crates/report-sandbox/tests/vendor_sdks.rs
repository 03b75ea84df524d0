//! The vendors' own published Python SDKs (pinned in
//! `tools/requirements.txt`, installed by the xtask like schemathesis)
//! against the `report-sandbox` binary: what real clients send, the sandbox
//! must take as the vendors' servers do. Each step is checked in the
//! sandbox's state afterwards; the XSIAM writes also right after each one.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

#[test]
fn the_vendors_python_sdks_work_against_the_sandbox() {
    let root = xtask::workspace_root();
    let venv =
        xtask::python_tools::ensure_installed(&root).expect("the pinned Python tools install");
    let mut child = Command::new(env!("CARGO_BIN_EXE_report-sandbox"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let base_url = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let output = Command::new(venv.join("python"))
        .arg(root.join("tools/compat/vendor_sdks.py"))
        .arg(&base_url)
        .output()
        .unwrap();
    let state: Value = reqwest::blocking_get(&format!("{base_url}/_sandbox/state"));
    let _ = child.kill();
    let _ = child.wait();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The SDK logs JSON lines of its own on stdout; the script's steps are
    // the lines with a "step".
    let steps: Vec<Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("step").is_some())
        .collect();
    assert_eq!(steps.len(), 26, "{stdout}");
    let step = |name: &str| {
        steps
            .iter()
            .find(|s| s["step"] == name)
            .unwrap_or_else(|| panic!("no step {name:?}: {stdout}"))
            .clone()
    };

    // XSIAM, cortex-xdr-client: standard and advanced keys.
    let xsiam = |id: &str| {
        state["xsiam_reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["XSOAR_SOURCE_ID"] == id)
            .unwrap()["REPORT_STATUS"]
            .clone()
    };
    assert_eq!(xsiam("777776"), "PENDING");
    assert_eq!(xsiam("777777"), "CLOSED");
    assert_eq!(step("xsiam standard key")["status"], "PENDING");
    assert_eq!(step("xsiam advanced key")["status"], "CLOSED");

    // The other seven MTH endpoints, through the client's own methods
    // (flat bodies, `get_all_reports` wrapped), after those two updates.
    assert_eq!(
        step("xsiam get_all_reports")["ids"],
        serde_json::json!(["777776", "777777", "777778", "777779", "777780"])
    );
    let by_id = step("xsiam get_reports_by_source_id");
    assert_eq!(by_id["ids"], serde_json::json!(["777777", "777778"]));
    assert!(
        by_id["keys"]
            .as_array()
            .unwrap()
            .contains(&"xsoar_source_id".into())
    );
    assert_eq!(
        step("xsiam get_reports_by_incident_id")["ids"],
        serde_json::json!(["777777", "777779"])
    );
    assert_eq!(
        step("xsiam get_reports_by_statuses")["ids"],
        serde_json::json!(["777778", "777779"])
    );
    // Each write, with the sandbox's state read right after it.
    let assigned = step("xsiam update_report_assignment");
    assert_eq!(assigned["reply"]["success"], true);
    assert_eq!(assigned["reply"]["assigned_user"], "analyst@company.com");
    assert_eq!(
        assigned["stored"],
        serde_json::json!(["analyst@company.com", "Motti Analysto"])
    );
    let commented = step("xsiam add_comment");
    assert_eq!(commented["reply"], true);
    let stored = commented["stored"].as_array().unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0]["comment_text"],
        "Checked with the vendor's client"
    );
    assert_eq!(stored[0]["comment_created_by"], "analyst@company.com");
    assert_eq!(
        stored[0]["comment_attachments"],
        serde_json::json!(["comment/evidence.zip"])
    );
    assert_eq!(
        step("xsiam get_comments by report")["texts"],
        serde_json::json!(["Checked with the vendor's client"])
    );
    assert_eq!(
        step("xsiam get_comments by window")["ids"],
        serde_json::json!([1])
    );
    let cleared = step("xsiam update_report_assignment without user");
    assert_eq!(cleared["reply"]["assigned_user"], Value::Null);
    assert_eq!(cleared["stored"], serde_json::json!([null, null]));

    // TruSTAR, the trustar SDK: read, read-modify-write, update by
    // external id.
    let trustar = |external: &str| {
        state["trustar_reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["externalTrackingId"] == external)
            .unwrap()
            .clone()
    };
    let edited = trustar("M-1234");
    assert_eq!(edited["title"], "Edited by the vendor SDK");
    assert!(
        edited["reportBody"]
            .as_str()
            .unwrap()
            .ends_with("Also seen: 185.220.101.4")
    );
    // The SDK sent timeBegan back in milliseconds, as it read it.
    assert_eq!(
        edited["timeBegan"],
        step("trustar get_report_details")["time_began"]
    );
    assert_eq!(trustar("M-5678")["title"], "Updated by external id");
    let counts = &state["trustar_update_counts"];
    assert_eq!(
        counts
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum::<u64>(),
        3,
        "two replacements and one submission"
    );
    assert_eq!(state["xsiam_update_counts"].as_object().unwrap().len(), 2);

    // The rest of the TruSTAR family, each write checked in the sandbox's
    // state right after it.
    let submitted = step("trustar submit_report");
    let id = submitted["id"].as_str().unwrap();
    assert_eq!(submitted["stored_title"], "Submitted by the vendor SDK");
    assert_eq!(submitted["stored_external_id"], "SDK-1");
    assert_eq!(
        step("trustar get_report_status")["status"],
        "SUBMISSION_SUCCESS"
    );
    assert_eq!(
        step("trustar get_report_details (new)")["title"],
        "Submitted by the vendor SDK"
    );
    assert_eq!(
        step("trustar get_indicators_for_report")["indicators"],
        serde_json::json!([["IP", "185.220.101.4"], ["SOFTWARE", "evil.exe"]])
    );
    let tagged = step("trustar alter_report_tags");
    assert_eq!(tagged["tags"], serde_json::json!(["phishing"]));
    assert_eq!(tagged["stored_tags"], serde_json::json!(["phishing"]));
    let searched = step("trustar search_reports");
    assert!(searched["ids"].as_array().unwrap().contains(&id.into()));
    let listed = step("trustar get_reports");
    assert!(listed["ids"].as_array().unwrap().contains(&id.into()));
    let copied = step("trustar copy_report");
    assert_ne!(copied["id"], id);
    assert_eq!(
        copied["stored_enclaves"],
        serde_json::json!(["c0ffee00-1111-4222-8333-444455556666"])
    );
    assert_eq!(
        step("trustar move_report")["stored_enclaves"],
        serde_json::json!(["e27b914b-b1ee-4d25-b4b2-d50db5208b4d"])
    );
    assert_eq!(step("trustar delete_report")["stored"], Value::Null);
    assert_eq!(
        step("trustar get_user_enclaves")["enclaves"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        step("trustar get_request_quotas")["max_requests"],
        serde_json::json!([3000])
    );
    // In the end state: the submitted report with its tag; the copy gone.
    let report = state["trustar_reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap();
    assert_eq!(report["tags"], serde_json::json!(["phishing"]));
    assert!(
        !state["trustar_reports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == copied["id"])
    );
}

mod reqwest {
    /// One GET, answered as JSON, on a runtime of its own.
    pub fn blocking_get(url: &str) -> serde_json::Value {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async { ::reqwest::get(url).await.unwrap().json().await.unwrap() })
    }
}
