//! Error answers with arbitrary JSON bodies, through the public clients: a
//! typed error with the answer's status and a bounded message, never a
//! panic. The bodies lean towards the vendors' own keys, so that near
//! misses of the real shapes (`{"reply": {"err_code": …}}`,
//! `{"message": …, "waitTime": …}`) come up often.

use proptest::prelude::*;
use serde_json::Value;
use threat_reports::trustar::{ReportId, ReportUpdate, TrustarClient};
use threat_reports::xsiam::XsiamClient;
use threat_reports::{BODY_SNIPPET, Error, ReportStatus, RetryPolicy};
use wiremock::matchers::any as any_request;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "reply", "err_code", "err_msg", "err_extra", "message", "waitTime",
            "error", "error_description", "XSOAR_SOURCE_ID", "REPORT_STATUS",
        ])
        .prop_map(String::from),
        1 => "[a-zA-Z_]{0,8}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => ".{0,40}",
        1 => Just("Too many requests".to_string()),
        1 => prop::collection::vec(any::<char>(), 0..3000).prop_map(String::from_iter),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn status() -> impl Strategy<Value = u16> {
    prop::sample::select(vec![
        400, 401, 402, 403, 404, 405, 409, 413, 415, 422, 429, 500, 501, 502, 503, 504, 520,
    ])
}

/// The checks every error answer's error passes.
fn check(error: &Error, status: u16, body: &Value) {
    assert_eq!(error.status(), Some(status), "{error:?}");
    let shown = error.to_string();
    // The body appears only as bounded snippets, whatever its size.
    assert!(
        shown.chars().count() <= 3 * BODY_SNIPPET + 1000,
        "{} characters",
        shown.chars().count()
    );
    let throttled = status == 429
        || body
            .to_string()
            .to_ascii_lowercase()
            .contains("too many requests");
    if status == 429 {
        assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    }
    if !throttled && status == 401 {
        assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
    }
}

struct Servers {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
}

impl Servers {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(MockServer::start());
        Servers { runtime, server }
    }

    /// Every request gets `status` with `body`.
    fn answer(&self, status: u16, body: &Value) {
        self.runtime.block_on(async {
            self.server.reset().await;
            Mock::given(any_request())
                .respond_with(ResponseTemplate::new(status).set_body_json(body))
                .mount(&self.server)
                .await;
        });
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn xsiam_error_bodies_become_typed_errors(status in status(), body in json(), wrap in any::<bool>()) {
        let servers = Servers::new();
        let body = if wrap { serde_json::json!({"reply": body}) } else { body };
        servers.answer(status, &body);
        let client = XsiamClient::builder()
            .base_url(servers.server.uri())
            .standard_key("1", "key")
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        let error = servers
            .runtime
            .block_on(client.update_report_status("777776", ReportStatus::Closed))
            .unwrap_err();
        check(&error, status, &body);
    }

    #[test]
    fn trustar_error_bodies_become_typed_errors(status in status(), body in json(), update in any::<bool>()) {
        let servers = Servers::new();
        servers.answer(status, &body);
        let client = TrustarClient::builder()
            .base_url(servers.server.uri())
            .bearer_token("token")
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        let id = ReportId::External("M-1".into());
        let error = servers.runtime.block_on(async {
            if update {
                client
                    .update_report(&id, &ReportUpdate::new("t", "b", "e"))
                    .await
                    .unwrap_err()
            } else {
                client.get_report(&id).await.unwrap_err()
            }
        });
        check(&error, status, &body);
        if status == 404 && !body.to_string().to_ascii_lowercase().contains("too many requests") {
            prop_assert!(matches!(error, Error::NotFound { .. }), "{:?}", error);
        }
    }
}

/// An error in the vendor's own shape keeps its body as it arrived
/// (spacing, key order and fields the generated type does not know), not
/// a re-encoding of what was read of it.
#[tokio::test]
async fn an_error_answer_in_the_vendors_shape_keeps_its_body_as_it_arrived() {
    let server = MockServer::start().await;
    let arrived =
        r#"{ "reply" : { "err_msg": "bad", "err_code": 400, "err_extra": {"why": 1}, "z": [] } }"#;
    Mock::given(any_request())
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_raw(arrived.as_bytes().to_vec(), "application/json"),
        )
        .mount(&server)
        .await;
    let error = XsiamClient::builder()
        .base_url(server.uri())
        .standard_key("1", "k")
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .update_report_status("1", ReportStatus::New)
        .await
        .unwrap_err();
    assert_eq!(error.response().unwrap().body, arrived, "{error:?}");
}

/// `is_retryable` and the client's own retries follow one rule: for every
/// status, an error is retryable exactly when the client tried again.
#[tokio::test]
async fn is_retryable_says_what_the_retries_did() {
    for status in [
        400u16, 401, 402, 403, 404, 408, 413, 429, 500, 501, 502, 503, 504, 520,
    ] {
        let server = MockServer::start().await;
        Mock::given(any_request())
            .respond_with(
                ResponseTemplate::new(status).set_body_json(
                    serde_json::json!({"reply": {"err_code": status, "err_msg": "x"}}),
                ),
            )
            .mount(&server)
            .await;
        let error = XsiamClient::builder()
            .base_url(server.uri())
            .standard_key("1", "k")
            .retry(
                RetryPolicy::default()
                    .max_attempts(2)
                    .initial_backoff(std::time::Duration::from_millis(1)),
            )
            .build()
            .unwrap()
            .update_report_status("1", ReportStatus::New)
            .await
            .unwrap_err();
        let tried = server.received_requests().await.unwrap().len();
        assert_eq!(
            error.is_retryable(),
            tried == 2,
            "HTTP {status}: {tried} attempt(s), {error}"
        );
    }
    // A refused connection: retried, and retryable.
    let error = XsiamClient::builder()
        .base_url("http://127.0.0.1:9")
        .standard_key("1", "k")
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .update_report_status("1", ReportStatus::New)
        .await
        .unwrap_err();
    assert!(error.is_retryable(), "{error:?}");
}
