//! The link simulator over real loopback sockets. Timing bounds are generous (a loaded
//! machine stretches them); each one still tells the designed behaviour from the obvious
//! wrong one (a sleep per read, no limit at all).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

use super::{Bucket, Link, LinkConfig};

const MS: Duration = Duration::from_millis(1);

/// A server that echoes every connection and closes its side after the client's end.
async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (mut rd, mut wr) = stream.into_split();
                let _ = tokio::io::copy(&mut rd, &mut wr).await;
                let _ = wr.shutdown().await;
            });
        }
    });
    addr
}

/// A server that sends `n` bytes on every connection, then closes.
async fn sending_server(n: usize) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = stream.write_all(&vec![7u8; n]).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    addr
}

async fn link(target: SocketAddr, delay: Duration, bandwidth: Option<u64>) -> Link {
    Link::start(target, LinkConfig { delay, bandwidth })
        .await
        .expect("link")
}

async fn read_exact_len(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    stream.read_exact(&mut buf).await.expect("read");
    buf
}

#[tokio::test]
async fn the_delay_is_paid_once_per_direction_not_per_read() {
    let link = link(echo_server().await, 50 * MS, None).await;
    let mut s = TcpStream::connect(link.addr()).await.expect("connect");
    s.set_nodelay(true).expect("nodelay");
    // 20 writes 5 ms apart: a sleep per read would take 20 x 50 ms each way.
    let rounds = async |s: &mut TcpStream| {
        let t = Instant::now();
        for i in 0..20u8 {
            s.write_all(&[i]).await.expect("write");
            tokio::time::sleep(5 * MS).await;
        }
        assert_eq!(read_exact_len(s, 20).await, (0..20).collect::<Vec<u8>>());
        t.elapsed()
    };
    // The first round also pays the handshake's round trip.
    let first = rounds(&mut s).await;
    assert!(first >= 200 * MS, "{first:?}");
    assert!(first < 700 * MS, "{first:?}");
    let second = rounds(&mut s).await;
    assert!(second >= 100 * MS, "{second:?}");
    assert!(second < 500 * MS, "{second:?}");
    // One byte: the round trip alone.
    let t = Instant::now();
    s.write_all(b"x").await.expect("write");
    assert_eq!(read_exact_len(&mut s, 1).await, b"x");
    assert!(t.elapsed() >= 100 * MS, "{:?}", t.elapsed());
    assert_eq!(link.bytes(), (41, 41));
}

#[tokio::test]
async fn the_bandwidth_limit_holds_for_all_connections_together() {
    // 2 connections x 128 KiB at 1 MB/s: about 0.26 s together, not 0.13 s each.
    let link = link(
        sending_server(128 * 1024).await,
        Duration::ZERO,
        Some(1_000_000),
    )
    .await;
    let t = Instant::now();
    let fetch = async || {
        let mut s = TcpStream::connect(link.addr()).await.expect("connect");
        let mut all = Vec::new();
        s.read_to_end(&mut all).await.expect("read");
        all.len()
    };
    let (a, b) = tokio::join!(fetch(), fetch());
    let took = t.elapsed();
    assert_eq!((a, b), (128 * 1024, 128 * 1024));
    assert!(took >= 200 * MS, "{took:?}");
    assert!(took < 1500 * MS, "{took:?}");
    assert_eq!(link.bytes(), (0, 256 * 1024));
}

#[tokio::test]
async fn order_and_content_are_kept_through_delay_and_limit() {
    let link = link(echo_server().await, 5 * MS, Some(8_000_000)).await;
    let s = TcpStream::connect(link.addr()).await.expect("connect");
    let (mut rd, mut wr) = s.into_split();
    let data: Vec<u8> = (0..1_000_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
    let sent = data.clone();
    let writer = tokio::spawn(async move {
        // Uneven writes, so chunks are cut everywhere.
        let mut at = 0;
        for size in [1, 7, 100, 4096, 65_536, 3].iter().cycle() {
            let end = (at + size).min(sent.len());
            wr.write_all(&sent[at..end]).await.expect("write");
            at = end;
            if at == sent.len() {
                break;
            }
        }
        wr.shutdown().await.expect("shutdown");
    });
    let mut back = Vec::new();
    rd.read_to_end(&mut back).await.expect("read");
    writer.await.expect("writer");
    assert!(back == data, "the echo differs from what was sent");
    assert_eq!(link.bytes(), (1_000_000, 1_000_000));
}

#[tokio::test]
async fn an_end_crosses_the_link_after_the_delay_both_ways() {
    let link = link(echo_server().await, 40 * MS, None).await;
    let mut s = TcpStream::connect(link.addr()).await.expect("connect");
    s.write_all(b"last words").await.expect("write");
    s.shutdown().await.expect("shutdown");
    let t = Instant::now();
    // The echo ends its side once it sees ours end: the words, then the end, come back.
    let mut back = Vec::new();
    s.read_to_end(&mut back).await.expect("read");
    assert_eq!(back, b"last words");
    assert!(t.elapsed() >= 80 * MS, "{:?}", t.elapsed());

    // The server closing first reaches the client too.
    let link = self::link(sending_server(3).await, 40 * MS, None).await;
    let mut s = TcpStream::connect(link.addr()).await.expect("connect");
    let mut all = Vec::new();
    s.read_to_end(&mut all).await.expect("read");
    assert_eq!(all, [7, 7, 7]);
}

#[test]
fn the_bucket_lends_and_its_debt_queues_every_taker() {
    let start = Instant::now();
    let mut b = Bucket::new(1000, 100);
    b.at = start;
    b.tokens = 100.0;
    // Within the burst: leaves now.
    assert_eq!(b.take(100, start), start);
    // 500 more bytes at 1000 B/s: half a second of debt.
    assert_eq!(b.take(500, start), start + 500 * MS);
    // Another taker queues behind that debt.
    assert_eq!(b.take(100, start), start + 600 * MS);
    // A second later the debt is paid and the burst is back, no more.
    let later = start + Duration::from_secs(2);
    assert_eq!(b.take(100, later), later);
    assert_eq!(b.take(1, later), later + MS);
}
