//! `XsiamClient` against a server on 127.0.0.1: the exact request, the typed
//! answer, every error shape, retries and their limits.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use threat_reports::xsiam::{Classification, XsiamClient, XsiamClientBuilder};
use threat_reports::{Error, RateLimit, ReportStatus, Reported, RetryPolicy, Severity};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PATH: &str = "/public_api/v1/mth/child/report/update/status";
const VENDOR_ANSWER: &str =
    include_str!("../../../tests/fixtures/xsiam/update_status_response.json");

fn vendor_answer() -> Value {
    serde_json::from_str(VENDOR_ANSWER).unwrap()
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

fn client(server: &MockServer) -> XsiamClient {
    XsiamClient::builder()
        .base_url(server.uri())
        .standard_key("241", "the-standard-key")
        .retry(fast_retries())
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

#[tokio::test]
async fn a_standard_key_sends_exactly_the_documented_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .and(header("authorization", "the-standard-key"))
        .and(header("x-xdr-auth-id", "241"))
        .and(header("content-type", "application/json"))
        .and(body_json(
            json!({ "xsoar_source_id": "777776", "report_status": "In Progress" }),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(vendor_answer()))
        .expect(1)
        .mount(&server)
        .await;

    let report = client(&server)
        .update_report_status("777776", "in-progress".parse().unwrap())
        .await
        .unwrap();

    let sent = &server.received_requests().await.unwrap()[0];
    assert!(
        !sent.headers.contains_key("api-version"),
        "progenitor's api-version header reached the vendor"
    );
    assert!(
        !sent.headers.contains_key("x-xdr-nonce"),
        "a standard key sends no nonce"
    );

    assert_eq!(report.source_id, "777776");
    assert_eq!(report.status, Reported::Known(ReportStatus::InProgress));
    assert_eq!(report.severity, Reported::Known(Severity::Low));
    assert_eq!(report.classification, Reported::Known(Classification::Mth));
    assert_eq!(
        report.inserted_at.unwrap().to_rfc3339(),
        "2025-11-18T12:27:12+00:00"
    );
    assert_eq!(
        report.updated_at.unwrap().timestamp_millis(),
        1_763_907_713_000
    );
    assert_eq!(report.incident_id, None);
    assert_eq!(report.comments, None);
    assert_eq!(report.assigned_user_name.as_deref(), Some("iavron iavron"));
    let attachments = report.attachments.as_deref().unwrap();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].name, "sample.pdf");
    assert_eq!(attachments[0].size, 55_483);
    assert!(
        attachments[0]
            .key
            .starts_with("update_report/1763468839243-sample.pdf")
    );
}

#[tokio::test]
async fn an_advanced_key_sends_a_fresh_valid_signature() {
    let server = answering(200, vendor_answer()).await;
    let client = XsiamClient::builder()
        .base_url(server.uri())
        .advanced_key("241", "the-advanced-key")
        .build()
        .unwrap();
    client
        .update_report_status("777776", ReportStatus::Closed)
        .await
        .unwrap();
    client
        .update_report_status("777776", ReportStatus::Closed)
        .await
        .unwrap();

    let sent = server.received_requests().await.unwrap();
    let header = |i: usize, name: &str| sent[i].headers[name].to_str().unwrap().to_string();
    for i in 0..2 {
        let nonce = header(i, "x-xdr-nonce");
        assert_eq!(nonce.len(), 64);
        assert!(nonce.bytes().all(|b| b.is_ascii_alphanumeric()));
        let timestamp: u64 = header(i, "x-xdr-timestamp").parse().unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        assert!(
            now.abs_diff(timestamp) < 60_000,
            "the timestamp is milliseconds now"
        );
        let expected: String = {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(format!("the-advanced-key{nonce}{timestamp}"));
            digest.iter().map(|b| format!("{b:02x}")).collect()
        };
        assert_eq!(header(i, "authorization"), expected);
        assert_eq!(header(i, "x-xdr-auth-id"), "241");
    }
    assert_ne!(header(0, "x-xdr-nonce"), header(1, "x-xdr-nonce"));
}

#[tokio::test]
async fn an_empty_source_id_is_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    for empty in ["", "   "] {
        let error = client(&server)
            .update_report_status(empty, ReportStatus::New)
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::InvalidInput {
                    field: "source_id",
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("xsoar_source_id"), "{error}");
    }
}

