//! Turns parsed spec files into the IR, or reports every problem with its place.
//!
//! Checks: unknown and duplicate names, invalid identifiers, version ranges, parameter rules,
//! pagination, examples against their types, and every pair of spec items that would map to
//! one Rust name (DESIGN.md §3).

use std::collections::BTreeMap;

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;

use crate::error::{Diagnostic, Location, SpecError, closest};
use crate::ir::*;
use crate::spec::{ApiDef, MethodDef, ParamDef, Spanned, SpecFile, TypeDef};

/// Parameters the runtime owns; a spec may not declare them.
const RUNTIME_PARAMS: [&str; 4] = ["api", "version", "method", "_sid"];
/// Builder methods a parameter setter would clash with.
const BUILDER_METHODS: [&str; 2] = ["send", "stream"];
/// Module names taken by the runtime at the crate root or inside a family module.
const RESERVED_FAMILY_MODULES: [&str; 10] = [
    "mock",
    "client",
    "error",
    "secret",
    "wire",
    "runtime",
    "generated",
    "mock_server",
    "help",
    "cli",
];
const RESERVED_API_MODULES: [&str; 2] = ["types", "family_api"];
const BUILTINS: [&str; 14] = [
    "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "string", "bool", "UnixTime", "json",
    "list<T>", "map<T>",
];

/// Rust keywords (strict and reserved, 2024 edition), escaped by a trailing underscore.
const KEYWORDS: [&str; 51] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "gen",
];

/// A Rust identifier for a spec name: snake_case, keywords escaped as `name_`.
pub fn rust_ident(wire: &str) -> String {
    let snake = wire.to_snake_case();
    if KEYWORDS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        snake
    }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s != "_"
}

fn is_type_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
        && !KEYWORDS.contains(&s)
}

struct Ctx<'a> {
    file: &'a str,
    diags: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn at<T>(&mut self, s: &Spanned<T>, path: impl Into<String>, msg: impl Into<String>) {
        self.line(s.line, s.column, path, msg);
    }
    fn line(&mut self, line: u64, column: u64, path: impl Into<String>, msg: impl Into<String>) {
        self.diags.push(Diagnostic {
            location: Some(Location {
                file: self.file.to_owned(),
                line,
                column,
            }),
            path: path.into(),
            message: msg.into(),
        });
    }
}

/// Where a named item was first declared, for "declared twice" messages.
fn place<T>(file: &str, s: &Spanned<T>) -> String {
    format!("{file}:{}:{}", s.line, s.column)
}

