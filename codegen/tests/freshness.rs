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
