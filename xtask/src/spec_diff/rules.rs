//! The OpenAPI rules: each difference between two versions of a spec,
//! rated for a client of the generated crates.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{OpenAPI, Operation, Parameter, ReferenceOr, Schema, SchemaKind, Type};

use super::resolve::*;
use super::{Change, Rating};

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
