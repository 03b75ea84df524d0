//! `TrustarClient` against a server on 127.0.0.1: tokens (fetch, cache,
//! expiry, refresh under concurrency), the exact requests, the checks made
//! before sending, and every error shape.

use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};
use threat_reports::trustar::{ReportId, ReportUpdate, TrustarClient, TrustarClientBuilder};
use threat_reports::{Error, RetryPolicy};
use wiremock::matchers::{body_json, body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "the-api-key";
const SECRET: &str = "the-api-secret";
const VENDOR_UPDATE: &str = include_str!("../../../tests/fixtures/trustar/update_request.json");

fn token(value: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": value, "token_type": "bearer", "expires_in": expires_in, "scope": "read write"
    }))
}

fn report_json() -> Value {
    json!({
        "id": "3b9a4b6e",
        "title": "curl api-report",
        "reportBody": "evil.exe, api.evildomain.com",
        "timeBegan": 1474544315000i64,
        "created": 1474544400000i64,
        "updated": 1474544400000i64,
        "externalUrl": null,
        "externalTrackingId": "M-1234",
        "distributionType": "ENCLAVE",
        "enclaveIds": ["e27b914b"]
    })
}

async fn token_endpoint(server: &MockServer, value: &str, expect: u64) {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}"));
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("authorization", format!("Basic {basic}").as_str()))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("grant_type=client_credentials"))
        .respond_with(token(value, 599))
        .expect(expect)
        .mount(server)
        .await;
}

fn client(server: &MockServer) -> TrustarClient {
    TrustarClient::builder()
        .base_url(server.uri())
        .credentials(KEY, SECRET)
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap()
}

fn external(id: &str) -> ReportId {
    ReportId::External(id.into())
}

#[tokio::test]
async fn the_token_is_fetched_once_and_sent_as_bearer() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok-1", 1).await;
    Mock::given(method("GET"))
        .and(path("/api/1.3/reports/M-1234"))
        .and(query_param("idType", "external"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(report_json()))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let report = client.get_report(&external("M-1234")).await.unwrap();
    client.get_report(&external("M-1234")).await.unwrap();

    assert_eq!(report.id, "3b9a4b6e");
    assert_eq!(report.body, "evil.exe, api.evildomain.com");
    assert_eq!(
        report.time_began.unwrap().to_rfc3339(),
        "2016-09-22T11:38:35+00:00"
    );
    assert_eq!(report.enclave_ids, ["e27b914b"]);
    for sent in server.received_requests().await.unwrap() {
        assert!(!sent.headers.contains_key("api-version"));
    }
}

#[tokio::test]
async fn an_update_sends_only_the_writable_fields_as_documented() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok-1", 1).await;
    let vendor: Value = serde_json::from_str(VENDOR_UPDATE).unwrap();
    Mock::given(method("PUT"))
        .and(path("/api/1.3/reports/oldId1234"))
        .and(query_param("idType", "external"))
        .and(header("authorization", "Bearer tok-1"))
        .and(body_json(vendor))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let update = ReportUpdate::new(
        "curl api-report",
        "This is a test report body with some indicators:, evil.exe, api.evildomain.com, hash d2dd1bcdd6d6cfac59ba9638d2cd886c ",
        "e27b914b-b1ee-4d25-b4b2-d50db5208b4d",
    )
    .external_tracking_id("M-1234")
    .time_began("2016-09-22T11:38:35+00:00".parse().unwrap());
    client(&server)
        .update_report(&external("oldId1234"), &update)
        .await
        .unwrap();
}

