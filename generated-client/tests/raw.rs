//! Raw calls (`Client::raw`) and `Request::send_json` go through the generated calls'
//! machinery: discovery's path, the highest version both sides allow, the request format,
//! POST with no session id in any URL, re-login, typed errors, redaction. Against the mock
//! DSM and a purpose-built loopback server.

#![cfg(all(feature = "mock", feature = "cloud-sync"))]

mod common;
#[path = "common/raw_server/mod.rs"]
mod raw_server;

use common::logged_in;
use raw_server::{RawServer, Reply, Request as Seen};
use serde_json::{Value, json};
use synology_client::mock::MockConfig;
use synology_client::{Client, Error, ErrorKind, Request};

/// DSM 7 plus two APIs the spec does not know: `SYNO.Example.System` (plain, versions 1-3) and
/// `SYNO.Example.Files` (`requestFormat: JSON`, 1-2), both echoing their parameters.
async fn nas() -> (RawServer, Client) {
    let server = RawServer::start(|req: &Seen| match (req.api(), req.method()) {
        ("SYNO.API.Info", "query") => {
            let mut info = raw_server::api_info();
            info["SYNO.Example.System"] = json!({"path": "entry.cgi", "minVersion": 1, "maxVersion": 3});
            info["SYNO.Example.Files"] =
                json!({"path": "entry.cgi", "minVersion": 1, "maxVersion": 2, "requestFormat": "JSON"});
            Reply::ok(info)
        }
        ("SYNO.Example.System" | "SYNO.Example.Files", _) => {
            let echo: serde_json::Map<String, Value> = req
                .params
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            Reply::ok(Value::Object(echo))
        }
        _ => raw_server::dsm(req),
    })
    .await;
    let client = Client::builder(&server.url).build().unwrap();
    client.login("admin", "pw").await.unwrap();
    (server, client)
}

fn last(server: &RawServer, api: &str) -> Seen {
    server
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.api() == api)
        .expect("a request reached the server")
}

#[tokio::test]
async fn an_api_the_spec_does_not_know_goes_where_discovery_says_at_the_nas_highest_version() {
    let (server, client) = nas().await;
    let data = client
        .raw("SYNO.Example.System", "info")
        .param("type", "storage")
        .send_json()
        .await
        .unwrap();
    assert_eq!(data["type"], "storage", "plain format: the string as it is");
    let seen = last(&server, "SYNO.Example.System");
    assert_eq!(seen.path, "/webapi/entry.cgi");
    assert_eq!(seen.param("version"), Some("3"));
    assert_eq!(seen.verb, "POST");
    assert!(seen.query.is_empty(), "nothing in the URL: {}", seen.query);
    assert_eq!(seen.param("_sid"), Some("S"), "the session goes with it");
    assert_eq!(seen.header("x-syno-token"), Some("T"), "and the SynoToken");

    // An explicit version is honoured.
    client
        .raw("SYNO.Example.System", "info")
        .version(1)
        .send_json()
        .await
        .unwrap();
    assert_eq!(
        last(&server, "SYNO.Example.System").param("version"),
        Some("1")
    );
}

#[tokio::test]
async fn get_puts_the_parameters_in_the_url_only_when_asked() {
    let (server, client) = nas().await;
    client
        .raw("SYNO.Example.System", "info")
        .get()
        .send_json()
        .await
        .unwrap();
    let seen = last(&server, "SYNO.Example.System");
    assert_eq!(seen.verb, "GET");
    assert!(seen.query.contains("method=info"), "{}", seen.query);
}

