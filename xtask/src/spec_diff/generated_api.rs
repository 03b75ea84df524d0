//! The generated Rust API's changes: public items that appear, disappear
//! or change signature.

use std::collections::BTreeMap;

use anyhow::{Context, Result};

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
