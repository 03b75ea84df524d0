use std::time::Duration;

use threat_reports::TryStreamExt;
use threat_reports::trustar::{ReportId, ReportUpdate, TrustarClient};

#[tokio::main]
async fn main() -> Result<(), threat_reports::Error> {
    let trustar = TrustarClient::from_env()?;
    let report = ReportUpdate::new(
        "Dropper on a finance laptop",
        "evil.exe called back to 185.220.101.4",
        "e27b914b-b1ee-4d25-b4b2-d50db5208b4d", // an enclave id from trustar.enclaves()
    )
    .external_tracking_id("ticket-4711"); // a lost answer is read back, never sent twice
    let id = ReportId::Internal(trustar.submit_report(&report).await?);
    trustar
        .wait_until_processed(&id, Duration::from_secs(60))
        .await?;
    let found: Vec<_> = trustar.report_indicators(&id).try_collect().await?;
    for indicator in &found {
        println!("{} {}", indicator.kind, indicator.value);
    }
    trustar.alter_report_tags(&id, &["dropper"], &[]).await?;
    Ok(())
}
