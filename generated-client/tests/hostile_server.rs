//! The client's safe defaults against a hostile or broken server, one fault class per test,
//! over real HTTP from a purpose-built loopback server (`common/raw_server.rs`) that can do
//! what DSM, a proxy or an attacker might: redirect anywhere, declare a gigabyte, send
//! forever, dribble, stay silent, publish poisoned `SYNO.API.Info` entries.
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
#[path = "common/raw_server.rs"]
mod raw_server;

use std::time::{Duration, Instant};

use common::Capture;
use futures_util::future::join_all;
use raw_server::{End, RawServer, Reply, Request, dsm, padded_empty_list};
use synology_client::{Client, Error, Settings};

const CONN: &str = "SYNO.CloudSync.Connection";
const PASSWORD: &str = "hunter2-do-not-leak";

async fn list(client: &Client) -> Result<synology_client::cloud_sync::ConnectionList, Error> {
    client.cloud_sync().connection().list().send().await
}

/// A client for `server` with `limit` as its response size limit.
fn client_with_limit(server: &RawServer, limit: u64) -> Client {
    Client::builder(&server.url)
        .max_response_size(limit)
        .build()
        .expect("client builds")
}

// ---------------------------------------------------------------------------------------
// 1-3. Redirects are never followed.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_redirect_on_an_api_call_is_an_error_naming_only_the_target_origin() {
    let elsewhere = RawServer::dsm().await;
    let location = format!(
        "{}/webapi/entry.cgi?api={CONN}&version=1&method=List&_sid=STOLEN-SID-42",
        elsewhere.url
    );
    let server = RawServer::start(move |req: &Request| match (req.api(), req.method()) {
        (CONN, "List") => Reply::Redirect {
            status: 302,
            location: Some(location.clone()),
        },
        _ => dsm(req),
    })
    .await;
    let client = Client::builder(&server.url).build().unwrap();
    client.login("admin", PASSWORD).await.expect("login");

    let err = list(&client).await.unwrap_err();
    match &err {
        Error::Redirect {
            api,
            method,
            status,
            to,
            https_upgrade,
        } => {
            assert_eq!((&**api, &**method, *status), (CONN, "List", 302));
            assert_eq!(to.as_deref(), Some(elsewhere.url.as_str()));
            assert!(!https_upgrade);
        }
        other => panic!("expected Error::Redirect, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(
        shown.contains("302") && shown.contains(&elsewhere.url),
        "{shown}"
    );
    for leaked in [
        "/webapi",
        "entry.cgi",
        "_sid",
        "STOLEN-SID-42",
        "?",
        "method=List",
    ] {
        assert!(!shown.contains(leaked), "{leaked:?} in {shown}");
        assert!(
            !format!("{err:?}").contains(leaked),
            "{leaked:?} in {err:?}"
        );
    }
    // The call went out once, carrying the session, and was not retried anywhere.
    assert_eq!(server.count(CONN, "List"), 1);
    let sent = server.requests();
    let sent = sent.iter().find(|r| r.api() == CONN).unwrap();
    assert_eq!(sent.param("_sid"), Some("S"));
    assert_eq!(
        elsewhere.connections(),
        0,
        "nothing may reach the redirect target"
    );
    assert!(elsewhere.requests().is_empty());
}

