//! Deterministic text for tests and benchmarks: report-like prose with
//! indicators of every kind, and adversarial runs.
//!
//! The same `(len, seed)` always gives the same text, on every machine.
//!
//! ```
//! use trustar_indicators::count;
//! use indicator_corpus as corpus;
//!
//! let text = corpus::realistic(20_000, 7);
//! assert_eq!(text.len(), 20_000);
//! assert_eq!(text, corpus::realistic(20_000, 7));
//! // About one indicator per 200 bytes.
//! let found = trustar_indicators::extract(&text).len();
//! assert!((60..=140).contains(&found), "{found}");
//! assert!(count(&text).total > 0);
//! ```

/// SplitMix64: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "the",
    "actor",
    "used",
    "a",
    "loader",
    "to",
    "stage",
    "payload",
    "on",
    "host",
    "and",
    "then",
    "moved",
    "laterally",
    "via",
    "remote",
    "service",
    "creation",
    "we",
    "observed",
    "beaconing",
    "every",
    "minutes",
    "with",
    "jitter",
    "credential",
    "dumping",
    "from",
    "memory",
    "followed",
    "analysts",
    "confirmed",
    "persistence",
    "through",
    "scheduled",
    "task",
    "registry",
    "run",
    "key",
    "phishing",
    "email",
    "attachment",
    "macro",
    "enabled",
    "document",
    "dropped",
    "second",
    "stage",
    "which",
    "contacted",
    "command",
    "control",
    "infrastructure",
    "over",
    "encrypted",
    "channel",
    "exfiltration",
    "of",
    "archives",
    "was",
    "blocked",
    "by",
    "egress",
    "filtering",
    "incident",
    "timeline",
    "shows",
    "initial",
    "access",
    "at",
    "night",
    "user",
    "workstation",
    "domain",
    "controller",
    "is",
    "not",
    "affected",
    "recommend",
    "resetting",
    "passwords",
    "isolating",
    "hosts",
    "reviewing",
    "logs",
    "for",
    "similar",
    "activity",
    "in",
    "environment",
];

const TLDS: &[&str] = &[
    "com", "net", "org", "ru", "xyz", "io", "info", "top", "cn", "co",
];
const EXTENSIONS: &[&str] = &[
    "exe", "dll", "ps1", "scr", "js", "bat", "docm", "msi", "lnk",
];
const BITCOIN: &[&str] = &[
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
];

fn hex(rng: &mut Rng, digits: usize) -> String {
    (0..digits)
        .map(|_| char::from(b"0123456789abcdef"[rng.below(16)]))
        .collect()
}

fn label(rng: &mut Rng) -> String {
    let a = rng.pick(WORDS);
    let b = rng.pick(WORDS);
    format!("{a}-{b}{}", rng.below(100))
}

fn domain(rng: &mut Rng) -> String {
    let dot = if rng.below(5) == 0 { "[.]" } else { "." };
    format!("{}{dot}{}", label(rng), rng.pick(TLDS))
}

fn public_ipv4(rng: &mut Rng) -> String {
    let first = [45, 91, 103, 185, 194, 203][rng.below(6)];
    format!(
        "{first}.{}.{}.{}",
        rng.below(256),
        rng.below(256),
        1 + rng.below(254)
    )
}

/// One indicator, of a kind drawn at random.
fn indicator(rng: &mut Rng) -> String {
    match rng.below(13) {
        0 | 1 => public_ipv4(rng),
        2 => format!("{}/{}", public_ipv4(rng), 16 + rng.below(17)),
        3 => domain(rng),
        4 => {
            let scheme = if rng.below(3) == 0 { "hxxps" } else { "https" };
            format!(
                "{scheme}://{}/{}/{}.php",
                domain(rng),
                rng.pick(WORDS),
                rng.pick(WORDS)
            )
        }
        5 => format!("{}@{}", rng.pick(WORDS), domain(rng)),
        6 => hex(rng, 32),
        7 => hex(rng, 40),
        8 => hex(rng, 64),
        9 => format!(
            "{}_{}.{}",
            rng.pick(WORDS),
            rng.below(1000),
            rng.pick(EXTENSIONS)
        ),
        10 => format!(
            "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\{}{}",
            rng.pick(WORDS),
            rng.below(1000)
        ),
        11 => format!("CVE-20{}-{}", 10 + rng.below(16), 1000 + rng.below(50_000)),
        _ => match rng.below(2) {
            0 => rng.pick(BITCOIN).to_string(),
            _ => format!(
                "2001:db8:{:x}::{:x}",
                rng.below(0xffff),
                1 + rng.below(0xffff)
            ),
        },
    }
}

/// Report-like prose of exactly `len` bytes (ASCII), with about one
/// indicator per 200 bytes, of every kind, some defanged.
pub fn realistic(len: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut text = String::with_capacity(len + 256);
    let mut until_indicator = 100 + rng.below(200);
    let mut words_in_sentence = 0;
    while text.len() < len {
        if until_indicator == 0 {
            text.push_str(&indicator(&mut rng));
            until_indicator = 100 + rng.below(200);
        } else {
            let word = rng.pick(WORDS);
            text.push_str(word);
            until_indicator = until_indicator.saturating_sub(word.len() + 1);
        }
        words_in_sentence += 1;
        if words_in_sentence > 8 + rng.below(12) {
            text.push_str(if rng.below(6) == 0 { ".\n" } else { ". " });
            words_in_sentence = 0;
        } else {
            text.push_str(if rng.below(10) == 0 { ", " } else { " " });
        }
    }
    text.truncate(len);
    text
}

/// Texts built to make a careless matcher backtrack or rescan: long runs of
/// dots, hex, digits, brackets, dotted numbers and labels, and the like.
/// Each is `len` bytes or a little less.
///
/// ```
/// use trustar_indicators::count;
/// use indicator_corpus as corpus;
///
/// for (name, text) in corpus::adversarial(4096) {
///     assert!(text.len() <= 4096 && text.len() > 4000, "{name}");
///     let _ = count(&text);
/// }
/// ```
pub fn adversarial(len: usize) -> Vec<(&'static str, String)> {
    let repeat = |unit: &str| unit.repeat(len / unit.len());
    vec![
        ("dots", repeat(".")),
        ("hex", repeat("a")),
        ("digits", repeat("1")),
        (
            "brackets",
            format!("{}{}", "[".repeat(len / 2), "]".repeat(len / 2)),
        ),
        ("defang brackets", repeat("[.]")),
        ("dotted digits", repeat("1.")),
        ("dotted labels", repeat("a.")),
        ("hyphenated labels", repeat("a-")),
        ("colons", repeat("a:")),
        ("at signs", repeat("a@")),
        ("hxxp", repeat("hxxp")),
        ("registry", repeat("HKLM\\")),
        ("file name", repeat("a_")),
    ]
}
