//! What generated code calls (`crate::__rt`): the spec's metadata types, parameter encoding,
//! `call`, `call_unit` and `paginate`. Hand-written; kept small so that generated code stays
//! thin.

use std::fmt;

use futures_core::Stream;
use futures_util::{StreamExt, TryStreamExt, stream};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

pub(crate) use crate::de;
pub use crate::secret::Secret;
pub use crate::time::UnixTime;
use crate::{Client, Error};

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
    /// Sends `_sid`.
    pub session: bool,
    /// Parameters in spec order; `Params` indexes into this.
    pub params: &'static [ParamMeta],
    /// Whether the response has `data`.
    pub has_data: bool,
    /// Whether the response can hold a secret: decode errors then quote nothing of it.
    pub secret_response: bool,
    /// Decodes a response body into the method's typed `data` and re-serializes it: DSM's
    /// field names and raw enum values, `{}` for methods without data. Tests only: it costs
    /// one more instantiation of every response type.
    #[cfg(test)]
    pub decode_json: fn(&'static MethodMeta, &[u8]) -> Result<serde_json::Value, Error>,
    /// The documented envelope, JSON.
    pub example: Option<&'static str>,
    /// Paging.
    pub pagination: Option<PageMeta>,
}

/// A parameter as the spec describes it.
#[derive(Debug)]
pub struct ParamMeta {
    /// Wire name.
    pub name: &'static str,
    /// Positional (must be sent).
    pub required: bool,
    /// Lowest API version accepting it.
    pub min_version: u32,
    /// Masked in logs.
    pub secret: bool,
    /// A value always sent.
    pub constant: Option<&'static str>,
    /// Written as JSON text.
    pub json: bool,
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
        }
    }

    /// The same parameter, written as JSON text.
    pub const fn json(self) -> Self {
        ParamMeta { json: true, ..self }
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
    pub items: &'static str,
    /// Total field of the response.
    pub total: Option<&'static str>,
}

/// A value that can be written as a form or query parameter.
pub trait WireValue {
    /// The text that goes on the wire.
    fn to_wire(&self) -> String;
}

macro_rules! wire_display {
    ($($t:ty),*) => { $(impl WireValue for $t { fn to_wire(&self) -> String { self.to_string() } })* };
}
wire_display!(i8, i16, i32, i64, u8, u16, u32, u64, bool, String, UnixTime);

impl WireValue for &str {
    fn to_wire(&self) -> String {
        (*self).to_owned()
    }
}

/// The encoded parameters of one request, in the spec's order. Its `Debug` masks secrets.
#[derive(Clone)]
pub struct Params {
    pub(crate) meta: &'static MethodMeta,
    values: Vec<(usize, String)>,
    invalid: Option<(usize, String)>,
}

impl Params {
    /// No parameters set yet (constants are added when sending).
    pub fn new(meta: &'static MethodMeta) -> Self {
        Params {
            meta,
            values: Vec::with_capacity(meta.params.len()),
            invalid: None,
        }
    }

    /// Sets parameter `index` to a plain value.
    pub fn with(mut self, index: usize, value: impl WireValue) -> Self {
        self.set(index, value.to_wire());
        self
    }

    /// Sets a boolean parameter written as `yes`/`no`.
    pub fn with_yes_no(mut self, index: usize, value: bool) -> Self {
        self.set(index, if value { "yes" } else { "no" }.to_owned());
        self
    }

    /// Sets a parameter written as JSON text.
    pub fn with_json<T: serde::Serialize + ?Sized>(mut self, index: usize, value: &T) -> Self {
        match serde_json::to_string(value) {
            Ok(text) => self.set(index, text),
            Err(e) => self.invalid = Some((index, e.to_string())),
        }
        self
    }

    /// Sets a parameter by wire name (for the runtime's own calls).
    pub(crate) fn with_named(mut self, name: &str, value: impl WireValue) -> Self {
        if let Some(index) = self.meta.params.iter().position(|p| p.name == name) {
            self.set(index, value.to_wire());
        } else {
            debug_assert!(false, "{} has no parameter {name}", self.meta.name);
        }
        self
    }

    pub(crate) fn with_named_yes_no(self, name: &str, value: bool) -> Self {
        self.with_named(name, if value { "yes" } else { "no" })
    }

    fn set(&mut self, index: usize, value: String) {
        match self.values.iter_mut().find(|(i, _)| *i == index) {
            Some(slot) => slot.1 = value,
            None => self.values.push((index, value)),
        }
    }

