//! The `synology` binary's safety, end to end: no password in any output (`-vv` included), no
//! control or bidi character from the server on the terminal (table cells, error messages),
//! and plain `http://` to a remote host only by consent (`--allow-insecure-http` or
//! `SYNOLOGY_ALLOW_INSECURE_HTTP`). Runs the built binary; the NAS is the mock DSM.

#![cfg(feature = "cli")]

mod common;

use common::cli::{stdout_json, synology};
use serde_json::json;
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_never_appears_in_any_output() {
    let secret = "S3cret-pw-xyzzy";
    let dsm = MockDsm::start_with(MockConfig::dsm7().user("ann", secret))
        .await
        .unwrap();
    for args in [
        vec![
            "-vv",
            "--url",
            dsm.url(),
            "--user",
            "ann",
            "cloud-sync",
            "connection",
            "list",
        ],
        vec![
            "-vv",
            "--url",
            dsm.url(),
            "--user",
            "nobody",
            "cloud-sync",
            "connection",
            "list",
        ],
    ] {
        let out = synology(&args, &[("SYNOLOGY_PASSWORD", secret)]).await;
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains(secret), "{args:?} leaked the password");
        assert!(!all.contains("mock-sid-"), "{args:?} leaked a session id");
        assert!(all.contains("dsm_call"), "-vv logs to stderr");
    }
}

/// Text a hostile server sends: ESC (an erase-screen sequence), a C1 CSI, DEL, a line break
/// and a right-to-left override.
const HOSTILE: &str = "a\u{1b}[2Jb\u{9b}c\u{7f}d\ne\u{202e}f";
/// How the CLI shows it.
const HOSTILE_SHOWN: &str = r"a\u{1b}[2Jb\u{9b}c\u{7f}d\u{a}e\u{202e}f";

/// The control characters of any escaped class, other than the line feeds ending lines.
fn raw_controls(text: &str) -> Vec<char> {
    text.split('\n')
        .flat_map(str::chars)
        .filter(|c| c.is_control() || is_bidi_control(*c))
        .collect()
}

fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_cells_from_the_server_show_control_characters_escaped() {
    let dsm = MockDsm::start().await.unwrap();
    let connection = |user: &str, version: &str| {
        json!({"user": user, "client_type": "desktop", "client_version": version,
               "ip_address": "192.168.1.7", "connected_time": 1_732_788_000})
    };
    dsm.set_answer(
        "SYNO.SynologyDrive.Connections",
        "List",
        json!({"connections": [connection(HOSTILE, "3.4.0"), connection("bo", HOSTILE)], "total": 2}),
    );
    let nas = ["--url", dsm.url(), "--user", DEMO_USER];
    let pw = [("SYNOLOGY_PASSWORD", DEMO_PASSWORD)];
    let list = ["synology-drive", "connections", "list"];
    let table_args: Vec<&str> = [&nas[..], &["--output", "table"], &list].concat();
    let out = synology(&table_args, &pw).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(raw_controls(&text), Vec::<char>::new(), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    // Columns are as wide as the escaped text: the next column starts after it, aligned.
    let width = HOSTILE_SHOWN.chars().count();
    assert_eq!(
        lines[1],
        format!(
            "{HOSTILE_SHOWN}  desktop      3.4.0{}  192.168.1.7  1732788000",
            " ".repeat(width - 5)
        )
    );
    assert_eq!(
        lines[2],
        format!(
            "bo{}  desktop      {HOSTILE_SHOWN}  192.168.1.7  1732788000",
            " ".repeat(width - 2)
        )
    );
    assert_eq!(lines[3], "total: 2");

    // JSON output is the exact JSON: the string reads back as the server sent it.
    let json_args: Vec<&str> = [&nas[..], &["--output", "json"], &list].concat();
    let got = stdout_json(&synology(&json_args, &pw).await);
    assert_eq!(got["connections"][0]["user"], HOSTILE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_messages_from_the_server_show_control_characters_escaped() {
    let dsm = MockDsm::start().await.unwrap();
    let nas = ["--url", dsm.url(), "--user", DEMO_USER];
    let pw = [("SYNOLOGY_PASSWORD", DEMO_PASSWORD)];
    let list = ["cloud-sync", "connection", "list"];
    let args: Vec<&str> = [&nas[..], &list].concat();

    // The 2-factor kinds a login answer names are quoted as sent.
    let otp =
        json!({"success": false, "error": {"code": 403, "errors": {"types": [{"type": HOSTILE}]}}});
    dsm.fail_with_http("SYNO.API.Auth", "login", 200, otp.to_string());
    let out = synology(&args, &pw).await;
    assert_eq!(out.status.code(), Some(5));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(raw_controls(&err), Vec::<char>::new(), "{err}");
    assert!(err.contains(HOSTILE_SHOWN), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    dsm.clear_fault("SYNO.API.Auth", "login");

    // A DSM error's detail from a call.
    let failed = json!({"success": false, "error": {"code": 105, "errors": HOSTILE}});
    dsm.fail_with_http("SYNO.CloudSync.Connection", "List", 200, failed.to_string());
    let out = synology(&args, &pw).await;
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(raw_controls(&err), Vec::<char>::new(), "{err}");
    for shown in [r"\u{9b}", r"\u{7f}", r"\u{202e}"] {
        assert!(err.contains(shown), "{shown} in {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_a_remote_host_needs_consent() {
    // TEST-NET-1: never contacted, the client refuses before sending anything.
    let remote = [
        "--url",
        "http://192.0.2.1:5000",
        "--user",
        DEMO_USER,
        "cloud-sync",
        "connection",
        "list",
    ];
    let pw = ("SYNOLOGY_PASSWORD", DEMO_PASSWORD);
    for env in [vec![pw], vec![pw, ("SYNOLOGY_ALLOW_INSECURE_HTTP", "0")]] {
        let out = synology(&remote, &env).await;
        assert_eq!(out.status.code(), Some(2), "{env:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--allow-insecure-http"), "{err}");
        assert!(err.contains("SYNOLOGY_ALLOW_INSECURE_HTTP"), "{err}");
    }
    let help = synology(&["--help"], &[]).await;
    assert!(String::from_utf8_lossy(&help.stdout).contains("--allow-insecure-http"));
}

/// On Linux, connecting to 0.0.0.0 reaches 127.0.0.1: a host the client does not count as
/// loopback, yet served by the local mock, so consent can be shown to reach a real call.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flag_or_the_environment_allows_plain_http() {
    let dsm = MockDsm::start().await.unwrap();
    let port = dsm.url().rsplit(':').next().unwrap().to_owned();
    let url = format!("http://0.0.0.0:{port}");
    let call = ["--user", DEMO_USER, "cloud-sync", "connection", "list"];
    let pw = ("SYNOLOGY_PASSWORD", DEMO_PASSWORD);

    let without: Vec<&str> = [&["--url", url.as_str()][..], &call].concat();
    assert_eq!(synology(&without, &[pw]).await.status.code(), Some(2));
    let with_flag: Vec<&str> =
        [&["--allow-insecure-http", "--url", url.as_str()][..], &call].concat();
    assert_eq!(stdout_json(&synology(&with_flag, &[pw]).await)["total"], 1);
    for on in ["1", "true", "yes"] {
        let out = synology(&without, &[pw, ("SYNOLOGY_ALLOW_INSECURE_HTTP", on)]).await;
        assert_eq!(stdout_json(&out)["total"], 1, "{on}");
    }
}
