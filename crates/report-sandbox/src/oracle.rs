//! The sandbox's own indicator counter, which decides TruSTAR's 413.
//!
//! Written for reading, not for speed, straight from TruSTAR's extraction
//! rules as the project documents them (the `trustar-indicators` README):
//! refang, then at every word start try every rule, keep the longest match
//! (a file name over a domain, then an email, then a URL, on a tie), and go
//! on after it. It shares no code with the fast counter in
//! `trustar-indicators`; differential tests run both over the same texts,
//! so that a regression in either shows.
//!
//! ```
//! use report_sandbox::oracle;
//!
//! let found = oracle::indicators("Payload from hxxp://evil[.]com/x, dropped a.exe, CVE-2021-44228");
//! assert!(found.contains(&("URL".to_string(), "http://evil.com/x".to_string())));
//! assert_eq!(oracle::count("8.8.8.8 and 8.8.8[.]8 and 10.0.0.1"), 1);
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv6Addr;
use std::sync::LazyLock;

use regex::Regex;

/// The defanged spellings and their live forms, in any case.
static DEFANGED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)h[x]{2}p|\[://\]|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|\[:\]|\[@\]|\[at\]|\(at\)")
        .expect("a valid pattern")
});

/// Every defanged spelling replaced by its live form, in one pass (what a
/// replacement makes is not looked at again: `[[.]]` becomes `[.]`). The
/// `xx` of `hxxp` becomes `tt` letter by letter in the same case.
fn refang(text: &str) -> String {
    DEFANGED
        .replace_all(text, |caps: &regex::Captures<'_>| {
            let found = &caps[0];
            if found.len() == 4 && found[1..3].eq_ignore_ascii_case("xx") {
                return found
                    .chars()
                    .map(|c| match c {
                        'x' => 't',
                        'X' => 'T',
                        other => other,
                    })
                    .collect();
            }
            match found.to_ascii_lowercase().as_str() {
                "[://]" => "://",
                "[:]" => ":",
                "[@]" | "[at]" | "(at)" => "@",
                _ => ".",
            }
            .to_string()
        })
        .into_owned()
}

static IPV4: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\A([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)").expect("a valid pattern")
});
static CIDR_BITS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\A/([0-9]{1,2})").expect("a valid pattern"));
static IPV6_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\A[0-9A-Fa-f:.]+").expect("a valid pattern"));
static SCHEME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\A(https?|ftp)://[A-Za-z0-9\[]").expect("a valid pattern"));
static LABELS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\A[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*").expect("a valid pattern"));
static LOCAL_CHARS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\A[A-Za-z0-9._%+-]+").expect("a valid pattern"));
static CVE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\ACVE-[0-9]{4}-[0-9]{4,}").expect("a valid pattern"));
static HIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\A(?:HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER|HKEY_CLASSES_ROOT|HKEY_USERS|HKEY_CURRENT_CONFIG|HKLM|HKCU|HKCR|HKU|HKCC)\\")
        .expect("a valid pattern")
});
static NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\A[A-Za-z0-9_.-]+").expect("a valid pattern"));

/// The extensions of `SOFTWARE`.
const EXTENSIONS: [&str; 25] = [
    "exe", "dll", "sys", "scr", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf",
    "wsh", "hta", "msi", "jar", "lnk", "cpl", "ocx", "apk", "dmg", "docm", "xlsm", "pptm",
];

/// What ends a URL after its start: whitespace, a quote, `<` or `>`.
fn ends_url(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>')
}

/// Never the last character of a URL.
const URL_TRAILING: &[char] = &['.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"'];

fn alnum(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric())
}

/// One match: kind, its length in the refanged text, its value.
struct Match {
    kind: &'static str,
    len: usize,
    value: String,
}

/// Which kind wins a tie of lengths: a file name, then an email, then a URL.
fn tie_rank(kind: &str) -> u8 {
    match kind {
        "SOFTWARE" => 0,
        "EMAIL_ADDRESS" => 1,
        "URL" => 2,
        _ => 3,
    }
}

/// The text being read, and where earlier file-name runs were refused.
struct Reader<'t> {
    text: &'t str,
    /// A file name is the whole run of name characters: a start inside a
    /// run refused as a file name is not tried again.
    refused_name_until: usize,
    /// The run of labels last read, for the word starts inside it: every
    /// start in a run ends where the run ends, so each run is read once
    /// (reading it again from each start was quadratic on `a.a.a.…`).
    labels: Option<LabelRun>,
    /// Likewise the last run of local-part characters, and where it ends.
    local_part: Option<(usize, usize)>,
    /// The run of labels after the last `@` read.
    email_labels: Option<LabelRun>,
}

