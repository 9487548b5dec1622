//! `synology api` (raw calls) and `synology apis` (what the NAS publishes), end to end: the
//! built binary against the mock DSM, whose request log shows what went on the wire.

#![cfg(all(feature = "cli", feature = "cloud-sync", feature = "synology-drive"))]

mod common;

use std::process::Output;

use serde_json::{Value, json};
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm, RecordedRequest};

use common::cli::synology;

/// Runs `synology --url <dsm> --user demo <args>` with the demo password.
async fn against(dsm: &MockDsm, args: &[&str]) -> Output {
    let mut full = vec!["--url", dsm.url(), "--user", DEMO_USER];
    full.extend_from_slice(args);
    synology(&full, &[("SYNOLOGY_PASSWORD", DEMO_PASSWORD)]).await
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}; stderr: {}",
        out.status.code(),
        stderr(out)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// The last request the mock received for `api` `method`.
fn sent(dsm: &MockDsm, api: &str, method: &str) -> RecordedRequest {
    dsm.requests()
        .into_iter()
        .rev()
        .find(|r| r.params.get("api").is_some_and(|a| a == api) && r.params["method"] == method)
        .unwrap_or_else(|| panic!("{api} {method} was not sent: {:?}", dsm.requests()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_raw_call_prints_the_data_as_compact_json_and_logs_out() {
    let out = synology(&["--mock", "api", "SYNO.CloudSync.Connection", "List"], &[]).await;
    let data = stdout_json(&out);
    assert_eq!(data["connections"][0]["conn_id"], 1, "{data}");
    assert_eq!(data["total"], 1);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().count(),
        1,
        "compact without a terminal: {text}"
    );

    // Through --url and the credentials as every command; the session is freed after.
    let dsm = MockDsm::start().await.unwrap();
    let out = against(
        &dsm,
        &["api", "SYNO.CloudSync.Connection", "Pause", "conn_id=1"],
    )
    .await;
    assert_eq!(stdout_json(&out), json!({}), "no data prints {{}}");
    let last = dsm.requests().pop().unwrap();
    assert_eq!(
        (last.params["api"].as_str(), last.params["method"].as_str()),
        ("SYNO.API.Auth", "logout")
    );

    // --output table renders the data as every command's tables.
    let out = against(
        &dsm,
        &[
            "--output",
            "table",
            "api",
            "SYNO.CloudSync.Connection",
            "List",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with("total: 1\n"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_value_sends_a_string_and_f_a_json_value_in_the_api_s_encoding() {
    let dsm = MockDsm::start().await.unwrap();
    // SYNO.CloudSync takes JSON-encoded values: a string is quoted, a JSON value is as given.
    let out = against(
        &dsm,
        &[
            "api",
            "SYNO.CloudSync",
            "get_log",
            "-F",
            "connection_id=3",
            "keyword=annual report",
            "--field",
            "offset=0",
            "-F",
            r#"date_from="2024""#,
            "limit=7",
            "-F",
            r#"extra={"a": [1, true]}"#,
        ],
    )
    .await;
    assert_eq!(stdout_json(&out)["total"], 1);
    let log = sent(&dsm, "SYNO.CloudSync", "get_log");
    assert_eq!(log.params["connection_id"], "3");
    assert_eq!(log.params["keyword"], "\"annual report\"");
    assert_eq!(log.params["offset"], "0");
    assert_eq!(log.params["date_from"], "\"2024\"");
    assert_eq!(log.params["limit"], "\"7\"", "KEY=VALUE is a string");
    assert_eq!(log.params["extra"], r#"{"a":[1,true]}"#);
    assert_eq!(log.verb, "POST");

    // A plain API: strings as they are, JSON values as their text.
    let out = against(
        &dsm,
        &[
            "api",
            "SYNO.CloudSync.Connection.Log",
            "List",
            "conn_id=1",
            "-F",
            "limit=5",
            "-F",
            r#"keyword="a b""#,
        ],
    )
    .await;
    stdout_json(&out);
    let list = sent(&dsm, "SYNO.CloudSync.Connection.Log", "List");
    assert_eq!(list.params["conn_id"], "1");
    assert_eq!(list.params["limit"], "5");
    assert_eq!(list.params["keyword"], "a b");

    // The later of two values of one name wins, in command-line order.
    let args = [
        "api",
        "SYNO.CloudSync.Connection.Log",
        "List",
        "-F",
        "conn_id=1",
        "conn_id=2",
    ];
    stdout_json(&against(&dsm, &args).await);
    assert_eq!(
        sent(&dsm, "SYNO.CloudSync.Connection.Log", "List").params["conn_id"],
        "2"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_and_get_are_honoured() {
    let dsm = MockDsm::start().await.unwrap();
    // SYNO.SynologyDrive.Connection is published 1-2: the highest by default.
    let list = ["api", "SYNO.SynologyDrive.Connection", "list"];
    stdout_json(&against(&dsm, &list).await);
    let seen = sent(&dsm, "SYNO.SynologyDrive.Connection", "list");
    assert_eq!(seen.params["version"], "2");
    let args: Vec<&str> = [&list[..], &["--version", "1", "--get"]].concat();
    stdout_json(&against(&dsm, &args).await);
    let seen = sent(&dsm, "SYNO.SynologyDrive.Connection", "list");
    assert_eq!(seen.params["version"], "1");
    assert_eq!(seen.verb, "GET");

    // A version the NAS does not offer is DSM's code 104.
    let args: Vec<&str> = [&list[..], &["--version", "9"]].concat();
    let out = against(&dsm, &args).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("104"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_exit_2_and_send_nothing() {
    let dsm = MockDsm::start().await.unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["-F", "offset=nope"], "-F offset"),
        (&["-F", "keyword={\"a\":"], "-F keyword"),
        (&["offset"], "offset"),
        (&["-F", "offset"], "-F offset"),
        (&["version=2"], "--version"),
    ];
    for (extra, named) in cases {
        let args: Vec<&str> = [&["api", "SYNO.CloudSync", "get_log"][..], extra].concat();
        let out = against(&dsm, &args).await;
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(named), "{extra:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    assert_eq!(dsm.requests(), Vec::new(), "not even a login was sent");

    // Missing API or METHOD: clap's usage error.
    let out = synology(&["--mock", "api", "SYNO.CloudSync"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_the_nas_does_not_publish_exits_3_naming_the_closest() {
    let out = synology(&["--mock", "api", "SYNO.Nope.Thing", "list"], &[]).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("SYNO.Nope.Thing is not published by this NAS"),
        "{err}"
    );
    assert!(err.contains("synology apis"), "points at the list: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    let out = synology(&["--mock", "api", "SYNO.CloudSync.Conection", "List"], &[]).await;
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("it does publish SYNO.CloudSync.Connection"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dsm_errors_name_their_code_102_for_an_api_the_mock_does_not_model() {
    let dsm = MockDsm::start().await.unwrap();
    let out = against(
        &dsm,
        &["api", "SYNO.Example.System", "info", "--path", "entry.cgi"],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("code 102") && err.contains("does not exist"),
        "{err}"
    );
    let seen = sent(&dsm, "SYNO.Example.System", "info");
    assert_eq!(seen.path, "/webapi/entry.cgi");

    // An unknown method of a modelled API: 103. An injected code: its meaning.
    let out = against(&dsm, &["api", "SYNO.CloudSync.Connection", "Nope"]).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("code 103"), "{}", stderr(&out));
    dsm.fail_with_code("SYNO.CloudSync.Connection", "List", 105);
    let out = against(&dsm, &["api", "SYNO.CloudSync.Connection", "List"]).await;
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(err.contains("105") && err.contains("permission"), "{err}");

    // A path that is not a plain CGI name never reaches the wire.
    dsm.clear_requests();
    let out = against(
        &dsm,
        &["api", "SYNO.Example.System", "info", "--path", "../x.cgi"],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        dsm.requests()
            .iter()
            .all(|r| r.params["api"] != "SYNO.Example.System")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_output_shows_no_control_character_and_reads_back_exactly() {
    let hostile = "a\u{1b}[2Jb\u{9b}c\u{7f}d\ne\u{202e}f\u{2066}";
    let dsm = MockDsm::start().await.unwrap();
    dsm.set_answer(
        "SYNO.CloudSync.Connection",
        "List",
        json!({"connections": [{"display_name": hostile}], "total": 1}),
    );
    let out = against(&dsm, &["api", "SYNO.CloudSync.Connection", "List"]).await;
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let raw: Vec<char> = text
        .trim_end_matches('\n')
        .chars()
        .filter(|c| c.is_control() || ('\u{202a}'..='\u{2069}').contains(c))
        .collect();
    assert_eq!(raw, Vec::<char>::new(), "{text}");
    assert_eq!(stdout_json(&out)["connections"][0]["display_name"], hostile);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_command_logs_in_with_the_device_token_as_every_command() {
    let dsm = MockDsm::start_with(MockConfig::dsm7().otp_user("ann", "pw", "123456"))
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("synology-cli-api-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token = dir.join("device-token");
    let _ = std::fs::remove_file(&token);
    let base = [
        "--url",
        dsm.url(),
        "--user",
        "ann",
        "--device-token-file",
        token.to_str().unwrap(),
    ];
    let call = ["api", "SYNO.CloudSync.Connection", "List"];
    let pw = [("SYNOLOGY_PASSWORD", "pw")];
    let no_code: Vec<&str> = [&base[..], &call].concat();
    assert_eq!(synology(&no_code, &pw).await.status.code(), Some(5));
    let with_code: Vec<&str> = [&base[..], &["--otp", "123456"], &call].concat();
    stdout_json(&synology(&with_code, &pw).await);
    assert!(
        std::fs::read_to_string(&token)
            .unwrap()
            .starts_with("mock-device-token-")
    );
    assert_eq!(stdout_json(&synology(&no_code, &pw).await)["total"], 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// DSM 7 plus two APIs the spec does not model, one taking JSON.
fn with_unmodelled_apis() -> MockConfig {
    MockConfig::dsm7()
        .api("SYNO.Example.System", "entry.cgi", 1, 3)
        .api("SYNO.Example.Files", "entry.cgi", 1, 2)
        .request_format("SYNO.Example.Files", "JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apis_lists_what_the_mock_publishes_with_coverage() {
    let out = synology(&["--mock", "apis", "--output", "json"], &[]).await;
    assert_eq!(out.status.code(), Some(2), "--output is a global flag");
    let out = synology(&["--mock", "--output", "json", "apis"], &[]).await;
    assert!(
        out.stderr.is_empty(),
        "no count line in JSON mode: {}",
        stderr(&out)
    );
    let list = stdout_json(&out);
    let rows = list.as_array().expect("a list");
    // MockConfig::dsm7() publishes every API the spec has, and the two of the login page it
    // answers without the spec, as DSM 7 does.
    let known: Vec<&str> = synology_client::known_apis().collect();
    let login_page = ["SYNO.API.Auth.UIConfig", "SYNO.API.Encryption"];
    assert_eq!(rows.len(), known.len() + login_page.len(), "{list}");
    for row in rows {
        for field in [
            "name",
            "min_version",
            "max_version",
            "path",
            "request_format",
            "spec_methods",
            "typed_methods",
        ] {
            assert!(row.get(field).is_some(), "{field} in {row}");
        }
        let name = row["name"].as_str().unwrap();
        if login_page.contains(&name) {
            assert_eq!(row["spec_methods"], 0, "raw only: {row}");
            continue;
        }
        assert!(known.contains(&name), "{row}");
        let (n, typed) = (
            row["spec_methods"].as_u64().unwrap(),
            row["typed_methods"].as_u64().unwrap(),
        );
        assert!(n >= 1 && typed <= n, "a spec API has methods: {row}");
    }
    let cloud = rows.iter().find(|r| r["name"] == "SYNO.CloudSync").unwrap();
    assert_eq!(cloud["request_format"], "JSON");
    assert_eq!(cloud["path"], "entry.cgi");
    let auth = rows.iter().find(|r| r["name"] == "SYNO.API.Auth").unwrap();
    assert_eq!(
        (auth["min_version"].as_u64(), auth["max_version"].as_u64()),
        (Some(1), Some(7))
    );
    assert_eq!(auth["request_format"], Value::Null);

    // What the NAS publishes beyond the spec is raw only.
    let dsm = MockDsm::start_with(with_unmodelled_apis()).await.unwrap();
    let out = against(&dsm, &["--output", "json", "apis"]).await;
    let list = stdout_json(&out);
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), known.len() + login_page.len() + 2);
    let fs = rows
        .iter()
        .find(|r| r["name"] == "SYNO.Example.Files")
        .unwrap();
    assert_eq!(
        fs,
        &json!({"name": "SYNO.Example.Files", "min_version": 1, "max_version": 2,
                "path": "entry.cgi", "request_format": "JSON", "spec_methods": 0, "typed_methods": 0})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apis_filters_by_name_in_any_case() {
    let out = synology(&["--mock", "apis", "--filter", "cLoUd"], &[]).await;
    let list = stdout_json(&out);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = synology_client::known_apis()
        .filter(|n| n.to_lowercase().contains("cloud"))
        .collect();
    assert!(!names.is_empty());
    let mut sorted = expected.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);

    let out = synology(&["--mock", "apis", "--filter", "no-such-api"], &[]).await;
    assert_eq!(stdout_json(&out), json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apis_table_has_a_row_per_api_and_a_count_line_that_adds_up() {
    let dsm =
        MockDsm::start_with(with_unmodelled_apis().api("SYNO.\u{1b}[2JEvil", "entry.cgi", 1, 1))
            .await
            .unwrap();
    let rows = stdout_json(&against(&dsm, &["--output", "json", "apis"]).await);
    let rows = rows.as_array().unwrap().clone();
    let out = against(&dsm, &["--output", "table", "apis"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["name", "versions", "path", "format", "coverage"]
    );
    assert_eq!(lines.len(), rows.len() + 2, "header, rows, count: {text}");
    let cells = |name: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in {text}"))
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        cells("SYNO.Example.Files"),
        ["SYNO.Example.Files", "1-2", "entry.cgi", "JSON", "raw only"]
    );
    assert_eq!(cells("SYNO.API.Auth")[1..4], ["1-7", "entry.cgi", "-"]);
    assert!(cells("SYNO.CloudSync")[4].contains(" typed"), "{text}");
    // A name from the server is shown escaped.
    assert!(text.contains(r"SYNO.\u{1b}[2JEvil"), "{text}");
    assert!(!text.contains('\u{1b}'));

    let covered: Vec<&Value> = rows.iter().filter(|r| r["spec_methods"] != 0).collect();
    let sum = |field: &str| {
        covered
            .iter()
            .map(|r| r[field].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(
        *lines.last().unwrap(),
        format!(
            "{} APIs; {} covered by the spec ({} methods, {} typed), {} raw only",
            grouped(rows.len() as u64),
            grouped(covered.len() as u64),
            grouped(sum("spec_methods")),
            grouped(sum("typed_methods")),
            grouped((rows.len() - covered.len()) as u64)
        )
    );
    // Two unmodelled, the evil name, and the login page's two (SYNO.API.Encryption, UIConfig).
    assert_eq!(rows.len() - covered.len(), 5);
}

/// `n` with thousands separators, as the count line writes it (`4,531`).
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_names_the_raw_commands() {
    let help = synology(&["--help"], &[]).await;
    let text = String::from_utf8_lossy(&help.stdout);
    for needle in [
        "synology api SYNO.Core.System info",
        "synology apis",
        "Exit codes",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    let help = synology(&["api", "--help"], &[]).await;
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in ["--field", "--version", "--get", "--path", "KEY=VALUE"] {
        assert!(text.contains(flag), "{flag}: {text}");
    }
}

/// The recorded DSM 7 box's API.Info answer (shared fixtures), when present.
#[cfg(feature = "all-apis")]
fn dsm7_recording() -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/real-dsm/dsm7_api_info.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) if std::env::var("SYNOLOGY_SHARED_REQUIRED").is_ok_and(|v| v == "1") => {
            panic!(
                "{} is absent and SYNOLOGY_SHARED_REQUIRED=1",
                path.display()
            )
        }
        Err(_) => {
            eprintln!("skipped: {} is absent", path.display());
            None
        }
    }
}

/// The README's count line for the recorded DSM 7 box (every family built: the count
/// depends on it).
#[cfg(feature = "all-apis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apis_counts_the_recorded_dsm7_box_as_the_readme_says() {
    let Some(text) = dsm7_recording() else { return };
    let dsm = MockDsm::start_with(MockConfig::from_api_info(&text).unwrap())
        .await
        .unwrap();
    let out = against(&dsm, &["--output", "table", "apis"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let count = text.lines().last().unwrap();
    assert!(
        count == "1,076 APIs; 847 covered by the spec (2,986 methods, 351 typed), 229 raw only",
        "{count}"
    );
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(
            "`1,076 APIs; 847 covered by the spec\n(2,986 methods, 351 typed), 229 raw only`"
        ),
        "the README quotes the count line"
    );
    let list = stdout_json(
        &against(
            &dsm,
            &["--output", "json", "apis", "--filter", "core.system"],
        )
        .await,
    );
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"SYNO.Core.System"), "{names:?}");
    // Imported from DSM's declarations: covered, its methods in the light form.
    let system = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "SYNO.Core.System")
        .unwrap();
    assert!(system["spec_methods"].as_u64().unwrap() > 0, "{system}");
}
