//! Where a problem is: the file being checked and the diagnostics found so far, so that each
//! check reports a located message in one line.

use crate::error::{Diagnostic, Location};
use crate::spec::Spanned;

/// The file being checked and the problems found so far.
pub(super) struct Ctx<'a> {
    file: &'a str,
    diags: &'a mut Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    /// Checks of `file`, reporting into `diags`.
    pub(super) fn new(file: &'a str, diags: &'a mut Vec<Diagnostic>) -> Self {
        Ctx { file, diags }
    }

    /// Reports `msg` about the item at logical `path`, located where `s` was written.
    pub(super) fn at<T>(
        &mut self,
        s: &Spanned<T>,
        path: impl Into<String>,
        msg: impl Into<String>,
    ) {
        self.diags.push(Diagnostic {
            location: Some(Location {
                file: self.file.to_owned(),
                line: s.line,
                column: s.column,
            }),
            path: path.into(),
            message: msg.into(),
        });
    }
}

/// Where a named item was first declared, for "declared twice" messages.
pub(super) fn place<T>(file: &str, s: &Spanned<T>) -> String {
    format!("{file}:{}:{}", s.line, s.column)
}

/// The problems in file order (file, line, column); those at one place keep the order they
/// were found in.
pub(super) fn in_file_order(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            d.location
                .as_ref()
                .map(|l| (l.file.clone(), l.line, l.column))
        };
        key(a).cmp(&key(b))
    });
    diags
}
