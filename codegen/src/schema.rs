//! The JSON Schema of the spec format, generated from the types in [`crate::spec`]: their
//! doc comments are its descriptions, `deny_unknown_fields` its `additionalProperties:
//! false`. Checked in as [`PATH`] (written by `cargo xtask codegen`, compared by `--check`)
//! and named by every spec file's [`modeline`], so editors with yaml-language-server
//! complete and check spec files as they are typed.
//!
//! Draft-07, which editors' YAML support covers fully. What a schema can say is added here by
//! hand: the wrappers' schemas (a [`Spanned<T>`] is a `T`, [`Entries<V>`] an object of `V`s),
//! the closed vocabularies as `enum` lists ([`Http`], [`Encoding`], [`RequestFormat`],
//! [`EnumKind`], the mock's personas), the name and path patterns, and the rules that differ
//! between hand-written and imported files. What needs the whole spec (names that resolve,
//! examples that decode, collisions between files) stays with `codegen`; api-spec/README.md
//! lists those checks.

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};

use crate::ir::{PERSONAS, Ty};
use crate::naming;
use crate::spec::{Entries, Spanned, SpecFile};

/// Where the schema is checked in, relative to the workspace root.
pub const PATH: &str = "api-spec/spec.schema.json";

/// The schema's `$comment`: where it comes from.
pub const COMMENT: &str =
    "Generated from codegen/src/spec.rs by `cargo xtask codegen`; do not edit by hand.";

/// The schema's file name; spec files name it relative to themselves ([`modeline`]).
pub const FILE_NAME: &str = "spec.schema.json";

/// What a type name (and an error's variant name) looks like: UpperCamelCase, letters and
/// digits (`naming::is_type_name`, less its keyword check).
pub const TYPE_NAME: &str = "^[A-Z][A-Za-z0-9]*$";

/// What editors say when a type name does not match [`TYPE_NAME`].
pub const TYPE_NAME_MESSAGE: &str = "a type or variant name is UpperCamelCase, letters and digits";

/// What an API name looks like: `SYNO.<Family>[.<Name>...]`, each part a Rust identifier.
pub const API_NAME: &str = r"^SYNO(\.[A-Za-z_][A-Za-z0-9_]*)+$";

/// What editors say when an API name does not match [`API_NAME`].
pub const API_NAME_MESSAGE: &str =
    "an api name is SYNO.<Family>[.<Name>...], each part letters, digits and `_`";

/// What a CGI path under `/webapi/` looks like (`naming::is_cgi_path`): `/`-separated plain
/// segments of letters, digits, `_`, `-` and `.`, none of them `.` or `..`, ending in `.cgi`.
pub const CGI_PATH: &str = r"^((\.*[A-Za-z0-9_-][A-Za-z0-9_.-]*|\.{3,})/)*[A-Za-z0-9_.-]*\.cgi$";

/// What a pinned function name (`rust_name`) looks like: snake_case.
pub const FN_NAME: &str = "^[a-z_][a-z0-9_]*$";

/// What editors say when a pinned function name does not match [`FN_NAME`].
pub const FN_NAME_MESSAGE: &str = "a function name is snake_case: lower-case letters, digits, `_`";

/// What editors offer for a type expression: the built-in types ([`Ty::BUILTINS`]).
pub const TYPE_EXAMPLES: [&str; Ty::BUILTINS.len()] = Ty::BUILTINS;

/// Parameter names the runtime owns ([`naming::RUNTIME_PARAMS`]).
pub const RUNTIME_PARAMS: [&str; naming::RUNTIME_PARAMS.len()] = naming::RUNTIME_PARAMS;

/// Function names a pinned `rust_name` may not take ([`naming::RESERVED_HANDLE_METHODS`]).
pub const RESERVED_FN_NAMES: [&str; naming::RESERVED_HANDLE_METHODS.len()] =
    naming::RESERVED_HANDLE_METHODS;

/// What editors say when a path does not match [`CGI_PATH`].
pub const CGI_PATH_MESSAGE: &str =
    "a CGI path under /webapi/ like `entry.cgi` or `AudioStation/album.cgi`";

/// The comment line, among the first three of a spec file, that tells yaml-language-server
/// which schema the file follows; `depth` is how many directories below `api-spec/` the file
/// is (`dsm/core.yaml`: 1).
pub fn modeline(depth: usize) -> String {
    format!("{MODELINE_PREFIX}{}{FILE_NAME}", "../".repeat(depth))
}

/// The start of the [`modeline`], before the schema's path.
pub const MODELINE_PREFIX: &str = "# yaml-language-server: $schema=";

/// The schema as checked in: pretty JSON, keys sorted at every level, no `"default": null`,
/// a trailing newline. Same code, same bytes.
pub fn json() -> String {
    let mut value = schema().to_value();
    tidy(&mut value);
    let mut text = serde_json::to_string_pretty(&value).expect("a JSON value prints");
    text.push('\n');
    text
}

/// The schema of a spec file ([`SpecFile`]), with the rules that depend on `imported`.
pub fn schema() -> Schema {
    let mut schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<SpecFile>();
    schema.insert("$comment".into(), json!(COMMENT));
    let rules = imported_or_by_hand();
    for (key, value) in rules.as_object().expect("an object") {
        schema.insert(key.clone(), value.clone());
    }
    schema
}

