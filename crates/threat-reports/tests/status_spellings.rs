//! Properties of status and severity parsing over generated spellings: any
//! mix of case, any separator (space, `_`, `-`, none, repeated) between the
//! words, whitespace around — each parses to its value, and the value goes
//! round through its label, its canonical form and serde. A spelling with a
//! foreign character in it parses to nothing.

use proptest::prelude::*;
use threat_reports::{ReportStatus, Reported, Severity};

/// A spelling of `words`: each letter in either case, separators between
/// the words, whitespace around.
fn spelling(words: Vec<&'static str>) -> impl Strategy<Value = String> {
    let letters: usize = words.iter().map(|w| w.len()).sum();
    let separators = prop::collection::vec(
        prop::sample::select(vec!["", " ", "_", "-", "  ", "\t", "__", " - "]),
        words.len().saturating_sub(1),
    );
    let around = prop::sample::select(vec!["", " ", "\t", "  \n"]);
    (
        prop::collection::vec(any::<bool>(), letters),
        separators,
        around.clone(),
        around,
    )
        .prop_map(move |(upper, separators, before, after)| {
            let mut text = String::from(before);
            let mut flags = upper.into_iter();
            for (i, word) in words.iter().enumerate() {
                if i > 0 {
                    text.push_str(separators[i - 1]);
                }
                for c in word.chars() {
                    let up = flags.next().unwrap_or(false);
                    text.push(if up {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    });
                }
            }
            text.push_str(after);
            text
        })
}

/// The words of a label: `"In Progress"` → `["In", "Progress"]`.
fn words(label: &'static str) -> Vec<&'static str> {
    label.split(' ').collect()
}

/// Every way of naming a status people use: its label, its stored form
/// (`RESOLVED_TP`), and for the Resolved variants the "Resolved - True
/// Positive" and `RESOLVED_TRUE_POSITIVE` forms, which are the label's
/// words again.
fn status_names(status: ReportStatus) -> Vec<Vec<&'static str>> {
    let mut names = vec![words(status.label())];
    let stored: Vec<&'static str> = status.canonical().split('_').collect();
    if !stored
        .concat()
        .eq_ignore_ascii_case(&words(status.label()).concat())
    {
        names.push(stored);
    }
    names
}

fn any_status_spelling() -> impl Strategy<Value = (ReportStatus, String)> {
    prop::sample::select(ReportStatus::ALL.to_vec()).prop_flat_map(|status| {
        prop::sample::select(status_names(status))
            .prop_flat_map(spelling)
            .prop_map(move |s| (status, s))
    })
}

/// The spellings the facade promises, and that none of the ten is taken
/// for another.
#[test]
fn the_spellings_people_type_parse_to_the_right_status() {
    for (text, status) in [
        ("resolved tp", ReportStatus::ResolvedTruePositive),
        (
            "Resolved - True Positive",
            ReportStatus::ResolvedTruePositive,
        ),
        ("RESOLVED_TRUE_POSITIVE", ReportStatus::ResolvedTruePositive),
        ("resolved_fp", ReportStatus::ResolvedFalsePositive),
        (
            "RESOLVED_FALSE_POSITIVE",
            ReportStatus::ResolvedFalsePositive,
        ),
        ("on hold", ReportStatus::OnHold),
        ("ON_HOLD", ReportStatus::OnHold),
        ("Resolved Other", ReportStatus::ResolvedOther),
        (
            "resolved-security-testing",
            ReportStatus::ResolvedSecurityTesting,
        ),
        ("resolved", ReportStatus::Resolved),
    ] {
        assert_eq!(text.parse::<ReportStatus>(), Ok(status), "{text}");
    }
    for unknown in [
        "resolved true",
        "resolved t p x",
        "onhold please",
        "RESOLVED_TPX",
        "hold",
    ] {
        assert!(unknown.parse::<ReportStatus>().is_err(), "{unknown}");
        assert_eq!(
            Reported::<ReportStatus>::parse(unknown),
            Reported::Unrecognized(unknown.to_string())
        );
    }
}

fn any_severity_spelling() -> impl Strategy<Value = (Severity, String)> {
    prop::sample::select(Severity::ALL.to_vec()).prop_flat_map(|severity| {
        spelling(words(severity.label())).prop_map(move |s| (severity, s))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_generated_status_spelling_round_trips((status, text) in any_status_spelling()) {
        prop_assert_eq!(text.parse::<ReportStatus>(), Ok(status), "{:?}", text);
        prop_assert_eq!(status.label().parse::<ReportStatus>(), Ok(status));
        prop_assert_eq!(status.canonical().parse::<ReportStatus>(), Ok(status));
        prop_assert_eq!(status.to_string().parse::<ReportStatus>(), Ok(status));
        let json = serde_json::to_string(&text).unwrap();
        let read: ReportStatus = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(read, status);
        prop_assert_eq!(serde_json::to_value(read).unwrap(), status.canonical());
        prop_assert_eq!(Reported::<ReportStatus>::parse(&text), Reported::Known(status));
    }

    #[test]
    fn every_generated_severity_spelling_round_trips((severity, text) in any_severity_spelling()) {
        prop_assert_eq!(text.parse::<Severity>(), Ok(severity), "{:?}", text);
        prop_assert_eq!(severity.canonical().parse::<Severity>(), Ok(severity));
        prop_assert_eq!(severity.label().parse::<Severity>(), Ok(severity));
    }

    #[test]
    fn a_foreign_character_makes_any_spelling_unknown(
        (_, text) in any_status_spelling(),
        at in any::<prop::sample::Index>(),
        foreign in prop::sample::select(vec!['!', '.', '0', 'é', 'x', '/']),
    ) {
        let trimmed = text.trim();
        let mut chars: Vec<char> = trimmed.chars().collect();
        chars.insert(at.index(chars.len() + 1), foreign);
        let broken: String = chars.into_iter().collect();
        let error = broken.parse::<ReportStatus>().unwrap_err();
        prop_assert_eq!(error.input(), broken.as_str());
        prop_assert_eq!(Reported::<ReportStatus>::parse(&broken), Reported::Unrecognized(broken.clone()));
    }
}
