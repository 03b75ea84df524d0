//! `$ref`s resolved, and what a schema says of its kind, format and enum.

use std::collections::BTreeSet;
use std::fmt;

use openapiv3::{OpenAPI, Parameter, ReferenceOr, RequestBody, Response, Schema, SchemaKind, Type};

pub(super) fn resolve<'s>(
    spec: &'s OpenAPI,
    schema: &'s ReferenceOr<Schema>,
) -> Option<&'s Schema> {
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

pub(super) fn resolve_boxed<'s>(
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
pub(super) fn resolve_component<'s, T>(
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

pub(super) fn resolve_parameter<'s>(
    spec: &'s OpenAPI,
    p: &'s ReferenceOr<Parameter>,
) -> Option<&'s Parameter> {
    resolve_component(spec, p, "parameters", |c, name| c.parameters.get(name))
}

pub(super) fn resolve_body<'s>(
    spec: &'s OpenAPI,
    b: &'s ReferenceOr<RequestBody>,
) -> Option<&'s RequestBody> {
    resolve_component(spec, b, "requestBodies", |c, name| {
        c.request_bodies.get(name)
    })
}

pub(super) fn resolve_response<'s>(
    spec: &'s OpenAPI,
    r: &'s ReferenceOr<Response>,
) -> Option<&'s Response> {
    resolve_component(spec, r, "responses", |c, name| c.responses.get(name))
}

/// A schema's kind, in words: `string`, `integer`, `object`, `oneOf`, ….
pub(super) fn kind_of(schema: &Schema) -> String {
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
pub(super) fn format_of(schema: &Schema) -> Option<String> {
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
pub(super) fn enum_values(schema: &Schema) -> BTreeSet<String> {
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
