//! Every naming rule in one place: how a spec name becomes a Rust identifier, a type, handle,
//! builder or static name, a module, a cargo feature, a command-line word or a docs anchor,
//! and which names the runtime and the generated code have already taken. `validate` checks
//! names with these rules and stores the results in the IR; emitters derive the rest here.

use heck::{ToKebabCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved, 2024 edition), escaped by a trailing underscore.
pub const KEYWORDS: [&str; 51] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "gen",
];

/// Parameters the runtime owns; a spec may not declare them.
pub const RUNTIME_PARAMS: [&str; 4] = ["api", "version", "method", "_sid"];

/// Request-builder methods a parameter setter would clash with (or shadow: `send_json` and
/// `into_parts` come from the runtime's `Request` trait; `param` and `secret_param` are the
/// raw request's, which generated requests may grow), and the methods of the stream
/// `stream()` returns (`Pages`: `prefetch`, `total`), which a setter of the same name would
/// be mistaken for (`.list().prefetch(8)` would send DSM a parameter, not set the stream).
pub const BUILDER_METHODS: [&str; 8] = [
    "send",
    "stream",
    "send_json",
    "into_parts",
    "param",
    "secret_param",
    STREAM_METHODS[0],
    STREAM_METHODS[1],
];

/// The methods of [`BUILDER_METHODS`] that are the stream's (`Pages`), not the builder's.
pub const STREAM_METHODS: [&str; 2] = ["prefetch", "total"];

/// The command line's own flag on every command (`--help`): no parameter may take it.
pub const CLI_HELP: &str = "help";

/// The command line's flag on paginated methods (`--all`): their parameters may not take it.
pub const CLI_ALL: &str = "all";

/// Names a family module (and so its `Client` accessor, CLI command and cargo feature) may
/// not take: the runtime's modules at the crate root, `Client`'s own methods, the crates and
/// features every build has (`core`, `std`, `default`, `all-apis`, `jiff`). The CLI's own
/// commands are [`CLI_COMMANDS`]. A family named so is renamed ([`imported_family_module`]);
/// an internal one (which has no accessor) is an error.
pub const RESERVED_FAMILY_MODULES: [&str; 33] = [
    "mock",
    "client",
    "error",
    "secret",
    "wire",
    "runtime",
    "generated",
    "cli",
    "de",
    "device_token",
    "discovery",
    "op",
    "raw",
    "rt",
    "session",
    "settings",
    "tests",
    "time",
    "transport",
    "builder",
    "login",
    "login_with",
    "logout",
    "is_logged_in",
    "has_api",
    "published_apis",
    "with_timeout",
    "known_apis",
    "core",
    "std",
    "default",
    "all_apis",
    "jiff",
];

/// The `synology` command's own top-level commands (and clap's `help`), which a family's
/// command (the kebab-case of its module, [`kebab`]) may not be: a family that has commands
/// (not `internal`, like the runtime's `SYNO.API`, module `api`) is renamed
/// ([`imported_family_module`]: `SYNO.MockServer` → `dsm_mock_server`).
pub const CLI_COMMANDS: [&str; 6] = [
    "api",
    "apis",
    "completions",
    "help",
    "mock-server",
    "profile",
];

/// Whether the command of family module `module` ([`kebab`]) is one of [`CLI_COMMANDS`].
pub fn is_cli_command(module: &str) -> bool {
    CLI_COMMANDS.contains(&kebab(module).as_str())
}

/// The prefix of an imported family whose module is reserved (`core` → `dsm_core`).
pub const IMPORTED_FAMILY_PREFIX: &str = "dsm_";

/// Names a light-form method (the function an imported method gets on its handle) may not
/// take: the handle's own constructor, and `api`, whose metadata static would be the API's
/// `API`. They count as taken ([`unique_method`]).
pub const RESERVED_HANDLE_METHODS: [&str; 2] = ["new", "api"];

/// The module of a family's types.
pub const TYPES_MODULE: &str = "types";

/// The module of a family-level API (`SYNO.<Family>` itself).
pub const FAMILY_API_MODULE: &str = "family_api";

/// Module names inside a family module that generated code uses.
pub const RESERVED_API_MODULES: [&str; 2] = [TYPES_MODULE, FAMILY_API_MODULE];

