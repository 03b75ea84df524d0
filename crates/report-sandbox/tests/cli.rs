//! The `report-sandbox` binary as a user runs it, and the vendor pages' own
//! curl examples pointed at it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// The binary, started with `args`; killed when dropped.
struct Running {
    child: Child,
    base_url: String,
    rest: Vec<String>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_report-sandbox"))
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base_url = lines.next().unwrap().unwrap();
        let rest = lines.by_ref().take(4).map(|l| l.unwrap()).collect();
        Running {
            child,
            base_url,
            rest,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn curl(args: &[&str]) -> (String, String) {
    let output = Command::new("curl")
        .args(["-s", "-S", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl is installed (.ci/run installs it)");
    let text = String::from_utf8(output.stdout).unwrap();
    let (body, status) = text.rsplit_once('\n').unwrap();
    (body.to_string(), status.to_string())
}

#[test]
fn the_first_line_is_the_base_url_and_the_credentials_are_marked_sandbox_only() {
    let sandbox = Running::start(&[]);
    assert!(
        sandbox.base_url.starts_with("http://127.0.0.1:"),
        "{}",
        sandbox.base_url
    );
    assert!(
        sandbox.rest[0].contains("SANDBOX-ONLY"),
        "{:?}",
        sandbox.rest
    );
    assert!(
        sandbox
            .rest
            .iter()
            .any(|l| l.contains("sandbox-standard-key"))
    );
    let (body, status) = curl(&[&format!("{}/_sandbox/state", sandbox.base_url)]);
    assert_eq!(status, "200");
    let state: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(state["xsiam_reports"][0]["XSOAR_SOURCE_ID"], "777776");
}

#[test]
fn the_xsiam_vendor_curl_example_works() {
    let sandbox = Running::start(&[]);
    // As on the vendor page, with the sandbox's URL, key and id.
    let (body, status) = curl(&[
        "-X",
        "POST",
        "-H",
        "Accept: application/json",
        "-H",
        "Content-Type: application/json",
        "-H",
        "Authorization: sandbox-standard-key",
        "-H",
        "x-xdr-auth-id: 1",
        &format!(
            "{}/public_api/v1/mth/child/report/update/status",
            sandbox.base_url
        ),
        "-d",
        r#"{ "xsoar_source_id" : "777776", "report_status" : "New" }"#,
    ]);
    assert_eq!(status, "200", "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["reply"]["REPORT_STATUS"], "NEW");
}

#[test]
fn the_trustar_vendor_curl_example_works_with_its_post() {
    let sandbox = Running::start(&[]);
    let (token, status) = curl(&[
        "-u",
        "sandbox-api-key:sandbox-api-secret",
        "-d",
        "grant_type=client_credentials",
        &format!("{}/oauth/token", sandbox.base_url),
    ]);
    assert_eq!(status, "200", "{token}");
    let token: Value = serde_json::from_str(&token).unwrap();
    let bearer = format!(
        "Authorization: Bearer {}",
        token["access_token"].as_str().unwrap()
    );
    // The page's example, verbatim but for the host and token: it sends
    // POST, where the page documents PUT.
    let (body, status) = curl(&[
        "-k",
        "-H",
        "Content-Type: application/json",
        "-X",
        "POST",
        "-d",
        r#"{"title":"curl api-report", "reportBody":"This is a test report body with some indicators:, evil.exe, api.evildomain.com, hash d2dd1bcdd6d6cfac59ba9638d2cd886c ", "externalTrackingId": "M-1234", "timeBegan":"2016-09-22T11:38:35+00:00", "enclaveIds":["e27b914b-b1ee-4d25-b4b2-d50db5208b4d"]}"#,
        "-H",
        &bearer,
        &format!(
            "{}/api/1.3/reports/M-1234?idType=external",
            sandbox.base_url
        ),
    ]);
    assert_eq!(status, "200", "{body}");
}

#[test]
fn state_credentials_and_faults_come_from_the_command_line() {
    let dir = tempdir();
    let state = dir.join("state.json");
    std::fs::write(
        &state,
        r#"{"xsiam_reports": [{"XSOAR_SOURCE_ID": "42", "REPORT_STATUS": "NEW"}], "trustar_reports": []}"#,
    )
    .unwrap();
    let credentials = dir.join("credentials.json");
    std::fs::write(
        &credentials,
        r#"{"xsiam_standard_key_id": "9", "xsiam_standard_key": "k9", "xsiam_advanced_key_id": "10",
            "xsiam_advanced_key": "k10", "trustar_api_key": "a", "trustar_api_secret": "b"}"#,
    )
    .unwrap();
    let sandbox = Running::start(&[
        "--state",
        state.to_str().unwrap(),
        "--credentials",
        credentials.to_str().unwrap(),
        "--fault",
        "503:1",
    ]);
    let call = || {
        curl(&[
            "-H",
            "Authorization: k9",
            "-H",
            "x-xdr-auth-id: 9",
            "-H",
            "Content-Type: application/json",
            "-d",
            r#"{"xsoar_source_id": "42", "report_status": "Closed"}"#,
            &format!(
                "{}/public_api/v1/mth/child/report/update/status",
                sandbox.base_url
            ),
        ])
    };
    assert_eq!(call().1, "503", "the queued fault comes first");
    let (body, status) = call();
    assert_eq!(status, "200", "{body}");
    assert!(body.contains("\"REPORT_STATUS\":\"CLOSED\""), "{body}");
}

/// `--fault-rates 503=1` answers every API call 503 and counts them in the
/// state; the admin routes are never faulted.
#[test]
fn fault_rates_come_from_the_command_line() {
    let sandbox = Running::start(&["--fault-rates", "503=1,seed=3"]);
    let update = format!(
        "{}/public_api/v1/mth/child/report/update/status",
        sandbox.base_url
    );
    for _ in 0..3 {
        let (body, status) = curl(&["-d", "{}", &update]);
        assert_eq!(status, "503", "{body}");
    }
    let (state, status) = curl(&[&format!("{}/_sandbox/state", sandbox.base_url)]);
    assert_eq!(status, "200");
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["faults_injected"]["503"], 3, "{state}");

    let output = Command::new(env!("CARGO_BIN_EXE_report-sandbox"))
        .args(["--port", "0", "--fault-rates", "503=0.6,drop=0.6"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("allowed is at most 1"), "{stderr}");
}

#[test]
fn bad_arguments_are_refused_with_the_reason() {
    let output = Command::new(env!("CARGO_BIN_EXE_report-sandbox"))
        .args(["--port", "0", "--fault", "404:1"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("expected 429:COUNT"), "{stderr}");

    let output = Command::new(env!("CARGO_BIN_EXE_report-sandbox"))
        .args(["--port", "0", "--state", "/no/such/file.json"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read the state file"));
}

/// A fresh folder under the target directory, unique to this run.
fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("report-sandbox-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The quickstart example, as `cargo test` builds it, prints its three
/// results.
#[test]
fn the_quickstart_prints_its_three_results() {
    let deps = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let example = deps.parent().unwrap().join("examples").join("quickstart");
    let output = Command::new(&example)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", example.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(
            "XSIAM   report 777777 (Suspicious PowerShell on finance hosts) is now IN_PROGRESS"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("TruSTAR wrote it back; it now holds 5 indicators"),
        "{stdout}"
    );
    assert!(
        stdout.contains("TruSTAR refused, nothing sent: the report holds 2418 indicators"),
        "{stdout}"
    );
}
