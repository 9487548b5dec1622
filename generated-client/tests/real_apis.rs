//! The APIs real DSM boxes publish (`api-spec/*_dsm.yaml`, `synology_drive_share_sync.yaml`),
//! from Rust against the mock: the family-level `SYNO.CloudSync` beside the seed's
//! `SYNO.CloudSync.Connection`, JSON-encoded parameter values where the spec declares the
//! JSON request format, open integer enums, raw JSON for unrecorded shapes, and paging; the
//! shapes typed from public evidence (connection and task settings, sync tasks, the package's
//! settings, Drive's connected clients and counts) decoding realistic answers.

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

#[tokio::test]
async fn connection_setting_decodes_a_real_answer() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7()).await;
    // An S3 connection, integers as strings, a field this client does not know; then an older
    // answer without the S3-only settings.
    let schedule = format!("{}{}", "0".repeat(24), "1".repeat(6 * 24));
    dsm.set_answer(
        "SYNO.CloudSync",
        "get_connection_setting",
        json!({"client_type": "s3", "isSSE": true, "is_enabled_schedule": true,
               "max_download_speed": "0", "max_upload_speed": 1024, "part_size": "128",
               "pull_event_period": "300", "schedule_info": schedule,
               "storage_class": "STANDARD_IA", "task_name": "S3 archive", "later_field": [1]}),
    );
    let s = client
        .cloud_sync()
        .get_connection_setting(5)
        .send()
        .await
        .unwrap();
    assert_eq!(s.client_type, "s3");
    assert_eq!(s.is_sse, Some(true));
    assert!(s.is_enabled_schedule);
    assert_eq!((s.max_download_speed, s.max_upload_speed), (0, 1024));
    assert_eq!(s.part_size, Some(128));
    assert_eq!(s.pull_event_period, 300);
    assert_eq!(s.schedule_info, schedule);
    assert!(s.schedule_info.starts_with(&"0".repeat(24)), "Sunday first");
    assert_eq!(s.storage_class.as_deref(), Some("STANDARD_IA"));
    assert_eq!(s.task_name, "S3 archive");
    dsm.set_answer(
        "SYNO.CloudSync",
        "get_connection_setting",
        json!({"client_type": "db", "is_enabled_schedule": false, "max_download_speed": 0,
               "max_upload_speed": 0, "pull_event_period": 60, "schedule_info": "1",
               "task_name": "Dropbox"}),
    );
    let old = client
        .cloud_sync()
        .get_connection_setting(3)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (old.is_sse, old.part_size, old.storage_class),
        (None, None, None)
    );
}

#[tokio::test]
async fn sessions_decode_a_real_answer() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7()).await;
    dsm.set_answer(
        "SYNO.CloudSync",
        "list_sess",
        json!({"sess": [
            {"cloud_type_str": "db", "conn_id": "3", "error": 0, "error_desc": "",
             "link_status": 1, "local_sync_path": "/team/docs", "remote_folder_id": "id:xyz",
             "remote_sync_path": "/docs", "sess_id": "4", "sync_direction": "ONLY_DOWNLOAD",
             "sync_status": "uptodate", "later_field": true},
            {"cloud_type_str": "db", "conn_id": 3, "error": -100, "error_desc": "quota",
             "link_status": 1, "local_sync_path": "/team/up", "remote_folder_id": "",
             "remote_sync_path": "/up", "sess_id": 7, "sync_direction": "ONLY_UPLOAD",
             "sync_status": "error"},
            {"cloud_type_str": "db", "conn_id": 3, "error": 0, "error_desc": "",
             "link_status": 1, "local_sync_path": "/team/x", "remote_folder_id": "",
             "remote_sync_path": "/x", "sess_id": 8, "sync_direction": "MIRROR",
             "sync_status": "uptodate"}],
            "total": "3"}),
    );
    let list = client.cloud_sync().list_sess(3).send().await.unwrap();
    assert_eq!(list.total, 3);
    let [docs, up, other] = &list.sess[..] else {
        panic!("{list:?}")
    };
    assert_eq!((docs.conn_id, docs.sess_id), (3, 4));
    assert_eq!(docs.sync_direction, SyncDirection::OnlyDownload);
    assert_eq!(docs.local_sync_path, "/team/docs");
    assert_eq!(docs.remote_sync_path, "/docs");
    assert_eq!(docs.remote_folder_id, "id:xyz");
    assert_eq!(docs.cloud_type_str, "db");
    assert_eq!((up.error, up.error_desc.as_str()), (-100, "quota"));
    assert_eq!(up.sync_direction, SyncDirection::OnlyUpload);
    assert_eq!(up.sync_status, "error");
    assert_eq!(
        other.sync_direction,
        SyncDirection::Unknown("MIRROR".into()),
        "an open enum"
    );
}

