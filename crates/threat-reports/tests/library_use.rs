//! Using the facade as a library, as a SOC's own automation would: its own
//! `reqwest::Client`, the user agent, credentials that are fresh when a
//! queued request leaves, bounded answers, the vendor SDK's base URL, and
//! errors that say whether to try again.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;
use threat_reports::trustar::{ReportId, TrustarClient};
use threat_reports::xsiam::XsiamClient;
use threat_reports::{Error, RateLimit, ReportStatus, RetryPolicy};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const XSIAM_PATH: &str = "/public_api/v1/mth/child/report/update/status";

fn xsiam_answer() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"reply": {"XSOAR_SOURCE_ID": "777776", "REPORT_STATUS": "NEW"}}))
}

fn report_json() -> serde_json::Value {
    json!({"id": "1", "title": "t", "reportBody": "b", "enclaveIds": ["e"], "timeBegan": 1474544315000i64})
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

#[tokio::test]
async fn a_supplied_client_keeps_its_default_headers_and_the_user_agent_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(XSIAM_PATH))
        .respond_with(xsiam_answer())
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "tok", "token_type": "bearer", "expires_in": 599}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(report_json()))
        .mount(&server)
        .await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-proxy-tag", "soc-blue".parse().unwrap());
    let own = threat_reports::http_client_builder()
        .unwrap()
        .default_headers(headers)
        .build()
        .unwrap();

    // The builder's own client: the default user agent.
    XsiamClient::builder()
        .base_url(server.uri())
        .standard_key("1", "k")
        .build()
        .unwrap()
        .update_report_status("777776", ReportStatus::New)
        .await
        .unwrap();
    // A supplied client, with and without a user agent named.
    XsiamClient::builder()
        .base_url(server.uri())
        .standard_key("1", "k")
        .http_client(own.clone())
        .build()
        .unwrap()
        .update_report_status("777776", ReportStatus::New)
        .await
        .unwrap();
    let trustar = TrustarClient::builder()
        .base_url(server.uri())
        .credentials("key", "secret")
        .http_client(own)
        .user_agent("soc-automation/2.1")
        .build()
        .unwrap();
    trustar
        .get_report(&ReportId::Internal("1".into()))
        .await
        .unwrap();

    let requests = server.received_requests().await.unwrap();
    let agent = |i: usize| {
        requests[i]
            .headers
            .get("user-agent")
            .map(|v| v.to_str().unwrap().to_string())
    };
    let tag = |i: usize| requests[i].headers.get("x-proxy-tag").is_some();
    assert_eq!(requests.len(), 4);
    let ours = format!("threat-reports/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(agent(0).as_deref(), Some(ours.as_str()));
    assert!(!tag(0));
    assert!(
        tag(1),
        "the supplied client's default headers reach the server"
    );
    // The token call and the report call both go through the supplied
    // client, with the user agent named in the builder.
    for i in [2, 3] {
        assert!(tag(i), "request {i}");
        assert_eq!(
            agent(i).as_deref(),
            Some("soc-automation/2.1"),
            "request {i}"
        );
    }
}

#[tokio::test]
async fn the_builders_timeout_applies_to_each_request_of_a_supplied_client() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(xsiam_answer().set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let started = Instant::now();
    let error = XsiamClient::builder()
        .base_url(server.uri())
        .standard_key("1", "k")
        .http_client(
            threat_reports::http_client_builder()
                .unwrap()
                .build()
                .unwrap(),
        )
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .update_report_status("777776", ReportStatus::New)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error}");
    assert!(error.is_retryable());
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

