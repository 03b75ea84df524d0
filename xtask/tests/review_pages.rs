//! The review pages in headless Chromium: a rendered spec and a spec-diff
//! page with real changes pass, and each kind of failure the check exists
//! for is caught (a missing operation, a wrong title, an error banner, a
//! script error). Needs Debian's Chromium (`.ci/run` installs it) and the
//! pinned npm tools (installed on first use).

use std::collections::BTreeMap;
use std::path::Path;

use openapiv3::OpenAPI;
use serde_json::json;
use xtask::review_pages::{
    ERROR_BANNERS, run_in_browser, spec_diff_page, spec_diff_plan, spec_page_plan,
};
use xtask::spec_diff::compare;
use xtask::{lint, workspace_root};

fn committed_spec(name: &str) -> (String, OpenAPI) {
    let text =
        std::fs::read_to_string(workspace_root().join(format!("specs/{name}.yaml"))).unwrap();
    let spec = serde_yaml::from_str(&text).unwrap();
    (text, spec)
}

#[test]
fn a_rendered_spec_passes_and_a_missing_operation_fails() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("xsiam.html");
    lint::render(&workspace_root(), "specs/xsiam.yaml", &page).unwrap();
    let (_, spec) = committed_spec("xsiam");

    let good = spec_page_plan(&page, &spec).unwrap();
    let verdict = run_in_browser(
        &workspace_root(),
        vec![good.clone()],
        &dir.path().join("plan.json"),
    )
    .unwrap();
    assert!(verdict.passed, "{}", verdict.lines);
    assert!(
        verdict
            .lines
            .contains("operation \"Update report status\" (reports) rendered")
    );

    // The same page, expected to show an operation it does not have and a
    // title it does not carry: both are caught.
    let mut wrong = good;
    wrong["title"] = json!("Another API");
    wrong["operations"]
        .as_array_mut()
        .unwrap()
        .push(json!({"tag": "reports", "summary": "Delete report"}));
    let verdict = run_in_browser(
        &workspace_root(),
        vec![wrong],
        &dir.path().join("plan.json"),
    )
    .unwrap();
    assert!(!verdict.passed, "{}", verdict.lines);
    assert!(
        verdict.lines.contains("FAIL xsiam.html: title"),
        "{}",
        verdict.lines
    );
    assert!(
        verdict
            .lines
            .contains("FAIL xsiam.html: operation \"Delete report\""),
        "{}",
        verdict.lines
    );
}

#[test]
fn a_spec_diff_page_shows_every_change() {
    let (text, _) = committed_spec("trustar");
    let changed = text.replacen("summary: Update report", "summary: Replace report", 1);
    let scope = "        scope:\n          type: string\n          nullable: true\n          description: Scopes granted to the token.\n";
    assert!(changed.contains(scope));
    let changed = changed.replacen(scope, "", 1);
    let old = BTreeMap::from([("trustar".to_string(), text)]);
    let new = BTreeMap::from([("trustar".to_string(), changed)]);
    let report = compare(&old, &new).unwrap();
    assert!(report.breaking(), "an answer property removed breaks");

    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("spec-diff.html");
    std::fs::write(&page, spec_diff_page(&report, "v1")).unwrap();
    let plan = spec_diff_plan(&page, &report, "v1");
    let verdict =
        run_in_browser(&workspace_root(), vec![plan], &dir.path().join("plan.json")).unwrap();
    assert!(verdict.passed, "{}", verdict.lines);
    assert!(
        verdict.lines.contains("since v1, 1 breaking"),
        "{}",
        verdict.lines
    );
    assert!(
        verdict
            .lines
            .contains("shows \"property \"scope\" removed (or renamed)\""),
        "{}",
        verdict.lines
    );
}

#[test]
fn an_error_banner_and_a_script_error_fail() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("broken.html");
    std::fs::write(
        &page,
        format!(
            "<!DOCTYPE html><html><head><title>Broken</title></head><body><h1>Broken</h1>\
             <div>{}</div><script>throw new Error('render failed')</script></body></html>",
            ERROR_BANNERS[0]
        ),
    )
    .unwrap();
    let plan = json!({
        "file": page, "title": "Broken", "heading": "Broken",
        "texts": [], "banners": ERROR_BANNERS,
    });
    let verdict =
        run_in_browser(&workspace_root(), vec![plan], &dir.path().join("plan.json")).unwrap();
    assert!(!verdict.passed, "{}", verdict.lines);
    assert!(
        verdict
            .lines
            .contains(&format!("shows the error banner \"{}\"", ERROR_BANNERS[0])),
        "{}",
        verdict.lines
    );
    assert!(
        verdict.lines.contains("script error: Error: render failed"),
        "{}",
        verdict.lines
    );
    assert!(Path::new(&page).exists());
}