/// The longest run of labels from `at` that ends in a real top-level
/// domain (two labels at least, not followed by `_`): its length. `cache`
/// holds the run last read: a start inside it is not read again.
fn domain_in(text: &str, cache: &mut Option<LabelRun>, at: usize) -> Option<usize> {
    if !cache
        .as_ref()
        .is_some_and(|run| run.start <= at && at < run.end)
    {
        *cache = Some(LabelRun::read(text, at)?);
    }
    let run = cache.as_ref()?;
    // A top-level domain must stand after the first dot that follows
    // `at`: a second label at least.
    let first_dot = *run.dots.get(run.dots.partition_point(|d| *d < at))?;
    match run.last_tld {
        Some((start, end)) if start > first_dot => Some(end - at),
        _ => None,
    }
}

impl LabelRun {
    /// The run of labels from `at`.
    fn read(text: &str, at: usize) -> Option<LabelRun> {
        let matched = LABELS.find(&text[at..])?.as_str();
        let mut dots = Vec::new();
        let mut last_tld = None;
        let mut offset = at;
        for label in matched.split('.') {
            let end = offset + label.len();
            if !text[end..].starts_with('_') && is_top_level_domain(label) {
                last_tld = Some((offset, end));
            }
            if end < at + matched.len() {
                dots.push(end);
            }
            offset = end + 1;
        }
        Some(LabelRun {
            start: at,
            end: at + matched.len(),
            dots,
            last_tld,
        })
    }
}

/// A run of dot-separated labels (`[A-Za-z0-9-]+`), read once.
struct LabelRun {
    start: usize,
    end: usize,
    /// Where each `.` of the run stands.
    dots: Vec<usize>,
    /// The last label that is a top-level domain and is not followed by
    /// `_`: its start and end.
    last_tld: Option<(usize, usize)>,
}

impl<'t> Reader<'t> {
    fn before(&self, at: usize) -> Option<char> {
        self.text[..at].chars().next_back()
    }

    fn after(&self, at: usize) -> Option<char> {
        self.text[at..].chars().next()
    }

    /// Every rule that matches at `at`.
    fn candidates(&mut self, at: usize) -> Vec<Match> {
        let mut found = Vec::new();
        found.extend(self.ipv4_or_cidr(at));
        found.extend(self.ipv6(at));
        found.extend(self.url_with_scheme(at));
        found.extend(self.bare_domain(at));
        found.extend(self.email(at));
        found.extend(self.hash(at));
        found.extend(self.cve(at));
        found.extend(self.registry_key(at));
        found.extend(self.bitcoin(at));
        found.extend(self.software(at));
        found
    }

    /// A dotted quad of octets 0–255 without leading zeros, not glued to a
    /// letter or digit, not part of a longer dotted run of numbers; with
    /// `/N` (0–32) a CIDR block.
    fn ipv4_or_cidr(&self, at: usize) -> Option<Match> {
        let rest = &self.text[at..];
        let caps = IPV4.captures(rest)?;
        let quad = caps.get(0)?.as_str();
        let octets: Option<Vec<u8>> = (1..=4)
            .map(|i| {
                let digits = &caps[i];
                let leading_zero = digits.len() > 1 && digits.starts_with('0');
                if leading_zero || digits.len() > 3 {
                    None
                } else {
                    digits.parse::<u8>().ok()
                }
            })
            .collect();
        let octets = octets?;
        let end = at + quad.len();
        // Part of a longer dotted run of numbers, on either side.
        let text = self.text.as_bytes();
        if at >= 2 && text[at - 1] == b'.' && text[at - 2].is_ascii_digit() {
            return None;
        }
        if text.get(end) == Some(&b'.') && text.get(end + 1).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        if alnum(self.after(end)) {
            return None;
        }
        if let Some(bits) = CIDR_BITS.captures(&self.text[end..]) {
            let bits_end = end + bits[0].len();
            if bits[1].parse::<u8>().is_ok_and(|n| n <= 32) && !alnum(self.after(bits_end)) {
                return Some(Match {
                    kind: "CIDR_BLOCK",
                    len: bits_end - at,
                    value: self.text[at..bits_end].to_string(),
                });
            }
        }
        let private = match octets[..] {
            [0, ..] | [10, ..] | [127, ..] => true,
            [172, b, ..] => (16..=31).contains(&b),
            [192, 168, ..] => true,
            _ => false,
        };
        (!private).then(|| Match {
            kind: "IP",
            len: quad.len(),
            value: quad.to_string(),
        })
    }

