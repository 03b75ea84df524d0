//! `cargo xtask foreign-examples PATH [SPEC]`: every request example and
//! success-answer example of another OpenAPI file (a vendor's own) checked
//! against our spec's schemas for the same operation, with the pinned
//! openapi-examples-validator. The examples are copied into a copy of our
//! spec under `target/foreign-examples/` (never into `specs/`), named
//! `foreign_…`, so the validator's report names each one.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_yaml::{Mapping, Value};

use crate::node_tools;
use crate::spec_diff::matching_spec;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// A value at `keys` below `value`, if every step is there.
fn at<'a>(value: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(value, |v, k| v.get(*k))
}

/// The JSON media type's examples of a body or answer: its `examples`
/// (their values) and its single `example`, by name.
fn examples_of(content_owner: &Value) -> Vec<(String, Value)> {
    let Some(media) = at(content_owner, &["content", "application/json"]) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    if let Some(Value::Mapping(named)) = media.get("examples") {
        for (name, example) in named {
            if let Some(value) = example.get("value") {
                let name = name.as_str().unwrap_or("example").replace(' ', "_");
                found.push((name, value.clone()));
            }
        }
    }
    if let Some(value) = media.get("example") {
        found.push(("example".into(), value.clone()));
    }
    found
}

/// Adds `examples` to the JSON media type of `owner` (a body or answer of
/// ours), as `foreign_NAME`.
fn add_examples(owner: &mut Value, examples: Vec<(String, Value)>, at: &str) -> Result<()> {
    let Some(media) = owner
        .get_mut("content")
        .and_then(|c| c.get_mut("application/json"))
    else {
        bail!("our spec has no application/json content at {at}");
    };
    let Value::Mapping(media) = media else {
        bail!("{at} is not an object");
    };
    let named = media
        .entry(Value::from("examples"))
        .or_insert_with(|| Value::Mapping(Mapping::new()));
    let Value::Mapping(named) = named else {
        bail!("{at}: examples is not an object");
    };
    for (name, value) in examples {
        let mut example = Mapping::new();
        example.insert("value".into(), value);
        named.insert(
            Value::from(format!("foreign_{name}")),
            Value::Mapping(example),
        );
    }
    Ok(())
}

/// Our spec with every request and 2xx example of `theirs` added to the
/// same operation (by path and method), and how many were added. An
/// operation of theirs that ours lacks is an error, as is a 2xx answer
/// ours does not have.
pub fn combine(ours: &Value, theirs: &Value) -> Result<(Value, usize)> {
    let mut combined = ours.clone();
    let responses = ours
        .get("components")
        .and_then(|c| c.get("responses"))
        .cloned()
        .unwrap_or(Value::Null);
    let mut added = 0;
    let Some(Value::Mapping(paths)) = theirs.get("paths") else {
        bail!("the file has no paths");
    };
    for (path, item) in paths {
        let path = path.as_str().unwrap_or_default();
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let at = format!("{method} {path}");
            let Some(ours) = combined
                .get_mut("paths")
                .and_then(|p| p.get_mut(path))
                .and_then(|i| i.get_mut(method))
            else {
                bail!("our spec has no operation {at}");
            };
            if let Some(body) = operation.get("requestBody") {
                let examples = examples_of(body);
                added += examples.len();
                if !examples.is_empty() {
                    let Some(our_body) = ours.get_mut("requestBody") else {
                        bail!("our spec's {at} takes no body");
                    };
                    add_examples(our_body, examples, &format!("{at} request"))?;
                }
            }
            let Some(Value::Mapping(answers)) = operation.get("responses") else {
                continue;
            };
            for (status, answer) in answers {
                let status = match status {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                let examples = examples_of(answer);
                if !status.starts_with('2') || examples.is_empty() {
                    continue;
                }
                added += examples.len();
                let Some(our_answer) = ours.get_mut("responses").and_then(|r| r.get_mut(&status))
                else {
                    bail!("our spec's {at} has no {status} answer");
                };
                // A shared answer of ours is copied in, so that the examples
                // land on this operation alone.
                if let Some(reference) = our_answer.get("$ref").and_then(Value::as_str) {
                    let name = reference.rsplit('/').next().unwrap_or_default();
                    *our_answer = responses
                        .get(name)
                        .cloned()
                        .with_context(|| format!("{reference} is not in our spec"))?;
                }
                add_examples(our_answer, examples, &format!("{at} {status}"))?;
            }
        }
    }
    Ok((combined, added))
}