/// A supplied client's own timeout stands when the builder names none: the
/// builder's default once replaced it, and a server answering after 4 s
/// was waited for past the client's 1 s.
#[tokio::test]
async fn a_supplied_clients_own_timeout_stands_unless_the_builder_names_one() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(xsiam_answer().set_delay(Duration::from_secs(4)))
        .mount(&server)
        .await;
    let started = Instant::now();
    let error = XsiamClient::builder()
        .base_url(server.uri())
        .standard_key("1", "k")
        .http_client(
            threat_reports::http_client_builder()
                .unwrap()
                .timeout(Duration::from_secs(1))
                .build()
                .unwrap(),
        )
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .update_report_status("777776", ReportStatus::New)
        .await
        .unwrap_err();
    let Error::Transport { source, .. } = &error else {
        panic!("{error:?}");
    };
    assert!(source.is_timeout(), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// Records how old each request's advanced-key timestamp is when it
/// arrives.
struct Staleness(Arc<Mutex<Vec<u128>>>);

impl Respond for Staleness {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let sent: u128 = request.headers["x-xdr-timestamp"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        self.0.lock().unwrap().push(now_ms().saturating_sub(sent));
        xsiam_answer()
    }
}

#[tokio::test]
async fn queued_advanced_key_requests_are_signed_when_they_leave_not_when_they_queue() {
    let server = MockServer::start().await;
    let ages = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path(XSIAM_PATH))
        .respond_with(Staleness(ages.clone()))
        .mount(&server)
        .await;
    let client = XsiamClient::builder()
        .base_url(server.uri())
        .advanced_key("1", "k")
        .rate_limit(RateLimit::per_second(20))
        .build()
        .unwrap();
    // 30 callers at once, 20 a second: the last leaves about 1.5 s after
    // it was called.
    let calls: Vec<_> = (0..30)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .update_report_status("777776", ReportStatus::New)
                    .await
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let ages = ages.lock().unwrap().clone();
    assert_eq!(ages.len(), 30);
    let oldest = ages.iter().max().copied().unwrap();
    assert!(
        oldest < 500,
        "a request arrived with a timestamp {oldest} ms old: it was signed before its wait"
    );
}

/// A token endpoint that issues `tok-1`, `tok-2`, … living one second, and
/// an API that refuses a token older than that as TruSTAR does (HTTP 400).
struct ShortTokens {
    issued: Arc<Mutex<Vec<Instant>>>,
    stale_sent: Arc<AtomicUsize>,
}

impl Respond for ShortTokens {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut issued = self.issued.lock().unwrap();
        if request.url.path() == "/oauth/token" {
            issued.push(Instant::now());
            return ResponseTemplate::new(200).set_body_json(json!({
                "access_token": format!("tok-{}", issued.len()), "token_type": "bearer", "expires_in": 1
            }));
        }
        let token = request.headers["authorization"].to_str().unwrap();
        let n: usize = token.trim_start_matches("Bearer tok-").parse().unwrap();
        if issued[n - 1].elapsed() > Duration::from_secs(1) {
            self.stale_sent.fetch_add(1, Ordering::SeqCst);
            return ResponseTemplate::new(400).set_body_json(
                json!({"error": "invalid_token", "error_description": "Expired oauth2 access token"}),
            );
        }
        ResponseTemplate::new(200).set_body_json(report_json())
    }
}

