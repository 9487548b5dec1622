//! The HTTP side of the mock: a request's parameters from the query and the form, its
//! delay, the dispatch, and the answer's headers (content type, compression, cookie).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{State, dispatch};

/// The content type of DSM 7's answers.
const JSON: &str = "application/json; charset=\"UTF-8\"";
/// The content type of answers in strict mode.
const TEXT: &str = "text/plain; charset=utf-8";

/// Answers one request under `/webapi/`.
pub(super) async fn serve(
    AxumState(state): AxumState<Arc<Mutex<State>>>,
    method: Method,
    Path(cgi): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(state, method, Some(cgi), query, headers, body).await
}

/// Answers one request to DSM 5's storage handler
/// ([`DSM5_STORAGE_HANDLER`](super::DSM5_STORAGE_HANDLER)).
pub(super) async fn serve_dsm5_storage(
    AxumState(state): AxumState<Arc<Mutex<State>>>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(state, method, None, query, headers, body).await
}

/// Answers a request to `/webapi/<cgi>`, or to DSM 5's storage handler when `cgi` is `None`.
async fn respond(
    state: Arc<Mutex<State>>,
    method: Method,
    cgi: Option<String>,
    query: Option<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let post = method == Method::POST;
    let strict = state
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .config
        .strict;
    if !post && method != Method::GET {
        if strict {
            return (StatusCode::METHOD_NOT_ALLOWED, "GET or POST").into_response();
        }
        // DSM's CGIs answer every verb with an envelope: no such method.
        let body = br#"{"error":{"code":101},"success":false}"#;
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, JSON)],
            body.to_vec(),
        )
            .into_response();
    }
    let mut params: BTreeMap<String, String> = BTreeMap::new();
    params.extend(form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned());
    if post {
        params.extend(form_urlencoded::parse(&body).into_owned());
    }
    let token = headers.get("x-syno-token").and_then(|v| v.to_str().ok());
    let delay = {
        let state = state.lock().unwrap_or_else(|e| e.into_inner());
        let key = (
            params.get("api").cloned().unwrap_or_default(),
            params.get("method").cloned().unwrap_or_default(),
        );
        state.delays.get(&key).copied()
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let (answer, gzip) = {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        let answer = match &cgi {
            Some(cgi) => dispatch::handle(&mut state, post, cgi, params, token),
            None => dispatch::dsm5_storage(&mut state, post, params, token),
        };
        let gzip = state.config.gzip && accepts_gzip(&headers);
        state.compressed_answers += u64::from(gzip);
        (answer, gzip)
    };
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // Strict: text/plain, so a client that relies on the content type fails.
    let content_type = if strict { TEXT } else { JSON };
    let cookie = answer.set_cookie.map(|c| [(header::SET_COOKIE, c)]);
    if let Some(body) = gzip.then(|| gzipped(&answer.body)).flatten() {
        let headers = [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_ENCODING, "gzip"),
        ];
        return (status, headers, cookie, body).into_response();
    }
    (
        status,
        [(header::CONTENT_TYPE, content_type)],
        cookie,
        answer.body,
    )
        .into_response()
}

/// Whether `Accept-Encoding` names `gzip` without refusing it (`q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let gzip = parts.next().is_some_and(|c| c.eq_ignore_ascii_case("gzip"));
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            gzip && !refused
        })
}

/// `body` compressed with gzip at level 1, nginx's default.
fn gzipped(body: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(body).ok()?;
    gz.finish().ok()
}
