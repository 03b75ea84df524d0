//! `cargo xtask COMMAND`: see `cargo xtask help`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use xtask::regenerate::{FileState, Mode, regenerate};
use xtask::{ci, lint, node_tools, workspace_root};

const USAGE: &str = "\
usage: cargo xtask COMMAND [--root DIR]

commands:
  regenerate [--check]  generate crates/*/src/generated.rs from specs/*.yaml;
                        --check writes nothing, prints a diff and fails on drift
  lint                  Spectral, Redocly and the examples validator over the specs
  docs [--base REV]     render each spec to target/docs/NAME.html; with a base,
                        also the spec-diff report since REV as
                        target/docs/spec-diff.html
  docs-check [--base REV]
                        write the pages (spec-diff against REV, default HEAD)
                        and check each in headless Chromium: title, every
                        operation's summary, no error banner or script error
  install-tools         install the pinned npm tools (tools/node_modules) and
                        Python tools (tools/.venv)
  schemathesis          the pinned schemathesis against report-sandbox, every spec
  bench-peers           reportctl's indicator counting against iocextract and
                        ioc-finder on the same corpus (a benchmark, not a test)
  bench-requests        10,000 XSIAM updates through the facade and a plain
                        reqwest loop at concurrency 1, 16, 64 (a benchmark)
  bench-bulk            reportctl trustar bulk-submit of 1,000 findings with
                        the rate limit off (reports/s, client vs sandbox CPU),
                        and the splitter on 2 MB against one count (a benchmark)
  soak                  100,000 mixed calls with random faults; fails on any
                        lost update or unexplained duplicate, prints memory along the way
  fuzz [--seconds N | --runs N]
                        every cargo-fuzz target under fuzz/, N seconds (default
                        60) or N inputs each; installs cargo-fuzz if missing
  spec-diff [BASE] [--allow-breaking]
                        every change to specs/ since the git revision BASE
                        (default HEAD), rated breaking or compatible for a
                        client, and the generated Rust API's changes; fails
                        on a breaking change unless --allow-breaking
  spec-diff --base-file PATH [SPEC]
                        what separates specs/SPEC.yaml (default: the one
                        sharing most paths with PATH) from another OpenAPI
                        file, such as a vendor's own, rated as if PATH were
                        the base; prints, never fails
  foreign-examples PATH [SPEC]
                        every request and 2xx example of another OpenAPI
                        file (a vendor's own) checked against specs/SPEC.yaml
                        (default: the one sharing most paths) with the
                        pinned openapi-examples-validator
  public-api [--bless]  each library crate's public API against its committed
                        crates/NAME/public-api.txt (--bless rewrites them);
                        installs cargo-public-api if missing
  library               the library checks: the indicator crate's dependency
                        budget, every feature set, rustdoc -D warnings,
                        cargo package of every library crate, the public API
  bench-build           clean release builds of binaries that depend on
                        trustar-indicators alone, on threat-reports, and on
                        threat-reports with rustls-ring, timed in one run
                        (a benchmark)
  ci                    fmt check, clippy, regenerate --check, lint,
                        docs-check, all tests,
                        the library checks, schemathesis, soak,
                        fuzz --runs 200000

--root DIR runs against another copy of the workspace (tests use it).";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<ExitCode> {
    let mut root = workspace_root();
    let mut check = false;
    let mut bless = false;
    let mut allow_breaking = false;
    let mut positional = Vec::new();
    let mut budget = None;
    let mut base = None;
    let mut base_file: Option<PathBuf> = None;
    let mut command = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--bless" => bless = true,
            "--allow-breaking" => allow_breaking = true,
            "--seconds" | "--runs" => {
                let n = args
                    .next()
                    .and_then(|n| n.parse::<u64>().ok())
                    .filter(|n| *n > 0);
                let Some(n) = n else {
                    bail!("{arg} needs a whole number above 0\n\n{USAGE}");
                };
                budget = Some(if arg == "--runs" {
                    xtask::fuzz::Budget::Runs(n)
                } else {
                    xtask::fuzz::Budget::Seconds(n)
                });
            }
            "--base" => match args.next() {
                Some(rev) => base = Some(rev),
                None => bail!("--base needs a git revision\n\n{USAGE}"),
            },
            "--base-file" => match args.next() {
                Some(path) => base_file = Some(PathBuf::from(path)),
                None => bail!("--base-file needs a path to an OpenAPI file\n\n{USAGE}"),
            },
            "--root" => match args.next() {
                Some(dir) => root = PathBuf::from(dir),
                None => bail!("--root needs a folder\n\n{USAGE}"),
            },
            "help" | "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            _ if command.is_none() && !arg.starts_with('-') => command = Some(arg),
            _ if command.as_deref() == Some("foreign-examples")
                && !arg.starts_with('-')
                && positional.len() < 2 =>
            {
                positional.push(arg)
            }
            _ if command.as_deref() == Some("spec-diff")
                && !arg.starts_with('-')
                && positional.is_empty() =>
            {
                positional.push(arg)
            }
            _ => bail!("unexpected argument `{arg}`\n\n{USAGE}"),
        }
    }
    if check && command.as_deref() != Some("regenerate") {
        bail!("--check goes with regenerate\n\n{USAGE}");
    }
    if bless && command.as_deref() != Some("public-api") {
        bail!("--bless goes with public-api\n\n{USAGE}");
    }
    if base.is_some() && !matches!(command.as_deref(), Some("docs" | "docs-check")) {
        bail!("--base goes with docs and docs-check\n\n{USAGE}");
    }
    if base_file.is_some() && command.as_deref() != Some("spec-diff") {
        bail!("--base-file goes with spec-diff\n\n{USAGE}");
    }
    if budget.is_some() && command.as_deref() != Some("fuzz") {
        bail!("--seconds and --runs go with fuzz\n\n{USAGE}");
    }
    match command.as_deref() {
        Some("regenerate") if check => {
            ci::check_generated(&root)?;
        }
        Some("regenerate") => {
            for outcome in regenerate(&root, Mode::Write)? {
                println!("{}", outcome.summary());
                debug_assert!(!matches!(outcome.state, FileState::Drifted(_)));
            }
        }
        Some("lint") => lint::lint(&root)?,
        Some("docs") => {
            for page in xtask::review_pages::docs(&root, base.as_deref())? {
                println!("{page}");
            }
        }
        Some("docs-check") => xtask::review_pages::docs_check(&root, base.as_deref())?,
        Some("install-tools") => {
            println!("{}", node_tools::ensure_installed(&root)?.display());
            println!(
                "{}",
                xtask::python_tools::ensure_installed(&root)?.display()
            );
        }
        Some("schemathesis") => xtask::schemathesis::schemathesis(&root)?,
        Some("bench-peers") => xtask::bench_peers::bench_peers(&root)?,
        Some("bench-requests") => xtask::load::bench_requests(&root)?,
        Some("bench-bulk") => xtask::load::bench_bulk(&root)?,
        Some("soak") => xtask::load::soak(&root)?,
        Some("fuzz") => {
            xtask::fuzz::fuzz(&root, budget.unwrap_or(xtask::fuzz::Budget::Seconds(60)))?
        }
        Some("spec-diff") => match &base_file {
            Some(file) => {
                xtask::spec_diff::spec_diff_file(
                    &root,
                    file,
                    positional.first().map(String::as_str),
                )?;
            }
            None => {
                let base = positional.first().map_or("HEAD", String::as_str);
                xtask::spec_diff::spec_diff(&root, base, allow_breaking)?;
            }
        },
        Some("foreign-examples") => {
            let Some(file) = positional.first() else {
                bail!("foreign-examples needs the path of an OpenAPI file\n\n{USAGE}");
            };
            let spec = positional.get(1).map(String::as_str);
            xtask::foreign_examples::foreign_examples(&root, Path::new(file), spec)?;
        }
        Some("public-api") => xtask::library::public_api(&root, bless)?,
        Some("library") => ci::library_checks(&root)?,
        Some("bench-build") => xtask::bench_build::bench_build(&root)?,
        Some("ci") => ci::ci(&root)?,
        Some(other) => bail!("unknown command `{other}`\n\n{USAGE}"),
        None => bail!("no command given\n\n{USAGE}"),
    }
    Ok(ExitCode::SUCCESS)
}
