//! Named types: structs (their fields, whether callers build them) and open enums.

use std::collections::{BTreeMap, BTreeSet};

use super::{Cx, Out, Rule, Side, gate, gate_change, pair};
use crate::ir::{Family, NamedType, ParamKind, Spec, Ty, TypeKind};

/// Every named type of both specs. Types of a family added or removed are its family's
/// line; types of runtime-only families are crate-private unless a public method reaches
/// them.
pub(super) fn types(cx: &Cx, out: &mut Out) {
    let (old, new) = (&cx.old.spec.types, &cx.new.spec.types);
    let reach = (reached(cx.old.spec), reached(cx.new.spec));
    let mut removed: Vec<&NamedType> = Vec::new();
    let mut added: BTreeMap<String, Vec<&NamedType>> = BTreeMap::new();
    for (name, o) in old {
        match new.get(name) {
            Some(n) => both(cx, &reach, out, o, n),
            None if cx.old.public(&o.family_module) && cx.new.public(&o.family_module) => {
                removed.push(o)
            }
            None if internal(&cx.old, o) => {
                out.push(Rule::InternalChanged, format!("type {name}"), "removed")
            }
            None => {}
        }
    }
    for (name, n) in new.iter().filter(|(name, _)| !old.contains_key(*name)) {
        if cx.old.public(&n.family_module) && cx.new.public(&n.family_module) {
            added.entry(shape(n)).or_default().push(n);
        } else if internal(&cx.new, n) {
            out.push(Rule::InternalChanged, format!("type {name}"), "added");
        }
    }
    for o in removed {
        let renamed = added
            .get_mut(&shape(o))
            .and_then(|c| (!c.is_empty()).then(|| c.remove(0)));
        match renamed {
            Some(n) => out.push(
                Rule::TypeRenamed,
                format!("type {}", o.name),
                format!("renamed `{}`", n.name),
            ),
            None => out.push(Rule::TypeRemoved, format!("type {}", o.name), "removed"),
        }
    }
    for n in added.into_values().flatten() {
        out.push(Rule::TypeAdded, format!("type {}", n.name), "added");
    }
}

fn internal(side: &Side, t: &NamedType) -> bool {
    side.family(&t.family_module).is_some_and(|f| f.internal)
}

/// What a type is, without its name and docs: a renamed type keeps it.
fn shape(t: &NamedType) -> String {
    let mut s = format!("{} ", t.family_module);
    match &t.kind {
        TypeKind::Struct(fields) => {
            for f in fields {
                s += &format!("{}:{}:{}:{} ", f.wire, f.rust, f.ty, f.optional);
            }
        }
        TypeKind::Enum { integer, values } => {
            s += &format!("enum {integer} ");
            for v in values {
                s += &format!("{}={} ", v.wire, v.rust);
            }
        }
    }
    s
}

