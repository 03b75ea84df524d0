//! `cargo xtask spec-diff [BASE]`: what a change to `specs/` does to the
//! APIs' callers, each change rated for a client of the generated crates,
//! and what it does to the generated Rust API.
//!
//! The rules are this project's own, over `openapiv3` with every `$ref`
//! resolved: `redocly diff` (the pinned 2.77.0) rates a renamed request
//! property a patch, where it breaks every client that sends it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use openapiv3::{
    OpenAPI, Operation, Parameter, ReferenceOr, RequestBody, Response, Schema, SchemaKind, Type,
};

use crate::generate::parse_spec;

/// How a change lands on a client of the generated crates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rating {
    /// Existing callers keep working.
    Compatible,
    /// Some existing caller breaks.
    Breaking,
}

/// One change to a spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Breaking or compatible.
    pub rating: Rating,
    /// The spec (`xsiam`).
    pub spec: String,
    /// The operation (its `operationId`), or `-` for the spec as a whole.
    pub operation: String,
    /// Where, as a JSON pointer into the new (or, if removed, old) spec.
    pub path: String,
    /// What changed.
    pub what: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rating = match self.rating {
            Rating::Breaking => "breaking  ",
            Rating::Compatible => "compatible",
        };
        write!(
            f,
            "{rating} {}: {} at {}: {}",
            self.spec, self.operation, self.path, self.what
        )
    }
}

/// Whether a schema is read in a request or in an answer: the rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Answer,
}

/// JSON-pointer escaping of one segment.
fn segment(text: &str) -> String {
    text.replace('~', "~0").replace('/', "~1")
}

struct Differ<'a> {
    old: &'a OpenAPI,
    new: &'a OpenAPI,
    spec: &'a str,
    operation: String,
    changes: Vec<Change>,
}

fn resolve<'s>(spec: &'s OpenAPI, schema: &'s ReferenceOr<Schema>) -> Option<&'s Schema> {
    let mut current = schema;
    for _ in 0..32 {
        match current {
            ReferenceOr::Item(schema) => return Some(schema),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/schemas/")?;
                current = spec.components.as_ref()?.schemas.get(name)?;
            }
        }
    }
    None
}

fn resolve_boxed<'s>(
    spec: &'s OpenAPI,
    schema: &'s ReferenceOr<Box<Schema>>,
) -> Option<&'s Schema> {
    match schema {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/schemas/")?;
            resolve(spec, spec.components.as_ref()?.schemas.get(name)?)
        }
    }
}

/// `item`, or the component its `$ref` names: `#/components/{kind}/NAME`,
/// looked up in `components` (one level: components that refer on are not
/// followed).
fn resolve_component<'s, T>(
    spec: &'s OpenAPI,
    item: &'s ReferenceOr<T>,
    kind: &str,
    components: impl Fn(&'s openapiv3::Components, &str) -> Option<&'s ReferenceOr<T>>,
) -> Option<&'s T> {
    match item {
        ReferenceOr::Item(item) => Some(item),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix(&format!("#/components/{kind}/"))?;
            match components(spec.components.as_ref()?, name)? {
                ReferenceOr::Item(item) => Some(item),
                ReferenceOr::Reference { .. } => None,
            }
        }
    }
}

fn resolve_parameter<'s>(
    spec: &'s OpenAPI,
    p: &'s ReferenceOr<Parameter>,
) -> Option<&'s Parameter> {
    resolve_component(spec, p, "parameters", |c, name| c.parameters.get(name))
}

fn resolve_body<'s>(spec: &'s OpenAPI, b: &'s ReferenceOr<RequestBody>) -> Option<&'s RequestBody> {
    resolve_component(spec, b, "requestBodies", |c, name| {
        c.request_bodies.get(name)
    })
}

fn resolve_response<'s>(spec: &'s OpenAPI, r: &'s ReferenceOr<Response>) -> Option<&'s Response> {
    resolve_component(spec, r, "responses", |c, name| c.responses.get(name))
}

