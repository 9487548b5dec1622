//! Parameters of a method (types from defaults and the page's examples, defaults out of the
//! descriptions) and its pagination.

use super::build::ParamOut;
use super::infer::{Int, Struct, Ty};
use super::parse::{Json, Page, ParamDoc};

/// `text (default: X)` → (`text`, `X`); `text (a or b, default: X)` → (`text (a or b)`, `X`).
/// Only a one-word default counts; one that says what it means (`default: -1 = all`) keeps
/// the meaning in the description (`text (-1 = all)`).
pub fn split_default(text: &str) -> (String, Option<String>) {
    for (open, keep) in [(" (default: ", ""), (", default: ", ")")] {
        if let Some(start) = text.find(open)
            && let Some(len) = text[start + open.len()..].find(')')
        {
            let raw = &text[start + open.len()..start + open.len() + len];
            let (raw, meaning) = match raw.split_once(" = ") {
                Some((v, m)) if !m.trim().is_empty() => (v, Some(raw)),
                _ => (raw, None),
            };
            let value = raw
                .strip_prefix('`')
                .and_then(|v| v.strip_suffix('`'))
                .unwrap_or(raw);
            if value.is_empty() || value.contains(char::is_whitespace) || value.contains('`') {
                return (text.to_owned(), None);
            }
            let rest = &text[start + open.len() + len + 1..];
            let mut description = format!("{}{keep}{rest}", &text[..start]).trim().to_owned();
            if let Some(meaning) = meaning {
                description = match description.strip_suffix(')') {
                    // `text (a, b, default: X = m)` → `text (a, b; X = m)`
                    Some(open) if !keep.is_empty() => format!("{open}; {meaning})"),
                    _ => format!("{description} ({meaning})"),
                };
            }
            return (description, Some(value.to_owned()));
        }
    }
    (text.to_owned(), None)
}

/// The value of a required parameter whose whole description is one code span
/// (`` `pptp` ``): the page gives it as the runtime's `api` and `version` are given, a value
/// always sent.
pub fn constant(p: &ParamDoc) -> Option<&str> {
    let value = p.text.strip_prefix('`')?.strip_suffix('`')?;
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    (p.required && plain).then_some(value)
}

/// A YAML scalar for `value` of type `ty`, when it is one.
fn scalar(ty: &Ty, value: &str) -> Option<String> {
    match ty {
        Ty::Int(Int::I64) => value.parse::<i64>().ok().map(|v| v.to_string()),
        Ty::Bool => matches!(value, "true" | "false").then(|| value.to_owned()),
        Ty::String => Some(super::render::quote(value)),
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
            Ty::Int(Int::I64)
        } else if matches!(d, "true" | "false") {
            Ty::Bool
        } else {
            Ty::String
        }
    });
    // A value that may be several ("comma-separated", "JSON array") is text, whatever one
    // value in an answer looks like.
    let lower = description.to_ascii_lowercase();
    let several = ["comma", "json", "array", "multiple", "list of"]
        .iter()
        .any(|w| lower.contains(w));
    let from_seen = seen.as_ref().filter(|_| !several).map(|v| match v {
        Json::Int(_) => Ty::Int(Int::I64),
        Json::Bool(_) => Ty::Bool,
        _ => Ty::String,
    });
    let ty = match (from_default, from_seen) {
        (Some(d), Some(s)) if d == s || s == Ty::String => s,
        (Some(d), _) => d,
        (None, Some(s)) => s,
        // `Enable status (true/false)`: the page names both values of a boolean.
        (None, None) if says_true_and_false(&lower) => Ty::Bool,
        // `Modified after (Unix timestamp)`, as for a field the table calls Unix time.
        (None, None) if lower.contains("unix time") && !several => Ty::UnixTime,
        (None, None) => Ty::String,
    };
    let default = default.and_then(|d| scalar(&ty, &d));
    let example = seen.and_then(|v| match v {
        Json::Int(n) => scalar(&ty, &n.to_string()),
        Json::Bool(b) => scalar(&ty, &b.to_string()),
        Json::Str(s) => scalar(&ty, &s),
        _ => None,
    });
    let secret = crate::import::names::is_secret(&p.name);
    if let Some(first) = p.values.first() {
        // Merged sections' values (`play`, `stop`): text, whatever an answer shows.
        return ParamOut {
            name: p.name.clone(),
            ty: Ty::String,
            required: p.required,
            default: None,
            example: (p.required && !secret).then(|| super::render::quote(first)),
            secret,
            constant: None,
            description: p.text.clone(),
        };
    }
    if let Some(value) = constant(p).filter(|_| !secret) {
        return ParamOut {
            name: p.name.clone(),
            ty: Ty::String,
            required: false,
            default: None,
            example: None,
            secret: false,
            constant: Some(value.to_owned()),
            description: format!("Always `{value}`: the page gives this one value."),
        };
    }
    ParamOut {
        name: p.name.clone(),
        constant: None,
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

/// Whether a (lower-case) description names both `true` and `false` as words.
fn says_true_and_false(lower: &str) -> bool {
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .collect();
    words.contains(&"true") && words.contains(&"false")
}

/// The description of a parameter the page does not describe.
pub const UNDESCRIBED_PARAM: &str = "Not described by the documentation.";

/// A `limit` of nothing but words (`Max results`) beside an integer `offset` or `start` is
/// an integer too: the page's other evidence (a default, a value in an answer) is then
/// missing only for it, and a count of results is no text.
pub fn pair_limit(params: &mut [ParamOut]) {
    let paired = params
        .iter()
        .any(|p| matches!(p.name.as_str(), "offset" | "start") && p.ty == Ty::Int(Int::I64));
    if let Some(limit) = params.iter_mut().find(|p| {
        p.name == "limit"
            && p.ty == Ty::String
            && p.constant.is_none()
            && p.default.is_none()
            && p.example.is_none()
    }) && paired
    {
        limit.ty = Ty::Int(Int::I64);
    }
}

/// Pagination when the method has optional integer `offset` (or `start`) and `limit`
/// parameters and its response is a struct with exactly one list field (and maybe an
/// integer `total`).
pub fn pagination(
    params: &[ParamOut],
    response: Option<&Ty>,
    types: &[Struct],
) -> Option<(String, String, String, Option<String>)> {
    let int_opt = |n: &str| {
        params.iter().any(|p| {
            p.name == n && !p.required && p.constant.is_none() && p.ty == Ty::Int(Int::I64)
        })
    };
    let offset = ["offset", "start"].into_iter().find(|n| int_opt(n))?;
    if !int_opt("limit") {
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
        .find(|f| {
            f.wire == "total"
                && !f.optional
                && matches!(f.ty, Ty::Int(Int::I64) | Ty::Int(Int::U64))
        })
        .map(|f| f.wire.clone());
    Some((offset.into(), "limit".into(), items.wire.clone(), total))
}
