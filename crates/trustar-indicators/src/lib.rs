//! Counting a report body's indicators before TruSTAR does.
//!
//! TruSTAR refuses a report whose body yields more than
//! [`TRUSTAR_INDICATOR_LIMIT`] indicators with HTTP 413, after the upload.
//! [`count`] gives the same number before sending, with a breakdown by
//! [`IndicatorKind`], so a report can be split or trimmed at once;
//! [`extract`] lists every occurrence with its place in the text.
//!
//! The rules, as TruSTAR's extraction behaves (see the crate's README), in short:
//!
//! - defanged forms count as their live form: `hxxp`, `[.]`, `(.)`, `{.}`,
//!   `[dot]`, `(dot)`, `{dot}`, `[:]`, `[://]`, `[@]`, `[at]`, `(at)`;
//! - `IP`: public IPv4 (0/8, 10/8, 127/8, 172.16/12, 192.168/16 are not
//!   counted) and IPv6 (but `::` and `::1`); `CIDR_BLOCK`: IPv4 `/0`–`/32`;
//! - `URL`: `http`, `https`, `ftp` URLs, and bare domains whose last label
//!   is a real top-level domain (the IANA root zone list, from the `tld`
//!   crate), with an optional path;
//! - `EMAIL_ADDRESS`, `MD5`, `SHA1`, `SHA256`, `CVE`, `REGISTRY_KEY`,
//!   `BITCOIN_ADDRESS` (checksums verified), and `SOFTWARE` (executable and
//!   script file names);
//! - text one indicator took is not matched again, and where two rules could
//!   start at the same place the longer match wins.
//!
//! **`MALWARE` is never counted**: TruSTAR matches family names against a
//! dictionary that is not public. A count is therefore a lower bound for
//! reports that name malware families.
//!
//! Counting is linear in the length of the text whatever the text: long
//! runs of dots, hex, digits or brackets cost no more than prose.
//!
//! ```
//! use trustar_indicators::{self as indicators, IndicatorKind};
//!
//! let body = "Payload from hxxp://malicious-site[.]com/dl/payload.bin, \
//!             dropped invoice.scr, beacon to 185.220.101.4 (CVE-2021-44228).";
//! let found = indicators::extract(body);
//! assert_eq!(found[0].kind, IndicatorKind::Url);
//! assert_eq!(found[0].value, "http://malicious-site.com/dl/payload.bin");
//! assert_eq!(&body[found[0].span.clone()], "hxxp://malicious-site[.]com/dl/payload.bin");
//!
//! let count = indicators::count(body);
//! assert_eq!(count.to_string(), "4 indicators: 1 IP, 1 URL, 1 SOFTWARE, 1 CVE");
//! ```

mod bitcoin;
mod classes;
mod count;
mod kind;
mod network;
mod refang;
mod scanner;
mod split;
mod tokens;
mod web;

use std::borrow::Cow;
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::ops::Range;

pub use count::IndicatorCount;
pub use kind::{IndicatorKind, UnknownIndicatorKind};
pub use split::{Unsplittable, split};

/// The most indicators TruSTAR accepts in one report (its update page; its
/// error docs say 500, so make the limit configurable where it matters).
pub const TRUSTAR_INDICATOR_LIMIT: usize = 2000;

/// One occurrence of an indicator in a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Indicator {
    /// What kind of indicator it is.
    pub kind: IndicatorKind,
    /// The value, normalized as TruSTAR compares them: refanged, and lower
    /// case where the kind is case-insensitive (scheme and host of a URL,
    /// emails, hashes, file names), upper case for CVEs, canonical for
    /// IPv6. A registry key keeps the spelling of its first occurrence.
    pub value: String,
    /// Where it stands in the original text (before refanging), in bytes.
    pub span: Range<usize>,
}

/// Every indicator in `text`, in text order, repeats included.
///
/// ```
/// use trustar_indicators::{extract, IndicatorKind};
///
/// let found = extract("keys HKLM\\Software\\Run and hklm\\software\\run");
/// assert_eq!(found.len(), 2);
/// assert!(found.iter().all(|i| i.kind == IndicatorKind::RegistryKey));
/// assert!(found.iter().all(|i| i.value == "HKLM\\Software\\Run"));
/// assert_eq!(found[1].span, 27..44);
/// ```
pub fn extract(text: &str) -> Vec<Indicator> {
    let refanged = refang::refang(text, refang::Spans::Mapped);
    let mut first_spelling: HashMap<String, String> = HashMap::new();
    let mut found = Vec::new();
    scanner::scan(&refanged.text, |hit| {
        let value = match hit.kind {
            IndicatorKind::RegistryKey => first_spelling
                .entry(hit.value.to_ascii_lowercase())
                .or_insert_with(|| hit.value.clone().into_owned())
                .clone(),
            _ => hit.value.into_owned(),
        };
        found.push(Indicator {
            kind: hit.kind,
            value,
            span: refanged.original_span(hit.start..hit.end),
        });
    });
    found
}

/// The number of distinct indicators in `text`, by kind.
///
/// ```
/// use trustar_indicators::{count, IndicatorKind};
///
/// let n = count("10.0.0.1 and 8.8.8.8 and 8.8.8[.]8 and CVE-2024-3094");
/// assert_eq!(n.total, 2);
/// assert_eq!(n.by_kind.get(&IndicatorKind::Ip), Some(&1));
/// ```
pub fn count(text: &str) -> IndicatorCount {
    count_in_chunks(text, CHUNK)
}

