//! One request on the wire: the form or query, the session, the SynoToken header, the call's
//! timeout, and the answer's checks (no redirect followed, body read up to the size limit,
//! decompressed bytes counted).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use tracing::Instrument;

use crate::Error;
use crate::client::Client;
use crate::discovery::Target;
use crate::op::Op;
use crate::session::Session;

impl Client {
    /// Sends one request for `op` to `target` with `params` (with `session`'s id and token
    /// when given) and returns the body of a successful HTTP answer.
    pub(crate) async fn send(
        &self,
        op: &Op,
        target: &Target<'_>,
        params: &[(&str, &str)],
        session: Option<&Session>,
    ) -> Result<Bytes, Error> {
        let &Target { path, version } = target;
        let verb = if op.post { "POST" } else { "GET" };
        let span = tracing::debug_span!(
            "dsm_call",
            api = &*op.api,
            method = &*op.method,
            version,
            verb,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty
        );
        let result = async {
            let mut digits = [0u8; 10];
            let version = decimal(version, &mut digits);
            let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(4 + params.len());
            pairs.extend([
                ("api", &*op.api),
                ("version", version),
                ("method", &*op.method),
            ]);
            if let Some(s) = session {
                pairs.push(("_sid", s.sid.expose()));
            }
            pairs.extend_from_slice(params);
            let url = format!("{}/webapi/{path}", self.inner.base);
            let request = if op.post {
                self.inner.http.post(url).form(&pairs)
            } else {
                self.inner.http.get(url).query(&pairs)
            };
            let request = match session.and_then(|s| s.synotoken.as_ref()) {
                Some(token) => request.header("X-SYNO-TOKEN", token.expose()),
                None => request,
            };
            let response = request
                .timeout(self.timeout())
                .send()
                .await
                .map_err(|e| transport(op, e))?;
            let status = response.status();
            span.record("status", status.as_u16());
            if status.is_redirection() {
                return Err(self.redirect(op, &response));
            }
            if !status.is_success() {
                return Err(Error::Http {
                    api: op.api.clone(),
                    method: op.method.clone(),
                    status: status.as_u16(),
                });
            }
            read_capped(op, response, self.inner.settings.max_response_size).await
        };
        // With no subscriber listening, the span is disabled: skip entering it on every poll
        // (about 0.6% of a call's instructions under callgrind).
        if span.is_disabled() {
            return result.await;
        }
        let started = Instant::now();
        let result = result.instrument(span.clone()).await;
        // Recorded on every outcome; the span closes when this function returns.
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        if let Err(e) = &result {
            tracing::debug!(parent: &span, error = %e, "DSM call failed");
        }
        result
    }

    /// Sends the runtime's own request (discovery, login, logout) straight to the wire: no
    /// re-login, no retry.
    pub(crate) async fn send_params(
        &self,
        params: &crate::rt::Params,
        target: &Target<'_>,
        session: Option<&Session>,
    ) -> Result<Bytes, Error> {
        let pairs: Vec<(&str, &str)> = params.pairs().collect();
        self.send(&Op::of(params.meta), target, &pairs, session)
            .await
    }

    /// The error for a 3xx answer: its target's origin only, and whether it is the base URL's
    /// host over HTTPS (DSM's own HTTP-to-HTTPS redirect).
    fn redirect(&self, op: &Op, response: &reqwest::Response) -> Error {
        let target = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|location| response.url().join(location).ok())
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some());
        let https_upgrade = target.as_ref().is_some_and(|url| {
            url.scheme() == "https"
                && self.inner.base_url.scheme() == "http"
                && url.host_str() == self.inner.base_url.host_str()
        });
        Error::Redirect {
            api: op.api.clone(),
            method: op.method.clone(),
            status: response.status().as_u16(),
            to: target.map(|url| url.origin().ascii_serialization()),
            https_upgrade,
        }
    }
}

/// Reads a body up to `limit` bytes: a declared length over it fails before reading, and a
/// longer body fails as soon as the limit is passed. One chunk (the usual case) is not copied.
///
/// The bytes counted are those the body yields, so a compressed answer is counted
/// decompressed. reqwest drops the `Content-Length` of an answer it decompresses, so there
/// the early check cannot fire and the running count stops a small compressed bomb at most
/// one decoder chunk (4 KiB in reqwest 0.13) past the limit. The call's timeout covers the
/// whole read, so a compressed stream that never yields a byte ends by it.
async fn read_capped(op: &Op, mut response: reqwest::Response, limit: u64) -> Result<Bytes, Error> {
    let too_large = |declared| Error::ResponseTooLarge {
        api: op.api.clone(),
        method: op.method.clone(),
        limit,
        declared,
    };
    let declared = response.content_length();
    if let Some(n) = declared.filter(|n| *n > limit) {
        return Err(too_large(Some(n)));
    }
    let mut first: Option<Bytes> = None;
    let mut joined: Option<BytesMut> = None;
    let mut read: u64 = 0;
    while let Some(chunk) = response.chunk().await.map_err(|e| transport(op, e))? {
        read = read.saturating_add(chunk.len() as u64);
        if read > limit {
            return Err(too_large(None));
        }
        match (&mut joined, first.take()) {
            (Some(all), _) => all.extend_from_slice(&chunk),
            (None, None) => first = Some(chunk),
            (None, Some(head)) => {
                // Capacity from the declared length (already checked against the limit).
                let capacity = declared.unwrap_or(read).max(read);
                let mut all = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
                all.extend_from_slice(&head);
                all.extend_from_slice(&chunk);
                joined = Some(all);
            }
        }
    }
    Ok(match (joined, first) {
        (Some(all), _) => all.freeze(),
        (None, Some(head)) => head,
        (None, None) => Bytes::new(),
    })
}

/// A `reqwest` error as the call's error: `Timeout`, or `Transport` without the URL (it holds
/// the session id of GET calls).
pub(crate) fn transport(op: &Op, e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout {
            api: op.api.clone(),
            method: op.method.clone(),
        }
    } else {
        Error::Transport {
            api: op.api.clone(),
            method: op.method.clone(),
            source: Arc::new(e.without_url()),
        }
    }
}

impl Client {
    /// The whole-request timeout of this client view.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(self.inner.settings.timeout)
    }
}

/// `n` in decimal, written into `buf` (no allocation per call).
fn decimal(mut n: u32, buf: &mut [u8; 10]) -> &str {
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[start..]).unwrap_or("0")
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimal_writes_every_u32() {
        for n in [0, 1, 7, 10, 99, 100, 4_294_967_295, 123_456_789] {
            assert_eq!(super::decimal(n, &mut [0; 10]), n.to_string());
        }
    }
}
