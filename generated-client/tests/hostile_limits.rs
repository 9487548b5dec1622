//! The client's safe defaults against a hostile or broken server, one fault class per test:
//! how much and how long the client reads. The response size limit (a declared gigabyte, a
//! body that never ends, a slow chunked one, the exact limit), the timeouts (a silent server,
//! a dribbled body, a connection never accepted, the documented defaults) and a stalled
//! discovery shared by concurrent calls. Over real HTTP from the purpose-built loopback server
//! of `common/raw_server/`, which can declare a gigabyte, send forever, dribble and stay
//! silent; where requests may go (redirects, poisoned entries, plain `http://`) is in
//! `hostile_server.rs`.
//!
//! The body tests run on a current-thread runtime: the server and the client then take turns
//! on one thread, so the bytes the server hands to the kernel track what the client read.

#![cfg(all(
    feature = "mock",
    feature = "cloud-sync",
    feature = "synology-drive",
    feature = "synology-drive-share-sync"
))]

mod common;
#[path = "common/raw_server/mod.rs"]
mod raw_server;

use std::time::{Duration, Instant};

use common::hostile::{CONN, PASSWORD, list};
use futures_util::future::join_all;
use raw_server::{End, RawServer, Reply, Request, dsm, padded_empty_list};
use synology_client::{Client, Error, Settings};

/// A client for `server` with `limit` as its response size limit.
fn client_with_limit(server: &RawServer, limit: u64) -> Client {
    Client::builder(&server.url)
        .max_response_size(limit)
        .build()
        .expect("client builds")
}

// ---------------------------------------------------------------------------------------
// 4-6. Response size limit.
// ---------------------------------------------------------------------------------------

const LIMIT: u64 = 1 << 20;
/// What the server may write past the limit before the client closes: the chunks in flight
/// while the client reads the one that crosses the limit and drops the connection.
const SLACK: u64 = 64 * 1024;

/// A server answering `List` with `reply`, DSM otherwise.
async fn list_answered_by(reply: Reply) -> RawServer {
    RawServer::start(move |req: &Request| match (req.api(), req.method()) {
        (CONN, "List") => reply.clone(),
        _ => dsm(req),
    })
    .await
}

#[tokio::test]
async fn a_declared_length_over_the_limit_fails_before_the_body() {
    let server = list_answered_by(Reply::Declared {
        declared: 1 << 30,
        chunk: 8 * 1024,
        pause: Duration::from_millis(10),
    })
    .await;
    let client = client_with_limit(&server, LIMIT);
    assert!(
        client.has_api(CONN).await.unwrap(),
        "discovery first, untimed"
    );

    let started = Instant::now();
    let err = list(&client).await.unwrap_err();
    let took = started.elapsed();
    match err {
        Error::ResponseTooLarge {
            api,
            method,
            limit,
            declared,
        } => {
            assert_eq!((&*api, &*method, limit), (CONN, "List", LIMIT));
            assert_eq!(declared, Some(1 << 30));
        }
        other => panic!("expected Error::ResponseTooLarge, got {other:?}"),
    }
    // Reading the gigabyte at 8 KiB per 10 ms would take a day.
    assert!(took < Duration::from_millis(500), "took {took:?}");
    // The client hung up: the server's next writes failed, long before any bound.
    assert!(
        server.settled(Duration::from_secs(3)).await,
        "client still connected"
    );
    let served = server.served_for(CONN, "List");
    assert_eq!(served.len(), 1);
    assert_eq!(served[0].end(), End::PeerClosed);
    eprintln!(
        "call took {took:?}; server wrote {} body bytes, ended after {:?}",
        served[0].body_bytes(),
        served[0].ended_after()
    );
    assert!(
        served[0].body_bytes() <= 32 * 1024,
        "the server wrote {} body bytes",
        served[0].body_bytes()
    );
}

