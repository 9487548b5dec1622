//! Mock data: what the mock DSM answers as a method's `data` when it acts as one DSM release
//! (a persona: `dsm5`, `dsm6`, `dsm7`), instead of the method's example. Each entry names an
//! API and a method the spec declares (in any file) and a known persona, once across all
//! files; its text is JSON that decodes as the method's response type the way the runtime
//! decodes it (raw JSON takes anything; a method without a response takes no data).

use std::collections::BTreeMap;

use serde_json::Value;

use super::context::{Ctx, place};
use super::examples::check_value;
use crate::error::{Diagnostic, closest};
use crate::ir::{Family, NamedType, PERSONAS, Ty};
use crate::spec::{Spanned, SpecFile};

/// Pass 6: checks every `mock_data` entry and attaches it to its method.
pub(super) fn attach(
    files: &[(String, SpecFile)],
    families: &mut BTreeMap<String, Family>,
    types: &BTreeMap<String, NamedType>,
    diags: &mut Vec<Diagnostic>,
) {
    let api_names: Vec<String> = families
        .values()
        .flat_map(|f| f.apis.iter().map(|a| a.wire.clone()))
        .collect();
    // (api, method, persona) to where it was first given.
    let mut seen: BTreeMap<(&str, &str, &str), (&str, &Spanned<String>)> = BTreeMap::new();
    for (file, spec) in files {
        let mut cx = Ctx::new(file, diags);
        for (api_key, methods) in &spec.mock_data.0 {
            let api_name = api_key.value.as_str();
            let Some(api) = families
                .values_mut()
                .flat_map(|f| f.apis.iter_mut())
                .find(|a| a.wire == api_name)
            else {
                let hint = did_you_mean(api_name, api_names.iter().map(String::as_str));
                cx.at(
                    api_key,
                    format!("mock_data[{api_name}]"),
                    format!("unknown api `{api_name}`{hint}"),
                );
                continue;
            };
            if api.internal {
                cx.at(
                    api_key,
                    format!("mock_data[{api_name}]"),
                    format!(
                        "api `{api_name}` is the runtime's (internal): the mock answers it itself"
                    ),
                );
                continue;
            }
            for (method_key, personas) in &methods.0 {
                let method_name = method_key.value.as_str();
                let at = format!("mock_data[{api_name}][{method_name}]");
                let Some(method) = api.methods.iter_mut().find(|m| m.wire == method_name) else {
                    let hint = did_you_mean(method_name, method_names(&api.methods));
                    cx.at(
                        method_key,
                        at,
                        format!("api `{api_name}` has no method `{method_name}`{hint}"),
                    );
                    continue;
                };
                for (persona_key, text) in &personas.0 {
                    let persona = persona_key.value.as_str();
                    let here = format!("{at}[{persona}]");
                    if !PERSONAS.contains(&persona) {
                        cx.at(
                            persona_key,
                            here,
                            format!(
                                "unknown persona `{persona}`; the mock acts as {}",
                                PERSONAS.join(", ")
                            ),
                        );
                        continue;
                    }
                    let key = (api_name, method_name, persona);
                    if let Some((first_file, first)) = seen.get(&key) {
                        cx.at(
                            persona_key,
                            here,
                            format!(
                                "mock data for `{api_name}` `{method_name}` as `{persona}` is already given at {}",
                                place(first_file, first)
                            ),
                        );
                        continue;
                    }
                    seen.insert(key, (file.as_str(), persona_key));
                    if let Some(data) = data(&mut cx, &here, text, method.response.as_ref(), types)
                    {
                        method.mock_data.push((persona.to_owned(), data));
                    }
                }
                method
                    .mock_data
                    .sort_by_key(|(p, _)| PERSONAS.iter().position(|k| k == p));
            }
        }
    }
}

/// The wire names of `methods`, for a did-you-mean.
fn method_names(methods: &[crate::ir::Method]) -> impl Iterator<Item = &str> {
    methods.iter().map(|m| m.wire.as_str())
}

fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(name, candidates)
        .map(|b| format!("; did you mean `{b}`?"))
        .unwrap_or_default()
}

/// The data of one entry, compacted, or why it cannot be the method's `data`.
fn data(
    cx: &mut Ctx,
    path: &str,
    text: &Spanned<String>,
    response: Option<&Ty>,
    types: &BTreeMap<String, NamedType>,
) -> Option<String> {
    let value: Value = match serde_json::from_str(&text.value) {
        Ok(v) => v,
        Err(err) => {
            // serde_json's line and column count within the data's text.
            cx.at(
                text,
                path,
                format!("the mock data is not JSON: {err} of the data"),
            );
            return None;
        }
    };
    let problem = match response {
        None => Some(
            "the method declares no response, so the mock sends no `data`; remove this entry"
                .to_owned(),
        ),
        Some(ty) => check_value(&value, ty, types, "data").err(),
    };
    if let Some(msg) = problem {
        cx.at(text, path, msg);
        return None;
    }
    Some(value.to_string())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    const API: &str = r#"
types:
  Box:
    description: A box.
    fields:
      model: { type: string, description: Model }
      ram: { type: u64, optional: true, description: RAM in MB }
apis:
  SYNO.Demo.Box:
    description: Boxes.
    path: entry.cgi
    versions: { min: 1, max: 1 }
    methods:
      get: { http: GET, description: Gets it., response: Box }
"#;

    #[test]
    fn entries_are_attached_in_persona_order_and_compacted() {
        let data = r#"
mock_data:
  SYNO.Demo.Box:
    get:
      dsm7: '{"model": "DS920+", "ram": "4096"}'
      dsm5: |
        {"model": "DS213j"}
"#;
        let spec = crate::load_sources(vec![
            ("demo.yaml".into(), API.into()),
            ("mock_data.yaml".into(), data.into()),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let method = &spec.families[0].apis[0].methods[0];
        assert_eq!(
            method.mock_data,
            [
                ("dsm5".to_owned(), r#"{"model":"DS213j"}"#.to_owned()),
                (
                    "dsm7".to_owned(),
                    r#"{"model":"DS920+","ram":"4096"}"#.to_owned()
                ),
            ]
        );
    }

    #[test]
    fn the_same_entry_twice_is_refused_where_it_is_given_again() {
        let first = "mock_data:\n  SYNO.Demo.Box:\n    get:\n      dsm6: '{\"model\": \"a\"}'\n";
        let second = "mock_data:\n  SYNO.Demo.Box:\n    get:\n      dsm6: '{\"model\": \"b\"}'\n";
        let e = crate::load_sources(vec![
            ("demo.yaml".into(), API.into()),
            ("a.yaml".into(), first.into()),
            ("b.yaml".into(), second.into()),
        ])
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "b.yaml:4:7: mock_data[SYNO.Demo.Box][get][dsm6]: mock data for `SYNO.Demo.Box` `get` as `dsm6` is already given at a.yaml:4:7"
        );
    }

    /// The spec README's mock-data block is valid beside its first example.
    #[test]
    fn the_spec_readme_mock_data_example_is_valid() {
        let readme = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec/README.md"),
        )
        .unwrap();
        let blocks: Vec<&str> = readme
            .split("```yaml\n")
            .skip(1)
            .map(|b| &b[..b.find("```").expect("block end")])
            .collect();
        let block = blocks
            .iter()
            .find(|b| b.contains("mock_data:"))
            .expect("a yaml block with mock_data");
        let spec = crate::load_sources(vec![
            ("demo.yaml".into(), blocks[0].into()),
            ("mock_data.yaml".into(), (*block).into()),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let list = spec
            .apis()
            .flat_map(|a| &a.methods)
            .find(|m| m.wire == "List")
            .expect("List");
        assert_eq!(list.mock_data.len(), 2, "{:?}", list.mock_data);
    }
}
