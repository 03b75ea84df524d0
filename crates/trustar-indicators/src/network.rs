//! `IP` (IPv4 and IPv6) and `CIDR_BLOCK`.

use std::borrow::Cow;
use std::net::Ipv6Addr;

use super::classes::{ALNUM, DIGIT, HEX, is, run_end};
use super::scanner::{Found, Scanner};
use crate::IndicatorKind;

/// Whether an IPv4 address is one TruSTAR does not extract: 0.0.0.0/8,
/// 10/8, 127/8, 172.16/12, 192.168/16.
fn is_unextracted(octets: [u8; 4]) -> bool {
    matches!(
        octets,
        [0 | 10 | 127, ..] | [172, 16..=31, ..] | [192, 168, ..]
    )
}

impl<'t> Scanner<'t> {
    /// A dotted quad (octets 0–255, no leading zeros) not glued to a letter
    /// or digit and not part of a longer dotted run of numbers; with `/N`
    /// (N in 0–32) a `CIDR_BLOCK`.
    pub(super) fn ipv4(&mut self, start: usize) -> Option<Found<'t>> {
        let bytes = self.bytes;
        if start < self.rejected.ipv4 {
            return None;
        }
        // `.` with a digit on its other side: this run began earlier.
        if start >= 2 && bytes[start - 1] == b'.' && bytes[start - 2].is_ascii_digit() {
            return None;
        }
        let mut octets = [0u8; 4];
        let mut groups = 0;
        let mut valid = true;
        let mut pos = start;
        loop {
            let group_end = run_end(bytes, pos, DIGIT);
            if groups < 4 {
                match octet(&bytes[pos..group_end]) {
                    Some(value) => octets[groups] = value,
                    None => valid = false,
                }
            }
            groups += 1;
            pos = group_end;
            if bytes.get(pos) == Some(&b'.') && bytes.get(pos + 1).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            } else {
                break;
            }
        }
        let end = pos;
        if groups != 4 || !valid || bytes.get(end).is_some_and(|&b| is(b, ALNUM)) {
            self.rejected.ipv4 = end;
            return None;
        }
        if bytes.get(end) == Some(&b'/') {
            let bits_end = run_end(bytes, end + 1, DIGIT);
            let bits = &bytes[end + 1..bits_end];
            let glued = bytes.get(bits_end).is_some_and(|&b| is(b, ALNUM));
            if (1..=2).contains(&bits.len()) && !glued && parse_small(bits) <= 32 {
                return Some(Found {
                    kind: IndicatorKind::CidrBlock,
                    start,
                    end: bits_end,
                    value: Cow::Borrowed(self.slice(start, bits_end)),
                });
            }
        }
        if is_unextracted(octets) {
            return None;
        }
        Some(Found {
            kind: IndicatorKind::Ip,
            start,
            end,
            // Without leading zeros the text is already the canonical form.
            value: Cow::Borrowed(self.slice(start, end)),
        })
    }

    /// Whether an IPv6 address may start at `start`: not glued to what
    /// comes before.
    pub(super) fn ipv6_may_start(&self, start: usize) -> bool {
        start == 0 || {
            let before = self.bytes[start - 1];
            !is(before, ALNUM) && before != b':' && before != b'.'
        }
    }

    /// An IPv6 address in any valid text form with at least two colons,
    /// except `::` and `::1`; its value is the canonical form.
    pub(super) fn ipv6(&mut self, start: usize) -> Option<Found<'t>> {
        if start < self.rejected.ipv6 {
            return None;
        }
        let bytes = self.bytes;
        let mut run = start;
        let mut colons = 0;
        while run < bytes.len() && (is(bytes[run], HEX) || matches!(bytes[run], b':' | b'.')) {
            colons += usize::from(bytes[run] == b':');
            run += 1;
        }
        let glued = bytes.get(run).is_some_and(|&b| is(b, ALNUM));
        if colons >= 2 && !glued {
            // A sentence may end right after the address: try without one or
            // two trailing `:` or `.`.
            let mut end = run;
            for _ in 0..3 {
                if let Ok(address) = self.slice(start, end).parse::<Ipv6Addr>() {
                    if address.is_unspecified() || address.is_loopback() {
                        break;
                    }
                    return Some(Found {
                        kind: IndicatorKind::Ip,
                        start,
                        end,
                        value: Cow::Owned(address.to_string()),
                    });
                }
                if end > start && matches!(bytes[end - 1], b':' | b'.') {
                    end -= 1;
                } else {
                    break;
                }
            }
        }
        self.rejected.ipv6 = run;
        None
    }
}

/// A decimal octet without leading zeros.
fn octet(digits: &[u8]) -> Option<u8> {
    if digits.is_empty() || digits.len() > 3 || (digits.len() > 1 && digits[0] == b'0') {
        return None;
    }
    u8::try_from(parse_small(digits)).ok()
}

/// The value of at most three decimal digits.
fn parse_small(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
}