    /// An IPv6 address in any valid form, with at least two colons, not
    /// glued to what stands around it; not `::` or `::1`. A sentence may
    /// end right after it: one or two trailing `:` or `.` are let go.
    fn ipv6(&self, at: usize) -> Option<Match> {
        let before = self.before(at);
        if alnum(before) || matches!(before, Some(':' | '.')) {
            return None;
        }
        let run = IPV6_RUN.find(&self.text[at..])?.as_str();
        if run.matches(':').count() < 2 || alnum(self.after(at + run.len())) {
            return None;
        }
        let mut candidate = run;
        for _ in 0..3 {
            if let Ok(address) = candidate.parse::<Ipv6Addr>() {
                if address.is_unspecified() || address.is_loopback() {
                    return None;
                }
                return Some(Match {
                    kind: "IP",
                    len: candidate.len(),
                    value: address.to_string(),
                });
            }
            candidate = candidate
                .strip_suffix(':')
                .or_else(|| candidate.strip_suffix('.'))?;
        }
        None
    }

    /// `http://`, `https://` or `ftp://`, a host, and the rest up to
    /// whitespace, a quote or `<>`, less trailing punctuation; the scheme
    /// and host in lower case.
    fn url_with_scheme(&self, at: usize) -> Option<Match> {
        let rest = &self.text[at..];
        let head = SCHEME.find(rest)?;
        let host = head.end() - 1;
        let end = rest.find(ends_url).unwrap_or(rest.len());
        let url = rest[..end].trim_end_matches(URL_TRAILING);
        let url = if url.len() < host { &rest[..host] } else { url };
        let authority = url[host..]
            .find(['/', '?', '#'])
            .map_or(url.len(), |p| host + p);
        Some(Match {
            kind: "URL",
            len: url.len(),
            value: format!(
                "{}{}",
                url[..authority].to_ascii_lowercase(),
                &url[authority..]
            ),
        })
    }

    /// The longest run of labels from `at` that ends in a real top-level
    /// domain (two labels at least, not followed by `_`): its length.
    fn domain(&mut self, at: usize) -> Option<usize> {
        domain_in(self.text, &mut self.labels, at)
    }

    /// A bare domain, with `/path` if one follows; the host in lower case.
    fn bare_domain(&mut self, at: usize) -> Option<Match> {
        let host = self.domain(at)?;
        let rest = &self.text[at..];
        let len = if rest[host..].starts_with('/') {
            let end = rest.find(ends_url).unwrap_or(rest.len());
            let with_path = rest[..end].trim_end_matches(URL_TRAILING);
            with_path.len().max(host)
        } else {
            host
        };
        Some(Match {
            kind: "URL",
            len,
            value: format!("{}{}", rest[..host].to_ascii_lowercase(), &rest[host..len]),
        })
    }

    /// `local@domain`, in lower case.
    fn email(&mut self, at: usize) -> Option<Match> {
        // Every start in a run of local-part characters ends where the run
        // ends: read once, then only whether `@` follows.
        let run_end = match self.local_part {
            Some((start, end)) if start <= at && at < end => end,
            _ => {
                let end = at + LOCAL_CHARS.find(&self.text[at..])?.len();
                self.local_part = Some((at, end));
                end
            }
        };
        if !self.text[run_end..].starts_with('@') {
            return None;
        }
        let local = run_end + 1 - at;
        // The domain after this `@` is the same for every start: its own
        // run of labels, kept apart from the bare domains' one.
        let domain = domain_in(self.text, &mut self.email_labels, run_end + 1)?;
        let len = local + domain;
        Some(Match {
            kind: "EMAIL_ADDRESS",
            len,
            value: self.text[at..at + len].to_ascii_lowercase(),
        })
    }

