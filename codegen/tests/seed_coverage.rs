//! Every API, method, HTTP verb, parameter, response field, enum value, note and example of
//! the seed documents (`../shared/seeds/*.md`) appears in the spec. `api`, `version`,
//! `method` and `_sid` are the runtime's (`codegen::naming::RUNTIME_PARAMS`).
//!
//! The seeds live outside the repository: without them the test says it skipped, unless
//! `SYNOLOGY_SHARED_REQUIRED=1` (CI), where their absence fails it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use codegen::ir::{Method, NamedType, Spec, Ty, TypeKind};

use codegen::naming::RUNTIME_PARAMS;

fn seeds_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/seeds");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("SYNOLOGY_SHARED_REQUIRED").is_ok_and(|v| v == "1") {
        panic!("{} is absent and SYNOLOGY_SHARED_REQUIRED=1", dir.display());
    }
    eprintln!(
        "skipped: {} is absent (set SYNOLOGY_SHARED_REQUIRED=1 to make this a failure)",
        dir.display()
    );
    None
}

/// What one `#### Method:` section of a seed document says.
#[derive(Debug, Default)]
struct DocMethod {
    api: String,
    name: String,
    verb: String,
    params: Vec<String>,
    fields: Vec<String>,
    enum_values: Vec<String>,
    notes: Vec<String>,
    example: Option<serde_json::Value>,
}

fn backticked(line: &str) -> Option<&str> {
    let rest = line.split_once('`')?.1;
    Some(rest.split_once('`')?.0)
}

fn parse_seed(text: &str) -> Vec<DocMethod> {
    let mut out: Vec<DocMethod> = Vec::new();
    let mut api = String::new();
    let mut in_notes = false;
    let mut in_json = false;
    let mut json = String::new();
    for line in text.lines() {
        let t = line.trim();
        if in_json {
            if t == "```" {
                in_json = false;
                if let Some(m) = out.last_mut() {
                    m.example = Some(serde_json::from_str(&json).expect("seed example is JSON"));
                }
            } else {
                json.push_str(line);
                json.push('\n');
            }
            continue;
        }
        if let Some(name) = t.strip_prefix("## ") {
            api = name.trim().to_owned();
            continue;
        }
        if t.starts_with("#### Method:") {
            let name = backticked(t).expect("method name in backticks").to_owned();
            out.push(DocMethod {
                api: api.clone(),
                name,
                ..DocMethod::default()
            });
            in_notes = false;
            continue;
        }
        let Some(m) = out.last_mut() else { continue };
        if t == "```json" {
            in_json = true;
            json.clear();
        } else if let Some(verb) = t.strip_prefix("**HTTP Method:**") {
            m.verb = verb.trim().to_owned();
        } else if t.starts_with("**") {
            in_notes = t == "**Notes:**";
        } else if t.starts_with("| `") {
            m.fields.push(backticked(t).expect("field").to_owned());
        } else if let Some(item) = t.strip_prefix("- ") {
            if in_notes {
                m.notes.push(item.to_owned());
            } else if item.contains("(required)") || item.contains("(optional)") {
                m.params.push(backticked(item).expect("param").to_owned());
            } else if item.starts_with('`') && item.contains("` - ") {
                m.enum_values
                    .push(backticked(item).expect("enum value").to_owned());
            }
        } else if t == "---" {
            in_notes = false;
        }
    }
    out
}

/// Every field name and enum value reachable from a type.
fn reachable(spec: &Spec, ty: &Ty, fields: &mut BTreeSet<String>, values: &mut BTreeSet<String>) {
    match ty {
        Ty::List(inner) | Ty::Map(inner) => reachable(spec, inner, fields, values),
        Ty::Named(name) => match &spec.types[name] {
            NamedType {
                kind: TypeKind::Struct(fs),
                ..
            } => {
                for f in fs {
                    if fields.insert(f.wire.clone()) {
                        reachable(spec, &f.ty, fields, values);
                    }
                }
            }
            NamedType {
                kind: TypeKind::Enum { values: vs, .. },
                ..
            } => {
                values.extend(vs.iter().map(|v| v.wire.clone()));
            }
        },
        _ => {}
    }
}

fn json_keys(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                out.insert(k.clone());
                json_keys(x, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_keys(x, out)),
        _ => {}
    }
}

