//! The `synology` binary's output path, end to end: `--all` in each format against a
//! multi-page log (json byte for byte as before streaming), ndjson line by line and before
//! the last page is answered, a reader that goes away (`| head`), tables of wide characters,
//! and nothing on stderr without a terminal. Runs the built binary against the mock DSM.

#![cfg(feature = "cli")]

mod common;
#[path = "common/raw_server/mod.rs"]
mod raw_server;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use raw_server::{RawServer, Reply};
use serde_json::{Value, json};
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};
use tokio::sync::Notify;

const BIN: &str = env!("CARGO_BIN_EXE_synology");

/// Runs the binary with no terminal, no inherited password or width, and `env` added.
async fn synology(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    common::without_user_config(&mut cmd);
    cmd.args(args)
        .env_remove("SYNOLOGY_PASSWORD")
        .env_remove("SYNOLOGY_ALLOW_INSECURE_HTTP")
        .env_remove("COLUMNS")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    tokio::task::spawn_blocking(move || cmd.output().expect("the binary runs"))
        .await
        .unwrap()
}

fn succeeded(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}; stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

/// Compares `actual` with the checked-in `tests/snapshots/{name}` exactly; `UPDATE_EXPECT=1`
/// writes it instead (review the diff).
fn expect_file(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_EXPECT=1 writes it)", path.display()));
    assert!(
        expected == actual,
        "{} differs (UPDATE_EXPECT=1 rewrites it):\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

/// Log entry `i` of the multi-page log: plain text, CJK, emoji, JSON's own escapes and, every
/// so often, the controls serde_json leaves raw (C1, DEL, bidi).
fn entry(i: usize) -> Value {
    let message = match i % 5 {
        0 => format!("m{i}"),
        1 => format!("同步 {i} ファイル"),
        2 => format!("backup 🚀 {i} \"quoted\" back\\slash"),
        3 => format!("line\nbreak\t{i}\u{1b}[2J"),
        _ => format!("x\u{9b}{i}\u{7f}\u{202e}\u{2066}"),
    };
    let kind = ["info", "warning", "error"][i % 3];
    json!({"time": 1_732_788_000 + i as i64, "type": kind, "message": message})
}

/// A mock whose connection log holds `n` entries, served 40 to a page.
async fn log_of(n: usize) -> MockDsm {
    let dsm = MockDsm::start_with(MockConfig::dsm7().page_cap(40))
        .await
        .unwrap();
    dsm.set_items(
        "SYNO.CloudSync.Connection.Log",
        "List",
        (0..n).map(entry).collect(),
    );
    dsm
}

/// `synology [flags] cloud-sync connection-log list --conn-id 1 [extra]` against `dsm`.
async fn log_list(dsm: &MockDsm, flags: &[&str], extra: &[&str]) -> Output {
    let mut args = vec!["--url", dsm.url(), "--user", DEMO_USER];
    args.extend_from_slice(flags);
    args.extend(["cloud-sync", "connection-log", "list", "--conn-id", "1"]);
    args.extend_from_slice(extra);
    synology(&args, &[("SYNOLOGY_PASSWORD", DEMO_PASSWORD)]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_all_is_byte_identical_to_the_output_before_streaming() {
    let dsm = log_of(130).await;
    for flags in [&[][..], &["--output", "json"][..]] {
        let out = log_list(&dsm, flags, &["--all"]).await;
        let text = succeeded(&out);
        // Recorded from the binary before `--all` streamed; never rewritten.
        let before = include_str!("snapshots/cli_all.json");
        assert!(text == before, "`--all` JSON changed:\n{text}");
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // One page without `--all`: the typed answer, pretty, as before.
    let out = log_list(&dsm, &[], &["--offset", "2", "--limit", "4"]).await;
    let before = include_str!("snapshots/cli_page.json");
    assert_eq!(succeeded(&out), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ndjson_is_one_line_per_item_with_all_or_of_one_answer() {
    let dsm = log_of(130).await;
    let ndjson = ["--output", "ndjson"];
    let lines = |text: &str| -> Vec<Value> {
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
            .collect()
    };
    // Every page: a line per item, as the typed item re-serialized, controls escaped.
    let out = log_list(&dsm, &ndjson, &["--all"]).await;
    let text = succeeded(&out);
    assert_eq!(lines(&text), (0..130).map(entry).collect::<Vec<_>>());
    assert_eq!(
        text.lines().nth(4),
        Some(r#"{"time":1732788004,"type":"warning","message":"x\u009b4\u007f\u202e\u2066"}"#)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // One page: its items, not `total`.
    let out = log_list(&dsm, &ndjson, &["--offset", "3", "--limit", "7"]).await;
    assert_eq!(
        lines(&succeeded(&out)),
        (3..10).map(entry).collect::<Vec<_>>()
    );
    // The answer's one list when the method does not page; the whole answer when it lists
    // nothing; `{}` for no data.
    let cases: [(&[&str], usize); 3] = [
        (&["synology-drive", "connections", "list"], 1),
        (&["synology-drive", "connection", "summary"], 1),
        (&["cloud-sync", "pause"], 1),
    ];
    for (args, n) in cases {
        let full: Vec<&str> = [&["--mock", "--output", "ndjson"][..], args].concat();
        let text = succeeded(&synology(&full, &[]).await);
        assert_eq!(lines(&text).len(), n, "{args:?}: {text}");
    }
    let summary = [
        "--mock",
        "--output",
        "ndjson",
        "synology-drive",
        "connection",
        "summary",
    ];
    let text = succeeded(&synology(&summary, &[]).await);
    assert!(text.starts_with(r#"{"summary":{"#), "{text}");
    let pause = ["--mock", "--output", "ndjson", "cloud-sync", "pause"];
    assert_eq!(succeeded(&synology(&pause, &[]).await), "{}\n");
    let list = [
        "--mock",
        "--output",
        "ndjson",
        "synology-drive",
        "connections",
        "list",
    ];
    let text = succeeded(&synology(&list, &[]).await);
    assert_eq!(lines(&text)[0]["user"], "john.doe", "{text}");
}

/// Longest a test waits for the binary (a failure bound, not a pause).
const WITHIN: Duration = Duration::from_secs(30);

/// Spawns the binary with stdout piped; stderr piped too when `stderr` is set.
fn spawn(args: &[&str], env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(BIN);
    common::without_user_config(&mut cmd);
    cmd.args(args)
        .env_remove("SYNOLOGY_PASSWORD")
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("the binary starts")
}

/// The first line of `child`'s stdout, and the reader, to read on or drop.
async fn first_line(child: &mut Child) -> (String, BufReader<std::process::ChildStdout>) {
    let mut reader = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let read = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        reader.read_line(&mut line).map(|_| (line, reader))
    });
    match tokio::time::timeout(WITHIN, read).await {
        Ok(read) => read.unwrap().unwrap(),
        Err(_) => {
            let _ = child.kill();
            panic!("no first line within {WITHIN:?}");
        }
    }
}

/// Waits for `child` to exit and returns its status and stderr.
async fn exit(mut child: Child) -> (std::process::ExitStatus, String) {
    let wait = tokio::task::spawn_blocking(move || {
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .expect("stderr is piped")
            .read_to_string(&mut stderr)
            .unwrap();
        (child.wait().unwrap(), stderr)
    });
    tokio::time::timeout(WITHIN, wait)
        .await
        .expect("the binary exits")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ndjson_lines_are_readable_before_the_last_page_is_answered() {
    const TOTAL: usize = 130;
    let release = Arc::new(Notify::new());
    let server = RawServer::start({
        let release = release.clone();
        move |req| {
            if req.api() != "SYNO.CloudSync.Connection.Log" {
                return raw_server::dsm(req);
            }
            let number =
                |name: &str| -> usize { req.param(name).and_then(|v| v.parse().ok()).unwrap_or(0) };
            let (offset, limit) = (number("offset"), number("limit"));
            let end = (offset + limit).min(TOTAL);
            let page =
                json!({"logs": (offset..end).map(entry).collect::<Vec<_>>(), "total": TOTAL});
            if end < TOTAL {
                return Reply::ok(page);
            }
            // The last page waits for the test.
            let release = release.clone();
            Reply::later(async move {
                release.notified().await;
                Reply::ok(page)
            })
        }
    })
    .await;
    let args = [
        "--url",
        &server.url,
        "--user",
        "demo",
        "--output",
        "ndjson",
        "cloud-sync",
        "connection-log",
        "list",
        "--conn-id",
        "1",
        "--limit",
        "40",
        "--all",
    ];
    let mut child = spawn(&args, &[("SYNOLOGY_PASSWORD", "pw")]);
    let (line, mut reader) = first_line(&mut child).await;
    assert_eq!(serde_json::from_str::<Value>(&line).unwrap(), entry(0));
    // Only now may the last page be answered.
    release.notify_one();
    let rest = tokio::task::spawn_blocking(move || {
        let mut rest = String::new();
        reader.read_to_string(&mut rest).map(|_| rest)
    });
    let rest = tokio::time::timeout(WITHIN, rest)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(rest.lines().count(), TOTAL - 1);
    assert_eq!(
        serde_json::from_str::<Value>(rest.lines().last().unwrap()).unwrap(),
        entry(TOTAL - 1)
    );
    let (status, stderr) = exit(child).await;
    assert!(status.success(), "{status}: {stderr}");
    assert_eq!(stderr, "", "no progress bar without a terminal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_goes_away_ends_any_format_quietly_with_exit_0() {
    // 2,000 entries of about 250 bytes: half a megabyte, far past a pipe's 64 KiB buffer.
    let dsm = MockDsm::start().await.unwrap();
    let long = "x".repeat(200);
    let items = (0..2000)
        .map(|i| json!({"time": i, "type": "info", "message": format!("{i} {long}")}))
        .collect();
    dsm.set_items("SYNO.CloudSync.Connection.Log", "List", items);
    let formats: [&[&str]; 4] = [
        &["--output", "ndjson", "--all"],
        &["--output", "json", "--all"],
        &["--output", "table", "--all"],
        &["--output", "json", "--limit", "2000"],
    ];
    for format in formats {
        let mut args = vec!["--url", dsm.url(), "--user", DEMO_USER];
        args.extend(&format[..2]);
        args.extend(["cloud-sync", "connection-log", "list", "--conn-id", "1"]);
        args.extend(&format[2..]);
        let mut child = spawn(&args, &[("SYNOLOGY_PASSWORD", DEMO_PASSWORD)]);
        let (line, reader) = first_line(&mut child).await;
        assert!(!line.is_empty(), "{format:?}");
        // The reader goes away with most of the output unwritten.
        drop(reader);
        let (status, stderr) = exit(child).await;
        assert_eq!(status.code(), Some(0), "{format:?}: {stderr}");
        assert_eq!(stderr, "", "{format:?}: quiet, no panic");
    }
}

/// The answer of the wide-character table tests (`tests/snapshots/cli_table_wide.json`): CJK,
/// single-codepoint emoji, a combining accent and a control character.
const WIDE: &str = include_str!("snapshots/cli_table_wide.json");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_of_wide_characters_line_up() {
    let dsm = MockDsm::start().await.unwrap();
    let answer: Value = serde_json::from_str(WIDE).unwrap();
    dsm.set_answer("SYNO.SynologyDrive.Connections", "List", answer);
    let args = [
        "--url",
        dsm.url(),
        "--user",
        DEMO_USER,
        "--output",
        "table",
        "synology-drive",
        "connections",
        "list",
    ];
    // Not a terminal: nothing is cut, whatever `COLUMNS` says.
    let out = synology(
        &args,
        &[("SYNOLOGY_PASSWORD", DEMO_PASSWORD), ("COLUMNS", "20")],
    )
    .await;
    let text = succeeded(&out);
    expect_file("cli_table_wide.txt", &text);
    assert!(!text.contains('…'), "{text}");
}
