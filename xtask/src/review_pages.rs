//! The review pages: each spec rendered by Redocly, the `spec-diff` report
//! as a page beside them (`cargo xtask docs --base REV`), and the check that
//! opens them all in headless Chromium (`cargo xtask docs-check`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use openapiv3::OpenAPI;
use serde_json::{Value, json};

use crate::apis::APIS;
use crate::generate::parse_spec;
use crate::spec_diff::{self, Rating, Report};
use crate::{lint, node_tools};

/// The spec-diff page's file name, beside the rendered specs.
pub const SPEC_DIFF_PAGE: &str = "spec-diff.html";

/// Texts Redoc and Redocly show when a page fails to render.
pub const ERROR_BANNERS: &[&str] = &[
    "Something went wrong",
    "failed to render",
    "Error downloading",
    "Invalid definition",
];

/// `text` safe inside HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page's title (and heading) for a report since `base`.
pub fn spec_diff_title(base: &str) -> String {
    format!("Spec changes since {base}")
}

/// The `spec-diff` report as a self-contained HTML page: the summary, one
/// table row per change (breaking first), the generated Rust API's changes.
pub fn spec_diff_page(report: &Report, base: &str) -> String {
    let title = escape(&spec_diff_title(base));
    let mut changes = report.changes.clone();
    changes.sort_by(|a, b| b.rating.cmp(&a.rating).then_with(|| a.cmp(b)));
    let mut rows = String::new();
    for change in &changes {
        let rating = match change.rating {
            Rating::Breaking => "breaking",
            Rating::Compatible => "compatible",
        };
        let _ = writeln!(
            rows,
            "<tr class=\"{rating}\"><td>{rating}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            escape(&change.spec),
            escape(&change.operation),
            escape(&change.path),
            escape(&change.what),
        );
    }
    let table = if changes.is_empty() {
        String::new()
    } else {
        format!(
            "<table>\n<thead><tr><th>rating</th><th>spec</th><th>operation</th><th>where</th><th>what</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n"
        )
    };
    let generated = if report.generated.is_empty() {
        String::new()
    } else {
        let items: String = report
            .generated
            .iter()
            .map(|line| format!("<li><code>{}</code></li>\n", escape(line)))
            .collect();
        format!("<h2>Generated Rust API</h2>\n<ul>\n{items}</ul>\n")
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }}
tr.breaking td:first-child {{ color: #a00; font-weight: bold; }}
code {{ word-break: break-all; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p id="summary">{summary}</p>
{table}{generated}<p>Written by <code>cargo xtask docs --base {base}</code>; the rules are in the README (spec review).</p>
</body>
</html>
"#,
        summary = escape(&spec_diff::summary(report, base)),
        base = escape(base),
    )
}

/// `cargo xtask docs [--base REV]`: renders every spec, and with a base,
/// writes the spec-diff page beside them. Returns the pages' paths relative
/// to `root`.
pub fn docs(root: &Path, base: Option<&str>) -> Result<Vec<String>> {
    let mut pages = lint::docs(root)?;
    if let Some(base) = base {
        pages.push(write_spec_diff_page(root, base)?.0);
    }
    Ok(pages)
}

/// Writes the spec-diff page since `base`; returns its path relative to
/// `root` and the report it shows.
fn write_spec_diff_page(root: &Path, base: &str) -> Result<(String, Report)> {
    let report = spec_diff::since(root, base)?;
    let out = format!("target/docs/{SPEC_DIFF_PAGE}");
    std::fs::write(root.join(&out), spec_diff_page(&report, base))
        .with_context(|| format!("cannot write {out}"))?;
    Ok((out, report))
}

/// What the browser must see on one rendered spec: its title, the heading
/// Redoc gives it (`TITLE (VERSION)`) and every operation's summary under
/// its first tag. A title that repeats the version is refused here.
pub fn spec_page_plan(file: &Path, spec: &OpenAPI) -> Result<Value> {
    let info = &spec.info;
    if info.title.contains(&info.version) {
        bail!(
            "the title {:?} repeats the version {:?}, which Redoc shows beside it",
            info.title,
            info.version
        );
    }
    let mut operations = Vec::new();
    for (path, method, operation) in spec.operations() {
        let (Some(summary), Some(tag)) = (&operation.summary, operation.tags.first()) else {
            bail!("{method} {path} needs a summary and a tag to be found on its page");
        };
        operations.push(json!({"tag": tag, "summary": summary}));
    }
    Ok(json!({
        "file": file,
        "title": info.title,
        "heading": format!("{} ({})", info.title, info.version),
        "operations": operations,
        "banners": ERROR_BANNERS,
    }))
}

/// What the browser must see on the spec-diff page: its title, the summary
/// and every change's words.
pub fn spec_diff_plan(file: &Path, report: &Report, base: &str) -> Value {
    let mut texts = vec![spec_diff::summary(report, base)];
    texts.extend(report.changes.iter().map(|c| c.what.clone()));
    json!({
        "file": file,
        "title": spec_diff_title(base),
        "heading": spec_diff_title(base),
        "texts": texts,
        "banners": ERROR_BANNERS,
    })
}

/// Debian's Chromium, or `$CHROMIUM`.
pub fn chromium() -> Result<PathBuf> {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !path.exists() {
        bail!(
            "Chromium is not at {} (set CHROMIUM, or install Debian's: apt-get install chromium; .ci/run does)",
            path.display()
        );
    }
    Ok(path)
}

/// What the browser check said: one line per check (`ok`, `FAIL`, `note`),
/// and whether every check passed.
#[derive(Debug)]
pub struct BrowserVerdict {
    /// Every check passed.
    pub passed: bool,
    /// The checks' lines, as printed.
    pub lines: String,
}

/// Runs the browser check over `pages` (plans as above), writing the plan
/// to `plan_path`; the check's lines are printed and returned.
pub fn run_in_browser(root: &Path, pages: Vec<Value>, plan_path: &Path) -> Result<BrowserVerdict> {
    let plan = json!({"chromium": chromium()?, "pages": pages});
    std::fs::write(plan_path, serde_json::to_vec_pretty(&plan)?)
        .with_context(|| format!("cannot write {}", plan_path.display()))?;
    node_tools::ensure_installed(root)?;
    let script = root.join("tools/browser/check-pages.js");
    let output = Command::new("node")
        .arg(&script)
        .arg(plan_path)
        .current_dir(root.join("tools"))
        .output()
        .context("cannot run node (install Node.js 20: apt-get install nodejs npm)")?;
    let lines = String::from_utf8_lossy(&output.stdout).into_owned();
    print!("{lines}");
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    Ok(BrowserVerdict {
        passed: output.status.success(),
        lines,
    })
}

/// [`run_in_browser`], failing when any check failed.
pub fn check_in_browser(root: &Path, pages: Vec<Value>, plan_path: &Path) -> Result<()> {
    if !run_in_browser(root, pages, plan_path)?.passed {
        bail!("the rendered pages failed the browser check (see above)");
    }
    Ok(())
}

/// `cargo xtask docs-check [--base REV]`: writes every page (the spec-diff
/// page against `base`, default `HEAD`) and checks each in headless
/// Chromium.
pub fn docs_check(root: &Path, base: Option<&str>) -> Result<()> {
    let base = base.unwrap_or("HEAD");
    lint::docs(root)?;
    let (_, report) = write_spec_diff_page(root, base)?;
    let out = root.join("target/docs");
    let mut pages = Vec::new();
    for api in APIS {
        let text = std::fs::read_to_string(root.join(api.spec_path()))?;
        let spec = parse_spec(&api.spec_path(), &text)?;
        pages.push(spec_page_plan(
            &out.join(format!("{}.html", api.spec)),
            &spec,
        )?);
    }
    pages.push(spec_diff_plan(&out.join(SPEC_DIFF_PAGE), &report, base));
    check_in_browser(root, pages, &out.join("browser-plan.json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec_diff::Change;

    #[test]
    fn the_page_escapes_what_it_shows_and_puts_breaking_changes_first() {
        let report = Report {
            changes: vec![
                Change {
                    rating: Rating::Compatible,
                    spec: "s".into(),
                    operation: "op".into(),
                    path: "#/a".into(),
                    what: "description changed".into(),
                },
                Change {
                    rating: Rating::Breaking,
                    spec: "s".into(),
                    operation: "op".into(),
                    path: "#/b".into(),
                    what: "property \"<x>\" removed & gone".into(),
                },
            ],
            generated: vec!["removed types::X".into()],
        };
        let page = spec_diff_page(&report, "HEAD~1");
        assert!(page.contains("<title>Spec changes since HEAD~1</title>"));
        assert!(page.contains("property &quot;&lt;x&gt;&quot; removed &amp; gone"));
        assert!(!page.contains("<x>"));
        let breaking = page.find("class=\"breaking\"").unwrap();
        let compatible = page.find("class=\"compatible\"").unwrap();
        assert!(breaking < compatible);
        assert!(page.contains("2 change(s) since HEAD~1, 1 breaking"));
        assert!(page.contains("<li><code>removed types::X</code></li>"));
    }

    #[test]
    fn a_title_that_repeats_the_version_is_refused() {
        let spec: OpenAPI = serde_yaml::from_str(
            "openapi: 3.0.3\ninfo: {title: API 1.3, version: '1.3'}\npaths: {}\n",
        )
        .unwrap();
        let error = spec_page_plan(Path::new("x.html"), &spec).unwrap_err();
        assert!(error.to_string().contains("repeats the version"), "{error}");
    }
}