fn check(spec: &Spec, doc: &DocMethod, problems: &mut Vec<String>) -> usize {
    let at = format!("{} {}", doc.api, doc.name);
    let Some(api) = spec.apis().find(|a| a.wire == doc.api) else {
        problems.push(format!("{at}: the API is not in the spec"));
        return 0;
    };
    let Some(m): Option<&Method> = api.methods.iter().find(|m| m.wire == doc.name) else {
        problems.push(format!("{at}: the method is not in the spec"));
        return 0;
    };
    let mut checked = 1;
    let verb = if m.post { "POST" } else { "GET" };
    if doc.verb != verb {
        problems.push(format!(
            "{at}: the document says {}, the spec {verb}",
            doc.verb
        ));
    }
    for p in doc
        .params
        .iter()
        .filter(|p| !RUNTIME_PARAMS.contains(&p.as_str()))
    {
        checked += 1;
        if !m.params.iter().any(|x| &x.wire == p) {
            problems.push(format!("{at}: parameter `{p}` is not in the spec"));
        }
    }
    let (mut fields, mut values) = (BTreeSet::new(), BTreeSet::new());
    if let Some(r) = &m.response {
        reachable(spec, r, &mut fields, &mut values);
    }
    for f in &doc.fields {
        checked += 1;
        if !fields.contains(f) {
            problems.push(format!("{at}: response field `{f}` is not in the spec"));
        }
    }
    for v in &doc.enum_values {
        checked += 1;
        if !values.contains(v) {
            problems.push(format!("{at}: enum value `{v}` is not in the spec"));
        }
    }
    for n in &doc.notes {
        checked += 1;
        if !m.notes.contains(n) {
            problems.push(format!("{at}: note {n:?} is not in the spec"));
        }
    }
    if let Some(example) = &doc.example {
        checked += 1;
        let spec_example: Option<serde_json::Value> = m
            .example
            .as_deref()
            .and_then(|e| serde_json::from_str(e).ok());
        if spec_example.as_ref() != Some(example) {
            problems.push(format!(
                "{at}: the spec's example differs from the document's"
            ));
        }
        // Every key of the example's data is a field of the response type.
        let mut keys = BTreeSet::new();
        if let Some(data) = example.get("data") {
            json_keys(data, &mut keys);
        }
        for k in keys.difference(&fields) {
            problems.push(format!(
                "{at}: example field `{k}` is not in the response type"
            ));
        }
    }
    checked
}

#[test]
fn the_spec_covers_every_seed_document() {
    let Some(dir) = seeds_dir() else { return };
    let spec = codegen::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec"))
        .expect("valid spec");
    let mut docs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    docs.retain(|p| p.extension().is_some_and(|x| x == "md"));
    docs.sort();
    assert!(!docs.is_empty(), "no seed documents in {}", dir.display());
    let mut problems = Vec::new();
    let (mut methods, mut facts) = (0, 0);
    for doc in &docs {
        let text = std::fs::read_to_string(doc).unwrap();
        for m in parse_seed(&text) {
            methods += 1;
            facts += check(&spec, &m, &mut problems);
        }
    }
    assert_eq!(methods, 9, "the seed documents describe 9 methods");
    assert!(
        problems.is_empty(),
        "the spec misses what the seed documents say:\n{}",
        problems.join("\n")
    );
    eprintln!(
        "{} seed documents, {methods} methods, {facts} facts covered",
        docs.len()
    );
}

#[test]
fn the_seed_parser_finds_what_a_document_says() {
    let doc = "## SYNO.X.Y\n\n#### Method: `List`\n\n**HTTP Method:** POST\n\n**Parameters:**\n- `api` (required): `SYNO.X.Y`\n- `conn_id` (required): ID\n\n**Response:**\n```json\n{\"success\": true, \"data\": {\"a\": 1}}\n```\n\n| Field | Type |\n|---|---|\n| `a` | integer |\n\n**Kinds:**\n- `gdrive` - Google Drive\n\n**Notes:**\n- A note\n\n---\n";
    let parsed = parse_seed(doc);
    assert_eq!(parsed.len(), 1);
    let m = &parsed[0];
    assert_eq!(
        (m.api.as_str(), m.name.as_str(), m.verb.as_str()),
        ("SYNO.X.Y", "List", "POST")
    );
    assert_eq!(m.params, ["api", "conn_id"]);
    assert_eq!(m.fields, ["a"]);
    assert_eq!(m.enum_values, ["gdrive"]);
    assert_eq!(m.notes, ["A note"]);
    assert_eq!(
        m.example,
        Some(serde_json::json!({"success": true, "data": {"a": 1}}))
    );
}
