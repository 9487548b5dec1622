//! The complete example in `api-spec/README.md` is a valid spec that generates what the
//! README says it does.

use std::path::Path;

#[test]
fn the_spec_readme_example_is_valid() {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec/README.md"),
    )
    .unwrap();
    let start = readme.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let yaml = &readme[start..start + readme[start..].find("```").expect("block end")];
    let spec = codegen::load_sources(vec![("demo.yaml".into(), yaml.into())])
        .unwrap_or_else(|e| panic!("{e}"));
    let files = codegen::render(&spec).expect("renders");
    let widget = files
        .iter()
        .find(|(p, _)| p.ends_with("demo/widget.rs"))
        .map(|(_, c)| c)
        .expect("one file per API");
    for expected in [
        "pub fn list(",
        "owner: impl ::std::convert::Into<::std::string::String>",
        "pub fn stream(",
        "pub fn reset(&self, id: i64)",
        ".with_json(",
        ".with_yes_no(",
        ".with_f64(",
        "pub fn export(&self)",
        "versions: ::std::option::Option::Some(&[1]),",
    ] {
        assert!(
            widget.contains(expected),
            "generated widget.rs lacks {expected:?}"
        );
    }
    let types = files
        .iter()
        .find(|(p, _)| p.ends_with("demo/types.rs"))
        .map(|(_, c)| c)
        .expect("the family's types");
    assert!(types.contains("pub weight: f64,"), "{types}");
}

/// The imported example (the README's second YAML block) joins the first: its methods get
/// the light form, one attached to the hand-written `SYNO.Demo.Widget`.
#[test]
fn the_spec_readme_imported_example_is_valid() {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec/README.md"),
    )
    .unwrap();
    let blocks: Vec<&str> = readme
        .split("```yaml\n")
        .skip(1)
        .map(|b| &b[..b.find("```").expect("block end")])
        .collect();
    let spec = codegen::load_sources(vec![
        ("demo.yaml".into(), blocks[0].into()),
        ("imported/demo.yaml".into(), blocks[1].into()),
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let files = codegen::render(&spec).expect("renders");
    let file = |name: &str| {
        files
            .iter()
            .find(|(p, _)| p.ends_with(name))
            .map(|(_, c)| c.as_str())
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert!(
        file("demo/widget.rs")
            .contains("pub fn get_info(&self) -> crate::__rt::Call<super::GadgetInfo>")
    );
    let gadget = file("demo/gadget.rs");
    assert!(
        gadget.contains("pub fn list_all(&self) -> crate::__rt::Call<::serde_json::Value>"),
        "rust_name names the function"
    );
    assert!(gadget.contains("versions: ::std::option::Option::Some(&[1, 3]),"));
    assert!(!gadget.contains("pub struct ListRequest"), "no builder");
}