/// Validates the parsed files (sorted by name) and builds the IR.
pub fn validate(files: &[(String, SpecFile)]) -> Result<Spec, SpecError> {
    let mut diags = Vec::new();

    // Pass 1: declarations, so references can be resolved in any order and across files.
    let mut type_decls: BTreeMap<&str, (&str, &Spanned<String>, &TypeDef)> = BTreeMap::new();
    let mut api_decls: BTreeMap<&str, (&str, &Spanned<String>, &ApiDef)> = BTreeMap::new();
    let mut common_errors_file: Option<&str> = None;
    let mut common_errors = Vec::new();
    for (file, spec) in files {
        let mut cx = Ctx {
            file,
            diags: &mut diags,
        };
        for (name, def) in &spec.types.0 {
            let path = format!("types[{}]", name.value);
            if let Some((first_file, first, _)) = type_decls.get(name.value.as_str()) {
                cx.at(
                    name,
                    path,
                    format!(
                        "type `{}` is already declared at {}",
                        name.value,
                        place(first_file, first)
                    ),
                );
                continue;
            }
            type_decls.insert(&name.value, (file, name, def));
        }
        for (name, def) in &spec.apis.0 {
            let path = format!("apis[{}]", name.value);
            if let Some((first_file, first, _)) = api_decls.get(name.value.as_str()) {
                cx.at(
                    name,
                    path,
                    format!(
                        "api `{}` is already declared at {}",
                        name.value,
                        place(first_file, first)
                    ),
                );
                continue;
            }
            api_decls.insert(&name.value, (file, name, def));
        }
        if !spec.errors.is_empty() {
            if let Some(first) = common_errors_file {
                cx.at(
                    &spec.errors[0],
                    "errors",
                    format!("the common error table is already declared in {first}"),
                );
            } else {
                common_errors_file = Some(file);
                common_errors = error_table(&mut cx, "errors", &spec.errors);
            }
        }
    }
    let type_names: Vec<&str> = type_decls.keys().copied().collect();

    // Pass 2: types.
    let mut types = BTreeMap::new();
    for (name, (file, key, def)) in &type_decls {
        let mut cx = Ctx {
            file,
            diags: &mut diags,
        };
        if let Some(t) = named_type(&mut cx, key, def, &type_names) {
            types.insert((*name).to_owned(), t);
        }
    }

    // Pass 3: APIs, grouped into families.
    let mut families: BTreeMap<String, Family> = BTreeMap::new();
    let mut family_decl: BTreeMap<String, (bool, &str, &Spanned<String>)> = BTreeMap::new();
    for (name, (file, key, def)) in &api_decls {
        let mut cx = Ctx {
            file,
            diags: &mut diags,
        };
        let Some(api) = api(&mut cx, key, def, &types, &type_names) else {
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
                handle: family_wire.to_upper_camel_case(),
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

    // Family-level names: accessors vs family-level methods, handle vs type names.
    for family in families.values_mut() {
        family
            .apis
            .sort_by_key(|a| (a.accessor.is_some(), a.wire.clone()));
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        for api in &family.apis {
            let (file, key, _) = api_decls[api.wire.as_str()];
            let mut cx = Ctx {
                file,
                diags: &mut diags,
            };
            let mut claim = |cx: &mut Ctx, rust: &str, what: String, path: String| {
                if let Some(other) = names.get(rust) {
                    cx.at(
                        key,
                        path,
                        format!(
                            "{what} and {other} both become `{}().{rust}()`",
                            family.module
                        ),
                    );
                } else {
                    names.insert(rust.to_owned(), what);
                }
            };
            match &api.accessor {
                Some(acc) => claim(
                    &mut cx,
                    acc,
                    format!("the accessor of api `{}`", api.wire),
                    format!("apis[{}]", api.wire),
                ),
                None => {
                    for m in &api.methods {
                        claim(
                            &mut cx,
                            &m.rust,
                            format!("family-level method `{}` of `{}`", m.wire, api.wire),
                            format!("apis[{}].methods[{}]", api.wire, m.wire),
                        );
                    }
                }
            }
        }
    }

    // Types live in the module of the first family (by module name) that uses them.
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    for family in families.values() {
        for api in &family.apis {
            for m in &api.methods {
                let mut roots: Vec<&Ty> = m.response.iter().collect();
                roots.extend(m.params.iter().filter_map(|p| match &p.kind {
                    ParamKind::Value { ty, .. } => Some(ty),
                    ParamKind::Const(_) => None,
                }));
                for ty in roots {
                    claim_types(ty, &family.module, &types, &mut owner);
                }
            }
        }
    }
    let unclaimed_is_unused = diags.is_empty();
    for (name, t) in types.iter_mut() {
        let (file, key, _) = type_decls[name.as_str()];
        match owner.get(name) {
            Some(module) => {
                t.family_module = module.clone();
                let family = families.get_mut(module).expect("owner is a family");
                if family.handle == *name {
                    let mut cx = Ctx {
                        file,
                        diags: &mut diags,
                    };
                    cx.at(key, format!("types[{name}]"), format!(
                        "type `{name}` has the name of the handle of family `{}`; rename the type", family.wire));
                }
                family.types.push(name.clone());
            }
            // A method rejected above leaves its types unclaimed: say so only of a sound spec.
            None if unclaimed_is_unused => {
                let mut cx = Ctx {
                    file,
                    diags: &mut diags,
                };
                let message = format!("type `{name}` is not used by any api; remove it or use it");
                cx.at(key, format!("types[{name}]"), message);
            }
            None => {}
        }
    }

    if diags.is_empty() {
        Ok(Spec {
            families: families.into_values().collect(),
            types,
            common_errors,
            feature_gates: true,
        })
    } else {
        diags.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                d.location
                    .as_ref()
                    .map(|l| (l.file.clone(), l.line, l.column))
            };
            key(a).cmp(&key(b))
        });
        Err(SpecError { diagnostics: diags })
    }
}

fn claim_types(
    ty: &Ty,
    module: &str,
    types: &BTreeMap<String, NamedType>,
    owner: &mut BTreeMap<String, String>,
) {
    match ty {
        Ty::List(inner) | Ty::Map(inner) => claim_types(inner, module, types, owner),
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
                    claim_types(&f.ty, module, types, owner);
                }
            }
        }
        _ => {}
    }
}

