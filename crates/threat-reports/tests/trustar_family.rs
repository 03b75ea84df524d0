//! TruSTAR's reports family through the facade against the sandbox: each
//! operation as a user calls it, the sandbox's state checked after each
//! write; lost answers of writes that are not idempotent.

use std::time::Duration;

use report_sandbox::{Fault, FaultKind, RunningSandbox, Sandbox};
use sandbox_clients::SandboxClients;
use threat_reports::trustar::{
    ReportId, ReportProcessing, ReportQuery, ReportUpdate, TrustarClient, UpsertMode,
};
use threat_reports::{Error, RetryPolicy, TryStreamExt};

const MINE: &str = "e27b914b-b1ee-4d25-b4b2-d50db5208b4d";
const RESEARCH: &str = "c0ffee00-1111-4222-8333-444455556666";
const READ_ONLY: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

async fn setup(processing: Duration) -> (RunningSandbox, TrustarClient) {
    let sandbox = Sandbox::builder()
        .trustar_processing(processing)
        .start()
        .await
        .unwrap();
    let client = sandbox
        .trustar_client()
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    (sandbox, client)
}

fn stored(sandbox: &RunningSandbox, id: &str) -> Option<report_sandbox::TrustarReport> {
    sandbox
        .state()
        .trustar_reports
        .into_iter()
        .find(|r| r.id.as_deref() == Some(id))
}

#[tokio::test]
async fn submit_wait_read_indicators_and_tag() {
    let (sandbox, client) = setup(Duration::from_millis(300)).await;
    let report = ReportUpdate::new("Dropper", "evil.exe called 185.220.101.4", MINE)
        .external_tracking_id("T-1");
    let id = client.submit_report(&report).await.unwrap();
    let held = stored(&sandbox, &id).unwrap();
    assert_eq!(held.title.as_deref(), Some("Dropper"));
    assert_eq!(held.external_tracking_id.as_deref(), Some("T-1"));
    assert_eq!(held.enclave_ids, [MINE]);

    let rid = ReportId::Internal(id.clone());
    assert_eq!(
        client.report_status(&rid).await.unwrap(),
        ReportProcessing::Processing
    );
    // Still processing: its indicators are not there yet.
    let early: Result<Vec<_>, _> = client.report_indicators(&rid).try_collect().await;
    assert!(matches!(early, Err(Error::NotFound { .. })), "{early:?}");
    assert_eq!(
        client
            .wait_until_processed(&rid, Duration::from_secs(5))
            .await
            .unwrap(),
        ReportProcessing::Done
    );
    let mut found: Vec<(String, String)> = client
        .report_indicators(&rid)
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .map(|i| (i.kind, i.value))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("IP".to_string(), "185.220.101.4".to_string()),
            ("SOFTWARE".to_string(), "evil.exe".to_string())
        ]
    );

    client
        .alter_report_tags(&rid, &["phishing", "triage"], &[])
        .await
        .unwrap();
    client
        .alter_report_tags(
            &ReportId::External("T-1".into()),
            &["phishing"],
            &["triage"],
        )
        .await
        .unwrap();
    let tags: Vec<String> = client
        .report_tags(&rid)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(tags, ["phishing"]);
    assert_eq!(stored(&sandbox, &id).unwrap().tags, ["phishing"]);
    let all = client.enclave_tags(&[MINE.to_string()]).await.unwrap();
    assert!(all.iter().any(|t| t.name == "phishing"));
}

