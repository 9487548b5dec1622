//! APIs and methods: the APIs pass (each API's name, versions, path, request format, error
//! table and methods, grouped into families), and the checks of one method (verb, versions,
//! parameters, response, pagination, example).

use std::collections::{BTreeMap, BTreeSet};

use super::context::{Ctx, place};
use super::methods::method;
use super::names::{Decl, Declarations};
use super::types::Known;
use crate::error::{Diagnostic, closest};
use crate::ir::*;
use crate::naming;
use crate::spec::{ApiDef, ErrorCode, Spanned, Versions};

/// Pass 3: every API, grouped into families by module; the APIs of a family come
/// family-level first, then by name. Imported blocks that add methods to an API declared by
/// hand join it, and imported methods get their Rust names ([`name_imported`]).
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
    // A family whose module would be reserved (or a CLI command, or end in `_all`) is renamed
    // `dsm_<module>`, declared by hand or imported alike, so that promoting an imported API
    // to a hand-written one keeps its module; only an internal family (no accessor, no
    // command) keeps its name, and a reserved one is an error there.
    let by_hand: BTreeSet<&str> = decls
        .apis
        .iter()
        .filter(|(_, d)| !d.imported)
        .filter_map(|(name, _)| name.split('.').nth(1))
        .collect();
    let mut families: BTreeMap<String, Family> = BTreeMap::new();
    let mut family_decl: BTreeMap<String, (bool, &str, &Spanned<String>)> = BTreeMap::new();
    for (name, decl) in &decls.apis {
        let Decl { file, key, .. } = *decl;
        let mut cx = Ctx::new(file, diags);
        let family_wire = name.split('.').nth(1).unwrap_or_default().to_owned();
        let renamed = !by_hand.contains(family_wire.as_str())
            || (!decl.def.internal
                && naming::imported_family_module(&family_wire)
                    != naming::family_module(&family_wire));
        let Some(api) = api(&mut cx, decl, renamed, known) else {
            continue;
        };
        match family_decl.get(&api.family_module) {
            Some((internal, first_file, first)) if *internal != api.internal => {
                let message = if api.imported {
                    format!(
                        "family `{family_wire}` is the runtime's (internal, `{}` at {}); an imported file may not add apis to it",
                        first.value,
                        place(first_file, first)
                    )
                } else {
                    format!(
                        "every api of family `{family_wire}` must agree on `internal`; `{}` at {} says {internal}",
                        first.value,
                        place(first_file, first)
                    )
                };
                cx.at(key, format!("apis[{name}].internal"), message);
            }
            Some(_) => {}
            None => {
                family_decl.insert(api.family_module.clone(), (api.internal, file, key));
            }
        }
        let family = families
            .entry(api.family_module.clone())
            .or_insert_with(|| Family {
                handle: if renamed {
                    naming::handle_of_module(&api.family_module)
                } else {
                    naming::family_handle(&family_wire)
                },
                wire: family_wire,
                module: api.family_module.clone(),
                internal: api.internal,
                apis: Vec::new(),
                types: Vec::new(),
                sources: Vec::new(),
                imported_only: true,
                has_imported_types: false,
            });
        family.imported_only &= api.imported;
        if !family.sources.iter().any(|s| s == file) {
            family.sources.push(file.to_owned());
            family.sources.sort();
        }
        family.apis.push(api);
    }
    attach(&mut families, decls, known, diags);
    for family in families.values_mut() {
        family
            .apis
            .sort_by_key(|a| (a.accessor.is_some(), a.wire.clone()));
        name_imported(family, decls, diags);
    }
    families
}

/// Adds the methods of each imported block to the API declared by hand that it names; a
/// method declared twice (by hand and imported, or in two imported blocks) is refused where
/// it is declared the second time.
fn attach(
    families: &mut BTreeMap<String, Family>,
    decls: &Declarations,
    known: Known,
    diags: &mut Vec<Diagnostic>,
) {
    for (name, blocks) in &decls.attached {
        let Some(target) = decls.apis.get(name).filter(|t| !t.imported) else {
            continue; // reported by the declarations pass
        };
        let Some(family) = families
            .values_mut()
            .find(|f| f.apis.iter().any(|a| a.wire == *name))
        else {
            continue; // the api itself was refused
        };
        let api_path = format!("apis[{name}]");
        let mut declared: BTreeMap<&str, (&str, &Spanned<String>)> = target
            .def
            .methods
            .0
            .iter()
            .map(|(k, _)| (k.value.as_str(), (target.file, k)))
            .collect();
        for block in blocks {
            let mut cx = Ctx::new(block.file, diags);
            let Some(api) = family.apis.iter_mut().find(|a| a.wire == *name) else {
                continue;
            };
            if api.internal {
                cx.at(
                    block.key,
                    &api_path,
                    format!("api `{name}` is the runtime's (internal); an imported file may not add methods to it"),
                );
                continue;
            }
            let v = Versions {
                min: api.min_version,
                max: api.max_version,
            };
            let encoding = if api.json_request {
                Encoding::Json
            } else {
                Encoding::Plain
            };
            for (mkey, mdef) in &block.def.methods.0 {
                if let Some((file, first)) = declared.get(mkey.value.as_str()) {
                    let message = format!(
                        "method `{}` of `{name}` is already declared at {}",
                        mkey.value,
                        place(file, first)
                    );
                    cx.at(mkey, format!("{api_path}.methods[{}]", mkey.value), message);
                    continue;
                }
                declared.insert(&mkey.value, (block.file, mkey));
                if let Some(m) = method(&mut cx, &api_path, mkey, mdef, (v, encoding), known, true)
                {
                    api.methods.push(m);
                }
            }
            if !family.sources.iter().any(|s| s == block.file) {
                family.sources.push(block.file.to_owned());
                family.sources.sort();
            }
        }
    }
}

