//! The client's safe defaults against a hostile or broken server, one fault class per test:
//! where requests may go. Redirects are never followed, poisoned `SYNO.API.Info` entries are
//! never reached, and plain `http://` needs consent except on loopback. Over real HTTP from a
//! purpose-built loopback server (`common/raw_server/`) that can do what DSM, a proxy or an
//! attacker might: redirect anywhere, publish poisoned `SYNO.API.Info` entries. How much and
//! how long the client reads (the size limit, the timeouts) is in `hostile_limits.rs`.

#![cfg(all(
    feature = "mock",
    feature = "cloud-sync",
    feature = "synology-drive",
    feature = "synology-drive-share-sync"
))]

mod common;
#[path = "common/raw_server/mod.rs"]
mod raw_server;

use common::Capture;
use common::hostile::{CONN, PASSWORD, list};
use raw_server::{RawServer, Reply, Request, dsm};
use synology_client::{Client, Error};

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
