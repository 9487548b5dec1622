//! Types: type expressions resolved against the declared names (with a did-you-mean), the
//! named types pass (each struct's fields, each enum's values), and the homes pass (a type
//! lives in the module of the first family, by module name, that uses it; a type nothing
//! uses is refused).

use std::collections::BTreeMap;

use serde_json::Value;

use super::context::Ctx;
use super::names::{Decl, Declarations};
use crate::error::{Diagnostic, closest};
use crate::ir::*;
use crate::naming::{UNKNOWN_VARIANT, is_ident, is_type_name, rust_ident, variant};
use crate::spec::{Entries, EnumValue, FieldDef, Spanned, TypeDef};

/// What type references resolve against: every declared name (sorted), and the named types
/// that passed their own checks.
#[derive(Clone, Copy)]
pub(super) struct Known<'a> {
    pub(super) names: &'a [&'a str],
    pub(super) types: &'a BTreeMap<String, NamedType>,
}

/// Parses a type expression and checks that the type it names, if any, is declared.
/// `type_names` is sorted.
pub(super) fn resolve(text: &str, type_names: &[&str]) -> Result<Ty, String> {
    let ty: Ty = text.parse()?;
    let mut inner = &ty;
    while let Ty::List(t) | Ty::Map(t) = inner {
        inner = t;
    }
    match inner {
        Ty::Named(name) if type_names.binary_search(&name.as_str()).is_err() => {
            let candidates = type_names.iter().copied().chain(Ty::BUILTINS);
            Err(match closest(name, candidates) {
                Some(best) => format!("unknown type `{name}`; did you mean `{best}`?"),
                None => format!("unknown type `{name}`"),
            })
        }
        _ => Ok(ty),
    }
}

