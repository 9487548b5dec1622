//! Reads the YAML API spec (`api-spec/`), validates it, and emits the Rust client and its
//! Markdown reference. This library never writes files: `cargo xtask codegen` does, and the
//! freshness test compares in memory.

#![warn(missing_docs)]

pub mod emit_cli;
pub mod emit_docs;
pub mod emit_manifest;
pub mod emit_rust;
pub mod error;
pub mod ir;
pub mod spec;
pub mod validate;

use std::path::{Path, PathBuf};

pub use error::{Diagnostic, Location, SpecError};

/// Where generated Rust goes, relative to the workspace root.
pub const RUST_DIR: &str = "generated-client/src/generated";
/// Where generated Markdown goes, relative to the workspace root.
pub const DOCS_DIR: &str = "generated-client/docs";
/// The client's manifest, whose `[features]` table holds a generated block.
pub const MANIFEST: &str = "generated-client/Cargo.toml";

/// Loads and validates every `*.yaml` file of `spec_dir`.
pub fn load(spec_dir: &Path) -> Result<ir::Spec, SpecError> {
    let mut sources = Vec::new();
    let entries = std::fs::read_dir(spec_dir).map_err(|e| {
        SpecError::plain(format!(
            "cannot read spec directory {}: {e}",
            spec_dir.display()
        ))
    })?;
    for entry in entries {
        let path = entry
            .map_err(|e| SpecError::plain(format!("cannot list {}: {e}", spec_dir.display())))?
            .path();
        if path.extension().is_some_and(|x| x == "yaml") {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| SpecError::plain(format!("cannot read {}: {e}", path.display())))?;
            sources.push((name, text));
        }
    }
    if sources.is_empty() {
        return Err(SpecError::plain(format!(
            "no *.yaml files in {}",
            spec_dir.display()
        )));
    }
    load_sources(sources)
}

/// Loads and validates spec files given as `(file name, text)`; the order does not matter.
pub fn load_sources(mut sources: Vec<(String, String)>) -> Result<ir::Spec, SpecError> {
    sources.sort();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for ((name, _), parsed) in sources.iter().zip(parse_all(&sources)) {
        match parsed {
            Ok(f) => files.push((name.clone(), f)),
            Err(e) => errors.extend(e.diagnostics),
        }
    }
    if !errors.is_empty() {
        return Err(SpecError {
            diagnostics: errors,
        });
    }
    validate::validate(&files)
}

/// Parses every file, on all cores; results in the order of `sources`.
fn parse_all(sources: &[(String, String)]) -> Vec<Result<spec::SpecFile, SpecError>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(sources.len().max(1));
    let chunk = sources.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = sources
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(n, t)| spec::parse(n, t))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .zip(sources.chunks(chunk))
            .flat_map(|(h, part)| {
                // One result per file even if a worker died, so results stay aligned with names.
                h.join().unwrap_or_else(|_| {
                    part.iter()
                        .map(|_| Err(SpecError::plain("a spec parser thread panicked")))
                        .collect()
                })
            })
            .collect()
    })
}

/// Every generated file for the spec in `spec_dir`: paths relative to the workspace root, and
/// contents. Same spec, same bytes.
pub fn generate(spec_dir: &Path) -> Result<Vec<(PathBuf, String)>, SpecError> {
    render(&load(spec_dir)?)
}

/// Every generated file of the workspace at `root`, from `root/api-spec`: [`generate`]'s
/// files plus the client manifest with its features block brought up to date.
pub fn generate_in(root: &Path) -> Result<Vec<(PathBuf, String)>, SpecError> {
    let spec = load(&root.join("api-spec"))?;
    let mut files = render(&spec)?;
    let path = root.join(MANIFEST);
    let manifest = std::fs::read_to_string(&path)
        .map_err(|e| SpecError::plain(format!("cannot read {}: {e}", path.display())))?;
    let manifest = emit_manifest::splice(&manifest, &emit_manifest::block(&spec))
        .map_err(|e| SpecError::plain(format!("{}: {e}", path.display())))?;
    files.push((PathBuf::from(MANIFEST), manifest));
    files.sort();
    Ok(files)
}

/// Every generated file for an already-loaded spec.
pub fn render(spec: &ir::Spec) -> Result<Vec<(PathBuf, String)>, SpecError> {
    let rust = emit_rust::emit(spec).map_err(SpecError::plain)?;
    let mut out: Vec<(PathBuf, String)> = rust
        .into_iter()
        .map(|(p, c)| (Path::new(RUST_DIR).join(p), c))
        .collect();
    out.extend(
        emit_docs::emit(spec)
            .into_iter()
            .map(|(p, c)| (Path::new(DOCS_DIR).join(p), c)),
    );
    out.sort();
    Ok(out)
}

/// How a file on disk differs from what the spec generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The file's contents differ.
    Stale(PathBuf),
    /// The file should exist and does not.
    Missing(PathBuf),
    /// A file in a generated directory that the spec no longer generates.
    Orphan(PathBuf),
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Stale(p) => write!(f, "stale:    {}", p.display()),
            Drift::Missing(p) => write!(f, "missing:  {}", p.display()),
            Drift::Orphan(p) => write!(f, "orphaned: {}", p.display()),
        }
    }
}

/// Compares generated files with the tree under `root` (read only). Files under the generated
/// directories that are not generated count as orphans.
pub fn drift(root: &Path, files: &[(PathBuf, String)]) -> std::io::Result<Vec<Drift>> {
    let mut out = Vec::new();
    for (path, contents) in files {
        match std::fs::read_to_string(root.join(path)) {
            Ok(on_disk) if on_disk == *contents => {}
            Ok(_) => out.push(Drift::Stale(path.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                out.push(Drift::Missing(path.clone()))
            }
            Err(e) => return Err(e),
        }
    }
    for dir in [RUST_DIR, DOCS_DIR] {
        for path in files_under(&root.join(dir))? {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            if !files.iter().any(|(p, _)| *p == rel) {
                out.push(Drift::Orphan(rel));
            }
        }
    }
    out.sort_by_key(ToString::to_string);
    Ok(out)
}

/// Every file below `dir`, recursively; none when it does not exist.
pub fn files_under(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                stack.push(entry.path());
            } else {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    Ok(out)
}
