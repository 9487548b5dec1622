//! The wire side of the raw server: one connection's requests read one after the other, and
//! each kind of [`Reply`] written as it says (or not at all), counting the bytes the kernel
//! accepted and recording how the response ended.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{
    End, Later, MAX_BODY, MAX_HEAD, MAX_REQUESTS_PER_CONNECTION, Reply, Request, Script, Served,
    State,
};

/// Marks its response `Bound` when dropped unfinished (the connection's lifetime cut it).
struct FinishGuard(Arc<Served>);

impl Drop for FinishGuard {
    fn drop(&mut self) {
        self.0.finish(End::Bound);
    }
}

/// One connection: requests one after the other (keep-alive) until the client closes it, a
/// reply closes it, or a bound is reached.
pub(super) async fn connection(
    mut stream: TcpStream,
    index: usize,
    state: Arc<State>,
    script: Arc<Script>,
) {
    let mut buf: Vec<u8> = Vec::new();
    for _ in 0..MAX_REQUESTS_PER_CONNECTION {
        let Some(mut request) = read_request(&mut stream, &mut buf, index).await else {
            return;
        };
        {
            let mut counts = state.counts.lock().unwrap();
            let n = counts
                .entry((request.api().to_owned(), request.method().to_owned()))
                .or_default();
            *n += 1;
            request.nth = *n;
        }
        state.requests.lock().unwrap().push(request.clone());
        let reply = script(&request);
        let served = Arc::new(Served {
            api: request.api().to_owned(),
            method: request.method().to_owned(),
            verb: request.verb.clone(),
            path: request.path.clone(),
            header_bytes: AtomicU64::new(0),
            body_bytes: AtomicU64::new(0),
            end: Mutex::new(End::Running),
            started: Instant::now(),
            ended_after: Mutex::new(None),
        });
        state.served.lock().unwrap().push(served.clone());
        let guard = FinishGuard(served.clone());
        let keep_alive = answer(&mut stream, reply, &served).await;
        drop(guard);
        if !keep_alive {
            return;
        }
    }
}

