//! The validated spec: resolved Rust names, parsed types and examples. Emitters read only this.
//!
//! The type vocabulary is [`ty`]: [`Ty`] parses from the spec's type expressions (`FromStr`)
//! and prints back to them (`Display`), so `validate` and `emit_docs` speak one language.

pub mod ty;

use std::collections::{BTreeMap, BTreeSet};

pub use ty::{Int, Ty, TyDisplay};

/// The personas a spec's `mock_data` may name, oldest first: the DSM releases the mock can
/// act as (`MockConfig::dsm5()`, `dsm6()`, `dsm7()`).
pub const PERSONAS: [&str; 3] = ["dsm5", "dsm6", "dsm7"];

/// How a parameter goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamKind {
    /// A value the caller gives.
    Value {
        /// Its type.
        ty: Ty,
        /// How it is written.
        encoding: Encoding,
    },
    /// A fixed value the runtime always sends.
    Const(String),
}

/// How a parameter value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Numbers as digits, strings as they are, booleans as `true`/`false`.
    Plain,
    /// Booleans as `yes`/`no`.
    YesNo,
    /// The value as JSON text (strings quoted).
    Json,
}

/// The whole validated spec.
#[derive(Debug)]
pub struct Spec {
    /// Families, sorted by module name.
    pub families: Vec<Family>,
    /// Named types by name.
    pub types: BTreeMap<String, NamedType>,
    /// The common error table.
    pub common_errors: Vec<ErrorEntry>,
    /// Whether each public family's items sit behind its cargo feature (`true` from
    /// [`load`](crate::load)). Snapshot fixtures, compiled inside a crate that lacks their
    /// families' features, turn it off.
    pub feature_gates: bool,
}

impl Spec {
    /// Every API, in family then API order.
    pub fn apis(&self) -> impl Iterator<Item = &Api> {
        self.families.iter().flat_map(|f| f.apis.iter())
    }

    /// The cargo features that must be on whenever `family`'s items of one source are
    /// compiled: its hand-written items (`imported == false`, for the family's feature) or
    /// its imported ones (`true`, for `<family>-all`; for a family only imported files
    /// declare, both sets make its one feature). Each named type they use brings the
    /// feature that compiles it ([`Spec::type_feature`]), the family's own features aside.
    /// Sorted.
    pub fn family_needs(&self, family: &Family, imported: bool) -> BTreeSet<String> {
        let mut named = Vec::new();
        for name in &family.types {
            if let Some(t) = self.types.get(name)
                && (family.imported_only || t.imported == imported)
                && let TypeKind::Struct(fields) = &t.kind
            {
                named.extend(fields.iter().map(|f| &f.ty));
            }
        }
        for a in &family.apis {
            for m in &a.methods {
                if !family.imported_only && (a.imported || m.imported) != imported {
                    continue;
                }
                named.extend(m.response.iter());
                named.extend(m.params.iter().filter_map(|p| match &p.kind {
                    ParamKind::Value { ty, .. } => Some(ty),
                    ParamKind::Const(_) => None,
                }));
            }
        }
        let own: Vec<String> = family
            .feature()
            .into_iter()
            .chain(family.all_feature())
            .collect();
        let mut out = BTreeSet::new();
        while let Some(ty) = named.pop() {
            match ty {
                Ty::List(inner) | Ty::Map(inner) => named.push(inner),
                Ty::Named(name) => {
                    out.extend(self.type_feature(name).filter(|f| !own.contains(f)));
                }
                _ => {}
            }
        }
        out
    }

    /// The cargo feature that compiles the named type `name`: its home family's, or that
    /// family's `<family>-all` for an imported type in a family with hand-written APIs;
    /// `None` in a runtime-only family.
    pub fn type_feature(&self, name: &str) -> Option<String> {
        let t = self.types.get(name)?;
        let home = self.families.iter().find(|f| f.module == t.family_module)?;
        if t.imported && !home.imported_only {
            home.all_feature()
        } else {
            home.feature()
        }
    }

    /// Whether values of `ty` are single words on a command line: numbers, text, booleans,
    /// times and enums (lists, maps, structs and raw JSON are not).
    pub fn is_scalar(&self, ty: &Ty) -> bool {
        ty.is_scalar(&self.types)
    }

