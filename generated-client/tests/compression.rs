//! Compressed answers: the client asks for gzip and decodes it (the mock compresses like
//! nginx at level 1, only when asked), the size limit counts decompressed bytes (a gzip bomb
//! fails like an oversized body, and memory stays near the limit), and a compressed stream
//! that never yields a byte ends by the timeout.
//!
//! The hostile answers come from a small loopback server of this file; memory is counted by
//! a global allocator that keeps, per thread, the bytes allocated and their peak. The tests
//! run on a current-thread runtime, so the client, its connection and the server all
//! allocate on the test's thread.

#![cfg(all(feature = "mock", feature = "cloud-sync"))]
// Without the `gzip` feature only the mock's and the switch's tests run.
#![cfg_attr(not(feature = "gzip"), allow(dead_code, unused_imports))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};
use synology_client::{Client, Error, Settings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

const CONN: &str = "SYNO.CloudSync.Connection";
const PASSWORD: &str = "hunter2-do-not-leak";
const SID: &str = "SESSION-SECRET-42";
const MIB: u64 = 1024 * 1024;

// ---------------------------------------------------------------------------------------
// Memory: bytes allocated by this thread, and their peak.
// ---------------------------------------------------------------------------------------

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call goes to `System` unchanged; the counters only add and compare.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        count(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its output with the most this thread had allocated meanwhile, above
/// what it had when `f` started.
async fn peak_during<T>(f: impl Future<Output = T>) -> (T, u64) {
    let start = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(start));
    let out = f.await;
    let peak = PEAK.with(Cell::get) - start;
    (out, peak.max(0) as u64)
}

// ---------------------------------------------------------------------------------------
// A loopback server: discovery and login like DSM 7, then `List` answered by `Answer`.
// ---------------------------------------------------------------------------------------

#[derive(Clone)]
enum Answer {
    /// `Content-Encoding: gzip` and a `Content-Length` (of the compressed bytes).
    Gzip(Arc<Vec<u8>>),
    /// No `Content-Length`, `Connection: close`: the body ends with the connection.
    Plain(Arc<Vec<u8>>),
    /// `Content-Encoding: gzip`, then a gzip header and empty deflate blocks for ever (100
    /// blocks every 10 ms): bytes keep coming, none of them decompresses to anything.
    GzipNothing,
}

/// What the server saw of the `List` answers it sent.
struct Seen {
    /// Body bytes handed to the kernel.
    sent: AtomicU64,
    /// Set when the client closed the connection while the answer was being sent.
    peer_closed: watch::Sender<bool>,
}

struct Server {
    url: String,
    seen: Arc<Seen>,
    accept: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl Server {
    async fn start(list: Answer) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Seen {
            sent: AtomicU64::new(0),
            peer_closed: watch::Sender::new(false),
        });
        let accept = tokio::spawn({
            let seen = seen.clone();
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(serve(stream, list.clone(), seen.clone()));
                }
            }
        });
        Server { url, seen, accept }
    }
}

/// Answers the requests of one connection, at most for 20 s.
async fn serve(mut stream: TcpStream, list: Answer, seen: Arc<Seen>) {
    let _ = tokio::time::timeout(Duration::from_secs(20), async {
        let mut buf = Vec::new();
        while let Some(params) = read_request(&mut stream, &mut buf).await {
            let param = |name: &str| {
                params
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
            };
            let json = match (param("api"), param("method")) {
                (Some("SYNO.API.Info"), _) => {
                    let entry =
                        |max| json!({"path": "entry.cgi", "minVersion": 1, "maxVersion": max});
                    let data = json!({
                        "SYNO.API.Info": entry(1), "SYNO.API.Auth": entry(7), CONN: entry(1)
                    });
                    json!({"success": true, "data": data})
                }
                (_, Some("login")) => json!({"success": true, "data": {"sid": SID}}),
                (Some(CONN), Some("List")) => {
                    answer(&mut stream, &list, &seen).await;
                    return;
                }
                _ => json!({"success": false, "error": {"code": 102}}),
            };
            let body = json.to_string();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
        }
    })
    .await;
}

/// One request's query and form parameters; `None` at the end of the connection.
async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Vec<(String, String)>> {
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let target = head.split(' ').nth(1).unwrap_or_default();
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let mut params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    params.extend(form_urlencoded::parse(&buf[head_end..head_end + length]).into_owned());
    buf.drain(..head_end + length);
    Some(params)
}

