//! [`Call`]: the request of every imported method (the light form the DSM-wide import gets:
//! one function per method, no builder). It is a raw call built from the method's static
//! description, so it shares the raw-call path with [`RawRequest`](crate::RawRequest).

use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::raw::RawRequest;
use crate::rt::MethodMeta;
use crate::{Client, Error};

/// A call to a method imported from DSM's own API description (`client.x().y().get()`),
/// answering `T`: the method's recorded response type, or [`serde_json::Value`] for a method
/// whose answer has no recorded shape.
///
/// Imported methods get this one generic request instead of a builder of their own (a
/// builder per method would cost minutes of compile time over DSM's 4,661 methods). Set
/// parameters by their wire name with [`param`](Self::param); the method's docs list the
/// ones DSM's description names, all optional. Then [`send`](Self::send) it.
///
/// It goes through the same path as every call, with the method's API, version range (and
/// version set), verb and error table from the spec: discovery, the highest version both the
/// NAS and the method allow (or [`version`](Self::version)), the session, SynoToken and
/// re-login, the client's limits. Values are written as the API's request format wants them
/// (JSON text for JSON-format APIs; otherwise plain text, lists and objects as JSON).
/// Parameters the spec marks secret, and well-known secret names, never show in `Debug`.
///
/// ```no_run
/// # async fn run(call: synology_client::Call<serde_json::Value>) -> Result<(), synology_client::Error> {
/// // let call = client.some_family().some_api().some_method();
/// let data: serde_json::Value = call.param("limit", 10).param("sort_by", "name").send().await?;
/// println!("{data:#}");
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is sent"]
pub struct Call<T> {
    raw: RawRequest,
    response: PhantomData<fn() -> T>,
}

impl<T> Clone for Call<T> {
    fn clone(&self) -> Self {
        Call {
            raw: self.raw.clone(),
            response: PhantomData,
        }
    }
}

impl<T> Call<T> {
    /// A call to the method `meta` describes (generated code's only way in).
    #[allow(dead_code, reason = "generated code uses it, per spec and features")]
    pub(crate) fn new(client: &Client, meta: &'static MethodMeta) -> Self {
        Call {
            raw: RawRequest::of(client, meta),
            response: PhantomData,
        }
    }

    /// Sets parameter `name` to `value` (any `Serialize`: a string, a number, a list, ...);
    /// setting it again replaces the value. Parameters the spec marks secret and well-known
    /// secret names (`passwd`, `password`, ...) are redacted as with
    /// [`secret_param`](Self::secret_param). `api`, `version`, `method` and `_sid` are the
    /// client's: setting them fails the call with `Error::InvalidParameter` before anything is
    /// sent, as does a value that does not serialize.
    pub fn param(self, name: &str, value: impl Serialize) -> Self {
        self.map(|raw| raw.param(name, value))
    }

    /// Sets a parameter whose value never shows in `Debug` output or logs.
    pub fn secret_param(self, name: &str, value: impl Serialize) -> Self {
        self.map(|raw| raw.secret_param(name, value))
    }

    /// Sends this API version instead of the highest both the NAS and the method allow.
    pub fn version(self, version: u32) -> Self {
        self.map(|raw| raw.version(version))
    }

    /// Sends the request and decodes the answer's `data` as `T` (for raw-JSON methods,
    /// `serde_json::Value`, `null` when the answer has none). DSM errors are typed by the
    /// API's table, then the common one.
    pub async fn send(self) -> Result<T, Error>
    where
        T: DeserializeOwned,
    {
        self.raw.send_or_null().await
    }

    /// Sends the request and returns the answer's `data` as JSON, whatever its shape (`null`
    /// when it has none): for when a NAS's answer does not fit the recorded type.
    pub async fn send_json(self) -> Result<Value, Error> {
        self.raw.send_json().await
    }

    fn map(self, f: impl FnOnce(RawRequest) -> RawRequest) -> Self {
        Call {
            raw: f(self.raw),
            response: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.debug_as("Call", f)
    }
}
