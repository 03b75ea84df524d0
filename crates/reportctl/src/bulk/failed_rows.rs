//! The failed rows: listed on a terminal, written as CSV to rerun.

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

/// Writes the failed rows as CSV (`source_id,status`), to rerun.
pub fn write_failed(path: &std::path::Path, failed: &[FailedRow]) -> Result<(), Failure> {
    let mut writer = csv::Writer::from_path(path)
        .map_err(|e| Failure::failed(format!("cannot write --failed {}: {e}", path.display())))?;
    let mut write = || -> Result<(), csv::Error> {
        writer.write_record(["source_id", "status"])?;
        for row in failed {
            writer.write_record([row.source_id.as_str(), row.status.as_str()])?;
        }
        writer.flush()?;
        Ok(())
    };
    write().map_err(|e| Failure::failed(format!("cannot write --failed {}: {e}", path.display())))
}
