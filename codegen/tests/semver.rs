//! Generated types can grow in a minor release: response structs and every open enum are
//! `#[non_exhaustive]`; a struct callers pass as a parameter stays constructible.

#[test]
fn response_types_are_non_exhaustive_parameter_structs_are_not() {
    let yaml = r#"
types:
  Filter:
    description: What to list; callers build it.
    fields:
      owner: { type: string, description: Owner }
      range: { type: Range, description: Nested so callers build it too }
  Range:
    description: A range.
    fields:
      from: { type: i64, description: From }
  Page:
    description: A page.
    fields:
      items: { type: list<string>, description: Items }
      kind: { type: Kind, description: Kind }
  Kind:
    description: A kind.
    enum: string
    values:
      - { value: file, description: A file }
apis:
  SYNO.Demo.Item:
    description: Items.
    path: entry.cgi
    versions: { min: 1, max: 1 }
    methods:
      List:
        http: GET
        description: Lists.
        response: Page
        params:
          filter: { type: Filter, encoding: json, description: A filter }
"#;
    let spec = codegen::load_sources(vec![("demo.yaml".into(), yaml.into())])
        .unwrap_or_else(|e| panic!("{e}"));
    let files = codegen::render(&spec).expect("renders");
    let types = files
        .iter()
        .find(|(p, _)| p.ends_with("demo/types.rs"))
        .map(|(_, c)| c)
        .expect("a types file");
    let attrs_of = |item: &str| {
        let at = types
            .find(item)
            .unwrap_or_else(|| panic!("{item} is generated"));
        let start = types[..at].rfind("\n\n").unwrap_or(0);
        types[start..at].to_owned()
    };
    for item in ["pub struct Page ", "pub enum Kind "] {
        assert!(attrs_of(item).contains("#[non_exhaustive]"), "{item}");
    }
    for item in ["pub struct Filter ", "pub struct Range "] {
        assert!(!attrs_of(item).contains("#[non_exhaustive]"), "{item}");
    }
    assert!(types.contains("pub fn as_str(&self) -> &str"));
}
