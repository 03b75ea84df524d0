//! The whole MTH family through the facade against the sandbox: every
//! operation in both dialects and every answer shape the sandbox can give,
//! with the sandbox's state checked after each write.

use report_sandbox::{Fault, FaultKind, RunningSandbox, Sandbox, XsiamAnswerShape, XsiamDialect};
use sandbox_clients::SandboxClients;
use threat_reports::xsiam::BodyEnvelope;
use threat_reports::xsiam::{NewComment, XsiamClient};
use threat_reports::{Error, ReportStatus, Reported};

fn now() -> chrono::DateTime<chrono::Utc> {
    std::time::SystemTime::now().into()
}

async fn sandbox(dialect: XsiamDialect, shape: XsiamAnswerShape) -> (RunningSandbox, XsiamClient) {
    let sandbox = Sandbox::builder()
        .xsiam_dialect(dialect)
        .xsiam_answer(shape)
        .start()
        .await
        .unwrap();
    let client = sandbox.xsiam_client().build().unwrap();
    (sandbox, client)
}

const DIALECTS: [XsiamDialect; 2] = [XsiamDialect::Page, XsiamDialect::Live];
const SHAPES: [XsiamAnswerShape; 3] = [
    XsiamAnswerShape::Object,
    XsiamAnswerShape::Data,
    XsiamAnswerShape::Array,
];

fn ids(reports: &[threat_reports::xsiam::MthReport]) -> Vec<&str> {
    let mut ids: Vec<&str> = reports.iter().map(|r| r.source_id.as_str()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn every_read_gives_typed_reports_in_each_dialect_and_shape() {
    for dialect in DIALECTS {
        for shape in SHAPES {
            let (sandbox, client) = sandbox(dialect, shape).await;
            let case = format!("{dialect} {shape}");

            let all = client.all_reports().await.unwrap();
            assert_eq!(all.len(), sandbox.state().xsiam_reports.len(), "{case}");
            let first = all.iter().find(|r| r.source_id == "777776").unwrap();
            assert_eq!(
                first.known_status(),
                Some(ReportStatus::InProgress),
                "{case}"
            );
            // Attachments arrive as JSON text or as a real array: one list.
            let attachments = first.attachments.clone().unwrap();
            assert_eq!(attachments.len(), 1, "{case}");
            assert_eq!(attachments[0].name, "sample.pdf", "{case}");
            assert_eq!(attachments[0].size, 55483, "{case}");
            assert!(attachments[0].key.starts_with("update_report/"), "{case}");

            // By source id: lower_snake rows, decoded the same.
            let by_id = client
                .reports_by_source_id(["777777", "777776", "no-such-id"])
                .await
                .unwrap();
            assert_eq!(ids(&by_id), ["777776", "777777"], "{case}");
            let row = by_id.iter().find(|r| r.source_id == "777777").unwrap();
            assert_eq!(row.incident_id, Some(4711), "{case}");
            assert_eq!(
                row.name.as_deref(),
                Some("Suspicious PowerShell on finance hosts")
            );
            assert_eq!(row.known_status(), Some(ReportStatus::New), "{case}");
            assert_eq!(
                row,
                all.iter().find(|r| r.source_id == "777777").unwrap(),
                "{case}"
            );

            let by_incident = client.reports_by_incident([4711]).await.unwrap();
            assert_eq!(ids(&by_incident), ["777777", "777779"], "{case}");
            let by_text = client.reports_by_incident(["4711", "4712"]).await.unwrap();
            assert_eq!(ids(&by_text), ["777777", "777779", "777780"], "{case}");

            let new = client.reports_by_status([ReportStatus::New]).await.unwrap();
            assert_eq!(ids(&new), ["777777", "777779"], "{case}");
            assert!(
                new.iter()
                    .all(|r| r.status == Reported::Known(ReportStatus::New))
            );
            let held = client
                .reports_by_status([ReportStatus::New, ReportStatus::OnHold])
                .await
                .unwrap();
            assert_eq!(ids(&held), ["777777", "777778", "777779"], "{case}");
        }
    }
}

#[tokio::test]
async fn the_envelope_is_learned_once_for_all_operations() {
    let (sandbox, client) = sandbox(XsiamDialect::Live, XsiamAnswerShape::Object).await;
    client.comments("777776").await.unwrap();
    assert_eq!(client.body_envelope(), BodyEnvelope::RequestData);
    client.all_reports().await.unwrap();
    client.reports_by_source_id(["777776"]).await.unwrap();
    client
        .assign_report("777777", "soc@example.com", None)
        .await
        .unwrap();
    client
        .update_report_status("777777", ReportStatus::OnHold)
        .await
        .unwrap();
    let bodies = sandbox.state().xsiam_bodies;
    assert_eq!(bodies.get("flat"), Some(&1), "one probe in all: {bodies:?}");
    assert_eq!(bodies.get("request_data"), Some(&5), "{bodies:?}");
}

#[tokio::test]
async fn assign_and_unassign_are_stored_and_an_empty_user_is_refused() {
    for dialect in DIALECTS {
        let (sandbox, client) = sandbox(dialect, XsiamAnswerShape::Object).await;
        let assigned = client
            .assign_report("777777", "analyst@company.com", Some("Motti"))
            .await
            .unwrap();
        assert_eq!(assigned.source_id, "777777");
        assert_eq!(
            assigned.assigned_user.as_deref(),
            Some("analyst@company.com")
        );
        let stored = |id: &str| {
            sandbox
                .state()
                .xsiam_reports
                .into_iter()
                .find(|r| r.xsoar_source_id.as_deref() == Some(id))
                .unwrap()
        };
        assert_eq!(
            stored("777777").assigned_user_pretty.as_deref(),
            Some("Motti")
        );

        let before = sandbox.state().xsiam_bodies;
        for blank in ["", "   "] {
            let error = client
                .assign_report("777777", blank, None)
                .await
                .unwrap_err();
            assert!(
                matches!(error, Error::InvalidInput { field: "user", .. }),
                "{error:?}"
            );
        }
        assert_eq!(sandbox.state().xsiam_bodies, before, "nothing was sent");
        assert_eq!(
            stored("777777").assigned_user.as_deref(),
            Some("analyst@company.com"),
            "{dialect}: the assignment survives a refused blank user"
        );

        // The tenant checks the user.
        let error = client
            .assign_report("777777", "nobody@else.example", None)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("not a user of this tenant"),
            "{error}"
        );

        let cleared = client.unassign_report("777777").await.unwrap();
        assert_eq!(cleared.assigned_user, None);
        assert_eq!(stored("777777").assigned_user, None);
        assert_eq!(stored("777777").assigned_user_pretty, None);
    }
}

#[tokio::test]
async fn comments_are_added_and_read_back_typed() {
    for dialect in DIALECTS {
        let (sandbox, client) = sandbox(dialect, XsiamAnswerShape::Object).await;
        let started = now() - chrono::Duration::seconds(1);
        client
            .add_comment(
                "777777",
                NewComment::new("Escalated to the customer", "analyst@company.com")
                    .attachment("comment/timeline.zip")
                    .extract_zip(false),
            )
            .await
            .unwrap();
        let stored = sandbox.state().xsiam_comments;
        let ours: Vec<_> = stored
            .iter()
            .filter(|c| c.xsoar_source_id == "777777")
            .collect();
        assert_eq!(ours.len(), 1, "{dialect}");
        assert_eq!(ours[0].comment_attachments, ["comment/timeline.zip"]);

        let comments = client.comments("777777").await.unwrap();
        assert_eq!(comments.len(), 1, "{dialect}");
        let comment = &comments[0];
        assert_eq!(comment.text.as_deref(), Some("Escalated to the customer"));
        assert_eq!(comment.author.as_deref(), Some("analyst@company.com"));
        assert_eq!(comment.source_id, "777777");
        assert!(comment.created.unwrap() >= started, "{comment:?}");

        // By window: the new comment, not the seeded one of 2025.
        let window = client
            .comments_between(started, now() + chrono::Duration::seconds(5))
            .await
            .unwrap();
        assert_eq!(window.len(), 1, "{dialect}: {window:?}");
        let all_time = client
            .comments_between(chrono::DateTime::UNIX_EPOCH, now())
            .await
            .unwrap();
        assert_eq!(all_time.len(), 2, "{dialect}");

        let error = client.comments_between(now(), started).await.unwrap_err();
        assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
        let error = client
            .add_comment("777777", NewComment::new("", "me"))
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidInput { field: "text", .. }),
            "{error:?}"
        );
        let long = "x".repeat(4097);
        let error = client
            .add_comment("777777", NewComment::new(long, "me"))
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidInput { field: "text", .. }),
            "{error:?}"
        );
    }
}

