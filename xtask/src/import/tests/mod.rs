//! Tests of the importer. Those that need DSM's declarations (`../shared/fixtures/dsm-lib`
//! beside the workspace) say that they skipped when a clone has none. Here: whole imports
//! (counts, validity, a second import and `--check`, malformed input, arguments, `--only`,
//! recorded parameters, the checked-in pins); in `types.rs`, the building blocks on small
//! inputs made there (types inferred from schemas, method versions, pinned names).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::*;

mod types;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The fixtures, or `None` (and a line saying the test skipped) when they are absent.
fn fixtures(test: &str) -> Option<PathBuf> {
    let dir = root().join(DEFAULT_DIR);
    if dir.join("apis.json").is_file() {
        Some(dir)
    } else {
        println!("{test}: skipped, no fixtures at {}", dir.display());
        None
    }
}

/// A fresh scratch directory under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = root()
        .join("target")
        .join("import-tests")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn options(dir: &Path, out: &Path, check: bool) -> Options {
    Options {
        dir: dir.to_path_buf(),
        dir_given: true,
        out: out.to_path_buf(),
        check,
        only: Vec::new(),
    }
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap()
}

/// Method names of one version's list: a list, or an object whose values are the names.
fn names_of(list: &Value) -> Vec<String> {
    let items: Vec<&Value> = match list {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) => o.values().collect(),
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

#[test]
fn counts_match_a_count_made_from_the_json() {
    let Some(dir) = fixtures("counts_match_a_count_made_from_the_json") else {
        return;
    };
    // What the hand-written files declare, read here as plain YAML.
    let mut hand: BTreeMap<String, (u64, u64, BTreeSet<String>)> = BTreeMap::new();
    for e in std::fs::read_dir(root().join("api-spec")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            let v = yaml(&std::fs::read_to_string(&p).unwrap());
            for (name, api) in v["apis"].as_object().into_iter().flatten() {
                let methods = api["methods"].as_object().unwrap().keys().cloned();
                let (min, max) = (
                    api["versions"]["min"].as_u64().unwrap(),
                    api["versions"]["max"].as_u64().unwrap(),
                );
                hand.entry(name.clone())
                    .or_insert((min, max, BTreeSet::new()))
                    .2
                    .extend(methods);
            }
        }
    }
    let apis: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("apis.json")).unwrap()).unwrap();
    let (mut imported, mut attached, mut methods, mut typed) = (0, 0, 0, 0);
    for (name, api) in apis
        .as_object()
        .unwrap()
        .values()
        .flat_map(|f| f.as_object().unwrap())
    {
        if name.starts_with("SYNO.API.") {
            continue;
        }
        let by_hand = hand.get(name);
        let (min, max) = by_hand.map_or(
            (
                api["minVersion"].as_u64().unwrap(),
                api["maxVersion"].as_u64().unwrap(),
            ),
            |h| (h.0, h.1),
        );
        let mut offered: BTreeSet<String> = BTreeSet::new();
        for (v, list) in api["methods"].as_object().into_iter().flatten() {
            let v: u64 = v.parse().unwrap();
            if (min..=max).contains(&v) {
                offered.extend(names_of(list));
            }
        }
        if let Some(h) = by_hand {
            offered.retain(|m| !h.2.contains(m));
        }
        // Names that differ only in case (`GetInfo`, `getInfo`) are all kept.
        let kept = offered;
        if kept.is_empty() {
            continue;
        }
        if by_hand.is_some() {
            attached += 1;
        } else {
            imported += 1;
        }
        methods += kept.len();
        for m in &kept {
            let file = dir
                .join("response-schemas")
                .join(format!("{name}-{m}.json"));
            if let Ok(text) = std::fs::read_to_string(file) {
                let s: Value = serde_json::from_str(&text).unwrap();
                let props = s["properties"].as_object().is_some_and(|p| !p.is_empty());
                if s["type"] == "object" && (props || s["additionalProperties"].is_object()) {
                    typed += 1;
                }
            }
        }
    }
    // What the files say, read back as plain YAML.
    let rendered = render(
        &dir,
        &root().join("api-spec"),
        &root().join("api-spec/dsm"),
        &[],
    )
    .unwrap();
    let (mut w_imported, mut w_attached, mut w_methods, mut w_typed) = (0, 0, 0, 0);
    for (_, text) in &rendered.files {
        let v = yaml(text);
        assert_eq!(v["imported"], json!(true));
        for api in v["apis"].as_object().unwrap().values() {
            if api.get("description").is_some() {
                w_imported += 1;
            } else {
                w_attached += 1;
                assert_eq!(
                    api.as_object().unwrap().len(),
                    1,
                    "an attached api has only methods"
                );
            }
            for m in api["methods"].as_object().unwrap().values() {
                w_methods += 1;
                w_typed += usize::from(m.get("response").is_some());
            }
        }
    }
    println!("imported {imported}, attached {attached}, methods {methods}, typed {typed}");
    assert_eq!(
        (w_imported, w_attached, w_methods, w_typed),
        (imported, attached, methods, typed)
    );
    let c = &rendered.counts;
    assert_eq!(
        (c.imported_apis, c.attached_apis, c.methods, c.typed_methods),
        (imported, attached, methods, typed)
    );
}