/// The catch-all variant of every open enum and of `ErrorKind`.
pub const UNKNOWN_VARIANT: &str = "Unknown";

/// A Rust identifier for a spec name: snake_case, keywords escaped as `name_`.
pub fn rust_ident(wire: &str) -> String {
    let snake = wire.to_snake_case();
    if KEYWORDS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        snake
    }
}

/// Whether `path` is a CGI path the client accepts under `/webapi/`: at most 256 bytes,
/// ending in `.cgi`, relative, each `/`-separated segment non-empty, not `.` or `..`, and
/// made of ASCII letters, digits, `_`, `-` and `.` (`entry.cgi`, `AudioStation/album.cgi`).
/// The runtime checks the paths a NAS reports by the same rule.
pub fn is_cgi_path(path: &str) -> bool {
    let plain = |seg: &str| {
        !seg.is_empty()
            && seg != "."
            && seg != ".."
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    };
    path.len() <= 256 && path.ends_with(".cgi") && path.split('/').all(plain)
}

/// Whether `s` is a plain Rust identifier (ASCII, not `_` alone).
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s != "_"
}

/// Whether `s` is usable as a type or variant name: UpperCamelCase letters and digits, not a
/// keyword.
pub fn is_type_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
        && !KEYWORDS.contains(&s)
}

/// The variant name a string enum value gets when the spec gives none (`dark-blue` →
/// `DarkBlue`).
pub fn variant(wire: &str) -> String {
    wire.to_upper_camel_case()
}

/// The module and accessor of a family (`CloudSync` → `cloud_sync`).
pub fn family_module(family_wire: &str) -> String {
    rust_ident(family_wire)
}

/// The module of a family that is not internal: [`family_module`], or, when that
/// is reserved ([`RESERVED_FAMILY_MODULES`]), would be one of the CLI's own commands
/// ([`CLI_COMMANDS`]) or ends in `_all` (whose feature would read as another family's
/// `<family>-all`), the same with the prefix `dsm_` (`SYNO.Core` → `dsm_core`, feature
/// `dsm-core`).
pub fn imported_family_module(family_wire: &str) -> String {
    let m = family_module(family_wire);
    if RESERVED_FAMILY_MODULES.contains(&m.as_str()) || is_cli_command(&m) || m.ends_with("_all") {
        format!("{IMPORTED_FAMILY_PREFIX}{}", m.trim_end_matches('_'))
    } else {
        m
    }
}

/// The handle type of a family module renamed by [`imported_family_module`]
/// (`dsm_core` → `DsmCore`).
pub fn handle_of_module(module: &str) -> String {
    module.to_upper_camel_case()
}

/// The function of an imported method: its snake_case name (keywords escaped), or, when
/// that is in `taken` (a hand-written method's, an accessor beside a family-level method,
/// an imported method named before it, [`RESERVED_HANDLE_METHODS`]), the snake_case name
/// with the first free suffix `_2`, `_3`, ... Imported methods are named in a fixed order:
/// those whose wire name is already their snake_case name first, then the rest, each in
/// sorted wire-name order (`login` keeps `login`, `Login` becomes `login_2`).
pub fn unique_method(wire: &str, taken: &impl Fn(&str) -> bool) -> String {
    let first = rust_ident(wire);
    if !taken(&first) && !RESERVED_HANDLE_METHODS.contains(&first.as_str()) {
        return first;
    }
    let stem = wire.to_snake_case();
    (2..)
        .map(|n| format!("{stem}_{n}"))
        .find(|c| !taken(c))
        .unwrap_or(first)
}

/// The `<family>-all` feature of a family's feature (`cloud-sync` → `cloud-sync-all`): its
/// imported APIs, methods and types, beside the hand-written ones.
pub fn all_feature(feature: &str) -> String {
    format!("{feature}-all")
}

/// The handle type of a family (`CloudSync`).
pub fn family_handle(family_wire: &str) -> String {
    family_wire.to_upper_camel_case()
}

/// The accessor and module of a sub-API, from the parts of its name after the family
/// (`SYNO.CloudSync.Connection.Log` → `connection_log`).
pub fn api_accessor(parts: &[&str]) -> String {
    rust_ident(&parts.join("_"))
}

