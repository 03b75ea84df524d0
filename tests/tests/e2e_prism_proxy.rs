//! End to end: the facade, through the pinned Prism in `proxy --errors`
//! mode, to the sandbox. Prism checks every request and every answer
//! against the specs, both directions; any violation turns into an error
//! answer, and the test fails.

use integration_tests::prism::{Prism, spec};
use report_sandbox::Sandbox;
use threat_reports::trustar::{ReportId, ReportUpdate, TrustarClient};
use threat_reports::xsiam::XsiamClient;
use threat_reports::{Error, ReportStatus, RetryPolicy};

#[tokio::test]
async fn xsiam_through_a_validating_proxy() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let prism = Prism::proxy(&spec("xsiam"), sandbox.base_url()).unwrap();
    let c = sandbox.credentials().clone();
    let with = |advanced: bool| {
        let builder = XsiamClient::builder()
            .base_url(prism.base_url())
            .retry(RetryPolicy::none());
        let builder = if advanced {
            builder.advanced_key(&c.xsiam_advanced_key_id, &c.xsiam_advanced_key)
        } else {
            builder.standard_key(&c.xsiam_standard_key_id, &c.xsiam_standard_key)
        };
        builder.build().unwrap()
    };
    for (advanced, status) in [
        (false, ReportStatus::InProgress),
        (true, ReportStatus::Resolved),
    ] {
        let report = with(advanced)
            .update_report_status("777776", status)
            .await
            .unwrap_or_else(|e| panic!("{e}\nprism said:\n{}", prism.log()));
        assert_eq!(report.known_status(), Some(status));
    }
    assert_eq!(
        sandbox.state().xsiam_reports[0].report_status.as_deref(),
        Some("RESOLVED")
    );

    // Error answers are in the spec's shape too.
    let error = with(false)
        .update_report_status("no-such-id", ReportStatus::New)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Api { response, .. } if response.status == 500),
        "{error}\n{}",
        prism.log()
    );
    let wrong_key = XsiamClient::builder()
        .base_url(prism.base_url())
        .standard_key("1", "not-the-key")
        .build()
        .unwrap();
    let error = wrong_key
        .update_report_status("777776", ReportStatus::New)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Unauthorized { .. }),
        "{error}\n{}",
        prism.log()
    );
    assert_no_violations(&prism);
}

/// Live tenants' dialect through the proxy: the flat probe's 101 answer,
/// the wrapped body, the list and array answers all conform to the spec.
#[tokio::test]
async fn xsiam_live_dialect_through_a_validating_proxy() {
    use report_sandbox::{XsiamAnswerShape, XsiamDialect};
    for shape in [
        XsiamAnswerShape::Data,
        XsiamAnswerShape::Array,
        XsiamAnswerShape::Object,
    ] {
        let sandbox = Sandbox::builder()
            .xsiam_dialect(XsiamDialect::Live)
            .xsiam_answer(shape)
            .start()
            .await
            .unwrap();
        let prism = Prism::proxy(&spec("xsiam"), sandbox.base_url()).unwrap();
        let c = sandbox.credentials().clone();
        let client = XsiamClient::builder()
            .base_url(prism.base_url())
            .advanced_key(&c.xsiam_advanced_key_id, &c.xsiam_advanced_key)
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        for status in [ReportStatus::ResolvedTruePositive, ReportStatus::OnHold] {
            let report = client
                .update_report_status("777777", status)
                .await
                .unwrap_or_else(|e| panic!("{shape:?}: {e}\nprism said:\n{}", prism.log()));
            assert_eq!(report.known_status(), Some(status));
        }
        let bodies = sandbox.state().xsiam_bodies;
        assert_eq!(
            (bodies.get("flat"), bodies.get("request_data")),
            (Some(&1), Some(&2)),
            "{shape:?}"
        );
        assert_no_violations(&prism);
    }
}

