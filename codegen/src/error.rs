//! Spec errors: every problem names its file, line and column where known, and the logical
//! path of the item (`apis[SYNO.X].methods[Get].params[id].type`).

use std::fmt;

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

    /// A problem that is not about one spec item (an unreadable directory).
    pub fn plain(message: impl Into<String>) -> Self {
        Self::new(None, String::new(), message.into())
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

/// The candidate closest to `name`, if any is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}
