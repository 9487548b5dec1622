//! Every class of bad spec has a fixture under `tests/bad/` (a file, or a directory of files)
//! and the exact message a user sees next to it (`<name>.expected`). `UPDATE_EXPECT=1`
//! rewrites the expected files; review the diff before committing.

use std::path::Path;

fn message(fixture: &Path) -> String {
    let result = if fixture.is_dir() {
        codegen::load(fixture).map_err(|e| e.to_string())
    } else {
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        codegen::load_sources(vec![(name, std::fs::read_to_string(fixture).unwrap())])
            .map_err(|e| e.to_string())
    };
    match result {
        Ok(_) => panic!("{} should be rejected", fixture.display()),
        Err(e) => e,
    }
}

#[test]
fn every_bad_spec_gets_its_exact_message() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    fixtures.sort();
    assert!(
        fixtures.len() >= 8,
        "at least 8 bad-spec fixtures, found {}",
        fixtures.len()
    );
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let got = message(fixture);
        let expected_path = fixture.with_extension("expected");
        if update {
            std::fs::write(&expected_path, format!("{got}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|_| {
            panic!(
                "{} is missing; run with UPDATE_EXPECT=1",
                expected_path.display()
            )
        });
        if expected.trim_end() != got {
            failures.push(format!(
                "{}:\n  expected: {}\n  got:      {got}",
                fixture.display(),
                expected.trim_end()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_family_level_api_beside_sub_apis_is_legal() {
    let spec = r#"
apis:
  SYNO.Demo:
    description: Family-level.
    path: entry.cgi
    versions: { min: 1, max: 1 }
    methods:
      list_conn: { http: GET, description: Lists connections. }
  SYNO.Demo.Item:
    description: Items.
    path: entry.cgi
    versions: { min: 1, max: 1 }
    methods:
      List: { http: GET, description: Lists items. }
"#;
    let ir = codegen::load_sources(vec![("demo.yaml".into(), spec.into())]).expect("legal");
    let family = &ir.families[0];
    assert_eq!(family.apis.len(), 2);
    assert_eq!(
        family.apis[0].accessor, None,
        "the family-level API comes first"
    );
    assert_eq!(family.apis[1].accessor.as_deref(), Some("item"));
}

#[test]
fn errors_in_several_files_are_all_reported_and_nothing_is_generated() {
    let bad = "types:\n  X:\n    descriptio: x\n";
    let err = codegen::load_sources(vec![
        ("a.yaml".into(), bad.into()),
        ("b.yaml".into(), "apis: [\n".into()),
    ])
    .unwrap_err();
    assert_eq!(err.diagnostics.len(), 2, "{err}");
    assert!(
        err.diagnostics[0].to_string().starts_with("a.yaml:"),
        "{err}"
    );
    assert!(
        err.diagnostics[1].to_string().starts_with("b.yaml:"),
        "{err}"
    );
}

#[test]
fn a_version_set_is_sorted_and_one_that_is_a_whole_range_is_a_min_version() {
    let spec = r#"
apis:
  SYNO.Demo.Item:
    description: Items.
    path: entry.cgi
    versions: { min: 1, max: 4 }
    methods:
      Gap:
        http: GET
        description: Versions 1 and 3.
        versions: [3, 1]
        params:
          detail: { type: bool, min_version: 3, description: Only in 3 }
      Tail: { http: GET, description: Versions 2 to 4., versions: [4, 2, 3] }
      Dropped: { http: GET, description: Version 2 only., versions: [2] }
      Newest: { http: GET, description: Version 4 only., versions: [4] }
      Plain: { http: GET, description: Every version. }
"#;
    let ir = codegen::load_sources(vec![("demo.yaml".into(), spec.into())]).expect("legal");
    let versions: Vec<(&str, u32, Option<Vec<u32>>, String)> = ir.families[0].apis[0]
        .methods
        .iter()
        .map(|m| {
            (
                m.wire.as_str(),
                m.min_version,
                m.versions.clone(),
                m.versions_text(),
            )
        })
        .collect();
    assert_eq!(
        versions,
        [
            ("Gap", 1, Some(vec![1, 3]), "versions 1, 3 only".to_owned()),
            ("Tail", 2, None, "version 2+".to_owned()),
            ("Dropped", 2, Some(vec![2]), "version 2 only".to_owned()),
            ("Newest", 4, None, "version 4+".to_owned()),
            ("Plain", 1, None, "version 1+".to_owned()),
        ]
    );
}

/// A family named like a CLI command or a reserved module is renamed `dsm_<module>`,
/// declared by hand or imported alike (so promoting an imported API by hand keeps its
/// module); an internal family has no command and keeps its module.
#[test]
fn families_named_like_a_cli_command_or_reserved_are_renamed_and_internal_ones_keep_theirs() {
    let item = |family: &str| {
        format!(
            "  SYNO.{family}.Item:\n    description: Items.\n    path: entry.cgi\n    \
             versions: {{ min: 1, max: 1 }}\n    methods:\n      \
             list: {{ http: GET, description: Lists items. }}\n"
        )
    };
    let mut imported = String::from("imported: true\napis:\n");
    let mut by_hand = String::from("apis:\n");
    for family in ["Profile", "Completions", "Api", "Core"] {
        imported.push_str(&item(family).replace("http: GET, ", ""));
    }
    for family in ["Apis", "MockServer", "Std"] {
        by_hand.push_str(&item(family));
    }
    // `SYNO.Core.Item` is imported; declaring `SYNO.Core.Other` by hand keeps family Core at
    // `dsm_core`, where the import put it.
    by_hand.push_str(&item("Core").replace("SYNO.Core.Item", "SYNO.Core.Other"));
    // An internal family has no command, so `SYNO.Help` (like the runtime's `SYNO.API`,
    // module `api`) keeps its module.
    let internal = r#"
apis:
  SYNO.Help.Info:
    internal: true
    description: Internal.
    path: entry.cgi
    versions: { min: 1, max: 1 }
    methods:
      query: { http: GET, description: Answers. }
"#;
    let ir = codegen::load_sources(vec![
        ("dsm.yaml".into(), imported),
        ("hand.yaml".into(), by_hand),
        ("internal.yaml".into(), internal.into()),
    ])
    .expect("legal");
    let mut modules: Vec<(&str, &str, usize)> = ir
        .families
        .iter()
        .map(|f| (f.module.as_str(), f.handle.as_str(), f.apis.len()))
        .collect();
    modules.sort();
    assert_eq!(
        modules,
        [
            ("dsm_api", "DsmApi", 1),
            ("dsm_apis", "DsmApis", 1),
            ("dsm_completions", "DsmCompletions", 1),
            ("dsm_core", "DsmCore", 2),
            ("dsm_mock_server", "DsmMockServer", 1),
            ("dsm_profile", "DsmProfile", 1),
            ("dsm_std", "DsmStd", 1),
            ("help", "Help", 1),
        ]
    );
}

/// An internal family keeps its module, so one named like a reserved module is refused.
#[test]
fn an_internal_family_named_like_a_reserved_module_is_refused() {
    let spec = r#"
apis:
  SYNO.Core.Info:
    internal: true
    description: Internal.
    path: entry.cgi
    versions: { min: 1, max: 1 }
    methods:
      query: { http: GET, description: Answers. }
"#;
    let err = codegen::load_sources(vec![("core.yaml".into(), spec.into())]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("family `Core` would be the module `core`, which the runtime uses"),
        "{text}"
    );
}
