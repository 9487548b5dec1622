//! The rules: every kind of spec change the diff knows, with its semver level and why. The
//! table "What a spec change means for semver" in `api-spec/README.md` is this list, row for
//! row (a test in `codegen/tests/diff_rules.rs` keeps them equal).

use super::Level;

macro_rules! rules {
    ($($(#[$doc:meta])* $name:ident, $test:literal, $level:ident, $change:literal, $why:literal;)*) => {
        /// A kind of spec change, with its semver level (see [`Rule::level`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $($(#[$doc])* $name,)*
        }

        impl Rule {
            /// Every rule, in the README table's order.
            pub const ALL: &'static [Rule] = &[$(Rule::$name),*];

            /// The name of the test that shows it (`codegen/tests/diff_rules.rs`).
            pub fn test(self) -> &'static str {
                match self { $(Rule::$name => $test,)* }
            }

            /// How much a release with this change must bump the version.
            pub fn level(self) -> Level {
                match self { $(Rule::$name => Level::$level,)* }
            }

            /// The change, in a few words (the README table's first column).
            pub fn change(self) -> &'static str {
                match self { $(Rule::$name => $change,)* }
            }

            /// Why it has its level, in one line.
            pub fn why(self) -> &'static str {
                match self { $(Rule::$name => $why,)* }
            }
        }
    };
}

