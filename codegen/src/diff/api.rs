//! Families, APIs, methods and parameters: the functions a caller calls and what they take.

use super::{Cx, Out, Rule, gate, gate_change, pair};
use crate::ir::{Api, Family, Method, Param, ParamKind, Ty};
use crate::naming::kebab;

/// Every family of both specs.
pub(super) fn families(cx: &Cx, out: &mut Out) {
    let p = pair(
        &cx.old.spec.families,
        &cx.new.spec.families,
        |f| &f.wire,
        |f| &f.module,
    );
    for f in p.removed.iter().filter(|f| !f.internal) {
        removed_family(out, f, "removed");
    }
    for f in p.added.iter().filter(|f| !f.internal) {
        added_family(out, f);
    }
    for (o, n) in p.both {
        match (o.internal, n.internal) {
            (false, true) => removed_family(out, o, "is now runtime-only (`internal`)"),
            (true, false) => added_family(out, n),
            (true, true) => {
                let mut inner = Out::default();
                apis(&mut inner, o, n);
                for c in inner.0 {
                    out.push(Rule::InternalChanged, c.subject, c.what);
                }
            }
            (false, false) if o.module != n.module => {
                removed_family(out, o, &format!("is now `{}()`", n.module));
                added_family(out, n);
            }
            (false, false) => apis(out, o, n),
        }
    }
}

fn removed_family(out: &mut Out, f: &Family, how: &str) {
    out.push(
        Rule::FamilyRemoved,
        format!("family SYNO.{}", f.wire),
        format!("`client.{}()` {how}", f.module),
    );
}

fn added_family(out: &mut Out, f: &Family) {
    out.push(
        Rule::FamilyAdded,
        format!("family SYNO.{}", f.wire),
        format!("`client.{}()` added", f.module),
    );
}

/// `cloud_sync().connection()`, or `cloud_sync()` for a family-level API.
fn api_path(f: &Family, a: &Api) -> String {
    match &a.accessor {
        Some(acc) => format!("{}().{acc}()", f.module),
        None => format!("{}()", f.module),
    }
}

fn apis(out: &mut Out, of: &Family, nf: &Family) {
    let p = pair(&of.apis, &nf.apis, |a| &a.wire, |a| &a.module);
    for a in &p.removed {
        out.push(
            Rule::ApiRemoved,
            &a.wire,
            format!("API removed (`{}`)", api_path(of, a)),
        );
    }
    for a in &p.added {
        out.push(
            Rule::ApiAdded,
            &a.wire,
            format!("API added (`{}`)", api_path(nf, a)),
        );
    }
    for (o, n) in p.both {
        let s = n.wire.as_str();
        if o.wire != n.wire {
            out.push(Rule::WireNameChanged, s, format!("API was `{}`", o.wire));
        }
        if (&o.accessor, &o.handle) != (&n.accessor, &n.handle) {
            let what = format!(
                "API's Rust names `{}`, `{}` are now `{}`, `{}`",
                api_path(of, o),
                o.handle,
                api_path(nf, n),
                n.handle
            );
            out.push(Rule::ApiRemoved, s, what.clone());
            out.push(Rule::ApiAdded, s, what);
        }
        let api_gate = (gate(of, o.imported), gate(nf, n.imported));
        gate_change(out, s, "API", api_gate.0.clone(), api_gate.1.clone());
        let (was, now) = (
            (o.min_version..=o.max_version).collect::<Vec<_>>(),
            (n.min_version..=n.max_version).collect::<Vec<_>>(),
        );
        let text = format!(
            "API versions {}-{} are now {}-{}",
            o.min_version, o.max_version, n.min_version, n.max_version
        );
        versions(
            out,
            s,
            &text,
            &was,
            &now,
            [Rule::ApiVersionsNarrowed, Rule::ApiVersionsWidened],
        );
        if o.path != n.path {
            let what = format!("path `{}` is now `{}`", o.path, n.path);
            out.push(Rule::PathChanged, s, what);
        }
        if o.json_request != n.json_request {
            let format = |json| if json { "json" } else { "form" };
            let what = format!(
                "request format {} is now {}",
                format(o.json_request),
                format(n.json_request)
            );
            out.push(Rule::RequestFormatChanged, s, what);
        }
        if o.description != n.description {
            out.push(Rule::DocsChanged, s, "API description");
        }
        let p = pair(&o.methods, &n.methods, |m| &m.wire, |m| &m.rust);
        for m in &p.removed {
            let what = format!(
                "method {} removed (`{}.{}()`)",
                m.wire,
                api_path(of, o),
                m.rust
            );
            out.push(Rule::MethodRemoved, s, what);
        }
        for m in &p.added {
            let what = format!(
                "method {} added (`{}.{}()`)",
                m.wire,
                api_path(nf, n),
                m.rust
            );
            out.push(Rule::MethodAdded, s, what);
        }
        for (om, nm) in p.both {
            let gates = (
                gate(of, o.imported || om.imported),
                gate(nf, n.imported || nm.imported),
            );
            if api_gate.0 == api_gate.1 {
                gate_change(out, s, &format!("method {}", nm.wire), gates.0, gates.1);
            }
            method(out, (of, o, om), (nf, n, nm));
        }
    }
}

