//! The vendor pages' examples, copied verbatim into `tests/fixtures/`, decode
//! into the generated types; requests serialize back to the same JSON; the
//! specs carry the same examples; every error shape seen in the wild decodes.

use integration_tests::{fixture, workspace_root};
use serde_json::{Value, json};
use trustar_client::types as trustar;
use xsiam_client::types as xsiam;

fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

/// The value at `pointer` in `specs/{spec}.yaml`, as JSON.
fn spec_example(spec: &str, pointer: &str) -> Value {
    let path = workspace_root().join(format!("specs/{spec}.yaml"));
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let as_json: Value = serde_json::to_value(yaml).unwrap();
    as_json
        .pointer(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in specs/{spec}.yaml"))
        .clone()
}

const XSIAM_OP: &str = "/paths/~1public_api~1v1~1mth~1child~1report~1update~1status/post";
const TRUSTAR_REPORT: &str = "/paths/~1api~11.3~1reports~1{id}";

// ---- XSIAM ---------------------------------------------------------------

#[test]
fn xsiam_request_examples_decode_and_serialize_to_the_same_json() {
    for name in [
        "xsiam/update_status_request.json",
        "xsiam/curl_request.json",
    ] {
        let request: xsiam::UpdateReportStatusRequest =
            serde_json::from_str(&fixture(name)).unwrap();
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            fixture_json(name),
            "{name}"
        );
    }
    let request: xsiam::UpdateReportStatusRequest =
        serde_json::from_str(&fixture("xsiam/update_status_request.json")).unwrap();
    assert_eq!(request.xsoar_source_id.as_str(), "777776");
    assert_eq!(
        request.report_status,
        xsiam::ReportStatusRequest::InProgress
    );
}

#[test]
fn xsiam_response_example_decodes_every_field_as_documented() {
    let response: xsiam::UpdateReportStatusResponse =
        serde_json::from_str(&fixture("xsiam/update_status_response.json")).unwrap();
    // The generated client hands the reply over as it arrived
    // (`x-as-arrived`); the page's is a report object.
    let report: xsiam::MthReport = response.reply.decode().unwrap();
    assert_eq!(report.xsoar_source_id.as_deref(), Some("777776"));
    assert_eq!(
        report.name.as_deref(),
        Some("Royi test 2025-11-18 14:27:18.299620")
    );
    assert_eq!(report.description.as_deref(), Some("Royi"));
    assert_eq!(report.created_by.as_deref(), Some("Roei"));
    assert_eq!(report.insert_time, Some(1_763_468_832_000));
    assert_eq!(report.update_time, Some(1_763_907_713_000));
    let Some(xsiam::Attachments::Text(Some(text))) = &report.attachments else {
        panic!(
            "the page's ATTACHMENTS is JSON text: {:?}",
            report.attachments
        );
    };
    let attachments: Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        attachments
            .pointer("/update_report~11763468839243-sample.pdf-d0bc29ba-2b46-46b7-94d6-24826da2c82b/attachment_size"),
        Some(&json!(55483))
    );
    assert_eq!(report.incident_id, None);
    assert_eq!(report.report_type.as_deref(), Some("Cyber Hygiene Report"));
    assert_eq!(report.severity.as_deref(), Some("SEV_020_LOW"));
    assert_eq!(report.comments, None);
    assert_eq!(report.classification.as_deref(), Some("MTH"));
    assert_eq!(
        report.assigned_user.as_deref(),
        Some("iavron@paloaltonetworks.com")
    );
    assert_eq!(
        report.assigned_user_pretty.as_deref(),
        Some("iavron iavron")
    );
    assert_eq!(report.report_status.as_deref(), Some("IN_PROGRESS"));

    // Serializing drops the nulls; everything else survives a round trip.
    let again: xsiam::UpdateReportStatusResponse = serde_json::from_value(
        serde_json::to_value(&report)
            .map(|r| json!({ "reply": r }))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(again.reply.decode::<xsiam::MthReport>().unwrap(), report);
}

