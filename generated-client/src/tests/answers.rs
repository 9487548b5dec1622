//! Every typed method's documented or synthesised answer decodes, and so does a variant of it
//! as a different box might send it: every integer as a string and an unknown field added to
//! every object (one table-driven test for all, not one test function per method).

use serde_json::Value;

/// `v` with every integer as a numeric string and a field no client knows in every object
/// that is a struct: not in maps, whose keys are not identifier-like (API names, `a key`).
fn as_another_box_sends_it(v: &Value) -> Value {
    match v {
        Value::Number(n) if n.is_i64() || n.is_u64() => Value::String(n.to_string()),
        Value::Array(items) => Value::Array(items.iter().map(as_another_box_sends_it).collect()),
        Value::Object(fields) => {
            let mut out: serde_json::Map<String, Value> = fields
                .iter()
                .map(|(k, v)| (k.clone(), as_another_box_sends_it(v)))
                .collect();
            let identifier = |k: &String| {
                k.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            };
            if fields.keys().all(identifier) {
                out.insert("added_by_a_newer_dsm".into(), Value::from(1));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

#[test]
fn every_typed_answer_decodes_as_recorded_and_as_another_box_sends_it() {
    let mut checked = 0;
    for meta in crate::generated::METHODS.iter().filter(|m| m.typed) {
        let Some(example) = meta.example else {
            continue;
        };
        let envelope: Value = serde_json::from_str(example).expect("examples are JSON");
        if let Err(e) = (meta.decode_json)(meta, example.as_bytes()) {
            panic!("{} {}: {e}", meta.api.name, meta.name);
        }
        let mut variant = envelope.clone();
        if let Some(data) = variant.get_mut("data") {
            *data = as_another_box_sends_it(data);
        }
        let body = variant.to_string();
        if let Err(e) = (meta.decode_json)(meta, body.as_bytes()) {
            panic!(
                "{} {} (integers as strings, a field added): {e}",
                meta.api.name, meta.name
            );
        }
        checked += 1;
    }
    // With every feature on, the imported methods' synthesised answers are among them.
    assert!(checked > 0);
    eprintln!("{checked} typed answers decoded, each also as another box sends it");
}
