//! Statuses a tenant takes: once a client knows its tenant's dialect (from
//! the envelope it learned), a status of the other dialect is refused
//! before anything is sent, naming the labels the tenant does take; until
//! then the tenant decides. Unknown spellings get a "did you mean".

use report_sandbox::{RunningSandbox, Sandbox, XsiamDialect};
use sandbox_clients::SandboxClients;
use threat_reports::xsiam::XsiamClient;
use threat_reports::{Error, ReportStatus, StatusDialect};

/// Updates the sandbox applied, and bodies it was sent.
fn seen(sandbox: &RunningSandbox) -> (u64, u64) {
    let state = sandbox.state();
    (
        state.xsiam_update_counts.values().sum(),
        state.xsiam_bodies.values().sum(),
    )
}

fn refused_field(error: &Error) -> Option<&'static str> {
    match error {
        Error::InvalidInput { field, .. } => Some(*field),
        _ => None,
    }
}

#[tokio::test]
async fn a_page_tenant_refuses_live_labels_before_sending_once_known() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client: XsiamClient = sandbox.xsiam_client().build().unwrap();
    assert_eq!(client.status_dialect(), None, "nothing learned yet");

    client
        .update_report_status("777776", ReportStatus::InProgress)
        .await
        .unwrap();
    assert_eq!(client.status_dialect(), Some(StatusDialect::Page));

    let before = seen(&sandbox);
    let error = client
        .update_report_status("777776", ReportStatus::OnHold)
        .await
        .unwrap_err();
    assert_eq!(seen(&sandbox), before, "nothing was sent");
    assert_eq!(refused_field(&error), Some("status"), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("New, In Progress, Pending, Resolved or Closed"),
        "{text}"
    );
    assert!(text.contains("\"On Hold\""), "{text}");
    assert!(!error.is_retryable());

    // The tenant's own labels still go through.
    client
        .update_report_status("777776", ReportStatus::Closed)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_live_tenant_learned_on_the_first_call_refuses_page_labels_before_the_wrapped_send() {
    let sandbox = Sandbox::builder()
        .xsiam_dialect(XsiamDialect::Live)
        .start()
        .await
        .unwrap();
    let client = sandbox.xsiam_client().build().unwrap();

    // The flat probe is refused with err_code 101 (nothing applied); the
    // client learns the envelope, hence the dialect, and sends no more.
    let error = client
        .update_report_status("777776", ReportStatus::Closed)
        .await
        .unwrap_err();
    assert_eq!(client.status_dialect(), Some(StatusDialect::Live));
    assert_eq!(seen(&sandbox), (0, 1), "one flat probe, nothing applied");
    assert_eq!(refused_field(&error), Some("status"), "{error:?}");
    assert!(error.to_string().contains("On Hold"), "{error}");

    // parse_status lists only the live labels, with the nearest one.
    let error = client.parse_status("on hld").unwrap_err().to_string();
    assert!(error.contains(r#"did you mean "On Hold"?"#), "{error}");
    assert!(!error.contains("Pending"), "{error}");
    assert_eq!(
        client.parse_status("resolved tp").unwrap(),
        ReportStatus::ResolvedTruePositive
    );

    client
        .update_report_status("777776", client.parse_status("on hold").unwrap())
        .await
        .unwrap();
    assert_eq!(seen(&sandbox), (1, 2));
}

#[tokio::test]
async fn until_the_dialect_is_known_the_tenant_decides() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = sandbox.xsiam_client().build().unwrap();
    // A live label on a fresh client goes out; the page tenant refuses it.
    let error = client
        .update_report_status("777776", ReportStatus::ResolvedTruePositive)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400), "{error:?}");
    assert_eq!(seen(&sandbox).1, 1);
}

#[test]
fn unknown_spellings_get_the_nearest_label() {
    for (typed, meant) in [
        ("In Prgress", ReportStatus::InProgress),
        ("closd", ReportStatus::Closed),
        ("resolvd tp", ReportStatus::ResolvedTruePositive),
        ("ON_HLD", ReportStatus::OnHold),
        ("pendng", ReportStatus::Pending),
    ] {
        let error = typed.parse::<ReportStatus>().unwrap_err();
        assert_eq!(error.suggestion(), Some(meant), "{typed}");
        let text = Error::from(error).to_string();
        assert!(
            text.contains(&format!("did you mean {:?}?", meant.label())),
            "{text}"
        );
    }
    for far in ["done", "x", "", "finished"] {
        assert_eq!(
            far.parse::<ReportStatus>().unwrap_err().suggestion(),
            None,
            "{far}"
        );
    }
}

/// A configured envelope alone says nothing of the statuses: a page tenant
/// takes wrapped bodies too, with its own labels.
#[tokio::test]
async fn a_configured_envelope_does_not_decide_the_statuses() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = sandbox
        .xsiam_client()
        .body_envelope(threat_reports::xsiam::BodyEnvelope::RequestData)
        .build()
        .unwrap();
    client
        .update_report_status("777776", ReportStatus::Pending)
        .await
        .unwrap();
    assert_eq!(client.status_dialect(), None);
}