/// Checks a body that passes the limit: `ResponseTooLarge` with no declared length, and the
/// server wrote at least the limit but not much past it before the client hung up.
async fn assert_cut_right_after_the_limit(
    server: &RawServer,
    result: Result<impl std::fmt::Debug, Error>,
) {
    match result {
        Err(Error::ResponseTooLarge {
            api,
            method,
            limit,
            declared,
        }) => {
            assert_eq!(
                (&*api, &*method, limit, declared),
                (CONN, "List", LIMIT, None)
            );
        }
        other => panic!("expected Error::ResponseTooLarge, got {other:?}"),
    }
    assert!(
        server.settled(Duration::from_secs(3)).await,
        "client still connected"
    );
    let served = server.served_for(CONN, "List");
    assert_eq!(served.len(), 1);
    assert_eq!(
        served[0].end(),
        End::PeerClosed,
        "the client closed the connection"
    );
    let written = served[0].body_bytes();
    eprintln!(
        "server wrote {written} body bytes (+{} of headers) for a limit of {LIMIT}; ended after {:?}",
        served[0].header_bytes(),
        served[0].ended_after()
    );
    assert!(
        written > LIMIT,
        "the limit must have been passed: {written}"
    );
    assert!(
        written <= LIMIT + SLACK,
        "the server wrote {written} body bytes (+{} of headers) for a limit of {LIMIT}: \
         the client read {} past it",
        served[0].header_bytes(),
        written - LIMIT
    );
}

#[tokio::test]
async fn an_endless_body_is_cut_right_after_the_limit() {
    let server = list_answered_by(Reply::Endless {
        chunk: 8 * 1024,
        pause: Duration::from_millis(1),
    })
    .await;
    let client = client_with_limit(&server, LIMIT);
    let started = Instant::now();
    let result = list(&client).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_cut_right_after_the_limit(&server, result).await;
}

#[tokio::test]
async fn a_slow_chunked_body_is_cut_right_after_the_limit() {
    let server = list_answered_by(Reply::Slow {
        total: 4 << 20,
        chunk: 16 * 1024,
        pause: Duration::from_millis(2),
    })
    .await;
    let client = client_with_limit(&server, LIMIT);
    let result = list(&client).await;
    assert_cut_right_after_the_limit(&server, result).await;
}

#[tokio::test]
async fn the_limit_is_exact_for_declared_and_undeclared_lengths() {
    // Above the discovery answer (about 1 kB), which the limit applies to as well.
    const SMALL: usize = 4000;
    // The same valid JSON body at exactly the limit and one byte over, with a Content-Length
    // and close-delimited: only the one over fails, declared or not.
    let server = RawServer::start(|req: &Request| match (req.api(), req.method()) {
        (CONN, "List") => match req.nth {
            1 => Reply::json(padded_empty_list(SMALL)),
            2 => Reply::json(padded_empty_list(SMALL + 1)),
            3 => Reply::CloseDelimited(padded_empty_list(SMALL).into_bytes()),
            _ => Reply::CloseDelimited(padded_empty_list(SMALL + 1).into_bytes()),
        },
        _ => dsm(req),
    })
    .await;
    let client = client_with_limit(&server, SMALL as u64);
    assert_eq!(client.settings().max_response_size, SMALL as u64);

    let ok = list(&client).await.expect("exactly the limit, declared");
    assert_eq!(ok.total, 0);
    match list(&client).await.unwrap_err() {
        Error::ResponseTooLarge {
            limit, declared, ..
        } => assert_eq!((limit, declared), (SMALL as u64, Some(SMALL as u64 + 1))),
        other => panic!("expected Error::ResponseTooLarge, got {other:?}"),
    }
    let ok = list(&client)
        .await
        .expect("exactly the limit, close-delimited");
    assert_eq!(ok.total, 0);
    match list(&client).await.unwrap_err() {
        Error::ResponseTooLarge {
            limit, declared, ..
        } => assert_eq!((limit, declared), (SMALL as u64, None)),
        other => panic!("expected Error::ResponseTooLarge, got {other:?}"),
    }
    assert_eq!(server.count(CONN, "List"), 4);

    // The default limit is untouched by all this and lets a 3 MiB answer through (three
    // times the limit the other tests use), declared or not.
    let big = 3 << 20;
    let server = RawServer::start(move |req: &Request| match (req.api(), req.method()) {
        (CONN, "List") if req.nth == 1 => Reply::json(padded_empty_list(big)),
        (CONN, "List") => Reply::CloseDelimited(padded_empty_list(big).into_bytes()),
        _ => dsm(req),
    })
    .await;
    let client = Client::builder(&server.url).build().unwrap();
    assert_eq!(
        client.settings().max_response_size,
        Settings::DEFAULT_MAX_RESPONSE_SIZE
    );
    list(&client)
        .await
        .expect("3 MiB under the default limit, declared");
    list(&client)
        .await
        .expect("3 MiB under the default limit, close-delimited");
}

