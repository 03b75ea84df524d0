//! The rows of a bulk run: CSV or JSON Lines, each row checked, each
//! problem named by its line.

use serde::Deserialize;
use threat_reports::ReportStatus;

/// One valid row of the input.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    pub source_id: String,
    pub status: ReportStatus,
}

/// A row that could not be read, with why.
#[derive(Debug, Clone)]
pub struct Invalid {
    pub line: usize,
    pub problem: String,
    /// The row's source_id and status as written, when it had both.
    pub fields: Option<(String, String)>,
}

/// The rows of CSV (`source_id,status`, an optional header) or JSON Lines
/// (`{"source_id": …, "status": …}`), told apart by the first character.
/// Lines end in LF or CRLF.
pub fn parse(text: &str) -> (Vec<Row>, Vec<Invalid>) {
    let mut rows = Vec::new();
    let mut invalid = Vec::new();
    let mut push = |read: Result<Row, Invalid>| match read {
        Ok(row) => rows.push(row),
        Err(bad) => invalid.push(bad),
    };
    if text.trim_start().starts_with('{') {
        #[derive(Deserialize)]
        struct JsonRow {
            /// Text, or a whole number (`777776` as well as `"777776"`).
            source_id: serde_json::Value,
            status: String,
        }
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<JsonRow>(line) {
                Ok(row) => match row.source_id {
                    serde_json::Value::String(id) => push(read_row(index + 1, &id, &row.status)),
                    serde_json::Value::Number(n) if n.is_u64() || n.is_i64() => {
                        push(read_row(index + 1, &n.to_string(), &row.status))
                    }
                    other => push(Err(Invalid {
                        line: index + 1,
                        problem: format!(
                            "source_id must be text or a whole number, not {}",
                            crate::output::shown(&other.to_string())
                        ),
                        fields: None,
                    })),
                },
                Err(e) => push(Err(Invalid {
                    line: index + 1,
                    problem: format!("not a {{\"source_id\", \"status\"}} object: {e}"),
                    fields: None,
                })),
            }
        }
    } else {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        // A header `source_id,status,why` (as --failed writes it) lets each
        // row carry a third field, which is ignored: the file reruns as is.
        let mut third_column = false;
        for (index, record) in reader.records().enumerate() {
            // The line from the byte offset: the reader's own line count
            // goes wrong with CRLF endings and blank lines.
            let byte = match &record {
                Ok(r) => r.position().map(|p| p.byte()),
                Err(e) => e.position().map(|p| p.byte()),
            };
            let line = byte.map_or(index + 1, |byte| line_of(text, byte as usize));
            // No id or status holds a line break: a field that does is an
            // unterminated quote that swallowed the lines after it.
            if let Ok(r) = &record {
                let breaks: usize = r.iter().map(|f| f.matches('\n').count()).sum();
                if breaks > 0 {
                    push(Err(Invalid {
                        line,
                        problem: format!(
                            "a quote opened on line {line} runs to line {}: lines {line} to {} \
                             were read as one row (close the quote, or remove it)",
                            line + breaks,
                            line + breaks
                        ),
                        fields: None,
                    }));
                    continue;
                }
            }
            match record {
                Ok(r)
                    if index == 0
                        && r.len() == 3
                        && r[0].eq_ignore_ascii_case("source_id")
                        && r[1].eq_ignore_ascii_case("status")
                        && r[2].eq_ignore_ascii_case("why") =>
                {
                    third_column = true;
                }
                Ok(r) if third_column && r.len() == 3 => push(read_row(line, &r[0], &r[1])),
                Ok(r) if r.len() == 2 => {
                    let is_header = index == 0
                        && r[0].eq_ignore_ascii_case("source_id")
                        && r[1].eq_ignore_ascii_case("status");
                    if !is_header {
                        push(read_row(line, &r[0], &r[1]));
                    }
                }
                Ok(r) if r.len() == 1 && r[0].is_empty() => {}
                Ok(r) => push(Err(Invalid {
                    line,
                    problem: format!("expected 2 fields (source_id,status), found {}", r.len()),
                    // The line's fields, in the first column, to be fixed.
                    fields: Some((r.iter().collect::<Vec<_>>().join(","), String::new())),
                })),
                Err(e) => push(Err(Invalid {
                    line,
                    problem: e.to_string(),
                    fields: None,
                })),
            }
        }
    }
    (rows, invalid)
}

/// The line (from 1) of the record the reader says starts at `byte`. With
/// CRLF endings and blank lines the reader's offset points at the line
/// breaks before the record: they are stepped over.
fn line_of(text: &str, byte: usize) -> usize {
    let bytes = text.as_bytes();
    let mut start = byte.min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    bytes[..start].iter().filter(|b| **b == b'\n').count() + 1
}

/// A row from its fields, trimmed as CSV trims them, or why it is invalid.
fn read_row(line: usize, source_id: &str, status: &str) -> Result<Row, Invalid> {
    let fields = Some((source_id.to_string(), status.to_string()));
    let source_id = source_id.trim();
    if source_id.is_empty() {
        return Err(Invalid {
            line,
            problem: "source_id is empty".into(),
            fields,
        });
    }
    match status.parse::<ReportStatus>() {
        Ok(status) => Ok(Row {
            line,
            source_id: source_id.to_string(),
            status,
        }),
        Err(e) => Err(Invalid {
            line,
            problem: e.to_string(),
            fields,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_alike_with_lf_and_crlf_endings() {
        for text in [
            "source_id,status\r\nr0000,closed\r\n\r\nr0001,bogus\r\nr0002,closed\r\n",
            "source_id,status\nr0000,closed\n\nr0001,bogus\nr0002,closed\n",
        ] {
            let (rows, invalid) = parse(text);
            let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, [2, 5], "{text:?}");
            assert_eq!(invalid[0].line, 4, "{text:?}");
        }
    }
}