#[tokio::test]
async fn queued_trustar_requests_carry_a_token_fresh_when_they_leave() {
    let server = MockServer::start().await;
    let issued = Arc::new(Mutex::new(Vec::new()));
    let stale_sent = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ShortTokens {
            issued: issued.clone(),
            stale_sent: stale_sent.clone(),
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ShortTokens {
            issued: issued.clone(),
            stale_sent: stale_sent.clone(),
        })
        .mount(&server)
        .await;
    let client = TrustarClient::builder()
        .base_url(server.uri())
        .credentials("key", "secret")
        .rate_limit(RateLimit::per_second(10))
        .build()
        .unwrap();
    let started = Instant::now();
    // 30 callers at 10 a second: three seconds of queue, three token
    // lifetimes.
    let calls: Vec<_> = (0..30)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_report(&ReportId::Internal("1".into())).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(
        stale_sent.load(Ordering::SeqCst),
        0,
        "a queued request left with a token that expired while it waited"
    );
    let fetched = issued.lock().unwrap().len();
    assert!(
        fetched >= 3,
        "the token was renewed during the queue: {fetched}"
    );
    // The renewals went ahead of the queue: had each waited behind the
    // queued calls, the run would take about twice as long.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_answer_over_the_cap_is_a_typed_error_not_unbounded_memory() {
    let server = MockServer::start().await;
    let huge = format!("{{\"reply\": {{\"NAME\": \"{}\"}}}}", "x".repeat(9 << 20));
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string(huge))
        .mount(&server)
        .await;
    let error = XsiamClient::builder()
        .base_url(server.uri())
        .standard_key("1", "k")
        .build()
        .unwrap()
        .update_report_status("777776", ReportStatus::New)
        .await
        .unwrap_err();
    let Error::AnswerTooLarge {
        size,
        limit,
        response,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert!(*size > *limit as u64);
    assert_eq!(response.status, 200);
    assert!(
        response.body.chars().count() < 1000,
        "the error keeps a snippet"
    );
    assert!(
        error.to_string().contains("succeeded on the server"),
        "{error}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn the_vendor_sdks_spelling_of_the_base_url_works() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "tok", "token_type": "bearer", "expires_in": 599}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/1.3/reports/1"))
        .and(header("authorization", "Bearer tok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(report_json()))
        .expect(1)
        .mount(&server)
        .await;
    let client = TrustarClient::builder()
        .base_url(format!("{}/api/1.3", server.uri()))
        .credentials("key", "secret")
        .build()
        .unwrap();
    assert_eq!(client.base_url(), server.uri());
    let report = client
        .get_report(&ReportId::Internal("1".into()))
        .await
        .unwrap();
    assert_eq!(report.title, "t");
}

#[tokio::test]
async fn errors_say_whether_to_try_again() {
    let server = MockServer::start().await;
    for (status, body) in [
        (
            503,
            json!({"reply": {"err_code": 503, "err_msg": "unavailable"}}),
        ),
        (
            429,
            json!({"reply": {"err_code": 429, "err_msg": "Too many requests"}}),
        ),
        (
            403,
            json!({"reply": {"err_code": 403, "err_msg": "forbidden"}}),
        ),
        (400, json!({"reply": {"err_code": 400, "err_msg": "bad"}})),
    ] {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&server)
            .await;
        let error = XsiamClient::builder()
            .base_url(server.uri())
            .standard_key("1", "k")
            .retry(RetryPolicy::none())
            .build()
            .unwrap()
            .update_report_status("777776", ReportStatus::New)
            .await
            .unwrap_err();
        assert_eq!(
            error.is_retryable(),
            matches!(status, 503 | 429),
            "{status}: {error}"
        );
        assert_eq!(error.status(), Some(status));
    }
}

/// A transport error says which failure it was and whether the request
/// may have reached the server, and never repeats its source's text (a
/// chain printer shows the source once, after it).
#[tokio::test]
async fn transport_errors_say_what_happened_without_repeating_their_cause() {
    use std::error::Error as _;
    let refused = XsiamClient::builder()
        .base_url("http://127.0.0.1:9")
        .standard_key("1", "k")
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .update_report_status("777776", ReportStatus::New)
        .await
        .unwrap_err();
    let shown = refused.to_string();
    assert!(
        shown.starts_with("could not connect to XSIAM after 1 attempt(s). Nothing was sent."),
        "{shown}"
    );
    let source = refused.source().unwrap().to_string();
    assert!(!shown.contains(&source), "{shown} repeats {source}");

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(xsiam_answer().set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let timed_out = XsiamClient::builder()
        .base_url(server.uri())
        .standard_key("1", "k")
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .update_report_status("777776", ReportStatus::New)
        .await
        .unwrap_err();
    let shown = timed_out.to_string();
    assert!(
        shown.starts_with("XSIAM did not answer in time after 1 attempt(s)."),
        "{shown}"
    );
    assert!(shown.contains("may have reached the server"), "{shown}");
    let mut cause = timed_out.source();
    while let Some(inner) = cause {
        assert!(
            !shown.contains(&inner.to_string()),
            "{shown} repeats {inner}"
        );
        cause = inner.source();
    }
}

/// The crate's TLS is there and needs no process-wide provider (with the
/// default features and with `rustls-ring`, which the library checks build
/// and test): an https:// call to a local server that does not speak TLS
/// fails its handshake with a typed error, never a panic.
#[tokio::test]
async fn https_goes_through_the_crates_own_tls_and_a_failed_handshake_is_an_error() {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        if let Ok((mut socket, _)) = listener.accept().await {
            let _ = socket.write_all(b"HTTP/1.1 200 OK\r\n\r\nnot tls").await;
        }
    });
    let error = XsiamClient::builder()
        .base_url(format!("https://127.0.0.1:{port}"))
        .standard_key("1", "k")
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .update_report_status("777776", ReportStatus::New)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(!error.to_string().contains("panicked"), "{error}");
    server.abort();
}