#[tokio::test]
async fn internal_ids_select_id_type_internal() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok-1", 1).await;
    Mock::given(method("GET"))
        .and(path("/api/1.3/reports/3b9a4b6e"))
        .and(query_param("idType", "internal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(report_json()))
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .get_report(&ReportId::Internal("3b9a4b6e".into()))
        .await
        .unwrap();
}

#[tokio::test]
async fn edit_report_reads_changes_and_writes_back_only_writable_fields() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok-1", 1).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(report_json()))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/1.3/reports/M-1234"))
        .and(body_json(json!({
            "title": "curl api-report",
            "reportBody": "evil.exe, api.evildomain.com\nAlso: 185.220.101.4",
            "externalTrackingId": "M-1234",
            "timeBegan": "2016-09-22T11:38:35+00:00",
            "enclaveIds": ["e27b914b"]
        })))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let written = client(&server)
        .edit_report(&external("M-1234"), |report| {
            report.body.push_str("\nAlso: 185.220.101.4")
        })
        .await
        .unwrap();
    assert_eq!(written.indicator_count().total, 3);
}

#[tokio::test]
async fn too_many_indicators_are_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let body: String = (0..2001)
        .map(|i| format!("CVE-2024-{:05}\n", 10_000 + i))
        .collect();
    let update = ReportUpdate::new("big", body, "e1");

    let error = client(&server)
        .update_report(&external("x"), &update)
        .await
        .unwrap_err();
    let Error::TooManyIndicators {
        count,
        limit,
        server_message,
        response,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(
        (
            count.as_ref().map(|c| c.total),
            *limit,
            server_message,
            response
        ),
        (Some(2001), 2000, &None, &None)
    );
    assert!(error.to_string().contains("nothing was sent"), "{error}");
    assert!(
        error.to_string().contains("2001 indicators: 2001 CVE"),
        "{error}"
    );
    assert!(error.to_string().contains("split it"), "{error}");

    let strict = TrustarClient::builder()
        .base_url(server.uri())
        .credentials(KEY, SECRET)
        .max_indicators(1)
        .build()
        .unwrap();
    let two = ReportUpdate::new("t", "evil.exe and 8.8.8.8", "e1");
    let error = strict
        .update_report(&external("x"), &two)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::TooManyIndicators { limit: 1, .. }),
        "{error}"
    );
}

#[tokio::test]
async fn invalid_updates_are_refused_with_the_field_and_nothing_is_sent() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);
    let base = ReportUpdate::new("title", "body", "e1");
    let mut two_enclaves = base.clone();
    two_enclaves.enclave_ids.push("e2".into());
    let mut no_enclave = base.clone();
    no_enclave.enclave_ids.clear();
    let cases = [
        (ReportUpdate::new(" ", "body", "e1"), "title"),
        (ReportUpdate::new("t", "", "e1"), "body"),
        (
            ReportUpdate::new("t", "x".repeat(2 * 1024 * 1024 + 1), "e1"),
            "body",
        ),
        (two_enclaves, "enclave_ids"),
        (no_enclave, "enclave_ids"),
        (ReportUpdate::new("t", "b", " "), "enclave_ids"),
        (base.clone().external_url("u".repeat(501)), "external_url"),
    ];
    for (update, expected) in cases {
        let error = client
            .update_report(&external("x"), &update)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidInput { field, .. } if *field == expected),
            "{expected}: {error}"
        );
    }
    assert!(client.update_report(&external(""), &base).await.is_err());
    assert!(matches!(
        client
            .get_report(&ReportId::Internal(" ".into()))
            .await
            .unwrap_err(),
        Error::InvalidInput { field: "id", .. }
    ));
}