    /// The value set for parameter `index`.
    pub(crate) fn get(&self, index: usize) -> Option<&str> {
        self.values
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, v)| v.as_str())
    }

    /// The lowest API version every set parameter accepts.
    pub(crate) fn needed_version(&self) -> u32 {
        self.values
            .iter()
            .filter_map(|(i, _)| self.meta.params.get(*i))
            .map(|p| p.min_version)
            .fold(
                self.meta.min_version.max(self.meta.api.min_version),
                u32::max,
            )
    }

    /// An encoding failure recorded by a setter.
    pub(crate) fn invalid(&self) -> Option<Error> {
        let (index, reason) = self.invalid.as_ref()?;
        Some(Error::InvalidParameter {
            api: self.meta.api.name,
            method: self.meta.name,
            param: self.meta.params.get(*index).map_or("?", |p| p.name),
            reason: reason.clone(),
        })
    }

    /// Every parameter to send: constants and set values, in spec order.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        self.meta
            .params
            .iter()
            .enumerate()
            .filter_map(move |(i, p)| match p.constant {
                Some(c) => Some((p.name, c)),
                None => self.get(i).map(|v| (p.name, v)),
            })
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (i, p) in self.meta.params.iter().enumerate() {
            if let Some(v) = self.get(i) {
                m.entry(&p.name, &if p.secret { "***" } else { v });
            }
        }
        m.finish()
    }
}

/// DSM's envelope, decoded in one pass when all is well.
#[derive(Deserialize)]
struct Envelope<T> {
    success: bool,
    #[serde(default = "none")]
    data: Option<T>,
    #[serde(default)]
    error: Option<ApiError>,
}

fn none<T>() -> Option<T> {
    None
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(deserialize_with = "de::int")]
    code: i64,
    #[serde(default)]
    errors: Option<serde_json::Value>,
}

/// Sends a request and decodes `data` as `T`.
pub async fn call<T: DeserializeOwned>(client: &Client, params: Params) -> Result<T, Error> {
    client.run(&params, decode).await
}

/// Sends a request whose response has no `data`.
pub async fn call_unit(client: &Client, params: Params) -> Result<(), Error> {
    client.run(&params, decode_unit).await
}

/// Decodes into `T`, then re-serializes: the typed view of any method, as JSON.
#[cfg(test)]
pub fn decode_json<T: DeserializeOwned + serde::Serialize>(
    meta: &'static MethodMeta,
    body: &[u8],
) -> Result<serde_json::Value, Error> {
    let data: T = decode(meta, body)?;
    serde_json::to_value(&data).map_err(|e| decode_error(meta, "", e.to_string(), body))
}

/// [`decode_json`] for methods without data: `{}`.
#[cfg(test)]
pub fn decode_json_unit(
    meta: &'static MethodMeta,
    body: &[u8],
) -> Result<serde_json::Value, Error> {
    decode_unit(meta, body).map(|()| serde_json::Value::Object(serde_json::Map::new()))
}

/// Checks a response body that carries no `data` (any `data` is ignored).
pub(crate) fn decode_unit(meta: &'static MethodMeta, body: &[u8]) -> Result<(), Error> {
    let envelope: Envelope<IgnoredAny> = parse_envelope(meta, body)?;
    check(meta, envelope).map(drop)
}

fn parse_envelope<T: DeserializeOwned>(
    meta: &'static MethodMeta,
    body: &[u8],
) -> Result<Envelope<T>, Error> {
    serde_json::from_slice(body).map_err(|e| decode_error(meta, "", e.to_string(), body))
}

fn check<T>(meta: &'static MethodMeta, envelope: Envelope<T>) -> Result<Option<T>, Error> {
    if envelope.success {
        return Ok(envelope.data);
    }
    let (code, detail) = match envelope.error {
        Some(e) => (e.code, e.errors),
        None => (100, None),
    };
    Err(api_error(meta, code, detail))
}

/// Decodes a response body into `data: T`, with the failing JSON path when it does not fit.
pub(crate) fn decode<T: DeserializeOwned>(
    meta: &'static MethodMeta,
    body: &[u8],
) -> Result<T, Error> {
    // One pass over the bytes when all is well.
    let error = match serde_json::from_slice::<Envelope<T>>(body) {
        Ok(envelope) => {
            return match check(meta, envelope)? {
                Some(data) => Ok(data),
                None => Err(decode_error(
                    meta,
                    "data",
                    "success without `data`".into(),
                    body,
                )),
            };
        }
        Err(e) => e,
    };
    // Only on failure: a DSM error in an envelope whose `data` does not fit, or else where
    // the body stopped fitting. The path comes from scanning the bytes up to serde_json's
    // position, so `T` is decoded with one deserializer type only (a second one, such as
    // serde_path_to_error's, doubles the compile time of every response type).
    let envelope: Envelope<IgnoredAny> = parse_envelope(meta, body)?;
    if !envelope.success {
        let (code, detail) = envelope.error.map_or((100, None), |e| (e.code, e.errors));
        return Err(api_error(meta, code, detail));
    }
    let path = json_path_at(body, error.line(), error.column());
    let message = error.to_string();
    let message = message
        .rfind(" at line ")
        .map_or(message.as_str(), |at| &message[..at])
        .to_owned();
    Err(decode_error(meta, &path, message, body))
}

