//! Refanging: `hxxp`, `[.]`, `(dot)`, `[at]`, … back to their live form,
//! with a map from positions in the refanged text to the original.

use std::borrow::Cow;
use std::ops::Range;

/// The defanged spellings, matched in any case, and what they stand for.
/// Each starts with a bracket; `hxxp` is handled on its own.
const BRACKETED: &[(&[u8], &str)] = &[
    (b"[.]", "."),
    (b"(.)", "."),
    (b"{.}", "."),
    (b"[dot]", "."),
    (b"(dot)", "."),
    (b"{dot}", "."),
    (b"[:]", ":"),
    (b"[://]", "://"),
    (b"[@]", "@"),
    (b"[at]", "@"),
    (b"(at)", "@"),
];

/// A replaced stretch: `new` in the refanged text stood for `old` in the
/// original.
#[derive(Debug, Clone, Copy)]
struct Edit {
    new: (usize, usize),
    old: (usize, usize),
}

/// A text with its defanged indicators made live again.
#[derive(Debug)]
pub(super) struct Refanged<'a> {
    /// The refanged text (the original itself when nothing was defanged).
    pub text: Cow<'a, str>,
    /// Replacements that changed the length, in order.
    edits: Vec<Edit>,
}

/// Whether [`refang`] records where replacements changed lengths: needed
/// to map spans back ([`extract`](super::extract)), not to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Spans {
    Mapped,
    Unmapped,
}

/// Refangs `text`. Replacements are not themselves rescanned: `[[.]]`
/// becomes `[.]`.
///
/// Only the bytes that can open a defanged spelling (`[`, `(`, `{`, and the
/// `x` of `hxxp`) are looked at, found many bytes at a time, and the output
/// is written as they are found.
pub(super) fn refang(text: &str, spans: Spans) -> Refanged<'_> {
    let bytes = text.as_bytes();
    let mut brackets = memchr::memchr3_iter(b'[', b'(', b'{', bytes).peekable();
    let mut exes = memchr::memchr2_iter(b'x', b'X', bytes).peekable();
    let mut out: Option<String> = None;
    let mut edits = Vec::new();
    let mut copied = 0;
    loop {
        // The next candidate, in text order, of either kind.
        let i = match (brackets.peek(), exes.peek()) {
            (Some(&b), Some(&x)) if b < x => brackets.next(),
            (Some(_), None) => brackets.next(),
            (_, Some(_)) => exes.next(),
            (None, None) => break,
        };
        let Some(i) = i else { break };
        if i < copied {
            continue; // inside the previous replacement
        }
        let replacement = match bytes[i] {
            b'x' | b'X' => hxxp_at(bytes, i),
            _ => bracketed_at(&bytes[i..]),
        };
        let Some((len, live)) = replacement else {
            continue;
        };
        let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
        out.push_str(&text[copied..i]);
        let new_start = out.len();
        out.push_str(live);
        if spans == Spans::Mapped && live.len() != len {
            edits.push(Edit {
                new: (new_start, out.len()),
                old: (i, i + len),
            });
        }
        copied = i + len;
    }
    let text = match out {
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(text),
    };
    Refanged { text, edits }
}

/// The `xx` of `hxxp` at `i`, as `tt` in the same case, letter by letter.
fn hxxp_at(bytes: &[u8], i: usize) -> Option<(usize, &'static str)> {
    let is_hxxp = i > 0
        && matches!(bytes[i - 1], b'h' | b'H')
        && matches!(bytes.get(i + 1), Some(b'x' | b'X'))
        && matches!(bytes.get(i + 2), Some(b'p' | b'P'));
    if !is_hxxp {
        return None;
    }
    let live = match (bytes[i], bytes[i + 1]) {
        (b'x', b'x') => "tt",
        (b'x', _) => "tT",
        (_, b'x') => "Tt",
        _ => "TT",
    };
    Some((2, live))
}

fn bracketed_at(rest: &[u8]) -> Option<(usize, &'static str)> {
    // Every spelling's second byte is one of these: most brackets are
    // refused at once.
    if !matches!(
        rest.get(1),
        Some(b'.' | b'd' | b'D' | b':' | b'@' | b'a' | b'A')
    ) {
        return None;
    }
    BRACKETED.iter().find_map(|(pattern, live)| {
        (rest.len() >= pattern.len() && rest[..pattern.len()].eq_ignore_ascii_case(pattern))
            .then_some((pattern.len(), *live))
    })
}

impl Refanged<'_> {
    /// The original text's byte range for a range of the refanged text.
    ///
    /// A range that starts or ends inside a replacement covers the whole
    /// defanged spelling.
    pub(super) fn original_span(&self, range: Range<usize>) -> Range<usize> {
        self.original_start(range.start)..self.original_end(range.end)
    }

    fn original_start(&self, at: usize) -> usize {
        let k = self.edits.partition_point(|e| e.new.0 <= at);
        match k.checked_sub(1).map(|k| self.edits[k]) {
            None => at,
            Some(e) if at < e.new.1 => e.old.0,
            Some(e) => e.old.1 + (at - e.new.1),
        }
    }

    fn original_end(&self, at: usize) -> usize {
        let k = self.edits.partition_point(|e| e.new.0 < at);
        match k.checked_sub(1).map(|k| self.edits[k]) {
            None => at,
            Some(e) if at <= e.new.1 => e.old.1,
            Some(e) => e.old.1 + (at - e.new.1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refangs_every_spelling_in_any_case() {
        let cases = [
            ("hxxp://a[.]b", "http://a.b"),
            ("HXXPS[://]a(DOT)b", "HTTPS://a.b"),
            ("a{.}b (.) [dot] {Dot}", "a.b . . ."),
            ("x[:]y", "x:y"),
            ("me[@]x me[AT]x me(at)x", "me@x me@x me@x"),
            ("[[.]]", "[.]"),
            ("no defang here [x] (y)", "no defang here [x] (y)"),
        ];
        for (defanged, live) in cases {
            assert_eq!(refang(defanged, Spans::Mapped).text, live, "{defanged}");
        }
        assert!(matches!(
            refang("plain text", Spans::Mapped).text,
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn spans_map_back_to_the_original() {
        let original = "see evil[.]com and hxxp://x[dot]net.";
        let r = refang(original, Spans::Mapped);
        assert_eq!(r.text, "see evil.com and http://x.net.");
        let evil = r.text.find("evil.com").unwrap();
        let span = r.original_span(evil..evil + "evil.com".len());
        assert_eq!(&original[span], "evil[.]com");
        let url = r.text.find("http").unwrap();
        let span = r.original_span(url..url + "http://x.net".len());
        assert_eq!(&original[span], "hxxp://x[dot]net");
        // A range inside a replacement covers the whole defanged spelling.
        let dot = r.text.find(".com").unwrap();
        assert_eq!(&original[r.original_span(dot..dot + 1)], "[.]");
    }
}
