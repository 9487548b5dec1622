//! Tests of the docs importer. Those that read `../shared` (the seeds, the doc set) say that
//! they skipped when it is absent, and fail instead under `SYNOLOGY_SHARED_REQUIRED=1`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::*;

mod fidelity;
mod hostile;

/// The workspace root.
fn root() -> PathBuf {
    absolute(Path::new(env!("CARGO_MANIFEST_DIR")), Path::new(".."))
}

/// `../shared/<rel>` beside the workspace, or `None` (and a line saying the test skipped)
/// when it is absent; absent under `SYNOLOGY_SHARED_REQUIRED=1` fails the test.
fn shared(test: &str, rel: &str) -> Option<PathBuf> {
    let path = root().join("../shared").join(rel);
    let path = absolute(&root(), &path);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("SYNOLOGY_SHARED_REQUIRED").is_ok_and(|v| v == "1") {
        panic!(
            "{test}: {} is absent and SYNOLOGY_SHARED_REQUIRED=1",
            path.display()
        );
    }
    println!(
        "{test}: skipped, {} is absent (SYNOLOGY_SHARED_REQUIRED=1 makes this a failure)",
        path.display()
    );
    None
}

/// A fresh scratch directory under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = root()
        .join("target")
        .join("import-docs-tests")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file under `dir`, relative, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = codegen::files_under(dir)
        .unwrap_or_default()
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
        .collect();
    out.sort();
    out
}

/// A small page in the seeds' format, written for these tests.
const PAGE: &str = r#"# Widgets - Basics

**Category:** Testing

[<- Back](README.md)

---

**Endpoint:** `/webapi/entry.cgi`

---

## SYNO.Demo.Widget

#### Method: `List`

**HTTP Method:** GET

**Parameters:**
- `api` (required): `SYNO.Demo.Widget`
- `version` (required): `1`
- `method` (required): `List`
- `owner` (required): Owner name
- `offset` (optional): Starting index (default: 0)
- `limit` (optional): Max results (default: 50)
- `_sid` (required): Session ID

**Response:**
```json
{
  "success": true,
  "data": {
    "widgets": [
      {"id": 7, "owner": "ann", "size": 1.5, "made": 1732788000, "tags": ["a"], "extra": null}
    ],
    "total": 1
  }
}
```

**Response Fields:**

| Field | Type | Description |
|-------|------|-------------|
| `id` | integer | Widget ID |
| `made` | integer | Creation time (Unix time) |
| `color` | string | Colour, when painted |

**States:**
- `idle` - Doing nothing

**Notes:**
- A note

---

#### Method: `Reset`

**HTTP Method:** GET or POST

**Parameters:**
- `api` (required): `SYNO.Demo.Widget`
- `version` (required): `2`
- `method` (required): `Reset`
- `id` (required): Widget ID

**Response:**
```json
{"success": true}
```

#### Method: `Later`
"#;

