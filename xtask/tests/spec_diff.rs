//! `cargo xtask spec-diff`: each rule on a small pair of specs, and the
//! committed specs against themselves.

use std::collections::BTreeMap;

use xtask::spec_diff::{Rating, compare};

/// A small spec: one operation with a query parameter, a request body and
/// a success answer.
const BASE: &str = r##"
openapi: 3.0.3
info:
  title: Small
  version: "1"
paths:
  /things/{id}:
    put:
      operationId: put_thing
      parameters:
        - name: id
          in: path
          required: true
          schema: { type: string }
        - name: mode
          in: query
          required: false
          schema: { type: string, enum: [fast, slow] }
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/Thing" }
      responses:
        "200":
          description: The thing.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Answer" }
        "400":
          description: Bad.
components:
  schemas:
    Thing:
      type: object
      required: [name]
      properties:
        name: { type: string, description: The name. }
        size: { type: integer, format: int64 }
        colour: { type: string, enum: [red, green] }
    Answer:
      type: object
      required: [id, state]
      properties:
        id: { type: string }
        state: { type: string, enum: [NEW, DONE] }
        note: { type: string }
"##;

/// The changes from `BASE` to `BASE` with `from` replaced by `to`.
fn changes(from: &str, to: &str) -> Vec<(Rating, String, String)> {
    assert!(BASE.contains(from), "the base spec has no {from:?}");
    let new = BASE.replacen(from, to, 1);
    let specs = |text: &str| BTreeMap::from([("small".to_string(), text.to_string())]);
    compare(&specs(BASE), &specs(&new))
        .unwrap()
        .changes
        .into_iter()
        .map(|c| (c.rating, c.path, c.what))
        .collect()
}

fn assert_one(from: &str, to: &str, rating: Rating, path: &str, says: &str) {
    let found = changes(from, to);
    assert!(
        found
            .iter()
            .any(|(r, p, w)| *r == rating && p.contains(path) && w.contains(says)),
        "{from:?} -> {to:?}: expected {rating:?} at {path} saying {says:?}, found {found:#?}"
    );
    if rating == Rating::Compatible {
        assert!(
            found.iter().all(|(r, ..)| *r == Rating::Compatible),
            "{from:?} -> {to:?} should break nothing: {found:#?}"
        );
    }
}

#[test]
fn removals_and_renames_break() {
    assert_one(
        "  /things/{id}:\n    put:",
        "  /things/{id}:\n    post:",
        Rating::Breaking,
        "/put",
        "operation put_thing removed",
    );
    assert_one(
        "- name: mode",
        "- name: speed",
        Rating::Breaking,
        "query:mode",
        "removed (or renamed)",
    );
    assert_one(
        "        name: { type: string, description: The name. }",
        "        title: { type: string, description: The name. }",
        Rating::Breaking,
        "properties/name",
        "property \"name\" removed (or renamed)",
    );
    assert_one(
        "enum: [red, green]",
        "enum: [red]",
        Rating::Breaking,
        "properties/colour",
        "enum value \"green\" removed",
    );
    assert_one(
        "enum: [NEW, DONE]",
        "enum: [NEW]",
        Rating::Breaking,
        "properties/state",
        "enum value \"DONE\" removed",
    );
}

#[test]
fn what_a_request_must_now_carry_breaks() {
    assert_one(
        "required: [name]",
        "required: [name, size]",
        Rating::Breaking,
        "properties/size",
        "became required",
    );
    assert_one(
        "        colour: { type: string, enum: [red, green] }\n    Answer:",
        "        colour: { type: string, enum: [red, green] }\n        owner: { type: string }\n    Answer:",
        Rating::Compatible,
        "properties/owner",
        "new optional property",
    );
    let new_required = changes(
        "required: [name]\n      properties:\n        name: { type: string, description: The name. }",
        "required: [name, owner]\n      properties:\n        owner: { type: string }\n        name: { type: string, description: The name. }",
    );
    assert!(
        new_required.iter().any(|(r, _, w)| *r == Rating::Breaking
            && w.contains("new required request property \"owner\"")),
        "{new_required:#?}"
    );
    assert_one(
        "          in: query\n          required: false",
        "          in: query\n          required: true",
        Rating::Breaking,
        "query:mode",
        "became required",
    );
}

#[test]
fn types_formats_and_answer_shapes_break() {
    assert_one(
        "size: { type: integer, format: int64 }",
        "size: { type: string }",
        Rating::Breaking,
        "properties/size",
        "type changed: integer became string",
    );
    assert_one(
        "size: { type: integer, format: int64 }",
        "size: { type: integer, format: int32 }",
        Rating::Breaking,
        "properties/size",
        "format changed",
    );
    assert_one(
        "              schema: { $ref: \"#/components/schemas/Answer\" }",
        "              schema: { type: array, items: { $ref: \"#/components/schemas/Answer\" } }",
        Rating::Breaking,
        "responses/200",
        "the answer's shape changed",
    );
    assert_one(
        "required: [id, state]",
        "required: [id]",
        Rating::Breaking,
        "properties/state",
        "was always present and is now optional",
    );
}

