//! The APIs real DSM boxes publish (`api-spec/*_dsm.yaml`, `synology_drive_share_sync.yaml`),
//! from Rust against the mock, on the wire: the family-level `SYNO.CloudSync` beside the
//! seed's `SYNO.CloudSync.Connection`, JSON-encoded parameter values where the spec declares
//! the JSON request format, open integer enums, raw JSON for unrecorded shapes, versions, and
//! paging. How realistic answers decode into the shapes typed from public evidence is in
//! `real_api_answers.rs`.

#![cfg(all(
    feature = "mock",
    feature = "cloud-sync",
    feature = "synology-drive",
    feature = "synology-drive-share-sync"
))]

mod common;

use futures_util::TryStreamExt;
use serde_json::json;
use synology_client::cloud_sync::{AdminMode, ConnGrouping, LogAction, LogLevel, SyncDirection};
use synology_client::mock::MockConfig;
use synology_client::synology_drive::{
    DriveClientStatus, DriveClientType, DriveConnectionSortKey, DriveSortDirection,
};
use synology_client::synology_drive_share_sync::ShareSyncAdditional;
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
async fn json_format_apis_take_bare_text_for_strings_only() {
    // What a client that ignores the request format sends: real DSM takes a bare string
    // (`folder_path=/home` on FileStation), not a bare value of another type (120); strict
    // mode takes nothing but JSON text.
    for strict in [false, true] {
        let config = if strict {
            MockConfig::dsm7().strict()
        } else {
            MockConfig::dsm7()
        };
        let dsm = synology_client::mock::MockDsm::start_with(config)
            .await
            .unwrap();
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
        let ask = |method: &str, name: &str, value: &str| {
            http.get(format!("{}/webapi/entry.cgi", dsm.url()))
                .query(&[
                    ("api", "SYNO.CloudSync"),
                    ("version", "1"),
                    ("method", method),
                    ("_sid", sid),
                    (name, value),
                ])
                .send()
        };
        let answer = |response: reqwest::Response| async move {
            response.json::<serde_json::Value>().await.unwrap()
        };
        let bare = answer(ask("list_conn", "group_by", "group_by_user").await.unwrap()).await;
        if strict {
            assert_eq!(bare, json!({"success": false, "error": {"code": 120}}));
        } else {
            assert_eq!(bare["success"], true, "a bare string: {bare}");
        }
        let quoted = answer(
            ask("list_conn", "group_by", "\"group_by_user\"")
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(quoted["success"], true);
        let not_a_number = answer(
            ask("get_connection_setting", "connection_id", "three")
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            not_a_number,
            json!({"success": false, "error": {"code": 120}}),
            "an integer is never bare text (strict: {strict})"
        );
    }
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
        "SYNO.SynologyDrive.Profiles",
        "list",
        json!({"profile_list": [{"name": "Default", "anything": [1, 2]}], "total": 1}),
    );
    let profiles = client
        .synology_drive()
        .profiles()
        .list()
        .send()
        .await
        .unwrap();
    assert_eq!(profiles.profile_list[0]["anything"], json!([1, 2]));
    dsm.set_answer(
        "SYNO.SynologyDriveShareSync.Connection",
        "list",
        json!({"conn": [{"id": 1, "remote": "nas2"}], "is_pause": false, "total": 1}),
    );
    let share_sync = client
        .synology_drive_share_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap();
    assert_eq!(share_sync.conn[0]["remote"], "nas2");
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

/// Every method typed or added from the public evidence answers its spec example through the
/// mock, and the example decodes into the typed response.
#[tokio::test]
async fn every_typed_method_decodes_its_example_through_the_mock() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7()).await;
    let cloud = client.cloud_sync();

    let setting = cloud.get_connection_setting(3).send().await.unwrap();
    assert_eq!(setting.task_name, "Dropbox");
    assert_eq!(setting.pull_event_period, 60);
    assert_eq!(setting.schedule_info.len(), 7 * 24);
    assert_eq!(setting.is_sse, Some(false));

    let sessions = cloud.list_sess(3).send().await.unwrap();
    assert_eq!(sessions.total, 1);
    assert_eq!(sessions.sess[0].sess_id, 4);
    assert_eq!(sessions.sess[0].sync_direction, SyncDirection::Bidirection);

    let filters = cloud.get_selective_sync_config(4).send().await.unwrap();
    assert_eq!(filters.filtered_extensions, ["iso", "tmp"]);
    assert_eq!(filters.filtered_max_upload_size, 1_048_576);

    let session = cloud.get_session_setting(4).send().await.unwrap();
    assert_eq!(session.sync_direction, Some(SyncDirection::Bidirection));
    assert_eq!(session.no_delete, Some(true));

    let config = cloud.get_config().send().await.unwrap();
    assert_eq!(config.admin_mode, Some(AdminMode::Enable));
    let volumes = config.volume_list.unwrap();
    assert_eq!(volumes[0].size_total, Some(955_458_760_704));

    let drive = client.synology_drive().connection();
    let page = drive.list().send().await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].client_status, Some(DriveClientStatus::OnLine));
    assert_eq!(page.items[0].client_type, Some(DriveClientType::Drive));
    assert_eq!(page.items[0].login_time.as_deref(), Some("1732780800"));

    let summary = drive.summary().send().await.unwrap();
    assert_eq!(summary.summary.total, Some(5));

    let share_sync = client
        .synology_drive_share_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap();
    assert!(share_sync.tray_status.is_none() && share_sync.newest_change.is_none());

    let methods: Vec<String> = dsm
        .requests()
        .iter()
        .map(|r| {
            format!(
                "{} {} v{}",
                r.params["api"], r.params["method"], r.params["version"]
            )
        })
        .collect();
    assert_eq!(
        methods,
        [
            "SYNO.CloudSync get_connection_setting v1",
            "SYNO.CloudSync list_sess v1",
            "SYNO.CloudSync get_selective_sync_config v1",
            "SYNO.CloudSync get_session_setting v1",
            "SYNO.CloudSync get_config v1",
            "SYNO.SynologyDrive.Connection list v2",
            "SYNO.SynologyDrive.Connection summary v2",
            "SYNO.SynologyDriveShareSync.Connection list v1",
        ]
    );
}

