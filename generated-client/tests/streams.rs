//! Streams always end: a server that lies about `total`, ignores `offset` or sends an empty
//! page before the total stops the stream with `Error::StreamStalled` after the items it did
//! bring, within `total / page + 1` requests plus a small slack. Over real HTTP.

#![cfg(all(feature = "mock", feature = "cloud-sync"))]

mod common;
#[path = "common/raw_server/mod.rs"]
mod raw_server;

use common::logged_in;
use futures_util::StreamExt;
use raw_server::{RawServer, Reply, Request};
use serde_json::json;
use synology_client::mock::{MockConfig, MockDsm};
use synology_client::{Client, Error};

const LOG: &str = "SYNO.CloudSync.Connection.Log";

fn page(first: u64, n: u64, total: u64) -> String {
    let logs: Vec<_> = (first..first + n)
        .map(|i| json!({"time": i, "type": "info", "message": i.to_string()}))
        .collect();
    json!({"success": true, "data": {"logs": logs, "total": total}}).to_string()
}

/// Every item the stream yields before its end, and how it ended.
async fn drain(
    stream: impl futures_core::Stream<Item = Result<synology_client::cloud_sync::LogEntry, Error>>,
) -> (Vec<String>, Option<Error>) {
    let mut stream = std::pin::pin!(stream);
    let mut items = Vec::new();
    // Bounded, so that a stream that never ends fails the test instead of hanging it.
    for _ in 0..100_000 {
        match stream.next().await {
            Some(Ok(entry)) => items.push(entry.message),
            Some(Err(e)) => {
                assert!(stream.next().await.is_none(), "an error ends the stream");
                return (items, Some(e));
            }
            None => return (items, None),
        }
    }
    panic!("the stream did not end");
}

fn list_requests(dsm: &MockDsm) -> usize {
    dsm.requests()
        .iter()
        .filter(|r| r.params.get("api").map(String::as_str) == Some(LOG))
        .count()
}

#[tokio::test]
async fn a_lying_total_with_an_ignored_offset_ends_at_the_second_page() {
    // One request at a time: the second page ends it. Prefetching: the pages requested ahead
    // with it are sent (and cancelled), no more.
    for (prefetch, sent) in [(1, 2), (4, 5)] {
        let (dsm, client) = logged_in(MockConfig::dsm7()).await;
        // The same 10 entries whatever the offset, and a total of a million.
        dsm.fail_with_http(LOG, "List", 200, page(0, 10, 1_000_000));
        let stream = client
            .cloud_sync()
            .connection_log()
            .list(1)
            .limit(10)
            .stream()
            .prefetch(prefetch);
        let (items, end) = drain(stream).await;
        assert_eq!(items.len(), 10, "the first page's items are yielded once");
        match end {
            Some(Error::StreamStalled {
                requests, reason, ..
            }) => {
                assert_eq!(requests, sent, "prefetch {prefetch}");
                assert!(reason.contains("repeats the previous page"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let reached = list_requests(&dsm);
        assert!(
            (2..=sent as usize).contains(&reached),
            "prefetch {prefetch}: {reached} requests reached the server"
        );
    }
}

#[tokio::test]
async fn an_empty_page_before_the_total_is_an_error() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    dsm.fail_with_http(LOG, "List", 200, page(0, 0, 5));
    let (items, end) = drain(client.cloud_sync().connection_log().list(1).stream()).await;
    assert!(items.is_empty());
    match end {
        Some(Error::StreamStalled { reason, .. }) => {
            assert!(reason.contains("empty page at offset 0"), "{reason}");
            assert!(reason.contains("total of 5"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(list_requests(&dsm), 1);
}

#[tokio::test]
async fn an_empty_page_with_a_total_of_zero_is_a_normal_end() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    dsm.fail_with_http(LOG, "List", 200, page(0, 0, 0));
    let (items, end) = drain(client.cloud_sync().connection_log().list(1).stream()).await;
    assert!(items.is_empty());
    assert!(end.is_none(), "{end:?}");
}

#[tokio::test]
async fn an_honest_server_with_a_capped_page_size_streams_everything() {
    let (dsm, client) = logged_in(MockConfig::dsm7().page_cap(7)).await;
    let items: Vec<_> = (0..100)
        .map(|i| json!({"time": i, "type": "info", "message": i.to_string()}))
        .collect();
    dsm.set_items(LOG, "List", items);
    let stream = client
        .cloud_sync()
        .connection_log()
        .list(1)
        .limit(50)
        .stream();
    let (items, end) = drain(stream).await;
    assert!(end.is_none(), "{end:?}");
    assert_eq!(items, (0..100).map(|i| i.to_string()).collect::<Vec<_>>());
    assert_eq!(list_requests(&dsm), 100usize.div_ceil(7));
}

#[tokio::test]
async fn a_total_that_grows_with_every_page_stops_at_the_request_bound() {
    // Fresh entries on every page, and a total that always promises one page more.
    const PAGE: u64 = 10;
    let server = RawServer::start(|req: &Request| match (req.api(), req.method()) {
        (LOG, "List") => {
            let offset: u64 = req
                .param("offset")
                .and_then(|o| o.parse().ok())
                .unwrap_or(0);
            Reply::json(page(offset, PAGE, offset + 2 * PAGE))
        }
        _ => raw_server::dsm(req),
    })
    .await;
    let client = Client::builder(&server.url).build().unwrap();
    client.login("a", "b").await.unwrap();
    let stream = client
        .cloud_sync()
        .connection_log()
        .list(1)
        .limit(PAGE as i64)
        .stream();
    let (items, end) = drain(stream).await;
    // The first page announced 20 items in pages of 10: 2 pages, plus 1, plus a slack of 2.
    let bound = 20u64.div_ceil(PAGE) + 1 + 2;
    match end {
        Some(Error::StreamStalled {
            requests, reason, ..
        }) => {
            assert_eq!(requests, bound, "{reason}");
            assert!(reason.contains("past the total"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(items.len() as u64, bound * PAGE, "every page's items, once");
    assert_eq!(
        server.count(LOG, "List") as u64,
        bound,
        "no request past the bound"
    );
}

#[tokio::test]
async fn a_stream_from_an_offset_ends_at_the_total_without_an_error() {
    // DSM's offsets and total count from the first item, not from the builder's offset.
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let items: Vec<_> = (0..100)
        .map(|i| json!({"time": i, "type": "info", "message": i.to_string()}))
        .collect();
    dsm.set_items(LOG, "List", items);
    let stream = client
        .cloud_sync()
        .connection_log()
        .list(1)
        .offset(55)
        .limit(10)
        .stream();
    let (items, end) = drain(stream).await;
    assert!(end.is_none(), "{end:?}");
    assert_eq!(items, (55..100).map(|i| i.to_string()).collect::<Vec<_>>());
    assert_eq!(list_requests(&dsm), 5, "no request at or past the total");
}
