//! # sandbox-clients
//!
//! Facade clients pointed at a running [`report_sandbox`], for this
//! project's tests and examples. The sandbox judges requests with nothing of
//! the clients' (it depends on no client crate), so the convenience of
//! building a client for it lives here, beside both.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use report_sandbox::Sandbox;
//! use sandbox_clients::SandboxClients;
//! use threat_reports::ReportStatus;
//!
//! let sandbox = Sandbox::builder().start().await?;
//! let report = sandbox
//!     .xsiam_client()
//!     .build()?
//!     .update_report_status("777777", ReportStatus::InProgress)
//!     .await?;
//! assert_eq!(report.source_id, "777777");
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use report_sandbox::RunningSandbox;
use threat_reports::trustar::{TrustarClient, TrustarClientBuilder};
use threat_reports::xsiam::{XsiamClient, XsiamClientBuilder};

/// Facade builders pointed at a sandbox, with the keys it accepts.
pub trait SandboxClients {
    /// XSIAM, with the standard key.
    fn xsiam_client(&self) -> XsiamClientBuilder;
    /// XSIAM, with the advanced key.
    fn xsiam_advanced_client(&self) -> XsiamClientBuilder;
    /// TruSTAR, with client credentials.
    fn trustar_client(&self) -> TrustarClientBuilder;
}

impl SandboxClients for RunningSandbox {
    fn xsiam_client(&self) -> XsiamClientBuilder {
        let c = self.credentials();
        XsiamClient::builder()
            .base_url(self.base_url())
            .standard_key(&c.xsiam_standard_key_id, &c.xsiam_standard_key)
    }

    fn xsiam_advanced_client(&self) -> XsiamClientBuilder {
        let c = self.credentials();
        XsiamClient::builder()
            .base_url(self.base_url())
            .advanced_key(&c.xsiam_advanced_key_id, &c.xsiam_advanced_key)
    }

    fn trustar_client(&self) -> TrustarClientBuilder {
        let c = self.credentials();
        TrustarClient::builder()
            .base_url(self.base_url())
            .credentials(&c.trustar_api_key, &c.trustar_api_secret)
    }
}
