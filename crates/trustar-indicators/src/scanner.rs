//! The scanner: one left-to-right pass over a (refanged) text.
//!
//! Every indicator starts at a word start (an ASCII letter or digit that
//! follows something else) or, for IPv6, at `::`. At each start the rules
//! that can apply, told apart by the byte after the word, are tried; the
//! longest match wins (ties: `SOFTWARE` over `URL`), its text is taken, and
//! the scan goes on after it. Rules that scan a run past the word remember
//! where a failed run ends, so no run is scanned twice: time is linear in
//! the length of the text, whatever the text.

use std::borrow::Cow;

use super::classes::{ALNUM, HEX, is, run_end};
use crate::IndicatorKind;

/// One indicator found in the scanned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found<'t> {
    pub kind: IndicatorKind,
    pub start: usize,
    pub end: usize,
    /// The normalized value.
    pub value: Cow<'t, str>,
}

/// For each rule that scans past the word: the end of the last run it
/// rejected. A start before that end lies inside the same run and would be
/// rejected for the same reason.
#[derive(Debug, Default)]
pub(super) struct Rejected {
    pub ipv4: usize,
    pub ipv6: usize,
    pub domain: usize,
    pub email: usize,
    pub software: usize,
}

pub(super) struct Scanner<'t> {
    pub text: &'t str,
    pub bytes: &'t [u8],
    pub rejected: Rejected,
}

/// Calls `emit` for every indicator in `text`, in order.
pub(super) fn scan<'t>(text: &'t str, mut emit: impl FnMut(Found<'t>)) {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        rejected: Rejected::default(),
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if is(byte, ALNUM) {
            let word_end = run_end(bytes, i, ALNUM);
            match scanner.at_word(i, word_end) {
                Some(found) => {
                    i = found.end;
                    emit(found);
                }
                None => i = word_end,
            }
        } else if byte == b':' && bytes.get(i + 1) == Some(&b':') && scanner.ipv6_may_start(i) {
            match scanner.ipv6(i) {
                Some(found) => {
                    i = found.end;
                    emit(found);
                }
                None => i += 2,
            }
        } else {
            i += 1;
        }
    }
}

/// Keeps the longer of two matches; on a tie, the one whose kind ranks
/// first (a file name over a domain: `update.com.exe` is `SOFTWARE`).
fn keep_longer<'t>(best: &mut Option<Found<'t>>, candidate: Option<Found<'t>>) {
    let Some(candidate) = candidate else { return };
    let better = match best {
        None => true,
        Some(best) => {
            candidate.end > best.end
                || (candidate.end == best.end && tie_rank(candidate.kind) < tie_rank(best.kind))
        }
    };
    if better {
        *best = Some(candidate);
    }
}

fn tie_rank(kind: IndicatorKind) -> u8 {
    match kind {
        IndicatorKind::Software => 0,
        IndicatorKind::EmailAddress => 1,
        IndicatorKind::Url => 2,
        _ => 3,
    }
}

impl<'t> Scanner<'t> {
    /// Every rule that can start at the word `[start, end)`.
    fn at_word(&mut self, start: usize, end: usize) -> Option<Found<'t>> {
        let bytes = self.bytes;
        let len = end - start;
        let first = bytes[start];
        let next = bytes.get(end).copied();
        let mut best = None;

        // Rules that look at the word alone.
        if matches!(len, 32 | 40 | 64) {
            keep_longer(&mut best, self.hash(start, end));
        }
        if matches!(first, b'1' | b'3') && (26..=35).contains(&len) {
            keep_longer(&mut best, self.base58_address(start, end));
        }
        if len >= 14 && matches!(first, b'b' | b'B') {
            keep_longer(&mut best, self.segwit_address(start, end));
        }
        let Some(next) = next else { return best };

        // Rules that go on past the word, told apart by the byte after it.
        match next {
            b'.' => {
                if first.is_ascii_digit() {
                    keep_longer(&mut best, self.ipv4(start));
                }
                keep_longer(&mut best, self.bare_domain(start));
                keep_longer(&mut best, self.software(start));
                keep_longer(&mut best, self.email(start));
            }
            b'-' => {
                if len == 3 {
                    keep_longer(&mut best, self.cve(start, end));
                }
                keep_longer(&mut best, self.bare_domain(start));
                keep_longer(&mut best, self.software(start));
                keep_longer(&mut best, self.email(start));
            }
            b'_' => {
                if matches!(first, b'h' | b'H') {
                    keep_longer(&mut best, self.registry_key(start));
                }
                keep_longer(&mut best, self.software(start));
                keep_longer(&mut best, self.email(start));
            }
            b'@' | b'%' | b'+' => keep_longer(&mut best, self.email(start)),
            b':' => {
                keep_longer(&mut best, self.url_with_scheme(start, end));
                if len <= 4
                    && bytes[start..end].iter().all(|&b| is(b, HEX))
                    && self.ipv6_may_start(start)
                {
                    keep_longer(&mut best, self.ipv6(start));
                }
            }
            b'\\' if matches!(first, b'h' | b'H') => {
                keep_longer(&mut best, self.registry_key(start));
            }
            _ => {}
        }
        best
    }

    /// The text of `[start, end)`.
    pub(super) fn slice(&self, start: usize, end: usize) -> &'t str {
        &self.text[start..end]
    }

    /// The first position at or after `from` that ends a URL: ASCII
    /// whitespace, a quote, `<`, `>`, or any Unicode whitespace.
    pub(super) fn url_end(&self, from: usize) -> usize {
        self.stop(from, super::classes::URL_STOP)
    }

    /// The first position at or after `from` that ends a registry key:
    /// whitespace or a quote.
    pub(super) fn key_end(&self, from: usize) -> usize {
        self.stop(from, super::classes::SPACE_OR_QUOTE)
    }

    fn stop(&self, mut pos: usize, class: u8) -> usize {
        let bytes = self.bytes;
        while pos < bytes.len() {
            let byte = bytes[pos];
            if byte < 0x80 {
                if is(byte, class) {
                    break;
                }
                pos += 1;
            } else {
                // `pos` is always a character boundary here: it only ever
                // moves by whole characters.
                let c = self.text[pos..].chars().next().unwrap_or(' ');
                if c.is_whitespace() {
                    break;
                }
                pos += c.len_utf8();
            }
        }
        pos
    }
}

/// `end` moved back over any run of trailing bytes in `trailing`, but never
/// before `floor`.
pub(super) fn trim_trailing(bytes: &[u8], floor: usize, mut end: usize, trailing: &[u8]) -> usize {
    while end > floor && trailing.contains(&bytes[end - 1]) {
        end -= 1;
    }
    end
}

/// `text` in lower case, borrowed when it already is.
pub(super) fn lowercase(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// `text` in upper case, borrowed when it already is.
pub(super) fn uppercase(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(text.to_ascii_uppercase())
    } else {
        Cow::Borrowed(text)
    }
}
