//! # fuzz-checks
//!
//! The checks behind the fuzz targets in `fuzz/` (cargo-fuzz layout): each
//! takes arbitrary bytes and panics only when the facade breaks one of its
//! promises. The fuzz targets are one line each over these functions, and
//! the test suite runs the same functions over [`seeds`], so the checks
//! themselves are tested without a fuzzer.
//!
//! ```
//! fuzz_checks::extract(b"evil[.]com and hxxp://8.8.8[.]8/x");
//! fuzz_checks::status(b"in-progress");
//! fuzz_checks::answers(br#"{"reply": {"XSOAR_SOURCE_ID": "1", "REPORT_STATUS": "NEW"}}"#);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::collections::HashSet;

use threat_reports::indicators::{count, extract as extract_indicators};
use threat_reports::trustar::ReportUpdate;
use threat_reports::xsiam::MthReport;
use threat_reports::{Error, ReportStatus, Reported, Severity};

pub mod hostile;
mod seeds;

pub use seeds::{Target, seeds};

/// `extract` and `count` on any text: spans are non-empty, slice the text on
/// character boundaries and come in text order; `count` equals the distinct
/// `(kind, value)` pairs `extract` finds; the text repeated after a space
/// counts the same.
///
/// ```
/// fuzz_checks::extract("hxxps://45.9.148[.]108/gate.php CVE-2022-22965".as_bytes());
/// fuzz_checks::extract(&[0xff, b'[', b'.', b']', 0xc3]); // not UTF-8: read lossily
/// ```
pub fn extract(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let found = extract_indicators(&text);
    let mut previous = 0;
    for indicator in &found {
        let span = indicator.span.clone();
        assert!(
            span.start < span.end,
            "empty span {span:?} for {indicator:?}"
        );
        assert!(
            text.get(span.clone()).is_some(),
            "span {span:?} does not slice the text"
        );
        assert!(
            span.start >= previous,
            "{indicator:?} comes before the one found before it"
        );
        previous = span.start;
    }
    let distinct: HashSet<_> = found.iter().map(|i| (i.kind, i.value.as_str())).collect();
    let counted = count(&text);
    assert_eq!(counted.total, distinct.len(), "count differs from extract");
    assert_eq!(
        count(&format!("{text} {text}")),
        counted,
        "repetition changed the count"
    );
}

/// Status and severity parsing on any text: a parsed value reads back from
/// both its spellings; a refusal names what is allowed; `Reported` keeps an
/// unknown text verbatim through serde.
///
/// ```
/// fuzz_checks::status(b"IN_PROGRESS");
/// fuzz_checks::status(b"ON_HOLD");
/// fuzz_checks::status(&[0xff]); // not UTF-8: nothing to check
/// ```
pub fn status(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match text.parse::<ReportStatus>() {
        Ok(status) => {
            assert_eq!(status.label().parse::<ReportStatus>(), Ok(status));
            assert_eq!(status.canonical().parse::<ReportStatus>(), Ok(status));
        }
        Err(unknown) => {
            let error = Error::from(unknown).to_string();
            assert!(error.contains("In Progress"), "{error}");
        }
    }
    if let Ok(severity) = text.parse::<Severity>() {
        assert_eq!(severity.canonical().parse::<Severity>(), Ok(severity));
        assert_eq!(severity.label().parse::<Severity>(), Ok(severity));
    }
    let json = serde_json::Value::String(text.to_string());
    let reported: Reported<ReportStatus> =
        serde_json::from_value(json.clone()).expect("any string reads as Reported");
    match &reported {
        Reported::Known(status) => {
            assert_eq!(
                serde_json::to_value(&reported).ok(),
                Some(status.canonical().into())
            );
        }
        Reported::Unrecognized(kept) => {
            assert_eq!(kept, text);
            assert_eq!(serde_json::to_value(&reported).ok(), Some(json));
        }
        Reported::Absent => panic!("a string {text:?} read as absent"),
    }
}

/// The fast counter (`trustar-indicators`) and the sandbox's reference
/// (`report_sandbox::oracle`), written apart, find the same distinct
/// indicators in any text.
///
/// ```
/// fuzz_checks::differential("8.8.8.8 hxxp://evil[.]com/a.exe CVE-2021-44228".as_bytes());
/// ```
pub fn differential(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let fast: std::collections::BTreeSet<(String, String)> =
        threat_reports::indicators::extract(&text)
            .into_iter()
            .map(|i| (i.kind.to_string(), i.value))
            .collect();
    let reference = report_sandbox::oracle::indicators(&text);
    assert_eq!(fast, reference, "the counters disagree on {text:?}");
}

/// Decoding answers of both APIs from any bytes: the generated types and
/// the facade's conversions refuse or accept, never panic; an accepted
/// report serializes, and a TruSTAR report turns into an update whose
/// indicators count.
///
/// ```
/// fuzz_checks::answers(br#"{"reply": {"err_code": 401, "err_msg": "Public API request unauthorized"}}"#);
/// fuzz_checks::answers(br#"{"id": "1", "title": "t", "reportBody": "8.8.8.8", "timeBegan": 0}"#);
/// fuzz_checks::answers(b"not json");
/// ```
pub fn answers(data: &[u8]) {
    let _ = serde_json::from_slice::<xsiam_client::types::UpdateReportStatusResponse>(data);
    if let Ok(report) = MthReport::from_update_answer(data, "sent") {
        serde_json::to_string(&report).expect("a decoded report serializes");
        assert!(!report.source_id.is_empty(), "a report always has an id");
        let _ = report.attachments();
    }
    if let Ok(error) = serde_json::from_slice::<xsiam_client::types::ErrorResponse>(data) {
        serde_json::to_vec(&error).expect("a decoded error serializes");
    }
    if let Ok(wire) = serde_json::from_slice::<trustar_client::types::Report>(data) {
        serde_json::to_string(&wire).expect("a decoded report serializes");
        let enclave = wire.enclave_ids.first().cloned().unwrap_or_default();
        let update = ReportUpdate::new(
            wire.title.unwrap_or_default(),
            wire.report_body.unwrap_or_default(),
            enclave,
        );
        let _ = update.indicator_count();
    }
    if let Ok(error) = serde_json::from_slice::<trustar_client::types::Error>(data) {
        serde_json::to_vec(&error).expect("a decoded error serializes");
    }
}
