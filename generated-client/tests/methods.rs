//! Every spec method, called through real HTTP against the mock DSM: the decoded value is
//! the documented example, and the request log shows the wire form (verb, path, params).

#![cfg(all(
    feature = "mock",
    feature = "cloud-sync",
    feature = "synology-drive",
    feature = "synology-drive-share-sync"
))]

mod common;

use std::collections::BTreeMap;

use common::logged_in;
use synology_client::UnixTime;
use synology_client::cloud_sync::{CloudType, ConnectionStatus, LogType};
use synology_client::mock::{MockConfig, MockDsm, RecordedRequest};
use synology_client::synology_drive::{ClientType, SyncStatus};

/// The one request the test made: exactly one was sent.
fn only_request(dsm: &MockDsm) -> RecordedRequest {
    let requests = dsm.requests();
    assert_eq!(requests.len(), 1, "expected one request, got {requests:#?}");
    requests.into_iter().next().expect("one request")
}

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn cloud_sync_connection_list() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let list = client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .expect("list");
    assert_eq!(list.total, 1);
    let c = &list.connections[0];
    assert_eq!(c.conn_id, 1);
    assert_eq!(c.cloud_type, CloudType::Gdrive);
    assert_eq!(c.display_name, "My Google Drive");
    assert_eq!(c.status, ConnectionStatus::Connected);
    assert_eq!(c.account, "user@gmail.com");
    let r = only_request(&dsm);
    assert_eq!(
        (r.verb.as_str(), r.path.as_str()),
        ("GET", "/webapi/entry.cgi")
    );
    assert_eq!(
        r.params,
        params(&[
            ("api", "SYNO.CloudSync.Connection"),
            ("version", "1"),
            ("method", "List"),
            ("_sid", "***")
        ])
    );
}

#[tokio::test]
async fn cloud_sync_connection_get() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let c = client
        .cloud_sync()
        .connection()
        .get(7)
        .send()
        .await
        .expect("get");
    assert_eq!(c.quota_total, 17_179_869_184);
    assert_eq!(c.quota_used, 5_368_709_120);
    assert_eq!(c.cloud_type, CloudType::Gdrive);
    let r = only_request(&dsm);
    assert_eq!(r.verb, "GET");
    assert_eq!(
        r.params,
        params(&[
            ("api", "SYNO.CloudSync.Connection"),
            ("version", "1"),
            ("method", "Get"),
            ("conn_id", "7"),
            ("_sid", "***")
        ])
    );
}

#[tokio::test]
async fn cloud_sync_connection_pause_and_resume_are_posts() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    client
        .cloud_sync()
        .connection()
        .pause(3)
        .send()
        .await
        .expect("pause");
    client
        .cloud_sync()
        .connection()
        .resume(3)
        .send()
        .await
        .expect("resume");
    let requests = dsm.requests();
    assert_eq!(requests.len(), 2);
    for (r, method) in requests.iter().zip(["Pause", "Resume"]) {
        assert_eq!(
            (r.verb.as_str(), r.path.as_str()),
            ("POST", "/webapi/entry.cgi")
        );
        assert_eq!(
            r.params,
            params(&[
                ("api", "SYNO.CloudSync.Connection"),
                ("version", "1"),
                ("method", method),
                ("conn_id", "3"),
                ("_sid", "***")
            ])
        );
    }
}

#[tokio::test]
async fn cloud_sync_connection_log_list_with_paging_params() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let page = client
        .cloud_sync()
        .connection_log()
        .list(1)
        .offset(0)
        .limit(50)
        .send()
        .await
        .expect("log list");
    assert_eq!(page.total, 1);
    let entry = &page.logs[0];
    assert_eq!(entry.time, UnixTime(1_732_788_000));
    assert_eq!(entry.type_, LogType::Info);
    assert_eq!(entry.message, "Sync completed successfully");
    let r = only_request(&dsm);
    assert_eq!(r.verb, "GET");
    assert_eq!(
        r.params,
        params(&[
            ("api", "SYNO.CloudSync.Connection.Log"),
            ("version", "1"),
            ("method", "List"),
            ("conn_id", "1"),
            ("offset", "0"),
            ("limit", "50"),
            ("_sid", "***")
        ])
    );
}

#[tokio::test]
async fn unset_optional_params_are_not_sent() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    client
        .cloud_sync()
        .connection_log()
        .list(1)
        .send()
        .await
        .expect("log list");
    let r = only_request(&dsm);
    assert!(
        !r.params.contains_key("offset") && !r.params.contains_key("limit"),
        "{r:?}"
    );
}