/// What `api-spec/spec.schema.json` (the editors' view of the format) says about a written
/// file: nothing when the file follows it.
fn schema_problems(yaml: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(codegen::schema::PATH)).expect("the schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    let validator = jsonschema::draft7::new(&schema).expect("a draft-07 schema");
    let value: serde_json::Value = serde_saphyr::from_str(yaml).expect("the file is YAML");
    validator
        .iter_errors(&value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// Imports `pages` (name, text) as if they were files of one directory.
fn import_pages(pages: &[(&str, &str)]) -> Import {
    let inputs: Vec<(PathBuf, String)> = pages
        .iter()
        .map(|(n, t)| (PathBuf::from("/pages").join(n), (*t).to_owned()))
        .collect();
    import(&root(), &inputs, Path::new("/out"))
}

/// A page of every kind of line becomes a spec that loads: table types, `UnixTime`, optional
/// fields, defaults, examples, pagination, vocabulary notes, versions, `GET or POST`, no `_sid`.
#[test]
fn a_page_becomes_a_valid_spec_with_types_defaults_examples_and_pagination() {
    let import = import_pages(&[("widgets.md", PAGE)]);
    let [(page, Outcome::Imported(file, counts, left_out))] = import.pages.as_slice() else {
        panic!("{}", import.report());
    };
    assert_eq!(
        (page.as_str(), file.as_str()),
        ("widgets.md", "widgets.yaml")
    );
    assert_eq!(*counts, [1, 2, 2]);
    assert_eq!(
        left_out,
        &[(72, "an empty method section (a heading and nothing else)")]
    );
    let yaml = &import.files[0].1;
    assert!(
        yaml.starts_with("# yaml-language-server: $schema="),
        "{yaml}"
    );
    for line in [
        "  WidgetList:",
        r#"      made: { type: "UnixTime", description: "Creation time (Unix time)" }"#,
        r#"      color: { type: "string", optional: true, description: "Colour, when painted" }"#,
        r#"      extra: { type: "json", optional: true, description: "Not described by the documentation (seen in the example)." }"#,
        r#"          owner: { type: "string", required: true, example: "ann", description: "Owner name" }"#,
        r#"          limit: { type: "i64", default: 50, description: "Max results" }"#,
        "        pagination: { offset: offset, limit: limit, items: widgets, total: total }",
        r#"          - "States: `idle` - Doing nothing""#,
        "    versions: { min: 1, max: 2 }",
        "        http: POST",
        "        min_version: 2",
        "        session: false",
        r#"          id: { type: "i64", required: true, example: 7, description: "Widget ID" }"#,
    ] {
        assert!(
            yaml.lines().any(|l| l == line),
            "no line {line:?} in\n{yaml}"
        );
    }
    assert_eq!(schema_problems(yaml), Vec::<String>::new());
    let spec = codegen::load_sources(vec![(file.clone(), yaml.clone())]).expect("loads");
    let api = spec.apis().next().unwrap();
    assert_eq!(api.methods[0].params.len(), 3);
}

/// A table describing the answer's outer and inner objects describes both; a table field the
/// example lacks is refused when more than one object could hold it.
#[test]
fn a_table_of_outer_and_inner_fields_describes_both_and_adds_nothing_it_cannot_place() {
    let outer_row = "| `total` | integer | Number of widgets |\n| `id` | integer | Widget ID |";
    let page = PAGE
        .replace("| `id` | integer | Widget ID |", outer_row)
        .replace("| `color` | string | Colour, when painted |\n", "");
    let import = import_pages(&[("widgets.md", &page)]);
    let [(_, Outcome::Imported(..))] = import.pages.as_slice() else {
        panic!("{}", import.report());
    };
    let yaml = &import.files[0].1;
    assert!(yaml.contains(r#"total: { type: "i64", description: "Number of widgets" }"#));
    assert!(yaml.contains(r#"id: { type: "i64", description: "Widget ID" }"#));
    assert!(
        !yaml.contains("optional: true, description: \"Widget ID"),
        "{yaml}"
    );
    // `color` is in no example object, and two objects have fields of the table.
    let page = PAGE.replace("| `id` | integer | Widget ID |", outer_row);
    let report = import_pages(&[("widgets.md", &page)]).report();
    assert!(
        report
            .contains("widgets.md:48: field `color` of the table could belong to several objects"),
        "{report}"
    );
}

/// `(default: X)` moves out of a description only when X is one word.
#[test]
fn defaults_come_out_of_descriptions() {
    use super::params::split_default;
    assert_eq!(
        split_default("Starting index (default: 0)"),
        ("Starting index".into(), Some("0".into()))
    );
    assert_eq!(
        split_default("Format (`cookie` or `sid`, default: `cookie`)"),
        ("Format (`cookie` or `sid`)".into(), Some("cookie".into()))
    );
    assert_eq!(
        split_default("Max (default: -1 = all)"),
        ("Max (-1 = all)".into(), Some("-1".into()))
    );
    assert_eq!(
        split_default("Max (default: every one)"),
        ("Max (default: every one)".into(), None)
    );
    assert_eq!(split_default("Plain"), ("Plain".into(), None));
}

/// The `$schema` line is relative from each file's directory, subdirectories included.
#[test]
fn schema_paths_are_relative_when_they_can_be() {
    assert_eq!(
        relative(
            Path::new("/w/out"),
            Path::new("/w/main/api-spec/spec.schema.json")
        ),
        "../main/api-spec/spec.schema.json"
    );
    assert_eq!(
        relative(
            Path::new("/w/main/api-spec"),
            Path::new("/w/main/api-spec/s.json")
        ),
        "s.json"
    );
    let import = import_pages(&[
        ("a/widgets.md", PAGE),
        (
            "b/other.md",
            &PAGE.replace("SYNO.Demo.Widget", "SYNO.Other.Widget"),
        ),
    ]);
    let first = import
        .files
        .iter()
        .map(|(f, y)| (f.as_str(), y.lines().next().unwrap_or("")))
        .collect::<Vec<_>>();
    let schema = root().join("api-spec/spec.schema.json");
    let expected = format!(
        "# yaml-language-server: $schema={}",
        relative(Path::new("/out/a"), &schema)
    );
    assert_eq!(first[0], ("a/widgets.yaml", expected.as_str()));
    assert!(expected.contains("../../"), "{expected}");
}

/// Type names that clash get the family prefix; a second page declaring an API is refused.
#[test]
fn clashing_names_and_apis_are_resolved_in_page_order() {
    let other = PAGE.replace("SYNO.Demo.Widget", "SYNO.Other.Widget");
    let import = import_pages(&[("b.md", &other), ("a.md", PAGE), ("c.md", PAGE)]);
    let report = import.report();
    assert!(report.contains("imported a.md -> a.yaml"), "{report}");
    assert!(report.contains("imported b.md -> b.yaml"), "{report}");
    assert!(
        report.contains("refused  c.md:13: API `SYNO.Demo.Widget` is already declared by a.md"),
        "{report}"
    );
    let b = &import.files[1].1;
    assert!(b.contains("\n  OtherWidgetList:\n"), "{b}");
    assert_eq!(import.files.len(), 2);
}

/// A method whose answer is described in words (a file) is left out and reported; the rest
/// of the page imports. A page of nothing else is refused.
#[test]
fn a_method_answering_a_file_is_left_out_and_the_page_imports() {
    let page = PAGE.replace(
        "#### Method: `Later`",
        "#### Method: `Export`\n\n**HTTP Method:** GET\n\n**Parameters:**\n\
         - `api` (required): `SYNO.Demo.Widget`\n- `version` (required): `1`\n\
         - `method` (required): `Export`\n\n**Response:**\n- Returns a ZIP file\n\
         - of every widget\n\n**Notes:**\n- Large\n\n---\n\n#### Method: `Later`",
    );
    let import = import_pages(&[("w.md", &page)]);
    let [(_, Outcome::Imported(_, counts, left_out))] = import.pages.as_slice() else {
        panic!("{}", import.report());
    };
    assert_eq!(*counts, [1, 2, 2]);
    let export = page.lines().position(|l| l.contains("`Export`")).unwrap() + 1;
    assert!(
        left_out.contains(&(
            export,
            "a method whose answer is not JSON (a file, an image, prose)"
        )),
        "{left_out:?}"
    );
    assert!(
        !import.files[0].1.contains("Export"),
        "{}",
        import.files[0].1
    );

    let only = "# Files\n\n**Endpoint:** `/webapi/entry.cgi`\n\n## SYNO.Demo.File\n\n\
                #### Method: `get`\n\n**Response:**\n- Returns the file\n";
    let import = import_pages(&[("f.md", only)]);
    assert!(
        import.report().contains(
            "refused  f.md:5: API `SYNO.Demo.File` documents no method the spec can describe"
        ),
        "{}",
        import.report()
    );
}

/// Runs the command with `args`.
fn run(args: &[&str]) -> ExitCode {
    main(&root(), args).expect("no I/O error")
}

/// Usage errors (no files, no or two `--out`, an unknown option, an unreadable file, an
/// `--out` in `api-spec/`) exit 2 and write nothing.
#[test]
fn bad_command_lines_exit_2_and_write_nothing() {
    let dir = scratch("usage");
    let page = dir.join("page.md");
    std::fs::write(&page, PAGE).unwrap();
    let page = page.to_str().unwrap();
    let out = dir.join("out");
    let out_s = out.to_str().unwrap();
    let missing = dir.join("missing.md");
    for args in [
        vec![],
        vec![page],
        vec!["--out", out_s],
        vec![page, "--out"],
        vec![page, "--out", out_s, "--out", out_s],
        vec![page, "--out", out_s, "--frobnicate"],
        vec![page, missing.to_str().unwrap(), "--out", out_s],
        vec![page, "--out", "api-spec"],
        vec![page, "--out", "api-spec/docs"],
        vec![page, "--out", "xtask/../api-spec/./docs"],
    ] {
        assert_eq!(run(&args), ExitCode::from(2), "{args:?}");
        assert!(!out.exists(), "{args:?}");
    }
    assert!(!root().join("api-spec/docs").exists());
}

/// A refused page writes nothing, the others are written whole and load, a second run writes
/// the same bytes, and no temporary file is left behind.
#[test]
fn a_refused_page_writes_nothing_and_the_others_are_written_whole() {
    let dir = scratch("partial");
    std::fs::write(dir.join("good.md"), PAGE).unwrap();
    std::fs::write(dir.join("bad.md"), &PAGE[..PAGE.len() / 2]).unwrap();
    let out = dir.join("out");
    let args = [dir.join("good.md"), dir.join("bad.md")];
    let code = run(&[
        args[0].to_str().unwrap(),
        args[1].to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, ExitCode::FAILURE);
    assert_eq!(listing(&out), ["good.yaml"]);
    codegen::load(&out).expect("the written file loads");
    // Again: the same bytes.
    let before = std::fs::read(out.join("good.yaml")).unwrap();
    run(&[args[0].to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(out.join("good.yaml")).unwrap(), before);
    assert_eq!(listing(&out), ["good.yaml"]);
}

/// Imports a seed page and loads it beside its hand-written spec file.
fn seed_specs(test: &str, seed: &str, hand: &str) -> Option<(codegen::ir::Spec, String, String)> {
    let path = shared(test, &format!("seeds/{seed}"))?;
    let text = std::fs::read_to_string(&path).unwrap();
    let import = import(&root(), &[(path, text)], &root().join("target/seed-out"));
    let [(_, Outcome::Imported(file, _, left_out))] = import.pages.as_slice() else {
        panic!("{}", import.report());
    };
    assert!(left_out.is_empty());
    let hand_text = std::fs::read_to_string(root().join("api-spec").join(hand)).unwrap();
    let hand =
        codegen::load_sources(vec![(hand.to_owned(), hand_text)]).expect("hand-written spec loads");
    Some((hand, file.clone(), import.files[0].1.clone()))
}

/// The differences between a hand-written spec and an imported YAML text.
fn diff(hand: &codegen::ir::Spec, file: &str, yaml: &str) -> Vec<String> {
    let imported =
        codegen::load_sources(vec![(file.to_owned(), yaml.to_owned())]).expect("import loads");
    compare::differences(hand, &imported)
}

/// The proof of the issue: each seed page, imported, describes what its hand-written spec
/// describes, compared on the loaded models with only the README's allowed differences.
#[test]
fn the_seeds_import_as_their_hand_written_specs_describe_them() {
    for (seed, hand) in [
        ("cloud-sync-connections.md", "cloud_sync.yaml"),
        ("synology-drive-connections.md", "synology_drive.yaml"),
    ] {
        let Some((hand, file, yaml)) = seed_specs("seeds", seed, hand) else {
            return;
        };
        let d = diff(&hand, &file, &yaml);
        assert!(d.is_empty(), "{seed}:\n{}", d.join("\n"));
    }
}

/// The comparison can fail: each deliberate change to an imported seed is reported.
#[test]
fn the_seed_comparison_catches_a_changed_parameter_field_or_note() {
    let Some((hand, file, yaml)) = seed_specs(
        "seed comparison",
        "cloud-sync-connections.md",
        "cloud_sync.yaml",
    ) else {
        return;
    };
    for (from, to, expected) in [
        (
            "default: 100,",
            "default: 10,",
            "Connection.Log.List(limit): default",
        ),
        (
            "conn_id: { type: \"i64\", required: true",
            "conn_id: { type: \"u32\", required: true",
            "Connection.Get(conn_id): type",
        ),
        (
            "conn_id: { type: \"i64\", required: true, example: 1",
            "conn_id: { type: \"i64\", example: 1",
            "Connection.Get(conn_id): required",
        ),
        (
            "description: \"Connection display name\"",
            "description: \"Display name\"",
            ".display_name: description",
        ),
        (
            "- \"Logs are retained for limited time\"",
            "- \"Logs are kept\"",
            "Connection.Log.List: notes",
        ),
        (
            "        http: POST",
            "        http: GET",
            "Connection.Pause: http",
        ),
        (
            "pagination: {",
            "# pagination: {",
            "Connection.Log.List: pagination",
        ),
    ] {
        assert!(yaml.contains(from), "{from}");
        let changed = yaml.replacen(from, to, 1);
        let d = diff(&hand, &file, &changed);
        assert!(
            d.iter().any(|l| l.contains(expected)),
            "{expected} not in {d:#?}"
        );
    }
}

/// The checked-in report of the whole doc set.
const SNAPSHOT: &str = "src/import_docs/doc_set_report.txt";

/// The whole doc set: the report matches the checked-in snapshot, and what the command
/// writes is exactly the imported files, which load together.
#[test]
fn the_doc_set_report_matches_its_snapshot_and_what_imports_loads() {
    let Some(dir) = shared("doc set", "fixtures/doc-set") else {
        return;
    };
    // ABOUT.md and LICENSE describe the fixture; they are no pages of the published set.
    let files: Vec<PathBuf> = codegen::files_under(&dir)
        .unwrap()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("ABOUT.md"))
        .collect();
    assert_eq!(files.len(), 122);
    let out = scratch("doc-set");
    let mut args: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
    let out_s = out.join("out");
    args.extend(["--out", out_s.to_str().unwrap()]);
    run(&args);
    let inputs: Vec<(PathBuf, String)> = files
        .iter()
        .map(|p| (p.clone(), std::fs::read_to_string(p).unwrap()))
        .collect();
    let import = import(&root(), &inputs, &out_s);
    let report = import.report();
    let written = listing(&out_s);
    let expected: Vec<String> = import.files.iter().map(|(f, _)| f.clone()).collect();
    assert_eq!(written, expected);
    codegen::load(&out_s).expect("every written file loads with the others");
    for (f, y) in &import.files {
        assert!(y.starts_with("# yaml-language-server: $schema=../"), "{f}");
        assert_eq!(schema_problems(y), Vec::<String>::new(), "{f}");
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT);
    if std::env::var("UPDATE_EXPECT").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &report).unwrap();
        return;
    }
    let snapshot = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        snapshot == report,
        "the doc set's import report differs from {SNAPSHOT} (UPDATE_EXPECT=1 rewrites it):\n{report}"
    );
}