/// The JSON path (`data.connections[1].conn_id`) of the value being read at a 1-based line and
/// a byte column (serde_json's error position), by scanning the body up to it.
pub(crate) fn json_path_at(body: &[u8], line: usize, column: usize) -> String {
    enum Frame {
        Object {
            key: Option<String>,
            expect_key: bool,
        },
        Array {
            index: usize,
        },
    }
    let line_start = if line <= 1 {
        0
    } else {
        body.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map_or(body.len(), |(i, _)| i + 1)
    };
    let end = line_start.saturating_add(column).min(body.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match body[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                expect_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { key, expect_key }) => {
                    *key = None;
                    *expect_key = true;
                }
                None => {}
            },
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < end && body[i] != b'"' {
                    i += if body[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object {
                    key,
                    expect_key: expect @ true,
                }) = stack.last_mut()
                {
                    *key = Some(String::from_utf8_lossy(&body[start..i.min(end)]).into_owned());
                    *expect = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(k), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
            Frame::Object { key: None, .. } => {}
        }
    }
    path
}

pub(crate) fn decode_error(
    meta: &'static MethodMeta,
    path: &str,
    message: String,
    body: &[u8],
) -> Error {
    // serde's messages quote the offending value, so both go for responses with secrets.
    let (message, excerpt) = if meta.secret_response {
        let message =
            "the value does not have the expected type (hidden: the response holds secrets)"
                .to_owned();
        (message, format!("({} bytes, hidden)", body.len()))
    } else {
        (message, crate::error::excerpt(body))
    };
    Error::Decode {
        api: meta.api.name,
        method: meta.name,
        path: path.to_owned(),
        message,
        excerpt,
    }
}

pub(crate) fn api_error(
    meta: &'static MethodMeta,
    code: i64,
    detail: Option<serde_json::Value>,
) -> Error {
    let entry = meta
        .api
        .errors
        .iter()
        .chain(crate::generated::COMMON_ERRORS)
        .find(|e| e.code == code);
    Error::Api {
        api: meta.api.name,
        method: meta.name,
        code,
        kind: entry.map_or(crate::ErrorKind::Unknown, |e| {
            crate::ErrorKind::from_name(e.kind)
        }),
        description: entry.map(|e| e.description),
        detail,
    }
}

/// Page size used by `stream()` when the builder sets no limit.
pub const DEFAULT_PAGE_SIZE: i64 = 100;

/// Requests a stream may send beyond `total / page + 1`, for a total that grows meanwhile.
const STREAM_SLACK: u64 = 2;

struct PageState<P, I> {
    client: Client,
    params: Params,
    offset: i64,
    limit: i64,
    seen: u64,
    done: bool,
    split: fn(P) -> (Vec<I>, Option<u64>),
    /// Requests sent so far, and the most the first page's total allows.
    requests: u64,
    max_requests: Option<u64>,
    /// A hash of the previous page's items, to notice a server that ignores the offset.
    previous: Option<u64>,
}

impl<P, I> PageState<P, I> {
    fn stalled(&self, reason: String) -> Error {
        Error::StreamStalled {
            api: self.params.meta.api.name,
            method: self.params.meta.name,
            requests: self.requests,
            reason,
        }
    }
}

