//! What the sandbox stores: reports of both APIs, in the specs' own shapes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::wire::{TrustarEnclave, TrustarReport, XsiamComment, XsiamReport};

/// Every report the sandbox holds. Also the format of a state file given at
/// start (`--state FILE`) and of `GET /_sandbox/state`.
///
/// ```
/// let state = report_sandbox::SandboxState::seeded();
/// assert!(state.xsiam_reports.iter().any(|r| r.xsoar_source_id.as_deref() == Some("777776")));
/// assert!(state.trustar_reports.iter().any(|r| r.external_tracking_id.as_deref() == Some("M-1234")));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SandboxState {
    /// XSIAM MTH/MDR reports, as `{"reply": …}` carries them.
    pub xsiam_reports: Vec<XsiamReport>,
    /// TruSTAR reports, as `GET /api/1.3/reports/{id}` returns them, with
    /// their tags.
    pub trustar_reports: Vec<TrustarReport>,
    /// TruSTAR enclaves and the caller's rights in each (the seeded three
    /// when a state file has none).
    #[serde(default = "seeded_enclaves")]
    pub trustar_enclaves: Vec<TrustarEnclave>,
    /// Comments on XSIAM reports, in the order they were made (their ids
    /// count up), as `get_comments` returns them.
    #[serde(default)]
    pub xsiam_comments: Vec<XsiamComment>,
    /// How many status updates each XSIAM report received since the start
    /// (or the last reset): lets tests prove no update was lost or applied
    /// twice. Ignored in a state file.
    #[serde(default, skip_deserializing)]
    pub xsiam_update_counts: BTreeMap<String, u64>,
    /// How many assignments (set or cleared) each XSIAM report received,
    /// likewise. Ignored in a state file.
    #[serde(default, skip_deserializing)]
    pub xsiam_assign_counts: BTreeMap<String, u64>,
    /// How many XSIAM update bodies arrived in each envelope (`flat`,
    /// `request_data`), refused ones included: shows how often a client
    /// probed. Ignored in a state file.
    #[serde(default, skip_deserializing)]
    pub xsiam_bodies: BTreeMap<String, u64>,
    /// How many replacements each TruSTAR report (by internal id) received,
    /// likewise. Ignored in a state file.
    #[serde(default, skip_deserializing)]
    pub trustar_update_counts: BTreeMap<String, u64>,
    /// How many faults were answered, by kind (`503`, `429`, `hang`,
    /// `drop`). Ignored in a state file.
    #[serde(default, skip_deserializing)]
    pub faults_injected: BTreeMap<String, u64>,
    /// How many TruSTAR calls were refused for their token, by reason
    /// (`expired`, `invalid`): shows a client met an expiry it did not
    /// foresee. Ignored in a state file.
    #[serde(default, skip_deserializing)]
    pub token_refusals: BTreeMap<String, u64>,
}

impl SandboxState {
    /// Whether every report can be found: each XSIAM report has an
    /// `XSOAR_SOURCE_ID` and each TruSTAR report an `id` (the specs make
    /// neither required of an answer, but the sandbox keys reports by them).
    ///
    /// ```
    /// let mut state = report_sandbox::SandboxState::seeded();
    /// assert!(state.check().is_ok());
    /// state.trustar_reports[0].id = None;
    /// assert_eq!(state.check().unwrap_err(), "trustar_reports[0] has no id");
    /// ```
    pub fn check(&self) -> Result<(), String> {
        if let Some(i) = self
            .xsiam_reports
            .iter()
            .position(|r| r.xsoar_source_id.is_none())
        {
            return Err(format!("xsiam_reports[{i}] has no XSOAR_SOURCE_ID"));
        }
        if let Some(i) = self.trustar_reports.iter().position(|r| r.id.is_none()) {
            return Err(format!("trustar_reports[{i}] has no id"));
        }
        Ok(())
    }