    /// The word from `at`: its run of ASCII letters and digits.
    fn word(&self, at: usize) -> &'t str {
        let rest = &self.text[at..];
        let end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        &rest[..end]
    }

    /// A whole word of exactly 32, 40 or 64 hex digits.
    fn hash(&self, at: usize) -> Option<Match> {
        let word = self.word(at);
        let kind = match word.len() {
            32 => "MD5",
            40 => "SHA1",
            64 => "SHA256",
            _ => return None,
        };
        word.chars().all(|c| c.is_ascii_hexdigit()).then(|| Match {
            kind,
            len: word.len(),
            value: word.to_ascii_lowercase(),
        })
    }

    /// `CVE-YYYY-NNNN…`, not glued to a letter or digit, in upper case.
    fn cve(&self, at: usize) -> Option<Match> {
        let found = CVE.find(&self.text[at..])?.as_str();
        (!alnum(self.after(at + found.len()))).then(|| Match {
            kind: "CVE",
            len: found.len(),
            value: found.to_ascii_uppercase(),
        })
    }

    /// A hive, `\`, and at least one more component up to whitespace or a
    /// quote, less trailing `.,;:`; as written.
    fn registry_key(&self, at: usize) -> Option<Match> {
        let rest = &self.text[at..];
        let hive = HIVE.find(rest)?.end();
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(rest.len());
        let key = rest[..end].trim_end_matches(['.', ',', ';', ':']);
        (key.len() > hive).then(|| Match {
            kind: "REGISTRY_KEY",
            len: key.len(),
            value: key.to_string(),
        })
    }

    /// A whole word that is a bitcoin address: Base58Check (`1…`, `3…`) or
    /// segwit (`bc1…`, bech32 for version 0, bech32m for 1–16).
    fn bitcoin(&self, at: usize) -> Option<Match> {
        let word = self.word(at);
        let value = if base58check(word) {
            word.to_string()
        } else if segwit(word) {
            word.to_ascii_lowercase()
        } else {
            return None;
        };
        Some(Match {
            kind: "BITCOIN_ADDRESS",
            len: word.len(),
            value,
        })
    }

    /// The whole run of file-name characters from `at`, less trailing `.`
    /// and `-`, ending in one of the extensions; in lower case.
    fn software(&mut self, at: usize) -> Option<Match> {
        if at < self.refused_name_until {
            return None;
        }
        let run = NAME.find(&self.text[at..])?.as_str();
        let name = run.trim_end_matches(['.', '-']);
        let extension = name.rsplit_once('.').filter(|(stem, _)| !stem.is_empty());
        match extension {
            Some((_, extension))
                if EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(extension)) =>
            {
                Some(Match {
                    kind: "SOFTWARE",
                    len: name.len(),
                    value: name.to_ascii_lowercase(),
                })
            }
            _ => {
                self.refused_name_until = at + run.len();
                None
            }
        }
    }
}

/// Whether `label` is a top-level domain of the IANA root zone.
fn is_top_level_domain(label: &str) -> bool {
    tld::exist(&label.to_ascii_lowercase())
}

/// A legacy address: 26–35 Base58 characters from `1` or `3` that decode
/// (checksum checked) to a version byte, 0x00 or 0x05, and a 20-byte hash.
fn base58check(word: &str) -> bool {
    if !(26..=35).contains(&word.len()) || !word.starts_with(['1', '3']) {
        return false;
    }
    match bs58::decode(word).with_check(None).into_vec() {
        Ok(payload) => payload.len() == 21 && matches!(payload[0], 0x00 | 0x05),
        Err(_) => false,
    }
}

/// A mainnet segwit address `bc1…` in one case, as BIP-173 and BIP-350
/// define a valid one: witness version 0 with a bech32 checksum and a
/// program of 20 or 32 bytes, versions 1–16 with bech32m and 2 to 40 bytes,
/// zero padding, at most 90 characters. (A word with a valid checksum but a
/// program no address can have is not an address.)
fn segwit(word: &str) -> bool {
    match bech32::segwit::decode(word) {
        Ok((hrp, _, _)) => hrp.as_str().eq_ignore_ascii_case("bc") && word.len() <= 90,
        Err(_) => false,
    }
}

/// Every distinct `(kind, value)` TruSTAR would extract from `text`
/// (registry keys compared without case; the first spelling kept).
pub fn indicators(text: &str) -> BTreeSet<(String, String)> {
    let text = refang(text);
    let mut reader = Reader {
        text: &text,
        refused_name_until: 0,
        labels: None,
        local_part: None,
        email_labels: None,
    };
    let mut found = BTreeSet::new();
    let mut registry: BTreeMap<String, String> = BTreeMap::new();
    let mut at = 0;
    while at < text.len() {
        let c = reader.after(at).unwrap_or(' ');
        let word_start = c.is_ascii_alphanumeric() && !alnum(reader.before(at));
        let ipv6_start = text[at..].starts_with("::");
        if word_start || ipv6_start {
            let best = reader.candidates(at).into_iter().max_by(|a, b| {
                a.len
                    .cmp(&b.len)
                    .then(tie_rank(b.kind).cmp(&tie_rank(a.kind)))
            });
            if let Some(best) = best {
                at += best.len;
                if best.kind == "REGISTRY_KEY" {
                    let spelling = registry
                        .entry(best.value.to_ascii_lowercase())
                        .or_insert(best.value);
                    found.insert(("REGISTRY_KEY".to_string(), spelling.clone()));
                } else {
                    found.insert((best.kind.to_string(), best.value));
                }
                continue;
            }
            if word_start {
                at += reader.word(at).len();
                continue;
            }
        }
        at += c.len_utf8();
    }
    found
}

/// How many distinct indicators TruSTAR would extract from `text`.
pub fn count(text: &str) -> usize {
    indicators(text).len()
}