#[tokio::test]
async fn statuses_and_severities_xsiam_does_not_document_are_kept() {
    let mut answer = vendor_answer();
    answer["reply"]["REPORT_STATUS"] = json!("RESOLVED_CUSTOM");
    answer["reply"]["SEVERITY"] = json!("SEV_070_EXTREME");
    answer["reply"]["CLASSIFICATION"] = json!("XDR");
    let server = answering(200, answer).await;
    let report = client(&server)
        .update_report_status("777776", ReportStatus::Resolved)
        .await
        .unwrap();
    assert_eq!(
        report.status,
        Reported::Unrecognized("RESOLVED_CUSTOM".into())
    );
    assert_eq!(
        report.severity,
        Reported::Unrecognized("SEV_070_EXTREME".into())
    );
    assert_eq!(report.classification, Reported::Unrecognized("XDR".into()));
}

#[tokio::test]
async fn malformed_attachments_leave_the_update_applied_and_stay_readable() {
    let mut answer = vendor_answer();
    answer["reply"]["ATTACHMENTS"] = json!("{oops");
    let server = answering(200, answer).await;
    let report = client(&server)
        .update_report_status("777776", ReportStatus::New)
        .await
        .unwrap();
    assert_eq!(report.attachments, None);
    assert_eq!(report.attachments_raw().as_deref(), Some("{oops"));
    let error = report.attachments().unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error}");
    assert!(error.to_string().contains("{oops"), "{error}");
    assert_eq!(report.known_status(), Some(ReportStatus::InProgress));
}

#[tokio::test]
async fn a_401_explains_the_usual_causes_and_is_not_retried() {
    let body = json!({"reply": {"err_code": 401, "err_msg": "Public API request unauthorized", "err_extra": null}});
    let server = answering(401, body).await;
    let error = client(&server)
        .update_report_status("777776", ReportStatus::New)
        .await
        .unwrap_err();
    let Error::Unauthorized {
        message, response, ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(message, "Public API request unauthorized");
    assert_eq!(response.status, 401);
    let text = error.to_string();
    for cause in ["key id", "standard key", "advanced", "clock"] {
        assert!(text.contains(cause), "{text}");
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn forbidden_licence_and_generic_errors_keep_the_vendor_words() {
    let body = |code: Value, extra: Value| json!({"reply": {"err_code": code, "err_msg": "failed", "err_extra": extra}});

    let server = answering(403, body(json!("403"), Value::Null)).await;
    let error = client(&server)
        .update_report_status("1", ReportStatus::New)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Forbidden { .. })
            && error.to_string().contains("Instance Administrator"),
        "{error}"
    );

    let server = answering(402, body(json!(402), Value::Null)).await;
    let error = client(&server)
        .update_report_status("1", ReportStatus::New)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Forbidden { .. }) && error.to_string().contains("licence"),
        "{error}"
    );

    let server = answering(
        500,
        body(
            json!("101704"),
            json!({"field": "xsoar_source_id", "reason": "not found"}),
        ),
    )
    .await;
    let error = client(&server)
        .update_report_status("nope", ReportStatus::New)
        .await
        .unwrap_err();
    let Error::Api {
        code,
        message,
        response,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(code.as_deref(), Some("101704"));
    // The reason in err_extra comes first; with a reason there is no need
    // to guess at an unknown id.
    assert!(
        message.starts_with("{") && message.contains("not found") && message.contains("failed"),
        "{message}"
    );
    assert_eq!(response.status, 500);
    assert!(
        !error.to_string().contains("unknown xsoar_source_id"),
        "{error}"
    );
    // Without a reason, the hint that an unknown id looks the same.
    let server = answering(500, body(json!(500), Value::Null)).await;
    let error = client(&server)
        .update_report_status("nope", ReportStatus::New)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("unknown xsoar_source_id"),
        "{error}"
    );
    // A 500 is not a transient failure: one attempt.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    let server = answering(400, body(json!("bad"), json!(["report_status"]))).await;
    let error = client(&server)
        .update_report_status("1", ReportStatus::New)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Api { .. }), "{error}");
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "a 400 is never retried"
    );
}

