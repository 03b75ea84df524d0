//! Reading what a command is given: a file, or standard input for `-`.
//! Input must be UTF-8; where it is not is named by line and byte.

use std::io::{IsTerminal, Read};
use std::path::Path;
use threat_reports::chrono::{DateTime, Utc};

use crate::Failure;

/// Input that is not UTF-8: where the first bad byte is.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NotUtf8 {
    /// Its line, from 1.
    line: usize,
    /// Its offset in the file, from 0.
    byte: usize,
    /// Its offset in its line, from 0.
    byte_in_line: usize,
}

/// Where UTF-8 stops in `bytes`, valid up to `byte` (reportctl refuses
/// such input rather than guess at the ids in it).
fn not_utf8_at(bytes: &[u8], byte: usize) -> NotUtf8 {
    let before = &bytes[..byte.min(bytes.len())];
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    NotUtf8 {
        line: before.iter().filter(|b| **b == b'\n').count() + 1,
        byte,
        byte_in_line: byte - line_start,
    }
}

/// What `path` names, for messages.
fn name(path: &Path) -> String {
    if path == Path::new("-") {
        "standard input".into()
    } else {
        path.display().to_string()
    }
}

/// A file's bytes, or standard input's for `-`.
pub fn bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
        return Ok(bytes);
    }
    std::fs::read(path).map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))
}

/// A file's text, or standard input's for `-`; refused, with where, when
/// it is not UTF-8.
pub fn text(path: &Path) -> Result<String, Failure> {
    String::from_utf8(bytes(path)?).map_err(|e| {
        let at = not_utf8_at(e.as_bytes(), e.utf8_error().valid_up_to());
        Failure::usage(format!(
            "{} is not UTF-8: line {}, byte {} of the line (byte {} of the input); save it as UTF-8",
            name(path),
            at.line,
            at.byte_in_line + 1,
            at.byte + 1
        ))
    })
}

/// A file's text, or standard input's when there is no file or it is `-`.
/// Reading a terminal says so first: a user who forgot the file would
/// otherwise see nothing happen.
pub fn text_or_stdin(path: Option<&Path>) -> Result<String, Failure> {
    let path = path.unwrap_or(Path::new("-"));
    if path == Path::new("-") && std::io::stdin().is_terminal() {
        eprintln!(
            "reportctl: reading the text from standard input (end it with Ctrl-D; or give a FILE)"
        );
    }
    text(path)
}

/// A time given as RFC 3339 or as milliseconds since the Unix epoch.
pub fn time(flag: &str, text: &str) -> Result<DateTime<Utc>, Failure> {
    let text = text.trim();
    if let Ok(ms) = text.parse::<i64>() {
        return DateTime::from_timestamp_millis(ms).ok_or_else(|| {
            Failure::usage(format!(
                "{flag} {text}: out of range as milliseconds since 1970"
            ))
        });
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            Failure::usage(format!(
                "{flag} {text:?}: {e}; expected RFC 3339 (2026-12-01T09:00:00Z) or milliseconds \
                 since the Unix epoch"
            ))
        })
}
