//! The shapes typed from public evidence for the APIs real DSM boxes publish, decoding
//! realistic answers set on the mock (integers as strings, fields this client does not know,
//! fields left out, open enums): connection and task settings, sync sessions, selective sync,
//! the package's settings, the connection overview, Drive's connected clients (streamed by
//! pages too) and counts, and Share Sync's additional fields.

#![cfg(all(
    feature = "mock",
    feature = "cloud-sync",
    feature = "synology-drive",
    feature = "synology-drive-share-sync"
))]

mod common;

use futures_util::TryStreamExt;
use serde_json::json;
use synology_client::cloud_sync::{AdminMode, LogAction, SyncDirection};
use synology_client::mock::MockConfig;
use synology_client::synology_drive::{DriveClientStatus, DriveClientType};
use synology_client::synology_drive_share_sync::ShareSyncAdditional;

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
