//! Names across the spec: the declarations pass (every type and API by name, each declared
//! once across all files, and the one common error table), and the family-level pass (an
//! accessor and a family-level method may not become the same `family().name()`).

use std::collections::BTreeMap;

use super::apis::error_table;
use super::context::{Ctx, place};
use crate::error::Diagnostic;
use crate::ir::{ErrorEntry, Family};
use crate::spec::{ApiDef, Spanned, SpecFile, TypeDef};

/// A declared item: the file it is in, its key (name and place), its definition, and
/// whether that file is imported (`imported: true`).
pub(super) struct Decl<'a, T> {
    pub(super) file: &'a str,
    pub(super) key: &'a Spanned<String>,
    pub(super) def: &'a T,
    pub(super) imported: bool,
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
    /// Imported blocks that only add methods to an API declared by hand, by API name, in
    /// file order.
    pub(super) attached: BTreeMap<&'a str, Vec<Decl<'a, ApiDef>>>,
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
        attached: BTreeMap::new(),
        common_errors: Vec::new(),
    };
    let mut common_errors_file: Option<&str> = None;
    for (file, spec) in files {
        let mut cx = Ctx::new(file, diags);
        let imported = spec.imported;
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
            out.types.insert(
                &key.value,
                Decl {
                    file,
                    key,
                    def,
                    imported,
                },
            );
        }
        for (key, def) in &spec.apis.0 {
            let decl = Decl {
                file,
                key,
                def,
                imported,
            };
            match api_shape(&mut cx, &decl) {
                Shape::Broken => continue,
                Shape::Attached => {
                    out.attached.entry(&key.value).or_default().push(decl);
                    continue;
                }
                Shape::Declared => {}
            }
            if let Some(first) = out.apis.get(key.value.as_str()) {
                let message = format!(
                    "api `{}` is already declared at {}",
                    key.value,
                    place(first.file, first.key)
                );
                cx.at(key, format!("apis[{}]", key.value), message);
                continue;
            }
            out.apis.insert(&key.value, decl);
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
    for (name, blocks) in &out.attached {
        match out.apis.get(name) {
            Some(target) if !target.imported => {}
            found => {
                let why = match found {
                    Some(t) => format!(
                        "it is declared only by the imported file at {}, not by hand",
                        place(t.file, t.key)
                    ),
                    None => "no hand-written file declares it".to_owned(),
                };
                for b in blocks {
                    let message = format!(
                        "api `{name}` has only `methods` (no `description`, `path`, `versions`), but {why}; declare it in full"
                    );
                    Ctx::new(b.file, diags).at(b.key, format!("apis[{name}]"), message);
                }
            }
        }
    }
    out
}

/// What an API block is: a declaration (`description`, `path` and `versions`), an imported
/// block that only adds methods to an API declared by hand, or neither (reported).
enum Shape {
    Declared,
    Attached,
    Broken,
}

fn api_shape(cx: &mut Ctx, decl: &Decl<ApiDef>) -> Shape {
    let (key, def) = (decl.key, decl.def);
    let path = format!("apis[{}]", key.value);
    let missing: Vec<&str> = [
        ("description", def.description.is_none()),
        ("path", def.path.is_none()),
        ("versions", def.versions.is_none()),
    ]
    .into_iter()
    .filter_map(|(n, m)| m.then_some(n))
    .collect();
    if decl.imported && def.internal {
        cx.at(
            key,
            format!("{path}.internal"),
            "an imported file declares public apis only; `internal` is for the runtime's own, by hand",
        );
        return Shape::Broken;
    }
    match (missing.len(), decl.imported) {
        (0, _) => Shape::Declared,
        (3, true) => {
            if !def.errors.is_empty() || def.request_format.is_some() {
                cx.at(
                    key,
                    path,
                    "a block that adds methods to an api declared by hand has only `methods`",
                );
                return Shape::Broken;
            }
            Shape::Attached
        }
        (_, imported) => {
            let missing: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
            let hint = if imported {
                "; an imported block either declares the api in full or has only `methods`, for an api declared by hand"
            } else {
                ""
            };
            cx.at(
                key,
                path,
                format!("api `{}` lacks {}{hint}", key.value, missing.join(", ")),
            );
            Shape::Broken
        }
    }
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