#[tokio::test]
async fn selective_sync_config_decodes_a_real_answer() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7()).await;
    dsm.set_answer(
        "SYNO.CloudSync",
        "get_selective_sync_config",
        json!({"filtered_extensions": ["wbmp", "xbm"], "filtered_max_upload_size": "10485760",
               "filtered_names": [], "filtered_paths": ["/docs/old"],
               "user_defined_extensions": ["iso"], "user_defined_names": ["Thumbs.db"],
               "later_field": {}}),
    );
    let c = client
        .cloud_sync()
        .get_selective_sync_config(4)
        .send()
        .await
        .unwrap();
    assert_eq!(c.filtered_extensions, ["wbmp", "xbm"]);
    assert_eq!(c.filtered_max_upload_size, 10_485_760);
    assert!(c.filtered_names.is_empty());
    assert_eq!(c.filtered_paths, ["/docs/old"]);
    assert_eq!(c.user_defined_extensions, ["iso"]);
    assert_eq!(c.user_defined_names, ["Thumbs.db"]);
}

#[tokio::test]
async fn session_setting_decodes_a_real_answer() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7()).await;
    dsm.set_answer(
        "SYNO.CloudSync",
        "get_session_setting",
        json!({"enable_server_encryption": false, "enc_key_exportable": true,
               "google_drive_convert_online_doc": true, "no_delete": false,
               "sync_attr_check_option": true, "sync_direction": "ONLY_UPLOAD",
               "later_field": 1}),
    );
    let s = client
        .cloud_sync()
        .get_session_setting(4)
        .send()
        .await
        .unwrap();
    assert_eq!(s.enable_server_encryption, Some(false));
    assert_eq!(s.enc_key_exportable, Some(true));
    assert_eq!(s.google_drive_convert_online_doc, Some(true));
    assert_eq!(s.no_delete, Some(false));
    assert_eq!(s.sync_attr_check_option, Some(true));
    assert_eq!(s.sync_direction, Some(SyncDirection::OnlyUpload));
    dsm.set_answer("SYNO.CloudSync", "get_session_setting", json!({}));
    let bare = client
        .cloud_sync()
        .get_session_setting(4)
        .send()
        .await
        .unwrap();
    assert_eq!((bare.sync_direction, bare.no_delete), (None, None));
}

#[tokio::test]
async fn package_config_decodes_a_real_answer() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7()).await;
    // DSM sends volume sizes as numeric strings.
    dsm.set_answer(
        "SYNO.CloudSync",
        "get_config",
        json!({"admin_mode": "disable", "log_count": 20000, "repo_vol_path": "/volume2",
               "sync_mode": true, "volume_count": "2",
               "volume_list": [
                   {"desc": "", "display": "Volume 1", "mount_point": "/volume1",
                    "size_free": "768625090560", "size_total": "955458760704", "value": "1",
                    "vol_desc": ""},
                   {"desc": "fast", "display": "Volume 2", "mount_point": "/volume2",
                    "size_free": "1977547526144", "size_total": "3835577597952", "value": "2",
                    "vol_desc": "SSD", "later_field": null}],
               "worker_count": 20, "later_field": "x"}),
    );
    let c = client.cloud_sync().get_config().send().await.unwrap();
    assert_eq!(c.admin_mode, Some(AdminMode::Disable));
    assert_eq!(c.log_count, Some(20_000));
    assert_eq!(c.repo_vol_path.as_deref(), Some("/volume2"));
    assert_eq!(c.sync_mode, Some(true));
    assert_eq!(c.volume_count, Some(2));
    assert_eq!(c.worker_count, Some(20));
    let volumes = c.volume_list.unwrap();
    assert_eq!(volumes.len(), 2);
    assert_eq!(volumes[1].mount_point.as_deref(), Some("/volume2"));
    assert_eq!(volumes[1].size_free, Some(1_977_547_526_144));
    assert_eq!(volumes[1].size_total, Some(3_835_577_597_952));
    assert_eq!(volumes[1].value.as_deref(), Some("2"));
    assert_eq!(volumes[1].vol_desc.as_deref(), Some("SSD"));
    assert_eq!(volumes[1].desc.as_deref(), Some("fast"));
    assert_eq!(volumes[0].display.as_deref(), Some("Volume 1"));
}

#[tokio::test]
async fn list_conn_decodes_answers_without_cloud_status() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7()).await;
    dsm.set_answer(
        "SYNO.CloudSync",
        "list_conn",
        json!({"conn": [
            {"id": 2, "link_status": 1, "resource": "", "status": "suspended",
             "task_display_name": "Microsoft OneDrive", "task_name": "Microsoft OneDrive",
             "type": "od_v1", "type_id": "22", "unfinished_files": "2", "user_id": "u1",
             "user_name": "john.doe", "exceed_maximum_files": true}],
            "is_admin_mode": true, "is_pause": false,
            "notification": {"file_count": 2,
                             "latest_file_info": {"action": 2, "log_level": 0, "name": "a.txt"}},
            "total": 1, "tray_status": "suspended"}),
    );
    let o = client
        .cloud_sync()
        .list_conn()
        .is_tray(true)
        .send()
        .await
        .unwrap();
    let conn = &o.conn[0];
    assert_eq!(conn.cloud_status, None);
    assert_eq!(conn.exceed_maximum_files, Some(true));
    assert_eq!((conn.type_id, conn.unfinished_files), (22, 2));
    assert_eq!(conn.status, "suspended");
    let n = o.notification.unwrap();
    assert_eq!(n.latest_file_info.action, LogAction::Upload);
}