#[tokio::test]
async fn a_wait_past_its_deadline_says_so() {
    let (_sandbox, client) = setup(Duration::from_secs(30)).await;
    let id = client
        .submit_report(&ReportUpdate::new("t", "evil.exe", MINE))
        .await
        .unwrap();
    let error = client
        .wait_until_processed(&ReportId::Internal(id), Duration::from_millis(250))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::StillProcessing { .. }), "{error:?}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn copy_move_delete_and_enclave_rights() {
    let (sandbox, client) = setup(Duration::ZERO).await;
    let enclaves = client.enclaves().await.unwrap();
    assert_eq!(enclaves.len(), 3);
    let read_only = enclaves.iter().find(|e| e.id == READ_ONLY).unwrap();
    assert!(read_only.read && !read_only.create && !read_only.update);

    let id = client
        .submit_report(&ReportUpdate::new("To copy", "evil.exe", MINE))
        .await
        .unwrap();
    let copy = client.copy_report(&id, RESEARCH).await.unwrap();
    assert_ne!(copy, id);
    assert_eq!(stored(&sandbox, &copy).unwrap().enclave_ids, [RESEARCH]);
    assert_eq!(stored(&sandbox, &id).unwrap().enclave_ids, [MINE]);

    // The read-only enclave refuses every write into it.
    let error = client.copy_report(&id, READ_ONLY).await.unwrap_err();
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    let error = client
        .submit_report(&ReportUpdate::new("t", "b", READ_ONLY))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    let error = client.move_report(&id, READ_ONLY).await.unwrap_err();
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");

    client.move_report(&copy, MINE).await.unwrap();
    assert_eq!(stored(&sandbox, &copy).unwrap().enclave_ids, [MINE]);

    client
        .delete_report(&ReportId::Internal(copy.clone()))
        .await
        .unwrap();
    assert!(stored(&sandbox, &copy).is_none());
    let error = client
        .get_report(&ReportId::Internal(copy))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");

    let quotas = client.request_quotas().await.unwrap();
    assert_eq!(quotas[0].max_requests, Some(3000));
    assert!(quotas[0].used_requests.unwrap() > 0);
}

#[tokio::test]
async fn upsert_creates_overrides_and_appends_by_external_id() {
    let (sandbox, client) = setup(Duration::ZERO).await;
    let key = ReportId::External("U-1".into());
    let first = ReportUpdate::new("Weekly", "evil.exe", MINE);
    let id = client
        .upsert_report(&key, &first, UpsertMode::Override)
        .await
        .unwrap();
    assert_eq!(
        stored(&sandbox, &id)
            .unwrap()
            .external_tracking_id
            .as_deref(),
        Some("U-1")
    );
    let more = ReportUpdate::new("Weekly", "also 185.220.101.4", MINE);
    let same = client
        .upsert_report(&key, &more, UpsertMode::Append)
        .await
        .unwrap();
    assert_eq!(same, id);
    assert_eq!(
        stored(&sandbox, &id).unwrap().report_body.as_deref(),
        Some("evil.exe\nalso 185.220.101.4")
    );
    client
        .upsert_report(
            &ReportId::Internal(id.clone()),
            &first,
            UpsertMode::Override,
        )
        .await
        .unwrap();
    assert_eq!(
        stored(&sandbox, &id).unwrap().report_body.as_deref(),
        Some("evil.exe")
    );
}

/// A submission whose answer is lost after the sandbox stored it: with an
/// external id, read back and returned once; without one, an error that
/// says it may have been created (and it was, once).
#[tokio::test]
async fn a_lost_submission_is_read_back_by_its_external_id_or_reported_unconfirmed() {
    for kind in [FaultKind::ApplyThenDrop, FaultKind::ApplyThenUnavailable] {
        let (sandbox, client) = setup(Duration::ZERO).await;
        client.enclaves().await.unwrap(); // a token first: the fault meets the write
        sandbox.add_fault(Fault { kind, count: 1 }).unwrap();
        let report = ReportUpdate::new("Once", "evil.exe", MINE).external_tracking_id("L-1");
        let id = client.submit_report(&report).await.unwrap();
        let copies: Vec<_> = sandbox
            .state()
            .trustar_reports
            .into_iter()
            .filter(|r| r.external_tracking_id.as_deref() == Some("L-1"))
            .collect();
        assert_eq!(copies.len(), 1, "{}", kind.label());
        assert_eq!(copies[0].id.as_deref(), Some(id.as_str()));

        sandbox.add_fault(Fault { kind, count: 1 }).unwrap();
        let error = client
            .submit_report(&ReportUpdate::new("No key", "evil.exe", MINE))
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Unconfirmed { .. }), "{error:?}");
        assert!(error.may_have_been_applied());
        assert!(
            error.to_string().contains("external tracking id"),
            "{error}"
        );
        let created = sandbox
            .state()
            .trustar_reports
            .iter()
            .filter(|r| r.title.as_deref() == Some("No key"))
            .count();
        assert_eq!(created, 1, "applied once, not sent again");
    }
}

