//! What the handlers share: the settings, the state that changes while
//! the sandbox runs, and small helpers. Depends on the leaf modules only.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::credentials::Credentials;
use crate::dialect::{XsiamAnswerShape, XsiamDialect};
use crate::fault::Fault;
use crate::fault_rates::{FaultRates, RandomFaults};
use crate::state::SandboxState;
use crate::wire::{TrustarEnclave, TrustarReport, XsiamComment, XsiamReport};

/// What a [`SandboxBuilder`](crate::SandboxBuilder) sets.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub state: SandboxState,
    pub credentials: Credentials,
    pub token_lifetime: Duration,
    pub max_indicators: usize,
    /// How long a TruSTAR report written takes to process.
    pub trustar_processing: Duration,
    pub faults: Vec<Fault>,
    pub fault_rates: Option<FaultRates>,
    pub enforce_rate_limits: bool,
    pub static_token: Option<String>,
    pub xsiam_dialect: XsiamDialect,
    pub xsiam_answer: XsiamAnswerShape,
    /// XSIAM reports seeded beside the state's, with predictable ids.
    pub xsiam_reports: usize,
}

/// Everything the handlers share.
pub(crate) struct App {
    pub credentials: Credentials,
    pub token_lifetime: Duration,
    pub max_indicators: usize,
    pub trustar_processing: Duration,
    pub enforce_rate_limits: bool,
    /// A bearer token that is always accepted.
    pub static_token: Option<String>,
    /// Which XSIAM it plays, and the shape of its answers.
    pub xsiam_dialect: XsiamDialect,
    pub xsiam_answer: XsiamAnswerShape,
    initial: SandboxState,
    initial_faults: Vec<Fault>,
    fault_rates: Option<FaultRates>,
    inner: Mutex<Inner>,
}

/// What changes while the sandbox runs.
pub(crate) struct Inner {
    /// XSIAM reports by `XSOAR_SOURCE_ID`.
    pub xsiam: BTreeMap<String, XsiamReport>,
    /// TruSTAR reports by internal id.
    pub trustar: BTreeMap<String, TrustarReport>,
    /// Comments on XSIAM reports, oldest first.
    pub xsiam_comments: Vec<XsiamComment>,
    /// TruSTAR enclaves and the caller's rights.
    pub trustar_enclaves: Vec<TrustarEnclave>,
    /// When each TruSTAR report written lately is done processing (its
    /// indicators extracted); a report not here is done.
    pub trustar_ready_at: HashMap<String, Instant>,
    /// TruSTAR calls that passed the token check (for the quota).
    pub trustar_calls: u64,
    /// Assignments applied, per XSIAM report.
    pub xsiam_assign_counts: BTreeMap<String, u64>,
    /// Issued TruSTAR tokens and when they expire.
    pub tokens: HashMap<String, Instant>,
    /// Faults for the next requests.
    pub faults: VecDeque<Fault>,
    /// Start times of recent calls, per API, for the optional rate limits.
    pub recent: HashMap<&'static str, VecDeque<Instant>>,
    /// Status updates applied, per XSIAM report.
    pub xsiam_update_counts: BTreeMap<String, u64>,
    /// XSIAM update bodies received, by envelope (`flat`, `request_data`).
    pub xsiam_bodies: BTreeMap<String, u64>,
    /// Replacements applied, per TruSTAR report (internal id).
    pub trustar_update_counts: BTreeMap<String, u64>,
    /// Faults answered so far, per kind.
    pub faults_injected: BTreeMap<String, u64>,
    /// TruSTAR calls refused for their token, per reason (`expired`,
    /// `invalid`).
    pub token_refusals: BTreeMap<String, u64>,
    /// Faults at random, when asked for.
    pub random_faults: Option<RandomFaults>,
}

impl App {
    /// The server's shared state, from the builder's settings.
    pub(crate) fn new(settings: Settings) -> Self {
        let mut state = settings.state;
        state
            .xsiam_reports
            .extend(numbered_reports(settings.xsiam_reports));
        let inner = Inner::from(&state, &settings.faults, settings.fault_rates);
        App {
            credentials: settings.credentials,
            token_lifetime: settings.token_lifetime,
            max_indicators: settings.max_indicators,
            trustar_processing: settings.trustar_processing,
            enforce_rate_limits: settings.enforce_rate_limits,
            static_token: settings.static_token,
            xsiam_dialect: settings.xsiam_dialect,
            xsiam_answer: settings.xsiam_answer,
            initial: state,
            initial_faults: settings.faults,
            fault_rates: settings.fault_rates,
            inner: Mutex::new(inner),
        }
    }

