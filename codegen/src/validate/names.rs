//! Names across the spec: the declarations pass (every type and API by name, each declared
//! once across all files, and the one common error table), and the family-level pass (an
//! accessor and a family-level method may not become the same `family().name()`).

use std::collections::BTreeMap;

use super::apis::error_table;
use super::context::{Ctx, place};
use crate::error::Diagnostic;
use crate::ir::{ErrorEntry, Family};
use crate::spec::{ApiDef, Spanned, SpecFile, TypeDef};

/// A declared item: the file it is in, its key (name and place), its definition.
pub(super) struct Decl<'a, T> {
    pub(super) file: &'a str,
    pub(super) key: &'a Spanned<String>,
    pub(super) def: &'a T,
}

impl<T> Clone for Decl<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Decl<'_, T> {}

/// Everything the spec declares, by name, so references resolve in any order and across
/// files.
pub(super) struct Declarations<'a> {
    /// Named types, sorted by name.
    pub(super) types: BTreeMap<&'a str, Decl<'a, TypeDef>>,
    /// APIs, sorted by name.
    pub(super) apis: BTreeMap<&'a str, Decl<'a, ApiDef>>,
    /// The common error table (from the one file that has it).
    pub(super) common_errors: Vec<ErrorEntry>,
}

impl Declarations<'_> {
    /// Every type name, sorted.
    pub(super) fn type_names(&self) -> Vec<&str> {
        self.types.keys().copied().collect()
    }
}

/// Pass 1: indexes every declaration; a second declaration of a name is refused where it is.
pub(super) fn declare<'a>(
    files: &'a [(String, SpecFile)],
    diags: &mut Vec<Diagnostic>,
) -> Declarations<'a> {
    let mut out = Declarations {
        types: BTreeMap::new(),
        apis: BTreeMap::new(),
        common_errors: Vec::new(),
    };
    let mut common_errors_file: Option<&str> = None;
    for (file, spec) in files {
        let mut cx = Ctx::new(file, diags);
        for (key, def) in &spec.types.0 {
            if let Some(first) = out.types.get(key.value.as_str()) {
                let message = format!(
                    "type `{}` is already declared at {}",
                    key.value,
                    place(first.file, first.key)
                );
                cx.at(key, format!("types[{}]", key.value), message);
                continue;
            }
            out.types.insert(&key.value, Decl { file, key, def });
        }
        for (key, def) in &spec.apis.0 {
            if let Some(first) = out.apis.get(key.value.as_str()) {
                let message = format!(
                    "api `{}` is already declared at {}",
                    key.value,
                    place(first.file, first.key)
                );
                cx.at(key, format!("apis[{}]", key.value), message);
                continue;
            }
            out.apis.insert(&key.value, Decl { file, key, def });
        }
        if !spec.errors.is_empty() {
            if let Some(first) = common_errors_file {
                cx.at(
                    &spec.errors[0],
                    "errors",
                    format!("the common error table is already declared in {first}"),
                );
            } else {
                common_errors_file = Some(file);
                out.common_errors = error_table(&mut cx, "errors", &spec.errors);
            }
        }
    }
    out
}

/// Pass 4: within each family, the accessors of its sub-APIs and the methods of its
/// family-level API share one namespace, `family().name()`.
pub(super) fn family_level(
    families: &BTreeMap<String, Family>,
    decls: &Declarations,
    diags: &mut Vec<Diagnostic>,
) {
    for family in families.values() {
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        for api in &family.apis {
            let Decl { file, key, .. } = decls.apis[api.wire.as_str()];
            let mut cx = Ctx::new(file, diags);
            let mut claim = |cx: &mut Ctx, rust: &str, what: String, path: String| {
                if let Some(other) = names.get(rust) {
                    let message = format!(
                        "{what} and {other} both become `{}().{rust}()`",
                        family.module
                    );
                    cx.at(key, path, message);
                } else {
                    names.insert(rust.to_owned(), what);
                }
            };
            match &api.accessor {
                Some(acc) => claim(
                    &mut cx,
                    acc,
                    format!("the accessor of api `{}`", api.wire),
                    format!("apis[{}]", api.wire),
                ),
                None => {
                    for m in &api.methods {
                        claim(
                            &mut cx,
                            &m.rust,
                            format!("family-level method `{}` of `{}`", m.wire, api.wire),
                            format!("apis[{}].methods[{}]", api.wire, m.wire),
                        );
                    }
                }
            }
        }
    }
}