/// A 503 before anything was stored: the submission is read back, not
/// found, and sent again: one report.
#[tokio::test]
async fn a_submission_refused_before_it_was_stored_is_sent_again() {
    let (sandbox, client) = setup(Duration::ZERO).await;
    client.enclaves().await.unwrap();
    sandbox
        .add_fault(Fault {
            kind: FaultKind::Unavailable,
            count: 1,
        })
        .unwrap();
    let report = ReportUpdate::new("Again", "evil.exe", MINE).external_tracking_id("A-1");
    client.submit_report(&report).await.unwrap();
    let copies = sandbox
        .state()
        .trustar_reports
        .iter()
        .filter(|r| r.external_tracking_id.as_deref() == Some("A-1"))
        .count();
    assert_eq!(copies, 1);
}

#[tokio::test]
async fn search_finds_by_term_without_bodies() {
    let (_sandbox, client) = setup(Duration::ZERO).await;
    for (title, body) in [("Phish one", "evil.exe"), ("Other", "phishing kit seen")] {
        client
            .submit_report(&ReportUpdate::new(title, body, MINE))
            .await
            .unwrap();
    }
    let found: Vec<_> = client
        .search_reports(ReportQuery::default().term("phish"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|r| r.body.is_none()));
    let error = client
        .search_reports(ReportQuery::default().term("ph"))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::InvalidInput { field: "term", .. }),
        "{error:?}"
    );
}

/// A report over the limit, split into parts that fit and submitted as
/// "TITLE (i/N)" with external ids X-i; a rerun finds them there (TruSTAR
/// answers 409 for a used external id) and creates nothing twice, even
/// with a lost answer on the way.
#[tokio::test]
async fn an_oversized_report_is_split_and_a_rerun_creates_nothing_twice() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = sandbox
        .trustar_client()
        .max_indicators(3)
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    let body = "Monday: evil.exe 185.220.101.4\n\nTuesday: dropper.scr bad.example.com\n\n\
                Wednesday: CVE-2021-44228 203.0.113.9 loader.dll";
    let report = ReportUpdate::new("Weekly", body, MINE).external_tracking_id("W-49");
    let planned = client.split_report(&report).unwrap();
    assert_eq!(planned.len(), 3);
    assert_eq!(planned[0].title, "Weekly (1/3)");
    assert_eq!(planned[2].external_tracking_id.as_deref(), Some("W-49-3"));

    client.enclaves().await.unwrap();
    sandbox
        .add_fault(Fault {
            kind: FaultKind::ApplyThenDrop,
            count: 1,
        })
        .unwrap();
    let ids = client.submit_report_split(&report).await.unwrap();
    assert_eq!(ids.len(), 3);
    let again = client.submit_report_split(&report).await.unwrap();
    assert_eq!(again, ids, "the rerun found the parts");
    let state = sandbox.state();
    let mut stored: Vec<(String, String)> = state
        .trustar_reports
        .iter()
        .filter(|r| r.title.as_deref().is_some_and(|t| t.starts_with("Weekly")))
        .map(|r| {
            (
                r.title.clone().unwrap(),
                r.external_tracking_id.clone().unwrap(),
            )
        })
        .collect();
    stored.sort();
    assert_eq!(
        stored,
        [
            ("Weekly (1/3)".to_string(), "W-49-1".to_string()),
            ("Weekly (2/3)".to_string(), "W-49-2".to_string()),
            ("Weekly (3/3)".to_string(), "W-49-3".to_string())
        ]
    );
    let error = client
        .submit_report_split(&ReportUpdate::new(
            "Dump",
            "a.example.com,b.example.com,c.example.com,d.example.com",
            MINE,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::InvalidInput { field: "body", .. }),
        "{error:?}"
    );
}

/// An append that would take the report over the limit is refused whole
/// by TruSTAR's 413: the stored body stays as it was.
#[tokio::test]
async fn a_refused_append_changes_nothing() {
    let sandbox = Sandbox::builder().max_indicators(2).start().await.unwrap();
    let client = sandbox.trustar_client().build().unwrap();
    let key = ReportId::External("R-1".into());
    let id = client
        .upsert_report(
            &key,
            &ReportUpdate::new("t", "evil.exe", MINE),
            UpsertMode::Override,
        )
        .await
        .unwrap();
    // Two indicators on their own (the client's check passes), three with
    // the stored body: the server refuses.
    let more = ReportUpdate::new("t", "dropper.scr 185.220.101.4", MINE);
    let error = client
        .upsert_report(&key, &more, UpsertMode::Append)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::TooManyIndicators { .. }),
        "{error:?}"
    );
    assert_eq!(
        stored(&sandbox, &id).unwrap().report_body.as_deref(),
        Some("evil.exe")
    );
}
