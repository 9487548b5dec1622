//! The spec as written: serde structs that mirror `api-spec/*.yaml`, and the only module that
//! knows the files are YAML.
//!
//! Everything here is raw (names unchecked, types as text). `validate` turns it into the IR.
//! The same types, through their `JsonSchema` derives, give `api-spec/spec.schema.json`
//! ([`crate::schema`]); the doc comments here are its descriptions.

use std::fmt;
use std::marker::PhantomData;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};

use crate::error::{Location, SpecError};
use crate::schema;

/// A value with the place in a spec file it came from.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// 1-based line and column in the file.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Spanned {
            value: s.value,
            line: s.referenced.line(),
            column: s.referenced.column(),
        })
    }
}

/// An ordered YAML mapping whose keys keep their locations (the order of parameters is the
/// order of positional arguments, so it matters).
#[derive(Debug, Clone)]
pub struct Entries<V>(pub Vec<(Spanned<String>, V)>);

impl<V> Default for Entries<V> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = Entries<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    out.push((key, map.next_value()?));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(EntriesVisitor(PhantomData))
    }
}

/// One spec file.
#[derive(Debug, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Synology DSM API spec file")]
pub struct SpecFile {
    /// Written by `cargo xtask import dsm-lib`, not by hand: every method in the file gets
    /// the light form (one function returning `Call<T>`, no builder), and an API declared
    /// in a hand-written file may appear with only `methods`, which join it.
    #[serde(default)]
    pub imported: bool,
    /// Where the facts in this file come from (a document title), for the reference docs.
    #[serde(default)]
    pub source: Option<String>,
    /// Error codes valid for every API (DSM's common codes). At most one file may have them.
    #[serde(default)]
    pub errors: Vec<Spanned<ErrorCode>>,
    /// Named types.
    #[serde(default)]
    #[schemars(extend("propertyNames" = {
        "pattern": schema::TYPE_NAME, "patternErrorMessage": schema::TYPE_NAME_MESSAGE,
    }))]
    pub types: Entries<TypeDef>,
    /// APIs, keyed by their DSM name (`SYNO.CloudSync.Connection`).
    #[serde(default)]
    #[schemars(extend("propertyNames" = {
        "pattern": schema::API_NAME, "patternErrorMessage": schema::API_NAME_MESSAGE,
    }))]
    pub apis: Entries<ApiDef>,
    /// What the mock DSM answers per persona instead of a method's example: keyed by API,
    /// then method, then persona (`dsm5`, `dsm6`, `dsm7`), each the `data` value as JSON
    /// text. Declared in any file (`api-spec/mock_data.yaml` by convention) for methods of
    /// any file.
    #[serde(default)]
    #[schemars(with = "schema::MockData")]
    pub mock_data: Entries<Entries<Entries<Spanned<String>>>>,
}

/// One entry of an error-code table.
#[derive(Debug, Deserialize, Clone, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    /// The DSM code.
    pub code: i64,
    /// The `ErrorKind` variant it maps to (several codes may share one).
    #[schemars(extend(
        "pattern" = schema::TYPE_NAME,
        "patternErrorMessage" = schema::TYPE_NAME_MESSAGE,
    ))]
    pub name: Spanned<String>,
    /// What DSM's documentation says it means.
    pub description: String,
}

/// A named type: a struct (`fields`) or an open enum (`enum` + `values`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("dependencies" = { "enum": ["values"], "values": ["enum"] }))]
pub struct TypeDef {
    /// Doc comment.
    pub description: String,
    /// Struct fields, keyed by wire name.
    #[serde(default)]
    pub fields: Option<Entries<FieldDef>>,
    /// `string` or `integer`: how an enum is coded on the wire.
    #[serde(default, rename = "enum")]
    #[schemars(with = "Option<schema::EnumKind>")]
    pub enum_kind: Option<Spanned<String>>,
    /// Enum values.
    #[serde(default)]
    pub values: Option<Vec<Spanned<EnumValue>>>,
}

/// A struct field.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Type expression (`u64`, `list<LogEntry>`, ...).
    #[serde(rename = "type")]
    #[schemars(extend("examples" = schema::TYPE_EXAMPLES))]
    pub ty: Spanned<String>,
    /// Doc comment.
    pub description: String,
    /// The field may be absent (`Option<T>`).
    #[serde(default)]
    pub optional: bool,
    /// Holds a secret (session id, token): uses the redacting `Secret` type.
    #[serde(default)]
    pub secret: bool,
}

/// One value of an open enum.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// Wire value: a string or an integer, as the enum is coded.
    #[schemars(schema_with = "schema::enum_value")]
    pub value: serde_json::Value,
    /// Rust variant name; derived from a string value when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// Doc comment.
    pub description: String,
}

/// An API (`SYNO.X.Y`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiDef {
    /// Doc comment. Required, except in an imported block that only adds methods to an API
    /// declared by hand (as are `path` and `versions`).
    #[serde(default)]
    pub description: Option<String>,
    /// CGI path under `/webapi/` used until discovery says otherwise.
    #[serde(default)]
    #[schemars(extend(
        "pattern" = schema::CGI_PATH,
        "patternErrorMessage" = schema::CGI_PATH_MESSAGE,
        "maxLength" = 256,
    ))]
    pub path: Option<String>,
    /// Versions this spec describes.
    #[serde(default)]
    pub versions: Option<Spanned<Versions>>,
    /// Error codes of this API; they win over the common table.
    #[serde(default)]
    pub errors: Vec<Spanned<ErrorCode>>,
    /// Used only by the runtime (SYNO.API.*): no public accessor, no CLI command.
    #[serde(default)]
    pub internal: bool,
    /// How parameter values are written unless a parameter says otherwise: `form` (plain
    /// text, the default) or `json` (JSON text, as DSM's web UI sends them to APIs whose
    /// API.Info entry says `requestFormat: JSON`).
    #[serde(default)]
    #[schemars(with = "Option<schema::RequestFormat>")]
    pub request_format: Option<Spanned<String>>,
    /// Methods, keyed by wire name.
    pub methods: Entries<MethodDef>,
}