/// A schema's kind, in words: `string`, `integer`, `object`, `oneOf`, ….
fn kind_of(schema: &Schema) -> String {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => "string".into(),
        SchemaKind::Type(Type::Number(_)) => "number".into(),
        SchemaKind::Type(Type::Integer(_)) => "integer".into(),
        SchemaKind::Type(Type::Object(_)) => "object".into(),
        SchemaKind::Type(Type::Array(_)) => "array".into(),
        SchemaKind::Type(Type::Boolean(_)) => "boolean".into(),
        SchemaKind::OneOf { one_of } => format!("oneOf of {}", one_of.len()),
        SchemaKind::AllOf { all_of } => format!("allOf of {}", all_of.len()),
        SchemaKind::AnyOf { any_of } => format!("anyOf of {}", any_of.len()),
        SchemaKind::Not { .. } => "not".into(),
        SchemaKind::Any(_) => "any".into(),
    }
}

/// A schema's format, if any, in words.
fn format_of(schema: &Schema) -> Option<String> {
    fn shown<T: fmt::Debug>(format: &openapiv3::VariantOrUnknownOrEmpty<T>) -> Option<String> {
        match format {
            openapiv3::VariantOrUnknownOrEmpty::Empty => None,
            openapiv3::VariantOrUnknownOrEmpty::Unknown(text) => Some(text.clone()),
            openapiv3::VariantOrUnknownOrEmpty::Item(item) => Some(format!("{item:?}")),
        }
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => shown(&s.format),
        SchemaKind::Type(Type::Integer(i)) => shown(&i.format),
        SchemaKind::Type(Type::Number(n)) => shown(&n.format),
        _ => None,
    }
}

/// The string enum values of a schema (empty when it has none).
fn enum_values(schema: &Schema) -> BTreeSet<String> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => s.enumeration.iter().flatten().cloned().collect(),
        SchemaKind::Type(Type::Integer(i)) => i
            .enumeration
            .iter()
            .flatten()
            .map(|n| n.to_string())
            .collect(),
        _ => BTreeSet::new(),
    }
}

