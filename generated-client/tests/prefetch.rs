//! Streams request pages ahead (`Pages::prefetch`) and still yield every item once, in order:
//! with pages capped below the limit, answered out of order, shorter or longer than asked,
//! a consumer that pauses past the request timeout, a re-login in the middle, an error in the
//! middle, and a drop in the middle (which cancels what is in flight). Over real HTTP; the
//! servers hold answers on notifications and barriers, never on sleeps.

#![cfg(all(feature = "mock", feature = "cloud-sync"))]

mod common;
#[path = "common/raw_server/mod.rs"]
mod raw_server;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::logged_in;
use futures_util::StreamExt;
use raw_server::{RawServer, Reply, Request};
use serde_json::json;
use synology_client::cloud_sync::LogEntry;
use synology_client::mock::MockConfig;
use synology_client::{Client, Error, Pages};
use tokio::sync::{Barrier, Notify, mpsc};

const LOG: &str = "SYNO.CloudSync.Connection.Log";

/// Longest a test waits for something that must happen (a failure bound, not a pause).
const WITHIN: Duration = Duration::from_secs(10);

fn page(first: u64, n: u64, total: u64) -> String {
    let logs: Vec<_> = (first..first + n)
        .map(|i| json!({"time": i, "type": "info", "message": i.to_string()}))
        .collect();
    json!({"success": true, "data": {"logs": logs, "total": total}}).to_string()
}