/// Every MTH operation through the proxy, in both dialects and every
/// answer shape: requests (flat probes, wrapped bodies) and answers
/// (lower- and upper-case rows, text and list attachments, both comment
/// envelopes) conform to the spec.
#[tokio::test]
async fn the_whole_xsiam_family_through_a_validating_proxy() {
    use report_sandbox::{XsiamAnswerShape, XsiamDialect};
    use threat_reports::xsiam::NewComment;
    for dialect in [XsiamDialect::Page, XsiamDialect::Live] {
        for shape in [XsiamAnswerShape::Object, XsiamAnswerShape::Array] {
            let sandbox = Sandbox::builder()
                .xsiam_dialect(dialect)
                .xsiam_answer(shape)
                .start()
                .await
                .unwrap();
            let prism = Prism::proxy(&spec("xsiam"), sandbox.base_url()).unwrap();
            let c = sandbox.credentials().clone();
            let client = XsiamClient::builder()
                .base_url(prism.base_url())
                .standard_key(&c.xsiam_standard_key_id, &c.xsiam_standard_key)
                .retry(RetryPolicy::none())
                .build()
                .unwrap();
            let case = format!("{dialect} {shape}");
            assert_eq!(client.all_reports().await.done(&prism, &case).len(), 5);
            let found = client
                .reports_by_source_id(["777776", "777777"])
                .await
                .done(&prism, &case);
            assert_eq!(found.len(), 2, "{case}");
            assert_eq!(
                client
                    .reports_by_incident([4711])
                    .await
                    .done(&prism, &case)
                    .len(),
                2,
                "{case}"
            );
            client
                .reports_by_status([ReportStatus::New, ReportStatus::InProgress])
                .await
                .done(&prism, &case);
            client
                .assign_report("777777", "analyst@company.com", Some("Motti"))
                .await
                .done(&prism, &case);
            client.unassign_report("777777").await.done(&prism, &case);
            client
                .add_comment(
                    "777777",
                    NewComment::new("through the proxy", "me")
                        .attachment("comment/a.zip")
                        .extract_zip(true),
                )
                .await
                .done(&prism, &case);
            assert_eq!(client.comments("777777").await.done(&prism, &case).len(), 1);
            let now: threat_reports::chrono::DateTime<threat_reports::chrono::Utc> =
                std::time::SystemTime::now().into();
            client
                .comments_between(threat_reports::chrono::DateTime::UNIX_EPOCH, now)
                .await
                .done(&prism, &case);
            // An error answer of a new operation, in the spec's shape.
            let error = client
                .assign_report("777777", "nobody@example.com", None)
                .await
                .unwrap_err();
            assert!(matches!(error, Error::Api { .. }), "{case}: {error}");
            assert_no_violations(&prism);
        }
    }
}

/// TruSTAR's reports family through the proxy: requests (plain-text
/// submission answers, repeated query keys, paging) and answers conform
/// to the spec.
#[tokio::test]
async fn the_trustar_family_through_a_validating_proxy() {
    use threat_reports::TryStreamExt;
    use threat_reports::trustar::{ReportQuery, UpsertMode};
    const MINE: &str = "e27b914b-b1ee-4d25-b4b2-d50db5208b4d";
    const RESEARCH: &str = "c0ffee00-1111-4222-8333-444455556666";
    let sandbox = Sandbox::builder().start().await.unwrap();
    let prism = Prism::proxy(&spec("trustar"), sandbox.base_url()).unwrap();
    let c = sandbox.credentials().clone();
    let client = TrustarClient::builder()
        .base_url(prism.base_url())
        .credentials(&c.trustar_api_key, &c.trustar_api_secret)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let case = "trustar";
    let report = ReportUpdate::new("Through the proxy", "evil.exe and 185.220.101.4", MINE)
        .external_tracking_id("P-1");
    let id = client.submit_report(&report).await.done(&prism, case);
    let rid = ReportId::Internal(id.clone());
    client
        .wait_until_processed(&rid, std::time::Duration::from_secs(5))
        .await
        .done(&prism, case);
    let found: Vec<_> = client
        .report_indicators(&rid)
        .try_collect()
        .await
        .done(&prism, case);
    assert_eq!(found.len(), 2);
    client
        .alter_report_tags(&rid, &["phishing"], &[])
        .await
        .done(&prism, case);
    assert_eq!(client.report_tags(&rid).await.done(&prism, case).len(), 1);
    client
        .enclave_tags(&[MINE.to_string()])
        .await
        .done(&prism, case);
    let since = threat_reports::chrono::DateTime::UNIX_EPOCH;
    let now: threat_reports::chrono::DateTime<threat_reports::chrono::Utc> =
        std::time::SystemTime::now().into();
    let listed: Vec<_> = client
        .list_reports(
            ReportQuery::since(now - threat_reports::chrono::Duration::hours(1))
                .enclave(MINE)
                .tag("phishing"),
        )
        .try_collect()
        .await
        .done(&prism, case);
    assert_eq!(listed.len(), 1);
    let searched: Vec<_> = client
        .search_reports(ReportQuery::since(since).until(now).term("proxy"))
        .try_collect()
        .await
        .done(&prism, case);
    assert!(!searched.is_empty());
    let _: Vec<_> = client
        .correlated_reports(&["185.220.101.4"])
        .try_collect()
        .await
        .done(&prism, case);
    client
        .upsert_report(
            &ReportId::External("P-1".into()),
            &report,
            UpsertMode::Override,
        )
        .await
        .done(&prism, case);
    let copy = client.copy_report(&id, RESEARCH).await.done(&prism, case);
    client.move_report(&copy, MINE).await.done(&prism, case);
    client
        .delete_report(&ReportId::Internal(copy))
        .await
        .done(&prism, case);
    assert_eq!(client.enclaves().await.done(&prism, case).len(), 3);
    client.request_quotas().await.done(&prism, case);
    // A refusal in the spec's shape: a write to the read-only enclave.
    let error = client
        .copy_report(&id, "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Forbidden { .. }),
        "{error}\n{}",
        prism.log()
    );
    assert_no_violations(&prism);
}

