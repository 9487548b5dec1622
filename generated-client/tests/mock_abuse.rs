//! The mock DSM stays up when clients misbehave: a TLS connection that never finishes its
//! handshake is closed after the handshake timeout, silent connections do not keep real
//! clients out, and the request log keeps only the most recent requests.

#![cfg(all(feature = "mock", feature = "cloud-sync"))]

use std::time::{Duration, Instant};

use synology_client::Client;
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// A mock over HTTPS with a self-signed certificate and this handshake timeout.
async fn tls_mock(handshake_timeout: Duration) -> MockDsm {
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let pki = rcgen::generate_simple_self_signed(names).unwrap();
    let config = MockConfig::dsm7()
        .tls(&pki.cert.pem(), &pki.signing_key.serialize_pem())
        .tls_handshake_timeout(handshake_timeout);
    MockDsm::start_with(config).await.unwrap()
}

/// A TCP connection to the mock that never sends a byte.
async fn silent(dsm: &MockDsm) -> TcpStream {
    TcpStream::connect(dsm.url().trim_start_matches("https://"))
        .await
        .unwrap()
}

/// Whether the server closes `stream` (end of stream or an error) within `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0_u8; 256];
    let closed = async {
        while let Ok(n) = stream.read(&mut buf).await {
            if n == 0 {
                return;
            }
        }
    };
    tokio::time::timeout(limit, closed).await.is_ok()
}

/// Whether `stream` is still open with nothing to read.
fn still_open(stream: &TcpStream) -> bool {
    let mut buf = [0_u8; 1];
    matches!(stream.try_read(&mut buf), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

async fn log_in_and_list(dsm: &MockDsm) {
    let client = Client::builder(dsm.url())
        .danger_accept_invalid_certificates(true)
        .build()
        .unwrap();
    let call = async {
        client.login(DEMO_USER, DEMO_PASSWORD).await.unwrap();
        client
            .cloud_sync()
            .connection()
            .list()
            .send()
            .await
            .unwrap()
    };
    let list = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("the call is answered");
    assert_eq!(list.total, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_tls_connection_is_closed_after_the_handshake_timeout() {
    let timeout = Duration::from_millis(200);
    let dsm = tls_mock(timeout).await;
    let mut conn = silent(&dsm).await;
    let start = Instant::now();
    assert!(
        closed_within(&mut conn, Duration::from_secs(2)).await,
        "the server closed the connection"
    );
    let waited = start.elapsed();
    assert!(
        waited >= timeout / 2,
        "closed by the timeout, not at once: {waited:?}"
    );
    // The mock serves on.
    log_in_and_list(&dsm).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connections_do_not_keep_a_real_client_out() {
    // The default timeout (10 s): the silent connections stay open during the call.
    let dsm = tls_mock(MockConfig::DEFAULT_TLS_HANDSHAKE_TIMEOUT).await;
    let mut conns = Vec::new();
    for _ in 0..50 {
        conns.push(silent(&dsm).await);
    }
    log_in_and_list(&dsm).await;
    assert!(
        conns.iter().all(still_open),
        "they were open during the call"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connections_are_closed_while_a_real_client_is_served() {
    let dsm = tls_mock(Duration::from_millis(200)).await;
    let mut conns = Vec::new();
    for _ in 0..50 {
        conns.push(silent(&dsm).await);
    }
    log_in_and_list(&dsm).await;
    for conn in &mut conns {
        assert!(closed_within(conn, Duration::from_secs(2)).await);
    }
}

#[tokio::test]
async fn the_request_log_keeps_only_the_most_recent_requests() {
    let dsm = MockDsm::start_with(MockConfig::dsm7().request_log_limit(5))
        .await
        .unwrap();
    let client = dsm.client().unwrap();
    client.login(DEMO_USER, DEMO_PASSWORD).await.unwrap();
    for id in 0..20 {
        client
            .cloud_sync()
            .connection()
            .get(id)
            .send()
            .await
            .unwrap();
        assert!(dsm.requests().len() <= 5);
    }
    let ids: Vec<String> = dsm
        .requests()
        .iter()
        .map(|r| r.params.get("conn_id").cloned().unwrap_or_default())
        .collect();
    assert_eq!(ids, ["15", "16", "17", "18", "19"]);
    dsm.clear_requests();
    assert!(dsm.requests().is_empty());
}

#[tokio::test]
async fn a_zero_limit_keeps_no_log_and_the_default_is_ten_thousand() {
    assert_eq!(MockConfig::DEFAULT_REQUEST_LOG_LIMIT, 10_000);
    let dsm = MockDsm::start_with(MockConfig::dsm7().request_log_limit(0))
        .await
        .unwrap();
    let client = dsm.client().unwrap();
    client.login(DEMO_USER, DEMO_PASSWORD).await.unwrap();
    client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap();
    assert!(dsm.requests().is_empty());
}
