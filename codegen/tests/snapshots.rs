//! Snapshot tests of the emitted code: each fixture spec under `tests/snapshots/<name>/spec/`
//! has its generated Rust and Markdown checked in under `expected/` (reviewed by a person
//! when they change). generated-client compiles the Rust in its test build, so a snapshot
//! that does not build fails there. `UPDATE_EXPECT=1` rewrites the snapshots.
//!
//! The Rust is emitted without the per-family `#[cfg(feature = ..)]` gates (the client has no
//! features named after fixture families, so gated code would compile to nothing there); the
//! features block those families would get is snapshotted as `expected/features.toml`.

use std::path::{Path, PathBuf};

/// The snapshot of the manifest's features block.
const FEATURES: &str = "features.toml";

/// Maps a generated path (`generated-client/src/generated/x.rs`) into the snapshot tree.
fn snapshot_path(expected: &Path, generated: &Path) -> PathBuf {
    if generated == Path::new(FEATURES) {
        expected.join(FEATURES)
    } else if let Ok(rest) = generated.strip_prefix(codegen::RUST_DIR) {
        expected.join("src").join(rest)
    } else {
        expected.join("docs").join(
            generated
                .strip_prefix(codegen::DOCS_DIR)
                .unwrap_or(generated),
        )
    }
}

#[test]
fn emitted_code_matches_the_reviewed_snapshots() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut problems = Vec::new();
    let mut fixtures = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        fixtures += 1;
        let mut spec =
            codegen::load(&dir.join("spec")).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        spec.feature_gates = false;
        let mut files = codegen::render(&spec).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        files.push((
            PathBuf::from(FEATURES),
            codegen::emit_manifest::block(&spec),
        ));
        let expected = dir.join("expected");
        let wanted: Vec<(PathBuf, &String)> = files
            .iter()
            .map(|(p, c)| (snapshot_path(&expected, p), c))
            .collect();
        if update {
            let _ = std::fs::remove_dir_all(&expected);
            for (path, contents) in &wanted {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, contents).unwrap();
            }
            continue;
        }
        for (path, contents) in &wanted {
            match std::fs::read_to_string(path) {
                Ok(on_disk) if on_disk == **contents => {}
                Ok(_) => problems.push(format!("differs: {}", path.display())),
                Err(_) => problems.push(format!("missing: {}", path.display())),
            }
        }
        for path in codegen::files_under(&expected).unwrap() {
            if !wanted.iter().any(|(p, _)| *p == path) {
                problems.push(format!("orphaned: {}", path.display()));
            }
        }
    }
    assert!(fixtures >= 1, "no snapshot fixtures found");
    assert!(
        problems.is_empty(),
        "{}\nreview the change, then run with UPDATE_EXPECT=1",
        problems.join("\n")
    );
}

/// The snapshot is rendered without feature gates (see the module docs); with them, every
/// imported item of a family that also has hand-written ones sits behind `<family>-all`, a
/// family only imported files declare behind its own feature, and the command line names
/// neither.
#[test]
fn imported_items_sit_behind_their_features() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/showcase/spec");
    let spec = codegen::load(&dir).unwrap();
    assert!(spec.feature_gates);
    let files = codegen::render(&spec).unwrap();
    let file = |name: &str| -> &str {
        let path = Path::new(codegen::RUST_DIR).join(name);
        &files.iter().find(|(p, _)| *p == path).unwrap().1
    };
    let gated = |text: &str, feature: &str, item: &str| {
        let at = text.find(item).unwrap_or_else(|| panic!("no `{item}`"));
        let before: Vec<&str> = text[..at].lines().rev().skip(1).take(4).collect();
        let cfg = format!("#[cfg(feature = \"{feature}\")]");
        assert!(
            before.iter().any(|l| l.trim() == cfg),
            "`{item}` is not behind `{feature}`: {before:?}"
        );
    };
    let family_api = file("showcase/family_api.rs");
    gated(family_api, "showcase-all", "pub fn get_status(");
    gated(family_api, "showcase-all", "pub(crate) static GET_STATUS:");
    assert!(
        !family_api.contains("#[cfg(feature = \"showcase-all\")]\n    pub fn get_stats("),
        "hand-written methods are not gated"
    );
    let family_mod = file("showcase/mod.rs");
    gated(family_mod, "showcase-all", "pub mod extra;");
    gated(family_mod, "showcase-all", "pub fn extra(");
    gated(
        file("showcase/types.rs"),
        "showcase-all",
        "pub struct ExtraInfo",
    );
    let root = file("mod.rs");
    gated(root, "showcase-all", "&showcase::extra::API,");
    gated(root, "showcase-all", "&showcase::family_api::GET_STATUS,");
    gated(root, "showcase-extra", "&showcase_extra::info::API,");
    gated(root, "dsm-std", "pub mod dsm_std;");
    let cli: String = files
        .iter()
        .filter(|(p, _)| p.starts_with(Path::new(codegen::RUST_DIR).join("cli")))
        .map(|(_, t)| t.as_str())
        .collect();
    for imported in [
        "get_status",
        "showcase_extra",
        "dsm_std",
        "get_stats_2",
        "extra()",
    ] {
        assert!(
            !cli.contains(imported),
            "the command line names `{imported}`"
        );
    }
}