    /// The sample reports and enclaves: the XSIAM vendor page's report (`777776`) and
    /// four more (two of incident 4711, one of 4712; statuses `NEW`,
    /// `IN_PROGRESS`, `ON_HOLD`, `RESOLVED`), with one comment; the TruSTAR update page's report (external id `M-1234`) and one
    /// more.
    pub fn seeded() -> Self {
        let xsiam = serde_json::json!([
            {
                "XSOAR_SOURCE_ID": "777776",
                "NAME": "Royi test 2025-11-18 14:27:18.299620",
                "DESCRIPTION": "Royi",
                "CREATED_BY": "Roei",
                "INSERT_TIME": 1763468832000i64,
                "UPDATE_TIME": 1763907713000i64,
                "ATTACHMENTS": "{\"update_report/1763468839243-sample.pdf-d0bc29ba-2b46-46b7-94d6-24826da2c82b\": {\"attachment_name\": \"sample.pdf\", \"attachment_size\": 55483}}",
                "INCIDENT_ID": null,
                "REPORT_TYPE": "Cyber Hygiene Report",
                "SEVERITY": "SEV_020_LOW",
                "COMMENTS": null,
                "CLASSIFICATION": "MTH",
                "ASSIGNED_USER": "iavron@paloaltonetworks.com",
                "ASSIGNED_USER_PRETTY": "iavron iavron",
                "REPORT_STATUS": "IN_PROGRESS"
            },
            {
                "XSOAR_SOURCE_ID": "777777",
                "NAME": "Suspicious PowerShell on finance hosts",
                "DESCRIPTION": "Encoded PowerShell launched from Office macros",
                "CREATED_BY": "sandbox",
                "INSERT_TIME": 1763500000000i64,
                "UPDATE_TIME": 1763500000000i64,
                "ATTACHMENTS": "{}",
                "INCIDENT_ID": 4711,
                "REPORT_TYPE": "Threat Hunting Report",
                "SEVERITY": "SEV_040_HIGH",
                "COMMENTS": null,
                "CLASSIFICATION": "MDR",
                "ASSIGNED_USER": null,
                "ASSIGNED_USER_PRETTY": null,
                "REPORT_STATUS": "NEW"
            },
            {
                "XSOAR_SOURCE_ID": "777778",
                "NAME": "Exposed RDP",
                "DESCRIPTION": null,
                "CREATED_BY": "sandbox",
                "INSERT_TIME": 1763600000000i64,
                "UPDATE_TIME": 1763600000000i64,
                "ATTACHMENTS": null,
                "INCIDENT_ID": null,
                "REPORT_TYPE": "Cyber Hygiene Report",
                "SEVERITY": "SEV_030_MEDIUM",
                "COMMENTS": "Waiting for the customer",
                "CLASSIFICATION": "MTH",
                "ASSIGNED_USER": null,
                "ASSIGNED_USER_PRETTY": null,
                "REPORT_STATUS": "ON_HOLD"
            },
            {
                "XSOAR_SOURCE_ID": "777779",
                "NAME": "Credential stuffing against the VPN portal",
                "DESCRIPTION": "Same campaign as 777777",
                "CREATED_BY": "sandbox",
                "INSERT_TIME": 1763700000000i64,
                "UPDATE_TIME": 1763700000000i64,
                "ATTACHMENTS": "{}",
                "INCIDENT_ID": 4711,
                "REPORT_TYPE": "Threat Hunting Report",
                "SEVERITY": "SEV_050_CRITICAL",
                "COMMENTS": null,
                "CLASSIFICATION": "MDR",
                "ASSIGNED_USER": null,
                "ASSIGNED_USER_PRETTY": null,
                "REPORT_STATUS": "NEW"
            },
            {
                "XSOAR_SOURCE_ID": "777780",
                "NAME": "Red team exercise, week 47",
                "DESCRIPTION": "Announced test",
                "CREATED_BY": "sandbox",
                "INSERT_TIME": 1763800000000i64,
                "UPDATE_TIME": 1763900000000i64,
                "ATTACHMENTS": "{}",
                "INCIDENT_ID": 4712,
                "REPORT_TYPE": "Threat Report Update",
                "SEVERITY": "SEV_010_INFO",
                "COMMENTS": null,
                "CLASSIFICATION": "MTH",
                "ASSIGNED_USER": "analyst@company.com",
                "ASSIGNED_USER_PRETTY": "Motti Analysto",
                "REPORT_STATUS": "RESOLVED"
            }
        ]);
        let comments = serde_json::json!([
            {
                "comment_id": 1,
                "xsoar_source_id": "777776",
                "comment_text": "Hunting started on the affected hosts",
                "comment_created_by": "hunter@unit42.example",
                "comment_username": "Unit 42 Managed Services",
                "comment_author_type": 1,
                "comment_insert_time": 1763468552000i64,
                "comment_update_time": null,
                "comment_attachments": []
            }
        ]);
        let trustar = serde_json::json!([
            {
                "id": "3b9a4b6e-2bd8-4a9c-9a59-0f1a1a4b7f10",
                "title": "curl api-report",
                "reportBody": "This is a test report body with some indicators:, evil.exe, api.evildomain.com, hash d2dd1bcdd6d6cfac59ba9638d2cd886c ",
                "timeBegan": 1474544315000i64,
                "created": 1474544400000i64,
                "updated": 1474544400000i64,
                "externalUrl": null,
                "externalTrackingId": "M-1234",
                "distributionType": "ENCLAVE",
                "enclaveIds": ["e27b914b-b1ee-4d25-b4b2-d50db5208b4d"]
            },
            {
                "id": "5d0c7a52-0c3f-4bb2-8a5e-2f9b1d6e8c41",
                "title": "Phishing wave",
                "reportBody": "Sender billing@secure-pay[.]com, payload hxxps://cdn.example-bad[.]net/a.js",
                "timeBegan": 1700000000000i64,
                "created": 1700000100000i64,
                "updated": 1700000100000i64,
                "externalUrl": "https://intel.example.org/reports/5678",
                "externalTrackingId": "M-5678",
                "distributionType": "ENCLAVE",
                "enclaveIds": ["e27b914b-b1ee-4d25-b4b2-d50db5208b4d"]
            }
        ]);
        SandboxState {
            xsiam_reports: serde_json::from_value(xsiam)
                .expect("the seed has the fields of the vendor page"),
            trustar_reports: serde_json::from_value(trustar)
                .expect("the seed has the fields of the vendor page"),
            trustar_enclaves: seeded_enclaves(),
            xsiam_comments: serde_json::from_value(comments)
                .expect("the seed has the fields of the vendor's comments"),
            xsiam_update_counts: BTreeMap::new(),
            xsiam_assign_counts: BTreeMap::new(),
            xsiam_bodies: BTreeMap::new(),
            trustar_update_counts: BTreeMap::new(),
            faults_injected: BTreeMap::new(),
            token_refusals: BTreeMap::new(),
        }
    }
}

/// The TruSTAR enclave every seeded report is in.
pub(crate) const MY_ENCLAVE: &str = "e27b914b-b1ee-4d25-b4b2-d50db5208b4d";

/// Three enclaves: the seeded reports' (full rights), a research one (full
/// rights) and a community one the caller may only read (writes there are
/// 403).
fn seeded_enclaves() -> Vec<TrustarEnclave> {
    let enclave = |id: &str, name: &str, kind: &str, write: bool| TrustarEnclave {
        id: id.into(),
        name: name.into(),
        kind: kind.into(),
        read: true,
        create: write,
        update: write,
    };
    vec![
        enclave(MY_ENCLAVE, "My enclave", "CLOSED", true),
        enclave(
            "c0ffee00-1111-4222-8333-444455556666",
            "Research",
            "RESEARCH",
            true,
        ),
        enclave(
            "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
            "Community intel",
            "COMMUNITY",
            false,
        ),
    ]
}
