//! HTTPS for the mock: a listener whose TLS handshakes run in their own tasks, so a client
//! that stalls or rejects the certificate never blocks the others. Handshakes are bounded in
//! time ([`MockConfig::tls_handshake_timeout`](super::MockConfig::tls_handshake_timeout)) and
//! in number, and accept errors (such as running out of file descriptors) back off instead of
//! spinning.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{ServerConfig, crypto};
use tokio_rustls::server::TlsStream;

/// The first pause after an accept error; it doubles with each error in a row.
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(50);
/// The longest pause after accept errors.
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// A TLS server configuration from PEM text, with an explicit crypto provider.
pub(crate) fn acceptor(cert_pem: &str, key_pem: &str) -> io::Result<TlsAcceptor> {
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        io::Error::new(io::ErrorKind::InvalidInput, format!("{what}: {e}"))
    };
    let certs = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad("bad certificate PEM", &e))?;
    let key =
        PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| bad("bad key PEM", &e))?;
    let config =
        ServerConfig::builder_with_provider(Arc::new(crypto::aws_lc_rs::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| bad("TLS versions", &e))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| bad("TLS certificate", &e))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// How long and how many TLS handshakes may run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HandshakeLimits {
    /// A handshake not finished by then is dropped, closing its connection.
    pub(crate) timeout: Duration,
    /// Connections between accept and hand-over to the server; at the limit, new ones wait
    /// in the kernel's backlog.
    pub(crate) max_in_flight: usize,
}

/// A finished handshake, ready for the HTTP server.
type Ready = (TlsStream<TcpStream>, SocketAddr);

/// Accepts TCP connections, hands each to a handshake task, and yields the finished ones.
pub(crate) struct TlsListener {
    local: SocketAddr,
    ready: mpsc::Receiver<Ready>,
    acceptor_task: JoinHandle<()>,
}

impl TlsListener {
    pub(crate) fn new(
        tcp: TcpListener,
        acceptor: TlsAcceptor,
        limits: HandshakeLimits,
    ) -> io::Result<Self> {
        let local = tcp.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        let acceptor_task = tokio::spawn(accept_loop(tcp, acceptor, limits, tx));
        Ok(TlsListener {
            local,
            ready,
            acceptor_task,
        })
    }
}

/// Accepts connections while a handshake slot is free, backing off after accept errors.
async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    limits: HandshakeLimits,
    ready: mpsc::Sender<Ready>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_in_flight.max(1)));
    let mut backoff = ACCEPT_BACKOFF_MIN;
    loop {
        // Take the slot first: at the limit, connections wait in the backlog, not in memory.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        match tcp.accept().await {
            Ok((stream, peer)) => {
                backoff = ACCEPT_BACKOFF_MIN;
                let task = handshake(acceptor.clone(), stream, peer, limits.timeout);
                tokio::spawn(hand_over(task, ready.clone(), slot));
            }
            // The peer gave up before the accept: nothing is wrong with the listener.
            Err(e) if is_connection_error(&e) => {}
            Err(e) => {
                tracing::debug!("mock DSM: accept failed, retrying in {backoff:?}: {e}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
            }
        }
    }
}

/// Errors that concern one connection, not the listener (the same as axum's).
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// The TLS handshake of one connection, given up after `timeout` (which closes it).
async fn handshake(
    acceptor: TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
    timeout: Duration,
) -> Option<Ready> {
    match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => Some((tls, peer)),
        Ok(Err(e)) => {
            tracing::debug!("mock DSM: TLS handshake with {peer} failed: {e}");
            None
        }
        Err(_) => {
            tracing::debug!("mock DSM: TLS handshake with {peer} timed out after {timeout:?}");
            None
        }
    }
}

/// Runs a handshake and passes the connection on, holding its slot until then.
async fn hand_over(
    handshake: impl Future<Output = Option<Ready>>,
    ready: mpsc::Sender<Ready>,
    slot: OwnedSemaphorePermit,
) {
    if let Some(conn) = handshake.await {
        // Fails only when the server has stopped; the connection is then dropped.
        let _ = ready.send(conn).await;
    }
    drop(slot);
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor_task.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if let Some(conn) = self.ready.recv().await {
                return conn;
            }
            // The acceptor task is gone (it never ends on its own): wait for shutdown.
            std::future::pending::<()>().await;
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use crate::Client;
    use crate::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_the_handshake_limit_a_new_connection_waits_for_a_free_slot() {
        let names = vec!["127.0.0.1".to_owned()];
        let pki = rcgen::generate_simple_self_signed(names).expect("a certificate");
        let (cert, key) = (pki.cert.pem(), pki.signing_key.serialize_pem());
        let timeout = Duration::from_millis(400);
        let mut config = MockConfig::dsm7()
            .tls(&cert, &key)
            .tls_handshake_timeout(timeout);
        config.tls_max_handshakes = 2;
        let dsm = MockDsm::start_with(config).await.expect("the mock starts");
        let addr = dsm.url().trim_start_matches("https://").to_owned();
        // Two silent connections take both slots until their handshakes time out.
        let mut silent = Vec::new();
        for _ in 0..2 {
            silent.push(
                tokio::net::TcpStream::connect(&addr)
                    .await
                    .expect("connects"),
            );
        }
        let start = Instant::now();
        // Let the mock accept both before the client connects: under load, the client's
        // connection could otherwise be accepted first and take a free slot.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let client = Client::builder(dsm.url())
            .danger_accept_invalid_certificates(true)
            .build()
            .expect("a client");
        client
            .login(DEMO_USER, DEMO_PASSWORD)
            .await
            .expect("served once a slot is free");
        let waited = start.elapsed();
        assert!(waited >= timeout - Duration::from_millis(150), "{waited:?}");
    }
}
