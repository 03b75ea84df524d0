//! Faults after the update is applied: where production hurts. The
//! client sees a failure; the sandbox's state shows the update landed.

use std::time::Duration;

use report_sandbox::{Fault, FaultKind, Sandbox};
use sandbox_clients::SandboxClients;
use threat_reports::{Error, ReportStatus, RetryPolicy};

#[tokio::test]
async fn each_apply_fault_applies_the_update_then_loses_the_answer() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    // Queued through the admin route, as users' tests would.
    for (kind, count) in [("apply_then_unavailable", 1), ("apply_then_drop", 1)] {
        let answer = reqwest::Client::new()
            .post(format!("{}/_sandbox/faults", sandbox.base_url()))
            .json(&serde_json::json!({ "kind": kind, "count": count }))
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{kind}: {}", answer.status());
    }
    sandbox
        .add_fault("apply_hang:1:3000".parse::<Fault>().unwrap())
        .unwrap();
    let client = sandbox
        .xsiam_client()
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let applied = |sandbox: &report_sandbox::RunningSandbox| {
        sandbox
            .state()
            .xsiam_update_counts
            .get("777776")
            .copied()
            .unwrap_or(0)
    };
    for (n, status) in [
        ReportStatus::Pending,
        ReportStatus::Closed,
        ReportStatus::Resolved,
    ]
    .into_iter()
    .enumerate()
    {
        let error = client
            .update_report_status("777776", status)
            .await
            .unwrap_err();
        match n {
            0 => assert_eq!(error.status(), Some(503), "{error}"),
            _ => assert!(matches!(error, Error::Transport { .. }), "{error}"),
        }
        assert!(error.is_retryable());
        // Not known to be applied, for the client; applied, in fact.
        assert_eq!(applied(&sandbox), n as u64 + 1);
        assert_eq!(
            sandbox.state().xsiam_reports[0].report_status.as_deref(),
            Some(status.canonical())
        );
    }
    let injected = sandbox.state().faults_injected;
    for kind in ["apply_503", "apply_drop", "apply_hang"] {
        assert_eq!(injected.get(kind), Some(&1), "{kind}: {injected:?}");
    }
}

#[tokio::test]
async fn an_apply_fault_waits_for_an_update_and_lets_reads_by() {
    let sandbox = Sandbox::builder()
        .fault(Fault {
            kind: FaultKind::ApplyThenUnavailable,
            count: 1,
        })
        .start()
        .await
        .unwrap();
    let trustar = sandbox.trustar_client().build().unwrap();
    let id = threat_reports::trustar::ReportId::External("M-1234".into());
    // The token call and the read go by untouched.
    let report = trustar.get_report(&id).await.unwrap();
    let update = threat_reports::trustar::ReportUpdate::from(&report);
    let error = trustar.clone().update_report(&id, &update).await;
    // The facade retries the 503 and the retry is applied too: twice.
    assert!(error.is_ok(), "{error:?}");
    let counts = sandbox.state().trustar_update_counts;
    assert_eq!(counts.values().sum::<u64>(), 2);
}