    /// Whether the JSON text of a `ty` value is its plain text too: numbers, times, booleans
    /// and integer-coded enums (text and string enums get quotes in JSON). A float's plain
    /// decimal (Rust's `{}`: no exponent, shortest round-trip) is a JSON number.
    pub fn json_reads_as_plain(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Int(_) | Ty::F64 | Ty::UnixTime | Ty::Bool => true,
            Ty::Named(n) => matches!(self.types[n].kind, TypeKind::Enum { integer: true, .. }),
            _ => false,
        }
    }

    /// Whether a value of `ty` can hold an `f64` (itself, an element, a field at any depth):
    /// its JSON encoding must then refuse NaN and infinities, which serde_json writes as
    /// `null`.
    pub fn holds_float(&self, ty: &Ty) -> bool {
        fn walk<'a>(spec: &'a Spec, ty: &'a Ty, seen: &mut Vec<&'a str>) -> bool {
            match ty {
                Ty::F64 => true,
                Ty::List(inner) | Ty::Map(inner) => walk(spec, inner, seen),
                Ty::Named(n) if !seen.contains(&n.as_str()) => {
                    seen.push(n);
                    match spec.types.get(n).map(|t| &t.kind) {
                        Some(TypeKind::Struct(fields)) => {
                            fields.iter().any(|f| walk(spec, &f.ty, seen))
                        }
                        _ => false,
                    }
                }
                _ => false,
            }
        }
        walk(self, ty, &mut Vec::new())
    }
}

impl Method {
    /// The method's versions for people: `version 2+`, `version 1 only`, `versions 1, 3 only`.
    pub fn versions_text(&self) -> String {
        match self.versions.as_deref() {
            None => format!("version {}+", self.min_version),
            Some([one]) => format!("version {one} only"),
            Some(set) => {
                let set: Vec<String> = set.iter().map(u32::to_string).collect();
                format!("versions {} only", set.join(", "))
            }
        }
    }
}

impl Family {
    /// The cargo feature that compiles this family (`cloud-sync`); `None` for a runtime-only
    /// family, which is always compiled.
    pub fn feature(&self) -> Option<String> {
        (!self.internal).then(|| crate::naming::feature(&self.module))
    }

    /// `<family>-all` (`cloud-sync-all`): the feature that adds the imported APIs, methods
    /// and types to a family that also has hand-written ones; `None` for a family with
    /// nothing imported, or only imported (whose one feature compiles everything).
    pub fn all_feature(&self) -> Option<String> {
        let has_imported = self
            .apis
            .iter()
            .any(|a| a.imported || a.methods.iter().any(|m| m.imported))
            || self.has_imported_types;
        if self.imported_only || !has_imported {
            return None;
        }
        self.feature().map(|f| crate::naming::all_feature(&f))
    }

    /// Whether the family's feature is in the client's `default` features: every public
    /// family with hand-written APIs is, a family only imported files declare is not.
    pub fn on_by_default(&self) -> bool {
        !self.internal && !self.imported_only
    }
}

/// `SYNO.<Family>.*`
#[derive(Debug)]
pub struct Family {
    /// `CloudSync`
    pub wire: String,
    /// `cloud_sync`: module and accessor name.
    pub module: String,
    /// `CloudSync`: the handle type.
    pub handle: String,
    /// Used by the runtime only: no accessor, no CLI, crate-private.
    pub internal: bool,
    /// APIs, the family-level one first, then by name.
    pub apis: Vec<Api>,
    /// Names of the types that live in this family's module, sorted.
    pub types: Vec<String>,
    /// Spec files that contributed, sorted (for the docs).
    pub sources: Vec<String>,
    /// Every API of the family is declared in an imported file: its feature is off by
    /// default.
    pub imported_only: bool,
    /// Some type that lives in this family's module is declared in an imported file.
    pub has_imported_types: bool,
}

/// One API.
#[derive(Debug)]
pub struct Api {
    /// `SYNO.CloudSync.Connection.Log`
    pub wire: String,
    /// `cloud_sync`
    pub family_module: String,
    /// `connection_log`; `None` for a family-level API (`SYNO.CloudSync`).
    pub accessor: Option<String>,
    /// Module holding the request builders.
    pub module: String,
    /// `ConnectionLogApi`, or the family handle for a family-level API.
    pub handle: String,
    /// Doc text.
    pub description: String,
    /// Default CGI path.
    pub path: String,
    /// Lowest version described.
    pub min_version: u32,
    /// Highest version described.
    pub max_version: u32,
    /// Own error table.
    pub errors: Vec<ErrorEntry>,
    /// Methods in spec order.
    pub methods: Vec<Method>,
    /// Runtime-only API.
    pub internal: bool,
    /// `request_format: json`: parameter values are JSON text unless a parameter says
    /// otherwise.
    pub json_request: bool,
    /// Declared in an imported file (its methods are all imported).
    pub imported: bool,
}