#[tokio::test]
async fn a_redirect_on_login_sends_the_password_nowhere_else() {
    let elsewhere = RawServer::dsm().await;
    let location = format!("{}/webapi/entry.cgi", elsewhere.url);
    let server = RawServer::start(move |req: &Request| match (req.api(), req.method()) {
        ("SYNO.API.Auth", "login") => Reply::Redirect {
            status: 307,
            location: Some(location.clone()),
        },
        _ => dsm(req),
    })
    .await;
    let client = Client::builder(&server.url).build().unwrap();

    let err = client.login("admin", PASSWORD).await.unwrap_err();
    match &err {
        Error::Redirect {
            api,
            method,
            status,
            to,
            https_upgrade,
        } => {
            assert_eq!(
                (&**api, &**method, *status),
                ("SYNO.API.Auth", "login", 307)
            );
            assert_eq!(to.as_deref(), Some(elsewhere.url.as_str()));
            assert!(!https_upgrade);
        }
        other => panic!("expected Error::Redirect, got {other:?}"),
    }
    assert!(!err.to_string().contains(PASSWORD) && !format!("{err:?}").contains(PASSWORD));
    assert!(!client.is_logged_in());
    // A 307 asks to repeat the POST, form and all: it went out once, to the base URL only.
    let logins: Vec<Request> = server
        .requests()
        .into_iter()
        .filter(|r| r.api() == "SYNO.API.Auth")
        .collect();
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].verb, "POST");
    assert_eq!(logins[0].param("passwd"), Some(PASSWORD));
    assert_eq!(
        elsewhere.connections(),
        0,
        "no password may cross to the target"
    );
    assert!(elsewhere.requests().is_empty());
    // The client stays usable: the next login asks the same server again, and nothing else.
    let err = client.login("admin", PASSWORD).await.unwrap_err();
    assert!(
        matches!(err, Error::Redirect { status: 307, .. }),
        "{err:?}"
    );
    assert_eq!(server.count("SYNO.API.Auth", "login"), 2);
    assert_eq!(
        server.count("SYNO.API.Info", "query"),
        1,
        "discovery is cached"
    );
    assert_eq!(elsewhere.connections(), 0);
}

/// A server answering every request with `status` and `location`.
async fn redirecting(status: u16, location: Option<String>) -> RawServer {
    RawServer::start(move |_: &Request| Reply::Redirect {
        status,
        location: location.clone(),
    })
    .await
}

