//! Byte classes for the scanner: one table lookup per byte.

/// `[A-Za-z0-9]`
pub(super) const ALNUM: u8 = 1;
/// `[0-9]`
pub(super) const DIGIT: u8 = 1 << 1;
/// `[0-9A-Fa-f]`
pub(super) const HEX: u8 = 1 << 2;
/// `[A-Za-z0-9-]`: a domain label.
pub(super) const LABEL: u8 = 1 << 3;
/// `[A-Za-z0-9_.-]`: a file name.
pub(super) const NAME: u8 = 1 << 4;
/// `[A-Za-z0-9._%+-]`: an email's local part.
pub(super) const LOCAL: u8 = 1 << 5;
/// ASCII whitespace, `"`, `'`: what ends a registry key.
pub(super) const SPACE_OR_QUOTE: u8 = 1 << 6;
/// ASCII whitespace, `"`, `'`, `<`, `>`: what ends a URL.
pub(super) const URL_STOP: u8 = 1 << 7;

const fn build() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let mut class = 0;
        if c.is_ascii_alphanumeric() {
            class |= ALNUM | LABEL | NAME | LOCAL;
        }
        if c.is_ascii_digit() {
            class |= DIGIT;
        }
        if c.is_ascii_hexdigit() {
            class |= HEX;
        }
        match c {
            b'-' => class |= LABEL | NAME | LOCAL,
            b'.' | b'_' => class |= NAME | LOCAL,
            b'%' | b'+' => class |= LOCAL,
            b'"' | b'\'' => class |= SPACE_OR_QUOTE | URL_STOP,
            b'<' | b'>' => class |= URL_STOP,
            _ => {}
        }
        if c.is_ascii_whitespace() || c == 0x0b {
            class |= SPACE_OR_QUOTE | URL_STOP;
        }
        table[i] = class;
        i += 1;
    }
    table
}

static CLASS: [u8; 256] = build();

/// Whether `byte` is in any of `classes`.
#[inline(always)]
pub(super) fn is(byte: u8, classes: u8) -> bool {
    CLASS[byte as usize] & classes != 0
}

/// The end of the run of `class` bytes starting at `from`.
#[inline]
pub(super) fn run_end(bytes: &[u8], from: usize, class: u8) -> usize {
    let mut end = from;
    while end < bytes.len() && is(bytes[end], class) {
        end += 1;
    }
    end
}

/// Whether `word` equals the lower-case ASCII `lower`, in any case.
#[inline]
pub(super) fn eq_ignore_case(word: &[u8], lower: &[u8]) -> bool {
    word.eq_ignore_ascii_case(lower)
}