/// Like [`count`], with the text cut into `threads` parts (at ASCII
/// whitespace) counted on that many threads at once; the answer is the
/// same. Worth it for texts of several megabytes, such as a corpus or a
/// batch of reports (`reportctl indicators count` uses every core); below
/// 256 KiB it counts on the calling thread alone.
///
/// ```
/// use std::num::NonZeroUsize;
/// use trustar_indicators::{count, count_parallel};
///
/// let text = "8.8.8.8 evil[.]com CVE-2021-44228 ".repeat(100_000);
/// let threads = NonZeroUsize::new(2).unwrap();
/// assert_eq!(count_parallel(&text, threads), count(&text));
/// assert_eq!(count_parallel(&text, threads).total, 3);
/// ```
pub fn count_parallel(text: &str, threads: NonZeroUsize) -> IndicatorCount {
    parallel_count(text, threads.get(), CHUNK, PARALLEL_FROM)
}

/// Below this length, [`count_parallel`] counts on the calling thread:
/// starting threads would cost more than they save.
const PARALLEL_FROM: usize = 256 << 10;

/// How much text [`count`] refangs and scans at a time.
const CHUNK: usize = 1 << 20;

/// The distinct values seen, per kind (at the kind's place in
/// [`IndicatorKind::ALL`]).
type Seen = [hashbrown::HashSet<Box<str>>; IndicatorKind::ALL.len()];

/// A kind's place in [`IndicatorKind::ALL`].
fn slot(kind: IndicatorKind) -> usize {
    IndicatorKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or_default()
}

/// Counts `text` a piece of about `chunk` bytes at a time (see
/// [`distinct_in_chunks`]).
fn count_in_chunks(text: &str, chunk: usize) -> IndicatorCount {
    tally(&distinct_in_chunks(text, chunk))
}

/// [`count_parallel`] with its sizes as parameters: texts shorter than
/// `min_len` are counted on this thread.
fn parallel_count(text: &str, threads: usize, chunk: usize, min_len: usize) -> IndicatorCount {
    if threads <= 1 || text.len() < min_len {
        return count_in_chunks(text, chunk);
    }
    let parts = cut_at_whitespace(text, text.len().div_ceil(threads));
    let seen: Vec<Seen> = std::thread::scope(|scope| {
        let workers: Vec<_> = parts
            .iter()
            .map(|part| scope.spawn(move || distinct_in_chunks(part, chunk)))
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut all = Seen::default();
    for part in seen {
        for (into, values) in all.iter_mut().zip(part) {
            into.extend(values);
        }
    }
    tally(&all)
}

/// `text` in pieces of about `size` bytes, each but the last ending where
/// ASCII whitespace begins (so a piece may be longer when whitespace is
/// rare); the pieces concatenate to `text`.
fn cut_at_whitespace(text: &str, size: usize) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let mut end = (start + size.max(1)).min(bytes.len());
        while end < bytes.len() && !bytes[end].is_ascii_whitespace() {
            end += 1;
        }
        // ASCII whitespace is never inside a multi-byte character, so the
        // cut is on a character boundary.
        pieces.push(&text[start..end]);
        start = end;
    }
    pieces
}

/// The distinct indicators of `text`, found a piece of about `chunk` bytes
/// at a time, each piece ending at ASCII whitespace: no indicator and no
/// defanged spelling spans whitespace, so the pieces yield what the whole
/// does, while only one piece's refanged copy is ever in memory.
fn distinct_in_chunks(text: &str, chunk: usize) -> Seen {
    let mut seen = Seen::default();
    for piece in cut_at_whitespace(text, chunk) {
        let refanged = refang::refang(piece, refang::Spans::Unmapped);
        scanner::scan(&refanged.text, |hit| {
            let key = match hit.kind {
                // Registry keys are the same key in any case.
                IndicatorKind::RegistryKey => Cow::Owned(hit.value.to_ascii_lowercase()),
                _ => hit.value,
            };
            seen[slot(hit.kind)].get_or_insert_with(key.as_ref(), |k: &str| Box::from(k));
        });
    }
    seen
}

/// The count of what was seen.
fn tally(seen: &Seen) -> IndicatorCount {
    let mut count = IndicatorCount::default();
    for (kind, values) in IndicatorKind::ALL.into_iter().zip(seen) {
        if !values.is_empty() {
            count.total += values.len();
            count.by_kind.insert(kind, values.len());
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Pieces of any size, counted on one thread or several, count as
        /// the whole text does.
        #[test]
        fn chunked_counts_equal_whole_counts(
            words in prop::collection::vec(
                prop::sample::select(vec![
                    "8.8.8.8", "evil[.]com", "hxxp://x[.]org/a", "a@b.io", "CVE-2021-44228",
                    "HKLM\\Run", "x.exe", "44d88612fea8a8f36de82e1278abb02f", "2001:db8::1",
                    "1.2.3.4/24", " ", "\n", "\t", ".", "é", "word",
                ]),
                0..80,
            ),
            chunk in 1usize..64,
            threads in 1usize..6,
        ) {
            let text = words.concat();
            let distinct: std::collections::HashSet<_> = extract(&text).into_iter().map(|i| (i.kind, i.value)).collect();
            let whole = count_in_chunks(&text, usize::MAX / 2);
            prop_assert_eq!(whole.total, distinct.len());
            prop_assert_eq!(count_in_chunks(&text, chunk), whole.clone());
            prop_assert_eq!(parallel_count(&text, threads, chunk, 0), whole);
        }
    }
}

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
