//! `MD5`, `SHA1`, `SHA256`, `CVE`, `REGISTRY_KEY` and `SOFTWARE`.

use std::borrow::Cow;

use super::classes::{ALNUM, DIGIT, HEX, NAME, is, run_end};
use super::scanner::{Found, Scanner, lowercase, trim_trailing, uppercase};
use crate::IndicatorKind;

/// Registry hives, upper case; a key is one of these, `\`, and more.
const HIVES: &[&[u8]] = &[
    b"HKEY_LOCAL_MACHINE",
    b"HKEY_CURRENT_USER",
    b"HKEY_CLASSES_ROOT",
    b"HKEY_CURRENT_CONFIG",
    b"HKEY_USERS",
    b"HKLM",
    b"HKCU",
    b"HKCR",
    b"HKCC",
    b"HKU",
];

/// File extensions of `SOFTWARE`, lower case.
const SOFTWARE_EXTENSIONS: &[&[u8]] = &[
    b"exe", b"dll", b"sys", b"scr", b"bat", b"cmd", b"ps1", b"psm1", b"vbs", b"vbe", b"js", b"jse",
    b"wsf", b"wsh", b"hta", b"msi", b"jar", b"lnk", b"cpl", b"ocx", b"apk", b"dmg", b"docm",
    b"xlsm", b"pptm",
];

fn is_software_extension(extension: &[u8]) -> bool {
    SOFTWARE_EXTENSIONS
        .iter()
        .any(|known| known.eq_ignore_ascii_case(extension))
}

impl<'t> Scanner<'t> {
    /// Exactly 32, 40 or 64 hex digits: the whole word.
    pub(super) fn hash(&self, start: usize, end: usize) -> Option<Found<'t>> {
        let kind = match end - start {
            32 => IndicatorKind::Md5,
            40 => IndicatorKind::Sha1,
            64 => IndicatorKind::Sha256,
            _ => return None,
        };
        if !self.bytes[start..end].iter().all(|&b| is(b, HEX)) {
            return None;
        }
        Some(Found {
            kind,
            start,
            end,
            value: lowercase(self.slice(start, end)),
        })
    }

    /// `CVE-YYYY-NNNN…` (four or more digits), any case; `word_end` is the
    /// end of `CVE`.
    pub(super) fn cve(&self, start: usize, word_end: usize) -> Option<Found<'t>> {
        let bytes = self.bytes;
        if !bytes[start..word_end].eq_ignore_ascii_case(b"cve") {
            return None;
        }
        let year = word_end + 1;
        let year_end = run_end(bytes, year, DIGIT);
        if year_end - year != 4 || bytes.get(year_end) != Some(&b'-') {
            return None;
        }
        let number = year_end + 1;
        let end = run_end(bytes, number, DIGIT);
        if end - number < 4 || bytes.get(end).is_some_and(|&b| is(b, ALNUM)) {
            return None;
        }
        Some(Found {
            kind: IndicatorKind::Cve,
            start,
            end,
            value: uppercase(self.slice(start, end)),
        })
    }

    /// A hive in any case, `\`, at least one more component, up to
    /// whitespace or a quote, less trailing `.,;:`. The value is as written.
    pub(super) fn registry_key(&self, start: usize) -> Option<Found<'t>> {
        let bytes = self.bytes;
        let rest = &bytes[start..];
        let hive = HIVES.iter().find(|hive| {
            rest.len() > hive.len()
                && rest[..hive.len()].eq_ignore_ascii_case(hive)
                && rest[hive.len()] == b'\\'
        })?;
        let first_component = start + hive.len() + 1;
        let end = trim_trailing(
            bytes,
            first_component,
            self.key_end(first_component),
            b".,;:",
        );
        if end == first_component {
            return None;
        }
        Some(Found {
            kind: IndicatorKind::RegistryKey,
            start,
            end,
            value: Cow::Borrowed(self.slice(start, end)),
        })
    }

    /// A file name `[A-Za-z0-9_.-]+` starting with a letter or digit and
    /// ending (less any trailing `.` and `-`) in a `SOFTWARE` extension.
    pub(super) fn software(&mut self, start: usize) -> Option<Found<'t>> {
        if start < self.rejected.software {
            return None;
        }
        let bytes = self.bytes;
        let run = run_end(bytes, start, NAME);
        let end = trim_trailing(bytes, start, run, b".-");
        let dot = bytes[start..end].iter().rposition(|&b| b == b'.');
        match dot {
            Some(dot) if dot > 0 && is_software_extension(&bytes[start + dot + 1..end]) => {
                Some(Found {
                    kind: IndicatorKind::Software,
                    start,
                    end,
                    value: lowercase(self.slice(start, end)),
                })
            }
            _ => {
                self.rejected.software = run;
                None
            }
        }
    }
}