#[tokio::test]
async fn the_nas_request_format_decides_for_an_api_the_spec_does_not_know() {
    let (server, client) = nas().await;
    let data = client
        .raw("SYNO.Example.Files", "list")
        .param("folder_path", "/home")
        .param("limit", 10)
        .param("additional", ["size", "time"])
        .send_json()
        .await
        .unwrap();
    assert_eq!(
        data["folder_path"], "\"/home\"",
        "JSON format: strings quoted"
    );
    assert_eq!(data["limit"], "10");
    assert_eq!(data["additional"], r#"["size","time"]"#);
    assert_eq!(
        last(&server, "SYNO.Example.Files").param("version"),
        Some("2")
    );
}

#[tokio::test]
async fn the_spec_decides_version_and_format_for_an_api_it_knows() {
    // The NAS offers SYNO.CloudSync up to version 5; the spec knows get_log at version 1 only,
    // and declares the API's values JSON-encoded.
    let (dsm, client) =
        logged_in(MockConfig::dsm7().api("SYNO.CloudSync", "entry.cgi", 1, 5)).await;
    let page = client
        .raw("SYNO.CloudSync", "get_log")
        .param("connection_id", 3)
        .param("keyword", "report")
        .send_json()
        .await
        .unwrap();
    assert!(page["items"].is_array(), "{page}");
    let seen = dsm.requests().pop().unwrap();
    assert_eq!(seen.params["version"], "1");
    assert_eq!(seen.params["connection_id"], "3");
    assert_eq!(seen.params["keyword"], "\"report\"");
    assert_eq!(seen.verb, "POST");
}

#[tokio::test]
async fn dsm5s_odd_path_comes_from_discovery() {
    let odd = format!("{}entry.cgi", "_".repeat(55));
    let (dsm, client) =
        logged_in(MockConfig::dsm7().api("SYNO.CloudSync.Connection", &odd, 1, 1)).await;
    let data = client
        .raw("SYNO.CloudSync.Connection", "List")
        .send_json()
        .await
        .unwrap();
    assert_eq!(data["total"], 1);
    assert_eq!(dsm.requests().pop().unwrap().path, format!("/webapi/{odd}"));
}

#[tokio::test]
async fn a_raw_call_logs_in_again_when_the_session_is_lost() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    dsm.expire_sessions();
    let list: Value = client
        .raw("SYNO.CloudSync.Connection", "List")
        .send()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    let methods: Vec<String> = dsm
        .requests()
        .iter()
        .map(|r| r.params["method"].clone())
        .collect();
    assert_eq!(methods, ["List", "login", "List"]);
}

#[tokio::test]
async fn dsm_codes_are_typed_from_the_spec_when_it_knows_the_api() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    // 407 is in SYNO.API.Auth's own table in the spec (IP blocked), not in the common one.
    dsm.fail_with_code("SYNO.API.Auth", "logout", 407);
    let err = client
        .raw("SYNO.API.Auth", "logout")
        .send_json()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Api {
                code: 407,
                kind: ErrorKind::IpBlocked,
                description: Some(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.api(), Some("SYNO.API.Auth"));
    assert_eq!(err.method(), Some("logout"));
}

#[tokio::test]
async fn unknown_apis_get_the_common_table_and_keep_unknown_codes() {
    let server = RawServer::start(|req: &Seen| match (req.api(), req.method()) {
        ("SYNO.Example.System", "info") => Reply::json(r#"{"success":false,"error":{"code":105}}"#),
        ("SYNO.Example.System", _) => Reply::json(r#"{"success":false,"error":{"code":4321}}"#),
        ("SYNO.API.Info", "query") => {
            let mut info = raw_server::api_info();
            info["SYNO.Example.System"] =
                json!({"path": "entry.cgi", "minVersion": 1, "maxVersion": 1});
            Reply::ok(info)
        }
        _ => raw_server::dsm(req),
    })
    .await;
    let client = Client::builder(&server.url).build().unwrap();
    let err = client
        .raw("SYNO.Example.System", "info")
        .send_json()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Api {
                code: 105,
                kind: ErrorKind::PermissionDenied,
                ..
            }
        ),
        "{err:?}"
    );
    let err = client
        .raw("SYNO.Example.System", "x")
        .send_json()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Api {
                code: 4321,
                kind: ErrorKind::Unknown,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_explicit_path_reaches_an_api_discovery_does_not_list() {
    let (server, client) = nas().await;
    let err = client
        .raw("SYNO.Unlisted.Thing", "get")
        .path("entry.cgi")
        .send_json()
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(102),
        "DSM's own answer for an API it lacks: {err:?}"
    );
    let seen = last(&server, "SYNO.Unlisted.Thing");
    assert_eq!(
        (seen.path.as_str(), seen.param("version")),
        ("/webapi/entry.cgi", Some("1"))
    );

    // A path that is not a plain relative CGI name is refused before anything is sent.
    let before = server.requests().len();
    for bad in [
        "../entry.cgi",
        "/entry.cgi",
        "https://evil.example/x.cgi",
        "entry.cgi?x=1",
    ] {
        let err = client
            .raw("SYNO.Unlisted.Thing", "get")
            .path(bad)
            .send_json()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidParameter { param, .. } if param == "path"),
            "{err:?}"
        );
    }
    assert_eq!(server.requests().len(), before);
}

