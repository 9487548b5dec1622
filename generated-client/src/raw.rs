//! Raw calls: any API and method, named at run time, through the same machinery as the
//! generated ones (discovery, versions, the session and SynoToken, re-login, typed DSM
//! errors, the body, time and redirect limits). Imported methods' [`Call`](crate::Call) is
//! a raw call built from the method's static description (`RawRequest::of`).

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::discovery::{Target, check_path, not_offered, spec_min};
use crate::op::Op;
use crate::rt::{
    ApiMeta, MethodMeta, decode_json_op, decode_op, decode_op_or_null, spec_api, spec_method,
};
use crate::{Client, Error};

/// Parameters the client sets itself.
const RESERVED: [&str; 4] = ["api", "version", "method", "_sid"];

/// A call to any API and method, named at run time: from [`Client::raw`].
///
/// It goes where the NAS's `SYNO.API.Info` says (or [`path`](Self::path)), at the highest
/// version both the NAS and, when it knows the method, the spec allow (or
/// [`version`](Self::version)), with the session, the SynoToken and the automatic re-login,
/// under the client's limits. It is a POST (so `_sid` is never in a URL) unless
/// [`get`](Self::get). Values are written as the API wants them: JSON text for APIs whose
/// request format is JSON (the spec's, else the NAS's `requestFormat`; a string is then sent
/// quoted, as DSM's web UI does), plain text otherwise.
///
/// ```no_run
/// # async fn run(client: synology_client::Client) -> Result<(), synology_client::Error> {
/// let info: serde_json::Value = client
///     .raw("SYNO.Core.System", "info")
///     .param("type", "storage")
///     .send_json()
///     .await?;
/// println!("{info:#}");
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is sent"]
#[derive(Clone)]
pub struct RawRequest {
    client: Client,
    api: Cow<'static, str>,
    method: Cow<'static, str>,
    /// The spec's description of the method, when it has one: the one an imported method's
    /// `Call` was built from, or the one a raw call's names find.
    meta: Option<&'static MethodMeta>,
    version: Option<u32>,
    path: Option<String>,
    post: bool,
    params: Vec<RawParam>,
    invalid: Option<Error>,
}

#[derive(Clone)]
struct RawParam {
    name: String,
    value: Value,
    secret: bool,
}

impl Client {
    /// A raw call to `api` `method` (`client.raw("SYNO.Core.System", "info")`), for an API
    /// or method the spec does not cover; see [`RawRequest`].
    pub fn raw(&self, api: &str, method: &str) -> RawRequest {
        RawRequest {
            client: self.clone(),
            api: Cow::Owned(api.to_owned()),
            method: Cow::Owned(method.to_owned()),
            // Looked up once here, not per parameter: the spec may hold thousands of methods.
            meta: spec_method(api, method),
            version: None,
            path: None,
            post: true,
            params: Vec::new(),
            invalid: None,
        }
    }
}

impl RawRequest {
    /// A call to the method `meta` describes: its names borrowed (nothing allocated), its
    /// verb, versions, request format, error table and secret parameters from the spec.
    pub(crate) fn of(client: &Client, meta: &'static MethodMeta) -> Self {
        RawRequest {
            client: client.clone(),
            api: Cow::Borrowed(meta.api.name),
            method: Cow::Borrowed(meta.name),
            meta: Some(meta),
            version: None,
            path: None,
            post: meta.post,
            params: Vec::new(),
            invalid: None,
        }
    }
}

impl RawRequest {
    /// Sends this API version instead of the highest both sides allow.
    pub fn version(mut self, version: u32) -> Self {
        self.version = Some(version);
        self
    }

    /// Sets parameter `name` to `value` (any `Serialize`: a string, a number, a list, ...).
    /// Well-known secret names (`passwd`, `password`, `passphrase`, `otp_code`, `device_id`,
    /// `did`, ...) and parameters the spec marks secret are redacted as with
    /// [`secret_param`](Self::secret_param). `api`, `version`, `method` and `_sid` are the
    /// client's: setting them fails the call before anything is sent.
    pub fn param(self, name: &str, value: impl Serialize) -> Self {
        let secret = self.is_secret(name);
        self.set(name, value, secret)
    }

