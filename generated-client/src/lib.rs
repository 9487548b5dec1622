//! Typed async bindings for the Synology DSM Web API, generated from a declarative spec.
//!
//! ```no_run
//! # async fn run() -> Result<(), synology_client::Error> {
//! use synology_client::Client;
//!
//! let client = Client::builder("https://nas.example.com:5001").build()?;
//! client.login("admin", "password").await?;
//! // Cloud Sync as DSM publishes it (`SYNO.CloudSync`); `client.has_api` tells which APIs a NAS has.
//! let page = client.cloud_sync().get_log(3).limit(50).send().await?;
//! for entry in &page.items {
//!     println!("{} {:?} {}", entry.time, entry.action, entry.path);
//! }
//! client.logout().await?;
//! # Ok(()) }
//! ```
//!
//! Every family of APIs has a module (`cloud_sync`, `synology_drive`,
//! `synology_drive_share_sync`, and one per family imported from DSM, such as `dsm_core`)
//! holding its types and request builders, an accessor on [`Client`], and a cargo feature
//! of the same name in kebab-case (the hand-written families are on by default, the
//! imported ones off; `all-apis` turns on every family). The reference of every API,
//! method, parameter and type is in `docs/` next to this crate, generated from the same spec.
//!
//! Other features: `gzip` (on by default: asks for compressed answers and decompresses
//! them, the size limit counting decompressed bytes; [`ClientBuilder::gzip`]), `mock` (an
//! embedded mock DSM, `synology_client::mock`), `cli` (the `synology` command), `jiff`
//! (conversions between [`UnixTime`] and `jiff::Timestamp`).

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod call;
#[cfg(feature = "cli")]
mod cli;
mod client;
mod de;
mod device_token;
mod discovery;
mod error;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock;
mod op;
mod raw;
mod rt;
mod secret;
mod session;
mod settings;
mod time;
mod transport;

// The runtime surface generated code builds on; not part of the public API.
use rt as __rt;

// Generated code: prettyplease output, not rustfmt's, so rustfmt skips it. Its lint policy:
// the spec tables (`APIS`, `METHODS`) serve the mock only.
#[rustfmt::skip]
#[cfg_attr(
    not(feature = "mock"),
    allow(dead_code, reason = "the spec tables serve the mock only")
)]
#[allow(
    clippy::module_inception,
    clippy::should_implement_trait,
    reason = "DSM's names are kept: an API named like its family (`SYNO.Cal.Cal`), a method named `clone`"
)]
mod generated;

#[cfg(test)]
mod tests;

/// The README's Rust examples, compiled (and the mock one run) as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;

pub use call::Call;
pub use client::{Client, ClientBuilder};
pub use device_token::DeviceToken;
pub use discovery::PublishedApi;
pub use error::Error;
pub use generated::*;
pub use raw::RawRequest;
pub use rt::{Pages, Request};
pub use secret::Secret;
pub use session::Login;
pub use settings::Settings;
pub use time::UnixTime;

/// Every DSM API this build of the client describes, by name: the runtime's
/// (`SYNO.API.Info`, `SYNO.API.Auth`) and those of the compiled families. With
/// [`Client::has_api`], tells which of them a NAS publishes.
pub fn known_apis() -> impl Iterator<Item = &'static str> {
    generated::APIS.iter().map(|a| a.name)
}

/// The `synology` binary's entry point (feature `cli`); not a library API.
#[cfg(feature = "cli")]
#[doc(hidden)]
pub fn __cli_main() -> std::process::ExitCode {
    cli::main()
}
