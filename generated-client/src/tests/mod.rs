//! Tests that need the crate's internals, kept apart from the runtime they test: hostile input
//! to every decoder (`hostile`), and the codegen snapshot compiled against this runtime
//! (`snapshot_showcase`) with its request builders checked on the wire (`showcase_wire`) and
//! its per-method versions against the mock (`showcase_versions`), and its imported methods,
//! the light form, end to end (`showcase_imported`). In this test build the
//! snapshot's tables join the spec's for raw calls and the mock (`rt::spec_method`).
//! Tests through the public API alone live in `generated-client/tests/`.

mod answers;
mod hostile;

// The codegen snapshot fixture, compiled against this runtime under the generated module's
// lint policy, so that a reviewed snapshot that does not build fails the tests. Generated
// code refers to the runtime as `crate::__rt` and to itself by relative paths, so it builds
// at any depth.
#[rustfmt::skip]
#[allow(dead_code, reason = "compiled to prove it builds; `showcase_wire`, `rt::spec_method` and `rt::spec_api` call into it")]
#[allow(clippy::module_inception, clippy::should_implement_trait, reason = "the generated module's lint policy")]
#[path = "../../../codegen/tests/snapshots/showcase/expected/src/mod.rs"]
pub(crate) mod snapshot_showcase;

#[cfg(feature = "mock")]
mod showcase_imported;
#[cfg(feature = "mock")]
mod showcase_versions;
#[cfg(feature = "mock")]
mod showcase_wire;
