//! A purpose-built HTTP/1.1 loopback server for the hostile-server tests: it answers from a
//! script, and can misbehave in ways an HTTP framework would not let it (redirect anywhere,
//! declare a gigabyte, send forever, dribble, stay silent), or hold an answer until the test
//! lets it go (`Reply::later`, dropped with what it holds when the client goes away) and say
//! when one was sent (`Reply::then_notify`).
//!
//! It parses each request (request line, headers, `Content-Length` body; query and form
//! parameters decoded), counts requests per `(api, method)` and per listener, and records for
//! each response the bytes it managed to hand to the kernel and how it ended. The listener's
//! send buffer is small (16 KiB), so that the bytes written approximate what the client read.
//!
//! Everything is bounded: the accept loop stops after `MAX_CONNECTIONS` connections or
//! `SERVER_LIFETIME`, a connection lives at most `CONNECTION_LIFETIME`, any body stops at
//! `MAX_BODY`, and dropping the server aborts every task it started.

#![allow(dead_code)]

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinHandle;

/// The whole server stops accepting after this.
pub const SERVER_LIFETIME: Duration = Duration::from_secs(60);
/// One connection is closed after this, whatever it is doing.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(15);
/// Connections accepted, at most.
pub const MAX_CONNECTIONS: usize = 512;
/// Requests read on one connection, at most.
pub const MAX_REQUESTS_PER_CONNECTION: usize = 512;
/// Body bytes written in one response, at most (endless and dribbled bodies stop here).
pub const MAX_BODY: u64 = 256 << 20;
/// A request head longer than this ends the connection.
const MAX_HEAD: usize = 64 * 1024;
/// The listener's (and so every accepted socket's) send buffer.
pub const SEND_BUFFER: u32 = 16 * 1024;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub verb: String,
    /// The path, without the query (`/webapi/entry.cgi`).
    pub path: String,
    /// The query string as sent (empty when none).
    pub query: String,
    /// Header names in lower case, values as sent.
    pub headers: Vec<(String, String)>,
    /// Query parameters, then form parameters, decoded.
    pub params: Vec<(String, String)>,
    /// 1-based rank of this request among those with the same `(api, method)` on this listener.
    pub nth: usize,
    /// 0-based index of the connection it came on.
    pub connection: usize,
}

impl Request {
    /// The first value of parameter `name` (query first, then form).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `api` parameter, or "".
    pub fn api(&self) -> &str {
        self.param("api").unwrap_or("")
    }

    /// The `method` parameter, or "".
    pub fn method(&self) -> &str {
        self.param("method").unwrap_or("")
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server answers to one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// JSON as DSM sends it: `Content-Type: text/plain`, a `Content-Length`, keep-alive.
    Json { status: u16, body: String },
    /// `body` as given with no `Content-Length` and `Connection: close`: the end of the body
    /// is the end of the connection.
    CloseDelimited(Vec<u8>),
    /// A redirect (a small HTML body, as web servers send), with a `Location` when given.
    Redirect {
        status: u16,
        location: Option<String>,
    },
    /// Headers declaring `declared` bytes, then nothing for `pause`, then `chunk` bytes every
    /// `pause`, until the peer goes away or the bounds are reached.
    Declared {
        declared: u64,
        chunk: usize,
        pause: Duration,
    },
    /// No `Content-Length`, `Connection: close`, and a JSON-looking body that never ends:
    /// `chunk` bytes, then a `pause`, until the peer goes away or the bounds are reached.
    Endless { chunk: usize, pause: Duration },
    /// A chunked body (`Transfer-Encoding: chunked`) of `total` bytes, written `chunk` bytes
    /// every `pause`.
    Slow {
        total: u64,
        chunk: usize,
        pause: Duration,
    },
    /// Read the request, then answer nothing: the connection stays open until the peer closes
    /// it or `hold` passes.
    Silence { hold: Duration },
    /// Await a future, then send the reply it gives ([`Reply::later`]). While it waits, the
    /// connection is watched: when the peer closes it first, the future is dropped (so are
    /// the values it holds, a drop guard say) and nothing is sent.
    Later(Later),
    /// Send `reply`, then notify `sent` (whatever became of the reply) ([`Reply::then_notify`]).
    Notify {
        reply: Box<Reply>,
        sent: Arc<tokio::sync::Notify>,
    },
}

/// The future of a [`Reply::Later`], shared by the clones of the reply: the first one sent
/// awaits it, later ones close the connection at once.
#[derive(Clone)]
pub struct Later(Arc<Mutex<Option<Held>>>);

type Held = Pin<Box<dyn Future<Output = Reply> + Send>>;

impl std::fmt::Debug for Later {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Later(..)")
    }
}

