//! The type vocabulary of the spec: integer widths and type expressions, parsed from the
//! spec's text (`FromStr`) and printed back to it (`Display`), and what a type is on a
//! command line (a scalar or JSON).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use super::{NamedType, TypeKind};

/// An integer width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Int {
    /// `i8`
    I8,
    /// `i16`
    I16,
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `u8`
    U8,
    /// `u16`
    U16,
    /// `u32`
    U32,
    /// `u64`
    U64,
}

impl Int {
    /// The spec and Rust spelling.
    pub fn name(self) -> &'static str {
        match self {
            Int::I8 => "i8",
            Int::I16 => "i16",
            Int::I32 => "i32",
            Int::I64 => "i64",
            Int::U8 => "u8",
            Int::U16 => "u16",
            Int::U32 => "u32",
            Int::U64 => "u64",
        }
    }

    /// Every width, for parsing.
    pub const ALL: [Int; 8] = [
        Int::I8,
        Int::I16,
        Int::I32,
        Int::I64,
        Int::U8,
        Int::U16,
        Int::U32,
        Int::U64,
    ];

    /// Whether `v` fits.
    pub fn fits(self, v: i128) -> bool {
        let (lo, hi): (i128, i128) = match self {
            Int::I8 => (i8::MIN.into(), i8::MAX.into()),
            Int::I16 => (i16::MIN.into(), i16::MAX.into()),
            Int::I32 => (i32::MIN.into(), i32::MAX.into()),
            Int::I64 => (i64::MIN.into(), i64::MAX.into()),
            Int::U8 => (0, u8::MAX.into()),
            Int::U16 => (0, u16::MAX.into()),
            Int::U32 => (0, u32::MAX.into()),
            Int::U64 => (0, u64::MAX.into()),
        };
        (lo..=hi).contains(&v)
    }
}

impl FromStr for Int {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Int::ALL.into_iter().find(|i| i.name() == s).ok_or(())
    }
}

impl fmt::Display for Int {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A type expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// An integer, decoded leniently (numbers sent as strings are accepted).
    Int(Int),
    /// A 64-bit float (JSON `number`), decoded leniently like the integers; always finite.
    F64,
    /// Text.
    String,
    /// A boolean.
    Bool,
    /// Seconds since the Unix epoch.
    UnixTime,
    /// Raw JSON, for shapes nobody has recorded.
    Json,
    /// A string that must never be shown (session ids, tokens).
    Secret,
    /// A list.
    List(Box<Ty>),
    /// An object keyed by strings.
    Map(Box<Ty>),
    /// A named type of the spec.
    Named(String),
}

impl Ty {
    /// The names of the built-in types, as the spec writes them (for did-you-mean hints).
    pub const BUILTINS: [&'static str; 15] = [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f64", "string", "bool", "UnixTime",
        "json", "list<T>", "map<T>",
    ];

    /// The type in spec syntax, with every named type written by `named` (the docs link
    /// them to their section).
    pub fn display_with<F>(&self, named: F) -> TyDisplay<'_, F>
    where
        F: Fn(&str, &mut fmt::Formatter<'_>) -> fmt::Result,
    {
        TyDisplay { ty: self, named }
    }

    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        named: &dyn Fn(&str, &mut fmt::Formatter<'_>) -> fmt::Result,
    ) -> fmt::Result {
        match self {
            Ty::Int(i) => f.write_str(i.name()),
            Ty::F64 => f.write_str("f64"),
            Ty::String => f.write_str("string"),
            Ty::Bool => f.write_str("bool"),
            Ty::UnixTime => f.write_str("UnixTime"),
            Ty::Json => f.write_str("json"),
            Ty::Secret => f.write_str("string (secret)"),
            Ty::List(t) | Ty::Map(t) => {
                f.write_str(if matches!(self, Ty::List(_)) {
                    "list<"
                } else {
                    "map<"
                })?;
                t.write(f, named)?;
                f.write_str(">")
            }
            Ty::Named(n) => named(n, f),
        }
    }

    /// Whether values of this type are single words on a command line and in a form:
    /// numbers (integers and floats), text, booleans, times and enums (lists, maps, structs and raw JSON are not).
    /// A name `types` lacks is not a scalar.
    pub fn is_scalar(&self, types: &BTreeMap<String, NamedType>) -> bool {
        match self {
            Ty::Int(_) | Ty::F64 | Ty::String | Ty::Bool | Ty::UnixTime => true,
            Ty::Named(n) => types
                .get(n)
                .is_some_and(|t| matches!(t.kind, TypeKind::Enum { .. })),
            _ => false,
        }
    }
}

/// Parses a type expression of the spec (`u64`, `f64`, `list<LogEntry>`, `map<string>`). Any other
/// word is a [`Ty::Named`]; whether the spec declares it is `validate`'s question.
impl FromStr for Ty {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        for (prefix, wrap) in [("list<", Ty::List as fn(Box<Ty>) -> Ty), ("map<", Ty::Map)] {
            if let Some(rest) = text.strip_prefix(prefix) {
                let inner = rest
                    .strip_suffix('>')
                    .ok_or_else(|| format!("`{text}` lacks its closing `>`"))?;
                return Ok(wrap(Box::new(inner.parse()?)));
            }
        }
        if let Ok(int) = text.parse() {
            return Ok(Ty::Int(int));
        }
        Ok(match text {
            "f64" => Ty::F64,
            "string" => Ty::String,
            "bool" => Ty::Bool,
            "UnixTime" => Ty::UnixTime,
            "json" => Ty::Json,
            _ => Ty::Named(text.to_owned()),
        })
    }
}

/// The type in spec syntax; a secret string reads `string (secret)`.
impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, &|n, f| f.write_str(n))
    }
}

/// A [`Ty`] printed with its named types written by a function; see [`Ty::display_with`].
pub struct TyDisplay<'a, F> {
    ty: &'a Ty,
    named: F,
}

impl<F> fmt::Display for TyDisplay<'_, F>
where
    F: Fn(&str, &mut fmt::Formatter<'_>) -> fmt::Result,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.ty.write(f, &self.named)
    }
}

#[cfg(test)]
mod tests {
    use super::{Int, Ty};

    #[test]
    fn type_expressions_parse_and_print_back() {
        for text in [
            "u64",
            "f64",
            "string",
            "bool",
            "UnixTime",
            "json",
            "list<map<Widget>>",
        ] {
            let ty: Ty = text.parse().unwrap();
            assert_eq!(ty.to_string(), text);
        }
        assert_eq!(
            " list< i8 > ".parse(),
            Ok(Ty::List(Box::new(Ty::Int(Int::I8))))
        );
        assert_eq!(
            "map<string".parse::<Ty>(),
            Err("`map<string` lacks its closing `>`".to_owned())
        );
        let linked = Ty::List(Box::new(Ty::Named("Widget".into())))
            .display_with(|n, f| write!(f, "[{n}]"))
            .to_string();
        assert_eq!(linked, "list<[Widget]>");
    }
}