/// What differs between a file that `cargo xtask import dsm-lib` writes (`imported: true`)
/// and one written by hand, as draft-07 `if`/`then`/`else` on the whole file.
fn imported_or_by_hand() -> Value {
    let each = |schema: Value| json!({ "additionalProperties": schema });
    let imported_param = json!({
        "required": ["type"],
        "properties": { "required": { "const": false } },
        "not": { "anyOf": [
            { "required": ["const"] },
            { "required": ["encoding"] },
            { "required": ["min_version"] },
        ] },
    });
    let imported_method = json!({
        "not": { "required": ["pagination"] },
        "properties": { "params": each(imported_param) },
    });
    let imported_api = json!({
        "properties": {
            "internal": { "const": false },
            "methods": each(imported_method),
        },
    });
    let imported_type = json!({
        "not": { "required": ["enum"] },
        "properties": { "fields": each(json!({
            "required": ["optional"],
            "properties": { "optional": { "const": true } },
        })) },
    });
    // A setter named like the builder's own methods, or `help` (the command line's flag).
    let mut taken: Vec<&str> = naming::BUILDER_METHODS.to_vec();
    taken.push(naming::CLI_HELP);
    let hand_method = json!({
        "required": ["http"],
        "not": { "required": ["rust_name"] },
        "properties": { "params": { "propertyNames": { "not": { "enum": taken } } } },
    });
    let hand_api = json!({
        "required": ["description", "path", "versions"],
        "properties": { "methods": each(hand_method) },
    });
    json!({
        "if": {
            "required": ["imported"],
            "properties": { "imported": { "const": true } },
        },
        "then": {
            "description": "An imported file: every parameter and field optional, no enums, \
                no `internal`, `const`, `encoding`, `min_version` or `pagination`.",
            "properties": {
                "types": each(imported_type),
                "apis": each(imported_api),
            },
        },
        "else": {
            "description": "A hand-written file: every api declared in full (`description`, \
                `path`, `versions`), every method with its `http`, no `rust_name`, no \
                parameter named like a request builder's method or `help`.",
            "properties": { "apis": each(hand_api) },
        },
    })
}

/// Sorts every object's keys, whatever order serde_json keeps them in, and drops every
/// `"default": null` (an absent optional key is absent, not null; editors would fill in
/// the `null` when they complete the key).
fn tidy(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("default").is_some_and(Value::is_null) {
                map.remove("default");
            }
            map.sort_keys();
            map.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// A spanned value is written as the value itself.
impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// A mapping: any keys, each value a `V`.
impl<V: JsonSchema> JsonSchema for Entries<V> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("Entries_of_{}", V::schema_name()).into()
    }

    fn schema_id() -> Cow<'static, str> {
        format!("codegen::spec::Entries<{}>", V::schema_id()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "additionalProperties": generator.subschema_for::<V>(),
        })
    }
}

/// Declares a closed vocabulary: a type used only for its schema, a string `enum`.
macro_rules! closed_vocabulary {
    ($(#[doc = $doc:literal])+ $name:ident: [$($value:literal),+ $(,)?]) => {
        $(#[doc = $doc])+
        pub struct $name;

        impl $name {
            /// Every value, as `codegen` accepts them.
            pub const VALUES: &[&str] = &[$($value),+];
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                let description = [$($doc),+].map(str::trim).join(" ");
                json_schema!({
                    "description": description,
                    "type": "string",
                    "enum": Self::VALUES,
                })
            }
        }
    };
}

closed_vocabulary! {
    /// The HTTP verb of a method.
    Http: ["GET", "POST"]
}

closed_vocabulary! {
    /// How a parameter's value is written: `plain` (the default of a `form` api), `json`
    /// (JSON text), `yes_no` (a `bool` as `yes`/`no`), `true_false` (a `bool` as
    /// `true`/`false`, which is also what `plain` writes).
    Encoding: ["plain", "json", "yes_no", "true_false"]
}

closed_vocabulary! {
    /// How an api's parameter values are written unless a parameter says otherwise.
    RequestFormat: ["form", "json"]
}

closed_vocabulary! {
    /// How an enum is coded on the wire.
    EnumKind: ["string", "integer"]
}

/// The schema of an enum's wire value: a string or an integer.
pub fn enum_value(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": ["string", "integer"] })
}

/// The schema of `mock_data`: API name, then method name, then persona ([`Personas`]).
pub struct MockData;

impl JsonSchema for MockData {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("MockData")
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "propertyNames": { "pattern": API_NAME, "patternErrorMessage": API_NAME_MESSAGE },
            "additionalProperties": {
                "type": "object",
                "additionalProperties": generator.subschema_for::<Personas>(),
            },
        })
    }
}

/// The schema of one method's mock data: one entry per persona the mock acts as
/// ([`PERSONAS`]), each the `data` value as JSON text.
pub struct Personas;

impl JsonSchema for Personas {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Personas")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let properties: serde_json::Map<String, Value> = PERSONAS
            .iter()
            .map(|p| {
                let description = format!("The `data` the mock answers as {p}, as JSON text.");
                let schema = json!({ "type": "string", "description": description });
                (p.to_string(), schema)
            })
            .collect();
        json_schema!({
            "description": "What the mock answers per persona (DSM release) it acts as.",
            "type": "object",
            "properties": properties,
            "additionalProperties": false,
        })
    }
}
