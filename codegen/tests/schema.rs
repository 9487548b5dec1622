//! `api-spec/spec.schema.json` against the spec: every spec file follows it and names it in
//! its first three lines; each bad-spec fixture (`tests/bad/`) is either refused by it or
//! listed in api-spec/README.md as a check only codegen makes; typos are refused; and its
//! closed lists are exactly what codegen accepts. (That the checked-in file is the generated
//! one is the freshness test's.)

use std::path::{Path, PathBuf};

use codegen::schema::{Encoding, EnumKind, Http, RequestFormat};
use serde_json::Value;

/// The README's list of the bad-spec fixtures the schema lets through.
const SEMANTIC_LIST: &str = "### Checked by codegen, not the schema";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join(codegen::schema::PATH))
        .expect("api-spec/spec.schema.json exists; run `cargo xtask codegen`");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft7::new(&schema).expect("the schema is a valid draft-07 schema")
}

/// A YAML text as the JSON value an editor's YAML support validates.
fn yaml(text: &str) -> Result<Value, String> {
    serde_saphyr::from_str::<Value>(text).map_err(|e| e.to_string())
}

/// What the schema says about a YAML text: nothing when it follows the schema.
fn problems(validator: &jsonschema::Validator, text: &str) -> Vec<String> {
    match yaml(text) {
        Ok(value) => validator
            .iter_errors(&value)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect(),
        Err(e) => vec![format!("not YAML: {e}")],
    }
}

/// Every `*.yaml` file below `dir`, with how deep below it each is.
fn yaml_files(dir: &Path) -> Vec<(PathBuf, usize)> {
    codegen::files_under(dir)
        .expect("readable")
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let depth = p.strip_prefix(dir).unwrap().components().count() - 1;
            (p, depth)
        })
        .collect()
}

fn spec_files() -> Vec<(PathBuf, usize)> {
    let files = yaml_files(&root().join("api-spec"));
    assert!(files.len() > 10, "spec files found: {}", files.len());
    files
}

