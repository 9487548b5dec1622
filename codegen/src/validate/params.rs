//! Parameters and pagination: one parameter's name, version, type, encoding and example;
//! which parameters and response fields page through a list.

use std::collections::BTreeMap;

use serde_json::Value;

use super::context::Ctx;
use super::examples::check_param_example;
use super::methods::version_in;
use super::types::{Known, resolve};
use crate::error::closest;
use crate::ir::*;
use crate::naming;
use crate::spec::{ParamDef, Spanned};

/// One parameter of a method whose versions are `method_min..=max`. An `imported` one is
/// set by wire name (`Call::param`): optional, typed for the docs only, no `const`,
/// `encoding` or `min_version`; a list, map, struct or `json` value goes as JSON text.
#[allow(
    clippy::too_many_arguments,
    reason = "one call site; the checks share them all"
)]
pub(super) fn param(
    cx: &mut Ctx,
    method_path: &str,
    key: &Spanned<String>,
    def: &ParamDef,
    (method_min, max): (u32, u32),
    default_encoding: Encoding,
    known: Known,
    imported: bool,
) -> Option<Param> {
    let wire = &key.value;
    let path = format!("{method_path}.params[{wire}]");
    if naming::RUNTIME_PARAMS.contains(&wire.as_str()) {
        cx.at(
            key,
            path,
            format!("`{wire}` is sent by the runtime; remove it from the spec"),
        );
        return None;
    }
    let rust = naming::rust_ident(wire);
    if imported {
        return imported_param(cx, path, key, def, method_min, default_encoding, known);
    }
    if !naming::is_ident(&rust) {
        cx.at(
            key,
            path,
            format!("parameter `{wire}` does not make a Rust identifier"),
        );
        return None;
    }
    if rust == naming::CLI_HELP {
        cx.at(
            key,
            path,
            format!("parameter `{wire}` would clash with the command line's `--help`"),
        );
        return None;
    }
    if naming::BUILDER_METHODS.contains(&rust.as_str()) {
        cx.at(
            key,
            path,
            if naming::STREAM_METHODS.contains(&rust.as_str()) {
                format!("parameter `{wire}` would be mistaken for the stream's `{rust}()` (`stream()` returns `Pages`)")
            } else {
                format!("parameter `{wire}` would clash with the request builder's `{rust}()`")
            },
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
            let ty = match resolve(&t.value, known.names) {
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
            // A named type that failed its own checks was reported there.
            let unchecked = matches!(&ty, Ty::Named(n) if !known.types.contains_key(n));
            if encoding != Encoding::Json && !unchecked && !ty.is_scalar(known.types) {
                let why = match &ty {
                    Ty::Named(n) => format!(": `{n}` is a struct, which has no plain form"),
                    _ => String::new(),
                };
                cx.at(
                    t,
                    format!("{path}.type"),
                    format!("a `{}` parameter needs `encoding: json`{why}", t.value),
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

/// A parameter of an imported method (see [`param`]).
fn imported_param(
    cx: &mut Ctx,
    path: String,
    key: &Spanned<String>,
    def: &ParamDef,
    method_min: u32,
    default_encoding: Encoding,
    known: Known,
) -> Option<Param> {
    let wire = &key.value;
    let refused = [
        (
            "required",
            def.required,
            "every imported parameter is optional, set with `.param(name, value)`",
        ),
        (
            "const",
            def.constant.is_some(),
            "an imported method sends only what its caller sets",
        ),
        (
            "encoding",
            def.encoding.is_some(),
            "values are written as the api's request format says",
        ),
        (
            "min_version",
            def.min_version.is_some(),
            "an imported parameter has its method's versions",
        ),
    ];
    if let Some((field, _, why)) = refused.iter().find(|r| r.1) {
        cx.at(
            key,
            format!("{path}.{field}"),
            format!("parameter `{wire}` of an imported file has `{field}`; {why}"),
        );
        return None;
    }
    let Some(t) = &def.ty else {
        cx.at(key, path, "an imported parameter needs a `type`");
        return None;
    };
    let ty = match resolve(&t.value, known.names) {
        Ok(ty) => ty,
        Err(e) => {
            cx.at(t, format!("{path}.type"), e);
            return None;
        }
    };
    let unchecked = matches!(&ty, Ty::Named(n) if !known.types.contains_key(n));
    let encoding = if unchecked || ty.is_scalar(known.types) {
        default_encoding
    } else {
        Encoding::Json
    };
    let example = match &def.example {
        None => None,
        Some(e) => match check_param_example(&e.value, &ty) {
            Ok(text) => Some(text),
            Err(msg) => {
                cx.at(e, format!("{path}.example"), msg);
                return None;
            }
        },
    };
    Some(Param {
        wire: wire.clone(),
        rust: naming::rust_ident(wire),
        kind: ParamKind::Value { ty, encoding },
        required: false,
        default: def.default.as_ref().map(|d| match d {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        min_version: method_min,
        secret: def.secret,
        example,
        description: def.description.clone(),
    })
}

/// The paging of a method: offset and limit are optional integer parameters, items a list
/// field of the struct response, total a required integer field.
pub(super) fn pagination(
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