/// Streams the items of a paginated method, one request per page. Each item comes exactly
/// once; the stream ends when the items seen reach the total, or at an empty page or a short
/// page when DSM sends no total (DSM may cap the page size, so a short page with a total does
/// not end it).
///
/// It always ends, holding one page at a time: a page that brings no progress (empty before
/// the total, or the same items as the previous page because the server ignores the offset)
/// ends it with [`Error::StreamStalled`], and so does a request beyond
/// `total / first page size + 1 + 2`.
pub fn paginate<P, I>(
    client: Client,
    params: Params,
    split: fn(P) -> (Vec<I>, Option<u64>),
) -> impl Stream<Item = Result<I, Error>> + Send + 'static
where
    P: DeserializeOwned + Send + 'static,
    I: serde::Serialize + Send + 'static,
{
    let page = params.meta.pagination.as_ref();
    let number = |i: Option<usize>| {
        i.and_then(|i| params.get(i))
            .and_then(|v| v.parse::<i64>().ok())
    };
    let offset = number(page.map(|p| p.offset)).unwrap_or(0);
    let limit = number(page.map(|p| p.limit))
        .filter(|l| *l > 0)
        .unwrap_or(DEFAULT_PAGE_SIZE);
    let state = PageState {
        client,
        params,
        offset,
        limit,
        seen: 0,
        done: page.is_none(),
        split,
        requests: 0,
        max_requests: None,
        previous: None,
    };
    stream::try_unfold(state, |mut st| async move {
        if st.done {
            return Ok(None);
        }
        let Some(page) = st.params.meta.pagination.as_ref() else {
            return Ok(None);
        };
        if st.max_requests.is_some_and(|max| st.requests >= max) {
            let reason = format!(
                "the server keeps sending pages past the total it announced ({} items seen)",
                st.seen
            );
            return Err(st.stalled(reason));
        }
        let params = st
            .params
            .clone()
            .with(page.offset, st.offset)
            .with(page.limit, st.limit);
        st.requests += 1;
        let (items, total) = (st.split)(call::<P>(&st.client, params).await?);
        let n = items.len() as u64;
        if n == 0 {
            if let Some(total) = total.filter(|t| st.seen < *t) {
                let reason = format!(
                    "an empty page at offset {} before the announced total of {total} ({} items seen)",
                    st.offset, st.seen
                );
                return Err(st.stalled(reason));
            }
            return Ok(None);
        }
        let hash = items_hash(&items);
        if st.previous == Some(hash) {
            let reason = format!(
                "the page at offset {} repeats the previous page (the server ignores the offset)",
                st.offset
            );
            return Err(st.stalled(reason));
        }
        st.previous = Some(hash);
        if st.requests == 1 {
            st.max_requests = total.map(|t| t.div_ceil(n).saturating_add(1 + STREAM_SLACK));
        }
        st.seen += n;
        st.offset = st.offset.saturating_add(n as i64);
        st.done = match total {
            Some(total) => st.seen >= total,
            None => (n as i64) < st.limit,
        };
        Ok(Some((stream::iter(items.into_iter().map(Ok)), st)))
    })
    .try_flatten()
    .boxed()
}

/// A hash of a page's items as JSON: equal pages hash equal.
fn items_hash<I: serde::Serialize>(items: &[I]) -> u64 {
    use std::hash::Hasher;
    struct HashWriter(std::hash::DefaultHasher);
    impl std::io::Write for HashWriter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.write(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = HashWriter(std::hash::DefaultHasher::new());
    for item in items {
        // Serializing a response type into memory cannot fail; a failure only weakens the hash.
        let _ = serde_json::to_writer(&mut w, item);
        w.0.write_u8(0);
    }
    w.0.finish()
}

#[cfg(test)]
mod tests {
    use super::json_path_at;

    /// The path at serde_json's own error position for each kind of mismatch.
    fn path_of_error<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &str) -> String {
        let e = serde_json::from_str::<T>(body).unwrap_err();
        json_path_at(body.as_bytes(), e.line(), e.column())
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Conn {
        conn_id: i64,
        name: String,
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Data {
        connections: Vec<Conn>,
        total: u64,
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Envelope {
        data: Data,
    }

    #[test]
    fn finds_the_failing_value() {
        let cases = [
            (
                r#"{"data":{"connections":[{"conn_id":1,"name":"a"},{"conn_id":[],"name":"b"}],"total":2}}"#,
                "data.connections[1].conn_id",
            ),
            (
                r#"{"data":{"connections":[{"conn_id":1,"name":"a"},{"conn_id":{"x":[1]},"name":"b"}],"total":2}}"#,
                "data.connections[1].conn_id",
            ),
            (
                r#"{"data":{"connections":[{"conn_id":1,"name":5}],"total":2}}"#,
                "data.connections[0].name",
            ),
            (
                r#"{"data":{"connections":[{"conn_id":1}],"total":2}}"#,
                "data.connections[0]",
            ),
            (r#"{"data":{"connections":[],"total":-2}}"#, "data.total"),
            (
                r#"{"data":{"connections":7,"total":2}}"#,
                "data.connections",
            ),
            (
                "{\n  \"data\": {\n    \"connections\": [\n      {\"conn_id\": \"x\", \"name\": \"a\"}\n    ],\n    \"total\": 1\n  }\n}",
                "data.connections[0].conn_id",
            ),
            (
                r#"{"data":{"connections":[{"name":"a \"q\" ,[{","conn_id":true}],"total":1}}"#,
                "data.connections[0].conn_id",
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(path_of_error::<Envelope>(body), expected, "{body}");
        }
    }

    #[test]
    fn never_panics_on_odd_positions() {
        for (line, column) in [
            (0, 0),
            (1, 0),
            (1, 10_000),
            (50, 3),
            (usize::MAX, usize::MAX),
        ] {
            let _ = json_path_at(br#"{"a":[1,{"b":"\"#, line, column);
        }
    }
}
