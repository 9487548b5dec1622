//! Parameters of a method (types from defaults and the page's examples, defaults out of the
//! descriptions) and its pagination.

use super::build::ParamOut;
use super::infer::{Struct, Ty};
use super::parse::{Json, Page, ParamDoc};

/// `text (default: X)` → (`text`, `X`); `text (a or b, default: X)` → (`text (a or b)`, `X`).
/// Only a one-word default counts.
pub fn split_default(text: &str) -> (String, Option<String>) {
    for (open, keep) in [(" (default: ", ""), (", default: ", ")")] {
        if let Some(start) = text.find(open)
            && let Some(len) = text[start + open.len()..].find(')')
        {
            let raw = &text[start + open.len()..start + open.len() + len];
            let value = raw
                .strip_prefix('`')
                .and_then(|v| v.strip_suffix('`'))
                .unwrap_or(raw);
            if value.is_empty() || value.contains(char::is_whitespace) || value.contains('`') {
                return (text.to_owned(), None);
            }
            let rest = &text[start + open.len() + len + 1..];
            let description = format!("{}{keep}{rest}", &text[..start]);
            return (description.trim().to_owned(), Some(value.to_owned()));
        }
    }
    (text.to_owned(), None)
}

/// A YAML scalar for `value` of type `ty`, when it is one.
fn scalar(ty: &Ty, value: &str) -> Option<String> {
    match ty {
        Ty::I64 => value.parse::<i64>().ok().map(|v| v.to_string()),
        Ty::Bool => matches!(value, "true" | "false").then(|| value.to_owned()),
        Ty::Str => Some(super::render::quote(value)),
        _ => None,
    }
}

/// The first scalar value of a `key` anywhere in the page's examples, as text.
fn seen_value(page: &Page, key: &str) -> Option<Json> {
    /// Depth-first in document order.
    fn find(v: &Json, key: &str) -> Option<Json> {
        match v {
            Json::Obj(entries) => entries.iter().find_map(|(k, v)| {
                let scalar = matches!(v, Json::Int(_) | Json::Str(_) | Json::Bool(_));
                if k == key && scalar {
                    Some(v.clone())
                } else {
                    find(v, key)
                }
            }),
            Json::List(items) => items.iter().find_map(|i| find(i, key)),
            _ => None,
        }
    }
    page.apis
        .iter()
        .flat_map(|a| &a.methods)
        .filter_map(|m| m.response.as_ref())
        .find_map(|r| find(&r.value, key))
}

/// One parameter: its type from its default, else from a same-named value of the page's
/// examples, else text; its example from those values.
pub fn param(page: &Page, p: &ParamDoc) -> ParamOut {
    let (description, default) = split_default(&p.text);
    let seen = seen_value(page, &p.name);
    let from_default = default.as_deref().map(|d| {
        if d.parse::<i64>().is_ok() {
            Ty::I64
        } else if matches!(d, "true" | "false") {
            Ty::Bool
        } else {
            Ty::Str
        }
    });
    // A value that may be several ("comma-separated", "JSON array") is text, whatever one
    // value in an answer looks like.
    let lower = description.to_ascii_lowercase();
    let several = ["comma", "json", "array", "multiple", "list of"]
        .iter()
        .any(|w| lower.contains(w));
    let from_seen = seen.as_ref().filter(|_| !several).map(|v| match v {
        Json::Int(_) => Ty::I64,
        Json::Bool(_) => Ty::Bool,
        _ => Ty::Str,
    });
    let ty = match (from_default, from_seen) {
        (Some(d), Some(s)) if d == s || s == Ty::Str => s,
        (Some(d), _) => d,
        (None, Some(s)) => s,
        (None, None) => Ty::Str,
    };
    let default = default.and_then(|d| scalar(&ty, &d));
    let example = seen.and_then(|v| match v {
        Json::Int(n) => scalar(&ty, &n.to_string()),
        Json::Bool(b) => scalar(&ty, &b.to_string()),
        Json::Str(s) => scalar(&ty, &s),
        _ => None,
    });
    let secret = crate::import::names::is_secret(&p.name);
    ParamOut {
        name: p.name.clone(),
        required: p.required,
        default,
        example: if p.required && !secret { example } else { None },
        secret,
        description: if description.is_empty() {
            UNDESCRIBED_PARAM.to_owned()
        } else {
            description
        },
        ty,
    }
}

/// The description of a parameter the page does not describe.
pub const UNDESCRIBED_PARAM: &str = "Not described by the documentation.";

/// Pagination when the method has optional integer `offset` and `limit` parameters and its
/// response is a struct with exactly one list field (and maybe an integer `total`).
pub fn pagination(
    params: &[ParamOut],
    response: Option<&Ty>,
    types: &[Struct],
) -> Option<(String, String, String, Option<String>)> {
    let int_opt = |n: &str| {
        params
            .iter()
            .any(|p| p.name == n && !p.required && p.ty == Ty::I64)
    };
    if !int_opt("offset") || !int_opt("limit") {
        return None;
    }
    let Some(Ty::Named(name)) = response else {
        return None;
    };
    let s = types.iter().find(|t| &t.name == name)?;
    let lists: Vec<_> = s
        .fields
        .iter()
        .filter(|f| matches!(f.ty, Ty::List(_)))
        .collect();
    let [items] = lists.as_slice() else {
        return None;
    };
    if items.optional {
        return None;
    }
    let total = s
        .fields
        .iter()
        .find(|f| f.wire == "total" && !f.optional && matches!(f.ty, Ty::I64 | Ty::U64))
        .map(|f| f.wire.clone());
    Some(("offset".into(), "limit".into(), items.wire.clone(), total))
}
