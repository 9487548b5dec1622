//! The APIs real DSM boxes publish (`api-spec/*_dsm.yaml`, `synology_drive_share_sync.yaml`),
//! from Rust against the mock: the family-level `SYNO.CloudSync` beside the seed's
//! `SYNO.CloudSync.Connection`, JSON-encoded parameter values where the spec declares the
//! JSON request format, open integer enums, raw JSON for unrecorded shapes, and paging.

mod common;

use futures_util::TryStreamExt;
use serde_json::json;
use synology_client::cloud_sync::{ConnGrouping, LogAction, LogLevel};
use synology_client::mock::MockConfig;
use synology_client::{Error, UnixTime};

#[tokio::test]
async fn family_level_methods_sit_beside_the_seed_accessors() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7()).await;
    let cloud = client.cloud_sync();
    let overview = cloud.list_conn().send().await.unwrap();
    assert_eq!(overview.total, 1);
    assert_eq!(overview.conn[0].id, 3);
    assert_eq!(overview.conn[0].status, "uptodate");
    assert!(
        overview.notification.is_none(),
        "null notification decodes as None"
    );
    let seed = cloud.connection().list().send().await.unwrap();
    assert_eq!(seed.connections[0].conn_id, 1);
    let apis: Vec<String> = dsm
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.params["api"], r.params["method"]))
        .collect();
    assert_eq!(
        apis,
        ["SYNO.CloudSync list_conn", "SYNO.CloudSync.Connection List"]
    );
}

#[tokio::test]
async fn json_request_format_quotes_text_and_leaves_runtime_params_alone() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7()).await;
    let cloud = client.cloud_sync();
    cloud
        .list_conn()
        .is_tray(false)
        .group_by(ConnGrouping::GroupByCloudType)
        .send()
        .await
        .unwrap();
    cloud
        .get_log(3)
        .keyword("a \"quoted\" name")
        .log_level(LogLevel::Error)
        .action(LogAction::Unknown(7))
        .date_from(UnixTime(1_724_000_000))
        .offset(0)
        .limit(10)
        .send()
        .await
        .unwrap();
    cloud.pause().send().await.unwrap();
    cloud.resume().connection_id(3).send().await.unwrap();
    let sent = dsm.requests();
    let list = &sent[0].params;
    assert_eq!(list["group_by"], "\"group_by_cloud_type\"");
    assert_eq!(list["is_tray"], "false");
    for runtime in ["api", "version", "method"] {
        assert!(
            !list[runtime].starts_with('"'),
            "{runtime} = {}",
            list[runtime]
        );
    }
    assert_eq!(
        list["_sid"], "***",
        "the session id is sent (masked in the log)"
    );
    let log = &sent[1].params;
    assert_eq!(log["keyword"], r#""a \"quoted\" name""#);
    assert_eq!(log["connection_id"], "3");
    assert_eq!(log["log_level"], "2");
    assert_eq!(log["action"], "7");
    assert_eq!(log["date_from"], "1724000000");
    assert_eq!((log["offset"].as_str(), log["limit"].as_str()), ("0", "10"));
    // pause with no connection means all of them: nothing but the runtime's parameters.
    assert_eq!(
        sent[2].params.keys().collect::<Vec<_>>(),
        ["_sid", "api", "method", "version"]
    );
    assert_eq!(sent[2].verb, "POST");
    assert_eq!(sent[3].params["connection_id"], "3");
}

#[tokio::test]
async fn the_mock_refuses_a_json_declared_value_that_is_not_json() {
    // What a client that ignores the request format would send: DSM answers 120.
    let dsm = synology_client::mock::MockDsm::start().await.unwrap();
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{}/webapi/entry.cgi", dsm.url()))
        .form(&[
            ("api", "SYNO.API.Auth"),
            ("version", "7"),
            ("method", "login"),
            ("account", "demo"),
            ("passwd", "synology-demo"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sid = login["data"]["sid"].as_str().unwrap();
    let ask = |group_by: &str| {
        http.get(format!("{}/webapi/entry.cgi", dsm.url()))
            .query(&[
                ("api", "SYNO.CloudSync"),
                ("version", "1"),
                ("method", "list_conn"),
                ("_sid", sid),
                ("group_by", group_by),
            ])
            .send()
    };
    let plain: serde_json::Value = ask("group_by_user").await.unwrap().json().await.unwrap();
    assert_eq!(plain, json!({"success": false, "error": {"code": 120}}));
    let quoted: serde_json::Value = ask("\"group_by_user\"")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(quoted["success"], true);
}

#[tokio::test]
async fn log_pages_stream_with_open_integer_enums() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7().page_cap(25)).await;
    let items: Vec<_> = (0..60)
        .map(|i| {
            json!({"action": i % 11, "error_code": 0, "file_name": format!("f{i}"), "file_type": "file",
                   "log_level": i % 4, "path": format!("/s/f{i}"), "session_id": 1, "time": 1_724_000_000 + i})
        })
        .collect();
    dsm.set_items("SYNO.CloudSync", "get_log", items);
    let all: Vec<_> = client
        .cloud_sync()
        .get_log(3)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 60);
    assert_eq!(all[2].log_level, LogLevel::Error);
    assert_eq!(all[3].log_level, LogLevel::Unknown(3));
    assert_eq!(all[9].action, LogAction::MergeDeletion);
    assert_eq!(all[10].action, LogAction::Unknown(10));
    assert_eq!(all[59].file_name, "f59");
    assert_eq!(dsm.requests().len(), 3, "pages of 25: 25 + 25 + 10");
}

#[tokio::test]
async fn unrecorded_shapes_are_raw_json() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7()).await;
    dsm.set_answer(
        "SYNO.SynologyDrive.Connection",
        "list",
        json!({"items": [{"client_name": "laptop", "anything": [1, 2]}], "total": 1}),
    );
    let page = client
        .synology_drive()
        .connection()
        .list()
        .send()
        .await
        .unwrap();
    assert_eq!(page.items[0]["client_name"], "laptop");
    dsm.set_answer(
        "SYNO.CloudSync",
        "get_connection_setting",
        json!({"max_upload_speed": 0}),
    );
    let setting = client
        .cloud_sync()
        .get_connection_setting(3)
        .send()
        .await
        .unwrap();
    assert_eq!(setting, json!({"max_upload_speed": 0}));
    let summary = client
        .synology_drive()
        .connection()
        .summary()
        .send()
        .await
        .unwrap();
    assert_eq!(summary, json!({}));
}

#[tokio::test]
async fn summary_on_a_nas_with_version_1_only_is_unsupported_before_sending() {
    let config = MockConfig::dsm7().api("SYNO.SynologyDrive.Connection", "entry.cgi", 1, 1);
    let (dsm, client) = common::logged_in(config).await;
    let err = client
        .synology_drive()
        .connection()
        .summary()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Unsupported {
                api,
                needed_version: 2,
                available: Some((1, 1)),
                ..
            } if api == "SYNO.SynologyDrive.Connection"
        ),
        "{err:?}"
    );
    assert!(dsm.requests().is_empty());
    // list still works there, in version 1.
    client
        .synology_drive()
        .connection()
        .list()
        .send()
        .await
        .unwrap();
    assert_eq!(dsm.requests()[0].params["version"], "1");
}