#[tokio::test]
async fn dsm_http_to_https_redirect_says_which_url_to_use() {
    // The HTTPS port exists (a listener that would count anything reaching it).
    let https_side = RawServer::dsm().await;
    let q = https_side.port();
    let server = redirecting(
        301,
        Some(format!(
            "https://127.0.0.1:{q}/webapi/query.cgi?api=SYNO.API.Info&version=1&method=query&query=all"
        )),
    )
    .await;
    let client = Client::builder(&server.url).build().unwrap();
    // The first request a client makes is discovery: that is what DSM redirects.
    let err = client.login("admin", PASSWORD).await.unwrap_err();
    match &err {
        Error::Redirect {
            api,
            method,
            status,
            to,
            https_upgrade,
        } => {
            assert_eq!(
                (&**api, &**method, *status),
                ("SYNO.API.Info", "query", 301)
            );
            assert_eq!(
                to.as_deref(),
                Some(format!("https://127.0.0.1:{q}").as_str())
            );
            assert!(https_upgrade, "same host over https is DSM's upgrade");
        }
        other => panic!("expected Error::Redirect, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(
        shown.contains(&format!("use https://127.0.0.1:{q} as the base URL")),
        "{shown}"
    );
    assert!(
        !shown.contains("query.cgi") && !shown.contains("query=all"),
        "{shown}"
    );
    assert_eq!(https_side.connections(), 0);
    assert_eq!(server.requests().len(), 1, "the login was never sent");

    // The same host by name.
    let by_name = redirecting(301, Some(format!("https://localhost:{q}/"))).await;
    let client = Client::builder(&format!("http://localhost:{}", by_name.port()))
        .build()
        .unwrap();
    match list(&client).await.unwrap_err() {
        Error::Redirect {
            to, https_upgrade, ..
        } => {
            assert_eq!(
                to.as_deref(),
                Some(format!("https://localhost:{q}").as_str())
            );
            assert!(https_upgrade);
        }
        other => panic!("expected Error::Redirect, got {other:?}"),
    }

    // Another host over https is no upgrade: no advice to go there.
    let other_host = redirecting(301, Some(format!("https://127.0.0.2:{q}/webapi/x.cgi"))).await;
    let err = list(&Client::builder(&other_host.url).build().unwrap())
        .await
        .unwrap_err();
    match &err {
        Error::Redirect {
            to, https_upgrade, ..
        } => {
            assert_eq!(
                to.as_deref(),
                Some(format!("https://127.0.0.2:{q}").as_str())
            );
            assert!(!https_upgrade);
        }
        other => panic!("expected Error::Redirect, got {other:?}"),
    }
    assert!(!err.to_string().contains("as the base URL"), "{err}");

    // A relative Location is resolved against the request (same origin, no upgrade); no
    // Location at all names no target.
    let relative = redirecting(308, Some("/webapi/other.cgi?_sid=X".into())).await;
    match list(&Client::builder(&relative.url).build().unwrap())
        .await
        .unwrap_err()
    {
        Error::Redirect {
            status,
            to,
            https_upgrade,
            ..
        } => {
            assert_eq!(status, 308);
            assert_eq!(to.as_deref(), Some(relative.url.as_str()));
            assert!(!https_upgrade);
        }
        other => panic!("expected Error::Redirect, got {other:?}"),
    }
    assert_eq!(
        relative.requests().len(),
        1,
        "the relative target was not followed"
    );
    let nowhere = redirecting(303, None).await;
    match list(&Client::builder(&nowhere.url).build().unwrap())
        .await
        .unwrap_err()
    {
        Error::Redirect {
            status,
            to,
            https_upgrade,
            ..
        } => assert_eq!((status, to, https_upgrade), (303, None, false)),
        other => panic!("expected Error::Redirect, got {other:?}"),
    }
    assert_eq!(https_side.connections(), 0);
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
// 9. Poisoned SYNO.API.Info entries.
// ---------------------------------------------------------------------------------------

/// Hostile entries, each for an API the client has a call for.
fn hostile_entries() -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::json;
    let at = |path: &str| json!({"path": path, "minVersion": 1, "maxVersion": 2});
    vec![
        ("SYNO.CloudSync", at("https://evil.example/entry.cgi")),
        ("SYNO.CloudSync.Connection.Log", at("../entry.cgi")),
        ("SYNO.SynologyDrive.Connection", at("/entry.cgi")),
        ("SYNO.SynologyDrive.Connections", at("entry.cgi?x=1")),
        ("SYNO.SynologyDrive.Profile", at("entry.cgi#x")),
        ("SYNO.SynologyDrive.Profiles", at("ent\u{7}ry.cgi")),
        (
            "SYNO.SynologyDrive.ShareSync",
            json!({"path": "entry.cgi", "minVersion": 3, "maxVersion": 1}),
        ),
        (
            "SYNO.SynologyDrive.UserProfile",
            json!({"path": "entry.cgi", "minVersion": -1, "maxVersion": 1}),
        ),
        (
            "SYNO.SynologyDriveShareSync.Connection",
            json!({"path": "entry.cgi", "minVersion": 1, "maxVersion": "abc"}),
        ),
    ]
}

/// One call to each hostile API, in the order of `hostile_entries`, as (api, error).
async fn call_each_hostile_api(client: &Client) -> Vec<(&'static str, Error)> {
    let drive = client.synology_drive();
    let results = vec![
        (
            "SYNO.CloudSync",
            client.cloud_sync().list_conn().send().await.err(),
        ),
        (
            "SYNO.CloudSync.Connection.Log",
            client
                .cloud_sync()
                .connection_log()
                .list(1)
                .send()
                .await
                .err(),
        ),
        (
            "SYNO.SynologyDrive.Connection",
            drive.connection().list().send().await.err(),
        ),
        (
            "SYNO.SynologyDrive.Connections",
            drive.connections().list().send().await.err(),
        ),
        (
            "SYNO.SynologyDrive.Profile",
            drive.profile().list().send().await.err(),
        ),
        (
            "SYNO.SynologyDrive.Profiles",
            drive.profiles().list().send().await.err(),
        ),
        (
            "SYNO.SynologyDrive.ShareSync",
            drive.share_sync().list_connections().send().await.err(),
        ),
        (
            "SYNO.SynologyDrive.UserProfile",
            drive.user_profile().get("john").send().await.err(),
        ),
        (
            "SYNO.SynologyDriveShareSync.Connection",
            client
                .synology_drive_share_sync()
                .connection()
                .list()
                .send()
                .await
                .err(),
        ),
    ];
    results
        .into_iter()
        .map(|(api, err)| {
            (
                api,
                err.unwrap_or_else(|| panic!("{api}: the call succeeded")),
            )
        })
        .collect()
}

#[tokio::test]
async fn hostile_api_info_entries_are_ignored_and_never_reached() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_writer({
            let capture = capture.clone();
            move || capture.clone()
        })
        .finish();
    // Current-thread runtime: the discovery task runs on this thread, under this subscriber.
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = RawServer::start(|req: &Request| match (req.api(), req.method()) {
        ("SYNO.API.Info", "query") => {
            let mut answer = serde_json::json!({
                "SYNO.API.Info": {"path": "query.cgi", "minVersion": 1, "maxVersion": 1},
                "SYNO.API.Auth": {"path": "entry.cgi", "minVersion": 1, "maxVersion": 7},
                (CONN): {"path": "entry.cgi", "minVersion": 1, "maxVersion": 1},
            });
            for (api, entry) in hostile_entries() {
                answer[api] = entry;
            }
            Reply::ok(answer)
        }
        _ => dsm(req),
    })
    .await;
    let client = Client::builder(&server.url).build().unwrap();

    // The good entries of the same answer work.
    client.login("admin", PASSWORD).await.expect("login");
    assert_eq!(list(&client).await.expect("good entry").total, 1);
    for good in ["SYNO.API.Info", "SYNO.API.Auth", CONN] {
        assert!(client.has_api(good).await.unwrap(), "{good}");
    }

    // The hostile ones are absent: no request, whatever the path.
    let errors = call_each_hostile_api(&client).await;
    assert_eq!(errors.len(), hostile_entries().len());
    for (api, err) in &errors {
        match err {
            Error::Unsupported {
                api: named,
                available,
                ..
            } => {
                assert_eq!(named, api);
                assert_eq!(*available, None, "{api} counts as not published");
            }
            other => panic!("{api}: expected Error::Unsupported, got {other:?}"),
        }
        assert!(!client.has_api(api).await.unwrap(), "{api}");
    }
    let seen: Vec<(String, String, String)> = server
        .requests()
        .iter()
        .map(|r| (r.path.clone(), r.api().to_owned(), r.method().to_owned()))
        .collect();
    assert_eq!(
        seen,
        [
            ("/webapi/query.cgi", "SYNO.API.Info", "query"),
            ("/webapi/entry.cgi", "SYNO.API.Auth", "login"),
            ("/webapi/entry.cgi", CONN, "List"),
        ]
        .map(|(p, a, m)| (p.to_owned(), a.to_owned(), m.to_owned())),
        "only the good APIs were reached"
    );

    // One warning per ignored entry, naming its API; none for the good ones.
    let log = capture.text();
    let warnings: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("ignoring a SYNO.API.Info entry"))
        .collect();
    assert_eq!(warnings.len(), hostile_entries().len(), "{log}");
    for (api, _) in hostile_entries() {
        let named = format!("api={api:?}");
        assert_eq!(
            warnings.iter().filter(|w| w.contains(&named)).count(),
            1,
            "one warning for {api}:\n{log}"
        );
    }
    for good in [
        "\"SYNO.API.Info\"",
        "\"SYNO.API.Auth\"",
        "\"SYNO.CloudSync.Connection\"",
    ] {
        assert!(
            !warnings.iter().any(|w| w.contains(&format!("api={good}"))),
            "{good} warned:\n{log}"
        );
    }

    // A hostile entry for SYNO.API.Auth itself: the login is refused before anything is
    // sent, so the password goes nowhere.
    let server = RawServer::start(|req: &Request| match (req.api(), req.method()) {
        ("SYNO.API.Info", "query") => {
            let mut answer = raw_server::api_info();
            answer["SYNO.API.Auth"] = serde_json::json!(
                {"path": "https://evil.example/webapi/entry.cgi", "minVersion": 1, "maxVersion": 7}
            );
            Reply::ok(answer)
        }
        _ => dsm(req),
    })
    .await;
    let client = Client::builder(&server.url).build().unwrap();
    match client.login("admin", PASSWORD).await.unwrap_err() {
        Error::Unsupported { api, available, .. } => {
            assert_eq!((&*api, available), ("SYNO.API.Auth", None))
        }
        other => panic!("expected Error::Unsupported, got {other:?}"),
    }
    assert!(!client.is_logged_in());
    let seen: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.api().to_owned())
        .collect();
    assert_eq!(seen, ["SYNO.API.Info"], "the login was never sent");
}