/// Checks every example of `file` against `specs/SPEC.yaml` (or the spec
/// sharing most paths with it); returns how many were checked.
pub fn foreign_examples(root: &Path, file: &Path, spec: Option<&str>) -> Result<usize> {
    let (theirs, name, ours) = matching_spec(root, file, spec)?;
    let theirs: Value =
        serde_yaml::from_str(&theirs).with_context(|| format!("{} is not YAML", file.display()))?;
    let ours: Value = serde_yaml::from_str(&ours).context("our spec is not YAML")?;
    let (combined, added) = combine(&ours, &theirs)?;
    if added == 0 {
        bail!("{} has no request or 2xx examples", file.display());
    }
    let out: PathBuf = root.join("target/foreign-examples");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let combined_path = out.join(format!("{name}.yaml"));
    std::fs::write(&combined_path, serde_yaml::to_string(&combined)?)
        .with_context(|| format!("cannot write {}", combined_path.display()))?;
    let mut validator = node_tools::tool(&crate::workspace_root(), "openapi-examples-validator")?;
    let status = validator
        .arg(&combined_path)
        .status()
        .context("cannot start openapi-examples-validator")?;
    if !status.success() {
        bail!(
            "examples of {} do not fit specs/{name}.yaml (the foreign_… ones above; combined \
             spec: {})",
            file.display(),
            combined_path.display()
        );
    }
    println!(
        "foreign-examples: the {added} request and 2xx examples of {} fit specs/{name}.yaml",
        file.display()
    );
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = r##"
openapi: 3.0.3
info: { title: Ours, version: "1" }
paths:
  /things:
    post:
      requestBody:
        content:
          application/json:
            schema: { type: object }
      responses:
        "200": { $ref: "#/components/responses/Thing" }
components:
  responses:
    Thing:
      description: A thing.
      content:
        application/json:
          schema: { type: object }
"##;

    #[test]
    fn examples_land_on_the_same_operation_and_shared_answers_are_copied() {
        let theirs: Value = serde_yaml::from_str(
            r##"
paths:
  /things:
    post:
      requestBody:
        content:
          application/json:
            examples:
              Example 1: { value: { a: 1 } }
      responses:
        "200":
          content:
            application/json:
              example: { b: 2 }
        "400":
          content:
            application/json:
              example: { ignored: true }
"##,
        )
        .unwrap();
        let ours: Value = serde_yaml::from_str(OURS).unwrap();
        let (combined, added) = combine(&ours, &theirs).unwrap();
        assert_eq!(added, 2);
        let op = &combined["paths"]["/things"]["post"];
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["examples"]["foreign_Example_1"]["value"]
                ["a"],
            Value::from(1)
        );
        let answer = &op["responses"]["200"];
        assert!(answer.get("$ref").is_none(), "copied in: {answer:?}");
        assert_eq!(
            answer["content"]["application/json"]["examples"]["foreign_example"]["value"]["b"],
            Value::from(2)
        );
        // Our shared answer itself is untouched.
        assert!(
            combined["components"]["responses"]["Thing"]["content"]["application/json"]
                .get("examples")
                .is_none()
        );
    }

    #[test]
    fn an_operation_ours_lacks_is_an_error() {
        let theirs: Value =
            serde_yaml::from_str("paths:\n  /other:\n    get:\n      responses: {}\n").unwrap();
        let ours: Value = serde_yaml::from_str(OURS).unwrap();
        let error = combine(&ours, &theirs).unwrap_err().to_string();
        assert!(error.contains("no operation get /other"), "{error}");
    }
}