fn number(req: &Request, name: &str) -> u64 {
    req.param(name).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// The page `req` asks for, out of `total` items.
fn paged(req: &Request, total: u64) -> Reply {
    let offset = number(req, "offset");
    let n = number(req, "limit").min(total.saturating_sub(offset));
    Reply::json(page(offset, n, total))
}

fn numbers(range: std::ops::Range<u64>) -> Vec<String> {
    range.map(|i| i.to_string()).collect()
}

/// A raw server answering `LOG` `List` with `script` and the rest like DSM, and a client
/// logged in to it (with `timeout`, when given).
async fn serve(
    timeout: Option<Duration>,
    script: impl Fn(&Request) -> Reply + Send + Sync + 'static,
) -> (RawServer, Client) {
    let server = RawServer::start(move |req: &Request| match (req.api(), req.method()) {
        (LOG, "List") => script(req),
        _ => raw_server::dsm(req),
    })
    .await;
    let mut builder = Client::builder(&server.url);
    if let Some(t) = timeout {
        builder = builder.timeout(t);
    }
    let client = builder.build().unwrap();
    client.login("a", "b").await.unwrap();
    (server, client)
}

fn log_stream(client: &Client, limit: i64) -> Pages<LogEntry> {
    client
        .cloud_sync()
        .connection_log()
        .list(1)
        .limit(limit)
        .stream()
}

/// `future`, or a failure when it takes longer than [`WITHIN`].
async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(WITHIN, future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not happen within {WITHIN:?}"))
}

/// The next `n` items' messages; panics on an error or an early end.
async fn take(stream: &mut Pages<LogEntry>, n: usize) -> Vec<String> {
    let mut items = Vec::new();
    for _ in 0..n {
        match within("the next item", stream.next()).await {
            Some(Ok(entry)) => items.push(entry.message),
            other => panic!("after {} items: {other:?}", items.len()),
        }
    }
    items
}

/// Every item the stream yields before its end, and how it ended.
async fn drain(mut stream: Pages<LogEntry>) -> (Vec<String>, Option<Error>) {
    let mut items = Vec::new();
    loop {
        match within("the stream's end", stream.next()).await {
            Some(Ok(entry)) => items.push(entry.message),
            Some(Err(e)) => {
                assert!(stream.next().await.is_none(), "an error ends the stream");
                return (items, Some(e));
            }
            None => return (items, None),
        }
    }
}

#[tokio::test]
async fn a_server_capping_pages_at_37_gets_each_item_once_in_order() {
    let (dsm, client) = logged_in(MockConfig::dsm7().page_cap(37)).await;
    let items: Vec<_> = (0..1000)
        .map(|i| json!({"time": i, "type": "info", "message": i.to_string()}))
        .collect();
    dsm.set_items(LOG, "List", items);
    let mut stream = log_stream(&client, 100);
    assert_eq!(stream.total(), None, "no page has told it yet");
    let first = take(&mut stream, 1).await;
    assert_eq!(stream.total(), Some(1000));
    let (rest, end) = drain(stream).await;
    assert!(end.is_none(), "{end:?}");
    assert_eq!([first, rest].concat(), numbers(0..1000));
    // Offsets step by the 37 items the first page brought; no request is wasted.
    let pages: Vec<(u64, u64)> = dsm
        .requests()
        .iter()
        .map(|r| {
            (
                r.params["offset"].parse().unwrap(),
                r.params["limit"].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(pages.len(), 1000usize.div_ceil(37));
    let mut offsets: Vec<u64> = pages.iter().map(|p| p.0).collect();
    offsets.sort_unstable();
    assert_eq!(offsets, (0..1000).step_by(37).collect::<Vec<_>>());
    assert_eq!(
        pages[0],
        (0, 100),
        "the first page asks for the builder's limit"
    );
    assert!(pages[1..].iter().all(|p| p.1 == 37), "{pages:?}");
}

#[tokio::test]
async fn pages_answered_out_of_order_are_yielded_in_order() {
    // Page 1 (offset 10, the first one prefetched) is held until page 2 (offset 20) has
    // been answered.
    let page_2_sent = Arc::new(Notify::new());
    let (_server, client) = serve(None, {
        let page_2_sent = page_2_sent.clone();
        move |req: &Request| {
            let reply = paged(req, 100);
            match number(req, "offset") {
                10 => {
                    let page_2_sent = page_2_sent.clone();
                    Reply::later(async move {
                        page_2_sent.notified().await;
                        reply
                    })
                }
                20 => reply.then_notify(&page_2_sent),
                _ => reply,
            }
        }
    })
    .await;
    let (items, end) = drain(log_stream(&client, 10)).await;
    assert!(end.is_none(), "{end:?}");
    assert_eq!(items, numbers(0..100));
}

/// Decrements its counter when dropped.
struct Leaving(Arc<AtomicUsize>);

impl Drop for Leaving {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The most requests the server had in flight at once while `stream` read 12 pages of 10,
/// when the second page and the `n - 1` after it are each held until all `n` have come.
async fn most_in_flight(n: usize, stream: impl Fn(Pages<LogEntry>) -> Pages<LogEntry>) -> usize {
    let barrier = Arc::new(Barrier::new(n));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (_server, client) = serve(None, {
        let (in_flight, most) = (in_flight.clone(), most.clone());
        move |req: &Request| {
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            let leaving = Leaving(in_flight.clone());
            let held = (10..10 + 10 * n as u64).contains(&number(req, "offset"));
            let barrier = barrier.clone();
            let reply = paged(req, 120);
            Reply::later(async move {
                let _leaving = leaving;
                if held {
                    barrier.wait().await;
                }
                reply
            })
        }
    })
    .await;
    let (items, end) = drain(stream(log_stream(&client, 10))).await;
    assert!(end.is_none(), "{end:?}");
    assert_eq!(items, numbers(0..120));
    most.load(Ordering::SeqCst)
}

#[tokio::test]
async fn prefetch_bounds_the_requests_in_flight() {
    assert_eq!(most_in_flight(4, |s| s).await, 4, "the default is 4");
    for n in [1, 2, 8] {
        assert_eq!(
            most_in_flight(n, |s| s.prefetch(n)).await,
            n,
            "prefetch({n})"
        );
    }
    assert_eq!(
        most_in_flight(1, |s| s.prefetch(0)).await,
        1,
        "0 counts as 1"
    );
}

#[tokio::test]
async fn a_consumer_pausing_longer_than_the_timeout_loses_nothing() {
    const TIMEOUT: Duration = Duration::from_millis(300);
    // The sixth page (offset 50) is the last of the four requested once the second is taken.
    let sixth_sent = Arc::new(Notify::new());
    let (_server, client) = serve(Some(TIMEOUT), {
        let sixth_sent = sixth_sent.clone();
        move |req: &Request| match number(req, "offset") {
            50 => paged(req, 100).then_notify(&sixth_sent),
            _ => paged(req, 100),
        }
    })
    .await;
    let mut stream = log_stream(&client, 10);
    let first = take(&mut stream, 11).await;
    within("the sixth page's answer", sixth_sent.notified()).await;
    // The pause under test (output piped to a pager nobody scrolls): no answer waits unread.
    tokio::time::sleep(TIMEOUT * 3).await;
    let (rest, end) = drain(stream).await;
    assert!(end.is_none(), "{end:?}");
    assert_eq!([first, rest].concat(), numbers(0..100));
}

#[tokio::test]
async fn a_relogin_in_the_middle_of_prefetched_pages_logs_in_once() {
    let (dsm, client) = logged_in(MockConfig::dsm7().page_cap(30)).await;
    let items: Vec<_> = (0..1000)
        .map(|i| json!({"time": i, "type": "info", "message": i.to_string()}))
        .collect();
    dsm.set_items(LOG, "List", items);
    // Sessions end at the fifth request: among the four requested ahead after the first page.
    dsm.expire_sessions_after(4);
    let (items, end) = drain(log_stream(&client, 100)).await;
    assert!(end.is_none(), "{end:?}");
    assert_eq!(items, numbers(0..1000), "each item exactly once, in order");
    let requests = dsm.requests();
    let logins = requests
        .iter()
        .filter(|r| r.params.get("method").map(String::as_str) == Some("login"))
        .count();
    assert_eq!(
        logins, 1,
        "one re-login for every request that lost the session"
    );
    let pages = requests.len() - logins;
    let needed = 1000usize.div_ceil(30);
    assert!(
        (needed + 1..=needed + 4).contains(&pages),
        "{pages} requests: each of the (at most 4) requests in flight retried at most once"
    );
}

#[tokio::test]
async fn an_error_mid_stream_ends_it_after_the_items_before() {
    // The page at offset 30 fails; it and the two after it are answered once all three have
    // come, so the pages after the error have been answered by the time it is taken.
    let three = Arc::new(Barrier::new(3));
    let (server, client) = serve(None, move |req: &Request| {
        let offset = number(req, "offset");
        let reply = match offset {
            30 => Reply::Json {
                status: 500,
                body: "oops".into(),
            },
            _ => paged(req, 100),
        };
        if !(30..=50).contains(&offset) {
            return reply;
        }
        let three = three.clone();
        Reply::later(async move {
            three.wait().await;
            reply
        })
    })
    .await;
    let (items, end) = drain(log_stream(&client, 10)).await;
    assert_eq!(items, numbers(0..30), "the items before the error, once");
    match end {
        Some(Error::Http { status: 500, .. }) => {}
        other => panic!("{other:?}"),
    }
    let answered = server.served_for(LOG, "List");
    assert!(answered.len() >= 6, "the pages after it were requested too");
}

/// Sends on its channel when dropped.
struct DropGuard(mpsc::UnboundedSender<()>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

#[tokio::test]
async fn dropping_the_stream_cancels_the_requests_in_flight() {
    // From offset 20 on, the server holds every request for ever, with a drop guard.
    let (arrived_tx, mut arrived) = mpsc::unbounded_channel();
    let (dropped_tx, mut dropped) = mpsc::unbounded_channel();
    let (_server, client) = serve(None, move |req: &Request| {
        if number(req, "offset") < 20 {
            return paged(req, 100);
        }
        let _ = arrived_tx.send(());
        let guard = DropGuard(dropped_tx.clone());
        Reply::later(async move {
            let _guard = guard;
            std::future::pending::<Reply>().await
        })
    })
    .await;
    let mut stream = log_stream(&client, 10);
    assert_eq!(take(&mut stream, 11).await, numbers(0..11));
    for _ in 0..4 {
        within("a request ahead", arrived.recv()).await;
    }
    drop(stream);
    for _ in 0..4 {
        within("a held request's cancellation", dropped.recv()).await;
    }
}

#[tokio::test]
async fn a_short_page_before_the_last_refetches_the_gap() {
    let (server, client) = serve(None, |req: &Request| match number(req, "offset") {
        30 => Reply::json(page(30, 4, 100)),
        _ => paged(req, 100),
    })
    .await;
    let (items, end) = drain(log_stream(&client, 10)).await;
    assert!(end.is_none(), "{end:?}");
    assert_eq!(items, numbers(0..100));
    let asked: Vec<(u64, u64)> = server
        .requests()
        .iter()
        .filter(|r| r.api() == LOG)
        .map(|r| (number(r, "offset"), number(r, "limit")))
        .collect();
    assert!(asked.contains(&(34, 6)), "the gap 34..40 alone: {asked:?}");
    assert_eq!(asked.len(), 11, "ten pages and the gap: {asked:?}");
}

#[tokio::test]
async fn a_page_longer_than_asked_for_yields_each_item_once() {
    // A server that ignores the limit after the first page and sends 15 items.
    let (_server, client) = serve(None, |req: &Request| {
        let offset = number(req, "offset");
        let n = if offset == 0 { 10 } else { 15 };
        Reply::json(page(offset, n.min(100u64.saturating_sub(offset)), 100))
    })
    .await;
    let (items, end) = drain(log_stream(&client, 10)).await;
    assert!(end.is_none(), "{end:?}");
    assert_eq!(items, numbers(0..100));
}

#[tokio::test]
async fn an_empty_page_past_a_total_that_shrank_ends_the_stream_normally() {
    // 100 items, until the page at offset 40 finds that only 40 are left.
    let (_server, client) = serve(None, |req: &Request| match number(req, "offset") {
        offset @ 0..40 => Reply::json(page(offset, 10, 100)),
        offset => Reply::json(page(offset, 0, 40)),
    })
    .await;
    let mut stream = log_stream(&client, 10);
    let first = take(&mut stream, 40).await;
    assert_eq!(first, numbers(0..40));
    assert_eq!(stream.total(), Some(100));
    assert!(within("the end", stream.next()).await.is_none());
    assert_eq!(
        stream.total(),
        Some(40),
        "the total the empty page announced"
    );
}

#[test]
fn pages_is_a_send_unpin_stream_with_a_debug_and_no_total_before_a_page() {
    fn send_unpin_stream<S: futures_core::Stream + Send + Unpin + 'static>(_: &S) {}
    let client = Client::builder("https://nas.example.com:5001")
        .build()
        .unwrap();
    let stream = log_stream(&client, 10).prefetch(2);
    send_unpin_stream(&stream);
    let text = format!("{stream:?}");
    assert!(text.contains(LOG) && text.contains("prefetch: 2"), "{text}");
    assert_eq!(stream.total(), None);
}
