//! Turns parsed spec files into the IR, or reports every problem with its place.
//!
//! [`validate`] is the list of passes, each in the file named after its subject:
//! declarations and family-level names (`names`), named types and their homes (`types`),
//! APIs (`apis`) and each method (`methods`), parameters and pagination (`params`), examples
//! (`examples`), the mock's data per persona (`mock_data`); `context` locates every
//! message. Names follow the rules of [`crate::naming`]; every pair of spec items that would
//! map to one Rust name is refused (ARCHITECTURE.md, "Invariants").

mod apis;
mod context;
mod examples;
mod methods;
mod mock_data;
mod names;
mod params;
mod types;

use crate::error::SpecError;
use crate::ir::Spec;
use crate::spec::SpecFile;

/// Validates the parsed files (sorted by name) and builds the IR.
pub fn validate(files: &[(String, SpecFile)]) -> Result<Spec, SpecError> {
    let mut diags = Vec::new();
    // 1. Every type and API by name, and the common error table, so references resolve in
    //    any order and across files.
    let decls = names::declare(files, &mut diags);
    // 2. Named types: struct fields, enum values.
    let types = types::named_types(&decls, &mut diags);
    // 3. APIs, their methods, parameters, pagination and examples, grouped into families.
    let mut families = apis::families(&decls, &types, &mut diags);
    // 4. Family-level names: an accessor and a family-level method may not collide.
    names::family_level(&families, &decls, &mut diags);
    // 5. Each type's home family; types callers build; unused types.
    let types = types::homes(&mut families, types, &decls, &mut diags);
    // 6. The mock's data per persona: a known method and persona, data of its response type.
    mock_data::attach(files, &mut families, &types, &mut diags);
    if !diags.is_empty() {
        return Err(SpecError {
            diagnostics: context::in_file_order(diags),
        });
    }
    Ok(Spec {
        families: families.into_values().collect(),
        types,
        common_errors: decls.common_errors,
        feature_gates: true,
    })
}
