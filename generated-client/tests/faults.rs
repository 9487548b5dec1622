//! What real DSM boxes and broken networks send, over real HTTP: lenient decoding, DSM error
//! shapes, HTTP faults, broken bodies, resets and silence. Each yields the right `Error`.

#![cfg(all(feature = "mock", feature = "cloud-sync"))]

mod common;

use std::time::Duration;

use common::logged_in;
use serde_json::json;
use synology_client::cloud_sync::{CloudType, ConnectionStatus};
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};
use synology_client::{Client, Error, ErrorKind};

const API: &str = "SYNO.CloudSync.Connection";

#[tokio::test]
async fn unknown_enum_values_extra_fields_and_numbers_as_strings_decode() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    dsm.set_answer(
        API,
        "Get",
        json!({
            "conn_id": "12", "cloud_type": "megadisk", "display_name": "x", "status": "syncing",
            "account": "a", "quota_total": "39978088267776", "quota_used": 5.0,
            "added_in_dsm_8": {"nested": [1, 2]}
        }),
    );
    let c = client
        .cloud_sync()
        .connection()
        .get(12)
        .send()
        .await
        .expect("lenient decode");
    assert_eq!(c.conn_id, 12);
    assert_eq!(c.cloud_type, CloudType::Unknown("megadisk".into()));
    assert_eq!(c.status, ConnectionStatus::Unknown("syncing".into()));
    assert_eq!((c.quota_total, c.quota_used), (39_978_088_267_776, 5));
    // Re-serialized, unknown values keep their raw text and numbers stay numbers.
    let back = serde_json::to_value(&c).unwrap();
    assert_eq!(back["cloud_type"], "megadisk");
    assert_eq!(back["quota_total"], 39_978_088_267_776_u64);
    assert!(back.get("added_in_dsm_8").is_none());
}

#[tokio::test]
async fn a_field_of_the_wrong_type_names_its_json_path() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    dsm.set_answer(API, "List", json!({"connections": [{"conn_id": 1, "cloud_type": "s3", "display_name": "d",
        "status": "connected", "account": "a"}, {"conn_id": [], "cloud_type": "s3", "display_name": "d",
        "status": "connected", "account": "a"}], "total": 2}));
    let err = client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap_err();
    match err {
        Error::Decode {
            api, method, path, ..
        } => {
            assert_eq!((&*api, &*method), (API, "List"));
            assert_eq!(path, "data.connections[1].conn_id");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_dsm_codes_keep_their_number() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    dsm.fail_with_code(API, "List", 9999);
    let err = client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Api {
                code: 9999,
                kind: ErrorKind::Unknown,
                description: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("9999"), "{err}");
}

#[tokio::test]
async fn common_codes_are_typed_for_every_api() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    dsm.fail_with_code(API, "Pause", 105);
    let err = client
        .cloud_sync()
        .connection()
        .pause(1)
        .send()
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
        ) && err.api() == Some(API)
            && err.method() == Some("Pause"),
        "{err:?}"
    );
}

#[tokio::test]
async fn every_errors_shape_is_kept_as_detail() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    for detail in [
        json!([{"code": 2, "path": "/x"}]),
        json!({"name": "x", "reason": "busy"}),
        json!("locked"),
    ] {
        let body = json!({"success": false, "error": {"code": 120, "errors": detail}}).to_string();
        dsm.fail_with_http(API, "List", 200, body);
        let err = client
            .cloud_sync()
            .connection()
            .list()
            .send()
            .await
            .unwrap_err();
        match err {
            Error::Api {
                code: 120,
                kind: ErrorKind::InvalidParameter,
                detail: Some(d),
                ..
            } => assert_eq!(d, detail),
            other => panic!("expected Api 120 with detail {detail}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn http_errors_are_http_errors() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    for status in [500, 502, 503] {
        dsm.fail_with_http(API, "List", status, "<html><body>Bad Gateway</body></html>");
        let err = client
            .cloud_sync()
            .connection()
            .list()
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Http { ref api, ref method, status: s } if s == status && api == API && method == "List"),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn bodies_that_are_not_an_envelope_are_decode_errors() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let cases: [(&str, &[u8]); 4] = [
        ("html", b"<html><body>DSM is starting</body></html>"),
        (
            "truncated",
            br#"{"success": true, "data": {"connections": [{"conn_id": 1"#,
        ),
        ("empty", b""),
        ("not utf-8", b"\xff\xfe{\x00"),
    ];
    for (name, body) in cases {
        dsm.fail_with_http(API, "List", 200, body);
        let err = client
            .cloud_sync()
            .connection()
            .list()
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Decode { api, method, .. } if api == API && method == "List"),
            "{name}: {err:?}"
        );
    }
}

#[tokio::test]
async fn success_without_data_where_data_is_expected() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    dsm.fail_with_http(API, "Get", 200, r#"{"success": true}"#);
    let err = client
        .cloud_sync()
        .connection()
        .get(1)
        .send()
        .await
        .unwrap_err();
    match err {
        Error::Decode { path, message, .. } => {
            assert_eq!(path, "data");
            assert!(message.contains("without `data`"), "{message}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn a_login_decode_error_never_quotes_the_body() {
    let dsm = MockDsm::start().await.unwrap();
    dsm.fail_with_http(
        "SYNO.API.Auth",
        "login",
        200,
        r#"{"success": true, "data": {"sid": 12345678}}"#,
    );
    let err = dsm
        .client()
        .unwrap()
        .login(DEMO_USER, DEMO_PASSWORD)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(
        !text.contains("12345678"),
        "the session id must not leak: {text}"
    );
}

/// A TCP server that accepts connections and then does `behave` with each.
async fn raw_server(behave: fn(tokio::net::TcpStream)) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            behave(stream);
        }
    });
    url
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let url = raw_server(|stream| {
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(stream);
        });
    })
    .await;
    let client = Client::builder(&url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client.login("a", "b").await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Timeout { api, method } if api == "SYNO.API.Info" && method == "query"
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_reset_mid_response_is_a_transport_error_without_url() {
    let url = raw_server(|stream| {
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"success\": tr")
                .await;
            // Close with 1000 bytes promised and 13 sent.
            drop(stream);
        });
    })
    .await;
    let client = Client::builder(&url).build().unwrap();
    let err = client.login("a", "b").await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("query.cgi") && !text.contains("127.0.0.1"),
        "no URL in transport errors: {text}"
    );
}

#[tokio::test]
async fn bad_base_urls_are_config_errors() {
    for bad in [
        "nas.local",
        "ftp://nas.local",
        "https://user:pw@nas.local",
        "https://nas.local/?x=1",
        "",
    ] {
        assert!(
            matches!(Client::builder(bad).build(), Err(Error::Config(_))),
            "{bad} should be rejected"
        );
    }
    assert!(Client::builder("https://nas.local:5001/").build().is_ok());
}

#[tokio::test]
async fn dropping_a_call_cancels_it() {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (arrived_tx, arrived) = tokio::sync::oneshot::channel();
    let (closed_tx, closed) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf).await;
        let _ = arrived_tx.send(());
        // Never answer; a read of 0 bytes means the client hung up.
        while stream.read(&mut buf).await.is_ok_and(|n| n > 0) {}
        let _ = closed_tx.send(());
    });
    let client = Client::builder(&url).build().unwrap();
    let call = client.login("a", "b");
    tokio::select! {
        _ = call => panic!("the server never answers"),
        _ = arrived => {} // the request is in flight; leaving select drops the call
    }
    tokio::time::timeout(Duration::from_secs(5), closed)
        .await
        .expect("dropping the future closes the connection")
        .unwrap();
}