/// The reply comes in three shapes (`UpdateReportStatusReply`, handed over
/// as it arrived): each of the spec's examples decodes as the schema of its
/// shape, and the facade reads the same report from each.
#[test]
fn xsiam_each_reply_shape_decodes_as_what_it_is() {
    use threat_reports::xsiam::MthReport;
    for (name, shape) in [("page", "report"), ("data", "list"), ("array", "array")] {
        let example = spec_example(
            "xsiam",
            &format!("{XSIAM_OP}/responses/200/content/application~1json/examples/{name}/value"),
        );
        let reply = serde_json::from_value::<xsiam::UpdateReportStatusResponse>(example.clone())
            .unwrap()
            .reply;
        let first = match shape {
            "report" => reply.decode::<xsiam::MthReport>().unwrap(),
            "list" => {
                let list = reply.decode::<xsiam::MthReportList>().unwrap();
                assert_eq!(list.count, Some(list.data.len() as i64), "{name}");
                list.data[0].clone()
            }
            _ => reply.decode::<Vec<xsiam::MthReport>>().unwrap()[0].clone(),
        };
        let read = MthReport::from_update_answer(example.to_string().as_bytes(), "sent").unwrap();
        assert_eq!(
            Some(read.source_id.as_str()),
            first.xsoar_source_id.as_deref(),
            "{name}"
        );
        assert_eq!(
            (!read.status.is_absent()).then(|| read.status.to_string()),
            first.report_status,
            "{name}"
        );
    }
}

#[test]
fn xsiam_answers_with_unknown_values_or_missing_fields_still_decode() {
    let report: xsiam::MthReport = serde_json::from_value(json!({
        "XSOAR_SOURCE_ID": "1",
        "REPORT_STATUS": "RESOLVED_TP",
        "SEVERITY": "SEV_060_SOMETHING_NEW",
        "CLASSIFICATION": "OTHER",
        "INCIDENT_ID": 42
    }))
    .unwrap();
    assert_eq!(report.report_status.as_deref(), Some("RESOLVED_TP"));
    assert_eq!(report.severity.as_deref(), Some("SEV_060_SOMETHING_NEW"));
    assert_eq!(report.incident_id, Some(42));
    assert_eq!(report.name, None);

    // The page promises no field: a report without id or status decodes.
    let bare = serde_json::from_value::<xsiam::MthReport>(json!({ "NAME": "x" })).unwrap();
    assert_eq!((bare.xsoar_source_id, bare.report_status), (None, None));
}

#[test]
fn xsiam_every_error_shape_decodes_into_the_shared_error_type() {
    let vendor: xsiam::ErrorResponse =
        serde_json::from_str(&fixture("xsiam/error_vendor_page.json")).unwrap();
    assert_eq!(
        vendor.reply.err_code,
        Some(xsiam::ErrorCode::String("example".into()))
    );
    assert_eq!(vendor.reply.err_msg.as_deref(), Some("example"));
    assert_eq!(vendor.reply.err_extra, Some(json!("example")));

    let wild: xsiam::ErrorResponse =
        serde_json::from_str(&fixture("xsiam/error_401_in_the_wild.json")).unwrap();
    assert_eq!(wild.reply.err_code, Some(xsiam::ErrorCode::Int64(401)));
    assert_eq!(
        wild.reply.err_msg.as_deref(),
        Some("Public API request unauthorized")
    );
    assert_eq!(wild.reply.err_extra, None);

    // err_extra as an object and as an array; err_code missing or null.
    for (extra, code) in [
        (
            json!({ "field": "report_status", "reason": "not allowed" }),
            json!(500),
        ),
        (json!(["report_status", "xsoar_source_id"]), json!("101704")),
        (json!("Too many requests"), Value::Null),
    ] {
        let body =
            json!({ "reply": { "err_code": code, "err_msg": "failed", "err_extra": extra } });
        let error: xsiam::ErrorResponse = serde_json::from_value(body.clone())
            .unwrap_or_else(|e| panic!("{body} does not decode: {e}"));
        assert_eq!(error.reply.err_extra.as_ref(), Some(&extra));
        assert_eq!(error.reply.err_code.is_none(), code.is_null());
    }
    let bare: xsiam::ErrorResponse = serde_json::from_value(json!({ "reply": {} })).unwrap();
    assert_eq!(bare.reply, xsiam::ErrorReply::default());
}