#[tokio::test]
async fn synology_drive_connections_get_summary() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let s = client
        .synology_drive()
        .connections()
        .get_summary()
        .send()
        .await
        .expect("summary");
    assert_eq!(
        (
            s.total_connections,
            s.desktop_clients,
            s.mobile_clients,
            s.web_clients
        ),
        (25, 15, 8, 2)
    );
    let r = only_request(&dsm);
    assert_eq!(r.verb, "GET");
    assert_eq!(
        r.params,
        params(&[
            ("api", "SYNO.SynologyDrive.Connections"),
            ("version", "1"),
            ("method", "GetSummary"),
            ("_sid", "***")
        ])
    );
}

#[tokio::test]
async fn synology_drive_connections_list() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let list = client
        .synology_drive()
        .connections()
        .list()
        .send()
        .await
        .expect("list");
    assert_eq!(list.total, 1);
    let c = &list.connections[0];
    assert_eq!(c.user, "john.doe");
    assert_eq!(c.client_type, ClientType::Desktop);
    assert_eq!(c.client_version, "3.4.0");
    assert_eq!(c.ip_address, "192.168.1.100");
    assert_eq!(c.connected_time, UnixTime(1_732_788_000));
    let r = only_request(&dsm);
    assert_eq!(
        r.params,
        params(&[
            ("api", "SYNO.SynologyDrive.Connections"),
            ("version", "1"),
            ("method", "List"),
            ("_sid", "***")
        ])
    );
}

#[tokio::test]
async fn synology_drive_share_sync_list_connections() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let list = client
        .synology_drive()
        .share_sync()
        .list_connections()
        .send()
        .await
        .expect("list");
    let c = &list.connections[0];
    assert_eq!(c.share_name, "Team Projects");
    assert_eq!(c.sync_status, SyncStatus::Syncing);
    assert_eq!((c.files_synced, c.bytes_synced), (150, 104_857_600));
    let r = only_request(&dsm);
    assert_eq!(r.verb, "GET");
    assert_eq!(
        r.params,
        params(&[
            ("api", "SYNO.SynologyDrive.ShareSync"),
            ("version", "1"),
            ("method", "ListConnections"),
            ("_sid", "***")
        ])
    );
}

#[tokio::test]
async fn synology_drive_user_profile_get() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let p = client
        .synology_drive()
        .user_profile()
        .get("john.doe")
        .send()
        .await
        .expect("profile");
    assert_eq!(p.user, "john.doe");
    assert_eq!(
        (p.quota_used, p.quota_total),
        (5_368_709_120, 107_374_182_400)
    );
    assert_eq!((p.file_count, p.folder_count), (500, 50));
    assert_eq!(p.last_sync_time, UnixTime(1_732_788_000));
    let r = only_request(&dsm);
    assert_eq!(
        r.params,
        params(&[
            ("api", "SYNO.SynologyDrive.UserProfile"),
            ("version", "1"),
            ("method", "Get"),
            ("user", "john.doe"),
            ("_sid", "***")
        ])
    );
}

#[tokio::test]
async fn stream_walks_every_page() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let items: Vec<serde_json::Value> = (0..250)
        .map(|i| serde_json::json!({"time": 1_700_000_000 + i, "type": "info", "message": format!("entry {i}")}))
        .collect();
    dsm.set_items("SYNO.CloudSync.Connection.Log", "List", items);
    use futures_util::TryStreamExt;
    let all: Vec<_> = client
        .cloud_sync()
        .connection_log()
        .list(1)
        .limit(100)
        .stream()
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(all.len(), 250);
    assert!(
        all.iter()
            .enumerate()
            .all(|(i, e)| e.message == format!("entry {i}")),
        "each item once, in order"
    );
    let offsets: Vec<String> = dsm
        .requests()
        .iter()
        .map(|r| r.params["offset"].clone())
        .collect();
    assert_eq!(offsets, ["0", "100", "200"]);
}

/// DSM serves some APIs from a folder under `/webapi/` (`AudioStation/album.cgi`): the
/// request goes there, and the mock answers there (and only there).
#[cfg(feature = "audio-station")]
#[tokio::test]
async fn an_api_in_a_webapi_subfolder_is_called_at_its_path() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let albums = client
        .audio_station()
        .album()
        .list()
        .send()
        .await
        .expect("the mock answers at AudioStation/album.cgi");
    assert_eq!(albums.total, Some(1));
    let sent = only_request(&dsm);
    assert_eq!(sent.path, "/webapi/AudioStation/album.cgi");
    assert_eq!(sent.params["api"], "SYNO.AudioStation.Album");
    // Another folder is another CGI: DSM's "no such API".
    let elsewhere = client
        .raw("SYNO.AudioStation.Album", "list")
        .path("Other/album.cgi")
        .send_json()
        .await
        .unwrap_err();
    assert_eq!(elsewhere.code(), Some(102), "{elsewhere}");
}
