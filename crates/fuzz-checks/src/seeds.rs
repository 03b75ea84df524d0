//! The seed corpus: the labelled indicator cases and the vendors' own
//! examples, from the files the other tests use.

/// A fuzz target, by the name of its file in `fuzz/fuzz_targets/`.
///
/// ```
/// use fuzz_checks::Target;
///
/// assert_eq!(
///     Target::ALL.map(Target::name),
///     ["extract", "status", "answers", "differential", "hostile"]
/// );
/// Target::Status.check(b"closed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `extract` and `count`.
    Extract,
    /// Status and severity parsing.
    Status,
    /// Answer decoding.
    Answers,
    /// The fast indicator counter against the sandbox's reference.
    Differential,
    /// Full calls of both clients against a hostile server.
    Hostile,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 5] = [
        Target::Extract,
        Target::Status,
        Target::Answers,
        Target::Differential,
        Target::Hostile,
    ];

    /// The target's name (`fuzz/fuzz_targets/NAME.rs`).
    pub fn name(self) -> &'static str {
        match self {
            Target::Extract => "extract",
            Target::Status => "status",
            Target::Answers => "answers",
            Target::Differential => "differential",
            Target::Hostile => "hostile",
        }
    }

    /// Runs the target's check on `data`.
    pub fn check(self, data: &[u8]) {
        match self {
            Target::Extract => crate::extract(data),
            Target::Status => crate::status(data),
            Target::Answers => crate::answers(data),
            Target::Differential => crate::differential(data),
            Target::Hostile => crate::hostile::call(data),
        }
    }
}

const CASES: &str = include_str!("../../trustar-indicators/tests/data/indicator-cases.json");

const ANSWERS: [&str; 8] = [
    include_str!("../../../tests/fixtures/xsiam/update_status_response.json"),
    include_str!("../../../tests/fixtures/xsiam/error_vendor_page.json"),
    include_str!("../../../tests/fixtures/xsiam/error_401_in_the_wild.json"),
    include_str!("../../../tests/fixtures/xsiam/update_status_request.json"),
    include_str!("../../../tests/fixtures/trustar/error_413.json"),
    include_str!("../../../tests/fixtures/trustar/error_429.json"),
    include_str!("../../../tests/fixtures/trustar/update_request.json"),
    include_str!("../../../tests/fixtures/trustar/token.json"),
];

/// Seeds for `target`: the labelled cases' texts for `extract`, every
/// spelling of every status and severity for `status`, the vendors' answers
/// and examples for `answers`, scripts of hostile answers for `hostile`.
///
/// ```
/// use fuzz_checks::{Target, seeds};
///
/// assert!(seeds(Target::Extract).len() >= 16);
/// for target in Target::ALL {
///     for seed in seeds(target) {
///         target.check(&seed);
///     }
/// }
/// ```
pub fn seeds(target: Target) -> Vec<Vec<u8>> {
    match target {
        Target::Extract | Target::Differential => {
            let cases: serde_json::Value =
                serde_json::from_str(CASES).expect("the labelled cases are JSON");
            let mut texts = Vec::new();
            collect_texts(&cases, &mut texts);
            texts.into_iter().map(String::into_bytes).collect()
        }
        Target::Status => {
            use threat_reports::{ReportStatus, Severity};
            let mut spellings: Vec<String> = Vec::new();
            for s in ReportStatus::ALL {
                spellings.extend([s.label().into(), s.canonical().into()]);
            }
            for s in Severity::ALL {
                spellings.extend([s.label().into(), s.canonical().into()]);
            }
            spellings.extend([" in  progress ".into(), "in-progress".into(), "done".into()]);
            spellings.into_iter().map(String::into_bytes).collect()
        }
        Target::Answers => ANSWERS.iter().map(|a| a.as_bytes().to_vec()).collect(),
        Target::Hostile => HOSTILE.iter().map(|s| s.to_vec()).collect(),
    }
}

/// Scripts for `hostile` (see [`crate::hostile::decode`] for the format),
/// among them the answers that once panicked a client.
const HOSTILE: [&[u8]; 6] = [
    // XSIAM: a 429 asking to wait u64::MAX seconds.
    &[0, 0, 11, 1, 2, 3, 0],
    // XSIAM: a 503 asking to wait until the year 9999, then a report.
    &[0, 1, 13, 1, 8, 3, 0, 0, 0, 0, 0],
    // TruSTAR: a token that lives i64::MAX seconds, then the report.
    &[2, 1, 0, 0, 7, 5, 0, 0, 5, 3, 3, 3],
    // TruSTAR: a 429 asking to wait u64::MAX milliseconds.
    &[4, 0, 11, 0, 6, 7],
    // TruSTAR update: an expired token, then a 413 with a lying length.
    &[3, 2, 0, 0, 7, 3, 3, 0, 9, 0, 9, 8, 6, 0],
    // XSIAM, advanced key: a body that never comes, then a non-JSON 200.
    &[1, 1, 0, 0x20, 0, 0, 0, 0, 11],
];

/// Every string stored under a `text` key, anywhere in `value`.
fn collect_texts(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match v {
                    serde_json::Value::String(s) if key == "text" => out.push(s.clone()),
                    _ => collect_texts(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_texts(v, out)),
        _ => {}
    }
}