/// Reads one request; `None` at end of file, on an error or on a malformed request.
async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>, index: usize) -> Option<Request> {
    let head_end = loop {
        if let Some(at) = find(buf, b"\r\n\r\n") {
            break at;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let mut chunk = [0u8; 8192];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (verb, target) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buf.len() < body_start + length {
        if buf.len() > MAX_HEAD + length.min(1 << 20) {
            return None;
        }
        let mut chunk = [0u8; 8192];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = buf[body_start..body_start + length].to_vec();
    buf.drain(..body_start + length);
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let form = headers
        .iter()
        .any(|(k, v)| k == "content-type" && v.starts_with("application/x-www-form-urlencoded"));
    if form {
        params.extend(form_urlencoded::parse(&body).into_owned());
    }
    Some(Request {
        verb,
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        params,
        nth: 0,
        connection: index,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

/// Writes the head; false when the peer is gone.
async fn write_head(
    stream: &mut TcpStream,
    served: &Served,
    status: u16,
    headers: &[String],
) -> bool {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let ok = stream.write_all(head.as_bytes()).await.is_ok();
    if ok {
        served
            .header_bytes
            .store(head.len() as u64, Ordering::SeqCst);
    }
    ok
}

/// Writes body bytes, counting them; false when the peer is gone.
async fn write_body(stream: &mut TcpStream, served: &Served, bytes: &[u8]) -> bool {
    // Piece by piece, so that a write cut by the peer still counts what went out.
    let mut rest = bytes;
    while !rest.is_empty() {
        match stream.write(rest).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => {
                served.body_bytes.fetch_add(n as u64, Ordering::SeqCst);
                rest = &rest[n..];
            }
        }
    }
    true
}

/// A chunk of a JSON-looking body (a list of connections that never ends), `len` bytes.
fn filler(len: usize) -> Vec<u8> {
    const ITEM: &[u8] = br#"{"conn_id":1,"cloud_type":"gdrive","status":"connected"},"#;
    ITEM.iter().copied().cycle().take(len).collect()
}

const JSON_START: &[u8] = br#"{"success":true,"data":{"total":1,"connections":["#;

/// Sends a reply; whether the connection stays open for the next request.
async fn answer(stream: &mut TcpStream, reply: Reply, served: &Served) -> bool {
    const TEXT: &str = "Content-Type: text/plain; charset=\"UTF-8\"";
    match reply {
        Reply::Later(Later(future)) => {
            let Some(future) = future.lock().unwrap().take() else {
                served.finish(End::Complete);
                return false;
            };
            let reply = tokio::select! {
                reply = future => reply,
                () = peer_gone(stream) => {
                    served.finish(End::PeerClosed);
                    return false;
                }
            };
            Box::pin(answer(stream, reply, served)).await
        }
        Reply::Notify { reply, sent } => {
            let keep_alive = Box::pin(answer(stream, *reply, served)).await;
            sent.notify_one();
            keep_alive
        }
        Reply::Json { status, body } => {
            let ok = write_head(
                stream,
                served,
                status,
                &[TEXT.into(), format!("Content-Length: {}", body.len())],
            )
            .await
                && write_body(stream, served, body.as_bytes()).await;
            served.finish(if ok { End::Complete } else { End::PeerClosed });
            ok
        }
        Reply::CloseDelimited(body) => {
            let ok = write_head(
                stream,
                served,
                200,
                &[TEXT.into(), "Connection: close".into()],
            )
            .await
                && write_body(stream, served, &body).await;
            let _ = stream.shutdown().await;
            served.finish(if ok { End::Complete } else { End::PeerClosed });
            false
        }
        Reply::Redirect { status, location } => {
            let body = format!("<html><body>{status} {}</body></html>", reason(status));
            let mut headers = vec![
                "Content-Type: text/html".to_owned(),
                format!("Content-Length: {}", body.len()),
            ];
            if let Some(l) = location {
                headers.push(format!("Location: {l}"));
            }
            let ok = write_head(stream, served, status, &headers).await
                && write_body(stream, served, body.as_bytes()).await;
            served.finish(if ok { End::Complete } else { End::PeerClosed });
            ok
        }
        Reply::Declared {
            declared,
            chunk,
            pause,
        } => {
            if !write_head(
                stream,
                served,
                200,
                &[TEXT.into(), format!("Content-Length: {declared}")],
            )
            .await
            {
                served.finish(End::PeerClosed);
                return false;
            }
            let piece = filler(chunk);
            let mut sent = 0u64;
            while sent < declared.min(MAX_BODY) {
                tokio::time::sleep(pause).await;
                let n = (declared - sent).min(chunk as u64) as usize;
                if !write_body(stream, served, &piece[..n]).await {
                    served.finish(End::PeerClosed);
                    return false;
                }
                sent += n as u64;
            }
            served.finish(if sent == declared {
                End::Complete
            } else {
                End::Bound
            });
            false
        }
        Reply::Endless { chunk, pause } => {
            if !write_head(
                stream,
                served,
                200,
                &[TEXT.into(), "Connection: close".into()],
            )
            .await
                || !write_body(stream, served, JSON_START).await
            {
                served.finish(End::PeerClosed);
                return false;
            }
            let piece = filler(chunk);
            while served.body_bytes() < MAX_BODY {
                if !write_body(stream, served, &piece).await {
                    served.finish(End::PeerClosed);
                    return false;
                }
                tokio::time::sleep(pause).await;
            }
            served.finish(End::Bound);
            false
        }
        Reply::Slow {
            total,
            chunk,
            pause,
        } => {
            if !write_head(
                stream,
                served,
                200,
                &[TEXT.into(), "Transfer-Encoding: chunked".into()],
            )
            .await
            {
                served.finish(End::PeerClosed);
                return false;
            }
            let mut body = JSON_START.to_vec();
            body.extend(filler(total.min(MAX_BODY) as usize - JSON_START.len()));
            for piece in body.chunks(chunk) {
                let mut framed = format!("{:x}\r\n", piece.len()).into_bytes();
                framed.extend_from_slice(piece);
                framed.extend_from_slice(b"\r\n");
                if !write_body(stream, served, &framed).await {
                    served.finish(End::PeerClosed);
                    return false;
                }
                tokio::time::sleep(pause).await;
            }
            let ok = write_body(stream, served, b"0\r\n\r\n").await;
            served.finish(if ok { End::Complete } else { End::PeerClosed });
            false
        }
        Reply::Silence { hold } => {
            let deadline = tokio::time::Instant::now() + hold;
            let mut sink = [0u8; 1024];
            loop {
                match tokio::time::timeout_at(deadline, stream.read(&mut sink)).await {
                    Ok(Ok(0)) | Ok(Err(_)) => {
                        served.finish(End::PeerClosed);
                        return false;
                    }
                    Ok(Ok(_)) => {}
                    Err(_) => {
                        served.finish(End::Complete);
                        return false;
                    }
                }
            }
        }
    }
}

/// Reads (and discards) until the peer closes the connection or it fails.
async fn peer_gone(stream: &mut TcpStream) {
    let mut sink = [0u8; 1024];
    while let Ok(1..) = stream.read(&mut sink).await {}
}
