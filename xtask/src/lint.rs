//! `cargo xtask lint` and `cargo xtask docs`: the pinned spec tools.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::apis::APIS;
use crate::node_tools;

/// A pinned tool, installed in this workspace, run in `cwd`.
fn tool(cwd: &Path, name: &str) -> Result<Command> {
    let mut command = node_tools::tool(&crate::workspace_root(), name)?;
    command.current_dir(cwd);
    Ok(command)
}

fn run(mut command: Command, what: &str) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot start {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// Spectral (`spectral:oas`), Redocly (`recommended`, warnings as errors)
/// and openapi-examples-validator over every spec under `root` (with
/// `root/specs/lint/` as configuration). Fails on any finding.
pub fn lint(root: &Path) -> Result<()> {
    let specs: Vec<String> = APIS.iter().map(|api| api.spec_path()).collect();

    let mut spectral = tool(root, "spectral")?;
    spectral
        .args([
            "lint",
            "--ruleset",
            "specs/lint/spectral.yaml",
            "--fail-severity",
            "warn",
        ])
        .args(&specs);
    run(spectral, "spectral lint")?;

    let mut redocly = tool(root, "redocly")?;
    redocly
        .args(["lint", "--config", "specs/lint/redocly.yaml"])
        .args(&specs);
    run(redocly, "redocly lint")?;

    for spec in &specs {
        let mut examples = tool(root, "openapi-examples-validator")?;
        examples.arg(spec);
        run(examples, &format!("openapi-examples-validator {spec}"))?;
    }
    Ok(())
}

/// Renders each spec under `root` to one self-contained HTML page,
/// `root/target/docs/NAME.html`; returns their paths relative to `root`.
pub fn docs(root: &Path) -> Result<Vec<String>> {
    let mut pages = Vec::new();
    for api in APIS {
        let out = format!("target/docs/{}.html", api.spec);
        render(root, &api.spec_path(), &root.join(&out))?;
        pages.push(out);
    }
    Ok(pages)
}

/// Renders the spec at `spec` (relative to `root`) to the page `out`.
pub fn render(root: &Path, spec: &str, out: &Path) -> Result<()> {
    let mut redocly = tool(root, "redocly")?;
    redocly
        .args(["build-docs", spec, "--inlineBundle", "-o"])
        .arg(out)
        .args(["--config", "specs/lint/redocly.yaml"]);
    run(redocly, &format!("redocly build-docs {spec}"))
}