/// The handle type of a sub-API (`ConnectionLogApi`).
pub fn api_handle(parts: &[&str]) -> String {
    format!("{}Api", parts.concat().to_upper_camel_case())
}

/// The request builder of a method (`GetSummary` → `GetSummaryRequest`).
pub fn builder(method_wire: &str) -> String {
    format!("{}Request", method_wire.to_upper_camel_case())
}

/// The static holding a method's metadata (`GetSummary` → `GET_SUMMARY`).
pub fn method_static(method_wire: &str) -> String {
    method_wire.to_shouty_snake_case()
}

/// The test that decodes a method's documented example.
pub fn example_test(method_rust: &str) -> String {
    format!("{}_example_decodes", method_rust.trim_end_matches('_'))
}

/// The cargo feature of a family module (`cloud_sync` → `cloud-sync`).
pub fn feature(family_module: &str) -> String {
    family_module.trim_end_matches('_').replace('_', "-")
}

/// The command-line word of a spec or Rust name: kebab-case, no escape underscore.
pub fn kebab(name: &str) -> String {
    name.trim_end_matches('_').to_kebab_case()
}

/// The Markdown anchor of a type's section in the docs (`### Widget` → `widget`).
pub fn doc_anchor(type_name: &str) -> String {
    type_name.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_derive_as_documented() {
        assert_eq!(rust_ident("type"), "type_");
        assert_eq!(rust_ident("maxVersion"), "max_version");
        assert_eq!(kebab("type_"), "type");
        assert_eq!(feature("cloud_sync"), "cloud-sync");
        assert_eq!(api_accessor(&["Connection", "Log"]), "connection_log");
        assert_eq!(api_handle(&["Connection", "Log"]), "ConnectionLogApi");
        assert_eq!(builder("GetSummary"), "GetSummaryRequest");
        assert_eq!(method_static("GetSummary"), "GET_SUMMARY");
        assert_eq!(variant("dark-blue"), "DarkBlue");
        assert!(is_type_name("Widget") && !is_type_name("Self") && !is_type_name("widget"));
        assert!(is_ident("_sid") && !is_ident("_") && !is_ident("1a"));
        assert_eq!(imported_family_module("Core"), "dsm_core");
        assert_eq!(imported_family_module("Default"), "dsm_default");
        assert_eq!(imported_family_module("FooAll"), "dsm_foo_all");
        assert_eq!(imported_family_module("FileStation"), "file_station");
        assert_eq!(handle_of_module("dsm_core"), "DsmCore");
        assert_eq!(all_feature("cloud-sync"), "cloud-sync-all");
    }

    #[test]
    fn imported_families_named_like_a_cli_command_get_the_prefix() {
        assert_eq!(imported_family_module("Profile"), "dsm_profile");
        assert_eq!(imported_family_module("Completions"), "dsm_completions");
        assert_eq!(imported_family_module("Api"), "dsm_api");
        assert_eq!(imported_family_module("API"), "dsm_api");
        assert_eq!(imported_family_module("Apis"), "dsm_apis");
        assert_eq!(imported_family_module("MockServer"), "dsm_mock_server");
        assert_eq!(imported_family_module("Help"), "dsm_help");
        assert_eq!(feature("dsm_mock_server"), "dsm-mock-server");
        // Only the exact command is taken: a longer name keeps its module.
        assert_eq!(imported_family_module("ApiGateway"), "api_gateway");
        assert_eq!(imported_family_module("Profiles"), "profiles");
        for command in CLI_COMMANDS {
            let module = command.replace('-', "_");
            assert!(is_cli_command(&module), "{command}");
            assert_eq!(kebab(&module), command);
        }
    }

    #[test]
    fn colliding_imported_methods_get_the_first_free_suffix() {
        let taken = |n: &str| ["login", "get_info", "get_info_2"].contains(&n);
        assert_eq!(unique_method("list", &taken), "list");
        assert_eq!(unique_method("Login", &taken), "login_2");
        assert_eq!(unique_method("getInfo", &taken), "get_info_3");
        assert_eq!(unique_method("type", &taken), "type_");
        assert_eq!(unique_method("new", &taken), "new_2");
        assert_eq!(unique_method("api", &|_: &str| false), "api_2");
    }
}