#[test]
fn the_import_is_a_valid_spec_with_the_hand_written_files() {
    let Some(dir) = fixtures("the_import_is_a_valid_spec_with_the_hand_written_files") else {
        return;
    };
    let mut sources = Vec::new();
    for e in std::fs::read_dir(root().join("api-spec")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            sources.push((name, std::fs::read_to_string(&p).unwrap()));
        }
    }
    let rendered = render(
        &dir,
        &root().join("api-spec"),
        &root().join("api-spec/dsm"),
        &[],
    )
    .unwrap();
    sources.extend(
        rendered
            .files
            .into_iter()
            .map(|(n, t)| (format!("dsm/{n}"), t)),
    );
    if let Err(e) = codegen::load_sources(sources) {
        panic!("{e}");
    }
}

#[test]
fn a_second_import_writes_the_same_bytes_and_check_sees_one_changed_byte() {
    let Some(dir) =
        fixtures("a_second_import_writes_the_same_bytes_and_check_sees_one_changed_byte")
    else {
        return;
    };
    let out = scratch("reimport");
    assert_eq!(
        run(&root(), &options(&dir, &out, false)).unwrap(),
        ExitCode::SUCCESS
    );
    let read = |out: &Path| -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect()
    };
    let first = read(&out);
    assert!(first.contains_key("core.yaml") && !first.keys().any(|n| n.starts_with('.')));
    assert_eq!(
        run(&root(), &options(&dir, &out, false)).unwrap(),
        ExitCode::SUCCESS
    );
    assert_eq!(read(&out), first, "a second import changes nothing");
    assert_eq!(
        run(&root(), &options(&dir, &out, true)).unwrap(),
        ExitCode::SUCCESS
    );
    // One byte changed: --check fails, names the file and writes nothing.
    let path = out.join("core.yaml");
    let mut bytes = first["core.yaml"].clone();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'a' { b'b' } else { b'a' };
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(
        run(&root(), &options(&dir, &out, true)).unwrap(),
        ExitCode::FAILURE
    );
    let rendered = render(
        &dir,
        &root().join("api-spec"),
        &root().join("api-spec/dsm"),
        &[],
    )
    .unwrap();
    assert_eq!(
        changes(&out, &rendered.files, true).unwrap(),
        [Change::Stale("core.yaml".into())]
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "--check writes nothing"
    );
    // An orphaned imported file is found too; a file without the header is left alone.
    std::fs::write(out.join("gone.yaml"), format!("{}\n", yaml::HEADER)).unwrap();
    std::fs::write(out.join("mine.yaml"), "source: x\n").unwrap();
    let found = changes(&out, &rendered.files, true).unwrap();
    assert!(found.contains(&Change::Orphan("gone.yaml".into())));
    assert!(!found.iter().any(|c| c.to_string().contains("mine.yaml")));
    assert_eq!(
        run(&root(), &options(&dir, &out, false)).unwrap(),
        ExitCode::SUCCESS
    );
    assert_eq!(std::fs::read(&path).unwrap(), first["core.yaml"]);
    assert!(!out.join("gone.yaml").exists() && out.join("mine.yaml").exists());
    let _ = std::fs::remove_dir_all(&out);
}

