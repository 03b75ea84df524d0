//! Both XSIAM dialects, every answer shape, driven through the facade as a
//! user would: the client needs no setting to work against either.

use report_sandbox::{RunningSandbox, Sandbox, XsiamAnswerShape, XsiamDialect};
use sandbox_clients::SandboxClients;
use serde_json::{Value, json};
use threat_reports::xsiam::{BodyEnvelope, XsiamClient};
use threat_reports::{Error, ReportStatus};

const XSIAM_PATH: &str = "/public_api/v1/mth/child/report/update/status";

const SHAPES: [XsiamAnswerShape; 3] = [
    XsiamAnswerShape::Object,
    XsiamAnswerShape::Data,
    XsiamAnswerShape::Array,
];

async fn sandbox(dialect: XsiamDialect, shape: XsiamAnswerShape) -> RunningSandbox {
    Sandbox::builder()
        .xsiam_dialect(dialect)
        .xsiam_answer(shape)
        .start()
        .await
        .unwrap()
}

fn client(sandbox: &RunningSandbox) -> XsiamClient {
    sandbox.xsiam_client().build().unwrap()
}

fn bodies(sandbox: &RunningSandbox, envelope: &str) -> u64 {
    sandbox
        .state()
        .xsiam_bodies
        .get(envelope)
        .copied()
        .unwrap_or(0)
}

fn stored(sandbox: &RunningSandbox, id: &str) -> Option<String> {
    sandbox
        .state()
        .xsiam_reports
        .into_iter()
        .find(|r| r.xsoar_source_id.as_deref() == Some(id))
        .and_then(|r| r.report_status)
}

#[tokio::test]
async fn every_status_of_each_dialect_sets_and_round_trips_in_every_answer_shape() {
    for (dialect, statuses) in [
        (XsiamDialect::Page, &ReportStatus::PAGE[..]),
        (XsiamDialect::Live, &ReportStatus::LIVE[..]),
    ] {
        for shape in SHAPES {
            let sandbox = sandbox(dialect, shape).await;
            let client = client(&sandbox);
            for status in statuses {
                let report = client
                    .update_report_status("777776", *status)
                    .await
                    .unwrap_or_else(|e| panic!("{dialect:?} {shape:?} {status:?}: {e}"));
                assert_eq!(
                    report.known_status(),
                    Some(*status),
                    "{dialect:?} {shape:?}"
                );
                assert_eq!(report.source_id, "777776");
                assert_eq!(
                    stored(&sandbox, "777776").as_deref(),
                    Some(status.canonical())
                );
                if dialect == XsiamDialect::Live {
                    // Live answers carry COMMENTS and ATTACHMENTS as null.
                    assert_eq!(report.attachments, Some(Vec::new()));
                    assert_eq!(report.raw()["ATTACHMENTS"], Value::Null);
                } else {
                    assert_eq!(report.attachments.as_ref().map(Vec::len), Some(1));
                }
            }
            let (flat, wrapped) = (bodies(&sandbox, "flat"), bodies(&sandbox, "request_data"));
            let n = statuses.len() as u64;
            match dialect {
                // The page takes the flat body: nothing is ever wrapped.
                XsiamDialect::Page => assert_eq!((flat, wrapped), (n, 0)),
                // Live tenants: one flat probe, then every update wrapped.
                _ => assert_eq!((flat, wrapped), (1, n)),
            }
            let expected = match dialect {
                XsiamDialect::Page => BodyEnvelope::Flat,
                _ => BodyEnvelope::RequestData,
            };
            assert_eq!(client.body_envelope(), expected);
        }
    }
}

