//! `cargo xtask regenerate`: drift detection, determinism, failure handling
//! and adding an API, on copies of the workspace in temporary folders.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::apis::{APIS, Api};
use xtask::generate::generate;
use xtask::regenerate::{FileState, Mode, regenerate, regenerate_apis};
use xtask::workspace_root;

/// A copy of the specs and client crates, enough for `regenerate`.
fn copy_of_workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = workspace_root();
    fs::create_dir_all(tmp.path().join("specs")).unwrap();
    for api in APIS {
        fs::copy(root.join(api.spec_path()), tmp.path().join(api.spec_path())).unwrap();
        copy_dir(
            &root.join(api.crate_dir()),
            &tmp.path().join(api.crate_dir()),
        );
    }
    // The hand-written crates the generated ones depend on.
    for support in ["crates/api-time", "crates/client-transport"] {
        copy_dir(&root.join(support), &tmp.path().join(support));
    }
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    fs::write(path, text.replace(from, to)).unwrap();
}

fn generated_files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    APIS.iter()
        .map(|api| {
            let path = root.join(api.generated_path());
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect()
}

const XSIAM_NAME_DOC: &str = "description: Name (title) of the report.";
const XSIAM_NAME_DOC_EDITED: &str = "description: The report's title, as shown to analysts.";

#[test]
fn committed_clients_match_their_specs() {
    let outcomes = regenerate(&workspace_root(), Mode::Check).unwrap();
    assert_eq!(outcomes.len(), APIS.len());
    for outcome in outcomes {
        assert_eq!(
            outcome.state,
            FileState::Unchanged,
            "{} drifted: run `cargo xtask regenerate`",
            outcome.api.generated_path()
        );
    }
}

#[test]
fn check_reports_a_modified_spec_as_a_diff_and_writes_nothing() {
    let tmp = copy_of_workspace();
    edit(
        &tmp.path().join("specs/xsiam.yaml"),
        XSIAM_NAME_DOC,
        XSIAM_NAME_DOC_EDITED,
    );
    let before = generated_files(tmp.path());

    let outcomes = regenerate(tmp.path(), Mode::Check).unwrap();
    let FileState::Drifted(diff) = &outcomes[0].state else {
        panic!("xsiam should have drifted: {:?}", outcomes[0].state);
    };
    assert!(diff.contains("--- crates/xsiam-client/src/generated.rs (committed)"));
    assert!(diff.contains("@@"));
    assert!(
        diff.contains("-        ///Name (title) of the report."),
        "{diff}"
    );
    assert!(
        diff.contains("+        ///The report's title, as shown to analysts."),
        "{diff}"
    );
    assert_eq!(outcomes[1].state, FileState::Unchanged);
    assert_eq!(generated_files(tmp.path()), before);
}

#[test]
fn the_check_command_exits_non_zero_on_drift_and_zero_without() {
    let tmp = copy_of_workspace();
    let check = || {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["regenerate", "--check", "--root"])
            .arg(tmp.path())
            .output()
            .unwrap()
    };
    let clean = check();
    assert!(clean.status.success(), "{clean:?}");

    edit(
        &tmp.path().join("specs/xsiam.yaml"),
        XSIAM_NAME_DOC,
        XSIAM_NAME_DOC_EDITED,
    );
    let drifted = check();
    assert!(!drifted.status.success());
    let stdout = String::from_utf8_lossy(&drifted.stdout);
    assert!(
        stdout.contains("+        ///The report's title"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&drifted.stderr);
    assert!(stderr.contains("run `cargo xtask regenerate`"), "{stderr}");
}

#[test]
fn regenerate_rewrites_only_what_changed_and_then_checks_clean() {
    let tmp = copy_of_workspace();
    edit(
        &tmp.path().join("specs/xsiam.yaml"),
        XSIAM_NAME_DOC,
        XSIAM_NAME_DOC_EDITED,
    );
    let trustar = tmp.path().join(APIS[1].generated_path());
    let trustar_mtime = fs::metadata(&trustar).unwrap().modified().unwrap();

    let outcomes = regenerate(tmp.path(), Mode::Write).unwrap();
    assert_eq!(outcomes[0].state, FileState::Written);
    assert_eq!(outcomes[1].state, FileState::Unchanged);
    assert_eq!(
        fs::metadata(&trustar).unwrap().modified().unwrap(),
        trustar_mtime
    );
    let written = fs::read_to_string(tmp.path().join(APIS[0].generated_path())).unwrap();
    assert!(written.contains("///The report's title, as shown to analysts."));

    for outcome in regenerate(tmp.path(), Mode::Check).unwrap() {
        assert_eq!(outcome.state, FileState::Unchanged);
    }
    // No temporary files are left beside the generated module.
    let leftovers: Vec<_> = fs::read_dir(tmp.path().join("crates/xsiam-client/src"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn generation_is_byte_identical_run_to_run_and_carries_the_header() {
    let root = workspace_root();
    for api in APIS {
        let spec = fs::read_to_string(root.join(api.spec_path())).unwrap();
        let first = generate(&api.spec_path(), &spec).unwrap();
        let second = generate(&api.spec_path(), &spec).unwrap();
        assert_eq!(first.source, second.source);
        let header = format!(
            "// @generated by cargo xtask regenerate from {} — do not edit.\n",
            api.spec_path()
        );
        assert!(first.source.starts_with(&header));
    }
}

#[test]
fn a_spec_progenitor_cannot_handle_names_the_operation_and_nothing_is_written() {
    let tmp = copy_of_workspace();
    // A change to xsiam that on its own would be written...
    edit(
        &tmp.path().join("specs/xsiam.yaml"),
        XSIAM_NAME_DOC,
        XSIAM_NAME_DOC_EDITED,
    );
    // ...and a second media type on the token request, which progenitor
    // does not support (it panics).
    edit(
        &tmp.path().join("specs/trustar.yaml"),
        "            example:\n              grant_type: client_credentials\n",
        "            example:\n              grant_type: client_credentials\n          \
         multipart/form-data:\n            schema:\n              \
         $ref: \"#/components/schemas/TokenRequest\"\n",
    );
    let before = generated_files(tmp.path());

    let error = regenerate(tmp.path(), Mode::Write).unwrap_err().to_string();
    assert!(error.contains("specs/trustar.yaml"), "{error}");
    assert!(error.contains("`get_token` (POST /oauth/token)"), "{error}");
    assert!(error.contains("more media types than expected"), "{error}");
    assert!(error.contains("no file was written"), "{error}");
    assert_eq!(generated_files(tmp.path()), before);
}

#[test]
fn a_spec_that_is_not_openapi_is_a_clear_error() {
    let tmp = copy_of_workspace();
    fs::write(
        tmp.path().join("specs/xsiam.yaml"),
        "openapi: [not, a, spec",
    )
    .unwrap();
    let error = format!("{:#}", regenerate(tmp.path(), Mode::Check).unwrap_err());
    assert!(
        error.contains("specs/xsiam.yaml is not a valid OpenAPI 3.0 document"),
        "{error}"
    );
}

#[test]
fn a_spec_without_an_entry_is_refused_with_the_fix() {
    let tmp = copy_of_workspace();
    fs::copy(
        tmp.path().join("specs/xsiam.yaml"),
        tmp.path().join("specs/extra.yaml"),
    )
    .unwrap();
    let error = regenerate(tmp.path(), Mode::Write).unwrap_err().to_string();
    assert!(error.contains("specs/extra.yaml has no entry in xtask/src/apis.rs"));
    assert!(error.contains("crate_name: \"extra-client\""));
}

/// A small third API, the way a contributor would add one.
const INVENTORY_SPEC: &str = r##"openapi: 3.0.3
info:
  title: Inventory
  version: "1"
  description: A third API, for the test.
paths:
  /items/{id}:
    get:
      operationId: get_item
      summary: Get an item
      parameters:
        - name: id
          in: path
          required: true
          schema:
            type: string
      responses:
        "200":
          description: The item.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Item"
components:
  schemas:
    Item:
      type: object
      required: [id, seen]
      properties:
        id:
          type: string
        seen:
          type: string
          format: date-time
"##;

#[test]
fn a_third_api_is_a_spec_one_entry_and_one_command_and_it_compiles() {
    let tmp = copy_of_workspace();
    fs::write(tmp.path().join("specs/inventory.yaml"), INVENTORY_SPEC).unwrap();
    let mut apis = APIS.to_vec();
    apis.push(Api {
        spec: "inventory",
        crate_name: "inventory-client",
    });

    let outcomes = regenerate_apis(tmp.path(), &apis, Mode::Write).unwrap();
    let inventory = &outcomes[2];
    assert!(inventory.scaffolded);
    assert_eq!(inventory.state, FileState::Written);
    assert_eq!(
        inventory.summary(),
        "specs/inventory.yaml -> crates/inventory-client/src/generated.rs: \
         1 operation, 1 type, written (new crate)"
    );
    let manifest =
        fs::read_to_string(tmp.path().join("crates/inventory-client/Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"inventory-client\""));
    assert!(
        manifest.contains("api-time = { path = \"../api-time\", version = \"0.1.0\" }"),
        "{manifest}"
    );
    // Publishable like the other generated crates, with their TLS choice.
    assert!(!manifest.contains("publish"), "{manifest}");
    assert!(
        manifest.contains("native-tls = [\"reqwest/native-tls\"]"),
        "{manifest}"
    );
    for outcome in regenerate_apis(tmp.path(), &apis, Mode::Check).unwrap() {
        assert_eq!(outcome.state, FileState::Unchanged);
    }
    // The hand-written lib.rs it starts from is rustfmt-clean.
    let lib = tmp.path().join("crates/inventory-client/src/lib.rs");
    let rustfmt = Command::new("rustfmt")
        .args(["--edition", "2024", "--check"])
        .arg(&lib)
        .output()
        .unwrap();
    assert!(
        rustfmt.status.success(),
        "{}",
        String::from_utf8_lossy(&rustfmt.stdout)
    );

    // The scaffolded crate builds inside a copy of the workspace manifest,
    // with the dependencies the real workspace has already fetched.
    let root = workspace_root();
    let manifest = fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .replace(
            r#"members = ["xtask", "crates/*", "tests"]"#,
            r#"members = ["crates/*"]"#,
        );
    fs::write(tmp.path().join("Cargo.toml"), manifest).unwrap();
    fs::copy(root.join("Cargo.lock"), tmp.path().join("Cargo.lock")).unwrap();
    let target = xtask::target_dir(&root).join("scaffold-check");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let check = Command::new(cargo)
        .args(["check", "--offline", "--quiet", "-p", "inventory-client"])
        .current_dir(tmp.path())
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "the scaffolded crate does not build:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
}