/// Copies the fixtures, lets `corrupt` break the copy, and returns the import's error.
fn error_with(name: &str, corrupt: impl FnOnce(&Path)) -> Option<String> {
    let dir = fixtures(name)?;
    let copy = scratch(name);
    let (fx, out) = (copy.join("fixtures"), copy.join("out"));
    std::fs::create_dir_all(fx.join("response-schemas")).unwrap();
    for f in ["apis.json", "required_params.json"] {
        std::fs::copy(dir.join(f), fx.join(f)).unwrap();
    }
    for e in std::fs::read_dir(dir.join("response-schemas")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, fx.join("response-schemas").join(p.file_name().unwrap())).unwrap();
    }
    corrupt(&fx);
    let err = run(&root(), &options(&fx, &out, false)).unwrap_err();
    assert!(!out.exists(), "{name}: nothing is written");
    let _ = std::fs::remove_dir_all(&copy);
    Some(format!("{err:#}"))
}

#[test]
fn malformed_input_names_the_file_and_writes_nothing() {
    let broken_json = error_with("broken_json", |fx| {
        let p = fx.join("apis.json");
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(
            &p,
            text.replacen("\"minVersion\": 1,", "\"minVersion\": 1,,", 1),
        )
        .unwrap();
    });
    if let Some(e) = broken_json {
        assert!(e.contains("apis.json") && e.contains("line "), "{e}");
    }
    let bad_version = error_with("bad_version", |fx| {
        let p = fx.join("apis.json");
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(
            &p,
            text.replacen("\"maxVersion\": 1,", "\"maxVersion\": \"1\",", 1),
        )
        .unwrap();
    });
    if let Some(e) = bad_version {
        assert!(
            e.contains(
                "apis.json: $[\"SYNO.AME\"][\"SYNO.AME.Pack\"].maxVersion: expected a version"
            ),
            "{e}"
        );
    }
    let bad_schema = error_with("bad_schema", |fx| {
        std::fs::write(
            fx.join("response-schemas/SYNO.Core.System-info.json"),
            "{\"type\": ",
        )
        .unwrap();
    });
    if let Some(e) = bad_schema {
        assert!(
            e.contains("SYNO.Core.System-info.json") && e.contains("line 1"),
            "{e}"
        );
    }
    let bad_params = error_with("bad_params", |fx| {
        std::fs::write(
            fx.join("required_params.json"),
            "{\"SYNO.X\": {\"get\": [1]}}",
        )
        .unwrap();
    });
    if let Some(e) = bad_params {
        assert!(
            e.contains("required_params.json: $[\"SYNO.X\"][\"get\"]: expected an object"),
            "{e}"
        );
    }
}

#[test]
fn without_the_fixtures_both_modes_skip() {
    let missing = root().join("target/import-tests/no-such-dir");
    for check in [false, true] {
        let mut o = options(&missing, &missing.join("out"), check);
        o.dir_given = false;
        assert_eq!(run(&root(), &o).unwrap(), ExitCode::SUCCESS);
        assert!(!missing.exists());
        o.dir_given = true;
        assert!(run(&root(), &o).is_err(), "a DIR that is given must exist");
    }
}

#[test]
fn arguments_parse() {
    let r = Path::new("/w");
    let o = parse_args(r, &["--check", "--only", "SYNO.Core", "Foto"]).unwrap();
    assert!(o.check && !o.dir_given);
    assert_eq!(o.only, ["Core", "Foto"]);
    assert_eq!(o.dir, r.join(DEFAULT_DIR));
    assert_eq!(o.out, r.join(DEFAULT_OUT));
    let o = parse_args(r, &["fx", "--out", "target/x"]).unwrap();
    assert_eq!((o.dir, o.out), (r.join("fx"), r.join("target/x")));
    assert!(parse_args(r, &["--only"]).is_err());
    assert!(parse_args(r, &["--bogus"]).is_err());
    assert!(parse_args(r, &["a", "b"]).is_err());
}