#[tokio::test]
async fn a_concurrent_run_against_a_live_tenant_sends_one_flat_body_in_all() {
    let sandbox = sandbox(XsiamDialect::Live, XsiamAnswerShape::Data).await;
    let client = client(&sandbox);
    let mut tasks = Vec::new();
    for worker in 0..8usize {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..25usize {
                let status = ReportStatus::LIVE[(worker + i) % ReportStatus::LIVE.len()];
                let id = ["777776", "777777", "777778"][(worker + i) % 3];
                client.update_report_status(id, status).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(bodies(&sandbox, "flat"), 1);
    assert_eq!(bodies(&sandbox, "request_data"), 200);
    assert_eq!(
        sandbox.state().xsiam_update_counts.values().sum::<u64>(),
        200
    );
}

#[tokio::test]
async fn a_page_status_refused_by_a_live_tenant_names_the_reason_and_the_live_labels() {
    let sandbox = sandbox(XsiamDialect::Live, XsiamAnswerShape::Object).await;
    // Told the envelope, the client knows nothing of the tenant's statuses
    // yet, and the tenant decides (a client that learned the envelope
    // refuses before sending: threat-reports' tests).
    let error = sandbox
        .xsiam_client()
        .body_envelope(BodyEnvelope::RequestData)
        .build()
        .unwrap()
        .update_report_status("777776", ReportStatus::Closed)
        .await
        .unwrap_err();
    let Error::Api {
        message, response, ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(response.status, 500);
    // The reason (only in err_extra) comes first; no unknown-id guess.
    assert!(
        message.starts_with("Invalid report_status \"Closed\""),
        "{message}"
    );
    let text = error.to_string();
    assert!(text.contains("Resolved True Positive"), "{text}");
    assert!(!text.contains("unknown xsoar_source_id"), "{text}");
    assert_eq!(stored(&sandbox, "777776").as_deref(), Some("IN_PROGRESS"));

    // And the reverse: the page's tenant refuses a live label.
    let page = sandbox_page().await;
    let error = client(&page)
        .update_report_status("777776", ReportStatus::OnHold)
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(text.contains("Pending, Resolved, Closed"), "{text}");
    assert_eq!(error.status(), Some(400));
}

async fn sandbox_page() -> RunningSandbox {
    sandbox(XsiamDialect::Page, XsiamAnswerShape::Object).await
}

#[tokio::test]
async fn a_configured_envelope_is_sent_from_the_first_call() {
    let live = sandbox(XsiamDialect::Live, XsiamAnswerShape::Array).await;
    let wrapped = live
        .xsiam_client()
        .body_envelope(BodyEnvelope::RequestData)
        .build()
        .unwrap();
    wrapped
        .update_report_status("777777", ReportStatus::ResolvedFalsePositive)
        .await
        .unwrap();
    assert_eq!(
        (bodies(&live, "flat"), bodies(&live, "request_data")),
        (0, 1)
    );
    assert_eq!(stored(&live, "777777").as_deref(), Some("RESOLVED_FP"));

    // Flat, told so, against a live tenant: refused, and never re-sent.
    let flat = live
        .xsiam_client()
        .body_envelope(BodyEnvelope::Flat)
        .build()
        .unwrap();
    let error = flat
        .update_report_status("777777", ReportStatus::New)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("request_data"), "{error}");
    assert_eq!(bodies(&live, "flat"), 1);

    // The page's tenant takes the wrapped body too.
    let page = sandbox_page().await;
    page.xsiam_client()
        .body_envelope(BodyEnvelope::RequestData)
        .build()
        .unwrap()
        .update_report_status("777778", ReportStatus::Pending)
        .await
        .unwrap();
    assert_eq!(stored(&page, "777778").as_deref(), Some("PENDING"));
}

#[tokio::test]
async fn the_live_sandbox_answers_a_flat_body_as_live_tenants_do() {
    let sandbox = sandbox(XsiamDialect::Live, XsiamAnswerShape::Object).await;
    let c = sandbox.credentials();
    let response = reqwest::Client::new()
        .post(format!("{}{XSIAM_PATH}", sandbox.base_url()))
        .header("x-xdr-auth-id", &c.xsiam_standard_key_id)
        .header("authorization", &c.xsiam_standard_key)
        .json(&json!({"xsoar_source_id": "777776", "report_status": "New"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"reply": {"err_code": 101, "err_msg": "Missing required param: `request_data`", "err_extra": null}})
    );
}
