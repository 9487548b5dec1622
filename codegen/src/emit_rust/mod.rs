//! Emits the Rust client: a root module, and per family a module, a types file and one file
//! per API. Each file reads first-things-first: what a user calls (handles, request
//! builders), then the static tables the runtime reads, then the tests.
//!
//! Tokens are built with `quote!` from the shared vocabulary in [`crate::rustlang`] and
//! printed there. Generated code names runtime items through `crate::__rt` and std items by
//! full path, and uses no local variables, so no spec name can collide with generated code.

mod api;
mod builder;
mod example_tests;
mod family;
mod meta;
mod root;
mod types;

use crate::ir::Spec;
use crate::naming::TYPES_MODULE;
use crate::rustlang::RustFile;

/// Every Rust file of the client, described; the driver builds and prints them.
pub fn files(spec: &Spec) -> Vec<RustFile<'_>> {
    let mut out = vec![RustFile::new("mod.rs", move || root::root(spec))];
    for family in &spec.families {
        let m = &family.module;
        out.push(RustFile::new(format!("{m}/mod.rs"), move || {
            family::family_mod(spec, family)
        }));
        if !family.types.is_empty() {
            out.push(RustFile::new(format!("{m}/{TYPES_MODULE}.rs"), move || {
                types::types_file(spec, family)
            }));
        }
        for a in &family.apis {
            out.push(RustFile::new(format!("{m}/{}.rs", a.module), move || {
                api::api_file(spec, family, a)
            }));
        }
    }
    out
}
