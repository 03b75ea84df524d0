//! `cargo run --example quickstart`: the whole product in a minute, against
//! the sandbox started in-process (nothing leaves this machine).
//!
//! 1. Sets an XSIAM report to "In Progress" and prints the answer's
//!    canonical status.
//! 2. Reads a TruSTAR report, adds to its body and writes it back.
//! 3. Tries a body with too many indicators and prints the refusal, with the
//!    breakdown by kind: nothing was sent.

use indicator_corpus as corpus;
use report_sandbox::Sandbox;
use sandbox_clients::SandboxClients;
use threat_reports::indicators::count;
use threat_reports::trustar::{ReportId, ReportUpdate};
use threat_reports::{Error, Reported};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder().start().await?;
    println!("Sandbox serving both APIs at {}\n", sandbox.base_url());

    // 1. XSIAM: any spelling of a status; the request carries the label.
    let xsiam = sandbox.xsiam_client().build()?;
    let report = xsiam
        .update_report_status("777777", "in progress".parse()?)
        .await?;
    println!(
        "XSIAM   report {} ({}) is now {}",
        report.source_id,
        report.name.as_deref().unwrap_or("untitled"),
        match &report.status {
            Reported::Absent => "not given".to_string(),
            status => status.to_string(),
        }
    );

    // 2. TruSTAR: updates replace the whole report, so read, edit, write.
    let trustar = sandbox.trustar_client().build()?;
    let id = ReportId::External("M-1234".into());
    let before = trustar.get_report(&id).await?;
    println!(
        "TruSTAR report {:?} holds {}",
        before.title,
        count(&before.body)
    );
    let written = trustar
        .edit_report(&id, |report| {
            report
                .body
                .push_str("\nFollow-up: beacon to 185.220.101.4, exploiting CVE-2021-44228.")
        })
        .await?;
    println!(
        "TruSTAR wrote it back; it now holds {}",
        written.indicator_count()
    );

    // 3. An oversized report is refused before anything is sent.
    let enclave = before.enclave_ids.first().cloned().unwrap_or_default();
    let oversized = ReportUpdate::new("Weekly dump", corpus::realistic(600_000, 7), enclave);
    match trustar.update_report(&id, &oversized).await {
        Err(refusal @ Error::TooManyIndicators { .. }) => {
            println!("TruSTAR refused, nothing sent: {refusal}")
        }
        Err(other) => return Err(other.into()),
        Ok(()) => return Err("the oversized report was accepted".into()),
    }
    Ok(())
}