#[test]
fn in_progress_round_trips_through_the_generated_enum() {
    use xsiam::ReportStatusRequest as Status;
    let status: Status = "In Progress".parse().unwrap();
    assert_eq!(status, Status::InProgress);
    assert_eq!(status.to_string(), "In Progress");
    assert_eq!(serde_json::to_string(&status).unwrap(), r#""In Progress""#);
    assert_eq!(
        serde_json::from_str::<Status>(r#""In Progress""#).unwrap(),
        status
    );

    for (status, label) in [
        (Status::New, "New"),
        (Status::InProgress, "In Progress"),
        (Status::Pending, "Pending"),
        (Status::Resolved, "Resolved"),
        (Status::Closed, "Closed"),
    ] {
        assert_eq!(status.to_string(), label);
        assert_eq!(label.parse::<Status>().unwrap(), status);
    }
    // The wire enum takes the request labels only; other spellings are the
    // facade's job.
    assert!("IN_PROGRESS".parse::<Status>().is_err());
    assert!(serde_json::from_str::<Status>(r#""in progress""#).is_err());
}

#[test]
fn xsiam_an_empty_source_id_is_refused_by_the_generated_type() {
    let empty = serde_json::from_value::<xsiam::UpdateReportStatusRequest>(
        json!({ "xsoar_source_id": "", "report_status": "New" }),
    );
    assert!(empty.is_err());
    assert!("".parse::<xsiam::SourceId>().is_err());
}

#[test]
fn xsiam_spec_carries_the_vendor_page_examples() {
    assert_eq!(
        spec_example(
            "xsiam",
            &format!("{XSIAM_OP}/requestBody/content/application~1json/examples/page/value")
        ),
        fixture_json("xsiam/update_status_request.json")
    );
    assert_eq!(
        spec_example(
            "xsiam",
            &format!("{XSIAM_OP}/responses/200/content/application~1json/examples/page/value")
        ),
        fixture_json("xsiam/update_status_response.json")
    );
    assert_eq!(
        spec_example(
            "xsiam",
            "/components/responses/Error/content/application~1json/examples/vendor_page/value"
        ),
        fixture_json("xsiam/error_vendor_page.json")
    );
    assert_eq!(
        spec_example(
            "xsiam",
            "/components/responses/Error/content/application~1json/examples/unauthorized/value"
        ),
        fixture_json("xsiam/error_401_in_the_wild.json")
    );
}

// ---- TruSTAR -------------------------------------------------------------

#[test]
fn trustar_update_example_decodes_and_serializes_to_the_same_json() {
    let request: trustar::ReportUpdate =
        serde_json::from_str(&fixture("trustar/update_request.json")).unwrap();
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        fixture_json("trustar/update_request.json")
    );
    assert_eq!(request.title.as_str(), "curl api-report");
    assert_eq!(
        request.enclave_ids[0].as_str(),
        "e27b914b-b1ee-4d25-b4b2-d50db5208b4d"
    );
    assert_eq!(request.external_tracking_id.as_deref(), Some("M-1234"));
    let began = request.time_began.unwrap().as_chrono();
    assert_eq!(began.timestamp_millis(), 1_474_544_315_000);
    assert_eq!(began.offset().local_minus_utc(), 0);
}

#[test]
fn trustar_time_began_keeps_its_offset_and_cannot_lack_one() {
    let mut body = fixture_json("trustar/update_request.json");
    body["timeBegan"] = json!("2016-09-22T13:38:35+02:00");
    let request: trustar::ReportUpdate = serde_json::from_value(body.clone()).unwrap();
    let began = request.time_began.unwrap().as_chrono();
    assert_eq!(began.timestamp_millis(), 1_474_544_315_000);
    assert_eq!(began.offset().local_minus_utc(), 2 * 3600);
    assert_eq!(serde_json::to_value(&request).unwrap(), body);

    body["timeBegan"] = json!("2016-09-22T11:38:35");
    assert!(serde_json::from_value::<trustar::ReportUpdate>(body).is_err());
}

#[test]
fn trustar_update_refuses_what_the_page_forbids() {
    let base = fixture_json("trustar/update_request.json");
    let with = |key: &str, value: Value| {
        let mut body = base.clone();
        body[key] = value;
        serde_json::from_value::<trustar::ReportUpdate>(body)
    };
    assert!(with("enclaveIds", json!([])).is_err(), "no enclave");
    assert!(
        with("enclaveIds", json!(["a", "b"])).is_err(),
        "two enclaves"
    );
    assert!(with("title", json!("")).is_err(), "empty title");
    assert!(with("reportBody", json!("")).is_err(), "empty body");
    assert!(
        with("externalUrl", json!("x".repeat(501))).is_err(),
        "501 characters"
    );
    assert!(
        with("externalUrl", json!("x".repeat(500))).is_ok(),
        "500 characters"
    );
}

#[test]
fn trustar_every_error_shape_decodes_into_the_shared_error_type() {
    let too_large: trustar::Error =
        serde_json::from_str(&fixture("trustar/error_413.json")).unwrap();
    assert!(too_large.message.unwrap().contains("too many indicators"));

    let limited: trustar::Error = serde_json::from_str(&fixture("trustar/error_429.json")).unwrap();
    assert_eq!(limited.wait_time, Some(4243));
    assert_eq!(
        limited.message.as_deref(),
        Some("Request limit exceeded...")
    );

    for text in ["Expired oauth2 access token", "Invalid oauth2 access token"] {
        let token: trustar::Error = serde_json::from_value(json!({
            "error": "invalid_token",
            "error_description": text
        }))
        .unwrap();
        assert_eq!(token.error_description.as_deref(), Some(text));
    }
    let empty: trustar::Error = serde_json::from_value(json!({})).unwrap();
    assert_eq!(empty, trustar::Error::default());
}

#[test]
fn trustar_token_and_report_examples_decode() {
    let token: trustar::Token = serde_json::from_str(&fixture("trustar/token.json")).unwrap();
    assert_eq!(token.expires_in, Some(599));
    assert_eq!(token.token_type.as_deref(), Some("bearer"));

    let report: trustar::Report = serde_json::from_value(spec_example(
        "trustar",
        &format!("{TRUSTAR_REPORT}/get/responses/200/content/application~1json/example"),
    ))
    .unwrap();
    assert_eq!(report.time_began, Some(1_474_544_315_000));
    assert_eq!(report.distribution_type.as_deref(), Some("ENCLAVE"));
    assert_eq!(report.enclave_ids.len(), 1);
}

#[test]
fn trustar_id_type_defaults_to_internal() {
    assert_eq!(trustar::IdType::default(), trustar::IdType::Internal);
    assert_eq!(
        serde_json::to_string(&trustar::IdType::External).unwrap(),
        r#""external""#
    );
    assert!("External".parse::<trustar::IdType>().is_err());
}

#[test]
fn trustar_spec_carries_the_vendor_page_examples() {
    assert_eq!(
        spec_example(
            "trustar",
            &format!("{TRUSTAR_REPORT}/put/requestBody/content/application~1json/example")
        ),
        fixture_json("trustar/update_request.json")
    );
    assert_eq!(
        spec_example(
            "trustar",
            "/components/responses/PayloadTooLarge/content/application~1json/example"
        ),
        fixture_json("trustar/error_413.json")
    );
    assert_eq!(
        spec_example(
            "trustar",
            "/components/responses/TooManyRequests/content/application~1json/example"
        ),
        fixture_json("trustar/error_429.json")
    );
}
