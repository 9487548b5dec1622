//! Discovery against the `SYNO.API.Info` answers recorded from real DSM 5, DSM 6 (base and with
//! packages) and DSM 7 boxes (`../shared/fixtures/real-dsm/`), served by the mock: paths
//! (DSM 5's `____…entry.cgi` too), versions, and which spec APIs each box has, checked
//! against the table of that directory's README. Skips with a message when the recordings
//! are absent, unless `SYNOLOGY_SHARED_REQUIRED=1` (CI).

#![cfg(all(
    feature = "mock",
    feature = "cloud-sync",
    feature = "synology-drive",
    feature = "synology-drive-share-sync"
))]

mod common;

use std::path::{Path, PathBuf};

use synology_client::mock::{MockConfig, MockDsm};
use synology_client::{Client, Error};

fn recordings() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/real-dsm");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("SYNOLOGY_SHARED_REQUIRED").is_ok_and(|v| v == "1") {
        panic!("{} is absent and SYNOLOGY_SHARED_REQUIRED=1", dir.display());
    }
    eprintln!(
        "skipped: {} is absent (set SYNOLOGY_SHARED_REQUIRED=1 to make this a failure)",
        dir.display()
    );
    None
}

/// DSM 5's path for package APIs, as its API.Info reports it.
const DSM5_ENTRY: &str = "_______________________________________________________entry.cgi";

