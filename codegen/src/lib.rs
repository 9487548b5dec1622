//! Reads the YAML API spec (`api-spec/`), validates it, and emits the Rust client, its
//! command line, its Markdown reference and its cargo features. This library never writes
//! files: `cargo xtask codegen` does, and the freshness test compares in memory.
//!
//! Layers, each using only those below it; the driver calls every emitter, and no emitter
//! calls another:
//!
//! ```text
//! lib        the driver: load (parse, validate), render (each emitter), drift
//! diff       two loaded specs -> the changes users of the crate see, and the semver verdict
//! emit_rust  emit_cli  emit_docs  emit_manifest   the emitters, never each other
//! rustlang   the Rust every Rust emitter shares: identifiers, docs, types, printing
//! validate   the passes from spec files to the IR
//! spec       the YAML as written          ir: the validated spec; ir::ty, its types
//! schema     the JSON Schema of spec's types, for editors (spec's derives name its helpers)
//! naming     every naming rule    parallel: work on all cores    error: both kinds
//! ```

#![warn(missing_docs)]

pub mod diff;
pub mod emit_cli;
pub mod emit_docs;
pub mod emit_manifest;
pub mod emit_rust;
pub mod error;
pub mod ir;
pub mod naming;
pub mod parallel;
pub mod rustlang;
pub mod schema;
pub mod spec;
pub mod validate;

use std::path::{Path, PathBuf};

pub use error::{Diagnostic, GenerateError, Location, SpecError};

/// Where generated Rust goes, relative to the workspace root.
pub const RUST_DIR: &str = "generated-client/src/generated";
/// Where generated Markdown goes, relative to the workspace root.
pub const DOCS_DIR: &str = "generated-client/docs";
/// The client's manifest, whose `[features]` table holds a generated block.
pub const MANIFEST: &str = "generated-client/Cargo.toml";

/// Loads and validates every `*.yaml` file of `spec_dir` and its subdirectories, each named
/// by its path relative to `spec_dir` (`imported/core.yaml`, `/`-separated).
pub fn load(spec_dir: &Path) -> Result<ir::Spec, GenerateError> {
    fn read(path: &Path) -> impl FnOnce(std::io::Error) -> GenerateError + '_ {
        move |source| GenerateError::Read {
            path: path.to_path_buf(),
            source,
        }
    }
    let mut sources = Vec::new();
    for path in files_under(spec_dir).map_err(read(spec_dir))? {
        if path.extension().is_some_and(|x| x == "yaml") {
            let rel = path.strip_prefix(spec_dir).unwrap_or(&path);
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&path).map_err(read(&path))?;
            sources.push((name, text));
        }
    }
    if sources.is_empty() {
        return Err(GenerateError::NoSpecFiles {
            dir: spec_dir.to_path_buf(),
        });
    }
    Ok(load_sources(sources)?)
}

/// Loads and validates spec files given as `(file name, text)`; the order does not matter.
pub fn load_sources(mut sources: Vec<(String, String)>) -> Result<ir::Spec, SpecError> {
    sources.sort();
    // Files parse on all cores; a parser that panics is a bug, and panics here too.
    let parsed = parallel::map(&sources, |(name, text)| spec::parse(name, text))
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for ((name, _), parsed) in sources.iter().zip(parsed) {
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

/// Every generated file for the spec in `spec_dir`: paths relative to the workspace root, and
/// contents. Same spec, same bytes.
pub fn generate(spec_dir: &Path) -> Result<Vec<(PathBuf, String)>, GenerateError> {
    render(&load(spec_dir)?)
}

/// Every generated file of the workspace at `root`, from `root/api-spec`: [`generate`]'s
/// files, the client manifest with its features block brought up to date, and the JSON
/// Schema of the spec format ([`schema::PATH`]).
pub fn generate_in(root: &Path) -> Result<Vec<(PathBuf, String)>, GenerateError> {
    generate_loaded_in(root, &load(&root.join("api-spec"))?)
}

/// [`generate_in`] for the spec of `root/api-spec` already loaded, so a caller that needs
/// the spec too (the diff summary of `cargo xtask codegen`) loads it once.
pub fn generate_loaded_in(
    root: &Path,
    spec: &ir::Spec,
) -> Result<Vec<(PathBuf, String)>, GenerateError> {
    let mut files = render(spec)?;
    let path = root.join(MANIFEST);
    let manifest = std::fs::read_to_string(&path).map_err(|source| GenerateError::Read {
        path: path.clone(),
        source,
    })?;
    let manifest = emit_manifest::splice(&manifest, &emit_manifest::block(spec))
        .map_err(|source| GenerateError::Manifest { path, source })?;
    files.push((PathBuf::from(MANIFEST), manifest));
    files.push((PathBuf::from(schema::PATH), schema::json()));
    files.sort();
    Ok(files)
}

/// Every generated file for an already-loaded spec: the Rust of the client and of its
/// command line, and the Markdown reference, built and printed on all cores.
pub fn render(spec: &ir::Spec) -> Result<Vec<(PathBuf, String)>, GenerateError> {
    /// One generated file, described before it is built.
    enum Job<'a> {
        Rust(rustlang::RustFile<'a>),
        Docs(&'a ir::Family),
    }
    // Largest first, so no worker is left with a big file when the others are done: a
    // family's command tree is its biggest file; Markdown pages, plain text, fill the gaps.
    let mut jobs: Vec<Job> = emit_cli::files(spec).into_iter().map(Job::Rust).collect();
    jobs.extend(emit_rust::files(spec).into_iter().map(Job::Rust));
    jobs.extend(spec.families.iter().map(Job::Docs));
    let done = parallel::map(&jobs, |job| match job {
        Job::Rust(file) => {
            let (path, text) = file.print()?;
            Ok((Path::new(RUST_DIR).join(path), text))
        }
        Job::Docs(family) => {
            let (path, text) = emit_docs::page(spec, family);
            Ok((Path::new(DOCS_DIR).join(path), text))
        }
    })
    .map_err(|_| GenerateError::WorkerPanicked)?;
    let mut out = done
        .into_iter()
        .collect::<Result<Vec<_>, GenerateError>>()?;
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
