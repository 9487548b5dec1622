//! Codegen's two kinds of failure, kept apart: [`SpecError`] is a mistake in the spec (every
//! problem names its file, line and column where known, and the logical path of the item,
//! `apis[SYNO.X].methods[Get].params[id].type`, often with a hint); [`GenerateError`] is
//! everything else (a file that cannot be read, a manifest without its markers, an emitter
//! bug), which no spec edit fixes.

use std::fmt;
use std::path::PathBuf;

/// A place in a spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File name relative to the spec directory (`cloud_sync.yaml`).
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
}

/// One problem in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where, when the parser knows.
    pub location: Option<Location>,
    /// Logical path of the offending item; empty for file-level problems.
    pub path: String,
    /// What is wrong, in lower case.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(l) = &self.location {
            write!(f, "{}:{}:{}: ", l.file, l.line, l.column)?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// Everything wrong with a spec; nothing is generated while there is any.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecError {
    /// The problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl SpecError {
    /// A single problem.
    pub fn new(location: Option<Location>, path: String, message: String) -> Self {
        SpecError {
            diagnostics: vec![Diagnostic {
                location,
                path,
                message,
            }],
        }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Why generation failed: the spec's mistakes, or a failure that is not the spec's.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The spec has mistakes; each is located.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// What was being read.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The spec directory holds no `*.yaml` file.
    #[error("no *.yaml files in {}", dir.display())]
    NoSpecFiles {
        /// The directory.
        dir: PathBuf,
    },
    /// The client manifest's generated block cannot be replaced.
    #[error("{}: {source}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong with its marker lines.
        source: crate::emit_manifest::MarkerError,
    },
    /// An emitter produced Rust that does not parse: a codegen bug.
    #[error("generated code for {path} does not parse: {message}")]
    Unparsable {
        /// The generated file.
        path: String,
        /// syn's message.
        message: String,
    },
    /// A code generation worker thread panicked: a codegen bug.
    #[error("a code generation worker panicked")]
    WorkerPanicked,
}

/// The candidate closest to `name`, if any is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}
