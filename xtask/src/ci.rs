//! `cargo xtask ci`: everything CI runs, in order, stopping at the first
//! failure.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::cargo;

use crate::lint::lint;
use crate::regenerate::{FileState, Mode, regenerate};

/// Runs fmt check, clippy, regenerate --check, lint, the review pages in
/// headless Chromium, every test,
/// schemathesis against the sandbox, the full soak, and every fuzz target
/// for a fixed number of inputs.
pub fn ci(root: &Path) -> Result<()> {
    let steps: [(&str, &dyn Fn() -> Result<()>); 10] = [
        ("cargo fmt --check", &|| {
            cargo(root, &["fmt", "--all", "--check"])
        }),
        ("cargo clippy -D warnings", &|| {
            cargo(
                root,
                &[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
            )
        }),
        ("regenerate --check", &|| check_generated(root)),
        ("lint the specs", &|| lint(root)),
        ("the review pages in headless Chromium", &|| {
            crate::review_pages::docs_check(root, None)
        }),
        ("cargo test --workspace", &|| {
            cargo(root, &["test", "--workspace"])
        }),
        (
            "library checks: dependency budget, feature sets, rustdoc, package, public API",
            &|| library_checks(root),
        ),
        ("schemathesis against the sandbox", &|| {
            crate::schemathesis::schemathesis(root)
        }),
        ("soak: 100,000 calls with random faults", &|| {
            crate::load::soak(root)
        }),
        ("fuzz: 200,000 inputs per target", &|| {
            crate::fuzz::fuzz(root, crate::fuzz::Budget::Runs(200_000))
        }),
    ];
    let started = Instant::now();
    for (name, step) in steps {
        eprintln!("xtask ci: == {name}");
        let t = Instant::now();
        step().with_context(|| format!("ci step `{name}` failed"))?;
        eprintln!("xtask ci: ok {name} ({:.1}s)", t.elapsed().as_secs_f64());
    }
    eprintln!(
        "xtask ci: all steps passed in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// What keeps the library crates fit to depend on, in order.
pub fn library_checks(root: &Path) -> Result<()> {
    use crate::library;
    library::dependency_budget(root)?;
    library::feature_sets(root)?;
    library::docs(root)?;
    library::package(root)?;
    library::public_api(root, false)
}

/// `regenerate --check` as a step: prints every line and diff, fails on drift.
pub fn check_generated(root: &Path) -> Result<()> {
    let outcomes = regenerate(root, Mode::Check)?;
    let mut drifted = 0;
    for outcome in &outcomes {
        println!("{}", outcome.summary());
        if let FileState::Drifted(diff) = &outcome.state {
            print!("{diff}");
            drifted += 1;
        }
    }
    if drifted > 0 {
        bail!(
            "{drifted} generated file(s) differ from their specs; run `cargo xtask regenerate` and commit the result"
        );
    }
    Ok(())
}
