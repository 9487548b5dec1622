//! The spec diff's rules, one test per row of the table "What a spec change means for
//! semver" in api-spec/README.md: each loads an OLD and a NEW spec written here, diffs them,
//! and checks the verdict and the change the row names. The last test keeps the table, the
//! rules in `codegen::diff::Rule` and these tests the same list.

#[path = "diff_rules/params.rs"]
mod params;
#[path = "diff_rules/surface.rs"]
mod surface;
#[path = "diff_rules/types.rs"]
mod types;

use codegen::diff::{Diff, Level, Rule, diff};

/// A hand-written family: a paginated method with required and optional parameters, a
/// struct callers build (`Filter`), response structs and an open enum.
const DEMO: &str = r#"
types:
  Page:
    description: A page.
    fields:
      items: { type: list<Item>, description: Items }
      names: { type: list<string>, optional: true, description: Names }
      total: { type: u64, description: Total }
  Item:
    description: An item.
    fields:
      id: { type: i64, description: ID }
      name: { type: string, description: Name }
      token: { type: string, optional: true, description: Token }
      kind: { type: Kind, description: Kind }
  Kind:
    description: A kind.
    enum: string
    values:
      - { value: file, description: A file }
      - { value: dir, description: A directory }
  Filter:
    description: What to list; callers build it.
    fields:
      owner: { type: string, description: Owner }
apis:
  SYNO.Demo.Item:
    description: Items.
    path: entry.cgi
    versions: { min: 1, max: 2 }
    errors:
      - { code: 400, name: ItemBusy, description: The item is busy }
    methods:
      List:
        http: GET
        description: Lists items.
        params:
          owner: { type: string, required: true, example: ann, description: Owner }
          id: { type: i64, required: true, example: 1, description: ID }
          offset: { type: i64, description: Offset }
          limit: { type: i64, description: Limit }
          filter: { type: Filter, encoding: json, description: A filter }
          verbose: { type: bool, description: More detail }
        response: Page
        pagination: { offset: offset, limit: limit, items: items, total: total }
      Delete:
        http: POST
        description: Deletes an item.
        params:
          id: { type: i64, required: true, example: 1, description: ID }
"#;

/// Imported items of the same family: a method of a hand-written API, an imported API, an
/// imported type. They make the feature `demo-all`.
const DEMO_IMPORTED: &str = r#"
imported: true
types:
  GadgetInfo:
    description: A gadget.
    fields:
      model: { type: string, optional: true, description: Model }
apis:
  SYNO.Demo.Item:
    methods:
      get_info: { description: Gets details., http: GET }
  SYNO.Demo.Gadget:
    description: Gadgets.
    path: entry.cgi
    versions: { min: 1, max: 3 }
    methods:
      list:
        description: Lists gadgets.
        response: GadgetInfo
        params:
          limit: { type: i64, description: Page size }
"#;

/// Another hand-written family, sorted before `demo`.
const ALPHA: &str = r#"
apis:
  SYNO.Alpha.Thing:
    description: Things.
    path: entry.cgi
    versions: { min: 1, max: 1 }
    methods:
      Get:
        http: GET
        description: Gets a thing.
"#;

/// Another hand-written family, sorted after `demo`.
const ZETA: &str = r#"
apis:
  SYNO.Zeta.Thing:
    description: Things.
    path: entry.cgi
    versions: { min: 1, max: 1 }
    methods:
      Get:
        http: GET
        description: Gets a thing.
"#;

/// A runtime-only family.
const RUNTIME: &str = r#"
apis:
  SYNO.Probe.Ping:
    description: Probes.
    path: entry.cgi
    versions: { min: 1, max: 1 }
    internal: true
    methods:
      ping:
        http: GET
        description: Pings.
"#;

type Files = Vec<(String, String)>;

/// The usual spec: every file above.
fn base() -> Files {
    [
        ("demo.yaml", DEMO),
        ("dsm/demo.yaml", DEMO_IMPORTED),
        ("alpha.yaml", ALPHA),
        ("zeta.yaml", ZETA),
        ("runtime.yaml", RUNTIME),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_owned(), t.to_owned()))
    .collect()
}

