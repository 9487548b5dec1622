//! A synthetic spec of N APIs with the variety of real ones, for benchmarks: families of ten
//! APIs (the first family-level), every field type, nested types, string- and integer-coded
//! enums, a paginated list, a GET with every kind of parameter, a POST with a minimum version.

use std::fmt::Write;

/// APIs per family.
const PER_FAMILY: usize = 10;

/// Spec files for `n` APIs (3 methods each), `core.yaml` excluded: `(file name, YAML)`.
pub fn spec(n: usize) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for family in 0..n.div_ceil(PER_FAMILY) {
        let mut types = String::from("types:\n");
        let mut apis = String::from("apis:\n");
        for i in family * PER_FAMILY..((family + 1) * PER_FAMILY).min(n) {
            let name = if i % PER_FAMILY == 0 {
                format!("SYNO.Synth{family}")
            } else {
                format!("SYNO.Synth{family}.Api{i}")
            };
            push_types(&mut types, i);
            push_api(&mut apis, &name, i);
        }
        files.push((format!("synth{family:04}.yaml"), format!("{types}\n{apis}")));
    }
    files
}

fn push_types(out: &mut String, i: usize) {
    let _ = write!(
        out,
        r#"  Item{i}:
    description: Item {i} with every field type.
    fields:
      id: {{ type: i64, description: ID }}
      tiny: {{ type: i8, description: i8 }}
      small: {{ type: i16, description: i16 }}
      medium: {{ type: i32, description: i32 }}
      byte: {{ type: u8, description: u8 }}
      port: {{ type: u16, description: u16 }}
      count: {{ type: u32, description: u32 }}
      size: {{ type: u64, description: Bytes }}
      name: {{ type: string, description: Name }}
      enabled: {{ type: bool, description: Enabled }}
      created: {{ type: UnixTime, description: Created }}
      raw: {{ type: json, description: Raw }}
      tags: {{ type: list<string>, description: Tags }}
      ports: {{ type: list<u16>, description: Ports }}
      labels: {{ type: map<string>, description: Labels }}
      part: {{ type: Part{i}, description: Nested }}
      parts: {{ type: list<Part{i}>, optional: true, description: Nested list }}
      color: {{ type: Color{i}, description: String enum }}
      level: {{ type: Level{i}, description: Integer enum }}
      type: {{ type: string, description: Keyword field }}
      token: {{ type: string, secret: true, optional: true, description: Secret }}
  Part{i}:
    description: Part {i}.
    fields:
      label: {{ type: string, description: Label }}
      weight: {{ type: u64, optional: true, description: Weight }}
  Color{i}:
    description: Color {i}.
    enum: string
    values:
      - {{ value: red, description: Red }}
      - {{ value: dark-blue, description: Dark blue }}
      - {{ value: "3d", name: ThreeD, description: 3D }}
  Level{i}:
    description: Level {i}.
    enum: integer
    values:
      - {{ value: 0, name: Info, description: Info }}
      - {{ value: 2, name: Error, description: Error }}
  Page{i}:
    description: Page {i}.
    fields:
      items: {{ type: list<Item{i}>, description: Items }}
      total: {{ type: u64, description: Total }}
"#
    );
}

fn push_api(out: &mut String, name: &str, i: usize) {
    let _ = write!(
        out,
        r#"  {name}:
    description: Synthetic API {i}.
    path: entry.cgi
    versions: {{ min: 1, max: 2 }}
    errors:
      - {{ code: 400, name: Synth{i}Busy, description: Busy }}
    methods:
      list_items:
        http: GET
        description: Lists items.
        params:
          offset: {{ type: i64, default: 0, description: Start }}
          limit: {{ type: i64, default: 100, description: Page size }}
          filter: {{ type: string, description: Filter }}
          color: {{ type: Color{i}, description: Color }}
        response: Page{i}
        pagination: {{ offset: offset, limit: limit, items: items, total: total }}
        example: '{{"success": true, "data": {{"items": [], "total": 0}}}}'
      get_item:
        http: GET
        description: Gets an item.
        params:
          id: {{ type: i64, required: true, example: 1, description: ID }}
          name: {{ type: string, required: true, example: x, description: Name }}
          force: {{ type: bool, encoding: yes_no, description: Force }}
          since: {{ type: UnixTime, description: Since }}
          ids: {{ type: list<i64>, encoding: json, description: IDs }}
          level: {{ type: Level{i}, description: Level }}
        response: Item{i}
      set_item:
        http: POST
        min_version: 2
        description: Sets an item.
        params:
          id: {{ type: i64, required: true, example: 1, description: ID }}
          format: {{ const: sid, description: Constant }}
          secret: {{ type: string, secret: true, description: Secret }}
        example: '{{"success": true}}'
"#
    );
}