    /// Sets a parameter whose value never shows in `Debug` output or logs.
    pub fn secret_param(self, name: &str, value: impl Serialize) -> Self {
        self.set(name, value, true)
    }

    /// Sends to this CGI path under `/webapi/` (`entry.cgi`), for an API the NAS's
    /// `SYNO.API.Info` does not list. It must be a plain relative `.cgi` name.
    pub fn path(mut self, cgi: &str) -> Self {
        self.path = Some(cgi.to_owned());
        self
    }

    /// Sends a GET (parameters, and so the session id, in the URL) instead of a POST.
    pub fn get(mut self) -> Self {
        self.post = false;
        self
    }

    /// Sends the request and decodes the answer's `data` as `T`.
    pub async fn send<T: DeserializeOwned>(self) -> Result<T, Error> {
        self.run(decode_op::<T>).await
    }

    /// Sends the request and returns the answer's `data` as JSON (`null` when it has none).
    pub async fn send_json(self) -> Result<Value, Error> {
        self.run(decode_json_op).await
    }

    /// Sends the request and decodes `data` as `T`; an answer without `data` decodes as
    /// JSON `null` would (`serde_json::Value::Null`), or fails as `send` does.
    pub(crate) async fn send_or_null<T: DeserializeOwned>(self) -> Result<T, Error> {
        self.run(decode_op_or_null::<T>).await
    }

    fn set(mut self, name: &str, value: impl Serialize, secret: bool) -> Self {
        if self.invalid.is_some() {
            return self;
        }
        if name.is_empty() || RESERVED.contains(&name) {
            self.invalid = Some(self.invalid_param(name, "is set by the client itself".into()));
            return self;
        }
        match serde_json::to_value(value) {
            Ok(value) => {
                self.params.retain(|p| p.name != name);
                self.params.push(RawParam {
                    name: name.to_owned(),
                    value,
                    secret,
                });
            }
            Err(e) => self.invalid = Some(self.invalid_param(name, e.to_string())),
        }
        self
    }

    fn invalid_param(&self, name: &str, reason: String) -> Error {
        Error::InvalidParameter {
            api: self.api.clone(),
            method: self.method.clone(),
            param: name.to_owned().into(),
            reason,
        }
    }

    fn spec_api(&self) -> Option<&'static ApiMeta> {
        self.meta.map(|m| m.api).or_else(|| spec_api(&self.api))
    }

    fn is_secret(&self, name: &str) -> bool {
        crate::secret::is_well_known_secret(name)
            || self
                .meta
                .is_some_and(|m| m.params.iter().any(|p| p.name == name && p.secret))
    }

    /// Resolves where and how to send, encodes the parameters, and runs the call.
    async fn run<T>(self, decode: impl Fn(&Op, &[u8]) -> Result<T, Error>) -> Result<T, Error> {
        if let Some(e) = self.invalid {
            return Err(e);
        }
        let method = self.meta;
        let api = self.spec_api();
        let op = Op {
            api: self.api.clone(),
            method: self.method.clone(),
            post: self.post,
            session: method.is_none_or(|m| m.session),
            errors: api.map_or(&[], |a| a.errors),
            secret_response: method.is_some_and(|m| m.secret_response),
        };
        let discovery = self.client.discovery().await?;
        let (target, nas_json) = match &self.path {
            Some(path) => {
                check_path(path).map_err(|why| self.invalid_param("path", why))?;
                let listed = discovery.published_entry(&self.api);
                let version = match self.version {
                    Some(v) => v,
                    None => path_version(method, listed.map(|(lo, hi, _)| (lo, hi)))?,
                };
                let target = Target {
                    path: path.as_str(),
                    version,
                };
                (target, listed.is_some_and(|(_, _, json)| json))
            }
            None => discovery.resolve_raw(&self.api, method, self.version)?,
        };
        let json = api.map_or(nas_json, |a| a.json);
        let encoded: Vec<(&str, String)> = self
            .params
            .iter()
            .map(|p| (p.name.as_str(), encode(&p.value, json)))
            .collect();
        let pairs: Vec<(&str, &str)> = encoded.iter().map(|(n, v)| (*n, v.as_str())).collect();
        self.client.run_op(&op, &target, &pairs, decode).await
    }
}

