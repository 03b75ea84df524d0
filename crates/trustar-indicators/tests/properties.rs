//! Properties of `extract` and `count` over generated text: no panics, spans
//! that slice the original, counts unchanged by repetition or defanging.

use proptest::prelude::*;
use trustar_indicators::{count, extract};

/// Pieces that sit on the rules' edges: separators, defang brackets, hex,
/// digits, hives, schemes, multi-byte characters next to ASCII.
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
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "hxxp",
    "HXXPS",
    "http",
    "://",
    ":",
    "::",
    "/",
    "\\",
    "@",
    "_",
    "-",
    "%",
    "+",
    "'",
    "\"",
    "<",
    ">",
    " ",
    "\n",
    "\t",
    "\u{a0}",
    "é",
    "日本",
    "🦀",
    "1",
    "2",
    "25",
    "255",
    "256",
    "0",
    "01",
    "a",
    "f",
    "F",
    "z",
    "deadbeef",
    "44d88612fea8a8f36de82e1278abb02f",
    "com",
    "org",
    "xyz",
    "exe",
    "DLL",
    "docm",
    "evil",
    "HKLM",
    "HKEY_CURRENT_USER",
    "CVE-",
    "cve",
    "2021",
    "44228",
    "bc1",
    "qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    "2001",
    "db8",
    "ffff",
    "/24",
    "/33",
];

fn tricky_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..120).prop_map(|pieces| pieces.concat())
}

/// A piece repeated many times: a very long token of one shape.
fn long_token() -> impl Strategy<Value = String> {
    (prop::sample::select(PIECES), 1..4000usize).prop_map(|(piece, n)| piece.repeat(n))
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![tricky_text(), long_token(), any::<String>()]
}

/// Live (not defanged) pieces whose defanged forms refang back exactly.
const LIVE: &[&str] = &[
    "8.8.8.8",
    "185.220.101.4",
    "203.0.113.0/24",
    "evil.com",
    "api.evil-domain.org",
    "http://x.org/a",
    "https://cdn.example.net/p?q=1",
    "user@mail.example.com",
    "invoice.scr",
    "CVE-2023-23397",
    "44d88612fea8a8f36de82e1278abb02f",
    "HKLM\\Software\\Run",
    "2001:db8::1",
    "word",
    "report",
    "the",
    " ",
    ", ",
    ". ",
    "\n",
    "(",
    ")",
];

fn live_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(LIVE), 0..60).prop_map(|pieces| pieces.concat())
}

fn defang(text: &str) -> String {
    text.replace("http", "hxxp")
        .replace('.', "[.]")
        .replace('@', "[at]")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn spans_slice_the_original_in_order_without_overlap(text in any_text()) {
        let found = extract(&text);
        let mut previous_end = 0;
        for indicator in &found {
            prop_assert!(text.get(indicator.span.clone()).is_some(), "{:?} does not slice the text", indicator.span);
            prop_assert!(indicator.span.start >= previous_end, "overlap at {:?}", indicator.span);
            prop_assert!(indicator.span.start < indicator.span.end);
            prop_assert!(!indicator.value.is_empty());
            previous_end = indicator.span.end;
        }
    }

    #[test]
    fn count_agrees_with_extract(text in any_text()) {
        let n = count(&text);
        let distinct: std::collections::HashSet<_> =
            extract(&text).into_iter().map(|i| (i.kind, i.value)).collect();
        prop_assert_eq!(n.total, distinct.len());
        prop_assert_eq!(n.by_kind.values().sum::<usize>(), n.total);
    }

    #[test]
    fn repeating_the_text_does_not_change_the_count(text in any_text()) {
        let once = count(&text);
        prop_assert_eq!(count(&format!("{text}\n{text}")), once.clone());
        prop_assert_eq!(count(&format!("{text} {text}\n{text}")), once);
    }

    #[test]
    fn defanged_and_live_forms_count_the_same(text in live_text()) {
        let defanged = defang(&text);
        prop_assert_eq!(count(&defanged), count(&text), "{}", defanged);
        let live: Vec<_> = extract(&text).into_iter().map(|i| (i.kind, i.value)).collect();
        let refanged: Vec<_> = extract(&defanged).into_iter().map(|i| (i.kind, i.value)).collect();
        prop_assert_eq!(refanged, live);
    }
}
