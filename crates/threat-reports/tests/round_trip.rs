//! Report types read from the sandbox, written as JSON and read back,
//! equal: a script can store what it read and load it later.

use report_sandbox::Sandbox;
use sandbox_clients::SandboxClients;
use threat_reports::trustar::{Report, ReportId, ReportUpdate};
use threat_reports::xsiam::MthReport;
use threat_reports::{ReportStatus, Reported};

#[tokio::test]
async fn reports_read_from_the_apis_round_trip_through_json() {
    let sandbox = Sandbox::builder().start().await.unwrap();

    let xsiam = sandbox.xsiam_client().build().unwrap();
    let mth = xsiam
        .update_report_status("777776", ReportStatus::InProgress)
        .await
        .unwrap();
    let text = serde_json::to_string(&mth).unwrap();
    let back: MthReport = serde_json::from_str(&text).unwrap();
    assert_eq!(back, mth);
    assert_eq!(back.status, Reported::Known(ReportStatus::InProgress));
    assert_eq!(back.inserted_at, mth.inserted_at);
    assert!(mth.inserted_at.is_some(), "the sandbox's report has a time");

    let trustar = sandbox.trustar_client().build().unwrap();
    let report = trustar
        .get_report(&ReportId::External("M-1234".into()))
        .await
        .unwrap();
    let back: Report = serde_json::from_str(&serde_json::to_string(&report).unwrap()).unwrap();
    assert_eq!(back, report);

    let update =
        ReportUpdate::from(&report).time_began("2016-09-22T11:38:35+02:00".parse().unwrap());
    let back: ReportUpdate =
        serde_json::from_str(&serde_json::to_string(&update).unwrap()).unwrap();
    assert_eq!(back, update);
}

#[test]
fn an_absent_status_writes_null_and_reads_back_absent() {
    let report = MthReport::from_answer(serde_json::json!({"XSOAR_SOURCE_ID": "7"}), "7");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["status"], serde_json::Value::Null);
    let back: MthReport = serde_json::from_value(json).unwrap();
    assert_eq!(back.status, Reported::Absent);
    assert_eq!(back.known_severity(), None);
}

/// `try_edit_report`: an edit that awaits is written; an edit that fails
/// sends nothing, and its error comes back as the caller's own type.
#[tokio::test]
async fn a_fallible_edit_writes_when_it_succeeds_and_sends_nothing_when_it_fails() {
    type BoxError = Box<dyn std::error::Error + Send + Sync>;
    let sandbox = Sandbox::builder().start().await.unwrap();
    let trustar = sandbox.trustar_client().build().unwrap();
    let id = ReportId::External("M-1234".into());
    let body_of = |sandbox: &report_sandbox::RunningSandbox| {
        sandbox
            .state()
            .trustar_reports
            .iter()
            .find(|r| r.external_tracking_id.as_deref() == Some("M-1234"))
            .and_then(|r| r.report_body.clone())
            .unwrap()
    };
    let before = body_of(&sandbox);

    let failed = trustar
        .try_edit_report(&id, |mut update| async move {
            update.body.push_str(" never sent");
            Err::<ReportUpdate, BoxError>("the notes file is missing".into())
        })
        .await
        .unwrap_err();
    assert_eq!(failed.to_string(), "the notes file is missing");
    assert_eq!(body_of(&sandbox), before, "a failed edit sends nothing");

    let written = trustar
        .try_edit_report(&id, |mut update| async move {
            tokio::task::yield_now().await;
            update.body.push_str(" Seen again at 198.51.100.7.");
            Ok::<_, BoxError>(update)
        })
        .await
        .unwrap();
    assert!(written.body.ends_with("198.51.100.7."));
    assert_eq!(body_of(&sandbox), written.body);

    // The API's own errors come through the same `?`.
    let missing = trustar
        .try_edit_report(&ReportId::External("no-such".into()), |u| async move {
            Ok::<_, BoxError>(u)
        })
        .await
        .unwrap_err();
    assert!(
        missing
            .downcast_ref::<threat_reports::Error>()
            .is_some_and(|e| e.status() == Some(404)),
        "{missing}"
    );
}
