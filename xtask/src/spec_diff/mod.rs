//! `cargo xtask spec-diff [BASE]`: what a change to `specs/` does to the
//! APIs' callers, each change rated for a client of the generated crates,
//! and what it does to the generated Rust API.
//!
//! The rules are this project's own, over `openapiv3` with every `$ref`
//! resolved: `redocly diff` (the pinned 2.77.0) rates a renamed request
//! property a patch, where it breaks every client that sends it.

mod generated_api;
mod git;
mod render;
mod resolve;
mod rules;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use anyhow::{Result, bail};

use crate::generate::parse_spec;
pub use generated_api::{diff_generated, public_items};
use git::{specs_at, specs_now};
pub use render::{render, summary};
pub use rules::diff_specs;

/// How a change lands on a client of the generated crates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rating {
    /// Existing callers keep working.
    Compatible,
    /// Some existing caller breaks.
    Breaking,
}

/// One change to a spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Breaking or compatible.
    pub rating: Rating,
    /// The spec (`xsiam`).
    pub spec: String,
    /// The operation (its `operationId`), or `-` for the spec as a whole.
    pub operation: String,
    /// Where, as a JSON pointer into the new (or, if removed, old) spec.
    pub path: String,
    /// What changed.
    pub what: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rating = match self.rating {
            Rating::Breaking => "breaking  ",
            Rating::Compatible => "compatible",
        };
        write!(
            f,
            "{rating} {}: {} at {}: {}",
            self.spec, self.operation, self.path, self.what
        )
    }
}

/// What `spec-diff` found: the API changes and the generated-API changes.
#[derive(Debug, Default)]
pub struct Report {
    /// Every change to the APIs, rated.
    pub changes: Vec<Change>,
    /// Public items of the generated modules that appear, disappear or
    /// change signature.
    pub generated: Vec<String>,
}

impl Report {
    /// Whether any change breaks a client.
    pub fn breaking(&self) -> bool {
        self.changes.iter().any(|c| c.rating == Rating::Breaking)
    }
}

/// Compares two sets of spec texts, by name.
pub fn compare(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Result<Report> {
    let mut report = Report::default();
    let whole = |rating, spec: &str, what: &str| Change {
        rating,
        spec: spec.to_string(),
        operation: "-".into(),
        path: "#".into(),
        what: what.into(),
    };
    for (name, text) in old {
        match new.get(name) {
            None => report
                .changes
                .push(whole(Rating::Breaking, name, "spec removed")),
            Some(now) if now == text => {}
            Some(now) => {
                let path = format!("specs/{name}.yaml");
                let (was, is) = (parse_spec(&path, text)?, parse_spec(&path, now)?);
                report.changes.extend(diff_specs(name, &was, &is));
                report.generated.extend(diff_generated(name, text, now)?);
            }
        }
    }
    for name in new.keys().filter(|n| !old.contains_key(*n)) {
        report
            .changes
            .push(whole(Rating::Compatible, name, "spec added"));
    }
    Ok(report)
}

/// Every change to `root/specs/` since the git revision `base`.
pub fn since(root: &Path, base: &str) -> Result<Report> {
    compare(&specs_at(root, base)?, &specs_now(root)?)
}

/// Another OpenAPI file's text, and the spec of `root/specs/` it goes
/// with: `spec` when named, else the one whose paths it shares most; with
/// that spec's name and text.
pub fn matching_spec(
    root: &Path,
    file: &Path,
    spec: Option<&str>,
) -> Result<(String, String, String)> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let shown = file.display().to_string();
    let theirs = parse_spec(&shown, &text)?;
    let mut ours = specs_now(root)?;
    let name = match spec {
        Some(name) if ours.contains_key(name) => name.to_string(),
        Some(name) => bail!(
            "there is no specs/{name}.yaml; the specs are {}",
            ours.keys().cloned().collect::<Vec<_>>().join(", ")
        ),
        None => {
            let mut best: Option<(usize, String)> = None;
            for (name, ours) in &ours {
                let spec = parse_spec(&format!("specs/{name}.yaml"), ours)?;
                let n = spec
                    .paths
                    .paths
                    .keys()
                    .filter(|p| theirs.paths.paths.contains_key(*p))
                    .count();
                if n > 0 && best.as_ref().is_none_or(|(m, _)| n > *m) {
                    best = Some((n, name.clone()));
                }
            }
            match best {
                Some((_, name)) => name,
                None => bail!(
                    "{shown} shares no path with any spec in specs/; name one: SPEC after the path"
                ),
            }
        }
    };
    let ours = ours.remove(&name).unwrap_or_default();
    Ok((text, name, ours))
}

/// What separates `root/specs/{spec}.yaml` from another OpenAPI file (a
/// vendor's own, say): every difference, rated as if that file were the
/// base and ours the change. With no `spec`, the one of `specs/` whose
/// paths the file shares most. The generated-API part is left out: a
/// foreign file need not generate.
pub fn against_file(root: &Path, base_file: &Path, spec: Option<&str>) -> Result<(String, Report)> {
    let (theirs, name, ours) = matching_spec(root, base_file, spec)?;
    let theirs = parse_spec(&base_file.display().to_string(), &theirs)?;
    let is = parse_spec(&format!("specs/{name}.yaml"), &ours)?;
    let report = Report {
        changes: diff_specs(&name, &theirs, &is),
        generated: Vec::new(),
    };
    Ok((name, report))
}

/// `cargo xtask spec-diff --base-file PATH [SPEC]`: prints what separates
/// the spec from the file; a comparison, never a failure.
pub fn spec_diff_file(root: &Path, base_file: &Path, spec: Option<&str>) -> Result<Report> {
    let (name, report) = against_file(root, base_file, spec)?;
    print!(
        "{}",
        render(
            &report,
            &format!("{} (compared with specs/{name}.yaml)", base_file.display())
        )
    );
    Ok(report)
}

/// `cargo xtask spec-diff [BASE] [--allow-breaking]`: prints the report;
/// fails when anything breaks, unless allowed.
pub fn spec_diff(root: &Path, base: &str, allow_breaking: bool) -> Result<Report> {
    let report = since(root, base)?;
    print!("{}", render(&report, base));
    if report.breaking() && !allow_breaking {
        bail!(
            "the change to specs/ breaks existing clients (see above); pass --allow-breaking if that is intended"
        );
    }
    Ok(report)
}
