//! The shape of an example response, merged over every element of its lists, and the spec
//! types it becomes: named structs for objects whose keys are field names, `map<T>` for the
//! others, `json` where the values disagree or nothing was shown.

use heck::ToUpperCamelCase;

use super::parse::Json;

/// What the examples show of one value.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Only `null`, or an empty list's element: nothing known.
    Unknown,
    /// `true` / `false`
    Bool,
    /// An integer within `i64`.
    Int,
    /// An integer above `i64::MAX`.
    UInt,
    /// A number with a fraction or an exponent.
    Float,
    /// A string.
    Str,
    /// A list of one shape.
    List(Box<Shape>),
    /// An object keyed by data, not by field names.
    Map(Box<Shape>),
    /// An object keyed by field names, in the order first seen.
    Obj(Vec<Slot>),
    /// Values of different kinds.
    Mixed,
}

/// One field of an object shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    /// Wire name.
    pub wire: String,
    /// Its shape.
    pub shape: Shape,
    /// Absent from some example, or `null` in one.
    pub optional: bool,
}

/// Whether `key` is a field name rather than data (`SYNO.API.Auth`, `1`, `a b`).
pub fn is_field_name(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The shape of `v`; `Err` names a key that occurs twice in one object.
pub fn shape(v: &Json) -> Result<Shape, String> {
    Ok(match v {
        Json::Null => Shape::Unknown,
        Json::Bool(_) => Shape::Bool,
        Json::Int(_) => Shape::Int,
        Json::UInt(_) => Shape::UInt,
        Json::Float(_) => Shape::Float,
        Json::Str(_) => Shape::Str,
        Json::List(items) => {
            let mut s = Shape::Unknown;
            for item in items {
                s = merge(s, shape(item)?);
            }
            Shape::List(Box::new(s))
        }
        Json::Obj(entries) => {
            for (i, (k, _)) in entries.iter().enumerate() {
                if entries[..i].iter().any(|(other, _)| other == k) {
                    return Err(format!(
                        "key `{}` occurs twice in one object",
                        super::parse::short(k)
                    ));
                }
            }
            // Keys that are no field name beside some that are (`2fa_status` beside
            // `name`) are left out: a struct ignores what it does not declare.
            if entries.iter().any(|(k, _)| is_field_name(k)) {
                let mut slots = Vec::new();
                for (k, v) in entries.iter().filter(|(k, _)| is_field_name(k)) {
                    slots.push(Slot {
                        wire: k.clone(),
                        shape: shape(v)?,
                        optional: *v == Json::Null,
                    });
                }
                Shape::Obj(slots)
            } else if entries.is_empty() {
                Shape::Obj(Vec::new())
            } else {
                let mut s = Shape::Unknown;
                for (_, v) in entries {
                    s = merge(s, shape(v)?);
                }
                Shape::Map(Box::new(s))
            }
        }
    })
}

/// Whether an object of `v` has a key that is no field name beside one that is: that key is
/// left out of the struct (and the page's report says so).
pub fn has_unnamed_field(v: &Json) -> bool {
    match v {
        Json::List(items) => items.iter().any(has_unnamed_field),
        Json::Obj(entries) => {
            let named = entries.iter().filter(|(k, _)| is_field_name(k)).count();
            (named > 0 && named < entries.len())
                || entries.iter().any(|(_, v)| has_unnamed_field(v))
        }
        _ => false,
    }
}

/// The shape that covers both.
pub fn merge(a: Shape, b: Shape) -> Shape {
    use Shape::*;
    match (a, b) {
        (Unknown, x) | (x, Unknown) => x,
        (Int, UInt) | (UInt, Int) => UInt,
        (Int | UInt, Float) | (Float, Int | UInt) => Float,
        (List(a), List(b)) => List(Box::new(merge(*a, *b))),
        (Map(a), Map(b)) => Map(Box::new(merge(*a, *b))),
        (Obj(a), Obj(b)) => {
            let mut out: Vec<Slot> = Vec::new();
            for s in &a {
                let other = b.iter().find(|o| o.wire == s.wire);
                out.push(Slot {
                    wire: s.wire.clone(),
                    shape: match other {
                        Some(o) => merge(s.shape.clone(), o.shape.clone()),
                        None => s.shape.clone(),
                    },
                    optional: s.optional || other.is_none_or(|o| o.optional),
                });
            }
            for o in b.iter().filter(|o| !a.iter().any(|s| s.wire == o.wire)) {
                out.push(Slot {
                    optional: true,
                    ..o.clone()
                });
            }
            Obj(out)
        }
        (a, b) if a == b => a,
        _ => Mixed,
    }
}

/// The spec's type expressions, as codegen reads and prints them.
pub use codegen::ir::ty::{Int, Ty};

#[derive(Debug, Clone)]
pub struct Struct {
    /// Its name.
    pub name: String,
    /// Doc text.
    pub description: String,
    /// Fields in order.
    pub fields: Vec<FieldOut>,
}

/// One field of a struct to write.
#[derive(Debug, Clone)]
pub struct FieldOut {
    /// Wire name.
    pub wire: String,
    /// Type.
    pub ty: Ty,
    /// `optional: true`
    pub optional: bool,
    /// `secret: true`: a string field named as the dsm-lib importer names secrets (`sid`).
    pub secret: bool,
    /// Doc text.
    pub description: String,
}

/// Per-field facts the page gives beside the example: a type from a field table and a
/// description.
pub trait Facts {
    /// The type the page's tables give `wire` in this method, checked against `shape`, and
    /// its description; `parent` is the field holding its object (empty at the data root).
    /// `Err` says why the two disagree.
    fn field(
        &self,
        wire: &str,
        parent: &str,
        shape: &Shape,
    ) -> Result<(Option<Ty>, String), String>;
}

/// Names structs: takes `base` or the first free variant of it.
pub trait Namer {
    /// A fresh type name for `base`.
    fn claim(&mut self, base: &str) -> String;
}

/// The singular of a list field's name for its element type (`connections` →
/// `Connection`), or the name with `Item` when no plain rule applies.
pub fn element_name(field: &str) -> String {
    let camel = field.to_upper_camel_case();
    if let Some(stem) = camel.strip_suffix("ies").filter(|s| s.len() > 1) {
        format!("{stem}y")
    } else if camel.len() > 3
        && camel.ends_with('s')
        && !["ss", "us", "is"].iter().any(|e| camel.ends_with(e))
    {
        camel[..camel.len() - 1].to_owned()
    } else {
        format!("{camel}Item")
    }
}

/// `The data of ...` → `the data of ...`, to follow `An element of`.
fn lower_first(s: &str) -> String {
    match s.strip_prefix("The ") {
        Some(rest) => format!("the {rest}"),
        None => s.to_owned(),
    }
}

/// The type of `shape`, structs named from `name` and pushed to `out` (parents before
/// children); `parent` is the field whose value `shape` is (empty for the data).
pub fn ty(
    shape: &Shape,
    (name, parent): (&str, &str),
    description: &str,
    facts: &dyn Facts,
    namer: &mut dyn Namer,
    out: &mut Vec<Struct>,
) -> Result<Ty, String> {
    Ok(match shape {
        Shape::Unknown | Shape::Mixed => Ty::Json,
        Shape::Obj(slots) if slots.is_empty() => Ty::Json,
        Shape::Bool => Ty::Bool,
        Shape::Int => Ty::Int(Int::I64),
        Shape::UInt => Ty::Int(Int::U64),
        Shape::Float => Ty::F64,
        Shape::Str => Ty::String,
        Shape::List(inner) => {
            let d = format!("An element of {}", lower_first(description));
            Ty::List(Box::new(ty(inner, (name, parent), &d, facts, namer, out)?))
        }
        Shape::Map(inner) => {
            let d = format!("A value of {}", lower_first(description));
            Ty::Map(Box::new(ty(inner, (name, parent), &d, facts, namer, out)?))
        }
        Shape::Obj(slots) => {
            let own = namer.claim(name);
            let at = out.len();
            out.push(Struct {
                name: own.clone(),
                description: format!("{}.", description.trim_end_matches('.')),
                fields: Vec::new(),
            });
            let mut fields = Vec::new();
            for s in slots {
                let (given, text) = facts.field(&s.wire, parent, &s.shape)?;
                let child = match &s.shape {
                    Shape::List(_) => format!("{own}{}", element_name(&s.wire)),
                    _ => format!("{own}{}", s.wire.to_upper_camel_case()),
                };
                let what = format!("`{}` in {own}", s.wire);
                let inferred = ty(&s.shape, (&child, &s.wire), &what, facts, namer, out)?;
                let ty = given.unwrap_or(inferred);
                fields.push(FieldOut {
                    secret: ty == Ty::String && crate::import::names::is_secret(&s.wire),
                    wire: s.wire.clone(),
                    ty,
                    optional: s.optional,
                    description: text,
                });
            }
            out[at].fields = fields;
            Ty::Named(own)
        }
    })
}

/// The type a field table's type column gives a value of `shape`, or why they disagree.
/// `unix` turns integers into `UnixTime` (the description says so).
pub fn table_type(word: &str, shape: &Shape, unix: bool) -> Result<Option<Ty>, String> {
    let fits = |ok: bool, ty: Ty| {
        if ok {
            Ok(Some(ty))
        } else {
            Err(format!(
                "the table says {word} but the example shows {}",
                shape_word(shape)
            ))
        }
    };
    match word {
        "integer" | "int" | "long" => {
            let ty = if unix {
                Ty::UnixTime
            } else if *shape == Shape::UInt {
                Ty::Int(Int::U64)
            } else {
                Ty::Int(Int::I64)
            };
            fits(
                matches!(shape, Shape::Int | Shape::UInt | Shape::Unknown),
                ty,
            )
        }
        "string" => fits(matches!(shape, Shape::Str | Shape::Unknown), Ty::String),
        "boolean" | "bool" => fits(matches!(shape, Shape::Bool | Shape::Unknown), Ty::Bool),
        "number" | "float" | "double" => fits(
            matches!(
                shape,
                Shape::Int | Shape::UInt | Shape::Float | Shape::Unknown
            ),
            Ty::F64,
        ),
        // The example's shape says more than the word.
        "array" => fits(matches!(shape, Shape::List(_) | Shape::Unknown), Ty::Json).map(|t| {
            t.filter(|_| *shape == Shape::Unknown)
                .map(|_| Ty::List(Box::new(Ty::Json)))
        }),
        "object" => fits(
            matches!(shape, Shape::Obj(_) | Shape::Map(_) | Shape::Unknown),
            Ty::Json,
        )
        .map(|t| t.filter(|_| *shape == Shape::Unknown)),
        // Either of two types: nothing narrower than raw JSON holds both.
        w if w.contains('/') || w.contains(" or ") => Ok(Some(Ty::Json)),
        _ => Err(format!(
            "type `{}` is not one the importer knows",
            super::parse::short(word)
        )),
    }
}

/// A word for a shape, in messages.
fn shape_word(shape: &Shape) -> &'static str {
    match shape {
        Shape::Unknown => "nothing",
        Shape::Bool => "a boolean",
        Shape::Int | Shape::UInt => "an integer",
        Shape::Float => "a fractional number",
        Shape::Str => "a string",
        Shape::List(_) => "a list",
        Shape::Map(_) | Shape::Obj(_) => "an object",
        Shape::Mixed => "values of several kinds",
    }
}
