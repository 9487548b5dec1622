//! Examples: a method's documented response must be a whole successful envelope whose `data`
//! decodes as the response type, the way the runtime decodes it; a parameter's example must
//! fit the parameter's type.

use std::collections::BTreeMap;

use serde_json::Value;

use super::context::Ctx;
use crate::ir::*;
use crate::spec::Spanned;

/// The example of a method whose `data` is `response`, compacted.
pub(super) fn example(
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
pub(super) fn check_value(
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
        Ty::F64 => match v {
            Value::Number(_) => Ok(()),
            Value::String(s) if float_text(s) => Ok(()),
            _ => bad("a number (f64)"),
        },
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

/// Whether text holds a finite float the way the runtime's lenient decoder reads it
/// (`de::float`: trimmed, Rust's `f64` syntax, finite).
fn float_text(s: &str) -> bool {
    s.trim().parse::<f64>().is_ok_and(f64::is_finite)
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
pub(super) fn check_param_example(v: &Value, ty: &Ty) -> Result<String, String> {
    let fits = match (ty, v) {
        (Ty::Int(i), Value::Number(n)) => n
            .as_i64()
            .map(i128::from)
            .or(n.as_u64().map(i128::from))
            .is_some_and(|n| i.fits(n)),
        (Ty::F64, Value::Number(_)) => true,
        (Ty::UnixTime, Value::Number(n)) => n.as_i64().is_some(),
        (Ty::Bool, Value::Bool(_)) | (Ty::String | Ty::Named(_), Value::String(_)) => true,
        (Ty::Named(_), Value::Number(n)) => n.as_i64().is_some(),
        (Ty::List(_) | Ty::Map(_) | Ty::Json, _) => true,
        _ => false,
    };
    if !fits {
        return Err(format!("example {v} does not fit the parameter's type"));
    }
    Ok(match (ty, v) {
        // A float as Rust writes it (`2.0`, never `2`): a literal for the generated examples,
        // and text the command line's flag reads back.
        (Ty::F64, Value::Number(n)) => format!("{:?}", n.as_f64().unwrap_or_default()),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    })
}
