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
//!
//! The wire side (reading a request, writing each kind of reply) is in `wire.rs`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::net::TcpSocket;
use tokio::task::JoinHandle;

mod wire;

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
                                wire::connection(stream, index, state, script),
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