#[tokio::test]
async fn a_server_413_is_the_same_error_with_the_servers_message() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok-1", 1).await;
    let message = "Incident Report contains too many indicators or the file size is too large - Consider splitting into smaller reports. Max indicators extracted per report are 500";
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(413)
                .set_body_json(json!({ "message": message }))
                .insert_header("Trace-Id", "trace-413"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let update = ReportUpdate::new("t", "evil.exe 8.8.8.8 CVE-2021-44228", "e1");
    let error = client(&server)
        .update_report(&external("x"), &update)
        .await
        .unwrap_err();
    let Error::TooManyIndicators {
        count,
        server_message,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    // The local count is what was sent: under the client's limit. The
    // error does not claim the report is over it, and names the limits the
    // server may have applied.
    assert_eq!(count.as_ref().map(|c| c.total), Some(3));
    assert_eq!(server_message.as_deref(), Some(message));
    assert_eq!(error.status(), Some(413));
    assert_eq!(error.request_id(), Some("trace-413"));
    let raw = error.response().unwrap();
    assert!(
        raw.body
            .contains("Max indicators extracted per report are 500"),
        "{raw:?}"
    );
    let text = error.to_string();
    assert!(!text.contains("over the limit"), "{text}");
    for said in [
        "HTTP 413",
        "2,000",
        "500",
        "2 MiB",
        "3 indicators",
        "trace-413",
    ] {
        assert!(text.contains(said), "{said}: {text}");
    }
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_replayed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token("tok-1", 599))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token("tok-2", 599))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_token", "error_description": "Expired oauth2 access token"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer tok-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(report_json()))
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .get_report(&external("M-1234"))
        .await
        .unwrap();
}

#[tokio::test]
async fn concurrent_callers_share_one_fetch_and_one_refresh() {
    let server = MockServer::start().await;
    // The first token is slow to come, so that every caller waits on it.
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token("tok-1", 599).set_delay(Duration::from_millis(200)))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token("tok-2", 599).set_delay(Duration::from_millis(100)))
        .expect(1)
        .mount(&server)
        .await;
    // Every call made with tok-1 is told it expired.
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error_description": "Invalid oauth2 access token"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer tok-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(report_json()))
        .expect(20)
        .mount(&server)
        .await;
    let client = client(&server);
    let calls = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_report(&external("M-1234")).await })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn a_token_is_renewed_shortly_before_it_expires() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token("short-lived", 1))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(report_json()))
        .mount(&server)
        .await;
    let client = client(&server);
    client.get_report(&external("a")).await.unwrap();
    client.get_report(&external("a")).await.unwrap(); // still fresh: no fetch
    // A 1 s token is fresh for 0.8 s. Nothing is in flight: the clock is
    // moved on rather than slept through.
    tokio::time::pause();
    tokio::time::advance(Duration::from_millis(900)).await;
    tokio::time::resume();
    client.get_report(&external("a")).await.unwrap();
}

#[tokio::test]
async fn a_fixed_bearer_token_is_used_as_is_and_a_refusal_is_unauthorized() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token("x", 599))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer fixed-token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "unauthorized"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = TrustarClient::builder()
        .base_url(server.uri())
        .bearer_token("fixed-token")
        .build()
        .unwrap();
    let error = client.get_report(&external("a")).await.unwrap_err();
    assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
}

#[tokio::test]
async fn refused_credentials_say_what_to_check() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "unauthorized", "error_description": "Bad credentials"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server)
        .get_report(&external("a"))
        .await
        .unwrap_err();
    let Error::Unauthorized { message, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(message, "Bad credentials");
    assert!(error.to_string().contains("TRUSTAR_API_SECRET"), "{error}");
}

