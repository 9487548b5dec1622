//! APIs and methods: the APIs pass (each API's name, versions, path, request format, error
//! table and methods, grouped into families), and the checks of one method (verb, versions,
//! parameters, response, pagination, example).

use std::collections::BTreeMap;

use super::context::{Ctx, place};
use super::examples::example;
use super::names::{Decl, Declarations};
use super::params::{pagination, param};
use super::types::{Known, resolve};
use crate::error::{Diagnostic, closest};
use crate::ir::*;
use crate::naming;
use crate::spec::{ApiDef, ErrorCode, MethodDef, Spanned, Versions};

/// Pass 3: every API, grouped into families by module; the APIs of a family come
/// family-level first, then by name.
pub(super) fn families(
    decls: &Declarations,
    types: &BTreeMap<String, NamedType>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Family> {
    let type_names = decls.type_names();
    let known = Known {
        names: &type_names,
        types,
    };
    let mut families: BTreeMap<String, Family> = BTreeMap::new();
    let mut family_decl: BTreeMap<String, (bool, &str, &Spanned<String>)> = BTreeMap::new();
    for (name, Decl { file, key, def }) in &decls.apis {
        let mut cx = Ctx::new(file, diags);
        let Some(api) = api(&mut cx, key, def, known) else {
            continue;
        };
        let family_wire = name.split('.').nth(1).unwrap_or_default().to_owned();
        match family_decl.get(&api.family_module) {
            Some((internal, first_file, first)) if *internal != api.internal => {
                cx.at(key, format!("apis[{name}].internal"), format!(
                    "every api of family `{family_wire}` must agree on `internal`; `{}` at {} says {internal}",
                    first.value, place(first_file, first)));
            }
            Some(_) => {}
            None => {
                family_decl.insert(api.family_module.clone(), (api.internal, file, key));
            }
        }
        let family = families
            .entry(api.family_module.clone())
            .or_insert_with(|| Family {
                handle: naming::family_handle(&family_wire),
                wire: family_wire,
                module: api.family_module.clone(),
                internal: api.internal,
                apis: Vec::new(),
                types: Vec::new(),
                sources: Vec::new(),
            });
        if !family.sources.iter().any(|s| s == file) {
            family.sources.push((*file).to_owned());
            family.sources.sort();
        }
        family.apis.push(api);
    }
    for family in families.values_mut() {
        family
            .apis
            .sort_by_key(|a| (a.accessor.is_some(), a.wire.clone()));
    }
    families
}

/// An error-code table: codes listed once, variant names that are Rust names.
pub(super) fn error_table(
    cx: &mut Ctx,
    path: &str,
    entries: &[Spanned<ErrorCode>],
) -> Vec<ErrorEntry> {
    let mut seen = BTreeMap::new();
    let mut out = Vec::new();
    for e in entries {
        let code = e.value.code;
        let here = format!("{path}[{code}]");
        if let Some((l, c)) = seen.insert(code, (e.line, e.column)) {
            cx.at(
                e,
                here.clone(),
                format!("error code {code} is already listed at line {l}, column {c}"),
            );
            continue;
        }
        let name = &e.value.name;
        if !naming::is_type_name(&name.value) {
            cx.at(
                name,
                format!("{here}.name"),
                format!(
                    "`{}` is not a valid variant name (UpperCamelCase)",
                    name.value
                ),
            );
        } else if name.value == naming::UNKNOWN_VARIANT {
            cx.at(
                name,
                format!("{here}.name"),
                "`Unknown` is the catch-all of ErrorKind; choose another name",
            );
        }
        out.push(ErrorEntry {
            code,
            name: name.value.clone(),
            description: e.value.description.clone(),
        });
    }
    out
}

/// One API and its methods.
fn api(cx: &mut Ctx, key: &Spanned<String>, def: &ApiDef, known: Known) -> Option<Api> {
    let name = &key.value;
    let path = format!("apis[{name}]");
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() < 2 || parts[0] != "SYNO" || !parts[1..].iter().all(|p| naming::is_ident(p)) {
        cx.at(
            key,
            path,
            format!("`{name}` is not an api name of the form SYNO.<Family>[.<Name>...]"),
        );
        return None;
    }
    let family_module = naming::family_module(parts[1]);
    if naming::RESERVED_FAMILY_MODULES.contains(&family_module.as_str()) {
        cx.at(
            key,
            &path,
            format!(
                "family `{}` would be the module `{family_module}`, which the runtime uses",
                parts[1]
            ),
        );
        return None;
    }
    let (accessor, module, handle) = if parts.len() == 2 {
        (
            None,
            naming::FAMILY_API_MODULE.to_owned(),
            naming::family_handle(parts[1]),
        )
    } else {
        let acc = naming::api_accessor(&parts[2..]);
        if naming::RESERVED_API_MODULES.contains(&acc.as_str()) {
            cx.at(
                key,
                &path,
                format!("`{name}` would be the module `{acc}`, which generated code uses"),
            );
            return None;
        }
        (Some(acc.clone()), acc, naming::api_handle(&parts[2..]))
    };
    let v = def.versions.value;
    if v.min == 0 || v.min > v.max {
        cx.at(
            &def.versions,
            format!("{path}.versions"),
            format!(
                "version range {}..{} is empty or starts below 1",
                v.min, v.max
            ),
        );
        return None;
    }
    if !def.path.ends_with(".cgi") || def.path.contains('/') {
        cx.at(
            key,
            format!("{path}.path"),
            format!(
                "path `{}` is not a CGI file name like `entry.cgi`",
                def.path
            ),
        );
    }
    let errors = error_table(cx, &format!("{path}.errors"), &def.errors);
    let json_request = match def.request_format.as_ref().map(|f| (f, f.value.as_str())) {
        None | Some((_, "form")) => false,
        Some((_, "json")) => true,
        Some((f, other)) => {
            let hint = closest(other, ["form", "json"])
                .map(|b| format!("; did you mean `{b}`?"))
                .unwrap_or_default();
            cx.at(
                f,
                format!("{path}.request_format"),
                format!("unknown request format `{other}` (`form` or `json`){hint}"),
            );
            return None;
        }
    };
    let default_encoding = if json_request {
        Encoding::Json
    } else {
        Encoding::Plain
    };
    let mut methods: Vec<Method> = Vec::new();
    let mut rust_names: BTreeMap<String, String> = BTreeMap::new();
    for (mkey, mdef) in &def.methods.0 {
        let Some(m) = method(cx, &path, mkey, mdef, (v, default_encoding), known) else {
            continue;
        };
        if let Some(other) = rust_names.insert(m.rust.clone(), m.wire.clone()) {
            cx.at(mkey, format!("{path}.methods[{}]", m.wire), format!(
                "methods `{other}` and `{}` both become `{}()`; names may not differ only in case", m.wire, m.rust));
            continue;
        }
        methods.push(m);
    }
    if methods.is_empty() && def.methods.0.is_empty() {
        cx.at(key, &path, "an api needs at least one method");
    }
    Some(Api {
        wire: name.clone(),
        family_module,
        accessor,
        module,
        handle,
        description: def.description.clone(),
        path: def.path.clone(),
        min_version: v.min,
        max_version: v.max,
        errors,
        methods,
        internal: def.internal,
        json_request,
    })
}

/// A `min_version` within `lo..=hi`; `lo` when absent.
pub(super) fn version_in(
    cx: &mut Ctx,
    v: &Option<Spanned<u32>>,
    path: String,
    lo: u32,
    hi: u32,
) -> Option<u32> {
    match v {
        None => Some(lo),
        Some(s) if s.value < lo || s.value > hi => {
            cx.at(
                s,
                path,
                format!("minimum version {} is outside {lo}..{hi}", s.value),
            );
            None
        }
        Some(s) => Some(s.value),
    }
}

/// A method's versions: its `min_version` (the API's lowest when absent), or its set
/// `versions`: within the API's range, each listed once, in any order. A set that is every
/// version from its lowest to the API's highest is that `min_version` (`None` set).
fn method_versions(
    cx: &mut Ctx,
    path: &str,
    def: &MethodDef,
    v: Versions,
) -> Option<(u32, Option<Vec<u32>>)> {
    let Some(set) = &def.versions else {
        let min = version_in(
            cx,
            &def.min_version,
            format!("{path}.min_version"),
            v.min,
            v.max,
        )?;
        return Some((min, None));
    };
    let here = format!("{path}.versions");
    if def.min_version.is_some() {
        cx.at(
            set,
            here,
            "a method has `min_version` or `versions`, not both; `versions` lists every version that has it",
        );
        return None;
    }
    let mut out: Vec<u32> = Vec::with_capacity(set.value.len());
    let mut ok = true;
    for s in &set.value {
        if s.value < v.min || s.value > v.max {
            cx.at(
                s,
                &here,
                format!(
                    "version {} is outside the api's {}..{}",
                    s.value, v.min, v.max
                ),
            );
            ok = false;
        } else if out.contains(&s.value) {
            cx.at(s, &here, format!("version {} is listed twice", s.value));
            ok = false;
        } else {
            out.push(s.value);
        }
    }
    out.sort_unstable();
    let Some(&lo) = out.first() else {
        if ok {
            cx.at(
                set,
                here,
                "`versions` is empty; list the versions that have the method, or leave it out for all",
            );
        }
        return None;
    };
    if !ok {
        return None;
    }
    // Sorted, unique, within lo..=max: as many as that range holds means all of it.
    let whole = (v.max - lo) as usize + 1 == out.len();
    Some((lo, (!whole).then_some(out)))
}

/// One method: verb, versions, parameters, response, pagination, example.
fn method(
    cx: &mut Ctx,
    api_path: &str,
    key: &Spanned<String>,
    def: &MethodDef,
    (v, default_encoding): (Versions, Encoding),
    known: Known,
) -> Option<Method> {
    let wire = &key.value;
    let path = format!("{api_path}.methods[{wire}]");
    let rust = naming::rust_ident(wire);
    if !naming::is_ident(wire) {
        cx.at(
            key,
            &path,
            format!("method `{wire}` does not make a Rust identifier"),
        );
        return None;
    }
    let post = match def.http.value.as_str() {
        "GET" => false,
        "POST" => true,
        other => {
            cx.at(
                &def.http,
                format!("{path}.http"),
                format!("http method `{other}` is neither GET nor POST"),
            );
            return None;
        }
    };
    let (min_version, versions) = method_versions(cx, &path, def, v)?;
    let max_version = versions.as_ref().and_then(|s| s.last().copied());
    let mut params = Vec::new();
    let mut rust_names: BTreeMap<String, String> = BTreeMap::new();
    let mut ok = true;
    for (pkey, pdef) in &def.params.0 {
        match param(
            cx,
            &path,
            pkey,
            pdef,
            (min_version, max_version.unwrap_or(v.max)),
            default_encoding,
            known,
        ) {
            Some(p) => {
                if let Some(other) = rust_names.insert(p.rust.clone(), p.wire.clone()) {
                    cx.at(
                        pkey,
                        format!("{path}.params[{}]", p.wire),
                        format!(
                            "parameters `{other}` and `{}` both become `{}`",
                            p.wire, p.rust
                        ),
                    );
                    ok = false;
                }
                params.push(p);
            }
            None => ok = false,
        }
    }
    let response = match &def.response {
        None => None,
        Some(r) => match resolve(&r.value, known.names) {
            Ok(t) => Some(t),
            Err(e) => {
                cx.at(r, format!("{path}.response"), e);
                return None;
            }
        },
    };
    if def.pagination.is_some() && params.iter().any(|p| p.rust == naming::CLI_ALL) {
        cx.at(
            key,
            format!("{path}.params[all]"),
            "a paginated method's parameter `all` would clash with the command line's `--all`",
        );
        return None;
    }
    let pagination = match &def.pagination {
        None => None,
        Some(p) => Some(pagination(
            cx,
            &format!("{path}.pagination"),
            p,
            &params,
            response.as_ref(),
            known.types,
        )?),
    };
    let example = match &def.example {
        None => None,
        Some(e) => Some(example(
            cx,
            &format!("{path}.example"),
            e,
            response.as_ref(),
            known.types,
        )?),
    };
    ok.then(|| Method {
        builder: naming::builder(wire),
        wire: wire.clone(),
        rust,
        post,
        description: def.description.clone(),
        min_version,
        versions,
        session: def.session,
        params,
        response,
        pagination,
        notes: def.notes.clone(),
        example,
    })
}
