//! `cargo xtask regenerate [--check]`: every spec in `specs/` to its crate.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use similar::TextDiff;

use crate::apis::{APIS, Api};
use crate::generate::{Generated, generate};

/// Write the generated files, or only compare them with the specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write what changed (atomically); leave unchanged files alone.
    Write,
    /// Write nothing; report drift as a unified diff.
    Check,
}

/// What happened to one API's generated module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    /// The committed file already matches the spec.
    Unchanged,
    /// The file was (re)written (`Mode::Write`).
    Written,
    /// The committed file differs from the spec (`Mode::Check`): the diff.
    Drifted(String),
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct ApiOutcome {
    /// The API.
    pub api: Api,
    /// Counts and flags from generation.
    pub generated: Generated,
    /// What happened to its file.
    pub state: FileState,
    /// Whether `regenerate` created the crate's manifest and `lib.rs`.
    pub scaffolded: bool,
}

impl ApiOutcome {
    /// The one-line summary printed per spec.
    pub fn summary(&self) -> String {
        let state = match (&self.state, self.scaffolded) {
            (FileState::Unchanged, _) => "unchanged",
            (FileState::Written, true) => "written (new crate)",
            (FileState::Written, false) => "changed",
            (FileState::Drifted(_), _) => "DRIFT: differs from the spec",
        };
        format!(
            "{} -> {}: {} operation{}, {} type{}, {state}",
            self.api.spec_path(),
            self.api.generated_path(),
            self.generated.operations,
            plural(self.generated.operations),
            self.generated.types,
            plural(self.generated.types),
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Regenerates (or checks) every API of [`APIS`] under `root`.
pub fn regenerate(root: &Path, mode: Mode) -> Result<Vec<ApiOutcome>> {
    regenerate_apis(root, APIS, mode)
}

/// Regenerates (or checks) the given APIs under `root`.
///
/// Every spec is generated in memory first: if any fails, nothing is written.
/// A spec in `specs/` that no entry names is an error.
pub fn regenerate_apis(root: &Path, apis: &[Api], mode: Mode) -> Result<Vec<ApiOutcome>> {
    check_registry(root, apis)?;

    let mut generated = Vec::new();
    let mut failures = Vec::new();
    for api in apis {
        let spec_path = api.spec_path();
        let outcome = fs::read_to_string(root.join(&spec_path))
            .with_context(|| format!("cannot read {spec_path}"))
            .and_then(|text| generate(&spec_path, &text));
        match outcome {
            Ok(output) => generated.push((*api, output)),
            Err(error) => failures.push(format!("{error:#}")),
        }
    }
    if !failures.is_empty() {
        bail!("{}\nno file was written", failures.join("\n"));
    }

    generated
        .into_iter()
        .map(|(api, output)| apply(root, api, output, mode))
        .collect()
}

/// Refuses a spec in `specs/` that no entry in `apis.rs` names.
fn check_registry(root: &Path, apis: &[Api]) -> Result<()> {
    let specs = root.join("specs");
    let mut orphans = Vec::new();
    for entry in fs::read_dir(&specs).with_context(|| format!("cannot list {}", specs.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let stem = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if !apis.iter().any(|api| api.spec == stem) {
                orphans.push(stem);
            }
        }
    }
    orphans.sort();
    if let Some(stem) = orphans.first() {
        bail!(
            "specs/{stem}.yaml has no entry in xtask/src/apis.rs; add \
             `Api {{ spec: \"{stem}\", crate_name: \"{stem}-client\" }}` to APIS \
             and run `cargo xtask regenerate` again"
        );
    }
    Ok(())
}

fn apply(root: &Path, api: Api, generated: Generated, mode: Mode) -> Result<ApiOutcome> {
    let path = root.join(api.generated_path());
    let committed = match fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut scaffolded = false;
    let state = if committed.as_deref() == Some(generated.source.as_str()) {
        FileState::Unchanged
    } else if mode == Mode::Check && committed.is_none() {
        FileState::Drifted(format!(
            "{} is missing; run `cargo xtask regenerate`\n",
            api.generated_path()
        ))
    } else {
        match mode {
            Mode::Check => FileState::Drifted(unified_diff(
                &api.generated_path(),
                committed.as_deref().unwrap_or(""),
                &generated.source,
            )),
            Mode::Write => {
                scaffolded = scaffold_crate(root, api, &generated)?;
                write_atomically(&path, &generated.source)?;
                FileState::Written
            }
        }
    };
    Ok(ApiOutcome {
        api,
        generated,
        state,
        scaffolded,
    })
}

/// A unified diff from the committed file to what the spec generates.
pub fn unified_diff(path: &str, committed: &str, expected: &str) -> String {
    let mut out = String::new();
    let diff = TextDiff::from_lines(committed, expected);
    let _ = write!(
        out,
        "{}",
        diff.unified_diff().context_radius(3).header(
            &format!("{path} (committed)"),
            &format!("{path} (from spec)")
        )
    );
    out
}

/// Writes through a temporary file in the same folder and a rename, so that
/// a reader never sees half a file.
fn write_atomically(path: &Path, contents: &str) -> Result<()> {
    let dir = path.parent().context("generated path has no parent")?;
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    fs::write(&tmp, contents).with_context(|| format!("cannot write {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// Creates `Cargo.toml` and `src/lib.rs` for a newly registered API.
///
/// Returns whether it created anything; an existing crate is left alone.
fn scaffold_crate(root: &Path, api: Api, generated: &Generated) -> Result<bool> {
    let dir = root.join(api.crate_dir());
    let manifest = dir.join("Cargo.toml");
    if manifest.exists() {
        return Ok(false);
    }
    let mut deps = String::from(
        "progenitor-client.workspace = true\n\
         client-transport = { path = \"../client-transport\", version = \"0.1.0\" }\n\
         reqwest.workspace = true\nserde.workspace = true\nserde_json.workspace = true\n",
    );
    if generated.uses_api_time {
        deps.push_str("api-time = { path = \"../api-time\", version = \"0.1.0\" }\n");
    }
    for (used, name) in [
        (generated.uses_chrono, "chrono"),
        (generated.uses_regress, "regress"),
        (generated.uses_uuid, "uuid"),
    ] {
        if used {
            let _ = writeln!(deps, "{name}.workspace = true");
        }
    }
    let spec_path = api.spec_path();
    write_atomically(
        &manifest,
        &format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n\
             description = \"Generated client for {spec_path}.\"\n\
             edition.workspace = true\nrust-version.workspace = true\n\
             license.workspace = true\n\n\
             [features]\ndefault = [\"rustls\"]\n\
             rustls = [\"reqwest/rustls\"]\nnative-tls = [\"reqwest/native-tls\"]\n\n\
             [dependencies]\n{deps}",
            name = api.crate_name,
        ),
    )?;
    write_atomically(&dir.join("src/lib.rs"), &lib_rs_template(&spec_path))?;
    Ok(true)
}

/// The hand-written `lib.rs` a new client crate starts from.
pub fn lib_rs_template(spec_path: &str) -> String {
    format!(
        "//! Generated client for `{spec_path}`.\n//!\n\
         //! The code in `generated.rs` comes from the spec; change the spec and run\n\
         //! `cargo xtask regenerate`, never the generated file.\n\n\
         #[rustfmt::skip]\n#[allow(missing_docs, clippy::all)]\nmod generated;\n\n\
         pub use client_transport::{{Execute, ExecuteFuture, Transport}};\n\
         pub use generated::*;\n\n\
         /// Every request goes through the client's [`Transport`].\n\
         impl progenitor_client::ClientHooks<Transport> for Client {{\n    \
         async fn exec(\n        &self,\n        request: reqwest::Request,\n        \
         info: &progenitor_client::OperationInfo,\n    ) -> reqwest::Result<reqwest::Response> {{\n        \
         self.inner\n            .execute(&self.client, request, info.operation_id)\n            .await\n    }}\n}}\n"
    )
}