/// Versions: narrowed (some lost) with the first rule, widened (some gained) with the second.
fn versions(out: &mut Out, s: &str, what: &str, was: &[u32], now: &[u32], rules: [Rule; 2]) {
    let list = |v: Vec<&u32>| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lost: Vec<&u32> = was.iter().filter(|v| !now.contains(v)).collect();
    let gained: Vec<&u32> = now.iter().filter(|v| !was.contains(v)).collect();
    if !lost.is_empty() {
        out.push(rules[0], s, format!("{what} (loses {})", list(lost)));
    }
    if !gained.is_empty() {
        out.push(rules[1], s, format!("{what} (gains {})", list(gained)));
    }
}

/// The versions a call to `m` can go at, within `api`'s range.
fn method_versions(api: &Api, m: &Method) -> Vec<u32> {
    let lowest = m.min_version.max(api.min_version);
    match &m.versions {
        Some(set) => set
            .iter()
            .copied()
            .filter(|v| (api.min_version..=api.max_version).contains(v))
            .collect(),
        None => (lowest..=api.max_version).collect(),
    }
}

fn method(
    out: &mut Out,
    (of, o, om): (&Family, &Api, &Method),
    (nf, n, nm): (&Family, &Api, &Method),
) {
    let s = n.wire.as_str();
    let name = format!("method {}", nm.wire);
    let path = |f, a, m: &Method| format!("`{}.{}()`", api_path(f, a), m.rust);
    if om.wire != nm.wire {
        out.push(
            Rule::WireNameChanged,
            s,
            format!("{name} was `{}`", om.wire),
        );
    }
    if om.rust != nm.rust {
        let what = format!("{name}: {} is now {}", path(of, o, om), path(nf, n, nm));
        out.push(Rule::MethodRenamed, s, what);
    } else if !om.imported && !nm.imported && om.builder != nm.builder {
        let what = format!("{name}: builder `{}` is now `{}`", om.builder, nm.builder);
        out.push(Rule::MethodRenamed, s, what);
    }
    let form = |imported| {
        if imported {
            "the light form (`Call<T>`)"
        } else {
            "a builder"
        }
    };
    if om.imported != nm.imported {
        let what = format!(
            "{name} moves from {} to {}",
            form(om.imported),
            form(nm.imported)
        );
        out.push(Rule::MethodFormChanged, s, what);
    }
    if om.response != nm.response {
        let ty = |t: &Option<Ty>| t.as_ref().map_or("nothing".to_owned(), ToString::to_string);
        let what = format!(
            "{name}: response {} is now {}",
            ty(&om.response),
            ty(&nm.response)
        );
        out.push(Rule::ResponseChanged, s, what);
    }
    // Judged within the new API's range: the API's own line reports the range.
    let (was, now) = (method_versions(n, om), method_versions(n, nm));
    let text = format!(
        "{name}: {} is now {}",
        om.versions_text(),
        nm.versions_text()
    );
    versions(
        out,
        s,
        &text,
        &was,
        &now,
        [Rule::MethodVersionsNarrowed, Rule::MethodVersionsWidened],
    );
    if om.post != nm.post {
        let verb = |post| if post { "POST" } else { "GET" };
        let what = format!("{name}: HTTP {} is now {}", verb(om.post), verb(nm.post));
        out.push(Rule::HttpVerbChanged, s, what);
    }
    if om.session != nm.session {
        let what = format!("{name}: session {} is now {}", om.session, nm.session);
        out.push(Rule::SessionChanged, s, what);
    }
    if om.description != nm.description || om.notes != nm.notes {
        out.push(
            Rule::DocsChanged,
            s,
            format!("{name}: description or notes"),
        );
    }
    if om.example != nm.example {
        out.push(Rule::ExampleChanged, s, format!("{name}: example"));
    }
    if om.mock_data != nm.mock_data {
        out.push(Rule::MockDataChanged, s, format!("{name}: mock data"));
    }
    match (om.imported, nm.imported) {
        (true, true) => imported_params(out, s, &name, om, nm),
        (false, false) => {
            pagination(out, s, &name, om, nm);
            params(
                out,
                s,
                &name,
                (om, nm),
                &now,
                o.json_request != n.json_request,
            );
        }
        _ => {}
    }
}