impl Reply {
    /// `200` with a JSON body.
    pub fn json(body: impl Into<String>) -> Reply {
        Reply::Json {
            status: 200,
            body: body.into(),
        }
    }

    /// `200`, `{"success":true,"data":data}`.
    pub fn ok(data: Value) -> Reply {
        Reply::json(json!({"success": true, "data": data}).to_string())
    }

    /// The reply `future` gives, once it gives one; dropped unsent when the peer closes the
    /// connection first. Bytes the peer sends meanwhile are discarded (HTTP clients do not
    /// pipeline).
    pub fn later(future: impl Future<Output = Reply> + Send + 'static) -> Reply {
        Reply::Later(Later(Arc::new(Mutex::new(Some(Box::pin(future))))))
    }

    /// This reply, then a notification to `sent` (a permit, if nobody waits yet).
    pub fn then_notify(self, sent: &Arc<tokio::sync::Notify>) -> Reply {
        Reply::Notify {
            reply: Box::new(self),
            sent: sent.clone(),
        }
    }
}

/// How a response ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Not yet.
    Running,
    /// Everything was written (or, for `Silence`, the connection was held to the end).
    Complete,
    /// A write or read failed, or read end-of-file: the client went away.
    PeerClosed,
    /// `CONNECTION_LIFETIME` or `MAX_BODY` cut it.
    Bound,
}

/// One response and what became of it.
#[derive(Debug)]
pub struct Served {
    pub api: String,
    pub method: String,
    pub verb: String,
    pub path: String,
    /// Status line and headers, in bytes.
    pub header_bytes: AtomicU64,
    /// Bytes after the headers (chunk framing included) accepted by the kernel.
    pub body_bytes: AtomicU64,
    end: Mutex<End>,
    started: Instant,
    ended_after: Mutex<Option<Duration>>,
}

impl Served {
    pub fn body_bytes(&self) -> u64 {
        self.body_bytes.load(Ordering::SeqCst)
    }

    pub fn header_bytes(&self) -> u64 {
        self.header_bytes.load(Ordering::SeqCst)
    }

    pub fn end(&self) -> End {
        *self.end.lock().unwrap()
    }

    /// How long after the request was read the response ended.
    pub fn ended_after(&self) -> Option<Duration> {
        *self.ended_after.lock().unwrap()
    }

    fn finish(&self, end: End) {
        let mut e = self.end.lock().unwrap();
        if *e == End::Running {
            *e = end;
            *self.ended_after.lock().unwrap() = Some(self.started.elapsed());
        }
    }
}

/// Marks its response `Bound` when dropped unfinished (the connection's lifetime cut it).
struct FinishGuard(Arc<Served>);

impl Drop for FinishGuard {
    fn drop(&mut self) {
        self.0.finish(End::Bound);
    }
}

type Script = dyn Fn(&Request) -> Reply + Send + Sync;

