//! What generated code calls, as `crate::__rt::Name` (the one path it uses; hand-written
//! code uses `crate::rt`). Hand-written; kept small so that generated code stays thin.
//!
//! The contract is two files: `meta.rs`, the static tables generated code writes for each
//! API, method and parameter, and `params.rs`, the request parameters its builders fill.
//! Behind them, `decode.rs` turns response bytes into typed data or an `Error` (`call`),
//! `paginate.rs` turns a paginated method into a stream (`Pages`, which requests pages ahead
//! in spawned tasks), and `finite.rs` refuses float parameters that hold NaN or an infinity.
//!
//! Lint policy: what only generated code calls (`call`, `paginate`, the setters, `de`'s
//! decoders) carries its own `allow(dead_code)`, because whether a build uses it depends on
//! the spec and on the family features; fields only the mock reads are allowed without the
//! `mock` feature. Everything else must be used.

mod decode;
mod finite;
mod meta;
mod paginate;
mod params;
mod request;

pub(crate) use crate::de;
pub(crate) use decode::{decode, decode_json_op, decode_op, decode_op_or_null, decode_unit};
pub use meta::{ApiMeta, ErrorMeta, MethodMeta, ParamMeta};
pub(crate) use meta::{spec_api, spec_method};
pub use paginate::Pages;
pub use params::Params;
pub use request::Request;

// Names only generated code uses, and only when a compiled family needs them.
#[cfg(test)]
pub use decode::{decode_json, decode_json_unit};
#[allow(
    unused_imports,
    reason = "generated code uses each as the spec and the family features need"
)]
pub use {
    crate::call::Call, crate::secret::Secret, crate::time::UnixTime, decode::call,
    decode::call_unit, meta::PageMeta, paginate::paginate, params::WireValue,
};
