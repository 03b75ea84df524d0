//! `split`: for random bodies and limits, every part within the limit, the
//! parts' indicators together the body's, and the parts joined give back
//! the body but for the whitespace at the cuts.

use std::collections::BTreeSet;

use proptest::prelude::*;
use trustar_indicators::{Unsplittable, count, extract, split};

/// The distinct indicators of a text, as `count` counts them.
fn indicators(text: &str) -> BTreeSet<(String, String)> {
    extract(text)
        .into_iter()
        .map(|i| (i.kind.as_str().to_string(), i.value))
        .collect()
}

/// A token: an indicator (from a small pool, so that some repeat) or a
/// word.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..40).prop_map(|n| format!("185.220.{}.{}", n / 8, 10 + n % 8)),
        (0u32..40).prop_map(|n| format!("dropper{n}.exe")),
        (0u32..30).prop_map(|n| format!("CVE-2024-{:04}", 1000 + n)),
        (0u32..30).prop_map(|n| format!("bad{n}.example.com")),
        "[a-z]{1,8}",
        Just("seen,".to_string()),
    ]
}

/// Whitespace between tokens: spaces, line breaks, blank lines.
fn gap() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        6 => Just(" "),
        2 => Just("\n"),
        1 => Just("\n\n"),
        1 => Just("  \n \n\t"),
    ]
}

fn body() -> impl Strategy<Value = String> {
    proptest::collection::vec((token(), gap()), 0..120).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(token, gap)| format!("{token}{gap}"))
            .collect()
    })
}

fn without_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn parts_fit_keep_every_indicator_and_give_back_the_body(body in body(), limit in 1usize..12) {
        // Every token holds at most one indicator: always splittable.
        let parts = split(&body, limit).unwrap();
        for part in &parts {
            prop_assert!(count(part).total <= limit, "{part:?} holds {}", count(part));
            prop_assert!(!part.trim().is_empty() || parts.len() == 1);
        }
        let mut union = BTreeSet::new();
        for part in &parts {
            union.extend(indicators(part));
        }
        prop_assert_eq!(union, indicators(&body));
        prop_assert_eq!(without_whitespace(&parts.concat()), without_whitespace(&body));
        // In order, each a slice of the body after the one before.
        let mut at = 0;
        for part in &parts {
            let start = part.as_ptr() as usize - body.as_ptr() as usize;
            prop_assert!(start >= at);
            at = start + part.len();
        }
        // Within the limit already: one part, the body itself.
        if count(&body).total <= limit && !body.trim().is_empty() {
            prop_assert_eq!(parts, vec![body.as_str()]);
        }
    }

    /// Fewest parts for the pieces: no two neighbouring parts could be one.
    #[test]
    fn no_two_neighbours_fit_together(body in body(), limit in 1usize..12) {
        let parts = split(&body, limit).unwrap();
        for pair in parts.windows(2) {
            let start = pair[0].as_ptr() as usize - body.as_ptr() as usize;
            let end = pair[1].as_ptr() as usize - body.as_ptr() as usize + pair[1].len();
            prop_assert!(count(&body[start..end]).total > limit);
        }
    }
}

#[test]
fn paragraphs_are_kept_whole_where_they_fit() {
    let body = "Wave one: a.example.com b.example.com\nc.example.com\n\n\
                Wave two: d.example.com e.example.com\n\nWave three: f.example.com";
    let parts = split(body, 3).unwrap();
    assert_eq!(
        parts,
        [
            "Wave one: a.example.com b.example.com\nc.example.com",
            "Wave two: d.example.com e.example.com\n\nWave three: f.example.com"
        ]
    );
}

#[test]
fn a_run_with_too_many_indicators_and_no_whitespace_cannot_be_split() {
    let body = "intro\n\nseen: a.example.com,b.example.com,c.example.com,d.example.com";
    let error: Unsplittable = split(body, 3).unwrap_err();
    assert_eq!(error.count, 4);
    assert_eq!(
        &body[error.span.clone()],
        "a.example.com,b.example.com,c.example.com,d.example.com"
    );
    assert!(error.to_string().contains("no whitespace"), "{error}");
}