/// A call's result, or a panic that shows what Prism said.
trait Done<T> {
    fn done(self, prism: &Prism, case: &str) -> T;
}

impl<T> Done<T> for Result<T, Error> {
    fn done(self, prism: &Prism, case: &str) -> T {
        self.unwrap_or_else(|e| panic!("{case}: {e}\nprism said:\n{}", prism.log()))
    }
}

/// Prism logs every violation it finds, even one that did not fail a call.
fn assert_no_violations(prism: &Prism) {
    let log = prism.log();
    assert!(!log.to_lowercase().contains("violation"), "{log}");
    assert!(
        log.contains("Forwarding"),
        "the calls went through the proxy:\n{log}"
    );
}

#[tokio::test]
async fn trustar_through_a_validating_proxy() {
    // The sandbox's limit is below the client's, so that a 413 comes from
    // the server and is validated too.
    let sandbox = Sandbox::builder().max_indicators(4).start().await.unwrap();
    let prism = Prism::proxy(&spec("trustar"), sandbox.base_url()).unwrap();
    let c = sandbox.credentials().clone();
    let client = TrustarClient::builder()
        .base_url(prism.base_url())
        .credentials(&c.trustar_api_key, &c.trustar_api_secret)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let log = || prism.log();
    let id = ReportId::External("M-1234".into());

    let report = client
        .get_report(&id)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", log()));
    let written = client
        .edit_report(&id, |r| r.body.push_str(" and 185.220.101.4"))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", log()));
    assert_eq!(written.indicator_count().total, 4, "{}", written.body);
    let after = client
        .get_report(&ReportId::Internal(report.id.clone()))
        .await
        .unwrap();
    assert!(after.body.ends_with("and 185.220.101.4"));

    let update = ReportUpdate::new(
        "t",
        "evil.exe 8.8.8.8 CVE-2021-44228 CVE-2023-23397 evil.com",
        "e1",
    );
    let error = client.update_report(&id, &update).await.unwrap_err();
    assert!(
        matches!(
            &error,
            Error::TooManyIndicators {
                server_message: Some(_),
                ..
            }
        ),
        "{error}\n{}",
        log()
    );

    let error = client
        .get_report(&ReportId::Internal("nope".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::NotFound { .. }),
        "{error}\n{}",
        log()
    );

    // A token the client believes fresh is refused as expired (400,
    // "Expired oauth2 access token", through the proxy and in the spec's
    // shape); the client fetches another and replays.
    sandbox.expire_tokens();
    client
        .get_report(&id)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", log()));
    assert_eq!(
        sandbox.state().token_refusals.get("expired"),
        Some(&1),
        "{}",
        log()
    );
    assert_no_violations(&prism);
}