#[test]
fn only_limits_the_families() {
    let Some(dir) = fixtures("only_limits_the_families") else {
        return;
    };
    let spec = root().join("api-spec");
    let one = render(&dir, &spec, &spec.join("dsm"), &["Core".to_owned()]).unwrap();
    let all = render(&dir, &spec, &spec.join("dsm"), &[]).unwrap();
    assert_eq!(one.files.len(), 1);
    assert_eq!(one.files[0].0, "core.yaml");
    assert!(
        all.files.contains(&one.files[0]),
        "one family alone is written as in a full import"
    );
    assert!(render(&dir, &spec, &spec.join("dsm"), &["Nope".to_owned()]).is_err());
}

#[test]
fn every_file_names_the_schema_on_its_second_line() {
    let Some(dir) = fixtures("every_file_names_the_schema_on_its_second_line") else {
        return;
    };
    let spec = root().join("api-spec");
    let rendered = render(&dir, &spec, &spec.join("dsm"), &["Core".to_owned()]).unwrap();
    let text = &rendered.files[0].1;
    let lines: Vec<&str> = text.lines().take(2).collect();
    assert_eq!(lines, [yaml::HEADER, &codegen::schema::modeline(1)]);
}

#[test]
fn recorded_parameters_are_typed_and_secrets_masked() {
    let Some(dir) = fixtures("recorded_parameters_are_typed_and_secrets_masked") else {
        return;
    };
    let rendered = render(
        &dir,
        &root().join("api-spec"),
        &root().join("api-spec/dsm"),
        &["Foto".into(), "FileStation".into()],
    )
    .unwrap();
    let files: BTreeMap<&str, Value> = rendered
        .files
        .iter()
        .map(|(n, t)| (n.as_str(), yaml(t)))
        .collect();
    let p = &files["foto.yaml"]["apis"]["SYNO.Foto.Sharing.Passphrase"]["methods"]["get"]["params"]
        ["passphrase"];
    assert_eq!(p["secret"], json!(true));
    assert!(p.get("example").is_none(), "a secret has no example");
    let list =
        &files["file_station.yaml"]["apis"]["SYNO.FileStation.List"]["methods"]["list"]["params"];
    assert_eq!(list["folder_path"]["type"], "string");
    assert_eq!(list["folder_path"]["example"], "/home");
    assert_eq!(list["additional"]["type"], "json");
    assert!(list["additional"].get("example").is_none());
    assert!(list.get("required").is_none());
}

#[test]
fn the_checked_in_pins_cover_every_name() {
    let Some(dir) = fixtures("the_checked_in_pins_cover_every_name") else {
        return;
    };
    let out = scratch("pins");
    let spec = root().join("api-spec");
    for f in std::fs::read_dir(spec.join("dsm")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, out.join(f.file_name().unwrap())).unwrap();
    }
    assert_eq!(
        run(&root(), &options(&dir, &out, true)).unwrap(),
        std::process::ExitCode::SUCCESS
    );
    // Without the pins file, the import would write it: --check fails on unpinned names.
    std::fs::remove_file(out.join(pins::FILE)).unwrap();
    assert_eq!(
        run(&root(), &options(&dir, &out, true)).unwrap(),
        std::process::ExitCode::FAILURE
    );
    // A pin dropped from the file is unpinned too.
    let text = std::fs::read_to_string(spec.join("dsm").join(pins::FILE)).unwrap();
    let fewer: String = text
        .lines()
        .filter(|l| !l.starts_with("method "))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(out.join(pins::FILE), fewer).unwrap();
    assert_eq!(
        run(&root(), &options(&dir, &out, true)).unwrap(),
        std::process::ExitCode::FAILURE
    );
}