/// One method.
#[derive(Debug)]
pub struct Method {
    /// `GetSummary`
    pub wire: String,
    /// `get_summary`
    pub rust: String,
    /// `GetSummaryRequest` (hand-written methods only: imported ones have no builder).
    pub builder: String,
    /// `GET_SUMMARY`: the static holding the method's metadata.
    pub meta_static: String,
    /// Declared in an imported file: the light form (a function returning `Call<T>`, no
    /// builder, no command-line subcommand, no example test).
    pub imported: bool,
    /// `rust` is the spec's `rust_name` (an imported method's pinned name), not derived.
    pub pinned: bool,
    /// `true` for POST.
    pub post: bool,
    /// Doc text.
    pub description: String,
    /// Lowest version with this method (at least the API's).
    pub min_version: u32,
    /// Every version with this method, sorted, when that is not every version from
    /// `min_version` to the API's highest (a set that is one such range is `None`).
    pub versions: Option<Vec<u32>>,
    /// Needs `_sid`.
    pub session: bool,
    /// Parameters in spec order.
    pub params: Vec<Param>,
    /// Type of `data`; `None` when the method returns none (an imported method without a
    /// `response` has `Some(Ty::Json)`: raw JSON).
    pub response: Option<Ty>,
    /// Paging.
    pub pagination: Option<PaginationIr>,
    /// Notes from the documentation.
    pub notes: Vec<String>,
    /// The documented envelope, compact JSON.
    pub example: Option<String>,
    /// What the mock answers as `data` for a persona instead of the example: (persona,
    /// compact JSON), in [`PERSONAS`] order, each persona at most once.
    pub mock_data: Vec<(String, String)>,
}

/// One parameter.
#[derive(Debug)]
pub struct Param {
    /// Wire name.
    pub wire: String,
    /// Rust name (escaped).
    pub rust: String,
    /// Value or constant.
    pub kind: ParamKind,
    /// Positional argument.
    pub required: bool,
    /// DSM's default (documentation).
    pub default: Option<String>,
    /// Lowest version accepting it (at least the method's).
    pub min_version: u32,
    /// Masked in logs.
    pub secret: bool,
    /// A value to show in examples, as text (`john.doe`, `1`).
    pub example: Option<String>,
    /// Doc text.
    pub description: String,
}

/// Paging, resolved.
#[derive(Debug)]
pub struct PaginationIr {
    /// Offset parameter wire name.
    pub offset: String,
    /// Limit parameter wire name.
    pub limit: String,
    /// Items field (wire name) of the response type.
    pub items_field: String,
    /// Rust name of the items field.
    pub items_rust: String,
    /// Element type.
    pub item: Ty,
    /// Total field, Rust name and wire name.
    pub total: Option<(String, String)>,
}

/// A named type.
#[derive(Debug)]
pub struct NamedType {
    /// Rust and spec name.
    pub name: String,
    /// Module of the family it lives in.
    pub family_module: String,
    /// Doc text.
    pub description: String,
    /// Struct or enum.
    pub kind: TypeKind,
    /// Reached from some parameter's type: callers build values of it, so a struct stays
    /// constructible (not `#[non_exhaustive]`).
    pub in_params: bool,
    /// Declared in an imported file.
    pub imported: bool,
}

/// Struct or enum.
#[derive(Debug)]
pub enum TypeKind {
    /// A struct.
    Struct(Vec<Field>),
    /// An open enum.
    Enum {
        /// Integer-coded (else string-coded).
        integer: bool,
        /// Known values.
        values: Vec<EnumVariant>,
    },
}

/// A struct field.
#[derive(Debug)]
pub struct Field {
    /// Wire name.
    pub wire: String,
    /// Rust name (escaped).
    pub rust: String,
    /// Type.
    pub ty: Ty,
    /// May be absent.
    pub optional: bool,
    /// Doc text.
    pub description: String,
}

/// A known enum value.
#[derive(Debug)]
pub struct EnumVariant {
    /// Wire value as text (`gdrive`, `2`).
    pub wire: String,
    /// Integer value for integer-coded enums.
    pub int: Option<i64>,
    /// Variant name.
    pub rust: String,
    /// Doc text.
    pub description: String,
}

/// An error-code table entry.
#[derive(Debug, Clone)]
pub struct ErrorEntry {
    /// DSM code.
    pub code: i64,
    /// `ErrorKind` variant.
    pub name: String,
    /// Meaning.
    pub description: String,
}
