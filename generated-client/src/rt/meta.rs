//! The spec as static tables: what generated code writes for every API (`ApiMeta`), method
//! (`MethodMeta`), parameter (`ParamMeta`), error code (`ErrorMeta`) and paginated method
//! (`PageMeta`). The runtime reads them for verbs, versions and error kinds; the mock reads
//! them to behave like DSM with no code per API. Plain data: no behaviour beyond the
//! `ParamMeta` constructors, [`MethodMeta::offers`], and the lookups by name that raw calls
//! and the mock use ([`spec_api`], [`spec_method`]).

#[cfg(test)]
use crate::Error;

/// An API as the spec describes it.
#[derive(Debug)]
pub struct ApiMeta {
    /// `SYNO.CloudSync.Connection`
    pub name: &'static str,
    /// CGI path used when discovery does not say otherwise.
    pub path: &'static str,
    /// Lowest version the spec describes.
    pub min_version: u32,
    /// Highest version the spec describes.
    pub max_version: u32,
    /// `request_format: json`: parameter values are sent as JSON text.
    pub json: bool,
    /// The API's own error codes.
    pub errors: &'static [ErrorMeta],
}

/// One error-code table entry.
#[derive(Debug)]
pub struct ErrorMeta {
    /// DSM code.
    pub code: i64,
    /// `ErrorKind` variant name.
    pub kind: &'static str,
    /// Documented meaning.
    pub description: &'static str,
}

/// A method as the spec describes it.
#[derive(Debug)]
pub struct MethodMeta {
    /// The API.
    pub api: &'static ApiMeta,
    /// Wire name.
    pub name: &'static str,
    /// POST (form body) rather than GET (query).
    pub post: bool,
    /// Lowest API version with this method.
    pub min_version: u32,
    /// Every API version with this method, ascending, when that is not every version from
    /// `min_version` to the API's highest (a method a newer version dropped); `None`: all
    /// of those.
    pub versions: Option<&'static [u32]>,
    /// Sends `_sid`.
    pub session: bool,
    /// Parameters in spec order; `Params` indexes into this.
    pub params: &'static [ParamMeta],
    /// Whether the response has `data`.
    #[cfg_attr(not(feature = "mock"), allow(dead_code, reason = "the mock reads it"))]
    pub has_data: bool,
    /// Whether the response has a generated type (not raw JSON).
    pub typed: bool,
    /// Whether the response can hold a secret: decode errors then quote nothing of it.
    pub secret_response: bool,
    /// Decodes a response body into the method's typed `data` and re-serializes it: DSM's
    /// field names and raw enum values, `{}` for methods without data. Tests only: it costs
    /// one more instantiation of every response type.
    #[cfg(test)]
    pub decode_json: fn(&'static MethodMeta, &[u8]) -> Result<serde_json::Value, Error>,
    /// The documented envelope, JSON.
    #[cfg_attr(not(feature = "mock"), allow(dead_code, reason = "the mock reads it"))]
    pub example: Option<&'static str>,
    /// What the mock answers as `data` when it acts as a persona (`dsm5`, `dsm6`, `dsm7`),
    /// instead of the example: (persona, JSON), from the spec's `mock_data`.
    #[cfg_attr(not(feature = "mock"), allow(dead_code, reason = "the mock reads it"))]
    pub mock_data: &'static [(&'static str, &'static str)],
    /// Paging.
    pub pagination: Option<PageMeta>,
}

/// A parameter as the spec describes it.
#[derive(Debug)]
pub struct ParamMeta {
    /// Wire name.
    pub name: &'static str,
    /// Positional (must be sent).
    #[cfg_attr(not(feature = "mock"), allow(dead_code, reason = "the mock reads it"))]
    pub required: bool,
    /// Lowest API version accepting it.
    pub min_version: u32,
    /// Masked in logs.
    pub secret: bool,
    /// A value always sent.
    pub constant: Option<&'static str>,
    /// Written as JSON text.
    #[cfg_attr(not(feature = "mock"), allow(dead_code, reason = "the mock reads it"))]
    pub json: bool,
    /// A string written as JSON text: DSM also takes it bare (the mock, unless strict, too).
    #[cfg_attr(not(feature = "mock"), allow(dead_code, reason = "the mock reads it"))]
    pub text: bool,
}

impl MethodMeta {
    /// Whether API version `version` has this method (the API's own range aside). A version
    /// below the lowest the spec describes for the API is one the spec knows nothing of
    /// (DSM 5 publishes `SYNO.DSM.Info` version 1, which DSM 7's declarations, the imported
    /// spec's source, no longer list): there every method counts as offered, so the NAS's
    /// own published range decides.
    pub fn offers(&self, version: u32) -> bool {
        if version < self.api.min_version {
            return true;
        }
        match self.versions {
            Some(set) => set.contains(&version),
            None => version >= self.min_version,
        }
    }
}

/// The spec's API named `name`. In this crate's own test build the tables include the
/// showcase snapshot's, so that raw calls and the mock meet every feature of the spec
/// language (its APIs are published only where a test asks for them).
pub(crate) fn spec_api(name: &str) -> Option<&'static ApiMeta> {
    let all = crate::generated::APIS.iter();
    #[cfg(test)]
    let all = all.chain(crate::tests::snapshot_showcase::APIS);
    all.copied().find(|a| a.name == name)
}

/// The spec's method `method` of `api` (the same tables as [`spec_api`]).
pub(crate) fn spec_method(api: &str, method: &str) -> Option<&'static MethodMeta> {
    let all = crate::generated::METHODS.iter();
    #[cfg(test)]
    let all = all.chain(crate::tests::snapshot_showcase::METHODS);
    all.copied().find(|m| m.api.name == api && m.name == method)
}

impl ParamMeta {
    /// A parameter the caller sets.
    pub const fn value(name: &'static str, required: bool, min_version: u32, secret: bool) -> Self {
        ParamMeta {
            name,
            required,
            min_version,
            secret,
            constant: None,
            json: false,
            text: false,
        }
    }

    /// The same parameter, written as JSON text.
    #[allow(dead_code, reason = "generated code uses it, per spec and features")]
    pub const fn json(self) -> Self {
        ParamMeta { json: true, ..self }
    }

    /// The same parameter, a string written as JSON text (DSM also takes it bare).
    #[allow(dead_code, reason = "generated code uses it, per spec and features")]
    pub const fn json_text(self) -> Self {
        ParamMeta {
            json: true,
            text: true,
            ..self
        }
    }

    /// A parameter always sent with `value`.
    pub const fn constant(name: &'static str, value: &'static str, min_version: u32) -> Self {
        ParamMeta {
            name,
            required: false,
            min_version,
            secret: false,
            constant: Some(value),
            json: false,
            text: false,
        }
    }
}

/// Which parameters and fields implement paging.
#[derive(Debug)]
pub struct PageMeta {
    /// Index of the offset parameter.
    pub offset: usize,
    /// Index of the limit parameter.
    pub limit: usize,
    /// Items field of the response.
    #[cfg_attr(not(feature = "mock"), allow(dead_code, reason = "the mock reads it"))]
    pub items: &'static str,
    /// Total field of the response.
    #[cfg_attr(not(feature = "mock"), allow(dead_code, reason = "the mock reads it"))]
    pub total: Option<&'static str>,
}