/// The new parameters on the wire: JSON text where the API's request format says so.
#[tokio::test]
async fn new_parameters_are_sent_json_encoded() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7()).await;
    let cloud = client.cloud_sync();
    cloud.list_sess(3).send().await.unwrap();
    cloud.get_selective_sync_config(4).send().await.unwrap();
    cloud.get_session_setting(4).send().await.unwrap();
    cloud.get_config().send().await.unwrap();
    client
        .synology_drive()
        .connection()
        .list()
        .offset(0)
        .limit(0)
        .sort_by(DriveConnectionSortKey::LoginTime)
        .sort_direction(DriveSortDirection::Desc)
        .send()
        .await
        .unwrap();
    client
        .synology_drive_share_sync()
        .connection()
        .list()
        .additional(vec![
            ShareSyncAdditional::TrayStatus,
            ShareSyncAdditional::NewestChange,
        ])
        .send()
        .await
        .unwrap();
    let sent = dsm.requests();
    assert_eq!(sent[0].params["connection_id"], "3");
    assert_eq!(sent[1].params["session_id"], "4");
    assert_eq!(sent[2].params["session_id"], "4");
    assert_eq!(
        sent[3].params.keys().collect::<Vec<_>>(),
        ["_sid", "api", "method", "version"],
        "get_config takes no parameters"
    );
    let list = &sent[4].params;
    assert_eq!(list["sort_by"], "\"login_time\"");
    assert_eq!(list["sort_direction"], "\"DESC\"");
    assert_eq!(
        (list["offset"].as_str(), list["limit"].as_str()),
        ("0", "0")
    );
    assert_eq!(
        sent[5].params["additional"],
        r#"["tray_status","newest_change"]"#
    );
}
