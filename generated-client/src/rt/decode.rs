//! From response bytes to a typed value or an [`Error`]: DSM's envelope, decoded in one pass
//! when all is well; on failure, the failing JSON path (a small scanner of the body, not a
//! second deserializer), DSM error codes looked up in the API's then the common table, and
//! decode errors that quote nothing of a response that can hold secrets. `call` and
//! `call_unit` are what a generated `send()` calls.

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::meta::MethodMeta;
use super::params::Params;
use crate::op::Op;
use crate::{Client, Error, de};

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
#[allow(dead_code, reason = "generated code uses it, per spec and features")]
pub async fn call<T: DeserializeOwned>(client: &Client, params: Params) -> Result<T, Error> {
    client.run(&params, decode_op).await
}

/// Sends a request whose response has no `data`.
#[allow(dead_code, reason = "generated code uses it, per spec and features")]
pub async fn call_unit(client: &Client, params: Params) -> Result<(), Error> {
    client.run(&params, decode_unit_op).await
}

/// Sends a request and returns its `data` as JSON, whatever its shape (`null` when the answer
/// has none): the raw view of any request.
pub(crate) async fn call_json(client: &Client, params: Params) -> Result<serde_json::Value, Error> {
    client.run(&params, decode_json_op).await
}

/// Decodes into `T`, then re-serializes: the typed view of any method, as JSON.
#[cfg(test)]
pub fn decode_json<T: DeserializeOwned + serde::Serialize>(
    meta: &'static MethodMeta,
    body: &[u8],
) -> Result<serde_json::Value, Error> {
    let data: T = decode(meta, body)?;
    serde_json::to_value(&data).map_err(|e| decode_error(&Op::of(meta), "", e.to_string(), body))
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
    decode_unit_op(&Op::of(meta), body)
}

/// [`decode_unit`] for any call.
pub(crate) fn decode_unit_op(op: &Op, body: &[u8]) -> Result<(), Error> {
    let envelope: Envelope<IgnoredAny> = parse_envelope(op, body)?;
    check(op, envelope).map(drop)
}

/// The `data` of an answer as JSON, `null` when it has none.
pub(crate) fn decode_json_op(op: &Op, body: &[u8]) -> Result<serde_json::Value, Error> {
    let envelope: Envelope<serde_json::Value> = parse_envelope(op, body)?;
    check(op, envelope).map(Option::unwrap_or_default)
}

fn parse_envelope<T: DeserializeOwned>(op: &Op, body: &[u8]) -> Result<Envelope<T>, Error> {
    serde_json::from_slice(body).map_err(|e| decode_error(op, "", e.to_string(), body))
}

fn check<T>(op: &Op, envelope: Envelope<T>) -> Result<Option<T>, Error> {
    if envelope.success {
        return Ok(envelope.data);
    }
    let (code, detail) = match envelope.error {
        Some(e) => (e.code, e.errors),
        None => (100, None),
    };
    Err(api_error(op, code, detail))
}

/// Decodes a response body into `data: T`, with the failing JSON path when it does not fit.
pub(crate) fn decode<T: DeserializeOwned>(
    meta: &'static MethodMeta,
    body: &[u8],
) -> Result<T, Error> {
    decode_op(&Op::of(meta), body)
}

/// [`decode`] for any call.
pub(crate) fn decode_op<T: DeserializeOwned>(op: &Op, body: &[u8]) -> Result<T, Error> {
    decode_with(op, body, false)
}

/// [`decode_op`] where an answer without `data` (or with `null`) decodes as JSON `null` does:
/// `serde_json::Value::Null` for an imported method's raw JSON, still an error for a struct.
pub(crate) fn decode_op_or_null<T: DeserializeOwned>(op: &Op, body: &[u8]) -> Result<T, Error> {
    decode_with(op, body, true)
}

fn decode_with<T: DeserializeOwned>(op: &Op, body: &[u8], or_null: bool) -> Result<T, Error> {
    // One pass over the bytes when all is well.
    let error = match serde_json::from_slice::<Envelope<T>>(body) {
        Ok(envelope) => {
            let data = check(op, envelope)?;
            let data = match data {
                None if or_null => T::deserialize(serde_json::Value::Null).ok(),
                other => other,
            };
            return match data {
                Some(data) => Ok(data),
                None => Err(decode_error(
                    op,
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
    let envelope: Envelope<IgnoredAny> = parse_envelope(op, body)?;
    if !envelope.success {
        let (code, detail) = envelope.error.map_or((100, None), |e| (e.code, e.errors));
        return Err(api_error(op, code, detail));
    }
    let path = json_path_at(body, error.line(), error.column());
    let message = error.to_string();
    let message = message
        .rfind(" at line ")
        .map_or(message.as_str(), |at| &message[..at])
        .to_owned();
    Err(decode_error(op, &path, message, body))
}

/// The JSON path (`data.connections[1].conn_id`) of the value being read at a 1-based line and
/// a byte column (serde_json's error position), by scanning the body up to it.
fn json_path_at(body: &[u8], line: usize, column: usize) -> String {
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

fn decode_error(op: &Op, path: &str, message: String, body: &[u8]) -> Error {
    // serde's messages quote the offending value, so both go for responses with secrets.
    let (message, excerpt) = if op.secret_response {
        let message =
            "the value does not have the expected type (hidden: the response holds secrets)"
                .to_owned();
        (message, format!("({} bytes, hidden)", body.len()))
    } else {
        (message, crate::error::excerpt(body))
    };
    Error::Decode {
        api: op.api.clone(),
        method: op.method.clone(),
        path: path.to_owned(),
        message,
        excerpt,
    }
}

fn api_error(op: &Op, code: i64, detail: Option<serde_json::Value>) -> Error {
    let entry = op
        .errors
        .iter()
        .chain(crate::generated::COMMON_ERRORS)
        .find(|e| e.code == code);
    Error::Api {
        api: op.api.clone(),
        method: op.method.clone(),
        code,
        kind: entry.map_or(crate::ErrorKind::Unknown, |e| {
            crate::ErrorKind::from_name(e.kind)
        }),
        description: entry.map(|e| e.description),
        detail,
    }
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
    #[allow(dead_code, reason = "decoded to find the failing path, never read")]
    struct Conn {
        conn_id: i64,
        name: String,
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code, reason = "decoded to find the failing path, never read")]
    struct Data {
        connections: Vec<Conn>,
        total: u64,
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code, reason = "decoded to find the failing path, never read")]
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
