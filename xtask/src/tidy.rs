//! Tidy tests: the documents that describe the tree stay in step with it (rust-analyzer's
//! `xtask/src/tidy.rs` is the model). Each test names the document to fix.

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    /// The first backticked word of each row of the table under `heading` in `text`.
    fn first_column(text: &str, heading: &str) -> BTreeSet<String> {
        text.split_once(heading)
            .map_or("", |(_, rest)| rest)
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .filter_map(|l| l.split('`').nth(1))
            .map(str::to_owned)
            .collect()
    }

    /// Every entry of `dir` (files and folders) except those `skip` keeps.
    fn entries(dir: &Path, skip: impl Fn(&str) -> bool) -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                if e.path().is_dir() {
                    format!("{name}/")
                } else {
                    name
                }
            })
            .filter(|n| !skip(n))
            .collect()
    }

    #[test]
    fn the_spec_readme_lists_every_spec_file() {
        let dir = root().join("api-spec");
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        let listed = first_column(&readme, "| file | what |");
        let present = entries(&dir, |n| n == "README.md");
        assert_eq!(
            listed, present,
            "api-spec/README.md's table of files must list exactly the files of api-spec/"
        );
    }
}