/// A version range.
#[derive(Debug, Deserialize, Clone, Copy, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Versions {
    /// Lowest version described.
    #[schemars(range(min = 1))]
    pub min: u32,
    /// Highest version described.
    pub max: u32,
}

/// A method.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("not" = { "required": ["min_version", "versions"] }))]
pub struct MethodDef {
    /// `GET` or `POST`; required by hand, `POST` when an imported method leaves it out.
    #[serde(default)]
    #[schemars(with = "Option<schema::Http>")]
    pub http: Option<Spanned<String>>,
    /// Doc comment.
    pub description: String,
    /// The Rust function of an imported method, when the importer pinned it (names that
    /// differ only in case: `GetInfo` → `get_info`, `getInfo` → `get_info_2`); absent, the
    /// naming rule gives it. Not allowed on a method declared by hand.
    #[serde(default)]
    #[schemars(extend(
        "pattern" = schema::FN_NAME,
        "patternErrorMessage" = schema::FN_NAME_MESSAGE,
        "not" = { "enum": schema::RESERVED_FN_NAMES },
    ))]
    pub rust_name: Option<Spanned<String>>,
    /// The lowest API version that has this method.
    #[serde(default)]
    pub min_version: Option<Spanned<u32>>,
    /// Every API version that has this method, when that is not every version from
    /// `min_version` up (`[1, 3]`: absent from 2 and from 4 on); instead of `min_version`.
    #[serde(default)]
    #[schemars(extend("minItems" = 1, "uniqueItems" = true))]
    pub versions: Option<Spanned<Vec<Spanned<u32>>>>,
    /// Whether the call needs a session (`_sid`); true unless said otherwise.
    #[serde(default = "yes")]
    pub session: bool,
    /// Parameters, keyed by wire name, in positional order.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "not": { "enum": schema::RUNTIME_PARAMS } }))]
    pub params: Entries<ParamDef>,
    /// Type of `data`, or absent when the method returns none.
    #[serde(default)]
    pub response: Option<Spanned<String>>,
    /// Pagination, for methods that page through a list.
    #[serde(default)]
    pub pagination: Option<Spanned<Pagination>>,
    /// Notes from the documentation.
    #[serde(default)]
    pub notes: Vec<String>,
    /// The documented response, the whole envelope as JSON text.
    #[serde(default)]
    pub example: Option<Spanned<String>>,
}

fn yes() -> bool {
    true
}

/// A parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParamDef {
    /// Type expression; absent for constant parameters.
    #[serde(default, rename = "type")]
    #[schemars(extend("examples" = schema::TYPE_EXAMPLES))]
    pub ty: Option<Spanned<String>>,
    /// Doc comment.
    pub description: String,
    /// Required parameters are positional arguments; the rest are setters.
    #[serde(default)]
    pub required: bool,
    /// DSM's default when the parameter is not sent (documentation only).
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    /// A value always sent and never exposed (`format: sid`).
    #[serde(default, rename = "const")]
    pub constant: Option<String>,
    /// How a value is written on the wire: `yes_no` or `true_false` for booleans, `json` for
    /// JSON-encoded values.
    #[serde(default)]
    #[schemars(with = "Option<schema::Encoding>")]
    pub encoding: Option<Spanned<String>>,
    /// The lowest API version that accepts this parameter.
    #[serde(default)]
    pub min_version: Option<Spanned<u32>>,
    /// Masked in logs and Debug output.
    #[serde(default)]
    pub secret: bool,
    /// A value to show in examples (docs, the demo); checked against the type.
    #[serde(default)]
    pub example: Option<Spanned<serde_json::Value>>,
}

/// Which parameters and response fields implement paging.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// The offset parameter.
    pub offset: String,
    /// The page-size parameter.
    pub limit: String,
    /// The response field holding the page's items (a list).
    pub items: String,
    /// The response field holding the total count, when DSM sends one.
    #[serde(default)]
    pub total: Option<String>,
}

/// Parses one spec file, reporting YAML and shape errors with their location.
pub fn parse(file: &str, text: &str) -> Result<SpecFile, SpecError> {
    let options = serde_saphyr::options! { with_snippet: false };
    serde_saphyr::from_str_with_options::<SpecFile>(text, options).map_err(|e| {
        let location = e.location().map(|l| Location {
            file: file.to_owned(),
            line: l.line(),
            column: l.column(),
        });
        let message = e.without_snippet().to_string();
        // The parser appends the location in prose; ours goes in front instead.
        let message = match message.rfind(" at line ") {
            Some(at) if location.is_some() => message[..at].to_owned(),
            _ => message,
        };
        SpecError::new(location, String::new(), with_did_you_mean(&message))
    })
}

/// Adds a did-you-mean to serde's "unknown field `x`, expected one of a, b" messages.
fn with_did_you_mean(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_owned();
    };
    let Some((name, rest)) = rest.split_once('`') else {
        return message.to_owned();
    };
    if name.contains(' ') {
        return format!(
            "{message}; a comma inside `{{ }}` ends the value: quote text that has commas"
        );
    }
    let expected = rest
        .trim_start_matches(", expected one of ")
        .trim_start_matches(", expected ");
    let candidates = expected
        .split(", ")
        .map(|c| c.trim_matches('`').trim_start_matches("or "));
    match crate::error::closest(name, candidates) {
        Some(best) => format!("{message}; did you mean `{best}`?"),
        None => message.to_owned(),
    }
}
