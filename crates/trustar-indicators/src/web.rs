//! `URL` (with a scheme, or a bare domain) and `EMAIL_ADDRESS`.

use std::borrow::Cow;

use super::classes::{ALNUM, LABEL, LOCAL, eq_ignore_case, is, run_end};
use super::scanner::{Found, Scanner, lowercase, trim_trailing};
use crate::IndicatorKind;

/// Trailing bytes that are never part of a URL.
const URL_TRAILING: &[u8] = b".,;:!?)]}'\"";

/// Every top-level domain in the IANA list is 2 to 24 characters long
/// (`xn--vermgensberatung-pwb`) and starts with a letter; a unit test holds
/// the list to that, so other labels are refused without a lookup.
const TLD_LENGTHS: std::ops::RangeInclusive<usize> = 2..=24;

/// Whether `label` is a top-level domain of the IANA root zone, in any case.
pub(super) fn is_tld(label: &[u8]) -> bool {
    if !TLD_LENGTHS.contains(&label.len()) || !label[0].is_ascii_alphabetic() {
        return false;
    }
    let mut lower = [0u8; *TLD_LENGTHS.end()];
    for (to, from) in lower.iter_mut().zip(label) {
        *to = from.to_ascii_lowercase();
    }
    std::str::from_utf8(&lower[..label.len()]).is_ok_and(tld::exist)
}

/// `scheme + "://" + authority` in lower case, then the rest as written.
fn lowercase_prefix(text: &str, prefix_len: usize) -> Cow<'_, str> {
    match lowercase(&text[..prefix_len]) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        Cow::Owned(mut lower) => {
            lower.push_str(&text[prefix_len..]);
            Cow::Owned(lower)
        }
    }
}

impl<'t> Scanner<'t> {
    /// `http://`, `https://` or `ftp://` then a host, up to whitespace, a
    /// quote or `<>`, less trailing punctuation.
    pub(super) fn url_with_scheme(&mut self, start: usize, word_end: usize) -> Option<Found<'t>> {
        let bytes = self.bytes;
        let scheme = &bytes[start..word_end];
        if !(eq_ignore_case(scheme, b"http")
            || eq_ignore_case(scheme, b"https")
            || eq_ignore_case(scheme, b"ftp"))
        {
            return None;
        }
        if !bytes[word_end..].starts_with(b"://") {
            return None;
        }
        let host = word_end + 3;
        if !bytes.get(host).is_some_and(|&b| is(b, ALNUM) || b == b'[') {
            return None;
        }
        let end = trim_trailing(bytes, host, self.url_end(host), URL_TRAILING);
        let authority_end = bytes[host..end]
            .iter()
            .position(|b| matches!(b, b'/' | b'?' | b'#'))
            .map_or(end, |p| host + p);
        Some(Found {
            kind: IndicatorKind::Url,
            start,
            end,
            value: lowercase_prefix(self.slice(start, end), authority_end - start),
        })
    }

    /// Two or more dot-separated labels ending in a real top-level domain,
    /// then optionally `/path` up to whitespace, a quote or `<>`.
    pub(super) fn bare_domain(&mut self, start: usize) -> Option<Found<'t>> {
        if start < self.rejected.domain {
            return None;
        }
        let (host_end, run_end) = self.domain_from(start);
        let Some(host_end) = host_end else {
            self.rejected.domain = run_end;
            return None;
        };
        let bytes = self.bytes;
        let end = if bytes.get(host_end) == Some(&b'/') {
            trim_trailing(bytes, host_end, self.url_end(host_end), URL_TRAILING)
        } else {
            host_end
        };
        Some(Found {
            kind: IndicatorKind::Url,
            start,
            end,
            value: lowercase_prefix(self.slice(start, end), host_end - start),
        })
    }

    /// `local@domain`: a local part of `[A-Za-z0-9._%+-]`, and a domain as
    /// for a bare-domain URL.
    pub(super) fn email(&mut self, start: usize) -> Option<Found<'t>> {
        if start < self.rejected.email {
            return None;
        }
        let at = run_end(self.bytes, start, LOCAL);
        if self.bytes.get(at) != Some(&b'@') {
            self.rejected.email = at;
            return None;
        }
        let Some(end) = self.domain_from(at + 1).0 else {
            self.rejected.email = at;
            return None;
        };
        Some(Found {
            kind: IndicatorKind::EmailAddress,
            start,
            end,
            value: lowercase(self.slice(start, end)),
        })
    }

    /// The labels from `start`: the end of the longest domain (two or more
    /// labels, the last a top-level domain, not glued to a `_`), and the end
    /// of the run of labels.
    fn domain_from(&self, start: usize) -> (Option<usize>, usize) {
        let bytes = self.bytes;
        let mut pos = start;
        let mut labels = 0;
        let mut best = None;
        loop {
            let label_end = run_end(bytes, pos, LABEL);
            if label_end == pos {
                break;
            }
            labels += 1;
            let after = bytes.get(label_end).copied();
            if labels >= 2 && after != Some(b'_') && is_tld(&bytes[pos..label_end]) {
                best = Some(label_end);
            }
            pos = label_end;
            if after == Some(b'.') && bytes.get(pos + 1).is_some_and(|&b| is(b, LABEL)) {
                pos += 1;
            } else {
                break;
            }
        }
        (best, pos)
    }
}

#[cfg(test)]
mod tests {
    use super::{TLD_LENGTHS, is_tld};

    #[test]
    fn every_tld_fits_the_quick_refusal() {
        assert!(tld::TLD.len() > 1400, "the IANA list is not embedded");
        for tld in tld::TLD.iter() {
            assert!(TLD_LENGTHS.contains(&tld.len()), "{tld}");
            assert!(tld.as_bytes()[0].is_ascii_alphabetic(), "{tld}");
            assert!(is_tld(tld.as_bytes()), "{tld}");
        }
    }

    #[test]
    fn tlds_come_from_the_iana_list_in_any_case() {
        for tld in [
            "com",
            "COM",
            "xyz",
            "ru",
            "org",
            "io",
            "zip",
            "XN--FIQS8S",
            "museum",
        ] {
            assert!(is_tld(tld.as_bytes()), "{tld}");
        }
        for not in ["exe", "dll", "pdf", "bin", "4", "", "localhost", "internal"] {
            assert!(!is_tld(not.as_bytes()), "{not}");
        }
    }
}
