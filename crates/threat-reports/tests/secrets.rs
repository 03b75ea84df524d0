//! No key, secret, signature or token ever appears in logs (captured at
//! TRACE, bodies included), in `Debug` of clients and builders, or in error
//! text — across successes, retries, token refreshes and failures.

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine;
use serde_json::json;
use threat_reports::trustar::{ReportId, ReportUpdate, TrustarClient};
use threat_reports::xsiam::XsiamClient;
use threat_reports::{ReportStatus, RetryPolicy};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const XSIAM_STANDARD_KEY: &str = "xsiam-standard-key-Zq9x";
const XSIAM_ADVANCED_KEY: &str = "xsiam-advanced-key-Wp4y";
const TRUSTAR_KEY: &str = "trustar-api-key-Lm2z";
const TRUSTAR_SECRET: &str = "trustar-api-secret-Kx7w";
const TOKEN_1: &str = "trustar-token-one-Vb8q";
const TOKEN_2: &str = "trustar-token-two-Vb9r";
const TOKEN_IN_BAD_ANSWER: &str = "trustar-token-bad-Ua1s";
const FIXED_TOKEN: &str = "trustar-fixed-token-Ty5p";

/// Everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn xsiam_answer() -> serde_json::Value {
    json!({"reply": {"XSOAR_SOURCE_ID": "777776", "REPORT_STATUS": "IN_PROGRESS"}})
}

fn token(value: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"access_token": value, "token_type": "bearer", "expires_in": 599}))
}

fn fast() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(1))
}

#[tokio::test]
async fn secrets_never_reach_logs_debug_or_errors() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut shown = Vec::new(); // every Debug and error text produced

    // XSIAM, standard key: a retried success, then a 401.
    let xsiam = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&xsiam)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(xsiam_answer()))
        .up_to_n_times(2)
        .mount(&xsiam)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"reply": {"err_code": 401, "err_msg": "Public API request unauthorized", "err_extra": null}}),
        ))
        .mount(&xsiam)
        .await;
    let builder = XsiamClient::builder()
        .base_url(xsiam.uri())
        .standard_key("241", XSIAM_STANDARD_KEY)
        .retry(fast());
    shown.push(format!("{builder:?}"));
    let standard = builder.build().unwrap();
    shown.push(format!("{standard:?}"));
    standard
        .update_report_status("777776", ReportStatus::InProgress)
        .await
        .unwrap();
    let advanced = XsiamClient::builder()
        .base_url(xsiam.uri())
        .advanced_key("241", XSIAM_ADVANCED_KEY)
        .build()
        .unwrap();
    shown.push(format!("{advanced:?}"));
    advanced
        .update_report_status("777776", ReportStatus::Closed)
        .await
        .unwrap();
    let error = standard
        .update_report_status("777776", ReportStatus::New)
        .await
        .unwrap_err();
    shown.push(error.to_string());
    shown.push(format!("{error:?}"));

    // TruSTAR: a token, a stale token refreshed, a 413, refused credentials,
    // a token answer that cannot be read, and a fixed bearer token refused.
    let trustar = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(token(TOKEN_1))
        .up_to_n_times(1)
        .mount(&trustar)
        .await;
    Mock::given(path("/oauth/token"))
        .respond_with(token(TOKEN_2))
        .mount(&trustar)
        .await;
    Mock::given(method("GET"))
        .and(header(
            "authorization",
            format!("Bearer {TOKEN_1}").as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error_description": "Expired oauth2 access token"})),
        )
        .mount(&trustar)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "r1", "title": "t", "reportBody": "evil.exe", "enclaveIds": ["e1"]
        })))
        .mount(&trustar)
        .await;
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(413).set_body_json(json!({"message": "too many indicators"})),
        )
        .mount(&trustar)
        .await;
    let builder = TrustarClient::builder()
        .base_url(trustar.uri())
        .credentials(TRUSTAR_KEY, TRUSTAR_SECRET)
        .retry(fast());
    shown.push(format!("{builder:?}"));
    let client = builder.build().unwrap();
    shown.push(format!("{client:?}"));
    let id = ReportId::Internal("r1".into());
    client.get_report(&id).await.unwrap();
    let error = client
        .update_report(&id, &ReportUpdate::new("t", "evil.exe", "e1"))
        .await
        .unwrap_err();
    shown.push(error.to_string());
    shown.push(format!("{error:?}"));

    let refusing = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "unauthorized"})))
        .mount(&refusing)
        .await;
    let error = TrustarClient::builder()
        .base_url(refusing.uri())
        .credentials(TRUSTAR_KEY, TRUSTAR_SECRET)
        .build()
        .unwrap()
        .get_report(&id)
        .await
        .unwrap_err();
    shown.push(error.to_string());
    shown.push(format!("{error:?}"));

    let garbled = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": TOKEN_IN_BAD_ANSWER, "expires_in": "soon"})),
        )
        .mount(&garbled)
        .await;
    let error = TrustarClient::builder()
        .base_url(garbled.uri())
        .credentials(TRUSTAR_KEY, TRUSTAR_SECRET)
        .build()
        .unwrap()
        .get_report(&id)
        .await
        .unwrap_err();
    shown.push(error.to_string());
    shown.push(format!("{error:?}"));

    let fixed_server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&fixed_server)
        .await;
    let fixed = TrustarClient::builder()
        .base_url(fixed_server.uri())
        .bearer_token(FIXED_TOKEN)
        .build()
        .unwrap();
    shown.push(format!("{fixed:?}"));
    let error = fixed.get_report(&id).await.unwrap_err();
    shown.push(error.to_string());
    shown.push(format!("{error:?}"));

    // What must never be shown: the credentials, and every Authorization
    // value that went over the wire (advanced signatures, Basic, Bearer).
    let mut secrets: Vec<String> = [
        XSIAM_STANDARD_KEY,
        XSIAM_ADVANCED_KEY,
        TRUSTAR_KEY,
        TRUSTAR_SECRET,
        TOKEN_1,
        TOKEN_2,
        TOKEN_IN_BAD_ANSWER,
        FIXED_TOKEN,
    ]
    .map(String::from)
    .to_vec();
    secrets.push(
        base64::engine::general_purpose::STANDARD.encode(format!("{TRUSTAR_KEY}:{TRUSTAR_SECRET}")),
    );
    for server in [&xsiam, &trustar, &refusing, &garbled, &fixed_server] {
        for request in server.received_requests().await.unwrap() {
            if let Some(value) = request.headers.get("authorization") {
                secrets.push(value.to_str().unwrap().to_string());
            }
        }
    }
    let signatures = secrets
        .iter()
        .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .count();
    assert_eq!(
        signatures, 1,
        "the advanced call's signature is among the secrets checked"
    );

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // The capture really holds TRACE output, bodies and span fields.
    for evidence in [
        "request body",
        "answer body",
        "threat_reports::call",
        "status=200",
        "attempts=2",
        "\"report_status\":\"In Progress\"",
    ] {
        assert!(
            logs.contains(evidence),
            "the logs lack {evidence:?}:\n{logs}"
        );
    }
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a secret reached the logs: {secret}"
        );
        for text in &shown {
            assert!(!text.contains(secret.as_str()), "a secret reached {text}");
        }
    }
}