/// The version of a raw call sent to a path of its own: the highest both the spec (when it
/// describes the method: its API's highest, and its own versions) and the NAS (when it lists
/// the API: its highest) allow, else 1. Only the highest versions count, as the NAS may not
/// list the API at all; a method none of whose versions is that low is `VersionNotOffered`.
fn path_version(
    method: Option<&'static MethodMeta>,
    nas: Option<(u32, u32)>,
) -> Result<u32, Error> {
    let nas_max = nas.map(|(_, hi)| hi);
    let Some(m) = method else {
        return Ok(nas_max.unwrap_or(1));
    };
    let high = nas_max.map_or(m.api.max_version, |n| n.min(m.api.max_version));
    match m.versions {
        None => Ok(high),
        Some(set) => match set.iter().rev().find(|v| **v <= high) {
            Some(v) => Ok(*v),
            // Only a listed API can have a highest version below every version of the set.
            None => Err(not_offered(m, spec_min(m), nas.unwrap_or((1, high)))),
        },
    }
}

/// A value as the wire wants it: JSON text for JSON-format APIs, else plain text (strings as
/// they are, lists and objects as JSON).
fn encode(value: &Value, json: bool) -> String {
    match value {
        _ if json => value.to_string(),
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl fmt::Debug for RawRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.debug_as("RawRequest", f)
    }
}

impl RawRequest {
    /// `Debug` under the name `name`, secret parameters redacted.
    pub(crate) fn debug_as(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Shown<'a>(&'a [RawParam]);
        impl fmt::Debug for Shown<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut m = f.debug_map();
                for p in self.0 {
                    if p.secret {
                        m.entry(&p.name, &"***");
                    } else {
                        m.entry(&p.name, &p.value);
                    }
                }
                m.finish()
            }
        }
        f.debug_struct(name)
            .field("api", &self.api)
            .field("method", &self.method)
            .field("version", &self.version)
            .field("path", &self.path)
            .field("verb", &if self.post { "POST" } else { "GET" })
            .field("params", &Shown(&self.params))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{encode, path_version};
    use crate::Error;
    use crate::tests::snapshot_showcase::showcase::family_api::{
        EXPORT_LEGACY, SAMPLE, SET_CONFIG,
    };

    #[test]
    fn a_raw_call_with_its_own_path_goes_at_the_highest_version_the_method_has() {
        // SYNO.Showcase is 1-3; export_legacy only 1, sample 1 and 3, set_config 2 up.
        assert_eq!(path_version(None, None).ok(), Some(1));
        assert_eq!(path_version(None, Some((1, 7))).ok(), Some(7));
        assert_eq!(path_version(Some(&SET_CONFIG), None).ok(), Some(3));
        assert_eq!(path_version(Some(&SET_CONFIG), Some((1, 2))).ok(), Some(2));
        assert_eq!(path_version(Some(&SAMPLE), None).ok(), Some(3));
        assert_eq!(path_version(Some(&SAMPLE), Some((1, 2))).ok(), Some(1));
        assert_eq!(
            path_version(Some(&EXPORT_LEGACY), Some((1, 9))).ok(),
            Some(1)
        );
        match path_version(Some(&SAMPLE), Some((0, 0))) {
            Err(Error::VersionNotOffered {
                offered, available, ..
            }) => assert_eq!((offered, available), (vec![1, 3], (0, 0))),
            other => panic!("expected VersionNotOffered, got {other:?}"),
        }
    }

    #[test]
    fn values_are_json_text_for_json_apis_and_plain_otherwise() {
        assert_eq!(encode(&json!("/home"), true), "\"/home\"");
        assert_eq!(encode(&json!("/home"), false), "/home");
        assert_eq!(encode(&json!(3), true), "3");
        assert_eq!(encode(&json!(3), false), "3");
        assert_eq!(encode(&json!(true), false), "true");
        assert_eq!(encode(&json!(["a", 1]), false), "[\"a\",1]");
        assert_eq!(encode(&json!({"k": "v"}), true), "{\"k\":\"v\"}");
        assert_eq!(encode(&json!(null), false), "");
    }
}
