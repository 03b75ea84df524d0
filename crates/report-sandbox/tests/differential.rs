//! The fast indicator counter (`trustar-indicators`) and the sandbox's own,
//! written for reading (`report_sandbox::oracle`), agree: on the labelled
//! cases, on the benchmark corpus and its adversarial runs, and on
//! generated reports leaning towards indicators, defanging, overlaps and
//! long runs. A disagreement fails with the smallest text proptest finds.

use std::collections::BTreeSet;

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
    compare(text, &fast(text), &oracle::indicators(text))
}

/// `Ok` when both found the same, else what each found alone.
fn compare(
    text: &str,
    fast: &BTreeSet<(String, String)>,
    reference: &BTreeSet<(String, String)>,
) -> Result<(), String> {
    if fast == reference {
        return Ok(());
    }
    let only_fast: Vec<_> = fast.difference(reference).collect();
    let only_reference: Vec<_> = reference.difference(fast).collect();
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

/// Edge forms the counters must judge alike, beyond the fixed pieces.
const EDGES: &[&str] = &[
    "::ffff:1.2.3.4",
    "1::",
    "::",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8:9",
    "fe80::1%eth0",
    "[2001:db8::1]:443",
    "2001:db8::1/64",
    "::1/128",
    "2001:db8::1::2",
    "1.2.3.4/32",
    "1.2.3.4/0",
    "1.2.3.4/33",
    "1.2.3.4/024",
    "01.2.3.4/8",
    "1.2.3.4.",
    ".1.2.3.4",
    "1.2.3.4:443",
    "evil[.]com[.]",
    "[.]evil.com",
    "hxxp[:]//x.com",
    "hXXps[://]x[.]org/a",
    "a[@]b.com",
    "a(at)b[dot]com",
    "x.com[/]",
    "[.]",
    "[dot]exe",
];

/// A segwit-like word with a valid checksum (bech32 or bech32m, whichever
/// `bech32m` says) over any witness version and program: most are not
/// addresses (wrong length, wrong checksum kind for the version), and the
/// counters must agree on which are.
fn segwit_word() -> impl Strategy<Value = String> {
    (
        0u8..=16,
        prop::collection::vec(any::<u8>(), 0..45),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(version, program, bech32m, upper)| {
            use bech32::primitives::iter::{ByteIterExt, Fe32IterExt};
            use bech32::{Bech32, Bech32m, Fe32, Hrp};
            let hrp = Hrp::parse("bc").unwrap();
            let version = Fe32::try_from(version).unwrap();
            let fes = program.iter().copied().bytes_to_fes();
            let word: String = if bech32m {
                fes.with_checksum::<Bech32m>(&hrp)
                    .with_witness_version(version)
                    .chars()
                    .collect()
            } else {
                fes.with_checksum::<Bech32>(&hrp)
                    .with_witness_version(version)
                    .chars()
                    .collect()
            };
            if upper {
                word.to_ascii_uppercase()
            } else {
                word
            }
        })
}

/// A Base58Check word over any version byte and payload length: only a
/// version of 0x00 or 0x05 with a 20-byte hash is an address.
fn base58_word() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![0u8, 5, 1, 0x6f, 0xc4]),
        prop::collection::vec(any::<u8>(), 14..=26),
    )
        .prop_map(|(version, hash)| {
            let mut payload = vec![version];
            payload.extend(hash);
            bs58::encode(payload).with_check().into_string()
        })
}

/// A word, mutated or not: one character changed spoils a checksum.
fn spoiled(word: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (word, any::<bool>(), any::<prop::sample::Index>()).prop_map(|(word, spoil, at)| {
        if !spoil || word.is_empty() {
            return word;
        }
        let mut chars: Vec<char> = word.chars().collect();
        let i = at.index(chars.len());
        chars[i] = if chars[i] == 'q' { 'p' } else { 'q' };
        chars.into_iter().collect()
    })
}

fn report() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => prop::sample::select(PIECES).prop_map(str::to_string),
        2 => prop::sample::select(EDGES).prop_map(str::to_string),
        1 => spoiled(segwit_word()),
        1 => spoiled(base58_word()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

/// The forms the fast counter's tests name, generated: every witness
/// version and program length, with both checksums, as a word of its own.
#[test]
fn they_agree_on_every_kind_of_segwit_and_base58_word() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let words = (segwit_word(), base58_word());
    for _ in 0..3_000 {
        let (segwit, base58) = words.new_tree(&mut runner).unwrap().current();
        for word in [segwit, base58] {
            let text = format!("paid to {word} today");
            agree(&text).unwrap();
        }
    }
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

/// The harness itself: a counter that drops a kind, or finds one more,
/// is caught by `agree`, and the message names what each side found.
#[test]
fn a_disagreement_is_reported_with_what_each_side_found() {
    let text = "8.8.8.8 evil.exe";
    let reference = oracle::indicators(text);
    let mut dropped = fast(text);
    dropped.retain(|(kind, _)| kind != "IP");
    let why = compare(text, &dropped, &reference).unwrap_err();
    assert!(
        why.contains("only the reference: [(\"IP\", \"8.8.8.8\")]"),
        "{why}"
    );
    assert!(why.contains("only the fast one: []"), "{why}");
    let mut extra = fast(text);
    extra.insert(("CVE".into(), "CVE-1-1".into()));
    let why = compare(text, &extra, &reference).unwrap_err();
    assert!(
        why.contains("only the fast one: [(\"CVE\", \"CVE-1-1\")]"),
        "{why}"
    );
    assert!(compare(text, &fast(text), &reference).is_ok());
}