#[test]
fn additions_and_words_are_compatible() {
    assert_one(
        "enum: [NEW, DONE]",
        "enum: [NEW, DONE, HELD]",
        Rating::Compatible,
        "properties/state",
        "new enum value \"HELD\": answers may carry it",
    );
    assert_one(
        "        note: { type: string }\n",
        "        note: { type: string }\n        extra: { type: string }\n",
        Rating::Compatible,
        "properties/extra",
        "new optional property",
    );
    assert_one(
        "components:\n",
        "  /other:\n    get:\n      operationId: get_other\n      responses:\n        \"200\":\n          description: ok\ncomponents:\n",
        Rating::Compatible,
        "#/paths/~1other/get",
        "new operation get_other",
    );
    assert_one(
        "description: The name.",
        "description: What it is called.",
        Rating::Compatible,
        "properties/name",
        "description or example changed",
    );
    assert_one(
        "description: The thing.",
        "description: The thing, as stored.",
        Rating::Compatible,
        "responses/200",
        "answer description changed",
    );
}

#[test]
fn a_spec_added_or_removed_counts() {
    let one = BTreeMap::from([("small".to_string(), BASE.to_string())]);
    let none = BTreeMap::new();
    let removed = compare(&one, &none).unwrap();
    assert!(removed.breaking());
    assert_eq!(removed.changes[0].what, "spec removed");
    let added = compare(&none, &one).unwrap();
    assert!(!added.breaking());
    assert_eq!(added.changes[0].what, "spec added");
}

#[test]
fn the_generated_rust_api_changes_are_listed() {
    let specs = |text: &str| BTreeMap::from([("small".to_string(), text.to_string())]);
    let new = BASE.replacen(
        "        note: { type: string }\n",
        "        memo: { type: string }\n",
        1,
    );
    let report = compare(&specs(BASE), &specs(&new)).unwrap();
    let lines = report.generated.join("\n");
    assert!(lines.contains("removed types::Answer.note"), "{lines}");
    assert!(lines.contains("added types::Answer.memo"), "{lines}");
}

#[test]
fn the_committed_specs_against_themselves_change_nothing() {
    let root = xtask::workspace_root();
    for name in ["xsiam", "trustar"] {
        let text = std::fs::read_to_string(root.join(format!("specs/{name}.yaml"))).unwrap();
        let specs = BTreeMap::from([(name.to_string(), text)]);
        let report = compare(&specs, &specs).unwrap();
        assert!(
            report.changes.is_empty() && report.generated.is_empty(),
            "{name}: {:?}",
            report.changes
        );
        assert!(
            xtask::spec_diff::render(&report, "HEAD").contains("no change to specs/ since HEAD")
        );
    }
}

/// `--base-file`: one of `specs/` against a file that is no revision of it
/// (a vendor's own), picked by the paths they share unless named.
#[test]
fn a_spec_is_compared_with_a_file_given_as_its_base() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("specs")).unwrap();
    let ours = BASE.replace("[fast, slow]", "[fast]");
    std::fs::write(root.path().join("specs/small.yaml"), &ours).unwrap();
    let other = BASE.replace("/things/{id}", "/elsewhere/{id}");
    std::fs::write(root.path().join("specs/other.yaml"), other).unwrap();
    let theirs = root.path().join("vendor.yaml");
    std::fs::write(&theirs, BASE).unwrap();

    let (name, report) = xtask::spec_diff::against_file(root.path(), &theirs, None).unwrap();
    assert_eq!(name, "small", "picked by the paths it shares");
    assert!(
        report
            .changes
            .iter()
            .any(|c| c.rating == Rating::Breaking && c.what.contains("slow")),
        "{:?}",
        report.changes
    );
    let (name, _) = xtask::spec_diff::against_file(root.path(), &theirs, Some("other")).unwrap();
    assert_eq!(name, "other");
    let error = xtask::spec_diff::against_file(root.path(), &theirs, Some("nope")).unwrap_err();
    assert!(error.to_string().contains("small"), "{error}");

    let unrelated = root.path().join("unrelated.yaml");
    std::fs::write(&unrelated, BASE.replace("/things/{id}", "/nowhere")).unwrap();
    let error = xtask::spec_diff::against_file(root.path(), &unrelated, None).unwrap_err();
    assert!(error.to_string().contains("shares no path"), "{error}");
}
