//! Tests that need the crate's internals, kept apart from the runtime they test: hostile input
//! to every decoder (`hostile`), and the codegen snapshot compiled against this runtime
//! (`snapshot_showcase`) with its request builders checked on the wire (`showcase_wire`).
//! Tests through the public API alone live in `generated-client/tests/`.

mod hostile;

// The codegen snapshot fixture, compiled against this runtime under the generated module's
// lint policy, so that a reviewed snapshot that does not build fails the tests. Generated
// code refers to the runtime as `crate::__rt` and to itself by relative paths, so it builds
// at any depth.
#[rustfmt::skip]
#[allow(dead_code, reason = "compiled to prove it builds; only `showcase_wire` calls into it")]
#[path = "../../../codegen/tests/snapshots/showcase/expected/src/mod.rs"]
mod snapshot_showcase;

#[cfg(feature = "mock")]
mod showcase_wire;