/// Gives each imported method of the family its function name: the methods declared by
/// hand keep theirs, and for a family-level API so do the accessors beside its methods;
/// imported methods with a pinned `rust_name` take it next (one already taken is an error);
/// the rest then take theirs, those whose wire name already is their snake_case name first,
/// each group in sorted wire-name order, a taken name getting the first free suffix
/// (`naming::unique_method`): `login` keeps `login`, `Login` becomes `login_2`.
fn name_imported(family: &mut Family, decls: &Declarations, diags: &mut Vec<Diagnostic>) {
    let accessors: Vec<String> = family
        .apis
        .iter()
        .filter_map(|a| a.accessor.clone())
        .collect();
    for api in &mut family.apis {
        let mut taken: BTreeMap<String, String> = api
            .methods
            .iter()
            .filter(|m| !m.imported)
            .map(|m| (m.rust.clone(), format!("method `{}`", m.wire)))
            .collect();
        if api.accessor.is_none() {
            taken.extend(
                accessors
                    .iter()
                    .map(|a| (a.clone(), format!("the accessor `{a}()`"))),
            );
        }
        let mut order: Vec<usize> = (0..api.methods.len())
            .filter(|i| api.methods[*i].imported)
            .collect();
        order.sort_by_key(|i| {
            let m = &api.methods[*i];
            (
                !m.pinned,
                naming::rust_ident(&m.wire) != m.wire,
                m.wire.clone(),
            )
        });
        for i in order {
            let m = &mut api.methods[i];
            if m.pinned {
                if let Some(other) = taken.get(&m.rust) {
                    if let Some(decl) = decls.apis.get(api.wire.as_str()) {
                        Ctx::new(decl.file, diags).at(
                            decl.key,
                            format!("apis[{}].methods[{}].rust_name", api.wire, m.wire),
                            format!(
                                "method `{}` is pinned as `{}()`, which {other} of `{}` already is",
                                m.wire, m.rust, api.wire
                            ),
                        );
                    }
                    continue;
                }
            } else {
                m.rust = naming::unique_method(&m.wire, &|n: &str| taken.contains_key(n));
            }
            m.meta_static = naming::method_static(&m.rust);
            taken.insert(m.rust.clone(), format!("method `{}`", m.wire));
        }
    }
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

/// One API and its methods. `renamed`: its family takes [`naming::imported_family_module`]
/// (declared only in imported files, or not internal), so a reserved family module is
/// renamed rather than refused.
fn api(cx: &mut Ctx, decl: &Decl<ApiDef>, renamed: bool, known: Known) -> Option<Api> {
    let Decl {
        key, def, imported, ..
    } = *decl;
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
    let family_module = if renamed {
        naming::imported_family_module(parts[1])
    } else {
        naming::family_module(parts[1])
    };
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
    if !def.internal && naming::is_cli_command(&family_module) {
        cx.at(
            key,
            &path,
            format!(
                "family `{}` would be the command `synology {}`, which is one of the CLI's own commands",
                parts[1],
                naming::kebab(&family_module)
            ),
        );
        return None;
    }
    let (accessor, module, handle) = if parts.len() == 2 {
        (
            None,
            naming::FAMILY_API_MODULE.to_owned(),
            if renamed {
                naming::handle_of_module(&family_module)
            } else {
                naming::family_handle(parts[1])
            },
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
    // The declarations pass let through only blocks that have all three.
    let (Some(description), Some(cgi), Some(versions)) =
        (&def.description, &def.path, &def.versions)
    else {
        return None;
    };
    let v = versions.value;
    if v.min == 0 || v.min > v.max {
        cx.at(
            versions,
            format!("{path}.versions"),
            format!(
                "version range {}..{} is empty or starts below 1",
                v.min, v.max
            ),
        );
        return None;
    }
    if !naming::is_cgi_path(cgi) {
        cx.at(
            key,
            format!("{path}.path"),
            format!(
                "path `{cgi}` is not a CGI path under /webapi/ like `entry.cgi` or \
                 `AudioStation/album.cgi` (plain segments of letters, digits, `_`, `-`, `.`)"
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
        let Some(m) = method(
            cx,
            &path,
            mkey,
            mdef,
            (v, default_encoding),
            known,
            imported,
        ) else {
            continue;
        };
        // Imported methods are named once the family is whole (`name_imported`).
        if !imported && let Some(other) = rust_names.insert(m.rust.clone(), m.wire.clone()) {
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
        description: description.clone(),
        path: cgi.clone(),
        min_version: v.min,
        max_version: v.max,
        errors,
        methods,
        internal: def.internal,
        json_request,
        imported,
    })
}
