//! Response types from the recorded JSON Schemas (one sample each, so every rule is lenient):
//! every struct field optional; `integer` → `i64`, `number` → `f64`, `string`, `boolean` →
//! `bool`; `null`, unions of several types, `anyOf` and anything unknown → `json`; an array
//! with `items` → `list<item>`, one recorded empty or without `items` → `json`; an object with
//! `additionalProperties` → `map<value>`; an object with no properties → `json`; an object
//! with more than [`MAX_FIELDS`] keys, or a key that is not an identifier, or two keys that
//! become one Rust field → `map<json>`; any other object → a named struct.

use std::collections::BTreeMap;

use serde_json::Value;

use super::names::{TypeNames, camel, is_secret, singular};

/// Objects with more keys than this are maps, not structs (a struct of hundreds of optional
/// fields is a map recorded once).
pub const MAX_FIELDS: usize = 64;

/// The spec's type expressions, as codegen reads and prints them.
pub use codegen::ir::{Int, Ty};

/// A named struct: every field optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Struct {
    /// The type name.
    pub name: String,
    /// Its doc comment.
    pub description: String,
    /// Fields by wire name, sorted.
    pub fields: Vec<Field>,
}

/// A struct field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The wire name (the JSON key).
    pub wire: String,
    /// Its type.
    pub ty: Ty,
    /// A string field with a secret's name.
    pub secret: bool,
}

/// Infers the types of one method's answers; the structs it names pile up in `structs`.
pub struct Inference<'a> {
    names: &'a mut TypeNames,
    /// `SYNO.X.Y method`, for the types' descriptions.
    origin: String,
    /// Every struct named so far.
    pub structs: Vec<Struct>,
}

/// Whether `key` is identifier-like (`^[A-Za-z_][A-Za-z0-9_]*$`).
fn ident_like(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The schema's `type` as one name: a single type, or a union with `null` left out that
/// leaves one; `None` for anything else.
fn single_type(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(s) => Some(s),
        Value::Array(types) => {
            let mut rest = types.iter().filter(|t| t.as_str() != Some("null"));
            match (rest.next(), rest.next()) {
                (Some(Value::String(s)), None) => Some(s),
                _ => None,
            }
        }
        _ => None,
    }
}

impl<'a> Inference<'a> {
    /// Types for the answers of `origin` (`SYNO.Core.System info`), naming structs from
    /// `names`.
    pub fn new(names: &'a mut TypeNames, origin: String) -> Self {
        Inference {
            names,
            origin,
            structs: Vec::new(),
        }
    }

    /// The response type of a whole `data` schema: only an object gives one (`None`: raw
    /// JSON, as a method without `response` returns).
    pub fn root(&mut self, schema: &Value, base: &str) -> Option<Ty> {
        if single_type(schema) != Some("object") {
            return None;
        }
        match self.infer(schema, base, "data") {
            Ty::Json => None,
            ty => Some(ty),
        }
    }

    /// The type of `schema`; `base` is the name a struct here (or a list's item) gets, `at`
    /// its JSON path.
    pub fn infer(&mut self, schema: &Value, base: &str, at: &str) -> Ty {
        if schema.get("anyOf").is_some() || schema.get("oneOf").is_some() {
            return Ty::Json;
        }
        match single_type(schema) {
            Some("integer") => Ty::Int(Int::I64),
            Some("number") => Ty::F64,
            Some("string") => Ty::String,
            Some("boolean") => Ty::Bool,
            Some("array") => match schema.get("items") {
                // The caller names a list by its item (`volumes` → `...Volume`).
                Some(items @ Value::Object(o)) if !o.is_empty() => {
                    Ty::List(Box::new(self.infer(items, base, &format!("{at}[]"))))
                }
                _ => Ty::Json,
            },
            Some("object") => self.object(schema, base, at),
            _ => Ty::Json,
        }
    }

    fn object(&mut self, schema: &Value, base: &str, at: &str) -> Ty {
        let empty = serde_json::Map::new();
        let props = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        if props.is_empty() {
            return match schema.get("additionalProperties") {
                Some(v @ Value::Object(_)) => {
                    let value_base = format!("{base}Value");
                    Ty::Map(Box::new(self.infer(v, &value_base, &format!("{at}.*"))))
                }
                _ => Ty::Json,
            };
        }
        if props.len() > MAX_FIELDS || !props.keys().all(|k| ident_like(k)) {
            return Ty::Map(Box::new(Ty::Json));
        }
        let mut rust: BTreeMap<String, &str> = BTreeMap::new();
        for key in props.keys() {
            let r = codegen::naming::rust_ident(key);
            if !codegen::naming::is_ident(&r) || rust.insert(r, key).is_some() {
                return Ty::Map(Box::new(Ty::Json));
            }
        }
        let name = self
            .names
            .claim(&super::pins::type_key_of(&self.origin, at), base);
        let mut keys: Vec<&String> = props.keys().collect();
        keys.sort();
        let mut fields = Vec::with_capacity(keys.len());
        for key in keys {
            let sub = &props[key.as_str()];
            let field_base = match single_type(sub) {
                Some("array") => format!("{name}{}", singular(key)),
                _ => format!("{name}{}", camel(key)),
            };
            let ty = self.infer(sub, &field_base, &format!("{at}.{key}"));
            fields.push(Field {
                secret: ty == Ty::String && is_secret(key),
                wire: key.clone(),
                ty,
            });
        }
        self.structs.push(Struct {
            description: format!(
                "Imported from a recorded answer of {} (`{at}`).",
                self.origin
            ),
            name: name.clone(),
            fields,
        });
        Ty::Named(name)
    }
}
