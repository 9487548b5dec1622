//! The mock closes a connection that sends nothing for its idle timeout (between requests,
//! or in the middle of a request head), and never an answer it is still working on: raw TCP,
//! so what is seen is the server's doing, not a client pool's.

#![cfg(feature = "mock")]

use std::time::{Duration, Instant};

use synology_client::mock::{MockConfig, MockDsm};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const IDLE: Duration = Duration::from_millis(300);

async fn mock() -> (MockDsm, TcpStream) {
    let dsm = MockDsm::start_with(MockConfig::default().idle_timeout(IDLE))
        .await
        .unwrap();
    let addr = dsm.url().trim_start_matches("http://").to_owned();
    let stream = TcpStream::connect(addr).await.unwrap();
    (dsm, stream)
}

/// Reads until the server closes the connection (or 10 s pass); everything read.
async fn read_until_closed(stream: &mut TcpStream) -> (Vec<u8>, bool) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (got, true),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (got, false),
        }
    }
}

const INFO: &[u8] = b"GET /webapi/query.cgi?api=SYNO.API.Info&version=1&method=query&query=all HTTP/1.1\r\nHost: mock\r\n\r\n";

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_idle_timeout() {
    let (_dsm, mut stream) = mock().await;
    let started = Instant::now();
    let (got, closed) = read_until_closed(&mut stream).await;
    assert!(closed, "still open after 10 s");
    assert!(
        started.elapsed() >= IDLE - Duration::from_millis(50),
        "{:?}",
        started.elapsed()
    );
    // hyper answers a request head that timed out with 408 on a connection that sent some
    // bytes; one that sent none is just closed.
    assert!(
        got.is_empty() || got.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&got)
    );
}

#[tokio::test]
async fn a_kept_alive_connection_is_closed_once_idle_and_a_dribbled_head_too() {
    let (_dsm, mut stream) = mock().await;
    stream.write_all(INFO).await.unwrap();
    let started = Instant::now();
    let (got, closed) = read_until_closed(&mut stream).await;
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        text.contains("SYNO.API.Auth"),
        "answered before being closed: {text}"
    );
    assert!(closed, "a kept-alive connection stayed open after 10 s");
    assert!(started.elapsed() >= IDLE - Duration::from_millis(50));

    // Half a request head, then nothing.
    let (_dsm, mut stream) = mock().await;
    stream.write_all(&INFO[..20]).await.unwrap();
    let (_, closed) = read_until_closed(&mut stream).await;
    assert!(closed, "a dribbled head kept its connection for 10 s");
}

#[tokio::test]
async fn an_answer_slower_than_the_idle_timeout_is_not_cut_short() {
    let (dsm, mut stream) = mock().await;
    dsm.delay("SYNO.API.Info", "query", IDLE * 3);
    stream.write_all(INFO).await.unwrap();
    let started = Instant::now();
    let (got, _) = read_until_closed(&mut stream).await;
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("SYNO.API.Auth"), "{text}");
    assert!(started.elapsed() >= IDLE * 3, "{:?}", started.elapsed());
}

#[test]
fn the_default_idle_timeout_is_nginx_keepalive_timeout() {
    assert_eq!(MockConfig::DEFAULT_IDLE_TIMEOUT, Duration::from_secs(65));
}