#[derive(Default)]
struct State {
    requests: Mutex<Vec<Request>>,
    served: Mutex<Vec<Arc<Served>>>,
    counts: Mutex<HashMap<(String, String), usize>>,
    connections: AtomicUsize,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

/// A running server on `127.0.0.1`; stops (every task aborted) when dropped.
pub struct RawServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pub addr: SocketAddr,
    state: Arc<State>,
    accept: JoinHandle<()>,
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.accept.abort();
        for task in self.state.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

impl RawServer {
    /// Starts a server answering every request with `script`.
    pub async fn start(script: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> RawServer {
        let socket = TcpSocket::new_v4().expect("socket");
        socket
            .set_send_buffer_size(SEND_BUFFER)
            .expect("small send buffer");
        socket
            .bind("127.0.0.1:0".parse().unwrap())
            .expect("bind loopback");
        let listener = socket.listen(64).expect("listen");
        let addr = listener.local_addr().expect("address");
        let state = Arc::new(State::default());
        let script: Arc<Script> = Arc::new(script);
        let accept = tokio::spawn({
            let state = state.clone();
            async move {
                let deadline = tokio::time::Instant::now() + SERVER_LIFETIME;
                for index in 0..MAX_CONNECTIONS {
                    let Ok(Ok((stream, _))) =
                        tokio::time::timeout_at(deadline, listener.accept()).await
                    else {
                        return;
                    };
                    state.connections.fetch_add(1, Ordering::SeqCst);
                    let task = tokio::spawn({
                        let (state, script) = (state.clone(), script.clone());
                        async move {
                            let _ = tokio::time::timeout(
                                CONNECTION_LIFETIME,
                                connection(stream, index, state, script),
                            )
                            .await;
                        }
                    });
                    let mut tasks = state.tasks.lock().unwrap();
                    tasks.retain(|t| !t.is_finished());
                    tasks.push(task);
                }
            }
        });
        RawServer {
            url: format!("http://{addr}"),
            addr,
            state,
            accept,
        }
    }

    /// A server answering like DSM 7 ([`dsm`]).
    pub async fn dsm() -> RawServer {
        RawServer::start(dsm).await
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Requests received so far with this `api` and `method`.
    pub fn count(&self, api: &str, method: &str) -> usize {
        self.state
            .counts
            .lock()
            .unwrap()
            .get(&(api.to_owned(), method.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Every response started so far, in order.
    pub fn served(&self) -> Vec<Arc<Served>> {
        self.state.served.lock().unwrap().clone()
    }

    /// The responses to `api` `method`.
    pub fn served_for(&self, api: &str, method: &str) -> Vec<Arc<Served>> {
        self.served()
            .into_iter()
            .filter(|s| s.api == api && s.method == method)
            .collect()
    }

    /// Waits (at most `within`) until every response started so far has ended; whether they
    /// all did.
    pub async fn settled(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            if self.served().iter().all(|s| s.end() != End::Running) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// One connection: requests one after the other (keep-alive) until the client closes it, a
/// reply closes it, or a bound is reached.
async fn connection(mut stream: TcpStream, index: usize, state: Arc<State>, script: Arc<Script>) {
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

/// A realistic DSM 7 `SYNO.API.Info` `query=all` answer for the APIs this client knows.
pub fn api_info() -> Value {
    let entry = |path: &str, min: u32, max: u32| json!({"path": path, "minVersion": min, "maxVersion": max});
    json!({
        "SYNO.API.Info": entry("query.cgi", 1, 1),
        "SYNO.API.Auth": entry("entry.cgi", 1, 7),
        "SYNO.API.Encryption": entry("entry.cgi", 1, 1),
        "SYNO.CloudSync": entry("entry.cgi", 1, 1),
        "SYNO.CloudSync.Connection": entry("entry.cgi", 1, 1),
        "SYNO.CloudSync.Connection.Log": entry("entry.cgi", 1, 1),
        "SYNO.SynologyDrive.Connection": entry("entry.cgi", 1, 2),
        "SYNO.SynologyDrive.Connections": entry("entry.cgi", 1, 1),
        "SYNO.SynologyDrive.Profiles": entry("entry.cgi", 1, 2),
        "SYNO.SynologyDrive.ShareSync": entry("entry.cgi", 1, 1),
        "SYNO.SynologyDrive.UserProfile": entry("entry.cgi", 1, 1),
        "SYNO.SynologyDriveShareSync.Connection": entry("entry.cgi", 1, 1),
        "SYNO.Core.System": entry("entry.cgi", 1, 3),
    })
}

/// The documented answer of `SYNO.CloudSync.Connection` `List`.
pub const CONNECTION_LIST: &str = r#"{"data":{"connections":[{"account":"user@gmail.com","cloud_type":"gdrive","conn_id":1,"display_name":"My Google Drive","status":"connected"}],"total":1},"success":true}"#;

/// The login answer: session `S`, SynoToken `T`.
pub const LOGIN: &str = r#"{"success":true,"data":{"sid":"S","synotoken":"T"}}"#;

/// DSM 7's answers: discovery, login, logout, the connection list; DSM's "no such API"
/// (102) for anything else.
pub fn dsm(req: &Request) -> Reply {
    match (req.api(), req.method()) {
        ("SYNO.API.Info", "query") => Reply::ok(api_info()),
        ("SYNO.API.Auth", "login") => Reply::json(LOGIN),
        ("SYNO.API.Auth", "logout") => Reply::json(r#"{"success":true}"#),
        ("SYNO.CloudSync.Connection", "List") => Reply::json(CONNECTION_LIST),
        _ => Reply::json(r#"{"success":false,"error":{"code":102}}"#),
    }
}

/// A `{"success":true,"data":{"connections":[],"total":0}}` body padded with spaces to exactly
/// `len` bytes (still valid JSON).
pub fn padded_empty_list(len: usize) -> String {
    let mut body = r#"{"success":true,"data":{"connections":[],"total":0}}"#.to_owned();
    assert!(len >= body.len(), "{len} is too short for the body");
    body.extend(std::iter::repeat_n(' ', len - body.len()));
    body
}