#[test]
fn every_spec_file_follows_the_schema() {
    let validator = validator();
    let mut failures = Vec::new();
    for (path, _) in spec_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        for p in problems(&validator, &text) {
            failures.push(format!("{}: {p}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_spec_file_names_the_schema_in_its_first_three_lines() {
    let mut failures = Vec::new();
    for (path, depth) in spec_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let line = codegen::schema::modeline(depth);
        if !text.lines().take(3).any(|l| l == line) {
            failures.push(format!("{}: lacks `{line}`", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The fixtures api-spec/README.md lists as checked by codegen only, each with its reason.
fn semantic_list() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(root().join("api-spec/README.md")).unwrap();
    let start = readme
        .find(SEMANTIC_LIST)
        .unwrap_or_else(|| panic!("api-spec/README.md lacks `{SEMANTIC_LIST}`"));
    readme[start + SEMANTIC_LIST.len()..]
        .lines()
        .take_while(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("- `"))
        .map(|l| {
            let (name, reason) = l.split_once('`').expect("- `name`: reason");
            let reason = reason.trim_start_matches(':').trim();
            (name.to_owned(), reason.to_owned())
        })
        .collect()
}

#[test]
fn each_bad_fixture_is_refused_by_the_schema_or_listed_as_a_semantic_check() {
    let validator = validator();
    let listed = semantic_list();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    fixtures.sort();
    let mut failures = Vec::new();
    let mut names = Vec::new();
    for fixture in &fixtures {
        let name = fixture.file_stem().unwrap().to_string_lossy().into_owned();
        let files = if fixture.is_dir() {
            yaml_files(fixture).into_iter().map(|(p, _)| p).collect()
        } else {
            vec![fixture.clone()]
        };
        // A file that is not YAML is refused too: editors report it before any schema.
        let refused = files
            .iter()
            .any(|f| !problems(&validator, &std::fs::read_to_string(f).unwrap()).is_empty());
        let reason = listed.iter().find(|(n, _)| *n == name).map(|(_, r)| r);
        match (refused, reason) {
            (false, None) => failures.push(format!(
                "{name}: the schema accepts it; list it in api-spec/README.md under `{SEMANTIC_LIST}` with the reason"
            )),
            (true, Some(_)) => failures.push(format!(
                "{name}: the schema refuses it; remove it from api-spec/README.md's list"
            )),
            (false, Some(reason)) if reason.is_empty() => {
                failures.push(format!("{name}: listed without a reason"))
            }
            _ => {}
        }
        names.push(name);
    }
    for (name, _) in &listed {
        if !names.contains(name) {
            failures.push(format!(
                "{name}: listed in api-spec/README.md, but there is no such fixture"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A small hand-written spec that codegen and the schema accept, with placeholders for the
/// closed values: `{http}`, `{format}`, `{encoding}` (of a `bool` parameter), `{kind}` and
/// `{value}` (of an enum), `{persona}`.
const DEMO: &str = r#"
types:
  Item:
    description: An item.
    fields:
      name: { type: string, description: Name }
  State:
    description: A state.
    enum: {kind}
    values:
      - { value: {value}, name: Ready, description: Ready }
apis:
  SYNO.Demo.Item:
    description: Items.
    path: entry.cgi
    versions: { min: 1, max: 2 }
    request_format: {format}
    methods:
      get:
        http: {http}
        description: Gets an item.
        response: Item
        params:
          force: { type: bool, encoding: {encoding}, description: Force }
          state: { type: State, description: State }
mock_data:
  SYNO.Demo.Item:
    get:
      {persona}: '{"name": "a"}'
"#;

fn demo(substitutions: &[(&str, &str)]) -> String {
    let defaults = [
        ("{http}", "GET"),
        ("{format}", "form"),
        ("{encoding}", "yes_no"),
        ("{kind}", "string"),
        ("{value}", "ready"),
        ("{persona}", "dsm7"),
    ];
    let mut text = DEMO.to_owned();
    for (key, default) in defaults {
        let value = substitutions
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(default, |(_, v)| v);
        text = text.replace(key, value);
    }
    text
}

fn codegen_accepts(text: &str) -> Result<(), String> {
    codegen::load_sources(vec![("demo.yaml".into(), text.into())])
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn the_closed_lists_are_what_codegen_accepts() {
    let validator = validator();
    let personas = codegen::ir::PERSONAS;
    let cases: Vec<(&str, &[&str])> = vec![
        ("{http}", Http::VALUES),
        ("{format}", RequestFormat::VALUES),
        ("{encoding}", Encoding::VALUES),
        ("{persona}", &personas),
    ];
    let mut texts = Vec::new();
    for (key, values) in cases {
        for value in values {
            // `plain` and `json` fit any parameter; a `bool` one takes them too.
            texts.push((format!("{key} = {value}"), demo(&[(key, value)])));
        }
    }
    for kind in EnumKind::VALUES {
        let value = if *kind == "integer" { "1" } else { "ready" };
        texts.push((
            format!("enum {kind}"),
            demo(&[("{kind}", kind), ("{value}", value)]),
        ));
    }
    for (what, text) in texts {
        codegen_accepts(&text).unwrap_or_else(|e| panic!("{what}: codegen refuses it: {e}"));
        let p = problems(&validator, &text);
        assert!(p.is_empty(), "{what}: the schema refuses it: {p:?}");
    }
}

#[test]
fn the_schema_refuses_typos_that_codegen_refuses() {
    let validator = validator();
    let typos = [
        ("an unknown key", demo(&[]).replace("response:", "respons:")),
        ("http: PUT", demo(&[("{http}", "PUT")])),
        ("encoding: bogus", demo(&[("{encoding}", "bogus")])),
        ("request_format: jsn", demo(&[("{format}", "jsn")])),
        ("enum: str", demo(&[("{kind}", "str")])),
        ("persona dsm8", demo(&[("{persona}", "dsm8")])),
        (
            "a method without http",
            demo(&[]).replace("http: GET\n", ""),
        ),
        (
            "a lower-case type name",
            demo(&[]).replace("  Item:\n", "  item:\n"),
        ),
        (
            "a path outside /webapi/",
            demo(&[]).replace("entry.cgi", "../entry.cgi"),
        ),
        (
            "min_version beside versions",
            demo(&[]).replace(
                "response: Item\n",
                "response: Item\n        min_version: 1\n        versions: [1]\n",
            ),
        ),
    ];
    for (what, text) in typos {
        assert!(
            codegen_accepts(&text).is_err(),
            "{what}: codegen accepts it:\n{text}"
        );
        assert!(
            !problems(&validator, &text).is_empty(),
            "{what}: the schema accepts it:\n{text}"
        );
    }
}

#[test]
fn the_patterns_are_never_stricter_than_codegen() {
    use codegen::naming;
    use codegen::schema::{API_NAME, CGI_PATH, FN_NAME, TYPE_NAME};
    let matches = |pattern: &str, text: &str| {
        jsonschema::draft7::new(&serde_json::json!({ "pattern": pattern }))
            .unwrap()
            .is_valid(&Value::from(text))
    };
    let cgi = [
        "entry.cgi",
        "AudioStation/album.cgi",
        "a/b-c/d_e.f.cgi",
        ".hidden/x.cgi",
        ".../x.cgi",
        "../admin/entry.cgi",
        "./entry.cgi",
        "/entry.cgi",
        "a//b.cgi",
        "entry.php",
        "a b.cgi",
        ".cgi",
    ];
    for path in cgi {
        assert_eq!(
            matches(CGI_PATH, path),
            naming::is_cgi_path(path),
            "path {path:?}"
        );
    }
    let types = [
        "Item", "Item2", "X", "item", "Item_2", "2Item", "Self", "Ünicode",
    ];
    for name in types {
        if !matches(TYPE_NAME, name) {
            assert!(!naming::is_type_name(name), "type name {name:?}");
        }
    }
    let apis = [
        "SYNO.Core",
        "SYNO.Core.Share_2",
        "SYNO",
        "SYNO.",
        "SYNO.A-B",
        "Syno.X",
        "SYNO.X..Y",
    ];
    for name in apis {
        let parts: Vec<&str> = name.split('.').collect();
        let ok = parts.len() >= 2
            && parts[0] == "SYNO"
            && parts[1..].iter().all(|p| naming::is_ident(p));
        assert_eq!(matches(API_NAME, name), ok, "api name {name:?}");
    }
    for name in [
        "get_info",
        "get_info_2",
        "_x",
        "GetInfo",
        "getInfo",
        "2x",
        "get-info",
    ] {
        if !matches(FN_NAME, name) {
            let usable = naming::is_ident(name) && naming::rust_ident(name) == name;
            assert!(!usable, "function name {name:?}");
        }
    }
}
