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

/// Refangs `text` in one pass. Replacements are not themselves rescanned:
/// `[[.]]` becomes `[.]`.
pub(super) fn refang(text: &str) -> Refanged<'_> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut edits = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let (len, replacement): (usize, Cow<'static, str>) = match bytes[i] {
            b'[' | b'(' | b'{' => match bracketed_at(&bytes[i..]) {
                Some((len, live)) => (len, Cow::Borrowed(live)),
                None => {
                    i += 1;
                    continue;
                }
            },
            // `hxxp` → `http`, keeping the case of each letter.
            b'x' | b'X'
                if i > 0
                    && matches!(bytes[i - 1], b'h' | b'H')
                    && matches!(bytes.get(i + 1), Some(b'x' | b'X'))
                    && matches!(bytes.get(i + 2), Some(b'p' | b'P')) =>
            {
                let t = |x: u8| if x == b'X' { 'T' } else { 't' };
                (
                    2,
                    Cow::Owned([t(bytes[i]), t(bytes[i + 1])].iter().collect()),
                )
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
        out.push_str(&text[copied..i]);
        let new_start = out.len();
        out.push_str(&replacement);
        if replacement.len() != len {
            edits.push(Edit {
                new: (new_start, out.len()),
                old: (i, i + len),
            });
        }
        i += len;
        copied = i;
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

fn bracketed_at(rest: &[u8]) -> Option<(usize, &'static str)> {
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
            assert_eq!(refang(defanged).text, live, "{defanged}");
        }
        assert!(matches!(refang("plain text").text, Cow::Borrowed(_)));
    }

    #[test]
    fn spans_map_back_to_the_original() {
        let original = "see evil[.]com and hxxp://x[dot]net.";
        let r = refang(original);
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