#[tokio::test]
async fn rate_limits_wait_as_asked_and_errors_keep_the_trace_id() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok-1", 1).await;
    Mock::given(method("GET"))
        .and(path("/api/1.3/reports/slow"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(json!({"message": "Request limit exceeded...", "waitTime": 30})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/1.3/reports/slow"))
        .respond_with(ResponseTemplate::new(200).set_body_json(report_json()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/1.3/reports/limited"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("trace-id", "trace-42")
                .set_body_json(json!({"message": "Request limit exceeded...", "waitTime": 20})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/1.3/reports/missing"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("trace-id", "trace-404")
                .set_body_json(json!({"message": "not found"})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    client.get_report(&external("slow")).await.unwrap();

    let error = client.get_report(&external("limited")).await.unwrap_err();
    let Error::RateLimited {
        retry_after,
        attempts,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(*retry_after, Some(Duration::from_millis(20)));
    assert_eq!(*attempts, 4);
    assert_eq!(error.request_id(), Some("trace-42"));
    assert!(error.to_string().contains("request id trace-42"), "{error}");

    let error = client.get_report(&external("missing")).await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    assert!(
        error.to_string().contains("external id \"missing\""),
        "{error}"
    );
    assert_eq!(error.request_id(), Some("trace-404"));
}

#[test]
fn configuration_comes_from_code_or_the_environment() {
    let error = TrustarClient::builder().build().unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                field: "credentials",
                ..
            }
        ),
        "{error}"
    );
    let error = TrustarClient::builder()
        .credentials("k", "s")
        .base_url("http://api.trustar.co")
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

    let vars = |name: &str| match name {
        "TRUSTAR_API_KEY" => Some("k".to_string()),
        "TRUSTAR_API_SECRET" => Some("s".to_string()),
        "TRUSTAR_BASE_URL" => Some("http://127.0.0.1:9".to_string()),
        _ => None,
    };
    let client = TrustarClientBuilder::from_vars(vars)
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:9");
    assert_eq!(client.max_indicators(), 2000);
    let error = TrustarClientBuilder::from_vars(|name| {
        (name == "TRUSTAR_API_KEY").then(|| "k".to_string())
    })
    .unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                field: "TRUSTAR_API_SECRET",
                ..
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_body_less_201_or_204_to_an_update_is_success() {
    for status in [201, 204] {
        let server = MockServer::start().await;
        token_endpoint(&server, "tok-1", 1).await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(status))
            .expect(1)
            .mount(&server)
            .await;
        let update = ReportUpdate::new("t", "evil.exe", "e1");
        client(&server)
            .update_report(&external("x"), &update)
            .await
            .unwrap_or_else(|e| panic!("HTTP {status}: {e}"));
    }
}

/// The vendor lists a report's fields without promising them: a report
/// that lacks one the facade needs to write it back is an error naming it,
/// and a missing optional field is simply absent.
#[tokio::test]
async fn a_report_missing_a_field_the_facade_needs_is_an_error_naming_it() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok-1", 1).await;
    let mut sparse = report_json();
    for field in ["created", "updated", "externalUrl", "distributionType"] {
        sparse.as_object_mut().unwrap().remove(field);
    }
    Mock::given(method("GET"))
        .and(path("/api/1.3/reports/sparse"))
        .respond_with(ResponseTemplate::new(200).set_body_json(sparse))
        .mount(&server)
        .await;
    let mut no_body = report_json();
    no_body.as_object_mut().unwrap().remove("reportBody");
    Mock::given(method("GET"))
        .and(path("/api/1.3/reports/no-body"))
        .respond_with(ResponseTemplate::new(200).set_body_json(no_body))
        .mount(&server)
        .await;
    let client = client(&server);

    let report = client.get_report(&external("sparse")).await.unwrap();
    assert_eq!((report.created, report.updated), (None, None));
    assert_eq!(report.title, "curl api-report");

    let error = client.get_report(&external("no-body")).await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("reportBody"), "{message}");
}

/// A token answer without `expires_in` is used (the documented ten-minute
/// life is assumed); one without `access_token` is a decode error that says
/// so, without showing the body.
#[tokio::test]
async fn a_token_answer_needs_only_access_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"access_token": "tok-short"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer tok-short"))
        .respond_with(ResponseTemplate::new(200).set_body_json(report_json()))
        .expect(2)
        .mount(&server)
        .await;
    let first = client(&server);
    first.get_report(&external("M-1234")).await.unwrap();
    first.get_report(&external("M-1234")).await.unwrap();

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"token_type": "bearer", "expires_in": 599, "scope": "s3cr3t-scope"}),
        ))
        .mount(&server)
        .await;
    let error = client(&server)
        .get_report(&external("x"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("no access_token"), "{message}");
    assert!(
        !format!("{message} {error:?}").contains("s3cr3t-scope"),
        "{message}"
    );
}
