//! One method: its verb, versions, parameters, response, pagination and example (the
//! light form for imported methods), and a `min_version` within a range.

use std::collections::BTreeMap;

use super::context::Ctx;
use super::examples::example;
use super::params::{pagination, param};
use super::types::{Known, resolve};
use crate::ir::*;
use crate::naming;
use crate::spec::{MethodDef, Spanned, Versions};

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

/// One method: verb, versions, parameters, response, pagination, example. An `imported`
/// method gets the light form: POST unless it says GET, raw JSON unless it has a
/// `response`, no paging, parameters all optional and set by wire name.
pub(super) fn method(
    cx: &mut Ctx,
    api_path: &str,
    key: &Spanned<String>,
    def: &MethodDef,
    (v, default_encoding): (Versions, Encoding),
    known: Known,
    imported: bool,
) -> Option<Method> {
    let wire = &key.value;
    let path = format!("{api_path}.methods[{wire}]");
    let pinned = def.rust_name.as_ref();
    let rust = match pinned {
        None => naming::rust_ident(wire),
        Some(name) if !imported => {
            cx.at(
                name,
                format!("{path}.rust_name"),
                "`rust_name` is for imported methods; a method declared by hand is named after its wire name",
            );
            return None;
        }
        Some(name)
            if !naming::is_ident(&name.value)
                || naming::rust_ident(&name.value) != name.value
                || naming::RESERVED_HANDLE_METHODS.contains(&name.value.as_str()) =>
        {
            cx.at(
                name,
                format!("{path}.rust_name"),
                format!(
                    "`{}` is not a usable function name (snake_case, not a keyword, not `new` or `api`)",
                    name.value
                ),
            );
            return None;
        }
        Some(name) => name.value.clone(),
    };
    // An imported method is called by its wire name, which only has to make a function
    // name; one declared by hand also names its builder and static after it.
    let usable = if imported {
        naming::is_ident(&rust)
    } else {
        naming::is_ident(wire)
    };
    if !usable {
        cx.at(
            key,
            &path,
            format!("method `{wire}` does not make a Rust identifier"),
        );
        return None;
    }
    let post = match def.http.as_ref().map(|h| (h, h.value.as_str())) {
        None if imported => true,
        None => {
            cx.at(
                key,
                format!("{path}.http"),
                "a method needs `http`: GET or POST",
            );
            return None;
        }
        Some((_, "GET")) => false,
        Some((_, "POST")) => true,
        Some((h, other)) => {
            cx.at(
                h,
                format!("{path}.http"),
                format!("http method `{other}` is neither GET nor POST"),
            );
            return None;
        }
    };
    if imported && let Some(p) = &def.pagination {
        cx.at(
            p,
            format!("{path}.pagination"),
            "an imported method has no `pagination` (it has no stream); declare the method by hand",
        );
        return None;
    }
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
            imported,
        ) {
            Some(p) => {
                // Imported parameters are set by wire name: their Rust names never meet.
                if !imported && let Some(other) = rust_names.insert(p.rust.clone(), p.wire.clone())
                {
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
        None if imported => Some(Ty::Json),
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
        meta_static: naming::method_static(wire),
        imported,
        pinned: pinned.is_some(),
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
        // Filled by the mock-data pass, once every method is known.
        mock_data: Vec::new(),
    })
}
