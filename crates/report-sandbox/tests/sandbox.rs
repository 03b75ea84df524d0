//! The sandbox, driven through the facade as a user would, and through raw
//! HTTP for what the facade refuses to send.

use std::time::Duration;

use report_sandbox::{Fault, FaultKind, Sandbox};
use sandbox_clients::SandboxClients;
use serde_json::{Value, json};
use threat_reports::trustar::{ReportId, ReportUpdate};
use threat_reports::{Error, ReportStatus, Reported, RetryPolicy};

const XSIAM_PATH: &str = "/public_api/v1/mth/child/report/update/status";

fn fast() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

async fn post_xsiam(base: &str, headers: &[(&str, &str)], body: Value) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}{XSIAM_PATH}"))
        .json(&body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn xsiam_updates_store_the_canonical_status_and_a_new_update_time() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let before = sandbox.state().xsiam_reports[1].update_time.unwrap();
    let report = sandbox
        .xsiam_client()
        .build()
        .unwrap()
        .update_report_status("777777", "in progress".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(report.status, Reported::Known(ReportStatus::InProgress));
    let stored = &sandbox.state().xsiam_reports[1];
    assert_eq!(stored.xsoar_source_id.as_deref(), Some("777777"));
    assert_eq!(stored.report_status.as_deref(), Some("IN_PROGRESS"));
    assert!(stored.update_time.unwrap() > before);
    // A status no request can set survives untouched on another report.
    assert_eq!(
        sandbox.state().xsiam_reports[2].report_status.as_deref(),
        Some("ON_HOLD")
    );
}

#[tokio::test]
async fn xsiam_advanced_keys_are_checked_by_recomputing_the_hash() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let c = sandbox.credentials().clone();
    let advanced = threat_reports::xsiam::XsiamClient::builder()
        .base_url(sandbox.base_url())
        .advanced_key(&c.xsiam_advanced_key_id, &c.xsiam_advanced_key)
        .build()
        .unwrap();
    advanced
        .update_report_status("777776", ReportStatus::Closed)
        .await
        .unwrap();

    // The wrong kind of key, a wrong key, a wrong id: the vendor's 401.
    for (id, key, advanced) in [
        (&c.xsiam_standard_key_id, &c.xsiam_standard_key, true),
        (&c.xsiam_advanced_key_id, &c.xsiam_advanced_key, false),
        (&c.xsiam_standard_key_id, &"wrong".to_string(), false),
        (&"99".to_string(), &c.xsiam_standard_key, false),
    ] {
        let builder = threat_reports::xsiam::XsiamClient::builder().base_url(sandbox.base_url());
        let builder = if advanced {
            builder.advanced_key(id, key)
        } else {
            builder.standard_key(id, key)
        };
        let error = builder
            .build()
            .unwrap()
            .update_report_status("777776", ReportStatus::New)
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
    }

    // A stale timestamp or a short nonce is refused even with the right hash.
    let sign = |nonce: &str, timestamp: &str| {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(format!("{}{nonce}{timestamp}", c.xsiam_advanced_key));
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let body = json!({"xsoar_source_id": "777776", "report_status": "New"});
    for (nonce, timestamp, expected) in [
        ("a".repeat(64), now.to_string(), 200),
        ("a".repeat(64), (now - 6 * 60 * 1000).to_string(), 401),
        ("a".repeat(63), now.to_string(), 401),
    ] {
        let signature = sign(&nonce, &timestamp);
        let headers = [
            ("x-xdr-auth-id", c.xsiam_advanced_key_id.as_str()),
            ("x-xdr-nonce", nonce.as_str()),
            ("x-xdr-timestamp", timestamp.as_str()),
            ("authorization", signature.as_str()),
        ];
        let (status, answer) = post_xsiam(sandbox.base_url(), &headers, body.clone()).await;
        assert_eq!(status, expected, "{answer}");
        if status == 401 {
            assert_eq!(
                answer,
                json!({"reply": {"err_code": 401, "err_msg": "Public API request unauthorized", "err_extra": null}})
            );
        }
    }
}

#[tokio::test]
async fn xsiam_bad_bodies_get_400_and_unknown_ids_the_generic_error() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let c = sandbox.credentials().clone();
    let auth = [
        ("x-xdr-auth-id", c.xsiam_standard_key_id.as_str()),
        ("authorization", c.xsiam_standard_key.as_str()),
    ];
    for body in [
        json!({"xsoar_source_id": "777776", "report_status": "IN_PROGRESS"}),
        json!({"xsoar_source_id": "", "report_status": "New"}),
        json!({"report_status": "New"}),
        json!([1, 2]),
    ] {
        let (status, answer) = post_xsiam(sandbox.base_url(), &auth, body).await;
        assert_eq!(status, 400);
        assert_eq!(answer["reply"]["err_code"], 400);
    }
    let error = sandbox
        .xsiam_client()
        .build()
        .unwrap()
        .update_report_status("no-such-report", ReportStatus::New)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(500), "{error}");
}

