//! [`Fault`] and [`FaultKind`]: what the sandbox can be told to do wrong,
//! and their text forms.

use serde::{Deserialize, Serialize};

/// What a faulty answer does.
///
/// ```
/// use report_sandbox::{Fault, FaultKind};
///
/// let fault: Fault = serde_json::from_str(r#"{"kind": "too_many_requests", "wait_ms": 250, "count": 2}"#).unwrap();
/// assert_eq!(fault, Fault { kind: FaultKind::TooManyRequests { wait_ms: 250 }, count: 2 });
/// assert_eq!("503:3".parse::<Fault>().unwrap(), Fault { kind: FaultKind::Unavailable, count: 3 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultKind {
    /// HTTP 429 asking to wait `wait_ms` (TruSTAR's `waitTime`; XSIAM's
    /// `Retry-After` in whole seconds when it is at least one).
    TooManyRequests {
        /// How long the answer asks to wait.
        wait_ms: u64,
    },
    /// HTTP 503.
    Unavailable,
    /// The answer comes only after `ms`.
    Hang {
        /// How long to hang.
        ms: u64,
    },
    /// The connection is dropped in the middle of the answer.
    DropConnection,
    /// The update is applied, then the connection is cut instead of
    /// answering: the client never sees the answer, as when a load
    /// balancer or the network fails after the server did its work.
    ApplyThenDrop,
    /// The update is applied, then the answer is a 503.
    ApplyThenUnavailable,
    /// The update is applied, then the answer is held for `ms` (past the
    /// client's timeout, for the fault to bite).
    ApplyThenHang {
        /// How long to hold the answer.
        ms: u64,
    },
}

impl FaultKind {
    /// The short name `--fault` uses: `429`, `503`, `hang`, `drop`,
    /// `apply_drop`, `apply_503` or `apply_hang`; also the key of
    /// `faults_injected` in the sandbox's state.
    ///
    /// ```
    /// use report_sandbox::FaultKind;
    ///
    /// assert_eq!(FaultKind::TooManyRequests { wait_ms: 10 }.label(), "429");
    /// assert_eq!(FaultKind::DropConnection.label(), "drop");
    /// ```
    pub fn label(&self) -> &'static str {
        match self {
            FaultKind::TooManyRequests { .. } => "429",
            FaultKind::Unavailable => "503",
            FaultKind::Hang { .. } => "hang",
            FaultKind::DropConnection => "drop",
            FaultKind::ApplyThenDrop => "apply_drop",
            FaultKind::ApplyThenUnavailable => "apply_503",
            FaultKind::ApplyThenHang { .. } => "apply_hang",
        }
    }

    /// Whether the request reaches the handler (and its update is applied)
    /// before the fault.
    ///
    /// ```
    /// use report_sandbox::FaultKind;
    /// assert!(FaultKind::ApplyThenDrop.applies());
    /// assert!(!FaultKind::Unavailable.applies());
    /// ```
    pub fn applies(&self) -> bool {
        matches!(
            self,
            FaultKind::ApplyThenDrop
                | FaultKind::ApplyThenUnavailable
                | FaultKind::ApplyThenHang { .. }
        )
    }
}

/// A fault for the next `count` requests to the APIs (at least one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "FaultFields")]
pub struct Fault {
    /// What happens.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// For how many requests.
    pub count: u32,
}

/// A fault as it is written, before its count is checked.
#[derive(Deserialize)]
struct FaultFields {
    #[serde(flatten)]
    kind: FaultKind,
    count: u32,
}

impl TryFrom<FaultFields> for Fault {
    type Error = String;

    fn try_from(fields: FaultFields) -> Result<Self, String> {
        let fault = Fault {
            kind: fields.kind,
            count: fields.count,
        };
        fault.check()?;
        Ok(fault)
    }
}

impl Fault {
    /// A fault counts at least one request: a count of 0 would never end,
    /// or (as it once did) still fire once.
    ///
    /// ```
    /// use report_sandbox::{Fault, FaultKind};
    /// assert!(Fault { kind: FaultKind::Unavailable, count: 0 }.check().is_err());
    /// assert!("503:0".parse::<Fault>().is_err());
    /// assert!(serde_json::from_str::<Fault>(r#"{"kind": "unavailable", "count": 0}"#).is_err());
    /// ```
    pub fn check(&self) -> Result<(), String> {
        if self.count == 0 {
            return Err(format!(
                "a {} fault with count 0 would fault no request: the count must be at least 1",
                self.kind.label()
            ));
        }
        Ok(())
    }
}

impl std::str::FromStr for Fault {
    type Err = String;

    /// `KIND:COUNT[:MS]`: `429:3:500`, `503:2`, `hang:1:2000`, `drop:1`,
    /// `apply_drop:1`, `apply_503:1`, `apply_hang:1:5000`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let usage = || {
            format!(
                "{s:?} is not a fault: expected 429:COUNT[:WAIT_MS], 503:COUNT, hang:COUNT:MS, \
                 drop:COUNT, apply_drop:COUNT, apply_503:COUNT or apply_hang:COUNT:MS"
            )
        };
        let parts: Vec<&str> = s.split(':').collect();
        let number = |i: usize| {
            parts
                .get(i)
                .map(|p| p.parse::<u64>().map_err(|_| usage()))
                .transpose()
        };
        let count = number(1)?.ok_or_else(usage)?;
        let count = u32::try_from(count).map_err(|_| usage())?;
        let kind = match parts[0] {
            "429" => FaultKind::TooManyRequests {
                wait_ms: number(2)?.unwrap_or(100),
            },
            "503" if parts.len() == 2 => FaultKind::Unavailable,
            "hang" => FaultKind::Hang {
                ms: number(2)?.ok_or_else(usage)?,
            },
            "drop" if parts.len() == 2 => FaultKind::DropConnection,
            "apply_drop" if parts.len() == 2 => FaultKind::ApplyThenDrop,
            "apply_503" if parts.len() == 2 => FaultKind::ApplyThenUnavailable,
            "apply_hang" => FaultKind::ApplyThenHang {
                ms: number(2)?.ok_or_else(usage)?,
            },
            _ => return Err(usage()),
        };
        let fault = Fault { kind, count };
        fault.check()?;
        Ok(fault)
    }
}
