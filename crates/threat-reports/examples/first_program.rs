use threat_reports::xsiam::XsiamClient;

#[tokio::main]
async fn main() -> Result<(), threat_reports::Error> {
    // XSIAM_API_URL, XSIAM_API_KEY_ID, XSIAM_API_KEY: the sandbox prints them.
    let xsiam = XsiamClient::from_env()?;
    let status = xsiam.parse_status("in progress")?;
    let report = xsiam.update_report_status("777776", status).await?;
    println!("report {} is now {}", report.source_id, report.status);
    Ok(())
}
