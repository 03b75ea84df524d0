//! Every labelled case: the distinct values of each kind, in the order they
//! first appear, are exactly the expected ones.

use std::collections::BTreeMap;

use trustar_indicators::{IndicatorKind, count, extract};

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    text: String,
    expected: BTreeMap<String, Vec<String>>,
}

fn cases() -> Vec<Case> {
    serde_json::from_str(include_str!("data/indicator-cases.json")).unwrap()
}

/// Distinct values per kind, in first-appearance order.
fn distinct_by_kind(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for indicator in extract(text) {
        let values = found
            .entry(indicator.kind.as_str().to_string())
            .or_default();
        if !values.contains(&indicator.value) {
            values.push(indicator.value);
        }
    }
    found
}

#[test]
fn every_labelled_case_extracts_exactly_its_indicators() {
    let cases = cases();
    assert!(cases.len() >= 16, "the case file lost cases");
    let mut failures = Vec::new();
    for case in &cases {
        let found = distinct_by_kind(&case.text);
        if found != case.expected {
            failures.push(format!(
                "{}:\n  expected {:?}\n  found    {:?}",
                case.name, case.expected, found
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_labelled_case_counts_its_distinct_indicators() {
    for case in cases() {
        let expected_total: usize = case.expected.values().map(Vec::len).sum();
        let counted = count(&case.text);
        assert_eq!(counted.total, expected_total, "{}: {counted}", case.name);
        for (kind, values) in &case.expected {
            let kind: IndicatorKind = kind.parse().unwrap();
            assert_eq!(
                counted.by_kind.get(&kind),
                Some(&values.len()),
                "{}: {kind}",
                case.name
            );
        }
    }
}

#[test]
fn spans_point_at_the_original_text() {
    for case in cases() {
        for indicator in extract(&case.text) {
            let original = case.text.get(indicator.span.clone()).unwrap_or_else(|| {
                panic!(
                    "{}: span {:?} does not slice the text",
                    case.name, indicator.span
                )
            });
            assert!(!original.is_empty(), "{}: empty span", case.name);
        }
    }
}