fn pagination(out: &mut Out, s: &str, name: &str, om: &Method, nm: &Method) {
    match (&om.pagination, &nm.pagination) {
        (None, Some(_)) => out.push(
            Rule::PaginationAdded,
            s,
            format!("{name}: `stream()` added"),
        ),
        (Some(_), None) => out.push(
            Rule::PaginationRemoved,
            s,
            format!("{name}: `stream()` removed"),
        ),
        (Some(a), Some(b)) if a.item != b.item => {
            let what = format!("{name}: `stream()` yields {} instead of {}", b.item, a.item);
            out.push(Rule::PaginationItemChanged, s, what);
        }
        (Some(a), Some(b))
            if (&a.offset, &a.limit, &a.items_field, &a.total)
                != (&b.offset, &b.limit, &b.items_field, &b.total) =>
        {
            out.push(
                Rule::PaginationDetailsChanged,
                s,
                format!("{name}: pagination's offset, limit, items or total"),
            );
        }
        _ => {}
    }
}

fn imported_params(out: &mut Out, s: &str, name: &str, om: &Method, nm: &Method) {
    let p = pair(&om.params, &nm.params, |p| &p.wire, |p| &p.wire);
    let mut what: Vec<String> = p
        .removed
        .iter()
        .map(|p| format!("{} removed", p.wire))
        .collect();
    what.extend(p.added.iter().map(|p| format!("{} added", p.wire)));
    what.extend(
        p.both
            .iter()
            .filter(|(a, b)| !same_param(a, b))
            .map(|(_, b)| format!("{} changed", b.wire)),
    );
    if !what.is_empty() {
        let what = format!("{name}: known parameters: {}", what.join(", "));
        out.push(Rule::ImportedParamChanged, s, what);
    }
}

fn same_param(a: &Param, b: &Param) -> bool {
    (
        &a.kind,
        a.required,
        &a.default,
        a.min_version,
        a.secret,
        &a.example,
        &a.description,
    ) == (
        &b.kind,
        b.required,
        &b.default,
        b.min_version,
        b.secret,
        &b.example,
        &b.description,
    )
}

fn value_ty(p: &Param) -> Option<&Ty> {
    match &p.kind {
        ParamKind::Value { ty, .. } => Some(ty),
        ParamKind::Const(_) => None,
    }
}

