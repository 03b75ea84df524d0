//! [`BodyEnvelope`]: flat, as the vendor page shows the body, or wrapped in
//! `request_data`, as live tenants want it; and what a client learned of
//! its tenant.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU8, Ordering};

use tokio::sync::{Mutex, MutexGuard};

/// How the update's body is sent.
///
/// ```
/// use threat_reports::xsiam::BodyEnvelope;
///
/// assert_eq!(BodyEnvelope::default(), BodyEnvelope::Auto);
/// assert_eq!("request_data".parse::<BodyEnvelope>().unwrap(), BodyEnvelope::RequestData);
/// assert_eq!("FLAT".parse::<BodyEnvelope>().unwrap(), BodyEnvelope::Flat);
/// assert!("wrapped".parse::<BodyEnvelope>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum BodyEnvelope {
    /// Find out: send the page's flat body, and if the tenant answers that
    /// it wants `request_data` (`err_code` 101), send the same update
    /// wrapped and keep sending wrapped bodies from then on.
    #[default]
    Auto,
    /// Always the page's flat body: `{"xsoar_source_id": ..., "report_status": ...}`.
    Flat,
    /// Always wrapped, as live tenants want it: `{"request_data": {...}}`.
    RequestData,
}

impl BodyEnvelope {
    /// The name `XSIAM_BODY_ENVELOPE` and `reportctl` use: `auto`, `flat`
    /// or `request_data`.
    pub const fn as_str(self) -> &'static str {
        match self {
            BodyEnvelope::Auto => "auto",
            BodyEnvelope::Flat => "flat",
            BodyEnvelope::RequestData => "request_data",
        }
    }
}

impl fmt::Display for BodyEnvelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that is not `auto`, `flat` or `request_data`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown body envelope {0:?}: expected auto, flat or request_data")]
pub struct UnknownEnvelope(String);

impl FromStr for BodyEnvelope {
    type Err = UnknownEnvelope;

    /// `auto`, `flat` or `request_data` (any case; `-` for `_`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "auto" => Ok(BodyEnvelope::Auto),
            "flat" => Ok(BodyEnvelope::Flat),
            "request_data" => Ok(BodyEnvelope::RequestData),
            _ => Err(UnknownEnvelope(s.chars().take(40).collect())),
        }
    }
}

/// An envelope to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Envelope {
    Flat,
    RequestData,
}

const UNKNOWN: u8 = 0;
const FLAT: u8 = 1;
const REQUEST_DATA: u8 = 2;

/// What a client (and its clones) know of the tenant's envelope.
pub(crate) struct EnvelopeState {
    configured: BodyEnvelope,
    learned: AtomicU8,
    /// What the tenant's answers to flat bodies showed of its statuses:
    /// [`UNKNOWN`], [`FLAT`] (a flat body applied: the page's dialect) or
    /// [`REQUEST_DATA`] (a flat body refused for want of `request_data`:
    /// the live dialect).
    dialect: AtomicU8,
    /// Held by the one call that is finding out; the others wait on it.
    probing: Mutex<()>,
}

impl fmt::Debug for EnvelopeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (sending {})", self.configured, self.current())
    }
}

/// The right, held by one call, to find out the envelope.
pub(crate) struct Probe<'a> {
    state: &'a EnvelopeState,
    _turn: MutexGuard<'a, ()>,
}

impl Probe<'_> {
    /// Records what the probe's answer showed; the waiting calls go on.
    pub(crate) fn learned(self, envelope: Envelope) {
        let value = match envelope {
            Envelope::Flat => FLAT,
            Envelope::RequestData => {
                tracing::info!(
                    "XSIAM asked for the request_data envelope (err_code 101); this client \
                     sends wrapped bodies from now on"
                );
                REQUEST_DATA
            }
        };
        self.state.learned.store(value, Ordering::Release);
    }
}

impl EnvelopeState {
    pub(crate) fn new(configured: BodyEnvelope) -> Self {
        EnvelopeState {
            configured,
            learned: AtomicU8::new(UNKNOWN),
            dialect: AtomicU8::new(UNKNOWN),
            probing: Mutex::new(()),
        }
    }

    fn known(&self) -> Option<Envelope> {
        match self.configured {
            BodyEnvelope::Flat => Some(Envelope::Flat),
            BodyEnvelope::RequestData => Some(Envelope::RequestData),
            BodyEnvelope::Auto => match self.learned.load(Ordering::Acquire) {
                FLAT => Some(Envelope::Flat),
                REQUEST_DATA => Some(Envelope::RequestData),
                _ => None,
            },
        }
    }

    /// Notes what the tenant's answer to a flat body showed: applied
    /// (`true`: it speaks the page's dialect) or refused for want of
    /// `request_data` (`false`: the live one).
    pub(crate) fn flat_body_answered(&self, applied: bool) {
        let value = if applied { FLAT } else { REQUEST_DATA };
        // Written only when it changes: every call of every clone comes
        // here, and a store each time would keep moving the line between
        // the threads' caches.
        if self.dialect.load(Ordering::Acquire) != value {
            self.dialect.store(value, Ordering::Release);
        }
    }

    /// The status dialect the tenant's answers showed, if they did.
    pub(crate) fn dialect(&self) -> Option<crate::StatusDialect> {
        match self.dialect.load(Ordering::Acquire) {
            FLAT => Some(crate::StatusDialect::Page),
            REQUEST_DATA => Some(crate::StatusDialect::Live),
            _ => None,
        }
    }

    /// The envelope this client sends now.
    pub(crate) fn current(&self) -> BodyEnvelope {
        match self.known() {
            Some(Envelope::Flat) => BodyEnvelope::Flat,
            Some(Envelope::RequestData) => BodyEnvelope::RequestData,
            None => BodyEnvelope::Auto,
        }
    }

    /// The envelope to send, or, while it is unknown, the right to find it
    /// out (waiting while another call finds out). A probe dropped without
    /// [`Probe::learned`] (its answer showed nothing) lets the next call
    /// probe.
    pub(crate) async fn envelope_or_probe(&self) -> Result<Envelope, Probe<'_>> {
        if let Some(known) = self.known() {
            return Ok(known);
        }
        let turn = self.probing.lock().await;
        match self.known() {
            Some(known) => Ok(known),
            None => Err(Probe {
                state: self,
                _turn: turn,
            }),
        }
    }
}