/// Pass 2: every named type's fields or values. A type with a problem is left out (its
/// problem is reported), so nothing later trips over it.
pub(super) fn named_types(
    decls: &Declarations,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, NamedType> {
    let type_names = decls.type_names();
    let mut types = BTreeMap::new();
    for (name, decl) in &decls.types {
        let Decl { file, key, def, .. } = *decl;
        let mut cx = Ctx::new(file, diags);
        if let Some(t) = named_type(&mut cx, key, def, &type_names, decl.imported) {
            types.insert((*name).to_owned(), t);
        }
    }
    types
}

/// A named type; one declared in an `imported` file is a struct whose fields are all
/// optional (the importer knows names, not which fields every DSM sends).
fn named_type(
    cx: &mut Ctx,
    key: &Spanned<String>,
    def: &TypeDef,
    type_names: &[&str],
    imported: bool,
) -> Option<NamedType> {
    let name = &key.value;
    let path = format!("types[{name}]");
    if !is_type_name(name) {
        cx.at(
            key,
            &path,
            format!("`{name}` is not a valid type name (UpperCamelCase, letters and digits)"),
        );
        return None;
    }
    if imported {
        if let Some(kind) = &def.enum_kind {
            cx.at(
                kind,
                format!("{path}.enum"),
                "an imported file declares structs only; declare enums by hand",
            );
            return None;
        }
        let required = def
            .fields
            .iter()
            .flat_map(|f| &f.0)
            .filter(|(_, f)| !f.optional);
        let mut ok = true;
        for (k, _) in required {
            cx.at(
                k,
                format!("{path}.fields[{}]", k.value),
                "every field of a type in an imported file is `optional: true`",
            );
            ok = false;
        }
        if !ok {
            return None;
        }
    }
    let kind = match (&def.fields, &def.enum_kind, &def.values) {
        (Some(fields), None, None) => {
            TypeKind::Struct(struct_fields(cx, &path, fields, type_names)?)
        }
        (None, Some(kind), Some(values)) => enum_values(cx, &path, kind, values)?,
        (None, Some(kind), None) => {
            cx.at(kind, path, "an enum needs `values`");
            return None;
        }
        _ => {
            cx.at(
                key,
                path,
                "a type has either `fields`, or `enum` and `values`",
            );
            return None;
        }
    };
    Some(NamedType {
        name: name.clone(),
        family_module: String::new(),
        description: def.description.clone(),
        kind,
        in_params: false,
        imported,
    })
}

fn struct_fields(
    cx: &mut Ctx,
    path: &str,
    fields: &Entries<FieldDef>,
    type_names: &[&str],
) -> Option<Vec<Field>> {
    let mut out = Vec::new();
    let mut rust_names: BTreeMap<String, String> = BTreeMap::new();
    let mut ok = true;
    for (key, f) in &fields.0 {
        let fpath = format!("{path}.fields[{}]", key.value);
        let rust = rust_ident(&key.value);
        if !is_ident(&rust) {
            cx.at(
                key,
                &fpath,
                format!("field `{}` does not make a Rust identifier", key.value),
            );
            ok = false;
            continue;
        }
        if let Some(other) = rust_names.insert(rust.clone(), key.value.clone()) {
            cx.at(
                key,
                &fpath,
                format!("fields `{other}` and `{}` both become `{rust}`", key.value),
            );
            ok = false;
        }
        let mut ty = match resolve(&f.ty.value, type_names) {
            Ok(t) => t,
            Err(e) => {
                cx.at(&f.ty, format!("{fpath}.type"), e);
                ok = false;
                continue;
            }
        };
        if f.secret {
            if ty != Ty::String {
                cx.at(
                    &f.ty,
                    format!("{fpath}.secret"),
                    "only `string` fields can be secret",
                );
                ok = false;
            }
            ty = Ty::Secret;
        }
        out.push(Field {
            wire: key.value.clone(),
            rust,
            ty,
            optional: f.optional,
            description: f.description.clone(),
        });
    }
    ok.then_some(out)
}

fn enum_values(
    cx: &mut Ctx,
    path: &str,
    kind: &Spanned<String>,
    values: &[Spanned<EnumValue>],
) -> Option<TypeKind> {
    let integer = match kind.value.as_str() {
        "string" => false,
        "integer" => true,
        other => {
            cx.at(
                kind,
                format!("{path}.enum"),
                format!("enum coding `{other}` is neither `string` nor `integer`"),
            );
            return None;
        }
    };
    let mut out: Vec<EnumVariant> = Vec::new();
    let mut ok = true;
    for v in values {
        let (wire, int) = match (&v.value.value, integer) {
            (Value::String(s), false) => (s.clone(), None),
            (Value::Number(n), true) if n.as_i64().is_some() => (n.to_string(), n.as_i64()),
            (other, _) => {
                cx.at(
                    v,
                    format!("{path}.values"),
                    format!(
                        "value {other} is not {} like the enum's coding",
                        if integer { "an integer" } else { "a string" }
                    ),
                );
                ok = false;
                continue;
            }
        };
        let vpath = format!("{path}.values[{wire}]");
        let rust = match &v.value.name {
            Some(n) => n.clone(),
            None if integer => {
                cx.at(v, &vpath, "integer-coded values need a `name`");
                ok = false;
                continue;
            }
            None => variant(&wire),
        };
        if !is_type_name(&rust) {
            cx.at(v, &vpath, format!("`{wire}` makes the variant name `{rust}`, which is not a Rust identifier; give it a `name`"));
            ok = false;
        } else if rust == UNKNOWN_VARIANT {
            cx.at(v, &vpath, format!("value `{wire}` becomes `Unknown`, which is the catch-all for unknown values; give it another `name`"));
            ok = false;
        } else if let Some(other) = out.iter().find(|o| o.rust == rust || o.wire == wire) {
            cx.at(
                v,
                &vpath,
                format!("values `{}` and `{wire}` both become `{rust}`", other.wire),
            );
            ok = false;
        }
        out.push(EnumVariant {
            wire,
            int,
            rust,
            description: v.value.description.clone(),
        });
    }
    ok.then_some(TypeKind::Enum {
        integer,
        values: out,
    })
}

/// Pass 5: gives every type its home family and marks the types callers build (those a
/// parameter reaches). A type no method reaches is refused, but only in an otherwise sound
/// spec: a method rejected earlier leaves its types unreached.
pub(super) fn homes(
    families: &mut BTreeMap<String, Family>,
    mut types: BTreeMap<String, NamedType>,
    decls: &Declarations,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, NamedType> {
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    let mut inputs: Vec<Ty> = Vec::new();
    // Hand-written methods claim their types first, so that none of them lives in a family
    // whose feature is off by default; a type imported files declare may not be reached
    // from them (it is compiled only with the imported items). Public families claim before
    // the runtime's internal ones, whose modules are private: a type a public method uses is
    // always nameable where it lives.
    let mut by_hand_reach: BTreeMap<String, String> = BTreeMap::new();
    let public_first: Vec<&Family> = families
        .values()
        .filter(|f| !f.internal)
        .chain(families.values().filter(|f| f.internal))
        .collect();
    for pass_imported in [false, true] {
        for family in public_first.iter().copied() {
            for a in &family.apis {
                for m in &a.methods {
                    if (a.imported || m.imported) != pass_imported {
                        continue;
                    }
                    let params = m.params.iter().filter_map(|p| match &p.kind {
                        ParamKind::Value { ty, .. } => Some(ty),
                        ParamKind::Const(_) => None,
                    });
                    for ty in m.response.iter().chain(params.clone()) {
                        claim(ty, &family.module, &types, &mut owner);
                        if !pass_imported {
                            let user = format!("method `{}` of `{}`", m.wire, a.wire);
                            reach_imported(ty, &types, &user, &mut by_hand_reach, &mut Vec::new());
                        }
                    }
                    inputs.extend(params.cloned());
                }
            }
        }
    }
    for (name, user) in &by_hand_reach {
        let Decl { file, key, .. } = decls.types[name.as_str()];
        let message = format!(
            "type `{name}` is declared in an imported file, but the hand-written {user} uses it; declare it by hand"
        );
        Ctx::new(file, diags).at(key, format!("types[{name}]"), message);
    }
    for ty in &inputs {
        mark_input(ty, &mut types);
    }
    let unclaimed_is_unused = diags.is_empty();
    for (name, t) in types.iter_mut() {
        let Decl { file, key, .. } = decls.types[name.as_str()];
        let mut cx = Ctx::new(file, diags);
        match owner.get(name) {
            Some(module) => {
                t.family_module = module.clone();
                let family = families.get_mut(module).expect("owner is a family");
                if family.handle == *name {
                    cx.at(key, format!("types[{name}]"), format!(
                        "type `{name}` has the name of the handle of family `{}`; rename the type", family.wire));
                }
                family.types.push(name.clone());
                family.has_imported_types |= t.imported;
            }
            None if unclaimed_is_unused => {
                let message = format!("type `{name}` is not used by any api; remove it or use it");
                cx.at(key, format!("types[{name}]"), message);
            }
            None => {}
        }
    }
    types
}

/// Gives `ty`'s named types, and the types their fields use, to `module` unless another
/// family has them already.
fn claim(
    ty: &Ty,
    module: &str,
    types: &BTreeMap<String, NamedType>,
    owner: &mut BTreeMap<String, String>,
) {
    match ty {
        Ty::List(inner) | Ty::Map(inner) => claim(inner, module, types, owner),
        Ty::Named(name) => {
            if owner.contains_key(name) {
                return;
            }
            owner.insert(name.clone(), module.to_owned());
            if let Some(NamedType {
                kind: TypeKind::Struct(fields),
                ..
            }) = types.get(name)
            {
                for f in fields {
                    claim(&f.ty, module, types, owner);
                }
            }
        }
        _ => {}
    }
}

/// Records each imported type that `ty` reaches (itself, an element, a field at any depth),
/// with the hand-written `user` that reaches it first.
fn reach_imported<'a>(
    ty: &'a Ty,
    types: &'a BTreeMap<String, NamedType>,
    user: &str,
    out: &mut BTreeMap<String, String>,
    seen: &mut Vec<&'a str>,
) {
    match ty {
        Ty::List(inner) | Ty::Map(inner) => reach_imported(inner, types, user, out, seen),
        Ty::Named(name) if !seen.contains(&name.as_str()) => {
            seen.push(name);
            let Some(t) = types.get(name) else { return };
            if t.imported {
                out.entry(name.clone()).or_insert_with(|| user.to_owned());
            }
            if let TypeKind::Struct(fields) = &t.kind {
                for f in fields {
                    reach_imported(&f.ty, types, user, out, seen);
                }
            }
        }
        _ => {}
    }
}

/// Marks `ty`'s named types, and the types their fields use, as built by callers.
fn mark_input(ty: &Ty, types: &mut BTreeMap<String, NamedType>) {
    match ty {
        Ty::List(inner) | Ty::Map(inner) => mark_input(inner, types),
        Ty::Named(name) => {
            let Some(t) = types.get_mut(name).filter(|t| !t.in_params) else {
                return;
            };
            t.in_params = true;
            if let TypeKind::Struct(fields) = &t.kind {
                let inner: Vec<Ty> = fields.iter().map(|f| f.ty.clone()).collect();
                for ty in &inner {
                    mark_input(ty, types);
                }
            }
        }
        _ => {}
    }
}
