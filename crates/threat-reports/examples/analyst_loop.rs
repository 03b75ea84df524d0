use threat_reports::ReportStatus;
use threat_reports::xsiam::{NewComment, XsiamClient};

#[tokio::main]
async fn main() -> Result<(), threat_reports::Error> {
    let xsiam = XsiamClient::from_env()?;
    // Every new report in one answer (XSIAM does not page), oldest first.
    let mut new = xsiam.reports_by_status([ReportStatus::New]).await?;
    new.sort_by_key(|report| report.inserted_at);
    for report in new {
        let id = &report.source_id;
        xsiam.assign_report(id, "analyst@company.com", None).await?;
        let note = NewComment::new("Triage started", "analyst@company.com");
        xsiam.add_comment(id, note).await?; // never posted twice, even if an answer is lost
        let report = xsiam
            .update_report_status(id, ReportStatus::InProgress)
            .await?;
        println!("{id} {} {}", report.status, report.name.unwrap_or_default());
    }
    Ok(())
}