/// `files` with `from` replaced by `to` in `file` (where it must occur exactly once).
fn edit(files: &Files, file: &str, from: &str, to: &str) -> Files {
    let mut files = files.clone();
    let (_, text) = files
        .iter_mut()
        .find(|(n, _)| n == file)
        .unwrap_or_else(|| panic!("no file {file}"));
    assert_eq!(text.matches(from).count(), 1, "`{from}` in {file}");
    *text = text.replacen(from, to, 1);
    files
}

/// `files` without `file`.
fn without(files: &Files, file: &str) -> Files {
    files.iter().filter(|(n, _)| n != file).cloned().collect()
}

/// `files` with one more file.
fn with(files: &Files, file: &str, text: &str) -> Files {
    let mut files = files.clone();
    files.push((file.to_owned(), text.to_owned()));
    files
}

fn run(old: &Files, new: &Files) -> Diff {
    let load = |files: &Files| {
        codegen::load_sources(files.clone()).unwrap_or_else(|e| panic!("the spec loads: {e}"))
    };
    diff(&load(old), &load(new))
}

/// The diff from `old` to `new` has `rule`'s level as its verdict and a change under `rule`
/// whose line contains `needle`.
#[track_caller]
fn check(old: &Files, new: &Files, rule: Rule, needle: &str) -> Diff {
    let d = run(old, new);
    assert_eq!(d.verdict(), Some(rule.level()), "{d}");
    assert!(
        d.changes
            .iter()
            .any(|c| c.rule == rule && c.to_string().contains(needle)),
        "no {rule:?} change with `{needle}` in:\n{d}"
    );
    d
}

/// Replaces `from` by `to` in demo.yaml.
fn demo(from: &str, to: &str) -> Files {
    edit(&base(), "demo.yaml", from, to)
}

/// List's optional `verbose`.
const VERBOSE: &str = "          verbose: { type: bool, description: More detail }\n";

/// Delete's parameters, to edit them (List has an `id` too).
const DELETE_PARAMS: &str = "description: Deletes an item.\n        params:\n          id: { type: i64, required: true, example: 1, description: ID }";

#[test]
fn the_base_spec_against_itself_is_no_change() {
    let d = run(&base(), &base());
    assert_eq!(d.verdict(), None, "{d}");
    assert_eq!(
        d.render(Level::Patch),
        "verdict: none (no change for users of the crate)\n"
    );
}

// The table.

/// Tests of this file that are no row of the table.
const NOT_ROWS: [&str; 3] = [
    "the_base_spec_against_itself_is_no_change",
    "the_readme_table_is_the_rules_and_their_tests",
    "a_runtime_method_using_a_public_type_leaves_it_where_it_is",
];

/// The README's table is `Rule::ALL`, row for row (change, verdict, why, test), and the
/// tests of this file are its rows' tests (and `NOT_ROWS`): none can drift from the others.
#[test]
fn the_readme_table_is_the_rules_and_their_tests() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("api-spec/README.md")).unwrap();
    let section = readme
        .split("\n## What a spec change means for semver\n")
        .nth(1)
        .expect("api-spec/README.md has the section");
    let section = section.split("\n## ").next().unwrap();
    let rows: Vec<Vec<String>> = section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| ---") && !l.starts_with("| change |"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect();
    let expected: Vec<Vec<String>> = Rule::ALL
        .iter()
        .map(|r| {
            vec![
                r.change().to_owned(),
                r.level().to_string(),
                r.why().to_owned(),
                format!("`{}`", r.test()),
            ]
        })
        .collect();
    for (row, want) in rows.iter().zip(&expected) {
        assert_eq!(row, want, "a README row differs from its rule");
    }
    assert_eq!(rows.len(), expected.len(), "README rows vs rules");

    let tests_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut sources = vec![std::fs::read_to_string(tests_dir.join("diff_rules.rs")).unwrap()];
    for entry in std::fs::read_dir(tests_dir.join("diff_rules")).unwrap() {
        sources.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    let tests: std::collections::BTreeSet<&str> = sources
        .iter()
        .flat_map(|s| s.split("#[test]\nfn ").skip(1))
        .map(|rest| rest.split('(').next().unwrap())
        .filter(|name| !NOT_ROWS.contains(name))
        .collect();
    let rows: std::collections::BTreeSet<&str> = Rule::ALL.iter().map(|r| r.test()).collect();
    assert_eq!(
        tests.difference(&rows).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "tests that are no row of the table"
    );
    assert_eq!(
        rows.difference(&tests).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "rows whose test is missing"
    );
}