#[tokio::test]
async fn an_api_the_nas_lacks_fails_before_sending_with_the_nearest_names() {
    let (server, client) = nas().await;
    let before = server.requests().len();
    let err = client
        .raw("SYNO.CloudSync.Conection", "List")
        .send_json()
        .await
        .unwrap_err();
    match &err {
        Error::Unsupported {
            api,
            available: None,
            suggestions,
            ..
        } => {
            assert_eq!(api, "SYNO.CloudSync.Conection");
            assert!(
                suggestions.iter().any(|s| s == "SYNO.CloudSync.Connection"),
                "{suggestions:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains("SYNO.CloudSync.Connection"),
        "{err}"
    );
    assert_eq!(server.requests().len(), before, "nothing sent");
}

#[tokio::test]
async fn reserved_names_are_refused_and_secrets_redacted() {
    let (server, client) = nas().await;
    let before = server.requests().len();
    for name in ["api", "version", "method", "_sid", ""] {
        let err = client
            .raw("SYNO.Example.System", "info")
            .param(name, "x")
            .send_json()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidParameter { param, .. } if param == name),
            "{name}: {err:?}"
        );
    }
    assert_eq!(server.requests().len(), before, "nothing sent");

    let request = client
        .raw("SYNO.Example.System", "info")
        .param("passwd", "hunter2")
        .param("Password", "hunter3")
        .param("passphrase", "hunter4")
        .param("otp_code", "123456")
        .param("device_id", "tok-1")
        .param("did", "tok-2")
        .secret_param("api_key", "hunter5")
        .param("shown", "visible");
    let debug = format!("{request:?}");
    for secret in [
        "hunter2", "hunter3", "hunter4", "123456", "tok-1", "tok-2", "hunter5",
    ] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
    assert!(debug.contains("visible"), "{debug}");

    // The mock's request log masks them as well.
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let _ = client
        .raw("SYNO.CloudSync.Connection", "List")
        .param("passwd", "hunter2")
        .send_json()
        .await;
    assert_eq!(dsm.requests().pop().unwrap().params["passwd"], "***");
}

#[tokio::test]
async fn every_generated_request_can_answer_raw_json() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let raw = client
        .cloud_sync()
        .connection()
        .list()
        .send_json()
        .await
        .unwrap();
    let typed = client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap();
    assert_eq!(raw["total"], typed.total);
    assert_eq!(raw["connections"][0]["conn_id"], 1);
    // A method without data answers null.
    let nothing = client
        .cloud_sync()
        .connection()
        .pause(1)
        .send_json()
        .await
        .unwrap();
    assert_eq!(nothing, Value::Null);
    // Same request on the wire as send().
    let sent: Vec<_> = dsm
        .requests()
        .iter()
        .map(|r| (r.verb.clone(), r.params["method"].clone()))
        .collect();
    assert_eq!(sent[0], sent[1]);
}
