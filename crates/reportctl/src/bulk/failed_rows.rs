//! The failed rows: listed on a terminal, written as CSV to rerun.

use super::input::Invalid;
use super::run::FailedRow;
use crate::Failure;
use crate::output::shown;

/// How many failed rows a terminal shows.
const FAILED_ROWS_SHOWN: usize = 20;

/// On a terminal, where rows were not printed one by one: the failed rows,
/// the first twenty and how many more.
pub(super) fn print_failed_rows(failed: &[FailedRow]) {
    if failed.is_empty() {
        return;
    }
    eprintln!("failed rows:");
    for row in failed.iter().take(FAILED_ROWS_SHOWN) {
        eprintln!(
            "  line {}: {} -> {}: {}",
            row.line,
            shown(&row.source_id),
            row.status,
            row.error
        );
    }
    if failed.len() > FAILED_ROWS_SHOWN {
        eprintln!(
            "  … and {} more (--failed FILE writes them all)",
            failed.len() - FAILED_ROWS_SHOWN
        );
    }
}

/// Writes the failed rows and the invalid ones as CSV
/// (`source_id,status,why`), in the input's line order: the failed rows to
/// rerun as they are, the invalid ones as written, to fix first. The input
/// reader takes the file back, ignoring `why`.
pub fn write_failed(
    path: &std::path::Path,
    failed: &[FailedRow],
    invalid: &[Invalid],
) -> Result<(), Failure> {
    let mut writer = csv::Writer::from_path(path)
        .map_err(|e| Failure::failed(format!("cannot write --failed {}: {e}", path.display())))?;
    let mut write = || -> Result<(), csv::Error> {
        writer.write_record(["source_id", "status", "why"])?;
        let mut rows: Vec<(usize, [String; 3])> = failed
            .iter()
            .map(|row| {
                let why = format!("line {}: failed: {}", row.line, row.error);
                (row.line, [row.source_id.clone(), row.status.clone(), why])
            })
            .chain(invalid.iter().map(|bad| {
                let (id, status) = bad.fields.clone().unwrap_or_default();
                let why = format!("line {}: invalid: {}", bad.line, bad.problem);
                (bad.line, [id, status, why])
            }))
            .collect();
        rows.sort_by_key(|(line, _)| *line);
        for (_, record) in &rows {
            writer.write_record(record)?;
        }
        writer.flush()?;
        Ok(())
    };
    write().map_err(|e| Failure::failed(format!("cannot write --failed {}: {e}", path.display())))
}