rules! {
    /// A new public family.
    FamilyAdded, "family_added", Minor, "a new API family",
        "a new module, `Client` accessor and cargo feature; nothing that compiled stops compiling";
    /// A public family removed, or made runtime-only.
    FamilyRemoved, "family_removed", Major, "a family removed (or made `internal`)",
        "its `Client` accessor, module, types and cargo feature go away";
    /// A cargo feature appears.
    FeatureAdded, "feature_added", Minor, "a new cargo feature (`<family>-all` once a family has imported items)",
        "adding a feature is minor (Cargo book, SemVer: cargo-feature-add)";
    /// A cargo feature disappears.
    FeatureRemoved, "feature_removed", Major, "a cargo feature removed (`<family>-all` once nothing in the family is imported)",
        "manifests that name it stop resolving (Cargo book, SemVer: cargo-feature-remove)";
    /// A feature turns on one more feature.
    FeatureNowEnables, "feature_now_enables", Minor, "a feature turns on another (a family now uses another's types)",
        "more code is compiled under the same features, nothing less";
    /// A feature no longer turns on another, `default` included.
    FeatureNoLongerEnables, "feature_no_longer_enables", Major, "a feature no longer turns on another (`default` included)",
        "code that relied on the other family coming along stops compiling (Cargo book, SemVer: cargo-feature-remove-another)";
    /// An item moves from `<family>-all` to `<family>`.
    GateLoosened, "gate_loosened", Minor, "an API, method or type moves from `<family>-all` to `<family>` (imported to hand-written)",
        "it becomes available under fewer features; where it compiled before it still does";
    /// An item moves from `<family>` to `<family>-all`.
    GateTightened, "gate_tightened", Major, "an API, method or type moves from `<family>` to `<family>-all` (hand-written to imported)",
        "builds with only `<family>` lose it";
    /// A new API.
    ApiAdded, "api_added", Minor, "a new API",
        "a new accessor, handle type and module; nothing existing changes";
    /// An API removed.
    ApiRemoved, "api_removed", Major, "an API removed",
        "its accessor, handle type and every method go away";
    /// An API offers more versions.
    ApiVersionsWidened, "api_versions_widened", Minor, "an API's `versions` widened",
        "calls reach NASes they refused before sending, or go at a newer version the spec now describes";
    /// An API offers fewer versions.
    ApiVersionsNarrowed, "api_versions_narrowed", Major, "an API's `versions` narrowed",
        "calls that went out to some NASes now fail with `Error::Unsupported` before sending: working programs break at run time";
    /// The default CGI path changed.
    PathChanged, "path_changed", Patch, "an API's `path`",
        "wire only, and only the default (discovery's path wins); no Rust item changes";
    /// The API's request format changed.
    RequestFormatChanged, "request_format_changed", Patch, "an API's `request_format`",
        "wire only: values are written differently, their Rust types stay";
    /// A new error name.
    ErrorKindAdded, "error_kind_added", Minor, "a new error name (an `ErrorKind` variant)",
        "`ErrorKind` is `#[non_exhaustive]`: matches already have a wildcard arm";
    /// An error name no table has any more.
    ErrorKindRemoved, "error_kind_removed", Major, "an error name no table has any more",
        "its `ErrorKind` variant goes away and matches on it stop compiling";
    /// Which code means which error changed.
    ErrorCodeChanged, "error_code_changed", Patch, "an error table's codes (which code is which name)",
        "only how a DSM code is classified at run time changes";
    /// A new method.
    MethodAdded, "method_added", Minor, "a new method",
        "a new function (and builder type); nothing existing changes";
    /// A method removed.
    MethodRemoved, "method_removed", Major, "a method removed",
        "its callers stop compiling";
    /// A method's function or builder type renamed.
    MethodRenamed, "method_renamed", Major, "a method's Rust name (`rust_name`) or builder type renamed",
        "callers use the old name";
    /// A method changes between the light form and a builder.
    MethodFormChanged, "method_form_changed", Major, "a method moves between the light form (`Call<T>`, imported) and a builder (hand-written)",
        "the function's arguments and return type change: `.param(..)` on a builder, or setters on a `Call`, stop compiling";
    /// A method's response type changed.
    ResponseChanged, "response_changed", Major, "a method's `response` type (or none to some)",
        "`send()` returns another type";
    /// A method becomes paginated.
    PaginationAdded, "pagination_added", Minor, "`pagination` added",
        "a new `stream()` on the builder";
    /// A method stops being paginated.
    PaginationRemoved, "pagination_removed", Major, "`pagination` removed",
        "`stream()` goes away";
    /// The items a stream yields changed.
    PaginationItemChanged, "pagination_item_changed", Major, "`pagination` now streams another item type",
        "`stream()` yields another type";
    /// How pages are asked for or end changed.
    PaginationDetailsChanged, "pagination_details_changed", Patch, "`pagination`'s offset, limit or total (same item type)",
        "only how pages are requested and when the stream ends changes";
    /// A method offers more versions.
    MethodVersionsWidened, "method_versions_widened", Minor, "a method's `min_version` lowered or `versions` grown",
        "the call reaches NASes it refused before sending";
    /// A method offers fewer versions.
    MethodVersionsNarrowed, "method_versions_narrowed", Major, "a method's `min_version` raised or `versions` shrunk",
        "calls that went out now fail with `Error::Unsupported` or `VersionNotOffered` before sending";
    /// GET and POST swapped.
    HttpVerbChanged, "http_verb_changed", Patch, "a method's `http` verb",
        "wire only";
    /// The session flag changed.
    SessionChanged, "session_changed", Patch, "a method's `session` flag",
        "wire only: whether `_sid` is sent; DSM decides whether the call needs it";
    /// A new optional parameter.
    OptionalParamAdded, "optional_param_added", Minor, "a new optional parameter",
        "a new setter on the builder";
    /// A new required parameter.
    RequiredParamAdded, "required_param_added", Major, "a new required parameter",
        "a new positional argument: every call has one argument too few";
    /// An optional parameter removed.
    OptionalParamRemoved, "optional_param_removed", Major, "an optional parameter removed",
        "its setter goes away";
    /// A required parameter removed.
    RequiredParamRemoved, "required_param_removed", Major, "a required parameter removed",
        "a positional argument goes away: every call has one argument too many";
    /// Optional to required.
    ParamBecameRequired, "param_became_required", Major, "a parameter optional to required",
        "its setter becomes a positional argument";
    /// Required to optional.
    ParamBecameOptional, "param_became_optional", Major, "a parameter required to optional",
        "a positional argument becomes a setter";
    /// A parameter's type changed.
    ParamTypeChanged, "param_type_changed", Major, "a parameter's `type`",
        "the argument or setter takes another Rust type";
    /// Required parameters in another order.
    RequiredParamsReordered, "required_params_reordered", Major, "required parameters reordered (of other types)",
        "positional arguments change places and types: calls stop compiling";
    /// Required parameters of the same types in another order.
    RequiredParamsSwapped, "required_params_swapped", Major, "required parameters of the same type swap places",
        "calls still compile, and silently pass each value as another parameter";
    /// A required parameter renamed, same place and type.
    PositionalParamRenamed, "positional_param_renamed", Major, "a required parameter renamed (same place, same type)",
        "Rust callers pass it by position and still compile, but `synology`'s flag is its name: scripts passing the old flag fail (exit 2)";
    /// A parameter's encoding changed.
    ParamEncodingChanged, "param_encoding_changed", Patch, "a parameter's `encoding`",
        "wire only: the Rust type of the argument or setter stays";
    /// A parameter's secret flag changed.
    ParamSecretChanged, "param_secret_changed", Patch, "a parameter's `secret` flag",
        "only log masking changes; its Rust type stays";
    /// A `const` parameter added, removed or changed.
    ConstParamChanged, "const_param_changed", Patch, "a `const` parameter added, removed or changed",
        "wire only: constants are never exposed";
    /// A parameter accepted by more versions.
    ParamVersionsWidened, "param_versions_widened", Minor, "a parameter's `min_version` lowered",
        "setting it reaches NASes it refused before sending";
    /// A parameter accepted by fewer versions.
    ParamVersionsNarrowed, "param_versions_narrowed", Major, "a parameter's `min_version` raised",
        "calls that set it fail with `Error::Unsupported` before sending where they went out";
    /// Anything about an imported method's parameters.
    ImportedParamChanged, "imported_param_changed", Patch, "an imported method's parameters (any change)",
        "`Call::param` takes any name and any `Serialize` value: the list is documentation";
    /// A new named type.
    TypeAdded, "type_added", Minor, "a new type",
        "a new public item";
    /// A named type removed.
    TypeRemoved, "type_removed", Major, "a type removed",
        "code that names it stops compiling";
    /// A named type renamed (same shape).
    TypeRenamed, "type_renamed", Major, "a type renamed (same shape, new name)",
        "code that names it stops compiling";
    /// A named type moved to another family.
    TypeMoved, "type_moved", Major, "a type moves to another family",
        "its path (`synology_client::<family>::<Type>`) and its feature change";
    /// Struct and enum swapped, or the enum's coding changed.
    TypeKindChanged, "type_kind_changed", Major, "a type changes between struct and enum, or `enum: string` and `enum: integer`",
        "its fields, variants, `as_str`/`as_i64` and derives change";
    /// A field added to a response struct.
    ResponseFieldAdded, "response_field_added", Minor, "a new field on a response struct",
        "response structs are `#[non_exhaustive]`: nobody outside builds or exhaustively destructures them";
    /// A field added to a struct callers build.
    ParamStructFieldAdded, "param_struct_field_added", Major, "a new field on a struct callers build (reached from a parameter)",
        "it is not `#[non_exhaustive]`: struct literals lack the new field";
    /// A field removed.
    FieldRemoved, "field_removed", Major, "a field removed",
        "code that reads or sets it stops compiling";
    /// A field's type changed.
    FieldTypeChanged, "field_type_changed", Major, "a field's `type`",
        "the field has another Rust type";
    /// Required to optional.
    FieldBecameOptional, "field_became_optional", Major, "a field required to `optional`",
        "`T` becomes `Option<T>`";
    /// Optional to required.
    FieldBecameRequired, "field_became_required", Major, "a field `optional` to required",
        "`Option<T>` becomes `T`";
    /// A field's secret flag changed.
    FieldSecretChanged, "field_secret_changed", Major, "a field's `secret` flag",
        "`String` becomes `Secret` (or back): another Rust type";
    /// A struct becomes constructible.
    StructNowConstructible, "struct_now_constructible", Minor, "a response struct becomes a parameter's (loses `#[non_exhaustive]`)",
        "callers may now build it; everything that compiled still does";
    /// A struct stops being constructible.
    StructNoLongerConstructible, "struct_no_longer_constructible", Major, "a struct no parameter reaches any more (gains `#[non_exhaustive]`)",
        "struct literals and exhaustive patterns stop compiling outside the crate";
    /// A new enum value.
    EnumValueAdded, "enum_value_added", Minor, "a new enum value",
        "open enums are `#[non_exhaustive]`: matches already have a wildcard arm";
    /// An enum value removed.
    EnumValueRemoved, "enum_value_removed", Major, "an enum value removed",
        "its variant goes away";
    /// An enum value's variant renamed.
    EnumValueRenamed, "enum_value_renamed", Major, "an enum value's variant renamed (`name`)",
        "code that names the variant uses the old name";
    /// A wire name changed, every Rust name the same.
    WireNameChanged, "wire_name_changed", Patch, "a wire name (API, method, parameter, field or enum value) with the same Rust name",
        "wire only: what is sent or decoded changes, no Rust item does";
    /// Only documentation changed.
    DocsChanged, "docs_changed", Patch, "descriptions, notes, a parameter's `default` or `example`",
        "documentation only";
    /// A method's example changed.
    ExampleChanged, "example_changed", Patch, "a method's `example`",
        "docs, example tests and what the mock answers; no Rust item changes";
    /// Mock data changed.
    MockDataChanged, "mock_data_changed", Patch, "`mock_data`",
        "only what the mock DSM answers";
    /// A runtime-only API changed.
    InternalChanged, "internal_changed", Patch, "anything in a runtime-only (`internal`) family",
        "its items are crate-private";
}
