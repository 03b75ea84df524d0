//! What live XSIAM tenants do that the vendor page does not show, through
//! full calls against a server on 127.0.0.1: the `request_data` envelope
//! probe, the three answer shapes, and answers with defects, which never
//! turn an applied update into an error.

use std::time::Duration;

use serde_json::{Value, json};
use threat_reports::xsiam::{BodyEnvelope, XsiamClient};
use threat_reports::{Error, ReportStatus, Reported, RetryPolicy};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PATH: &str = "/public_api/v1/mth/child/report/update/status";

fn client(server: &MockServer) -> XsiamClient {
    XsiamClient::builder()
        .base_url(server.uri())
        .standard_key("241", "the-standard-key")
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap()
}

async fn answering(status: u16, body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    server
}

async fn update(server: &MockServer) -> Result<threat_reports::xsiam::MthReport, Error> {
    client(server)
        .update_report_status("777776", ReportStatus::ResolvedTruePositive)
        .await
}

fn flat() -> Value {
    json!({"xsoar_source_id": "777776", "report_status": "Resolved True Positive"})
}

fn wrapped() -> Value {
    json!({"request_data": flat()})
}

/// A tenant that wants `request_data`: the 101 answer to a flat body, at
/// the given HTTP status; the report to a wrapped one.
async fn live_tenant(status_of_101: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_json(flat()))
        .respond_with(ResponseTemplate::new(status_of_101).set_body_json(
            json!({"reply": {"err_code": 101, "err_msg": "Missing required param: `request_data`", "err_extra": null}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_json(wrapped()))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"reply": {"DATA": [{"XSOAR_SOURCE_ID": "777776", "REPORT_STATUS": "RESOLVED_TP", "COMMENTS": null, "ATTACHMENTS": null}], "COUNT": 1}}),
        ))
        .mount(&server)
        .await;
    server
}

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn err_code_101_at_400_or_500_resends_the_update_wrapped_and_the_client_remembers() {
    for status in [400, 500] {
        let server = live_tenant(status).await;
        let client = client(&server);
        assert_eq!(client.body_envelope(), BodyEnvelope::Auto);
        let report = client
            .update_report_status("777776", ReportStatus::ResolvedTruePositive)
            .await
            .unwrap();
        assert_eq!(
            report.known_status(),
            Some(ReportStatus::ResolvedTruePositive)
        );
        assert_eq!(client.body_envelope(), BodyEnvelope::RequestData);
        // A clone shares what was learned: no second flat body.
        client
            .clone()
            .update_report_status("777776", ReportStatus::ResolvedTruePositive)
            .await
            .unwrap();
        assert_eq!(
            bodies(&server).await,
            [flat(), wrapped(), wrapped()],
            "{status}"
        );
    }
}

#[tokio::test]
async fn a_message_naming_request_data_is_enough_whatever_the_code() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_json(flat()))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"reply": {"err_code": "bad_request", "err_msg": "request_data is required", "err_extra": null}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_json(wrapped()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"reply": {"REPORT_STATUS": "RESOLVED_TP"}})),
        )
        .mount(&server)
        .await;
    update(&server).await.unwrap();
    assert_eq!(bodies(&server).await.len(), 2);
}

#[tokio::test]
async fn any_other_error_is_not_resent_and_the_next_call_probes_again() {
    let server = answering(
        500,
        json!({"reply": {"err_code": 500, "err_msg": "An error occurred", "err_extra": null}}),
    )
    .await;
    let client = client(&server);
    for _ in 0..2 {
        let error = client
            .update_report_status("nope", ReportStatus::New)
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(500));
    }
    assert_eq!(client.body_envelope(), BodyEnvelope::Auto);
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 2, "one body per call: {sent:?}");
    assert!(sent.iter().all(|b| b.get("request_data").is_none()));
}

#[tokio::test]
async fn every_answer_shape_gives_the_report() {
    let report = json!({"XSOAR_SOURCE_ID": "777776", "REPORT_STATUS": "RESOLVED_TP"});
    for reply in [
        report.clone(),
        json!({"DATA": [report.clone()], "COUNT": 1}),
        json!([report.clone()]),
    ] {
        let server = answering(200, json!({ "reply": reply })).await;
        let got = update(&server).await.unwrap();
        assert_eq!(
            got.known_status(),
            Some(ReportStatus::ResolvedTruePositive),
            "{reply}"
        );
    }
}