/// Sends the `List` answer; the connection ends after it.
async fn answer(stream: &mut TcpStream, list: &Answer, seen: &Seen) {
    let (head, body): (String, &[u8]) = match list {
        Answer::Gzip(body) => (
            format!(
                "Content-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close",
                body.len()
            ),
            body,
        ),
        Answer::Plain(body) => ("Connection: close".to_owned(), body),
        Answer::GzipNothing => (
            "Content-Encoding: gzip\r\nConnection: close".to_owned(),
            &[],
        ),
    };
    let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n{head}\r\n\r\n");
    if stream.write_all(head.as_bytes()).await.is_err() {
        seen.peer_closed.send_replace(true);
        return;
    }
    let sent = |n: usize| seen.sent.fetch_add(n as u64, Ordering::SeqCst);
    let ok = match list {
        Answer::Gzip(_) | Answer::Plain(_) => {
            let mut ok = true;
            for piece in body.chunks(16 * 1024) {
                if stream.write_all(piece).await.is_err() {
                    ok = false;
                    break;
                }
                sent(piece.len());
            }
            ok
        }
        Answer::GzipNothing => {
            // A gzip header, then non-final stored blocks of length 0.
            let mut ok = stream.write_all(&GZIP_HEADER).await.is_ok();
            let blocks: Vec<u8> = EMPTY_BLOCK.repeat(100);
            while ok {
                ok = stream.write_all(&blocks).await.is_ok();
                if ok {
                    sent(blocks.len());
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            ok
        }
    };
    if !ok {
        seen.peer_closed.send_replace(true);
    }
    let _ = stream.shutdown().await;
}

/// gzip's member header: magic, deflate, no flags, no time, no extra flags, unknown OS.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
/// A deflate stored block, not the last one, of length 0 (LEN 0, NLEN !0): no output.
const EMPTY_BLOCK: [u8; 5] = [0, 0, 0, 0xff, 0xff];

/// `len` zero bytes compressed with gzip at `level`, compressed 1 MiB at a time.
fn gzip_zeros(len: u64, level: u32) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    let zeros = vec![0u8; MIB as usize];
    let mut left = len;
    while left > 0 {
        let n = left.min(MIB) as usize;
        gz.write_all(&zeros[..n]).unwrap();
        left -= n as u64;
    }
    gz.finish().unwrap()
}

/// `bytes` compressed with gzip at level 1.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// `bytes` decompressed.
fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

/// A `{"success":true,"data":{"connections":[],"total":0}}` body padded with spaces to
/// exactly `len` bytes (still valid JSON).
fn padded_empty_list(len: usize) -> Vec<u8> {
    let mut body = br#"{"success":true,"data":{"connections":[],"total":0}}"#.to_vec();
    body.resize(len, b' ');
    body
}

async fn logged_in(server: &Server, limit: Option<u64>) -> Client {
    let builder = Client::builder(&server.url);
    let builder = match limit {
        Some(limit) => builder.max_response_size(limit),
        None => builder,
    };
    let client = builder.build().unwrap();
    client.login("admin", PASSWORD).await.expect("login");
    client
}

async fn list(client: &Client) -> Result<synology_client::cloud_sync::ConnectionList, Error> {
    client.cloud_sync().connection().list().send().await
}

/// Neither the error's message nor its debug form holds the password or the session.
fn assert_no_secret(err: &Error) {
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(PASSWORD) && !text.contains(SID), "{text}");
    }
}

/// Makes the mock list 1,000 connections, as a NAS with many would.
fn answer_many_connections(dsm: &MockDsm) {
    let connections: Vec<Value> = (0..1000)
        .map(|i| {
            json!({"conn_id": i, "cloud_type": "gdrive", "display_name": format!("Drive {i}"),
                   "status": "connected", "account": format!("user{i}@example.com")})
        })
        .collect();
    dsm.set_answer(
        CONN,
        "List",
        json!({"connections": connections, "total": 1000}),
    );
}

// ---------------------------------------------------------------------------------------
// Compressed answers from the mock.
// ---------------------------------------------------------------------------------------

#[cfg(feature = "gzip")]
#[tokio::test]
async fn the_client_asks_for_gzip_and_decodes_it() {
    let dsm = MockDsm::start_with(MockConfig::dsm7().gzip(true))
        .await
        .unwrap();
    answer_many_connections(&dsm);
    let client = dsm.client().unwrap();
    assert!(client.settings().gzip);
    client.login(DEMO_USER, DEMO_PASSWORD).await.unwrap();
    let page = list(&client).await.unwrap();
    assert_eq!(page.total, 1000);
    assert_eq!(page.connections.len(), 1000);
    assert_eq!(page.connections[999].display_name, "Drive 999");
    // Every answer came compressed: discovery, login and the list at least.
    let requests = dsm.requests().len() as u64;
    assert!(requests >= 3);
    assert_eq!(dsm.compressed_answers(), requests);
}

