//! The report as text.

use super::{Rating, Report};

/// The report as text: one line per change, then the generated API, then
/// a summary line.
pub fn render(report: &Report, base: &str) -> String {
    let mut out = String::new();
    for change in &report.changes {
        out.push_str(&format!("{change}\n"));
    }
    if !report.generated.is_empty() {
        out.push_str("generated Rust API:\n");
        for line in &report.generated {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push_str(&summary(report, base));
    out.push('\n');
    out
}

/// The report's one-line summary.
pub fn summary(report: &Report, base: &str) -> String {
    let breaking = report
        .changes
        .iter()
        .filter(|c| c.rating == Rating::Breaking)
        .count();
    if report.changes.is_empty() {
        format!("spec-diff: no change to specs/ since {base}")
    } else {
        format!(
            "spec-diff: {} change(s) since {base}, {breaking} breaking",
            report.changes.len()
        )
    }
}
