//! The mock's HTTP server: the router over hyper, one task per connection, with a timer, so
//! that a connection that sends nothing (idle between requests, or dribbling a request head)
//! is closed after [`MockConfig::idle_timeout`](super::MockConfig::idle_timeout). Used for
//! plain HTTP and over the TLS listener alike; `axum::serve` sets no timer, so its
//! connections could stay open for ever.

use std::time::Duration;

use axum::Router;
use axum::serve::Listener;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::sync::{oneshot, watch};

/// Serves `app` on every connection `listener` accepts until `stop` fires (or its sender is
/// dropped); then stops accepting and closes each connection once its request in flight, if
/// any, is answered. Accept errors are the listener's to retry (axum's `TcpListener` backs
/// off; [`TlsListener`](super::tls::TlsListener) does too).
pub(super) async fn run<L: Listener>(
    mut listener: L,
    app: Router,
    stop: oneshot::Receiver<()>,
    idle: Duration,
) {
    let (closing, closed) = watch::channel(());
    let mut stop = std::pin::pin!(stop);
    loop {
        let io = tokio::select! {
            (io, _) = listener.accept() => io,
            _ = &mut stop => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let mut closed = closed.clone();
        tokio::spawn(async move {
            // HTTP/1 only: the auto builder would otherwise wait, with no timer, for the
            // first bytes to tell HTTP/1 from HTTP/2, and a silent connection would stay.
            let mut builder = Builder::new(TokioExecutor::new()).http1_only();
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(idle);
            let conn = builder.serve_connection(TokioIo::new(io), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                // The sender goes away when the server stops.
                _ = closed.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(closing);
}