#[tokio::test]
async fn trustar_updates_replace_the_whole_report() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = sandbox.trustar_client().build().unwrap();
    let id = ReportId::External("M-5678".into());
    let report = client.get_report(&id).await.unwrap();
    assert_eq!(
        report.external_url.as_deref(),
        Some("https://intel.example.org/reports/5678")
    );

    // The update leaves externalUrl out: a full replacement nulls it.
    let update = ReportUpdate::new(
        "Phishing wave, closed",
        "No new indicators.",
        "e27b914b-b1ee-4d25-b4b2-d50db5208b4d",
    )
    .external_tracking_id("M-5678")
    .time_began("2023-11-14T23:13:20+01:00".parse().unwrap());
    client.update_report(&id, &update).await.unwrap();
    let after = client
        .get_report(&ReportId::Internal(report.id.clone()))
        .await
        .unwrap();
    assert_eq!(after.title, "Phishing wave, closed");
    assert_eq!(after.external_url, None);
    assert_eq!(
        after.time_began.unwrap().timestamp_millis(),
        1_700_000_000_000
    );
    assert!(after.updated > report.updated);

    let error = client
        .get_report(&ReportId::External("nope".into()))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn trustar_limits_are_enforced_with_413() {
    let sandbox = Sandbox::builder().max_indicators(3).start().await.unwrap();
    let c = sandbox.credentials().clone();
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{}/oauth/token", sandbox.base_url()))
        .basic_auth(&c.trustar_api_key, Some(&c.trustar_api_secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let put = |body: String| {
        http.put(format!(
            "{}/api/1.3/reports/M-1234?idType=external",
            sandbox.base_url()
        ))
        .header("authorization", bearer.clone())
        .header("content-type", "application/json")
        .body(body)
        .send()
    };
    let report = |body: &str| {
        json!({"title": "t", "reportBody": body, "enclaveIds": ["e27b914b-b1ee-4d25-b4b2-d50db5208b4d"], "externalTrackingId": "M-1234"}).to_string()
    };
    let answer = put(report("evil.exe 8.8.8.8 CVE-2021-44228 CVE-2023-23397"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 413);
    let message: Value = answer.json().await.unwrap();
    assert!(
        message["message"]
            .as_str()
            .unwrap()
            .contains("Max indicators extracted per report are 3")
    );
    let answer = put(report(&"a".repeat(2 * 1024 * 1024 + 1))).await.unwrap();
    assert_eq!(answer.status(), 413);
    assert_eq!(put(report("evil.exe")).await.unwrap().status(), 200);
    assert_eq!(
        put(json!({"title": "t", "reportBody": "b", "enclaveIds": ["a", "b"]}).to_string())
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(put("not json".into()).await.unwrap().status(), 400);
    // What the vendor's own SDK sends: the report as read, timeBegan in
    // epoch milliseconds, read-only fields echoed, nulls for unset fields.
    let as_read = json!({
        "id": "ignored", "created": 1, "updated": 2, "distributionType": "ENCLAVE",
        "title": "t", "reportBody": "b", "enclaveIds": ["e27b914b-b1ee-4d25-b4b2-d50db5208b4d"], "externalTrackingId": "M-1234",
        "timeBegan": 1474544315000i64, "externalUrl": null
    });
    assert_eq!(put(as_read.to_string()).await.unwrap().status(), 200);
    let stored = sandbox.state().trustar_reports[0].clone();
    assert_eq!(stored.time_began, Some(1474544315000));
    assert_ne!(
        stored.id.as_deref(),
        Some("ignored"),
        "the read-only id is not written"
    );
    let null_time = json!({"title": "t", "reportBody": "b", "enclaveIds": ["e27b914b-b1ee-4d25-b4b2-d50db5208b4d"], "externalTrackingId": "M-1234", "timeBegan": null});
    assert_eq!(
        put(null_time.to_string()).await.unwrap().status(),
        200,
        "a null timeBegan is an absent one: now"
    );
    // Still refused: a time that is neither form, an out-of-range one.
    for time in [json!("yesterday"), json!(true), json!(i64::MAX)] {
        let body = json!({"title": "t", "reportBody": "b", "enclaveIds": ["e27b914b-b1ee-4d25-b4b2-d50db5208b4d"], "externalTrackingId": "M-1234", "timeBegan": time});
        assert_eq!(put(body.to_string()).await.unwrap().status(), 400, "{time}");
    }
}

/// A token the client believes fresh (it lives 599 s) is refused as
/// expired: the sandbox's "Expired oauth2 access token" branch, met by the
/// facade's refresh-and-replay.
#[tokio::test]
async fn trustar_tokens_expire_and_the_facade_refreshes_them() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = sandbox.trustar_client().build().unwrap();
    let id = ReportId::External("M-1234".into());
    client.get_report(&id).await.unwrap();
    assert!(sandbox.state().token_refusals.is_empty());
    sandbox.expire_tokens();
    client.get_report(&id).await.unwrap();
    assert_eq!(
        sandbox.state().token_refusals.get("expired"),
        Some(&1),
        "the expired token was sent once, then a fresh one"
    );

    // Raw: an unknown token is refused the vendor's way.
    let answer = reqwest::Client::new()
        .get(format!(
            "{}/api/1.3/reports/M-1234?idType=external",
            sandbox.base_url()
        ))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error_description"], "Invalid oauth2 access token");
}

#[tokio::test]
async fn faults_on_demand_are_survived_by_the_facades_retries() {
    let sandbox = Sandbox::builder()
        .fault(Fault {
            kind: FaultKind::TooManyRequests { wait_ms: 20 },
            count: 2,
        })
        .fault(Fault {
            kind: FaultKind::Unavailable,
            count: 1,
        })
        .fault(Fault {
            kind: FaultKind::DropConnection,
            count: 1,
        })
        .start()
        .await
        .unwrap();
    let client = sandbox
        .xsiam_client()
        .retry(fast().max_attempts(5))
        .build()
        .unwrap();
    client
        .update_report_status("777777", ReportStatus::Pending)
        .await
        .unwrap();
    assert_eq!(
        sandbox.state().xsiam_reports[1].report_status.as_deref(),
        Some("PENDING")
    );

    // TruSTAR through a 429 with waitTime and a hang longer than the timeout.
    sandbox
        .add_fault(Fault {
            kind: FaultKind::TooManyRequests { wait_ms: 30 },
            count: 1,
        })
        .unwrap();
    sandbox
        .add_fault(Fault {
            kind: FaultKind::Hang { ms: 1500 },
            count: 1,
        })
        .unwrap();
    let trustar = sandbox
        .trustar_client()
        .retry(fast())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    trustar
        .get_report(&ReportId::External("M-1234".into()))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_sandbox_routes_show_reset_and_queue_faults() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}/_sandbox/{p}", sandbox.base_url());
    sandbox
        .xsiam_client()
        .build()
        .unwrap()
        .update_report_status("777776", ReportStatus::Closed)
        .await
        .unwrap();
    let state: Value = http
        .get(url("state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["xsiam_reports"][0]["REPORT_STATUS"], "CLOSED");
    let reset: Value = http
        .post(url("reset"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reset["xsiam_reports"][0]["REPORT_STATUS"], "IN_PROGRESS");

    let queued: Value = http
        .post(url("faults"))
        .body(r#"{"kind": "unavailable", "count": 2}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        queued,
        json!({"faults": [{"kind": "unavailable", "count": 2}]})
    );
    let bad = http
        .post(url("faults"))
        .body(r#"{"kind": "meteor"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let cleared: Value = http
        .delete(url("faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cleared, json!({"faults": []}));
}

#[tokio::test]
async fn vendor_rate_limits_are_enforced_when_asked() {
    let sandbox = Sandbox::builder()
        .enforce_rate_limits(true)
        .start()
        .await
        .unwrap();
    let c = sandbox.credentials().clone();
    let auth = [
        ("x-xdr-auth-id", c.xsiam_standard_key_id.as_str()),
        ("authorization", c.xsiam_standard_key.as_str()),
    ];
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let (status, _) = post_xsiam(
            sandbox.base_url(),
            &auth,
            json!({"xsoar_source_id": "777776", "report_status": "New"}),
        )
        .await;
        statuses.push(status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        2,
        "{statuses:?}"
    );
}

/// A state whose reports cannot be found by id is refused at start, not
/// stored under an empty id.
#[tokio::test]
async fn a_state_whose_reports_have_no_id_is_refused_at_start() {
    let mut state = report_sandbox::SandboxState::seeded();
    state.trustar_reports[1].id = None;
    let error = report_sandbox::Sandbox::builder()
        .state(state)
        .start()
        .await
        .err()
        .expect("refused");
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(error.to_string(), "trustar_reports[1] has no id");
}