/// A comment whose answer is lost after the sandbox applied it is read
/// back, not posted again; one whose answer is a 503 before anything was
/// applied is sent again once. Either way the report has it once.
#[tokio::test]
async fn a_comment_is_never_posted_twice_whatever_answer_is_lost() {
    for dialect in DIALECTS {
        for kind in [
            FaultKind::ApplyThenDrop,
            FaultKind::ApplyThenUnavailable,
            FaultKind::Unavailable,
            FaultKind::DropConnection,
        ] {
            let (sandbox, client) = sandbox(dialect, XsiamAnswerShape::Object).await;
            // Learn the envelope first, so the fault meets the comment.
            client.comments("777778").await.unwrap();
            let writes_before = sandbox.state().faults_injected.values().sum::<u64>();
            assert_eq!(writes_before, 0);
            sandbox.add_fault(Fault { kind, count: 1 }).unwrap();
            let text = format!("Checked after {}", kind.label());
            client
                .add_comment("777778", NewComment::new(&text, "analyst@company.com"))
                .await
                .unwrap_or_else(|e| panic!("{dialect} {}: {e}", kind.label()));
            let state = sandbox.state();
            let copies = state
                .xsiam_comments
                .iter()
                .filter(|c| c.comment_text == text)
                .count();
            assert_eq!(copies, 1, "{dialect} {}", kind.label());
            assert_eq!(
                state.faults_injected.values().sum::<u64>(),
                1,
                "{dialect} {}: the fault bit",
                kind.label()
            );
        }
    }
}

#[tokio::test]
async fn a_status_of_the_other_dialect_is_refused_in_a_filter_once_known() {
    let (sandbox, client) = sandbox(XsiamDialect::Live, XsiamAnswerShape::Object).await;
    client.all_reports().await.unwrap();
    let before = sandbox.state().xsiam_bodies;
    let error = client
        .reports_by_status([ReportStatus::Closed])
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                field: "status",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(sandbox.state().xsiam_bodies, before, "nothing was sent");
    let error = client.reports_by_status([]).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                field: "statuses",
                ..
            }
        ),
        "{error:?}"
    );
    let error = client
        .reports_by_source_id(Vec::<String>::new())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
}
