//! The fast indicator counter (`trustar-indicators`) and the sandbox's own,
//! written for reading (`report_sandbox::oracle`), agree: on the labelled
//! cases, on the benchmark corpus and its adversarial runs, and on
//! generated reports leaning towards indicators, defanging, overlaps and
//! long runs. A disagreement fails with the smallest text proptest finds.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use report_sandbox::oracle;

/// The fast counter's distinct `(kind, value)` pairs.
fn fast(text: &str) -> BTreeSet<(String, String)> {
    trustar_indicators::extract(text)
        .into_iter()
        .map(|i| (i.kind.to_string(), i.value))
        .collect()
}

fn agree(text: &str) -> Result<(), String> {
    let (fast, reference) = (fast(text), oracle::indicators(text));
    if fast == reference {
        return Ok(());
    }
    let only_fast: Vec<_> = fast.difference(&reference).collect();
    let only_reference: Vec<_> = reference.difference(&fast).collect();
    Err(format!(
        "the counters disagree on {text:?}\n  only the fast one: {only_fast:?}\n  only the reference: {only_reference:?}"
    ))
}

#[test]
fn they_agree_on_every_labelled_case() {
    let cases: Vec<serde_json::Value> = serde_json::from_str(include_str!(
        "../../trustar-indicators/tests/data/indicator-cases.json"
    ))
    .unwrap();
    for case in &cases {
        let text = case["text"].as_str().unwrap();
        agree(text).unwrap();
        // And both give the labels' count.
        let expected: usize = case["expected"]
            .as_object()
            .map(|kinds| {
                kinds
                    .values()
                    .map(|v| v.as_array().map_or(0, Vec::len))
                    .sum()
            })
            .unwrap_or(0);
        assert_eq!(oracle::count(text), expected, "{text}");
    }
}

#[test]
fn they_agree_on_the_benchmark_corpus_and_its_adversarial_runs() {
    let text = indicator_corpus::realistic(400_000, 42);
    agree(&text).unwrap();
    for (name, text) in indicator_corpus::adversarial(4_096) {
        agree(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Pieces on the rules' edges, and indicators of every kind.
const PIECES: &[&str] = &[
    ".",
    "..",
    "[.]",
    "[[.]]",
    "(.)",
    "{.}",
    "[dot]",
    "(DOT)",
    "[:]",
    "[://]",
    "[@]",
    "[at]",
    "(at)",
    "hxxp",
    "HXXPS",
    "://",
    "/",
    "_",
    "-",
    "@",
    ":",
    "::",
    " ",
    "\n",
    "\t",
    "\"",
    "'",
    "<",
    ">",
    ",",
    ";",
    "!",
    "?",
    ")",
    "]",
    "}",
    "\\",
    "é",
    "中",
    "8.8.8.8",
    "10.0.0.1",
    "192.168.1.1",
    "172.16.0.1",
    "172.32.0.1",
    "127.0.0.1",
    "0.1.2.3",
    "185.220.101.4",
    "1.2.3.4/24",
    "/33",
    "301",
    "2001:db8::1",
    "fe80::",
    "::1",
    "evil.com",
    "EVIL.COM",
    "co.uk",
    "example.org",
    "a-b.net",
    "x.zzzz",
    "http://",
    "ftp://",
    "user",
    "%",
    "+",
    "evil.exe",
    "Report.docm.",
    "update.com.exe",
    "a.ps1",
    ".txt",
    "d2dd1bcdd6d6cfac59ba9638d2cd886c",
    "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "CVE-2021-44228",
    "cve-1999-0001",
    "HKLM\\Software\\Run",
    "hkcu\\x",
    "HKEY_USERS\\S-1",
    "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ",
    "0",
    "1",
    "9",
    "a",
    "f",
    "z",
    "A",
    "Z",
];

fn report() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn they_agree_on_generated_reports(text in report()) {
        if let Err(why) = agree(&text) {
            return Err(TestCaseError::fail(why));
        }
    }

    #[test]
    fn they_agree_on_arbitrary_text(text in "\\PC{0,80}") {
        if let Err(why) = agree(&text) {
            return Err(TestCaseError::fail(why));
        }
    }
}

/// A sanity check of the harness itself: a counter that drops a kind is
/// caught.
#[test]
fn a_disagreement_is_reported_with_what_each_side_found() {
    let text = "8.8.8.8 evil.exe";
    let mut fast = fast(text);
    fast.retain(|(kind, _)| kind != "IP");
    assert_ne!(fast, oracle::indicators(text));
    let by_kind: BTreeMap<String, usize> =
        oracle::indicators(text)
            .into_iter()
            .fold(BTreeMap::new(), |mut m, (k, _)| {
                *m.entry(k).or_default() += 1;
                m
            });
    assert_eq!(by_kind.get("IP"), Some(&1));
}
