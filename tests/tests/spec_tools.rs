//! The pinned spec tools as `cargo xtask lint` and `cargo xtask docs` run
//! them: lint is clean on the committed specs and catches a broken one; the
//! rendered docs hold every operation.

use std::fs;
use std::path::Path;

use integration_tests::workspace_root;

fn copy_specs(to: &Path) {
    let from = workspace_root().join("specs");
    fs::create_dir_all(to.join("specs/lint")).unwrap();
    for name in [
        "xsiam.yaml",
        "trustar.yaml",
        "lint/spectral.yaml",
        "lint/redocly.yaml",
    ] {
        fs::copy(from.join(name), to.join("specs").join(name)).unwrap();
    }
}

#[test]
fn lint_is_clean_on_the_committed_specs() {
    xtask::lint::lint(&workspace_root()).unwrap();
}

#[test]
fn lint_fails_on_an_example_that_breaks_its_schema() {
    let tmp = tempfile::tempdir().unwrap();
    copy_specs(tmp.path());
    let spec = tmp.path().join("specs/xsiam.yaml");
    let text = fs::read_to_string(&spec).unwrap();
    // INSERT_TIME is an int64: a string example must be reported.
    let broken = text.replace("INSERT_TIME: 1763468832000", "INSERT_TIME: yesterday");
    assert_ne!(broken, text);
    fs::write(&spec, broken).unwrap();
    let error = xtask::lint::lint(tmp.path()).unwrap_err().to_string();
    assert!(error.contains("failed"), "{error}");
}

#[test]
fn lint_fails_on_an_operation_without_a_summary() {
    let tmp = tempfile::tempdir().unwrap();
    copy_specs(tmp.path());
    let spec = tmp.path().join("specs/trustar.yaml");
    let text = fs::read_to_string(&spec).unwrap();
    let broken = text.replace("      summary: Get report details\n", "");
    assert_ne!(broken, text);
    fs::write(&spec, broken).unwrap();
    assert!(xtask::lint::lint(tmp.path()).is_err());
}

#[test]
fn docs_render_every_operation_into_a_self_contained_page() {
    let tmp = tempfile::tempdir().unwrap();
    copy_specs(tmp.path());
    let pages = xtask::lint::docs(tmp.path()).unwrap();
    assert_eq!(
        pages,
        ["target/docs/xsiam.html", "target/docs/trustar.html"]
    );
    let xsiam = fs::read_to_string(tmp.path().join(&pages[0])).unwrap();
    assert!(xsiam.contains("Update report status"));
    let trustar = fs::read_to_string(tmp.path().join(&pages[1])).unwrap();
    for summary in ["Get report details", "Update report", "Get an access token"] {
        assert!(
            trustar.contains(summary),
            "{summary} missing from the TruSTAR page"
        );
    }
    // Self-contained: no script or stylesheet is loaded from elsewhere.
    assert!(
        !trustar.contains("<script src=\"http"),
        "the page loads a remote script"
    );
}

/// `cargo xtask foreign-examples`: another file's examples are checked
/// against our spec's schemas for the same operation; one that breaks them
/// is reported.
#[test]
fn foreign_examples_are_held_against_our_schemas() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("vendor.yaml");
    let foreign = |extract: &str| {
        format!(
            r#"
openapi: 3.0.0
info: {{ title: A vendor's file, version: "1" }}
paths:
  /public_api/v1/mth/child/add_comment:
    post:
      requestBody:
        content:
          application/json:
            examples:
              Example 1:
                value:
                  xsoar_source_id: "777771"
                  comment_text: Done.
                  comment_created_by: analyst@company.com
                  extract_zip_file: {extract}
      responses:
        "200":
          description: ok
          content:
            application/json:
              example: {{ reply: true }}
"#
        )
    };
    fs::write(&file, foreign("'false'")).unwrap();
    let checked =
        xtask::foreign_examples::foreign_examples(&workspace_root(), &file, None).unwrap();
    assert_eq!(checked, 2);
    fs::write(&file, foreign("maybe")).unwrap();
    let error = xtask::foreign_examples::foreign_examples(&workspace_root(), &file, None)
        .unwrap_err()
        .to_string();
    assert!(error.contains("do not fit specs/xsiam.yaml"), "{error}");
}
