//! Tidy: TESTING.md names only tests that exist, and its totals are right.

use std::collections::BTreeSet;
use std::path::Path;

/// Every `` `path::name` `` cell reference in a table row of TESTING.md.
fn references(text: &str) -> (usize, BTreeSet<(String, String)>) {
    let mut rows = 0;
    let mut tests = BTreeSet::new();
    for line in text.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        if cells
            .first()
            .is_none_or(|c| c.trim_start_matches("| ").parse::<u32>().is_err())
        {
            continue;
        }
        rows += 1;
        let last = cells.last().copied().unwrap_or_default();
        for quoted in last.split('`').skip(1).step_by(2) {
            let (path, name) = quoted
                .rsplit_once("::")
                .unwrap_or_else(|| panic!("`{quoted}` is not path::name"));
            tests.insert((path.to_owned(), name.to_owned()));
        }
    }
    (rows, tests)
}

#[test]
fn every_test_named_in_testing_md_exists_and_the_totals_match() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("../TESTING.md")).expect("TESTING.md");
    let (rows, tests) = references(&text);
    assert!(rows > 0 && !tests.is_empty());
    for (path, name) in &tests {
        let source = std::fs::read_to_string(root.join(path))
            .unwrap_or_else(|e| panic!("TESTING.md names {path}, which cannot be read: {e}"));
        assert!(
            source.contains(&format!("fn {name}(")),
            "TESTING.md names {path}::{name}, which has no `fn {name}(`"
        );
    }
    let totals = format!("{rows} fault classes, {} tests named above", tests.len());
    assert!(
        text.contains(&totals),
        "TESTING.md's totals line must read: {totals}"
    );
}
