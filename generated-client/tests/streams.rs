//! Streams always end: a server that lies about `total`, ignores `offset` or sends an empty
//! page before the total stops the stream with `Error::StreamStalled` after the items it did
//! bring, within `total / page + 1` requests plus a small slack. Over real HTTP.

#![cfg(feature = "mock")]

mod common;

use common::logged_in;
use futures_util::StreamExt;
use serde_json::json;
use synology_client::Error;
use synology_client::mock::{MockConfig, MockDsm};

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
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    // The same 10 entries whatever the offset, and a total of a million.
    dsm.fail_with_http(LOG, "List", 200, page(0, 10, 1_000_000));
    let stream = client
        .cloud_sync()
        .connection_log()
        .list(1)
        .limit(10)
        .stream();
    let (items, end) = drain(stream).await;
    assert_eq!(items.len(), 10, "the first page's items are yielded once");
    match end {
        Some(Error::StreamStalled {
            requests, reason, ..
        }) => {
            assert_eq!(requests, 2);
            assert!(reason.contains("repeats the previous page"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(list_requests(&dsm), 2);
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