fn error_table(
    cx: &mut Ctx,
    path: &str,
    entries: &[Spanned<crate::spec::ErrorCode>],
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
        if !is_type_name(&name.value) {
            cx.at(
                name,
                format!("{here}.name"),
                format!(
                    "`{}` is not a valid variant name (UpperCamelCase)",
                    name.value
                ),
            );
        } else if name.value == "Unknown" {
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

/// Parses a type expression and resolves its names.
fn parse_ty(text: &str, type_names: &[&str]) -> Result<Ty, String> {
    let text = text.trim();
    for (prefix, wrap) in [("list<", Ty::List as fn(Box<Ty>) -> Ty), ("map<", Ty::Map)] {
        if let Some(rest) = text.strip_prefix(prefix) {
            let inner = rest
                .strip_suffix('>')
                .ok_or_else(|| format!("`{text}` lacks its closing `>`"))?;
            return Ok(wrap(Box::new(parse_ty(inner, type_names)?)));
        }
    }
    if let Some(int) = Int::ALL.iter().find(|i| i.name() == text) {
        return Ok(Ty::Int(*int));
    }
    Ok(match text {
        "string" => Ty::String,
        "bool" => Ty::Bool,
        "UnixTime" => Ty::UnixTime,
        "json" => Ty::Json,
        _ if type_names.contains(&text) => Ty::Named(text.to_owned()),
        _ => {
            let candidates = type_names.iter().copied().chain(BUILTINS);
            return Err(match closest(text, candidates) {
                Some(best) => format!("unknown type `{text}`; did you mean `{best}`?"),
                None => format!("unknown type `{text}`"),
            });
        }
    })
}

fn named_type(
    cx: &mut Ctx,
    key: &Spanned<String>,
    def: &TypeDef,
    type_names: &[&str],
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
    })
}

