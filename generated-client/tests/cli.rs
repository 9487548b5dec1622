//! The `synology` binary, end to end: every method with `--mock`, `--all`, the README's
//! capability table, JSON request formats, each exit code, the device-token file and
//! `mock-server`. Runs the built binary; the NAS is the mock DSM. What the binary keeps from
//! the terminal and the logs (passwords, control characters) and plain `http://` are in
//! `cli_safety.rs`.

#![cfg(feature = "cli")]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::cli::{BIN, stdout_json, synology};
use serde_json::{Value, json};
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_runs_against_the_embedded_mock() {
    let cases: [(&[&str], Value); 19] = [
        // The real DSM APIs: a family-level API's methods sit right under the family.
        (
            &[
                "cloud-sync",
                "list-conn",
                "--group-by",
                "group_by_cloud_type",
            ],
            json!({"total": 1, "tray_status": "uptodate"}),
        ),
        (
            &["cloud-sync", "get-property", "--connection-id", "3"],
            json!({"quota_total": 2_147_483_648_u64}),
        ),
        (
            &[
                "cloud-sync",
                "get-connection-setting",
                "--connection-id",
                "3",
            ],
            json!({"task_name": "Dropbox", "pull_event_period": 60}),
        ),
        (&["cloud-sync", "pause"], json!({})),
        (&["cloud-sync", "resume", "--connection-id", "3"], json!({})),
        (
            &[
                "cloud-sync",
                "get-log",
                "--connection-id",
                "3",
                "--keyword",
                "report",
                "--log-level",
                "2",
            ],
            json!({"total": 1}),
        ),
        (
            &["synology-drive", "connection", "list"],
            json!({"total": 1}),
        ),
        (
            &["synology-drive", "connection", "summary"],
            json!({"summary": {"desktop": 3, "mobile": 1, "sharesync": 1, "total": 5}}),
        ),
        (&["synology-drive", "profiles", "list"], json!({"total": 0})),
        (
            &["synology-drive-share-sync", "connection", "list"],
            json!({"is_pause": false, "total": 0}),
        ),
        (&["cloud-sync", "connection", "list"], json!({"total": 1})),
        (
            &["cloud-sync", "connection", "get", "--conn-id", "1"],
            json!({"quota_total": 17_179_869_184_u64}),
        ),
        (
            &["cloud-sync", "connection", "pause", "--conn-id", "1"],
            json!({}),
        ),
        (
            &["cloud-sync", "connection", "resume", "--conn-id", "1"],
            json!({}),
        ),
        (
            &[
                "cloud-sync",
                "connection-log",
                "list",
                "--conn-id",
                "1",
                "--limit",
                "50",
            ],
            json!({"total": 1}),
        ),
        (
            &["synology-drive", "connections", "get-summary"],
            json!({"total_connections": 25}),
        ),
        (
            &["synology-drive", "connections", "list"],
            json!({"total": 1}),
        ),
        (
            &["synology-drive", "share-sync", "list-connections"],
            json!({"total": 1}),
        ),
        (
            &[
                "synology-drive",
                "user-profile",
                "get",
                "--user",
                "john.doe",
            ],
            json!({"file_count": 500}),
        ),
    ];
    for (args, expected) in cases {
        let mut full = vec!["--mock"];
        full.extend_from_slice(args);
        let got = stdout_json(&synology(&full, &[]).await);
        for (k, v) in expected.as_object().unwrap() {
            assert_eq!(&got[k], v, "{args:?}: {got}");
        }
        if expected.as_object().unwrap().is_empty() {
            assert_eq!(
                got,
                json!({}),
                "{args:?}: a method without data prints {{}}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_are_aligned_with_a_header() {
    let out = synology(
        &[
            "--mock",
            "--output",
            "table",
            "synology-drive",
            "connections",
            "list",
        ],
        &[],
    )
    .await;
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "user      client_type  client_version  ip_address     connected_time"
    );
    assert_eq!(
        lines[1],
        "john.doe  desktop      3.4.0           192.168.1.100  1732788000"
    );
    assert_eq!(lines[2], "total: 1");
}

async fn mock_with_items(config: MockConfig, n: usize) -> MockDsm {
    let dsm = MockDsm::start_with(config).await.unwrap();
    let items: Vec<Value> = (0..n)
        .map(|i| json!({"time": i, "type": "info", "message": format!("m{i}")}))
        .collect();
    dsm.set_items("SYNO.CloudSync.Connection.Log", "List", items);
    dsm
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_streams_every_page_into_one_list() {
    let dsm = mock_with_items(MockConfig::dsm7().page_cap(40), 250).await;
    let args = [
        "--url",
        dsm.url(),
        "--user",
        DEMO_USER,
        "cloud-sync",
        "connection-log",
        "list",
        "--conn-id",
        "1",
        "--all",
    ];
    let out = synology(&args, &[("SYNOLOGY_PASSWORD", DEMO_PASSWORD)]).await;
    let list = stdout_json(&out);
    let messages: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 250);
    assert_eq!((messages[0], messages[249]), ("m0", "m249"));
    assert!(
        out.stderr.is_empty(),
        "no progress bar without a terminal: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every command of the README's capability table runs against the embedded mock, and every
/// API the table names is one this client knows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_capability_table_is_true() {
    let readme = include_str!("../../README.md");
    let table = readme
        .split("## What it covers")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has its capability table");
    let known: Vec<&str> = synology_client::known_apis().collect();
    let mut commands = 0;
    for row in table
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("`synology "))
    {
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        for api in cells[1..3]
            .iter()
            .flat_map(|c| c.split('`'))
            .filter(|t| t.starts_with("SYNO."))
        {
            assert!(known.contains(&api), "{api} is not in the spec");
        }
        let command = cells[3]
            .trim_matches('`')
            .strip_prefix("synology ")
            .unwrap();
        // `[--flag value]` is optional: run it without.
        let command = command.split(" [").next().unwrap();
        let mut args = vec!["--mock"];
        args.extend(command.split_whitespace());
        let out = synology(&args, &[]).await;
        assert!(
            out.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        commands += 1;
    }
    assert_eq!(commands, 9, "one command per capability");
}

/// An API whose spec says `request_format: json`: flags take plain values, the wire carries
/// JSON text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_request_format_from_the_command_line() {
    let dsm = MockDsm::start().await.unwrap();
    let args = [
        "--url",
        dsm.url(),
        "--user",
        DEMO_USER,
        "cloud-sync",
        "get-log",
        "--connection-id",
        "3",
        "--keyword",
        "annual report",
        "--action",
        "2",
    ];
    let out = synology(&args, &[("SYNOLOGY_PASSWORD", DEMO_PASSWORD)]).await;
    stdout_json(&out);
    let sent = dsm
        .requests()
        .into_iter()
        .find(|r| r.params.get("method").is_some_and(|m| m == "get_log"))
        .expect("get_log was sent");
    assert_eq!(sent.params["keyword"], "\"annual report\"");
    assert_eq!(sent.params["connection_id"], "3");
    assert_eq!(sent.params["action"], "2");
    assert_eq!(sent.params["api"], "SYNO.CloudSync");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes() {
    let dsm = MockDsm::start().await.unwrap();
    let pw = [("SYNOLOGY_PASSWORD", DEMO_PASSWORD)];
    let nas = ["--url", dsm.url(), "--user", DEMO_USER];
    let run = |extra: &'static [&'static str]| {
        let mut args: Vec<&str> = nas.to_vec();
        args.extend_from_slice(extra);
        args
    };

    // 2: usage errors, including a global flag after the family and a missing password.
    for args in [
        vec!["--mock", "cloud-sync", "nope"],
        vec!["--mock", "cloud-sync", "connection", "get"],
        vec![
            "--mock",
            "cloud-sync",
            "--output",
            "json",
            "connection",
            "list",
        ],
        vec!["--user", "x", "cloud-sync", "connection", "list"],
    ] {
        let out = synology(&args, &pw).await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = synology(&run(&["cloud-sync", "connection", "list"]), &[]).await;
    assert_eq!(out.status.code(), Some(2), "no password and no terminal");
    assert!(String::from_utf8_lossy(&out.stderr).contains("SYNOLOGY_PASSWORD"));

    // 3: a DSM error from a call (105 too) names the code and its meaning.
    dsm.fail_with_code("SYNO.CloudSync.Connection", "List", 105);
    let out = synology(&run(&["cloud-sync", "connection", "list"]), &pw).await;
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("105") && err.contains("permission"), "{err}");

    // 4: HTTP status and network errors.
    dsm.fail_with_http("SYNO.CloudSync.Connection", "List", 502, "bad gateway");
    assert_eq!(
        synology(&run(&["cloud-sync", "connection", "list"]), &pw)
            .await
            .status
            .code(),
        Some(4)
    );
    let refused = [
        "--url",
        "http://127.0.0.1:1",
        "--user",
        DEMO_USER,
        "cloud-sync",
        "connection",
        "list",
    ];
    assert_eq!(synology(&refused, &pw).await.status.code(), Some(4));

    // 5: a failed login names the DSM code.
    let out = synology(
        &run(&["cloud-sync", "connection", "list"]),
        &[("SYNOLOGY_PASSWORD", "wrong")],
    )
    .await;
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("400"));

    // 0, and --help is not an error.
    dsm.clear_fault("SYNO.CloudSync.Connection", "List");
    assert_eq!(
        synology(&run(&["cloud-sync", "connection", "list"]), &pw)
            .await
            .status
            .code(),
        Some(0)
    );
    let help = synology(&["cloud-sync", "connection-log", "list", "--help"], &[]).await;
    assert_eq!(help.status.code(), Some(0));
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--conn-id") && help.contains("Connection ID") && help.contains("--all"),
        "{help}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_token_file_is_written_after_an_otp_login_and_used_after() {
    let dsm = MockDsm::start_with(MockConfig::dsm7().otp_user("ann", "pw", "123456"))
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("synology-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token = dir.join("device-token");
    let _ = std::fs::remove_file(&token);
    let token_arg = token.to_str().unwrap();
    let pw = [("SYNOLOGY_PASSWORD", "pw")];
    let base = [
        "--url",
        dsm.url(),
        "--user",
        "ann",
        "--device-token-file",
        token_arg,
    ];

    let mut no_code = base.to_vec();
    no_code.extend(["cloud-sync", "connection", "list"]);
    let out = synology(&no_code, &pw).await;
    assert_eq!(
        out.status.code(),
        Some(5),
        "an OTP is needed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("2-factor"));

    let mut with_code = base.to_vec();
    with_code.extend(["--otp", "123456", "cloud-sync", "connection", "list"]);
    stdout_json(&synology(&with_code, &pw).await);
    let saved = std::fs::read_to_string(&token).expect("token written");
    assert!(saved.starts_with("mock-device-token-"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&token).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    stdout_json(&synology(&no_code, &pw).await);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_server_prints_its_url_and_serves() {
    let mut child = common::without_user_config(&mut Command::new(BIN))
        .args(["mock-server", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .unwrap()
    .unwrap();
    let url = line.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");
    let info: Value = reqwest::get(format!(
        "{url}/webapi/query.cgi?api=SYNO.API.Info&version=1&method=query&query=all"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        info["data"]["SYNO.CloudSync.Connection"]["path"],
        "entry.cgi"
    );
    let out = synology(
        &[
            "--url",
            &url,
            "--user",
            DEMO_USER,
            "cloud-sync",
            "connection",
            "list",
        ],
        &[("SYNOLOGY_PASSWORD", DEMO_PASSWORD)],
    )
    .await;
    stdout_json(&out);
    child.kill().unwrap();
    let _ = child.wait();
}