/// The named types a public family's method reaches (its parameters and response, and the
/// fields of those at any depth). Callers use them wherever they live: a type homed in a
/// runtime-only family that one of them reaches is public too, if unnameable.
fn reached(spec: &Spec) -> BTreeSet<&str> {
    let mut todo: Vec<&Ty> = Vec::new();
    for a in spec
        .families
        .iter()
        .filter(|f| !f.internal)
        .flat_map(|f| &f.apis)
    {
        for m in &a.methods {
            todo.extend(&m.response);
            todo.extend(m.params.iter().filter_map(|p| match &p.kind {
                ParamKind::Value { ty, .. } => Some(ty),
                ParamKind::Const(_) => None,
            }));
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(ty) = todo.pop() {
        match ty {
            Ty::List(inner) | Ty::Map(inner) => todo.push(inner),
            Ty::Named(n) if seen.insert(n.as_str()) => {
                if let Some(TypeKind::Struct(fields)) = spec.types.get(n).map(|t| &t.kind) {
                    todo.extend(fields.iter().map(|f| &f.ty));
                }
            }
            _ => {}
        }
    }
    seen
}

/// A type both specs have. `reach`: the types public methods reach, old and new.
fn both(
    cx: &Cx,
    reach: &(BTreeSet<&str>, BTreeSet<&str>),
    out: &mut Out,
    o: &NamedType,
    n: &NamedType,
) {
    let (of, nf) = (
        cx.old.family(&o.family_module),
        cx.new.family(&n.family_module),
    );
    let (Some(of), Some(nf)) = (of, nf) else {
        return;
    };
    let s = format!("type {}", n.name);
    let public = (
        !of.internal || reach.0.contains(o.name.as_str()),
        !nf.internal || reach.1.contains(n.name.as_str()),
    );
    match public {
        (false, false) => {
            let mut inner = Out::default();
            if o.family_module != n.family_module {
                inner.push(Rule::InternalChanged, "", "");
            } else {
                same_family(&mut inner, o, n);
            }
            if !inner.0.is_empty() {
                out.push(Rule::InternalChanged, s, "changed");
            }
            return;
        }
        (true, false) => {
            let what = format!(
                "crate-private now: only the runtime-only `{}` uses it",
                n.family_module
            );
            out.push(Rule::TypeRemoved, s, what);
            return;
        }
        (false, true) => {
            let what = format!(
                "public now: a public method reaches it (`{}::{}`)",
                n.family_module, n.name
            );
            out.push(Rule::TypeAdded, s, what);
            return;
        }
        (true, true) => {}
    }
    if o.family_module != n.family_module {
        let private = |f: &Family| {
            if f.internal {
                " (a crate-private module)"
            } else {
                ""
            }
        };
        let what = format!(
            "moves from `{}::{}`{} to `{}::{}`{}",
            o.family_module,
            o.name,
            private(of),
            n.family_module,
            n.name,
            private(nf)
        );
        out.push(Rule::TypeMoved, &s, what);
    } else {
        gate_change(out, &s, "type", gate(of, o.imported), gate(nf, n.imported));
    }
    same_family(out, o, n);
}

fn kind_name(k: &TypeKind) -> &'static str {
    match k {
        TypeKind::Struct(_) => "a struct",
        TypeKind::Enum { integer: false, .. } => "a string enum",
        TypeKind::Enum { integer: true, .. } => "an integer enum",
    }
}

fn same_family(out: &mut Out, o: &NamedType, n: &NamedType) {
    let s = format!("type {}", n.name);
    if o.description != n.description {
        out.push(Rule::DocsChanged, &s, "description");
    }
    match (&o.kind, &n.kind) {
        (TypeKind::Struct(of), TypeKind::Struct(nf)) => {
            match (o.in_params, n.in_params) {
                (false, true) => out.push(
                    Rule::StructNowConstructible,
                    &s,
                    "loses `#[non_exhaustive]` (a parameter reaches it)",
                ),
                (true, false) => out.push(
                    Rule::StructNoLongerConstructible,
                    &s,
                    "gains `#[non_exhaustive]` (no parameter reaches it)",
                ),
                _ => {}
            }
            let p = pair(of, nf, |f| &f.wire, |f| &f.rust);
            for f in p.removed {
                out.push(Rule::FieldRemoved, &s, format!("field {} removed", f.rust));
            }
            for f in p.added {
                let rule = if o.in_params {
                    Rule::ParamStructFieldAdded
                } else {
                    Rule::ResponseFieldAdded
                };
                out.push(rule, &s, format!("field {} added", f.rust));
            }
            for (a, b) in p.both {
                let field = format!("field {}", b.rust);
                if a.wire != b.wire {
                    out.push(
                        Rule::WireNameChanged,
                        &s,
                        format!("{field} was `{}`", a.wire),
                    );
                }
                if a.rust != b.rust {
                    // Names come from wire names: only a change of the naming rules gets here.
                    let what = format!("field {} is now {}", a.rust, b.rust);
                    out.push(Rule::FieldRemoved, &s, what);
                }
                if (a.ty == Ty::Secret) != (b.ty == Ty::Secret) {
                    let what = format!(
                        "{field}: secret {} is now {}",
                        a.ty == Ty::Secret,
                        b.ty == Ty::Secret
                    );
                    out.push(Rule::FieldSecretChanged, &s, what);
                } else if a.ty != b.ty {
                    out.push(
                        Rule::FieldTypeChanged,
                        &s,
                        format!("{field}: type {} is now {}", a.ty, b.ty),
                    );
                }
                match (a.optional, b.optional) {
                    (false, true) => out.push(
                        Rule::FieldBecameOptional,
                        &s,
                        format!("{field} is now optional"),
                    ),
                    (true, false) => out.push(
                        Rule::FieldBecameRequired,
                        &s,
                        format!("{field} is now required"),
                    ),
                    _ => {}
                }
                if a.description != b.description {
                    out.push(Rule::DocsChanged, &s, format!("{field}: description"));
                }
            }
        }
        (
            TypeKind::Enum {
                integer: a,
                values: ov,
            },
            TypeKind::Enum {
                integer: b,
                values: nv,
            },
        ) if a == b => {
            let p = pair(ov, nv, |v| &v.wire, |v| &v.rust);
            for v in p.removed {
                out.push(
                    Rule::EnumValueRemoved,
                    &s,
                    format!("value {} ({}) removed", v.wire, v.rust),
                );
            }
            for v in p.added {
                out.push(
                    Rule::EnumValueAdded,
                    &s,
                    format!("value {} ({}) added", v.wire, v.rust),
                );
            }
            for (a, b) in p.both {
                if a.wire != b.wire {
                    out.push(
                        Rule::WireNameChanged,
                        &s,
                        format!("variant {} was `{}`, is `{}`", b.rust, a.wire, b.wire),
                    );
                }
                if a.rust != b.rust {
                    out.push(
                        Rule::EnumValueRenamed,
                        &s,
                        format!("value {}: variant {} is now {}", b.wire, a.rust, b.rust),
                    );
                }
                if a.description != b.description {
                    out.push(
                        Rule::DocsChanged,
                        &s,
                        format!("value {}: description", b.wire),
                    );
                }
            }
        }
        (a, b) => out.push(
            Rule::TypeKindChanged,
            &s,
            format!("{} is now {}", kind_name(a), kind_name(b)),
        ),
    }
}