fn struct_fields(
    cx: &mut Ctx,
    path: &str,
    fields: &crate::spec::Entries<crate::spec::FieldDef>,
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
        let mut ty = match parse_ty(&f.ty.value, type_names) {
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
    values: &[Spanned<crate::spec::EnumValue>],
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
            None => wire.to_upper_camel_case(),
        };
        if !is_type_name(&rust) {
            cx.at(v, &vpath, format!("`{wire}` makes the variant name `{rust}`, which is not a Rust identifier; give it a `name`"));
            ok = false;
        } else if rust == "Unknown" {
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

fn api(
    cx: &mut Ctx,
    key: &Spanned<String>,
    def: &ApiDef,
    types: &BTreeMap<String, NamedType>,
    type_names: &[&str],
) -> Option<Api> {
    let name = &key.value;
    let path = format!("apis[{name}]");
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() < 2 || parts[0] != "SYNO" || !parts[1..].iter().all(|p| is_ident(p)) {
        cx.at(
            key,
            path,
            format!("`{name}` is not an api name of the form SYNO.<Family>[.<Name>...]"),
        );
        return None;
    }
    let family_module = rust_ident(parts[1]);
    if RESERVED_FAMILY_MODULES.contains(&family_module.as_str()) {
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
            "family_api".to_owned(),
            parts[1].to_upper_camel_case(),
        )
    } else {
        let sub = parts[2..].join("_");
        let acc = rust_ident(&sub);
        if RESERVED_API_MODULES.contains(&acc.as_str()) {
            cx.at(
                key,
                &path,
                format!("`{name}` would be the module `{acc}`, which generated code uses"),
            );
            return None;
        }
        (
            Some(acc.clone()),
            acc,
            format!("{}Api", parts[2..].concat().to_upper_camel_case()),
        )
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
        let Some(m) = method(
            cx,
            &path,
            mkey,
            mdef,
            (v, default_encoding),
            types,
            type_names,
        ) else {
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

fn version_in(
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

fn method(
    cx: &mut Ctx,
    api_path: &str,
    key: &Spanned<String>,
    def: &MethodDef,
    (v, default_encoding): (crate::spec::Versions, Encoding),
    types: &BTreeMap<String, NamedType>,
    type_names: &[&str],
) -> Option<Method> {
    let wire = &key.value;
    let path = format!("{api_path}.methods[{wire}]");
    let rust = rust_ident(wire);
    if !is_ident(wire) {
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
    let min_version = version_in(
        cx,
        &def.min_version,
        format!("{path}.min_version"),
        v.min,
        v.max,
    )?;
    let mut params = Vec::new();
    let mut rust_names: BTreeMap<String, String> = BTreeMap::new();
    let mut ok = true;
    for (pkey, pdef) in &def.params.0 {
        match param(
            cx,
            &path,
            pkey,
            pdef,
            (min_version, v.max),
            default_encoding,
            type_names,
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
        Some(r) => match parse_ty(&r.value, type_names) {
            Ok(t) => Some(t),
            Err(e) => {
                cx.at(r, format!("{path}.response"), e);
                return None;
            }
        },
    };
    if def.pagination.is_some() && params.iter().any(|p| p.rust == "all") {
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
            types,
        )?),
    };
    let example = match &def.example {
        None => None,
        Some(e) => Some(example(
            cx,
            &format!("{path}.example"),
            e,
            response.as_ref(),
            types,
        )?),
    };
    ok.then(|| Method {
        builder: format!("{}Request", wire.to_upper_camel_case()),
        wire: wire.clone(),
        rust,
        post,
        description: def.description.clone(),
        min_version,
        session: def.session,
        params,
        response,
        pagination,
        notes: def.notes.clone(),
        example,
    })
}

fn param(
    cx: &mut Ctx,
    method_path: &str,
    key: &Spanned<String>,
    def: &ParamDef,
    (method_min, max): (u32, u32),
    default_encoding: Encoding,
    type_names: &[&str],
) -> Option<Param> {
    let wire = &key.value;
    let path = format!("{method_path}.params[{wire}]");
    if RUNTIME_PARAMS.contains(&wire.as_str()) {
        cx.at(
            key,
            path,
            format!("`{wire}` is sent by the runtime; remove it from the spec"),
        );
        return None;
    }
    let rust = rust_ident(wire);
    if !is_ident(&rust) {
        cx.at(
            key,
            path,
            format!("parameter `{wire}` does not make a Rust identifier"),
        );
        return None;
    }
    if rust == "help" {
        cx.at(
            key,
            path,
            format!("parameter `{wire}` would clash with the command line's `--help`"),
        );
        return None;
    }
    if BUILDER_METHODS.contains(&rust.as_str()) {
        cx.at(
            key,
            path,
            format!("parameter `{wire}` would clash with the request builder's `{rust}()`"),
        );
        return None;
    }
    let min_version = version_in(
        cx,
        &def.min_version,
        format!("{path}.min_version"),
        method_min,
        max,
    )?;
    let kind = match (&def.ty, &def.constant) {
        (None, Some(c)) => {
            if def.required || def.encoding.is_some() || def.default.is_some() {
                cx.at(
                    key,
                    path,
                    "a constant parameter takes no `required`, `encoding` or `default`",
                );
                return None;
            }
            ParamKind::Const(c.clone())
        }
        (Some(t), None) => {
            let ty = match parse_ty(&t.value, type_names) {
                Ok(ty) => ty,
                Err(e) => {
                    cx.at(t, format!("{path}.type"), e);
                    return None;
                }
            };
            let encoding = match def.encoding.as_ref().map(|e| (e, e.value.as_str())) {
                None => default_encoding,
                Some((_, "plain")) => Encoding::Plain,
                Some((_, "json")) => Encoding::Json,
                Some((e, "yes_no")) if ty != Ty::Bool => {
                    cx.at(
                        e,
                        format!("{path}.encoding"),
                        "`yes_no` applies to `bool` parameters only",
                    );
                    return None;
                }
                Some((_, "yes_no")) => Encoding::YesNo,
                Some((_, "true_false")) if ty == Ty::Bool => Encoding::Plain,
                Some((e, other)) => {
                    let best = closest(other, ["plain", "json", "yes_no", "true_false"]);
                    let hint = best
                        .map(|b| format!("; did you mean `{b}`?"))
                        .unwrap_or_default();
                    cx.at(
                        e,
                        format!("{path}.encoding"),
                        format!(
                            "unknown encoding `{other}` for a `{}` parameter{hint}",
                            t.value
                        ),
                    );
                    return None;
                }
            };
            let scalar = matches!(ty, Ty::Int(_) | Ty::String | Ty::Bool | Ty::UnixTime)
                || matches!(&ty, Ty::Named(_));
            if encoding != Encoding::Json && !scalar {
                cx.at(
                    t,
                    format!("{path}.type"),
                    format!("a `{}` parameter needs `encoding: json`", t.value),
                );
                return None;
            }
            ParamKind::Value { ty, encoding }
        }
        _ => {
            cx.at(
                key,
                path,
                "a parameter has either a `type` or a `const` value",
            );
            return None;
        }
    };
    let example = match (&def.example, &kind) {
        (None, _) => None,
        (Some(e), ParamKind::Value { ty, .. }) => match check_param_example(&e.value, ty) {
            Ok(text) => Some(text),
            Err(msg) => {
                cx.at(e, format!("{path}.example"), msg);
                return None;
            }
        },
        (Some(e), ParamKind::Const(_)) => {
            cx.at(
                e,
                format!("{path}.example"),
                "a constant parameter needs no example",
            );
            return None;
        }
    };
    Some(Param {
        wire: wire.clone(),
        rust,
        kind,
        example,
        required: def.required,
        default: def.default.as_ref().map(|d| match d {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        min_version,
        secret: def.secret,
        description: def.description.clone(),
    })
}

fn pagination(
    cx: &mut Ctx,
    path: &str,
    p: &Spanned<crate::spec::Pagination>,
    params: &[Param],
    response: Option<&Ty>,
    types: &BTreeMap<String, NamedType>,
) -> Option<PaginationIr> {
    let pv = &p.value;
    for (role, name) in [("offset", &pv.offset), ("limit", &pv.limit)] {
        let found = params.iter().find(|x| &x.wire == name);
        let good = matches!(
            found,
            Some(Param {
                kind: ParamKind::Value { ty: Ty::Int(_), .. },
                required: false,
                ..
            })
        );
        if !good {
            let names = params.iter().map(|x| x.wire.as_str());
            let hint = closest(name, names)
                .map(|b| format!("; did you mean `{b}`?"))
                .unwrap_or_default();
            cx.at(
                p,
                format!("{path}.{role}"),
                format!("`{name}` is not an optional integer parameter of this method{hint}"),
            );
            return None;
        }
    }
    let fields = match response {
        Some(Ty::Named(n)) => match types.get(n) {
            Some(NamedType {
                kind: TypeKind::Struct(f),
                ..
            }) => f,
            _ => {
                cx.at(
                    p,
                    path,
                    "a paginated method's response must be a struct type",
                );
                return None;
            }
        },
        _ => {
            cx.at(
                p,
                path,
                "a paginated method's response must be a struct type",
            );
            return None;
        }
    };
    let find = |cx: &mut Ctx, role: &str, name: &str| -> Option<&Field> {
        let f = fields.iter().find(|f| f.wire == name);
        if f.is_none() {
            let hint = closest(name, fields.iter().map(|f| f.wire.as_str()))
                .map(|b| format!("; did you mean `{b}`?"))
                .unwrap_or_default();
            cx.at(
                p,
                format!("{path}.{role}"),
                format!("the response has no field `{name}`{hint}"),
            );
        }
        f
    };
    let items = find(cx, "items", &pv.items)?;
    let Ty::List(item) = &items.ty else {
        cx.at(
            p,
            format!("{path}.items"),
            format!("field `{}` is not a list", pv.items),
        );
        return None;
    };
    let total = match &pv.total {
        None => None,
        Some(t) => {
            let f = find(cx, "total", t)?;
            if !matches!(f.ty, Ty::Int(_)) || f.optional {
                cx.at(
                    p,
                    format!("{path}.total"),
                    format!("field `{t}` is not a required integer"),
                );
                return None;
            }
            Some((f.rust.clone(), f.wire.clone()))
        }
    };
    Some(PaginationIr {
        offset: pv.offset.clone(),
        limit: pv.limit.clone(),
        items_field: items.wire.clone(),
        items_rust: items.rust.clone(),
        item: (**item).clone(),
        total,
    })
}

fn example(
    cx: &mut Ctx,
    path: &str,
    e: &Spanned<String>,
    response: Option<&Ty>,
    types: &BTreeMap<String, NamedType>,
) -> Option<String> {
    let value: Value = match serde_json::from_str(&e.value) {
        Ok(v) => v,
        Err(err) => {
            // serde_json's line and column count within the example text.
            cx.at(
                e,
                path,
                format!("the example is not JSON: {err} of the example"),
            );
            return None;
        }
    };
    if value.get("success") != Some(&Value::Bool(true)) {
        cx.at(
            e,
            path,
            "the example must be a whole envelope with `\"success\": true`",
        );
        return None;
    }
    let data = value.get("data");
    let problem = match (response, data) {
        (None, None) => None,
        (None, Some(Value::Object(o))) if o.is_empty() => None,
        (None, Some(_)) => {
            Some("the method declares no response but the example has `data`".to_owned())
        }
        (Some(_), None) => {
            Some("the example has no `data`, but the method declares a response".to_owned())
        }
        (Some(ty), Some(d)) => check_value(d, ty, types, "data").err(),
    };
    if let Some(msg) = problem {
        cx.at(e, path, msg);
        return None;
    }
    Some(value.to_string())
}

/// Checks that a JSON value decodes as `ty`, the way the runtime decodes it (integers may be
/// numeric strings, unknown enum values are fine, extra fields are ignored).
fn check_value(
    v: &Value,
    ty: &Ty,
    types: &BTreeMap<String, NamedType>,
    at: &str,
) -> Result<(), String> {
    let bad = |what: &str| Err(format!("{at} is {}, expected {what}", describe(v)));
    match ty {
        Ty::Int(int) => {
            let n = match v {
                Value::Number(n) => n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)),
                Value::String(s) => s.trim().parse::<i128>().ok(),
                _ => None,
            };
            match n {
                Some(n) if int.fits(n) => Ok(()),
                Some(n) => Err(format!("{at} is {n}, which does not fit in {}", int.name())),
                None => bad(int.name()),
            }
        }
        Ty::UnixTime => check_value(v, &Ty::Int(Int::I64), types, at),
        Ty::String | Ty::Secret => {
            if v.is_string() {
                Ok(())
            } else {
                bad("a string")
            }
        }
        Ty::Bool => {
            if v.is_boolean() {
                Ok(())
            } else {
                bad("a boolean")
            }
        }
        Ty::Json => Ok(()),
        Ty::List(inner) => match v {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, x)| check_value(x, inner, types, &format!("{at}[{i}]"))),
            _ => bad("a list"),
        },
        Ty::Map(inner) => match v {
            Value::Object(o) => o
                .iter()
                .try_for_each(|(k, x)| check_value(x, inner, types, &format!("{at}.{k}"))),
            _ => bad("an object"),
        },
        Ty::Named(name) => match types.get(name).map(|t| &t.kind) {
            Some(TypeKind::Enum { integer: true, .. }) => {
                check_value(v, &Ty::Int(Int::I64), types, at)
            }
            Some(TypeKind::Enum { integer: false, .. }) => {
                if v.is_string() {
                    Ok(())
                } else {
                    bad("a string")
                }
            }
            Some(TypeKind::Struct(fields)) => {
                let Value::Object(o) = v else {
                    return bad(&format!("a `{name}` object"));
                };
                for f in fields {
                    match o.get(&f.wire) {
                        Some(Value::Null) | None if f.optional => {}
                        Some(x) => check_value(x, &f.ty, types, &format!("{at}.{}", f.wire))?,
                        None => {
                            return Err(format!(
                                "{at} lacks the required field `{}` of `{name}`",
                                f.wire
                            ));
                        }
                    }
                }
                Ok(())
            }
            None => Ok(()), // reported where the name was parsed
        },
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// A parameter example as the command line would take it, or why it does not fit the type.
fn check_param_example(v: &Value, ty: &Ty) -> Result<String, String> {
    let fits = match (ty, v) {
        (Ty::Int(i), Value::Number(n)) => n
            .as_i64()
            .map(i128::from)
            .or(n.as_u64().map(i128::from))
            .is_some_and(|n| i.fits(n)),
        (Ty::UnixTime, Value::Number(n)) => n.as_i64().is_some(),
        (Ty::Bool, Value::Bool(_)) | (Ty::String | Ty::Named(_), Value::String(_)) => true,
        (Ty::Named(_), Value::Number(n)) => n.as_i64().is_some(),
        (Ty::List(_) | Ty::Map(_) | Ty::Json, _) => true,
        _ => false,
    };
    if !fits {
        return Err(format!("example {v} does not fit the parameter's type"));
    }
    Ok(match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}