#[tokio::test]
async fn an_answer_with_no_report_is_an_error_that_says_the_update_may_be_applied() {
    for answer in [
        json!({"reply": {"DATA": [], "COUNT": 0}}),
        json!({"reply": []}),
        json!({"something": "else"}),
    ] {
        let server = answering(200, answer.clone()).await;
        let error = update(&server).await.unwrap_err();
        assert!(matches!(error, Error::Decode { .. }), "{error}");
        let text = error.to_string();
        assert!(text.contains("may have been applied"), "{text}");
        assert_eq!(error.status(), Some(200));
        assert_eq!(error.response().unwrap().body, answer.to_string());
    }
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>ok</html>"))
        .mount(&server)
        .await;
    let error = update(&server).await.unwrap_err();
    assert!(error.to_string().contains("not JSON"), "{error}");
    assert!(error.to_string().contains("<html>ok</html>"), "{error}");
}

/// Each defect a 2xx answer may have: the call succeeds, the field is
/// `None` (or the id sent), and the raw value is still there.
#[tokio::test]
async fn no_single_field_turns_an_applied_update_into_an_error() {
    let cases = [
        ("ATTACHMENTS", json!("{not json")),
        ("ATTACHMENTS", json!({"an": "object, not text"})),
        ("INSERT_TIME", json!(i64::MAX)),
        ("UPDATE_TIME", json!("yesterday")),
        ("XSOAR_SOURCE_ID", Value::Null),
        ("REPORT_STATUS", Value::Null),
        ("NAME", json!(42)),
        ("SEVERITY", json!(3)),
        ("INCIDENT_ID", json!("not a number")),
        ("CLASSIFICATION", json!(["MTH"])),
    ];
    for (field, value) in cases {
        let mut report = json!({
            "XSOAR_SOURCE_ID": "777776", "REPORT_STATUS": "RESOLVED_TP", "NAME": "n",
            "INSERT_TIME": 1763468832000i64, "UPDATE_TIME": 1763907713000i64,
            "ATTACHMENTS": "{}", "SEVERITY": "SEV_020_LOW", "INCIDENT_ID": 5, "CLASSIFICATION": "MTH"
        });
        report[field] = value.clone();
        let server = answering(200, json!({ "reply": report })).await;
        let got = update(&server)
            .await
            .unwrap_or_else(|e| panic!("{field} = {value}: {e}"));
        assert_eq!(got.raw()[field], value, "{field}");
        match field {
            "ATTACHMENTS" => {
                assert_eq!(got.attachments, None);
                assert!(got.attachments().is_err());
                assert!(got.attachments_raw().is_some());
            }
            "INSERT_TIME" => assert_eq!(got.inserted_at, None),
            "UPDATE_TIME" => assert_eq!(got.updated_at, None),
            "XSOAR_SOURCE_ID" => assert_eq!(got.source_id, "777776", "the id sent"),
            "REPORT_STATUS" => assert_eq!(got.status, Reported::Absent),
            "NAME" => assert_eq!(got.name, None),
            "SEVERITY" => assert_eq!(got.severity, Reported::Absent),
            "INCIDENT_ID" => assert_eq!(got.incident_id, None),
            "CLASSIFICATION" => assert_eq!(got.classification, Reported::Absent),
            _ => unreachable!(),
        }
        // The others are read as usual.
        if field != "REPORT_STATUS" {
            assert_eq!(got.known_status(), Some(ReportStatus::ResolvedTruePositive));
        }
    }
    // Lower-case keys, as one MTH endpoint answers.
    let server = answering(
        200,
        json!({"reply": {"xsoar_source_id": "777776", "report_status": "ON_HOLD"}}),
    )
    .await;
    assert_eq!(
        update(&server).await.unwrap().known_status(),
        Some(ReportStatus::OnHold)
    );
}