impl Differ<'_> {
    fn note(&mut self, rating: Rating, path: &str, what: impl Into<String>) {
        self.changes.push(Change {
            rating,
            spec: self.spec.to_string(),
            operation: self.operation.clone(),
            path: path.to_string(),
            what: what.into(),
        });
    }

    fn schemas(
        &mut self,
        old: Option<&Schema>,
        new: Option<&Schema>,
        path: &str,
        dir: Direction,
        depth: usize,
    ) {
        let (Some(old), Some(new)) = (old, new) else {
            return;
        };
        if depth > 24 {
            return;
        }
        if old.schema_data.description != new.schema_data.description
            || old.schema_data.example != new.schema_data.example
        {
            self.note(Rating::Compatible, path, "description or example changed");
        }
        if old.schema_data.nullable && !new.schema_data.nullable && dir == Direction::Request {
            self.note(
                Rating::Breaking,
                path,
                "null is no longer allowed in requests",
            );
        }
        if !old.schema_data.nullable && new.schema_data.nullable && dir == Direction::Answer {
            self.note(Rating::Breaking, path, "answers may now carry null here");
        }
        let (old_kind, new_kind) = (kind_of(old), kind_of(new));
        if old_kind != new_kind {
            let what = if dir == Direction::Answer {
                format!("the answer's shape changed: {old_kind} became {new_kind}")
            } else {
                format!("type changed: {old_kind} became {new_kind}")
            };
            self.note(Rating::Breaking, path, what);
            return;
        }
        if format_of(old) != format_of(new) {
            self.note(
                Rating::Breaking,
                path,
                format!(
                    "format changed: {} became {}",
                    format_of(old).unwrap_or_else(|| "none".into()),
                    format_of(new).unwrap_or_else(|| "none".into())
                ),
            );
        }
        let (old_values, new_values) = (enum_values(old), enum_values(new));
        for removed in old_values.difference(&new_values) {
            // An empty enum means any value: narrowing to a list removes the rest.
            self.note(
                Rating::Breaking,
                path,
                format!("enum value {removed:?} removed"),
            );
        }
        if !old_values.is_empty() {
            for added in new_values.difference(&old_values) {
                let whose = match dir {
                    Direction::Answer => "answers may carry",
                    Direction::Request => "requests may send",
                };
                self.note(
                    Rating::Compatible,
                    path,
                    format!("new enum value {added:?}: {whose} it"),
                );
            }
        }
        match (&old.schema_kind, &new.schema_kind) {
            (SchemaKind::Type(Type::Object(o)), SchemaKind::Type(Type::Object(n))) => {
                let old_required: BTreeSet<&String> = o.required.iter().collect();
                let new_required: BTreeSet<&String> = n.required.iter().collect();
                for (name, old_prop) in &o.properties {
                    let at = format!("{path}/properties/{}", segment(name));
                    match n.properties.get(name) {
                        None => self.note(
                            Rating::Breaking,
                            &at,
                            format!("property {name:?} removed (or renamed)"),
                        ),
                        Some(new_prop) => {
                            let (a, b) = (
                                resolve_boxed(self.old, old_prop),
                                resolve_boxed(self.new, new_prop),
                            );
                            self.schemas(a, b, &at, dir, depth + 1);
                        }
                    }
                    let was = old_required.contains(name);
                    let is = new_required.contains(name);
                    match (dir, was, is) {
                        (Direction::Request, false, true) => {
                            self.note(Rating::Breaking, &at, format!("request property {name:?} became required"))
                        }
                        (Direction::Answer, true, false) if n.properties.contains_key(name) => self.note(
                            Rating::Breaking,
                            &at,
                            format!("answer property {name:?} was always present and is now optional"),
                        ),
                        (_, true, false) | (_, false, true) => {
                            self.note(Rating::Compatible, &at, format!("property {name:?}: required changed"))
                        }
                        _ => {}
                    }
                }
                for name in n
                    .properties
                    .keys()
                    .filter(|k| !o.properties.contains_key(*k))
                {
                    let at = format!("{path}/properties/{}", segment(name));
                    if dir == Direction::Request && new_required.contains(name) {
                        self.note(
                            Rating::Breaking,
                            &at,
                            format!("new required request property {name:?}"),
                        );
                    } else {
                        self.note(
                            Rating::Compatible,
                            &at,
                            format!("new optional property {name:?}"),
                        );
                    }
                }
            }
            (SchemaKind::Type(Type::Array(o)), SchemaKind::Type(Type::Array(n))) => {
                if let (Some(a), Some(b)) = (&o.items, &n.items) {
                    let (a, b) = (resolve_boxed(self.old, a), resolve_boxed(self.new, b));
                    self.schemas(a, b, &format!("{path}/items"), dir, depth + 1);
                }
            }
            (SchemaKind::OneOf { one_of: a }, SchemaKind::OneOf { one_of: b })
            | (SchemaKind::AnyOf { any_of: a }, SchemaKind::AnyOf { any_of: b })
            | (SchemaKind::AllOf { all_of: a }, SchemaKind::AllOf { all_of: b }) => {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    let (x, y) = (resolve(self.old, x), resolve(self.new, y));
                    self.schemas(x, y, &format!("{path}/{i}"), dir, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn body_schema<'s>(
        spec: &'s OpenAPI,
        content: &'s openapiv3::Content,
        media: &str,
    ) -> Option<&'s Schema> {
        content
            .get(media)?
            .schema
            .as_ref()
            .and_then(|s| resolve(spec, s))
    }

    fn operations(&mut self, path: &str, method: &str, old: &Operation, new: &Operation) {
        let base = format!("#/paths/{}/{method}", segment(path));
        if old.summary != new.summary || old.description != new.description {
            self.note(Rating::Compatible, &base, "summary or description changed");
        }
        // Parameters, by name and place.
        let params = |spec: &OpenAPI, op: &Operation| -> BTreeMap<(String, String), Parameter> {
            op.parameters
                .iter()
                .filter_map(|p| resolve_parameter(spec, p))
                .map(|p| {
                    let data = p.parameter_data_ref();
                    let place = match p {
                        Parameter::Query { .. } => "query",
                        Parameter::Header { .. } => "header",
                        Parameter::Path { .. } => "path",
                        Parameter::Cookie { .. } => "cookie",
                    };
                    ((place.to_string(), data.name.clone()), p.clone())
                })
                .collect()
        };
        let (old_params, new_params) = (params(self.old, old), params(self.new, new));
        for ((place, name), p) in &old_params {
            let at = format!("{base}/parameters/{place}:{}", segment(name));
            match new_params.get(&(place.clone(), name.clone())) {
                None => self.note(
                    Rating::Breaking,
                    &at,
                    format!("{place} parameter {name:?} removed (or renamed)"),
                ),
                Some(q) => {
                    let (a, b) = (p.parameter_data_ref(), q.parameter_data_ref());
                    if !a.required && b.required {
                        self.note(
                            Rating::Breaking,
                            &at,
                            format!("{place} parameter {name:?} became required"),
                        );
                    }
                    let schema = |spec: &OpenAPI, d: &openapiv3::ParameterData| match &d.format {
                        openapiv3::ParameterSchemaOrContent::Schema(s) => resolve(spec, s).cloned(),
                        _ => None,
                    };
                    let (x, y) = (schema(self.old, a), schema(self.new, b));
                    self.schemas(
                        x.as_ref(),
                        y.as_ref(),
                        &format!("{at}/schema"),
                        Direction::Request,
                        0,
                    );
                }
            }
        }
        for ((place, name), q) in &new_params {
            if !old_params.contains_key(&(place.clone(), name.clone())) {
                let at = format!("{base}/parameters/{place}:{}", segment(name));
                if q.parameter_data_ref().required {
                    self.note(
                        Rating::Breaking,
                        &at,
                        format!("new required {place} parameter {name:?}"),
                    );
                } else {
                    self.note(
                        Rating::Compatible,
                        &at,
                        format!("new optional {place} parameter {name:?}"),
                    );
                }
            }
        }
        // The request body.
        let body = |spec, op: &Operation| {
            op.request_body
                .as_ref()
                .and_then(|b| resolve_body(spec, b))
                .cloned()
        };
        match (body(self.old, old), body(self.new, new)) {
            (Some(a), Some(b)) => {
                if !a.required && b.required {
                    self.note(
                        Rating::Breaking,
                        &format!("{base}/requestBody"),
                        "the request body became required",
                    );
                }
                for media in a.content.keys() {
                    let at = format!("{base}/requestBody/content/{}/schema", segment(media));
                    if !b.content.contains_key(media) {
                        self.note(
                            Rating::Breaking,
                            &at,
                            format!("request media type {media} removed"),
                        );
                        continue;
                    }
                    let x = Self::body_schema(self.old, &a.content, media);
                    let y = Self::body_schema(self.new, &b.content, media);
                    self.schemas(x, y, &at, Direction::Request, 0);
                }
            }
            (Some(_), None) => self.note(
                Rating::Breaking,
                &format!("{base}/requestBody"),
                "the request body was removed",
            ),
            (None, Some(b)) => {
                let rating = if b.required {
                    Rating::Breaking
                } else {
                    Rating::Compatible
                };
                self.note(
                    rating,
                    &format!("{base}/requestBody"),
                    "a request body was added",
                );
            }
            (None, None) => {}
        }
        // The answers, by status.
        for (status, old_response) in &old.responses.responses {
            let code = status.to_string();
            let at = format!("{base}/responses/{code}");
            let success = code.starts_with('2');
            let Some(new_response) = new.responses.responses.get(status) else {
                let rating = if success {
                    Rating::Breaking
                } else {
                    Rating::Compatible
                };
                self.note(rating, &at, format!("answer {code} removed"));
                continue;
            };
            let (Some(a), Some(b)) = (
                resolve_response(self.old, old_response),
                resolve_response(self.new, new_response),
            ) else {
                continue;
            };
            if a.description != b.description {
                self.note(Rating::Compatible, &at, "answer description changed");
            }
            for media in a.content.keys() {
                let schema_at = format!("{at}/content/{}/schema", segment(media));
                if !b.content.contains_key(media) {
                    self.note(
                        Rating::Breaking,
                        &schema_at,
                        format!("answer media type {media} removed"),
                    );
                    continue;
                }
                let x = Self::body_schema(self.old, &a.content, media);
                let y = Self::body_schema(self.new, &b.content, media);
                self.schemas(x, y, &schema_at, Direction::Answer, 0);
            }
            for media in b.content.keys().filter(|m| !a.content.contains_key(*m)) {
                let rating = if success && !a.content.is_empty() {
                    Rating::Breaking
                } else {
                    Rating::Compatible
                };
                self.note(
                    rating,
                    &format!("{at}/content/{}", segment(media)),
                    format!("answer media type {media} added"),
                );
            }
        }
        for status in new
            .responses
            .responses
            .keys()
            .filter(|s| !old.responses.responses.contains_key(*s))
        {
            self.note(
                Rating::Compatible,
                &format!("{base}/responses/{status}"),
                format!("answer {status} added"),
            );
        }
    }
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The operations of a spec: (path, method) → operation.
fn operations(spec: &OpenAPI) -> BTreeMap<(String, &'static str), Operation> {
    let mut found = BTreeMap::new();
    for (path, item) in &spec.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for method in METHODS {
            let op = match method {
                "get" => &item.get,
                "put" => &item.put,
                "post" => &item.post,
                "delete" => &item.delete,
                "options" => &item.options,
                "head" => &item.head,
                "patch" => &item.patch,
                _ => &item.trace,
            };
            if let Some(op) = op {
                found.insert((path.clone(), method), op.clone());
            }
        }
    }
    found
}

/// Every change from `old` to `new`, one spec's two texts.
pub fn diff_specs(spec: &str, old: &OpenAPI, new: &OpenAPI) -> Vec<Change> {
    let mut differ = Differ {
        old,
        new,
        spec,
        operation: "-".into(),
        changes: Vec::new(),
    };
    if old.info.description != new.info.description || old.info.title != new.info.title {
        differ.note(Rating::Compatible, "#/info", "title or description changed");
    }
    let (before, after) = (operations(old), operations(new));
    for ((path, method), op) in &before {
        let id = op
            .operation_id
            .clone()
            .unwrap_or_else(|| format!("{method} {path}"));
        differ.operation = id.clone();
        match after.get(&(path.clone(), method)) {
            None => differ.note(
                Rating::Breaking,
                &format!("#/paths/{}/{method}", segment(path)),
                format!("operation {id} removed (or moved)"),
            ),
            Some(new_op) => differ.operations(path, method, op, new_op),
        }
    }
    for ((path, method), op) in &after {
        if !before.contains_key(&(path.clone(), method)) {
            let id = op
                .operation_id
                .clone()
                .unwrap_or_else(|| format!("{method} {path}"));
            differ.operation = id.clone();
            differ.note(
                Rating::Compatible,
                &format!("#/paths/{}/{method}", segment(path)),
                format!("new operation {id}"),
            );
        }
    }
    differ.changes.sort();
    differ.changes.dedup();
    differ.changes
}

/// The public items of a generated module, by path, with their signature:
/// types, their public fields and variants, and the client's methods.
pub fn public_items(source: &str) -> Result<BTreeMap<String, String>> {
    use quote::ToTokens;
    let file: syn::File = syn::parse_str(source).context("the generated module does not parse")?;
    let mut items = BTreeMap::new();
    fn walk(prefix: &str, items: &[syn::Item], out: &mut BTreeMap<String, String>) {
        for item in items {
            let public = |v: &syn::Visibility| matches!(v, syn::Visibility::Public(_));
            match item {
                syn::Item::Mod(m) if public(&m.vis) => {
                    if let Some((_, inner)) = &m.content {
                        walk(&format!("{prefix}{}::", m.ident), inner, out);
                    }
                }
                syn::Item::Struct(s) if public(&s.vis) => {
                    let name = format!("{prefix}{}", s.ident);
                    out.insert(name.clone(), "struct".into());
                    for field in s.fields.iter().filter(|f| public(&f.vis)) {
                        if let Some(ident) = &field.ident {
                            out.insert(
                                format!("{name}.{ident}"),
                                field.ty.to_token_stream().to_string(),
                            );
                        }
                    }
                }
                syn::Item::Enum(e) if public(&e.vis) => {
                    let name = format!("{prefix}{}", e.ident);
                    out.insert(name.clone(), "enum".into());
                    for variant in &e.variants {
                        out.insert(
                            format!("{name}::{}", variant.ident),
                            variant.fields.to_token_stream().to_string(),
                        );
                    }
                }
                syn::Item::Impl(i) if i.trait_.is_none() => {
                    let ty = i.self_ty.to_token_stream().to_string();
                    for member in &i.items {
                        if let syn::ImplItem::Fn(f) = member
                            && public(&f.vis)
                        {
                            out.insert(
                                format!("{prefix}{ty}::{}()", f.sig.ident),
                                f.sig.to_token_stream().to_string(),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
    walk("", &file.items, &mut items);
    Ok(items)
}

/// How the generated Rust API changes between two texts of a spec.
pub fn diff_generated(spec: &str, old: &str, new: &str) -> Result<Vec<String>> {
    let path = format!("specs/{spec}.yaml");
    let before = public_items(&crate::generate::generate(&path, old)?.source)?;
    let after = public_items(&crate::generate::generate(&path, new)?.source)?;
    let mut lines = Vec::new();
    for (item, signature) in &before {
        match after.get(item) {
            None => lines.push(format!("{spec}: removed {item}")),
            Some(now) if now != signature => {
                lines.push(format!("{spec}: changed {item}: {signature} -> {now}"))
            }
            Some(_) => {}
        }
    }
    for item in after.keys().filter(|k| !before.contains_key(*k)) {
        lines.push(format!("{spec}: added {item}"));
    }
    Ok(lines)
}

/// The specs in `specs/` at `base`, by name, with their text.
fn specs_at(root: &Path, base: &str) -> Result<BTreeMap<String, String>> {
    let git = |args: &[&str]| -> Result<String> {
        let output = Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .context("cannot run git")?;
        if !output.status.success() {
            bail!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let mut specs = BTreeMap::new();
    for file in git(&["ls-tree", "--name-only", base, "specs/"])?.lines() {
        if let Some(name) = file
            .strip_prefix("specs/")
            .and_then(|f| f.strip_suffix(".yaml"))
        {
            specs.insert(name.to_string(), git(&["show", &format!("{base}:{file}")])?);
        }
    }
    Ok(specs)
}

/// The specs in the working tree's `specs/`.
fn specs_now(root: &Path) -> Result<BTreeMap<String, String>> {
    let mut specs = BTreeMap::new();
    for entry in std::fs::read_dir(root.join("specs"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yaml")
            && let Some(name) = path.file_stem().and_then(|s| s.to_str())
        {
            specs.insert(name.to_string(), std::fs::read_to_string(&path)?);
        }
    }
    Ok(specs)
}

/// What `spec-diff` found: the API changes and the generated-API changes.
#[derive(Debug, Default)]
pub struct Report {
    /// Every change to the APIs, rated.
    pub changes: Vec<Change>,
    /// Public items of the generated modules that appear, disappear or
    /// change signature.
    pub generated: Vec<String>,
}

impl Report {
    /// Whether any change breaks a client.
    pub fn breaking(&self) -> bool {
        self.changes.iter().any(|c| c.rating == Rating::Breaking)
    }
}

/// Compares two sets of spec texts, by name.
pub fn compare(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Result<Report> {
    let mut report = Report::default();
    let whole = |rating, spec: &str, what: &str| Change {
        rating,
        spec: spec.to_string(),
        operation: "-".into(),
        path: "#".into(),
        what: what.into(),
    };
    for (name, text) in old {
        match new.get(name) {
            None => report
                .changes
                .push(whole(Rating::Breaking, name, "spec removed")),
            Some(now) if now == text => {}
            Some(now) => {
                let path = format!("specs/{name}.yaml");
                let (was, is) = (parse_spec(&path, text)?, parse_spec(&path, now)?);
                report.changes.extend(diff_specs(name, &was, &is));
                report.generated.extend(diff_generated(name, text, now)?);
            }
        }
    }
    for name in new.keys().filter(|n| !old.contains_key(*n)) {
        report
            .changes
            .push(whole(Rating::Compatible, name, "spec added"));
    }
    Ok(report)
}

/// Every change to `root/specs/` since the git revision `base`.
pub fn since(root: &Path, base: &str) -> Result<Report> {
    compare(&specs_at(root, base)?, &specs_now(root)?)
}

/// `cargo xtask spec-diff [BASE] [--allow-breaking]`: prints the report;
/// fails when anything breaks, unless allowed.
pub fn spec_diff(root: &Path, base: &str, allow_breaking: bool) -> Result<Report> {
    let report = since(root, base)?;
    print!("{}", render(&report, base));
    if report.breaking() && !allow_breaking {
        bail!(
            "the change to specs/ breaks existing clients (see above); pass --allow-breaking if that is intended"
        );
    }
    Ok(report)
}

/// The report as text: one line per change, then the generated API, then
/// a summary line.
pub fn render(report: &Report, base: &str) -> String {
    let mut out = String::new();
    for change in &report.changes {
        out.push_str(&format!("{change}\n"));
    }
    if !report.generated.is_empty() {
        out.push_str("generated Rust API:\n");
        for line in &report.generated {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push_str(&summary(report, base));
    out.push('\n');
    out
}

/// The report's one-line summary.
pub fn summary(report: &Report, base: &str) -> String {
    let breaking = report
        .changes
        .iter()
        .filter(|c| c.rating == Rating::Breaking)
        .count();
    if report.changes.is_empty() {
        format!("spec-diff: no change to specs/ since {base}")
    } else {
        format!(
            "spec-diff: {} change(s) since {base}, {breaking} breaking",
            report.changes.len()
        )
    }
}
