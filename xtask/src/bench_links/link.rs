//! The link simulator of `cargo xtask bench-links`: a loopback TCP proxy that makes
//! 127.0.0.1 behave like a slow link. Each direction of each connection is a queue: a reader
//! task stamps every chunk with the time it may arrive on the far side and a writer task
//! sleeps until then (`sleep_until`, so a delay is paid once per direction, not once per
//! read). A new connection pays one round trip before its first byte, like TCP's handshake.
//! An optional bandwidth is a token bucket per direction, shared by every connection, as
//! on a real link. The bytes forwarded each way are counted: the bytes on the wire.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The largest chunk read at once, and the bucket's burst: 16 KiB.
const CHUNK: usize = 16 * 1024;
/// Chunks queued per direction and connection before the reader waits (backpressure).
const QUEUE: usize = 256;

/// What the link does to the bytes crossing it.
#[derive(Debug, Clone, Copy)]
pub struct LinkConfig {
    /// The one-way delay, in each direction.
    pub delay: Duration,
    /// Bytes per second in each direction, shared by every connection; `None`: unlimited.
    pub bandwidth: Option<u64>,
}

/// A running link simulator: connect to [`Link::addr`] to reach the target through it.
/// Dropping it stops accepting; connections already open run until either side closes.
pub struct Link {
    addr: SocketAddr,
    up: Arc<Direction>,
    down: Arc<Direction>,
    accept: JoinHandle<()>,
}

/// One direction of the link: its byte count and, with a bandwidth, its bucket.
struct Direction {
    bytes: AtomicU64,
    bucket: Option<Mutex<Bucket>>,
}

impl Direction {
    fn new(bandwidth: Option<u64>) -> Arc<Self> {
        Arc::new(Self {
            bytes: AtomicU64::new(0),
            bucket: bandwidth.map(|rate| Mutex::new(Bucket::new(rate, CHUNK as u64))),
        })
    }

    /// When `n` bytes that reach the link now have left it: now without a bandwidth limit.
    fn departure(&self, n: usize) -> Instant {
        let now = Instant::now();
        match &self.bucket {
            Some(b) => b
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(n, now),
            None => now,
        }
    }
}

/// A token bucket that lends: taking more tokens than it holds puts it in debt, and the
/// bytes leave when the debt is paid. Every taker queues behind earlier debt, so the rate
/// holds for the direction as a whole.
#[derive(Debug)]
struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn new(rate: u64, burst: u64) -> Self {
        Self {
            rate: rate.max(1) as f64,
            burst: burst as f64,
            tokens: burst as f64,
            at: Instant::now(),
        }
    }

    /// Takes `n` tokens at `now`; returns when the last of those bytes leaves.
    fn take(&mut self, n: usize, now: Instant) -> Instant {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.at = self.at.max(now);
        self.tokens -= n as f64;
        if self.tokens >= 0.0 {
            now
        } else {
            now + Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }
}

/// A chunk on its way, and when it may be written on the far side; `None` is the end.
struct Chunk {
    due: Instant,
    data: Option<Vec<u8>>,
}

impl Link {
    /// Listens on an ephemeral loopback port and forwards every connection to `target`.
    pub async fn start(target: SocketAddr, config: LinkConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let up = Direction::new(config.bandwidth);
        let down = Direction::new(config.bandwidth);
        let (u, d) = (up.clone(), down.clone());
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (u, d) = (u.clone(), d.clone());
                tokio::spawn(async move {
                    let accepted = Instant::now();
                    let Ok(server) = TcpStream::connect(target).await else {
                        return;
                    };
                    let _ = (client.set_nodelay(true), server.set_nodelay(true));
                    let (client_rd, client_wr) = client.into_split();
                    let (server_rd, server_wr) = server.into_split();
                    // The client's first byte leaves after the handshake's round trip.
                    let opened = accepted + config.delay * 2;
                    forward(client_rd, server_wr, u, config.delay, opened);
                    forward(server_rd, client_wr, d, config.delay, accepted);
                });
            }
        });
        Ok(Self {
            addr,
            up,
            down,
            accept,
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Bytes forwarded so far, client to server and server to client, every connection.
    pub fn bytes(&self) -> (u64, u64) {
        (
            self.up.bytes.load(Ordering::Relaxed),
            self.down.bytes.load(Ordering::Relaxed),
        )
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// One direction of one connection: a reader that stamps chunks, a writer that delivers them.
fn forward(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    dir: Arc<Direction>,
    delay: Duration,
    opened: Instant,
) {
    let (tx, mut rx) = mpsc::channel::<Chunk>(QUEUE);
    let counter = dir.clone();
    tokio::spawn(async move {
        let mut buf = vec![0u8; CHUNK];
        let mut last = opened;
        loop {
            let n = from.read(&mut buf).await.unwrap_or(0);
            // Never earlier than what is queued before it: order is kept, ends come last.
            let (due, data) = if n == 0 {
                (Instant::now() + delay, None)
            } else {
                (
                    dir.departure(n).max(opened) + delay,
                    Some(buf[..n].to_vec()),
                )
            };
            last = last.max(due);
            let end = data.is_none();
            if tx.send(Chunk { due: last, data }).await.is_err() || end {
                return;
            }
        }
    });
    tokio::spawn(async move {
        while let Some(chunk) = rx.recv().await {
            tokio::time::sleep_until(chunk.due).await;
            let Some(data) = chunk.data else {
                let _ = to.shutdown().await;
                return;
            };
            if to.write_all(&data).await.is_err() {
                return;
            }
            counter
                .bytes
                .fetch_add(data.len() as u64, Ordering::Relaxed);
        }
    });
}

#[cfg(test)]
mod tests;