// ---------------------------------------------------------------------------------------
// 7-8. Timeouts, and discovery shared while it hangs.
// ---------------------------------------------------------------------------------------

const SHORT: Duration = Duration::from_millis(300);
const HOLD: Duration = Duration::from_secs(8);

fn assert_timeout(result: Result<impl std::fmt::Debug, Error>, api: &str, method: &str) {
    match result {
        Err(Error::Timeout { api: a, method: m }) => assert_eq!((&*a, &*m), (api, method)),
        other => panic!("expected Error::Timeout from {api} {method}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_silent_server_times_out_by_the_builder_or_per_call() {
    let server = list_answered_by(Reply::Silence { hold: HOLD }).await;

    let client = Client::builder(&server.url).timeout(SHORT).build().unwrap();
    assert_eq!(client.settings().timeout, SHORT);
    client.login("admin", PASSWORD).await.expect("login");
    let started = Instant::now();
    let result = list(&client).await;
    let took = started.elapsed();
    assert_timeout(result, CONN, "List");
    assert!(
        took >= SHORT - Duration::from_millis(20) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert_eq!(
        server.count(CONN, "List"),
        1,
        "a timed-out call is not retried"
    );

    // The same through a per-call view of a client whose own timeout is long.
    let patient = Client::builder(&server.url)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    patient.login("admin", PASSWORD).await.expect("login");
    let started = Instant::now();
    let result = patient
        .with_timeout(SHORT)
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await;
    let took = started.elapsed();
    assert_timeout(result, CONN, "List");
    assert!(
        took >= SHORT - Duration::from_millis(20) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert_eq!(
        patient.settings().timeout,
        Duration::from_secs(60),
        "the view changes no setting"
    );
    assert_eq!(server.count(CONN, "List"), 2);
    // The client gave up and closed each silent connection.
    assert!(server.settled(Duration::from_secs(2)).await);
    for served in server.served_for(CONN, "List") {
        assert_eq!(served.end(), End::PeerClosed);
    }
}

#[tokio::test]
async fn a_body_dribbled_past_the_timeout_times_out() {
    // Well under the size limit, but 1 MiB at 4 KiB per 10 ms takes over 2.5 s.
    let server = list_answered_by(Reply::Slow {
        total: 1 << 20,
        chunk: 4 * 1024,
        pause: Duration::from_millis(10),
    })
    .await;
    let client = Client::builder(&server.url).timeout(SHORT).build().unwrap();
    assert!(client.has_api(CONN).await.unwrap());
    let started = Instant::now();
    let result = list(&client).await;
    let took = started.elapsed();
    // The timeout covers the body, not only the wait for the headers.
    assert_timeout(result, CONN, "List");
    assert!(
        took >= SHORT - Duration::from_millis(20) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert!(server.settled(Duration::from_secs(2)).await);
    let served = server.served_for(CONN, "List");
    assert_eq!(served[0].end(), End::PeerClosed);
    assert!(
        served[0].body_bytes() < 512 * 1024,
        "{}",
        served[0].body_bytes()
    );
}

#[tokio::test]
async fn a_connection_never_accepted_times_out_by_the_connect_timeout() {
    // A listener whose accept queue is full: the kernel drops further SYNs, so a connect
    // hangs (SYN retried after 1 s, 3 s, ...) instead of being refused.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    let hangs = loop {
        let connect = tokio::net::TcpStream::connect(addr);
        match tokio::time::timeout(Duration::from_millis(100), connect).await {
            Ok(Ok(stream)) if queued.len() < 16 => queued.push(stream),
            Ok(_) => break false,
            Err(_) => break true,
        }
    };
    assert!(
        hangs,
        "precondition: a connect to a full accept queue hangs"
    );

    let client = Client::builder(&format!("http://{addr}"))
        .timeout(Duration::from_secs(60))
        .connect_timeout(SHORT)
        .build()
        .unwrap();
    assert_eq!(client.settings().connect_timeout, SHORT);
    let started = Instant::now();
    let result = list(&client).await;
    let took = started.elapsed();
    assert_timeout(result, "SYNO.API.Info", "query");
    assert!(
        took >= SHORT - Duration::from_millis(20) && took < Duration::from_secs(2),
        "{took:?}"
    );
    drop((queued, listener));
}

#[test]
fn the_defaults_are_the_documented_ones() {
    assert_eq!(Settings::DEFAULT_TIMEOUT, Duration::from_secs(120));
    assert_eq!(Settings::DEFAULT_CONNECT_TIMEOUT, Duration::from_secs(15));
    assert_eq!(Settings::DEFAULT_MAX_RESPONSE_SIZE, 32 * 1024 * 1024);
    assert_eq!(Settings::DEFAULT_RELOGIN_BACKOFF, Duration::from_secs(1));
    assert_eq!(
        Settings::DEFAULT_RELOGIN_BACKOFF_MAX,
        Duration::from_secs(300)
    );
    let d = Settings::default();
    assert_eq!(d.timeout, Duration::from_secs(120));
    assert_eq!(d.connect_timeout, Duration::from_secs(15));
    assert_eq!(d.max_response_size, 32 * 1024 * 1024);
    assert_eq!(d.relogin_backoff, Duration::from_secs(1));
    assert_eq!(d.relogin_backoff_max, Duration::from_secs(300));
    assert!(!d.allow_insecure_http);
    let client = Client::builder("https://nas.example.com:5001")
        .build()
        .unwrap();
    assert_eq!(client.settings(), &Settings::default());
    let client = Client::builder("http://127.0.0.1:5000").build().unwrap();
    assert_eq!(client.settings(), &Settings::default());
    // A view with its own timeout shares the settings.
    assert_eq!(client.with_timeout(SHORT).settings(), &Settings::default());
}

#[tokio::test]
async fn a_stalled_discovery_is_shared_by_concurrent_calls_and_retried_after() {
    // The first API.Info never answers; the next one does.
    let server = RawServer::start(|req: &Request| match (req.api(), req.method()) {
        ("SYNO.API.Info", "query") if req.nth == 1 => Reply::Silence { hold: HOLD },
        _ => dsm(req),
    })
    .await;
    let client = Client::builder(&server.url).timeout(SHORT).build().unwrap();

    let started = Instant::now();
    let results = join_all((0..16).map(|_| {
        let client = client.clone();
        async move { list(&client).await }
    }))
    .await;
    let took = started.elapsed();
    assert_eq!(results.len(), 16);
    for result in results {
        assert_timeout(result, "SYNO.API.Info", "query");
    }
    assert_eq!(
        server.count("SYNO.API.Info", "query"),
        1,
        "one discovery for all 16"
    );
    assert_eq!(server.count(CONN, "List"), 0);
    assert!(
        took >= SHORT - Duration::from_millis(20) && took < Duration::from_secs(2),
        "{took:?}"
    );

    // After the failure, the next round starts exactly one new discovery, and it works.
    let results = join_all((0..16).map(|_| {
        let client = client.clone();
        async move { list(&client).await }
    }))
    .await;
    for result in results {
        assert_eq!(result.expect("second round").total, 1);
    }
    assert_eq!(server.count("SYNO.API.Info", "query"), 2);
    assert_eq!(server.count(CONN, "List"), 16);
    // And it is cached from then on.
    assert!(client.has_api(CONN).await.unwrap());
    assert_eq!(server.count("SYNO.API.Info", "query"), 2);
}

// ---------------------------------------------------------------------------------------
// Found while writing these tests, fixed in the runtime.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_per_call_timeout_bounds_the_wait_for_a_shared_discovery() {
    let server = RawServer::start(|req: &Request| match (req.api(), req.method()) {
        ("SYNO.API.Info", "query") => Reply::Silence {
            hold: Duration::from_secs(3),
        },
        _ => dsm(req),
    })
    .await;
    // The client's own timeout is the default 120 s; a first call starts discovery with it.
    let client = Client::builder(&server.url).build().unwrap();
    let first = tokio::spawn({
        let client = client.clone();
        async move { list(&client).await.map(|l| l.total) }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    let result = list(&client.with_timeout(SHORT)).await;
    let took = started.elapsed();
    // Before the fix: a Transport error after about 3 s, when the server gave up.
    assert_timeout(result, "SYNO.API.Info", "query");
    assert!(took < Duration::from_secs(2), "{took:?}");
    first.abort();
    assert_eq!(server.count("SYNO.API.Info", "query"), 1);
}
