//! Structural comparison of a hand-written spec and an imported one, both loaded through
//! codegen (the IR): every API, method, parameter, response shape, pagination, note and
//! example must match, except for the hand-made decisions listed in api-spec/README.md
//! ("Importing published docs"), each marked `allowed:` below.

use codegen::ir::{Int, ParamKind, Spec, Ty, TypeKind};

use super::build::UNDESCRIBED;
use super::params::UNDESCRIBED_PARAM;

/// Every difference between `hand` and `imported` that no allowed decision covers, as
/// lines naming the place.
pub fn differences(hand: &Spec, imported: &Spec) -> Vec<String> {
    let mut out = Vec::new();
    let hand_apis: Vec<_> = hand.apis().collect();
    let imp_apis: Vec<_> = imported.apis().collect();
    for a in &hand_apis {
        if !imp_apis.iter().any(|b| b.wire == a.wire) {
            out.push(format!("{}: missing from the import", a.wire));
        }
    }
    for b in &imp_apis {
        let Some(a) = hand_apis.iter().find(|a| a.wire == b.wire) else {
            out.push(format!("{}: not in the hand-written spec", b.wire));
            continue;
        };
        let at = &a.wire;
        check(&mut out, at, "path", &a.path, &b.path);
        check(
            &mut out,
            at,
            "versions",
            &(a.min_version, a.max_version),
            &(b.min_version, b.max_version),
        );
        check(&mut out, at, "internal", &a.internal, &b.internal);
        check(
            &mut out,
            at,
            "request format",
            &a.json_request,
            &b.json_request,
        );
        check(&mut out, at, "errors", &a.errors.len(), &b.errors.len());
        let names = |api: &codegen::ir::Api| {
            api.methods
                .iter()
                .map(|m| m.wire.clone())
                .collect::<Vec<_>>()
        };
        check(&mut out, at, "methods", &names(a), &names(b));
        for (m, n) in a
            .methods
            .iter()
            .filter_map(|m| Some((m, b.methods.iter().find(|n| n.wire == m.wire)?)))
        {
            let at = format!("{}.{}", a.wire, m.wire);
            check(&mut out, &at, "http", &m.post, &n.post);
            check(&mut out, &at, "session", &m.session, &n.session);
            check(&mut out, &at, "min_version", &m.min_version, &n.min_version);
            check(&mut out, &at, "versions", &m.versions, &n.versions);
            check(&mut out, &at, "example", &m.example, &n.example);
            let wires = |m: &codegen::ir::Method| {
                m.params.iter().map(|p| p.wire.clone()).collect::<Vec<_>>()
            };
            check(&mut out, &at, "params", &wires(m), &wires(n));
            for (p, q) in m
                .params
                .iter()
                .zip(&n.params)
                .filter(|(p, q)| p.wire == q.wire)
            {
                let at = format!("{at}({})", p.wire);
                match (&p.kind, &q.kind) {
                    (
                        ParamKind::Value { ty: t, encoding: e },
                        ParamKind::Value { ty: u, encoding: f },
                    ) => {
                        same_ty(&mut out, &at, hand, t, imported, u, 0);
                        check(&mut out, &at, "encoding", e, f);
                    }
                    (k, l) => check(&mut out, &at, "kind", k, l),
                }
                check(&mut out, &at, "required", &p.required, &q.required);
                check(&mut out, &at, "default", &p.default, &q.default);
                check(&mut out, &at, "min_version", &p.min_version, &q.min_version);
                check(&mut out, &at, "example", &p.example, &q.example);
                // allowed: descriptions the page does not give.
                if q.description != UNDESCRIBED_PARAM {
                    check(&mut out, &at, "description", &p.description, &q.description);
                }
            }
            match (&m.response, &n.response) {
                (Some(t), Some(u)) => {
                    same_ty(&mut out, &format!("{at} response"), hand, t, imported, u, 0)
                }
                (t, u) => check(&mut out, &at, "response", &t.is_some(), &u.is_some()),
            }
            let paging = |p: &Option<codegen::ir::PaginationIr>| {
                p.as_ref().map(|p| {
                    (
                        p.offset.clone(),
                        p.limit.clone(),
                        p.items_field.clone(),
                        p.total.as_ref().map(|t| t.1.clone()),
                    )
                })
            };
            check(
                &mut out,
                &at,
                "pagination",
                &paging(&m.pagination),
                &paging(&n.pagination),
            );
            // allowed: enums. Notes the import adds from a vocabulary list the hand spec made an
            // enum of.
            let extra: Vec<&String> = n
                .notes
                .iter()
                .filter(|note| !m.notes.contains(note) && !is_enum_vocabulary(hand, note))
                .collect();
            let kept: Vec<&String> = n
                .notes
                .iter()
                .filter(|note| m.notes.contains(note))
                .collect();
            check(
                &mut out,
                &at,
                "notes",
                &m.notes.iter().collect::<Vec<_>>(),
                &kept,
            );
            if !extra.is_empty() {
                out.push(format!("{at}: notes only the import has: {extra:?}"));
            }
        }
    }
    out
}