/// The parameters of a method with a builder: positional arguments and setters.
/// `offered`: the versions of the new method; `format_changed`: the API's request format
/// changed (the parameters' encodings follow it, and its line says so).
fn params<'a>(
    out: &mut Out,
    s: &str,
    name: &str,
    (om, nm): (&'a Method, &'a Method),
    offered: &[u32],
    format_changed: bool,
) {
    let consts = |m: &Method| -> Vec<(String, String)> {
        m.params
            .iter()
            .filter_map(|p| match &p.kind {
                ParamKind::Const(v) => Some((p.wire.clone(), v.clone())),
                ParamKind::Value { .. } => None,
            })
            .collect()
    };
    if consts(om) != consts(nm) {
        out.push(
            Rule::ConstParamChanged,
            s,
            format!("{name}: constant parameters"),
        );
    }
    let values = |m: &'a Method| -> Vec<&'a Param> {
        m.params.iter().filter(|p| value_ty(p).is_some()).collect()
    };
    let (ov, nv) = (values(om), values(nm));
    let p = pair(&ov, &nv, |p| &p.wire, |p| &p.rust);
    let sig = |ps: &[&Param]| -> Vec<Ty> {
        ps.iter()
            .filter(|p| p.required)
            .filter_map(|p| value_ty(p))
            .cloned()
            .collect()
    };
    let same_sig = sig(&ov) == sig(&nv);
    let pairs: Vec<(&str, &str)> = p.both.iter().map(|(o, n)| (&*o.wire, &*n.wire)).collect();
    // Same types in the same places: `positional` tells renames from swaps.
    if same_sig {
        positional(out, s, name, (&ov, &nv), &pairs);
    }
    let mut explained = false;
    let param = |p: &Param| format!("{name}: parameter {}", p.wire);
    for p in &p.removed {
        if !p.required {
            let what = format!("{} removed (setter `{}`)", param(p), p.rust);
            out.push(Rule::OptionalParamRemoved, s, what);
        } else if !same_sig {
            explained = true;
            out.push(
                Rule::RequiredParamRemoved,
                s,
                format!("{} removed", param(p)),
            );
        }
    }
    for p in &p.added {
        if !p.required {
            let what = format!("{} added (setter `{}`)", param(p), p.rust);
            out.push(Rule::OptionalParamAdded, s, what);
        } else if !same_sig {
            explained = true;
            out.push(Rule::RequiredParamAdded, s, format!("{} added", param(p)));
        }
    }
    for (o, n) in p.both {
        let what = param(n);
        if o.wire != n.wire {
            out.push(Rule::WireNameChanged, s, format!("{what} was `{}`", o.wire));
        }
        match (o.required, n.required) {
            (false, true) => {
                explained = true;
                out.push(
                    Rule::ParamBecameRequired,
                    s,
                    format!("{what} is now required"),
                );
            }
            (true, false) => {
                explained = true;
                out.push(
                    Rule::ParamBecameOptional,
                    s,
                    format!("{what} is now optional"),
                );
            }
            (false, false) if o.rust != n.rust => {
                // Names come from wire names: only a change of the naming rules gets here.
                let text = format!("{what}: setter `{}` is now `{}`", o.rust, n.rust);
                out.push(Rule::OptionalParamRemoved, s, text);
            }
            _ => {}
        }
        if let (Some(a), Some(b)) = (value_ty(o), value_ty(n))
            && a != b
        {
            explained |= o.required && n.required;
            out.push(
                Rule::ParamTypeChanged,
                s,
                format!("{what}: type {a} is now {b}"),
            );
        }
        if let (ParamKind::Value { encoding: a, .. }, ParamKind::Value { encoding: b, .. }) =
            (&o.kind, &n.kind)
            && a != b
            && !format_changed
        {
            let text = format!("{what}: encoding {a:?} is now {b:?}");
            out.push(Rule::ParamEncodingChanged, s, text);
        }
        if o.secret != n.secret {
            let text = format!("{what}: secret {} is now {}", o.secret, n.secret);
            out.push(Rule::ParamSecretChanged, s, text);
        }
        // A parameter's `min_version` is at least its method's: only one above it is its own.
        let from = |p: &Param, m: &Method| {
            let min = if p.min_version > m.min_version {
                p.min_version
            } else {
                0
            };
            offered
                .iter()
                .copied()
                .filter(|v| *v >= min)
                .collect::<Vec<_>>()
        };
        let text = format!(
            "{what}: version {}+ is now {}+",
            o.min_version, n.min_version
        );
        versions(
            out,
            s,
            &text,
            &from(o, om),
            &from(n, nm),
            [Rule::ParamVersionsNarrowed, Rule::ParamVersionsWidened],
        );
        if (&o.description, &o.default, &o.example) != (&n.description, &n.default, &n.example) {
            out.push(
                Rule::DocsChanged,
                s,
                format!("{what}: description, default or example"),
            );
        }
    }
    if !same_sig && !explained {
        out.push(
            Rule::RequiredParamsReordered,
            s,
            format!("{name}: required parameters in another order"),
        );
    }
}

/// The positional arguments of a method whose required parameters keep their types in
/// order (`old`, `new`: the value parameters; `pairs`: the wire names of the parameters
/// both have). A call still compiles, so what matters is whether each place holds the same
/// parameter: when one changed places, the new order is one line (parameters removed and
/// added with it included); else each parameter renamed in its place is one (its
/// command-line flag is its name).
fn positional(
    out: &mut Out,
    s: &str,
    name: &str,
    (old, new): (&[&Param], &[&Param]),
    pairs: &[(&str, &str)],
) {
    let places = |ps: &[&Param]| -> Vec<String> {
        ps.iter()
            .filter(|p| p.required)
            .map(|p| p.wire.clone())
            .collect()
    };
    let (was, now) = (places(old), places(new));
    let moved = was
        .iter()
        .zip(&now)
        .any(|(o, n)| pairs.iter().any(|(a, b)| (a == o) != (b == n)));
    if moved {
        let what = format!(
            "{name}: required parameters ({}) are now ({})",
            was.join(", "),
            now.join(", ")
        );
        out.push(Rule::RequiredParamsSwapped, s, what);
        return;
    }
    for (o, n) in was.iter().zip(&now) {
        if !pairs.iter().any(|(a, _)| a == o) {
            let what = format!(
                "{name}: parameter {o} is now {n}, in its place (flag `--{}` is now `--{}`)",
                kebab(o),
                kebab(n)
            );
            out.push(Rule::PositionalParamRenamed, s, what);
        }
    }
}
