//! Status and severity spellings, their errors, serde, and the generated
//! request enum.

use threat_reports::{ReportStatus, Reported, Severity};
use xsiam_client::types::ReportStatusRequest;

#[test]
fn every_status_parses_from_every_allowed_spelling() {
    let spellings = [
        (ReportStatus::New, vec!["New", "NEW", "new", " new ", "nEw"]),
        (
            ReportStatus::InProgress,
            vec![
                "In Progress",
                "IN_PROGRESS",
                "in-progress",
                "inprogress",
                " in  progress ",
                "In_Progress",
                "IN-PROGRESS",
                "in\tprogress",
                "in__progress",
                "In - Progress",
            ],
        ),
        (
            ReportStatus::Pending,
            vec!["Pending", "PENDING", "pending\n"],
        ),
        (
            ReportStatus::Resolved,
            vec!["Resolved", "RESOLVED", "resolved"],
        ),
        (ReportStatus::Closed, vec!["Closed", "CLOSED", "  closed"]),
    ];
    for (status, texts) in spellings {
        for text in texts {
            assert_eq!(text.parse::<ReportStatus>().unwrap(), status, "{text:?}");
        }
        // Its own forms round-trip.
        assert_eq!(status.label().parse::<ReportStatus>().unwrap(), status);
        assert_eq!(status.canonical().parse::<ReportStatus>().unwrap(), status);
        assert_eq!(status.to_string().parse::<ReportStatus>().unwrap(), status);
    }
}

#[test]
fn anything_else_is_an_error_that_quotes_the_input_and_lists_the_values() {
    for text in [
        "In Prgress",
        "",
        "progress in",
        "inpro gress",
        "in progress!",
        "ON_HOLDING",
        "Resolved TPX",
        "新",
    ] {
        let error = text.parse::<ReportStatus>().unwrap_err();
        assert_eq!(error.input(), text);
        let message = error.to_string();
        assert!(message.contains(&format!("{text:?}")), "{message}");
        assert!(
            message.contains("New, In Progress, Pending, Resolved, Closed"),
            "{message}"
        );
    }
    let long = "x".repeat(10_000);
    let error = long.parse::<ReportStatus>().unwrap_err();
    assert_eq!(error.input().len(), 200, "error messages stay bounded");
}

#[test]
fn labels_and_canonical_forms() {
    let forms: Vec<_> = ReportStatus::ALL
        .iter()
        .map(|s| (s.label(), s.canonical()))
        .collect();
    assert_eq!(
        forms,
        [
            ("New", "NEW"),
            ("In Progress", "IN_PROGRESS"),
            ("Pending", "PENDING"),
            ("Resolved", "RESOLVED"),
            ("Closed", "CLOSED"),
            ("On Hold", "ON_HOLD"),
            ("Resolved False Positive", "RESOLVED_FP"),
            ("Resolved True Positive", "RESOLVED_TP"),
            ("Resolved Other", "RESOLVED_OTHER"),
            ("Resolved Security Testing", "RESOLVED_SECURITY_TESTING"),
        ]
    );
}

#[test]
fn serde_writes_the_canonical_form_and_reads_leniently() {
    assert_eq!(
        serde_json::to_string(&ReportStatus::InProgress).unwrap(),
        r#""IN_PROGRESS""#
    );
    for text in [r#""In Progress""#, r#""in-progress""#, r#""IN_PROGRESS""#] {
        assert_eq!(
            serde_json::from_str::<ReportStatus>(text).unwrap(),
            ReportStatus::InProgress
        );
    }
    let error = serde_json::from_str::<ReportStatus>(r#""done""#)
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown report status \"done\""), "{error}");
    assert!(serde_json::from_str::<ReportStatus>("3").is_err());
}

#[test]
fn converts_both_ways_with_the_generated_request_enum() {
    for status in ReportStatus::ALL {
        let request = ReportStatusRequest::from(status);
        assert_eq!(
            request.to_string(),
            status.label(),
            "the request carries the label"
        );
        assert_eq!(ReportStatus::from(request), status);
    }
    let body = serde_json::to_value(ReportStatusRequest::from(ReportStatus::InProgress)).unwrap();
    assert_eq!(body, "In Progress");
}

#[test]
fn answered_statuses_never_fail_and_keep_unknown_values_verbatim() {
    let known: Reported<ReportStatus> = serde_json::from_str(r#""IN_PROGRESS""#).unwrap();
    assert_eq!(known, Reported::Known(ReportStatus::InProgress));
    assert_eq!(known.known(), Some(&ReportStatus::InProgress));
    assert_eq!(known.unrecognized(), None);

    for raw in [
        "ARCHIVED",
        "RESOLVED_DUPLICATE",
        "ESCALATED",
        "",
        "weird value ✓",
    ] {
        let value: Reported<ReportStatus> = serde_json::from_value(serde_json::json!(raw)).unwrap();
        assert_eq!(value.unrecognized(), Some(raw));
        assert_eq!(value.to_string(), raw);
        assert_eq!(
            serde_json::to_value(&value).unwrap(),
            raw,
            "written back verbatim"
        );
    }
    assert_eq!(
        Reported::<ReportStatus>::from(ReportStatus::Closed).to_string(),
        "CLOSED"
    );
}

#[test]
fn severities_from_xsiam_forms_and_plain_words() {
    let forms = [
        (Severity::Info, "SEV_010_INFO", "info"),
        (Severity::Low, "SEV_020_LOW", "Low"),
        (Severity::Medium, "SEV_030_MEDIUM", "MEDIUM"),
        (Severity::High, "SEV_040_HIGH", " high "),
        (Severity::Critical, "SEV_050_CRITICAL", "Critical"),
        (Severity::Unknown, "SEV_090_UNKNOWN", "unknown"),
    ];
    for (severity, stored, word) in forms {
        assert_eq!(stored.parse::<Severity>().unwrap(), severity);
        assert_eq!(stored.to_lowercase().parse::<Severity>().unwrap(), severity);
        assert_eq!(word.parse::<Severity>().unwrap(), severity);
        assert_eq!(severity.canonical(), stored);
        assert_eq!(severity.to_string(), stored);
        assert_eq!(serde_json::to_value(severity).unwrap(), stored);
    }
    let error = "SEV_060_SEVERE".parse::<Severity>().unwrap_err();
    assert!(error.to_string().contains("\"SEV_060_SEVERE\""));
    assert!(error.to_string().contains("SEV_020_LOW"));

    let new: Reported<Severity> = serde_json::from_str(r#""SEV_060_SEVERE""#).unwrap();
    assert_eq!(new, Reported::Unrecognized("SEV_060_SEVERE".into()));
    let low: Reported<Severity> = serde_json::from_str(r#""SEV_020_LOW""#).unwrap();
    assert_eq!(low, Reported::Known(Severity::Low));
}
