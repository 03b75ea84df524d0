use threat_reports::trustar::{ReportId, TrustarClient};
use threat_reports::xsiam::XsiamClient;

#[tokio::main]
async fn main() -> Result<(), threat_reports::Error> {
    // XSIAM_API_URL, XSIAM_API_KEY_ID, XSIAM_API_KEY, XSIAM_AUTH_MODE, XSIAM_BODY_ENVELOPE
    let xsiam = XsiamClient::from_env()?;
    // parse_status: any spelling; once the tenant's dialect is known, only its labels
    let status = xsiam.parse_status("in progress")?;
    let report = xsiam.update_report_status("777776", status).await?;
    println!("{} is now {:?}", report.source_id, report.known_status()); // Some(InProgress)

    // TRUSTAR_API_KEY, TRUSTAR_API_SECRET, TRUSTAR_BASE_URL
    let trustar = TrustarClient::from_env()?;
    let id = ReportId::External("M-1234".into());
    let written = trustar
        .edit_report(&id, |r| r.body.push_str("\nSeen again."))
        .await?;
    println!("{id}: {}", written.indicator_count());
    Ok(())
}
