//! The inputs of `trustar bulk-submit`: a folder (each regular file one
//! report, titled by its name) or JSON Lines (`-` for standard input), each
//! with a stable external tracking id.

use std::path::Path;

use serde::Deserialize;
use threat_reports::trustar::ReportUpdate;

use crate::Failure;

/// One input: where it came from, and the report it is.
#[derive(Debug, Clone)]
pub struct Input {
    /// Its place: the file's position in the folder, or the line.
    pub line: usize,
    /// How output names it: the file's name, or `line N`.
    pub name: String,
    /// The report, with its external tracking id.
    pub report: ReportUpdate,
}

impl bulk_runner::BulkRow for Input {
    fn line(&self) -> usize {
        self.line
    }

    fn key(&self) -> &str {
        self.report
            .external_tracking_id
            .as_deref()
            .unwrap_or_default()
    }

    fn value(&self) -> String {
        format!("{:016x}", fnv64(self.report.body.as_bytes()))
    }
}

/// An input that could not be read, with why.
#[derive(Debug, Clone)]
pub struct Unreadable {
    pub name: String,
    pub problem: String,
}

/// FNV-1a, 64 bits: stable across runs, platforms and versions, which is
/// all a derived id needs (it is no secret and no defence).
fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The external id an input without one gets: from its name and content,
/// so that a rerun, or a retry after a lost answer, finds the same report.
fn derived_id(name: &str, body: &str) -> String {
    let mut key = name.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(body.as_bytes());
    format!("rctl-{:016x}", fnv64(&key))
}

/// The inputs at `path`: a folder's regular files in name order, or JSON
/// Lines from a file or `-`.
pub fn read(path: &Path, enclave: &str) -> Result<(Vec<Input>, Vec<Unreadable>), Failure> {
    if path.is_dir() {
        return folder(path, enclave);
    }
    let text = crate::input::text(path)?;
    Ok(lines(&text, enclave))
}

fn folder(path: &Path, enclave: &str) -> Result<(Vec<Input>, Vec<Unreadable>), Failure> {
    let entries = std::fs::read_dir(path)
        .map_err(|e| Failure::usage(format!("cannot read the folder {}: {e}", path.display())))?;
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut inputs = Vec::new();
    let mut unreadable = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let title = file
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| name.clone());
        match std::fs::read(file).map(String::from_utf8) {
            Ok(Ok(body)) => {
                let id = derived_id(&name, &body);
                inputs.push(Input {
                    line: index + 1,
                    report: ReportUpdate::new(title, body, enclave).external_tracking_id(id),
                    name,
                });
            }
            Ok(Err(_)) => unreadable.push(Unreadable {
                name,
                problem: "not UTF-8 text".into(),
            }),
            Err(e) => unreadable.push(Unreadable {
                name,
                problem: e.to_string(),
            }),
        }
    }
    Ok((inputs, unreadable))
}

/// A JSON Lines input.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    title: String,
    body: String,
    external_id: Option<String>,
    external_url: Option<String>,
    time_began: Option<String>,
    enclave: Option<String>,
}

fn lines(text: &str, enclave: &str) -> (Vec<Input>, Vec<Unreadable>) {
    let mut inputs = Vec::new();
    let mut unreadable = Vec::new();
    for (index, text) in text.lines().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        let name = format!("line {}", index + 1);
        let line: Line = match serde_json::from_str(text) {
            Ok(line) => line,
            Err(e) => {
                unreadable.push(Unreadable {
                    name,
                    problem: format!(
                        "{e}; expected {{\"title\", \"body\", \"external_id\"?, \"external_url\"?, \
                         \"time_began\"?, \"enclave\"?}}"
                    ),
                });
                continue;
            }
        };
        let id = line
            .external_id
            .clone()
            .unwrap_or_else(|| derived_id(&line.title, &line.body));
        let mut report = ReportUpdate::new(
            line.title,
            line.body,
            line.enclave.unwrap_or_else(|| enclave.to_string()),
        )
        .external_tracking_id(id);
        if let Some(url) = line.external_url {
            report = report.external_url(url);
        }
        if let Some(time) = line.time_began {
            match crate::input::time("time_began", &time) {
                Ok(time) => report = report.time_began(time),
                Err(e) => {
                    unreadable.push(Unreadable {
                        name,
                        problem: e.message,
                    });
                    continue;
                }
            }
        }
        inputs.push(Input {
            line: index + 1,
            name,
            report,
        });
    }
    (inputs, unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_tell_contents_apart() {
        assert_eq!(
            derived_id("a.txt", "evil.exe"),
            derived_id("a.txt", "evil.exe")
        );
        assert_ne!(
            derived_id("a.txt", "evil.exe"),
            derived_id("a.txt", "evil.exe ")
        );
        assert_ne!(derived_id("a.txt", "x"), derived_id("b.txt", "x"));
        // FNV-1a's published test value.
        assert_eq!(fnv64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
