//! Contract tests against a server nobody here wrote: the pinned Prism,
//! mocking each spec on 127.0.0.1. The generated clients call every operation
//! and must get the spec's example back; Prism validates each request
//! (path, query, headers, security, body) against the same spec.
//!
//! Prism is installed through the xtask's own code path on first use.

use std::time::Duration;

use integration_tests::fixture;
use integration_tests::prism::{Prism, spec};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

fn http_client(headers: &[(&'static str, &'static str)]) -> reqwest::Client {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.insert(*name, HeaderValue::from_static(value));
    }
    reqwest::Client::builder()
        .default_headers(map)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

#[tokio::test]
async fn xsiam_client_calls_every_operation_of_the_prism_mock() {
    use xsiam_client::types::{
        ReportStatusRequest, UpdateReportStatusBody, UpdateReportStatusEnvelope,
        UpdateReportStatusRequest, UpdateReportStatusResponse,
    };

    let prism = Prism::mock(&spec("xsiam")).unwrap();
    let client = xsiam_client::Client::new_with_client(
        prism.base_url(),
        http_client(&[("authorization", "sandbox-key"), ("x-xdr-auth-id", "241")]),
        xsiam_client::Transport::direct(),
    );
    let fields = UpdateReportStatusRequest {
        xsoar_source_id: "777776".parse().unwrap(),
        report_status: ReportStatusRequest::InProgress,
    };
    let body = UpdateReportStatusBody::from(fields.clone());
    let expected: UpdateReportStatusResponse =
        serde_json::from_str(&fixture("xsiam/update_status_response.json")).unwrap();
    // Both envelopes, the page's flat body and live tenants' request_data.
    let wrapped = UpdateReportStatusBody::from(UpdateReportStatusEnvelope {
        request_data: UpdateReportStatusRequest {
            report_status: ReportStatusRequest::ResolvedTruePositive,
            ..fields
        },
    });
    for sent in [&body, &wrapped] {
        let answer = client
            .update_report_status(sent)
            .await
            .unwrap_or_else(|e| panic!("{e}\nprism said:\n{}", prism.log()));
        assert_eq!(answer.status(), 200);
        // The reply is handed over as it arrived: the same JSON, however
        // Prism spaced it.
        assert_eq!(
            answer
                .into_inner()
                .reply
                .decode::<serde_json::Value>()
                .unwrap(),
            expected.reply.decode::<serde_json::Value>().unwrap()
        );
    }

    // Prism really validates bodies, in either envelope: the stored
    // spelling is not a request status, a body must be one envelope or the
    // other, and the id is required; each is refused with the spec's own
    // 400 answer.
    let status_only =
        serde_json::json!({ "xsoar_source_id": "777776", "report_status": "IN_PROGRESS" });
    for invalid_body in [
        status_only.clone(),
        serde_json::json!({ "request_data": status_only }),
        serde_json::json!({ "request_data": { "report_status": "New" } }),
        serde_json::json!({ "report_status": "New" }),
        serde_json::json!({ "request_data": "777776" }),
    ] {
        let invalid = http_client(&[("authorization", "sandbox-key"), ("x-xdr-auth-id", "241")])
            .post(format!(
                "{}/public_api/v1/mth/child/report/update/status",
                prism.base_url()
            ))
            .json(&invalid_body)
            .send()
            .await
            .unwrap();
        assert_eq!(invalid.status(), 400, "{invalid_body}");
        let error: xsiam_client::types::ErrorResponse = invalid.json().await.unwrap();
        assert_eq!(error.reply.err_msg.as_deref(), Some("example"));
    }

    // Without the auth headers Prism refuses the call, as the spec's
    // security requirements say; the client surfaces the shared error type.
    let anonymous = xsiam_client::Client::new_with_client(
        prism.base_url(),
        http_client(&[]),
        xsiam_client::Transport::direct(),
    );
    let refused = anonymous.update_report_status(&body).await.unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(401), "{refused}");
}

#[tokio::test]
async fn trustar_client_calls_every_operation_of_the_prism_mock() {
    use trustar_client::types::{IdType, ReportUpdate, TokenRequest, TokenRequestGrantType};

    let prism = Prism::mock(&spec("trustar")).unwrap();
    let log = || prism.log();

    // POST /oauth/token with HTTP Basic and a form body.
    let token_client = trustar_client::Client::new_with_client(
        prism.base_url(),
        http_client(&[("authorization", "Basic a2V5OnNlY3JldA==")]),
        trustar_client::Transport::direct(),
    );
    let token = token_client
        .get_token(&TokenRequest {
            grant_type: TokenRequestGrantType::ClientCredentials,
        })
        .await
        .unwrap_or_else(|e| panic!("{e}\nprism said:\n{}", log()))
        .into_inner();
    assert_eq!(token.expires_in, Some(599));
    assert_eq!(token.token_type.as_deref(), Some("bearer"));

    let bearer = format!("Bearer {}", token.access_token.expect("an access token"));
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_str(&bearer).unwrap());
    let client = trustar_client::Client::new_with_client(
        prism.base_url(),
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap(),
        trustar_client::Transport::direct(),
    );

    // GET /api/1.3/reports/{id}?idType=external
    let report = client
        .get_report("M-1234", Some(IdType::External))
        .await
        .unwrap_or_else(|e| panic!("{e}\nprism said:\n{}", log()))
        .into_inner();
    assert_eq!(report.title.as_deref(), Some("curl api-report"));
    assert_eq!(report.external_tracking_id.as_deref(), Some("M-1234"));
    assert_eq!(report.time_began, Some(1_474_544_315_000));

    // PUT /api/1.3/reports/{id} with the vendor page's body: 200, no content.
    let update: ReportUpdate =
        serde_json::from_str(&fixture("trustar/update_request.json")).unwrap();
    let stored = client
        .update_report("oldId1234", Some(IdType::External), &update)
        .await
        .unwrap_or_else(|e| panic!("{e}\nprism said:\n{}", log()));
    assert_eq!(stored.status(), 200);

    // The same call without a token is refused by Prism's security check.
    let anonymous = trustar_client::Client::new_with_client(
        prism.base_url(),
        http_client(&[]),
        trustar_client::Transport::direct(),
    );
    let refused = anonymous
        .update_report("oldId1234", None, &update)
        .await
        .unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(401), "{refused}");
}