#[tokio::test]
async fn drive_connections_decode_a_real_answer() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7()).await;
    dsm.set_answer(
        "SYNO.SynologyDrive.Connection",
        "list",
        json!({"items": [
            {"client_can_wipe": true, "client_id": "PC-1", "client_ip": "10.0.0.5",
             "client_is_relay": false, "client_location": "Office", "client_name": "ann-pc",
             "client_session_id": "s3ss10n-0f-ann", "client_status": "syncing",
             "client_type": "sharesync", "client_version": "3.4.0-12345",
             "device_uuid": "uuid-1", "last_auth_time": "1732788000",
             "login_time": "2024-11-28 10:00:00", "later_field": [1]},
            {"client_status": "off_line", "client_type": "drive_backup"},
            {}],
            "total": 3}),
    );
    let page = client
        .synology_drive()
        .connection()
        .list()
        .send()
        .await
        .unwrap();
    assert_eq!(page.total, 3);
    let [ann, backup, bare] = &page.items[..] else {
        panic!("{page:?}")
    };
    assert_eq!(ann.client_id.as_deref(), Some("PC-1"));
    assert_eq!(ann.client_ip.as_deref(), Some("10.0.0.5"));
    assert_eq!(ann.client_name.as_deref(), Some("ann-pc"));
    assert_eq!(ann.client_location.as_deref(), Some("Office"));
    assert_eq!(ann.client_version.as_deref(), Some("3.4.0-12345"));
    assert_eq!(ann.device_uuid.as_deref(), Some("uuid-1"));
    assert_eq!(ann.client_status, Some(DriveClientStatus::Syncing));
    assert_eq!(ann.client_type, Some(DriveClientType::Sharesync));
    assert_eq!(
        (ann.client_is_relay, ann.client_can_wipe),
        (Some(false), Some(true))
    );
    assert_eq!(ann.last_auth_time, Some(1_732_788_000));
    assert_eq!(ann.login_time.as_deref(), Some("2024-11-28 10:00:00"));
    let session = ann.client_session_id.as_ref().unwrap();
    assert_eq!(session.expose(), "s3ss10n-0f-ann");
    assert!(
        !format!("{ann:?}").contains("s3ss10n-0f-ann"),
        "the client's session ID is a secret"
    );
    assert_eq!(backup.client_status, Some(DriveClientStatus::OffLine));
    assert_eq!(
        backup.client_type,
        Some(DriveClientType::Unknown("drive_backup".into()))
    );
    assert_eq!(
        (&bare.client_id, &bare.client_status, &bare.login_time),
        (&None, &None, &None),
        "no field is guaranteed"
    );
}

#[tokio::test]
async fn drive_connections_stream_by_pages() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7().page_cap(10)).await;
    let items = (0..25)
        .map(|i| json!({"client_id": format!("c{i}"), "client_type": "unknown"}))
        .collect();
    dsm.set_items("SYNO.SynologyDrive.Connection", "list", items);
    let all: Vec<_> = client
        .synology_drive()
        .connection()
        .list()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 25);
    assert_eq!(all[24].client_id.as_deref(), Some("c24"));
    assert_eq!(all[0].client_type, Some(DriveClientType::UnknownType));
    assert_eq!(dsm.requests().len(), 3, "pages of 10: 10 + 10 + 5");
}

#[tokio::test]
async fn drive_summary_decodes_a_real_answer() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7()).await;
    dsm.set_answer(
        "SYNO.SynologyDrive.Connection",
        "summary",
        json!({"summary": {"desktop": "4", "mobile": 2, "total": 6, "web": 0}, "later_field": 1}),
    );
    let s = client
        .synology_drive()
        .connection()
        .summary()
        .send()
        .await
        .unwrap();
    assert_eq!(s.summary.desktop, Some(4));
    assert_eq!(s.summary.mobile, Some(2));
    assert_eq!(s.summary.sharesync, None, "every count is optional");
    assert_eq!(s.summary.total, Some(6));
}

#[tokio::test]
async fn share_sync_additional_fields_decode() {
    let (dsm, client) = common::logged_in(MockConfig::dsm7()).await;
    dsm.set_answer(
        "SYNO.SynologyDriveShareSync.Connection",
        "list",
        json!({"conn": [], "is_pause": false, "total": 0, "tray_status": "uptodate",
               "update_count": "3", "newest_change": {"action": "upload", "base_name": "a.txt"}}),
    );
    let page = client
        .synology_drive_share_sync()
        .connection()
        .list()
        .additional(vec![ShareSyncAdditional::NewestChange])
        .send()
        .await
        .unwrap();
    assert_eq!(page.tray_status.as_deref(), Some("uptodate"));
    assert_eq!(page.update_count, Some(3));
    let change = page.newest_change.unwrap();
    assert_eq!(change.base_name.as_deref(), Some("a.txt"));
    assert_eq!(change.action, Some(json!("upload")));
}