// ---------------------------------------------------------------------------------------
// 10. Plain HTTP needs consent, except on loopback.
// ---------------------------------------------------------------------------------------

#[test]
fn plain_http_to_a_remote_host_needs_consent() {
    for remote in [
        "http://192.0.2.1:5000",
        "http://nas.example.com:5000",
        "http://localhost.evil.example:5000",
        "http://127.0.0.1.nip.io:5000",
        "http://[2001:db8::1]:5000",
    ] {
        match Client::builder(remote).build() {
            Err(Error::Config(message)) => {
                assert!(
                    message.contains("allow_insecure_http"),
                    "{remote}: {message}"
                )
            }
            Err(other) => panic!("{remote}: expected Error::Config, got {other:?}"),
            Ok(_) => panic!("{remote}: plain http to a remote host was accepted"),
        }
    }
    for local in [
        "http://127.0.0.1:1",
        "http://127.0.0.5:1",
        "http://127.255.255.254:1",
        "http://localhost:1",
        "http://LOCALHOST.:1",
        "http://nas.localhost:1",
        "http://[::1]:1",
        "http://[::ffff:127.0.0.1]:1",
    ] {
        let client = Client::builder(local)
            .build()
            .unwrap_or_else(|e| panic!("{local}: {e}"));
        assert!(!client.settings().allow_insecure_http);
    }
    // Consent, or https, and the remote host is accepted (no request is made by building).
    let client = Client::builder("http://192.0.2.1:5000")
        .allow_insecure_http(true)
        .build()
        .expect("consented");
    assert!(client.settings().allow_insecure_http);
    assert!(!client.is_logged_in());
    Client::builder("https://192.0.2.1:5001")
        .build()
        .expect("https needs no consent");
}

// ---------------------------------------------------------------------------------------
// Found while writing these tests, fixed in the runtime.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_entry_that_is_not_an_object_is_ignored_like_other_hostile_entries() {
    let server = RawServer::start(|req: &Request| match (req.api(), req.method()) {
        ("SYNO.API.Info", "query") => {
            let mut answer = raw_server::api_info();
            answer["SYNO.Evil.Null"] = serde_json::Value::Null;
            answer["SYNO.Evil.Number"] = serde_json::json!(42);
            answer["SYNO.Evil.Text"] = serde_json::json!("entry.cgi");
            Reply::ok(answer)
        }
        _ => dsm(req),
    })
    .await;
    let client = Client::builder(&server.url).build().unwrap();
    // Before the fix: Err(Decode { api: "SYNO.API.Info", path: "data.SYNO.Evil.Null", .. }).
    assert_eq!(list(&client).await.expect("the good entries work").total, 1);
    assert!(!client.has_api("SYNO.Evil.Null").await.unwrap());
}

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
