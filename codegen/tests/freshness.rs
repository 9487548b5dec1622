//! The checked-in generated code matches the spec: the same check as `cargo xtask codegen --check`.

use std::path::Path;

#[test]
fn generated_code_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let files = codegen::generate_in(root).unwrap_or_else(|e| panic!("the spec is invalid:\n{e}"));
    let drift = codegen::drift(root, &files).expect("generated files are readable");
    let report: Vec<String> = drift.iter().map(ToString::to_string).collect();
    assert!(
        drift.is_empty(),
        "generated code is out of date with api-spec/:\n{}\nrun `cargo xtask codegen` and commit the result",
        report.join("\n")
    );
}

#[test]
fn generation_is_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let a = codegen::generate_in(root).expect("valid spec");
    let b = codegen::generate_in(root).expect("valid spec");
    assert_eq!(a, b);
    for (path, text) in &a {
        if path.ends_with("Cargo.toml") {
            assert!(text.contains(codegen::emit_manifest::BEGIN));
            continue;
        }
        if path == Path::new(codegen::schema::PATH) {
            assert!(text.contains(codegen::schema::COMMENT));
            continue;
        }
        let header = if path.extension().is_some_and(|e| e == "md") {
            codegen::emit_docs::HEADER
        } else {
            codegen::rustlang::HEADER
        };
        assert!(
            text.starts_with(header),
            "{} lacks the generated header",
            path.display()
        );
    }
}

#[test]
fn a_stale_or_missing_schema_is_reported() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let files = codegen::generate_in(root).expect("valid spec");
    let schema: Vec<_> = files
        .into_iter()
        .filter(|(p, _)| p == Path::new(codegen::schema::PATH))
        .collect();
    assert_eq!(schema.len(), 1, "generate_in writes the schema");
    let tmp = std::env::temp_dir().join(format!("codegen-schema-drift-{}", std::process::id()));
    let path = tmp.join(codegen::schema::PATH);
    let _ = std::fs::remove_dir_all(&tmp);
    let missing = codegen::drift(&tmp, &schema).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, schema[0].1.replace("GET", "PUT")).unwrap();
    let stale = codegen::drift(&tmp, &schema).unwrap();
    std::fs::write(&path, &schema[0].1).unwrap();
    let fresh = codegen::drift(&tmp, &schema).unwrap();
    std::fs::remove_dir_all(&tmp).unwrap();
    let schema_path = Path::new(codegen::schema::PATH).to_path_buf();
    assert_eq!(missing, [codegen::Drift::Missing(schema_path.clone())]);
    assert_eq!(stale, [codegen::Drift::Stale(schema_path)]);
    assert_eq!(fresh, []);
}
