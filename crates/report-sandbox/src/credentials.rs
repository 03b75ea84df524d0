//! [`Credentials`]: the keys the sandbox accepts.

/// The keys the sandbox accepts. Sandbox-only values: never real ones.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Credentials {
    /// The id of the accepted XSIAM standard key.
    pub xsiam_standard_key_id: String,
    /// The accepted XSIAM standard key.
    pub xsiam_standard_key: String,
    /// The id of the accepted XSIAM advanced key.
    pub xsiam_advanced_key_id: String,
    /// The accepted XSIAM advanced key.
    pub xsiam_advanced_key: String,
    /// The accepted TruSTAR API key.
    pub trustar_api_key: String,
    /// The accepted TruSTAR API secret.
    pub trustar_api_secret: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            xsiam_standard_key_id: "1".into(),
            xsiam_standard_key: "sandbox-standard-key".into(),
            xsiam_advanced_key_id: "2".into(),
            xsiam_advanced_key: "sandbox-advanced-key".into(),
            trustar_api_key: "sandbox-api-key".into(),
            trustar_api_secret: "sandbox-api-secret".into(),
        }
    }
}
