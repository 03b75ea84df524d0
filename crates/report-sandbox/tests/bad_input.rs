//! Whatever a client or a user sends the sandbox is a 4xx or a start-up
//! error, never a panic; and it reads requests as the vendors' servers do:
//! percent-decoded queries and forms, a `Trace-Id` on every TruSTAR answer.

use std::process::Command;

use report_sandbox::{Fault, FaultKind, Sandbox};
use serde_json::{Value, json};

const XSIAM_PATH: &str = "/public_api/v1/mth/child/report/update/status";

/// An advanced key's timestamp that subtracting from now would overflow:
/// a 401, and the sandbox keeps serving.
#[tokio::test]
async fn timestamps_near_the_ends_of_i64_are_refused_not_a_panic() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let c = sandbox.credentials().clone();
    let http = reqwest::Client::new();
    for timestamp in [
        i64::MIN.to_string(),
        (i64::MIN + 1).to_string(),
        i64::MAX.to_string(),
        "-0".to_string(),
    ] {
        let answer = http
            .post(format!("{}{XSIAM_PATH}", sandbox.base_url()))
            .header("x-xdr-auth-id", &c.xsiam_advanced_key_id)
            .header("x-xdr-nonce", "a".repeat(64))
            .header("x-xdr-timestamp", &timestamp)
            .header("authorization", "0".repeat(64))
            .json(&json!({"xsoar_source_id": "777776", "report_status": "New"}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 401, "{timestamp}");
    }
    // Still serving.
    let state = http
        .get(format!("{}/_sandbox/state", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(state.status(), 200);
}

/// The binary refuses settings it cannot run, naming what is allowed,
/// before it listens.
#[test]
fn settings_it_cannot_run_are_start_up_errors() {
    for (args, says) in [
        (
            vec!["--token-lifetime", "18446744073709551615"],
            "allowed are 0 to 86400 s",
        ),
        (
            vec!["--xsiam-reports", "18446744073709551615"],
            "allowed are 0 to 1000000",
        ),
        (vec!["--fault", "503:0"], "at least 1"),
        (vec!["--fault", "apply_hang:0:10"], "at least 1"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_report-sandbox"))
            .args(["--port", "0"])
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        // 2 for a value the command line refuses, 1 for settings refused
        // at start; never 101, a panic.
        assert!(
            matches!(output.status.code(), Some(1 | 2)),
            "{args:?}: {:?} {stderr}",
            output.status
        );
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} listened");
    }
}

/// A fault of count 0 is a 400 on the admin route and an error in code:
/// it once fired once anyway.
#[tokio::test]
async fn a_fault_of_count_zero_is_refused_everywhere() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let http = reqwest::Client::new();
    let answer = http
        .post(format!("{}/_sandbox/faults", sandbox.base_url()))
        .json(&json!({"kind": "unavailable", "count": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let body: Value = answer.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("at least 1"),
        "{body}"
    );
    let zero = Fault {
        kind: FaultKind::Unavailable,
        count: 0,
    };
    assert!(sandbox.add_fault(zero).is_err());
    assert!(Sandbox::builder().fault(zero).start().await.is_err());
    // Nothing was queued: the next request is answered normally.
    let answer = http
        .get(format!("{}/api/1.3/reports/x", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    assert!(sandbox.state().faults_injected.is_empty());
}

/// `idType` and the token form are percent-decoded, as any server's
/// framework does: `%65xternal` is `external`, `client%5Fcredentials` is
/// `client_credentials`.
#[tokio::test]
async fn queries_and_forms_are_percent_decoded() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let c = sandbox.credentials().clone();
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{}/oauth/token", sandbox.base_url()))
        .basic_auth(&c.trustar_api_key, Some(&c.trustar_api_secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client%5Fcredentials")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["access_token"].as_str().expect("a token").to_string();
    let report: Value = http
        .get(format!(
            "{}/api/1.3/reports/M%2D1234?idType=%65xternal",
            sandbox.base_url()
        ))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["externalTrackingId"], "M-1234", "{report}");
    // A value that is not internal or external stays a 400.
    let refused = http
        .get(format!(
            "{}/api/1.3/reports/M-1234?idType=%66oo",
            sandbox.base_url()
        ))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

/// Every TruSTAR answer carries a `Trace-Id`, as the vendor's do: a token,
/// a report, a 404, a 400, a refused token, and an injected fault; each a
/// different one. XSIAM's answers carry none.
#[tokio::test]
async fn every_trustar_answer_carries_a_trace_id() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let c = sandbox.credentials().clone();
    let base = sandbox.base_url().to_string();
    let http = reqwest::Client::new();
    let token = http
        .post(format!("{base}/oauth/token"))
        .basic_auth(&c.trustar_api_key, Some(&c.trustar_api_secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    let mut ids = vec![trace_id(&token)];
    let bearer = token.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    sandbox
        .add_fault(Fault {
            kind: FaultKind::Unavailable,
            count: 1,
        })
        .unwrap();
    for (path, auth, status) in [
        ("/api/1.3/reports/M-1234?idType=external", true, 503),
        ("/api/1.3/reports/M-1234?idType=external", true, 200),
        ("/api/1.3/reports/nope", true, 404),
        ("/api/1.3/reports/M-1234?idType=sideways", true, 400),
        ("/api/1.3/reports/M-1234", false, 401),
    ] {
        let request = http.get(format!("{base}{path}"));
        let request = if auth {
            request.bearer_auth(&bearer)
        } else {
            request
        };
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), status, "{path}");
        ids.push(trace_id(&answer));
    }
    let distinct: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "{ids:?}");
    let xsiam = http
        .post(format!("{base}{XSIAM_PATH}"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert!(xsiam.headers().get("trace-id").is_none());
}

fn trace_id(answer: &reqwest::Response) -> String {
    let id = answer
        .headers()
        .get("trace-id")
        .unwrap_or_else(|| panic!("no Trace-Id on {}", answer.url()))
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 16, "{id}");
    id
}