#[tokio::test]
async fn with_gzip_off_nothing_is_compressed() {
    let dsm = MockDsm::start_with(MockConfig::dsm7().gzip(true))
        .await
        .unwrap();
    answer_many_connections(&dsm);
    let client = Client::builder(dsm.url()).gzip(false).build().unwrap();
    assert!(!client.settings().gzip);
    client.login(DEMO_USER, DEMO_PASSWORD).await.unwrap();
    assert_eq!(list(&client).await.unwrap().connections.len(), 1000);
    assert!(dsm.requests().len() >= 3);
    assert_eq!(
        dsm.compressed_answers(),
        0,
        "no Accept-Encoding: gzip was sent"
    );
}

#[tokio::test]
async fn the_mock_compresses_at_level_1_only_when_asked() {
    let dsm = MockDsm::start_with(MockConfig::dsm7().gzip(true))
        .await
        .unwrap();
    answer_many_connections(&dsm);
    // A plain reqwest client, to set `Accept-Encoding` by hand and see the bytes sent.
    let plain_http = reqwest::Client::builder().no_gzip().build().unwrap();
    let url = format!("{}/webapi/entry.cgi", dsm.url());
    let login: Value = plain_http
        .post(&url)
        .form(&[
            ("api", "SYNO.API.Auth"),
            ("version", "7"),
            ("method", "login"),
            ("account", DEMO_USER),
            ("passwd", DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sid = login["data"]["sid"].as_str().unwrap().to_owned();
    let sid = sid.as_str();
    let ask = |encoding: Option<&'static str>| {
        let request = plain_http.post(&url).form(&[
            ("api", CONN),
            ("version", "1"),
            ("method", "List"),
            ("_sid", sid),
        ]);
        let request = match encoding {
            Some(e) => request.header("accept-encoding", e),
            None => request,
        };
        async move {
            let response = request.send().await.unwrap();
            let gzip = response
                .headers()
                .get("content-encoding")
                .is_some_and(|v| v == "gzip");
            (gzip, response.bytes().await.unwrap().to_vec())
        }
    };
    let (compressed, plain) = ask(None).await;
    assert!(!compressed);
    assert!(plain.starts_with(br#"{"#));
    for refused in ["identity", "gzip;q=0", "br, deflate", "x-gzip"] {
        let (compressed, body) = ask(Some(refused)).await;
        assert!(!compressed, "{refused}");
        assert_eq!(body, plain, "{refused}");
    }
    for accepted in ["gzip", "br, GZIP;q=0.5", "deflate, gzip, br"] {
        let (compressed, body) = ask(Some(accepted)).await;
        assert!(compressed, "{accepted}");
        // gzip's magic, deflate, and XFL 4: the fastest compression (level 1).
        assert_eq!(&body[..3], &[0x1f, 0x8b, 8], "{accepted}");
        assert_eq!(body[8], 4, "{accepted}: level 1");
        assert_eq!(gunzip(&body), plain, "{accepted}");
        assert_eq!(body, gzip(&plain), "{accepted}: flate2 at level 1");
    }
    let (_, compressed) = ask(Some("gzip")).await;
    let ratio = plain.len() as f64 / compressed.len() as f64;
    eprintln!(
        "1,000 connections: {} bytes of JSON, {} gzipped at level 1 ({ratio:.1}x)",
        plain.len(),
        compressed.len()
    );
    assert!(ratio > 5.0, "{ratio}");
    // A mock without the switch never compresses.
    let quiet = MockDsm::start().await.unwrap();
    let response = plain_http
        .get(format!("{}/webapi/entry.cgi", quiet.url()))
        .query(&[
            ("api", "SYNO.API.Info"),
            ("version", "1"),
            ("method", "query"),
        ])
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("content-encoding").is_none());
    assert_eq!(quiet.compressed_answers(), 0);
    // The three answers to "gzip" above, and the one for the ratio.
    assert_eq!(dsm.compressed_answers(), 4);
}

// ---------------------------------------------------------------------------------------
// The size limit counts decompressed bytes.
// ---------------------------------------------------------------------------------------

#[cfg(feature = "gzip")]
#[tokio::test]
async fn the_limit_counts_decompressed_bytes_exactly() {
    const LIMIT: u64 = 64 * 1024;
    for (len, fits) in [(LIMIT, true), (LIMIT + 1, false)] {
        let body = gzip(&padded_empty_list(len as usize));
        // Spaces compress about a thousand times: counted compressed, both would pass.
        assert!((body.len() as u64) < LIMIT / 100);
        let server = Server::start(Answer::Gzip(Arc::new(body))).await;
        let client = logged_in(&server, Some(LIMIT)).await;
        match list(&client).await {
            Ok(page) => assert!(fits && page.connections.is_empty()),
            Err(Error::ResponseTooLarge {
                limit, declared, ..
            }) => {
                assert!(!fits, "{len} bytes fit");
                assert_eq!((limit, declared), (LIMIT, None));
            }
            Err(e) => panic!("{len} bytes: {e:?}"),
        }
    }
}

#[cfg(feature = "gzip")]
#[tokio::test]
async fn a_gzip_bomb_fails_like_an_oversized_body_and_memory_stays_near_the_limit() {
    let started = Instant::now();
    let bomb = gzip_zeros(100_000_000, 9);
    eprintln!(
        "bomb: 100,000,000 zeros in {} bytes of gzip (built in {:.1} s)",
        bomb.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    let bomb = Arc::new(bomb);

    // A 1 MiB limit against the bomb, and against 2 MiB of zeros sent plainly.
    let server = Server::start(Answer::Gzip(bomb.clone())).await;
    let client = logged_in(&server, Some(MIB)).await;
    let (result, peak) = peak_during(list(&client)).await;
    let bombed = result.unwrap_err();
    let plain = Server::start(Answer::Plain(Arc::new(vec![0; 2 * MIB as usize]))).await;
    let oversized = list(&logged_in(&plain, Some(MIB)).await).await.unwrap_err();
    assert!(
        matches!(&bombed, Error::ResponseTooLarge { api, method, limit: MIB, declared: None }
            if api == CONN && method == "List"),
        "{bombed:?}"
    );
    assert_eq!(bombed.to_string(), oversized.to_string());
    assert_eq!(format!("{bombed:?}"), format!("{oversized:?}"));
    assert_no_secret(&bombed);
    eprintln!(
        "1 MiB limit: peak {:.2} MiB allocated",
        peak as f64 / MIB as f64
    );
    assert!(peak < 2 * MIB, "peak {peak} bytes for a 1 MiB limit");

    // Nothing set: the default limit (32 MiB) stops the same bomb.
    let server = Server::start(Answer::Gzip(bomb)).await;
    let client = logged_in(&server, None).await;
    let (result, peak) = peak_during(list(&client)).await;
    let err = result.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit, declared: None, .. }
            if limit == Settings::DEFAULT_MAX_RESPONSE_SIZE),
        "{err:?}"
    );
    assert_no_secret(&err);
    eprintln!(
        "default limit: peak {:.2} MiB allocated",
        peak as f64 / MIB as f64
    );
    assert!(
        peak < 2 * Settings::DEFAULT_MAX_RESPONSE_SIZE,
        "peak {peak} bytes"
    );
}

// ---------------------------------------------------------------------------------------
// A compressed stream that yields nothing.
// ---------------------------------------------------------------------------------------

#[cfg(feature = "gzip")]
#[tokio::test]
async fn a_compressed_stream_that_yields_nothing_ends_by_the_timeout() {
    const TIMEOUT: Duration = Duration::from_millis(500);
    let server = Server::start(Answer::GzipNothing).await;
    let client = logged_in(&server, None).await;
    let started = Instant::now();
    let err = list(&client.with_timeout(TIMEOUT)).await.unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(&err, Error::Timeout { api, method } if api == CONN && method == "List"),
        "{err:?}"
    );
    assert_no_secret(&err);
    assert!(
        took >= TIMEOUT - Duration::from_millis(20) && took < Duration::from_secs(3),
        "{took:?}"
    );
    // Bytes kept coming until the client gave up and closed the connection.
    let sent = server.seen.sent.load(Ordering::SeqCst);
    assert!(sent > 10 * 500, "{sent} bytes sent");
    let mut closed = server.seen.peer_closed.subscribe();
    let closed = tokio::time::timeout(Duration::from_secs(5), closed.wait_for(|c| *c)).await;
    assert!(closed.is_ok(), "the client closed the connection");
}

#[test]
fn the_gzip_default_is_documented() {
    assert_eq!(Settings::DEFAULT_GZIP, cfg!(feature = "gzip"));
    assert_eq!(Settings::default().gzip, cfg!(feature = "gzip"));
    let url = "https://nas.example.com:5001";
    assert_eq!(
        Client::builder(url).build().unwrap().settings().gzip,
        cfg!(feature = "gzip")
    );
    let off = Client::builder(url).gzip(false).build().unwrap();
    assert!(!off.settings().gzip);
    assert!(format!("{off:?}").contains("gzip: false"));
    // Without the feature the client cannot decompress, so `gzip(true)` changes nothing.
    let on = Client::builder(url).gzip(true).build().unwrap();
    assert_eq!(on.settings().gzip, cfg!(feature = "gzip"));
}