/// What one recorded box publishes, from the facts in the recordings' README.
struct Box {
    name: &'static str,
    file: &'static str,
    /// How many APIs its answer lists.
    apis: usize,
    /// `SYNO.API.Auth`: path and highest version.
    auth: (&'static str, u32),
    /// The spec's real-DSM APIs it publishes: name, path, min and max version. Every other
    /// spec API (the seed ones among them) is absent.
    has: &'static [(&'static str, &'static str, u32, u32)],
}

const BOXES: [Box; 4] = [
    Box {
        name: "DSM 5",
        file: "dsm5_api_info.json",
        apis: 402,
        auth: ("auth.cgi", 4),
        has: &[("SYNO.CloudSync", DSM5_ENTRY, 1, 1)],
    },
    Box {
        name: "DSM 6 (base)",
        file: "dsm6_api_info.json",
        apis: 547,
        auth: ("auth.cgi", 6),
        has: &[],
    },
    Box {
        name: "DSM 6 (packages)",
        file: "dsm6_packages_api_info.json",
        apis: 812,
        auth: ("auth.cgi", 6),
        has: &[
            ("SYNO.CloudSync", "entry.cgi", 1, 1),
            ("SYNO.SynologyDrive.Connection", "entry.cgi", 1, 1),
            ("SYNO.SynologyDriveShareSync.Connection", "entry.cgi", 1, 1),
            ("SYNO.SynologyDrive.Profile", "entry.cgi", 1, 1),
        ],
    },
    Box {
        name: "DSM 7",
        file: "dsm7_api_info.json",
        apis: 1076,
        auth: ("entry.cgi", 7),
        has: &[
            ("SYNO.SynologyDrive.Connection", "entry.cgi", 1, 2),
            ("SYNO.SynologyDriveShareSync.Connection", "entry.cgi", 1, 1),
            ("SYNO.SynologyDrive.Profiles", "entry.cgi", 1, 2),
        ],
    },
];

/// A mock that publishes what `b` published, and a client logged in to it.
async fn replay(dir: &Path, b: &Box) -> (MockDsm, Client) {
    let text = std::fs::read_to_string(dir.join(b.file)).expect("recording readable");
    let config = MockConfig::from_api_info(&text).expect("a recorded API.Info answer");
    common::logged_in(config).await
}

/// Calls one method of `api` (the spec's real-DSM APIs) and returns the result's error, if any.
async fn call(client: &Client, api: &str) -> Result<(), Error> {
    match api {
        "SYNO.CloudSync" => client.cloud_sync().list_conn().send().await.map(drop),
        "SYNO.SynologyDrive.Connection" => client
            .synology_drive()
            .connection()
            .list()
            .send()
            .await
            .map(drop),
        "SYNO.SynologyDriveShareSync.Connection" => client
            .synology_drive_share_sync()
            .connection()
            .list()
            .send()
            .await
            .map(drop),
        "SYNO.SynologyDrive.Profiles" => client
            .synology_drive()
            .profiles()
            .list()
            .send()
            .await
            .map(drop),
        "SYNO.SynologyDrive.Profile" => client
            .synology_drive()
            .profile()
            .list()
            .send()
            .await
            .map(drop),
        other => panic!("no call for {other}"),
    }
}

const REAL_APIS: [&str; 5] = [
    "SYNO.CloudSync",
    "SYNO.SynologyDrive.Connection",
    "SYNO.SynologyDriveShareSync.Connection",
    "SYNO.SynologyDrive.Profiles",
    "SYNO.SynologyDrive.Profile",
];

#[tokio::test]
async fn each_recorded_box_is_discovered_as_it_published() {
    let Some(dir) = recordings() else { return };
    for b in &BOXES {
        let text = std::fs::read_to_string(dir.join(b.file)).unwrap();
        let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(raw["data"].as_object().unwrap().len(), b.apis, "{}", b.name);

        // Logging in used the box's Auth path and its highest version.
        let dsm = MockDsm::start_with(MockConfig::from_api_info(&text).unwrap())
            .await
            .unwrap();
        let client = dsm.client().unwrap();
        client.login("demo", "synology-demo").await.unwrap();
        let login = dsm
            .requests()
            .into_iter()
            .find(|r| r.params.get("api").is_some_and(|a| a == "SYNO.API.Auth"))
            .expect("a login request");
        assert_eq!(login.path, format!("/webapi/{}", b.auth.0), "{}", b.name);
        assert_eq!(login.params["version"], b.auth.1.to_string(), "{}", b.name);

        // Every API this client knows (imported ones included): present exactly when the
        // box's answer lists it; and the table's APIs are among them.
        let listed = raw["data"].as_object().unwrap();
        for (name, ..) in b.has {
            assert!(listed.contains_key(*name), "{}: {name}", b.name);
        }
        for api in synology_client::known_apis() {
            let expected = match api {
                "SYNO.API.Info" | "SYNO.API.Auth" => true,
                _ => listed.contains_key(api),
            };
            assert_eq!(
                client.has_api(api).await.unwrap(),
                expected,
                "{}: {api}",
                b.name
            );
        }

        // Each published real API answers at the recorded path, in the highest version both
        // sides speak; each absent one is Unsupported before anything is sent.
        for api in REAL_APIS {
            dsm.clear_requests();
            let result = call(&client, api).await;
            let sent = dsm.requests();
            match b.has.iter().find(|(name, ..)| *name == api) {
                Some((_, path, _, max)) => {
                    result.unwrap_or_else(|e| panic!("{}: {api}: {e}", b.name));
                    assert_eq!(sent.len(), 1, "{}: {api}", b.name);
                    assert_eq!(sent[0].path, format!("/webapi/{path}"), "{}: {api}", b.name);
                    assert_eq!(
                        sent[0].params["version"],
                        max.to_string(),
                        "{}: {api}",
                        b.name
                    );
                }
                None => {
                    match result {
                        Err(Error::Unsupported {
                            api: named,
                            available: None,
                            ..
                        }) => assert_eq!(named, api),
                        other => panic!("{}: {api}: expected Unsupported, got {other:?}", b.name),
                    }
                    assert!(sent.is_empty(), "{}: {api} sent {sent:?}", b.name);
                }
            }
        }
        // The seed APIs: documented, published by no recorded box.
        let seed = client.cloud_sync().connection().list().send().await;
        assert!(
            matches!(
                seed,
                Err(Error::Unsupported {
                    available: None,
                    ..
                })
            ),
            "{}: {seed:?}",
            b.name
        );
    }
}

/// The table above agrees with the recordings' README, cell by cell.
#[test]
fn the_expectations_match_the_recordings_readme() {
    let Some(dir) = recordings() else { return };
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let rows: Vec<Vec<String>> = readme
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("| DSM"))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), BOXES.len(), "one README row per recorded box");
    let columns = [
        "SYNO.CloudSync",
        "SYNO.SynologyDrive.Connection",
        "SYNO.SynologyDriveShareSync.Connection",
        "profiles",
    ];
    for (row, b) in rows.iter().zip(&BOXES) {
        assert_eq!(row[0], b.name);
        for (cell, column) in row[1..].iter().zip(columns) {
            let ours = b.has.iter().find(|(name, ..)| match column {
                "profiles" => name.starts_with("SYNO.SynologyDrive.Profile"),
                _ => *name == column,
            });
            match ours {
                None => assert!(
                    cell.starts_with('–'),
                    "{}: {column}: README says {cell}",
                    b.name
                ),
                Some((name, path, min, max)) => {
                    assert!(
                        cell.contains(&format!("{min}-{max}")),
                        "{}: {column}: {cell}",
                        b.name
                    );
                    if column == "profiles" {
                        assert!(cell.contains(&format!("`{name}`")), "{}: {cell}", b.name);
                    } else if path.starts_with('_') {
                        assert!(cell.contains("____…entry.cgi"), "{}: {cell}", b.name);
                    } else {
                        assert!(cell.starts_with(path), "{}: {column}: {cell}", b.name);
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn summary_needs_version_2_and_says_so_before_sending() {
    let Some(dir) = recordings() else { return };
    // DSM 6 with packages offers SYNO.SynologyDrive.Connection 1-1 only.
    let (dsm, client) = replay(&dir, &BOXES[2]).await;
    let err = client
        .synology_drive()
        .connection()
        .summary()
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::Unsupported {
            api,
            needed_version,
            available,
            ..
        } => {
            assert_eq!(*api, "SYNO.SynologyDrive.Connection");
            assert_eq!(*needed_version, 2);
            assert_eq!(*available, Some((1, 1)));
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    assert!(err.to_string().contains("version 2"), "{err}");
    assert!(dsm.requests().is_empty(), "{:?}", dsm.requests());

    // DSM 7 offers 1-2: summary goes out as version 2.
    let (dsm, client) = replay(&dir, &BOXES[3]).await;
    client
        .synology_drive()
        .connection()
        .summary()
        .send()
        .await
        .unwrap();
    assert_eq!(dsm.requests()[0].params["version"], "2");
}