/// Appends a line when `a != b`.
fn check<T: PartialEq + std::fmt::Debug>(
    out: &mut Vec<String>,
    at: &str,
    what: &str,
    a: &T,
    b: &T,
) {
    if a != b {
        out.push(format!("{at}: {what}: hand-written {a:?}, imported {b:?}"));
    }
}

/// A note `Heading: `value` - text` whose value is a value of one of the hand spec's enums
/// (allowed: enums).
fn is_enum_vocabulary(hand: &Spec, note: &str) -> bool {
    let Some(value) = note
        .split_once(": `")
        .and_then(|(_, rest)| rest.split('`').next())
    else {
        return false;
    };
    hand.types.values().any(|t| match &t.kind {
        TypeKind::Enum { values, .. } => values.iter().any(|v| v.wire == value),
        TypeKind::Struct(_) => false,
    })
}

/// Compares two types structurally (allowed: type names, which are ignored).
fn same_ty(
    out: &mut Vec<String>,
    at: &str,
    hand: &Spec,
    t: &Ty,
    imported: &Spec,
    u: &Ty,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    let hand_enum = |ty: &Ty| matches!(ty, Ty::Named(n) if matches!(hand.types[n].kind, TypeKind::Enum { integer: false, .. }));
    match (t, u) {
        _ if t == u && !matches!(t, Ty::Named(_)) => {}
        // allowed: u64 for counts
        (Ty::Int(Int::U64), Ty::Int(Int::I64)) => {}
        // allowed: UnixTime
        (Ty::UnixTime, Ty::Int(Int::I64)) => {}
        // allowed: secret
        (Ty::Secret, Ty::String) => {}
        // allowed: enums
        (t, Ty::String) if hand_enum(t) => {}
        (Ty::List(t), Ty::List(u)) | (Ty::Map(t), Ty::Map(u)) => {
            same_ty(out, at, hand, t, imported, u, depth + 1)
        }
        (Ty::Named(a), Ty::Named(b)) => match (&hand.types[a].kind, &imported.types[b].kind) {
            (TypeKind::Struct(f), TypeKind::Struct(g)) => {
                let wires =
                    |f: &[codegen::ir::Field]| f.iter().map(|x| x.wire.clone()).collect::<Vec<_>>();
                check(out, at, "fields", &wires(f), &wires(g));
                for (x, y) in f.iter().zip(g).filter(|(x, y)| x.wire == y.wire) {
                    let at = format!("{at}.{}", x.wire);
                    check(out, &at, "optional", &x.optional, &y.optional);
                    // allowed: descriptions the page does not give.
                    if y.description != UNDESCRIBED {
                        check(out, &at, "description", &x.description, &y.description);
                    }
                    same_ty(out, &at, hand, &x.ty, imported, &y.ty, depth + 1);
                }
            }
            _ => out.push(format!(
                "{at}: hand-written {a}, imported {b}: not both structs"
            )),
        },
        (t, u) => out.push(format!("{at}: type: hand-written {t:?}, imported {u:?}")),
    }
}