#[tokio::test]
async fn transient_failures_are_retried_until_one_gets_through() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(vendor_answer()))
        .mount(&server)
        .await;
    client(&server)
        .update_report_status("777776", ReportStatus::New)
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn throttling_in_any_form_is_retried_then_reported() {
    // XSIAM's throttle is not well documented: a 500 that says so counts.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(
            json!({"reply": {"err_code": 500, "err_msg": "Too many requests", "err_extra": null}}),
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(vendor_answer()))
        .mount(&server)
        .await;
    client(&server)
        .update_report_status("777776", ReportStatus::New)
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    let server = answering(
        429,
        json!({"reply": {"err_code": 429, "err_msg": "Rate limit exceeded", "err_extra": null}}),
    )
    .await;
    let client = XsiamClient::builder()
        .base_url(server.uri())
        .standard_key("241", "k")
        .retry(fast_retries().max_attempts(3))
        .build()
        .unwrap();
    let error = client
        .update_report_status("1", ReportStatus::New)
        .await
        .unwrap_err();
    let Error::RateLimited {
        attempts, message, ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(*attempts, 3);
    assert_eq!(message, "Rate limit exceeded");
    assert!(error.to_string().contains("after 3 attempt(s)"), "{error}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn retry_limits_hold_attempts_budget_and_none() {
    let server = answering(503, json!({})).await;
    let with = |policy: RetryPolicy| {
        XsiamClient::builder()
            .base_url(server.uri())
            .standard_key("241", "k")
            .retry(policy)
            .build()
            .unwrap()
    };
    let error = with(RetryPolicy::none())
        .update_report_status("1", ReportStatus::New)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    with(fast_retries().max_attempts(5))
        .update_report_status("1", ReportStatus::New)
        .await
        .unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 5);

    // A budget shorter than the first wait: no retry starts.
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "5"))
        .mount(&server)
        .await;
    let started = Instant::now();
    with(
        RetryPolicy::default()
            .max_attempts(10)
            .budget(Duration::from_secs(1)),
    )
    .update_report_status("1", ReportStatus::New)
    .await
    .unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the client waited past its budget"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error_after_the_retries() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = XsiamClient::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .standard_key("241", "k")
        .retry(fast_retries().max_attempts(2))
        .build()
        .unwrap();
    let error = client
        .update_report_status("1", ReportStatus::New)
        .await
        .unwrap_err();
    let Error::Transport { attempts, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*attempts, 2);
    assert!(error.to_string().contains("Check the base URL"), "{error}");
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(vendor_answer())
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let client = XsiamClient::builder()
        .base_url(server.uri())
        .standard_key("241", "k")
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .update_report_status("1", ReportStatus::New)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Transport { source, .. } if source.is_timeout()),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn the_rate_limit_spaces_calls_out() {
    let server = answering(200, vendor_answer()).await;
    let client = XsiamClient::builder()
        .base_url(server.uri())
        .standard_key("241", "k")
        .rate_limit(RateLimit::per_second(20))
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..5 {
        client
            .update_report_status("1", ReportStatus::New)
            .await
            .unwrap();
    }
    // Five calls at 20 a second: the fifth starts 200 ms after the first.
    assert!(
        started.elapsed() >= Duration::from_millis(195),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn configuration_errors_name_what_is_missing_or_wrong() {
    let error = XsiamClient::builder()
        .standard_key("1", "k")
        .build()
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                field: "base_url",
                ..
            }
        ),
        "{error}"
    );
    let error = XsiamClient::builder()
        .base_url("tenant.example.com")
        .build()
        .unwrap_err();
    assert!(
        matches!(error, Error::InvalidInput { field: "key", .. }),
        "{error}"
    );
    let error = XsiamClient::builder()
        .base_url("http://api-tenant.example.com")
        .standard_key("1", "k")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("unencrypted"), "{error}");
    let error = XsiamClient::builder()
        .base_url("tenant.example.com")
        .standard_key("1", "key\nwith a line break")
        .build()
        .unwrap_err();
    assert!(
        matches!(error, Error::InvalidInput { field: "key", .. }),
        "{error}"
    );
    assert!(
        !error.to_string().contains("with a line break"),
        "the key is never quoted"
    );
    let error = XsiamClient::builder()
        .base_url("tenant.example.com")
        .standard_key("1", "k")
        .retry(RetryPolicy::default().max_attempts(0))
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("max_attempts"), "{error}");

    let vars = |mode: &'static str| {
        move |name: &str| match name {
            "XSIAM_API_URL" => Some("tenant.example.com".to_string()),
            "XSIAM_API_KEY_ID" => Some("7".to_string()),
            "XSIAM_API_KEY" => Some("k".to_string()),
            "XSIAM_AUTH_MODE" => Some(mode.to_string()),
            _ => None,
        }
    };
    let client = XsiamClientBuilder::from_vars(vars("standard"))
        .unwrap()
        .build()
        .unwrap();
    assert!(format!("{client:?}").contains("standard"));
    let client = XsiamClientBuilder::from_vars(vars("advanced"))
        .unwrap()
        .build()
        .unwrap();
    assert!(format!("{client:?}").contains("advanced"));
    let error = XsiamClientBuilder::from_vars(vars("hmac")).unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                field: "XSIAM_AUTH_MODE",
                ..
            }
        ),
        "{error}"
    );
    let error =
        XsiamClientBuilder::from_vars(|name| (name != "XSIAM_API_KEY").then(|| "x".to_string()))
            .unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                field: "XSIAM_API_KEY",
                ..
            }
        ),
        "{error}"
    );
}