    /// The state, locked. A handler that panicked while holding the lock
    /// left it consistent (every change is one assignment), so a poisoned
    /// lock is used as it is.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn snapshot(&self) -> SandboxState {
        let inner = self.lock();
        SandboxState {
            xsiam_reports: inner.xsiam.values().cloned().collect(),
            trustar_reports: inner.trustar.values().cloned().collect(),
            trustar_enclaves: inner.trustar_enclaves.clone(),
            xsiam_comments: inner.xsiam_comments.clone(),
            xsiam_update_counts: inner.xsiam_update_counts.clone(),
            xsiam_assign_counts: inner.xsiam_assign_counts.clone(),
            xsiam_bodies: inner.xsiam_bodies.clone(),
            trustar_update_counts: inner.trustar_update_counts.clone(),
            faults_injected: inner.faults_injected.clone(),
            token_refusals: inner.token_refusals.clone(),
        }
    }

    /// Back to the reports and faults it started with (random faults start
    /// again from their seed); issued tokens are forgotten.
    pub(crate) fn reset(&self) {
        *self.lock() = Inner::from(&self.initial, &self.initial_faults, self.fault_rates);
    }

    pub(crate) fn add_fault(&self, fault: Fault) {
        self.lock().faults.push_back(fault);
    }

    /// Every token issued so far expires now: the next call with one is
    /// refused as `Expired oauth2 access token`, though its client
    /// believes it fresh.
    pub(crate) fn expire_tokens(&self) {
        let now = Instant::now();
        for expiry in self.lock().tokens.values_mut() {
            *expiry = now;
        }
    }
}

impl Inner {
    /// The sandbox's working state. Every report has its id here:
    /// `start` refuses a state that fails [`SandboxState::check`].
    fn from(state: &SandboxState, faults: &[Fault], rates: Option<FaultRates>) -> Self {
        Inner {
            xsiam: state
                .xsiam_reports
                .iter()
                .map(|r| (r.xsoar_source_id.clone().unwrap_or_default(), r.clone()))
                .collect(),
            trustar: state
                .trustar_reports
                .iter()
                .map(|r| (r.id.clone().unwrap_or_default(), r.clone()))
                .collect(),
            xsiam_comments: state.xsiam_comments.clone(),
            trustar_enclaves: state.trustar_enclaves.clone(),
            trustar_ready_at: HashMap::new(),
            trustar_calls: 0,
            xsiam_assign_counts: BTreeMap::new(),
            tokens: HashMap::new(),
            faults: faults.iter().cloned().collect(),
            recent: HashMap::new(),
            xsiam_update_counts: BTreeMap::new(),
            xsiam_bodies: BTreeMap::new(),
            trustar_update_counts: BTreeMap::new(),
            faults_injected: BTreeMap::new(),
            token_refusals: BTreeMap::new(),
            random_faults: rates.map(RandomFaults::new),
        }
    }
}

/// The first id of the reports `--xsiam-reports N` seeds: they are
/// `1000000`, `1000001`, … in order.
pub(crate) const FIRST_NUMBERED_REPORT: u64 = 1_000_000;

/// `n` more XSIAM reports with predictable ids, all `NEW`, for load tests
/// that should not queue on three reports.
fn numbered_reports(n: usize) -> Vec<XsiamReport> {
    (0..n as u64)
        .map(|i| XsiamReport {
            xsoar_source_id: Some((FIRST_NUMBERED_REPORT + i).to_string()),
            name: Some(format!("Sandbox report {}", i + 1)),
            report_status: Some("NEW".into()),
            severity: Some("SEV_020_LOW".into()),
            classification: Some("MTH".into()),
            report_type: Some("Threat Hunting Report".into()),
            insert_time: Some(1_763_468_832_000),
            update_time: Some(1_763_468_832_000),
            ..XsiamReport::default()
        })
        .collect()
}

/// A JSON answer.
pub(crate) fn json(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
