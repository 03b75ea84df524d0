//! Writes whose answer is lost after the sandbox applied them: with
//! `read_back_lost_writes`, read back (together) and applied once; without,
//! resent (status and assignment set a value, so resending is safe, but
//! applies them twice).

use report_sandbox::{Fault, FaultKind, RunningSandbox, Sandbox, XsiamDialect};
use sandbox_clients::SandboxClients;
use threat_reports::xsiam::XsiamClient;
use threat_reports::{ReportStatus, RetryPolicy};

async fn setup(dialect: XsiamDialect, read_back: bool) -> (RunningSandbox, XsiamClient) {
    let sandbox = Sandbox::builder()
        .xsiam_dialect(dialect)
        .xsiam_reports(20)
        .start()
        .await
        .unwrap();
    let client = sandbox
        .xsiam_client()
        .retry(RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(1)))
        .read_back_lost_writes(read_back)
        .build()
        .unwrap();
    // Learn the envelope first, so that faults meet the writes.
    client.all_reports().await.unwrap();
    (sandbox, client)
}

fn applied(sandbox: &RunningSandbox, id: &str) -> u64 {
    sandbox
        .state()
        .xsiam_update_counts
        .get(id)
        .copied()
        .unwrap_or(0)
}

#[tokio::test]
async fn a_status_update_is_applied_once_whatever_answer_is_lost() {
    for dialect in [XsiamDialect::Page, XsiamDialect::Live] {
        for kind in [
            FaultKind::ApplyThenDrop,
            FaultKind::ApplyThenUnavailable,
            FaultKind::Unavailable,
            FaultKind::DropConnection,
        ] {
            let (sandbox, client) = setup(dialect, true).await;
            sandbox.add_fault(Fault { kind, count: 1 }).unwrap();
            let report = client
                .update_report_status("777777", ReportStatus::InProgress)
                .await
                .unwrap();
            assert_eq!(report.known_status(), Some(ReportStatus::InProgress));
            assert_eq!(
                applied(&sandbox, "777777"),
                1,
                "{dialect} {}: applied once",
                kind.label()
            );
        }
    }
}

#[tokio::test]
async fn without_read_back_a_lost_status_update_is_resent_and_applied_twice() {
    let (sandbox, client) = setup(XsiamDialect::Page, false).await;
    sandbox
        .add_fault(Fault {
            kind: FaultKind::ApplyThenDrop,
            count: 1,
        })
        .unwrap();
    client
        .update_report_status("777777", ReportStatus::InProgress)
        .await
        .unwrap();
    assert_eq!(applied(&sandbox, "777777"), 2, "the fault can hurt");
}

#[tokio::test]
async fn an_assignment_is_applied_once_when_its_answer_is_lost() {
    let (sandbox, client) = setup(XsiamDialect::Live, true).await;
    sandbox
        .add_fault(Fault {
            kind: FaultKind::ApplyThenDrop,
            count: 1,
        })
        .unwrap();
    let assigned = client
        .assign_report("777777", "soc@example.com", None)
        .await
        .unwrap();
    assert_eq!(assigned.assigned_user.as_deref(), Some("soc@example.com"));
    assert_eq!(sandbox.state().xsiam_assign_counts.get("777777"), Some(&1));
    sandbox
        .add_fault(Fault {
            kind: FaultKind::ApplyThenUnavailable,
            count: 1,
        })
        .unwrap();
    let cleared = client.unassign_report("777777").await.unwrap();
    assert_eq!(cleared.assigned_user, None);
    assert_eq!(sandbox.state().xsiam_assign_counts.get("777777"), Some(&2));
}

/// Twenty updates in flight whose answers are all lost: read back in a
/// few calls, not twenty, and each applied once.
#[tokio::test]
async fn read_backs_in_flight_together_go_out_together() {
    let (sandbox, client) = setup(XsiamDialect::Page, true).await;
    let bodies_before: u64 = sandbox.state().xsiam_bodies.values().sum();
    sandbox
        .add_fault(Fault {
            kind: FaultKind::ApplyThenDrop,
            count: 20,
        })
        .unwrap();
    let ids: Vec<String> = (0..20).map(|i| (1_000_000 + i).to_string()).collect();
    let calls: Vec<_> = ids
        .iter()
        .map(|id| {
            let (client, id) = (client.clone(), id.clone());
            tokio::spawn(async move { client.update_report_status(id, ReportStatus::Closed).await })
        })
        .collect();
    for call in calls {
        let report = call.await.unwrap().unwrap();
        assert_eq!(report.known_status(), Some(ReportStatus::Closed));
    }
    for id in &ids {
        assert_eq!(applied(&sandbox, id), 1, "{id}");
    }
    let bodies: u64 = sandbox.state().xsiam_bodies.values().sum::<u64>() - bodies_before;
    assert!(
        (21..=25).contains(&bodies),
        "20 updates and a few read-backs, not 20: {bodies} bodies"
    );
}
