//! `synology mock-server`, end to end: each flag over real HTTP against the running binary
//! (`--dsm`, `--tls` with `--ca-cert`, `--user` with `--password-env` and without a password
//! source, `--otp-env`, `--expire-every`, `--strict`, `--state`). The server is up once its
//! URL line can be read: no sleeps.

#![cfg(all(feature = "cli", feature = "cloud-sync"))]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Output, Stdio};

use serde_json::{Value, json};
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER};

use common::cli::{BIN, synology};

/// A running `synology mock-server`, killed when dropped.
struct Server {
    child: Child,
    stdout: Option<BufReader<ChildStdout>>,
    url: String,
}

impl Server {
    /// Starts `mock-server ARGS` and waits for its URL line.
    async fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(BIN);
        common::without_user_config(&mut cmd)
            .arg("mock-server")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut server = Server {
            child,
            stdout: Some(stdout),
            url: String::new(),
        };
        server.url = server.line().await;
        server
    }

    /// The next line on the server's stdout, trimmed.
    async fn line(&mut self) -> String {
        let mut stdout = self.stdout.take().unwrap();
        let (stdout, line) = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            (stdout, line)
        })
        .await
        .unwrap();
        self.stdout = Some(stdout);
        assert!(!line.is_empty(), "the server ended before printing a line");
        line.trim().to_owned()
    }

    /// `synology --url URL --user USER ARGS` with `password` in `SYNOLOGY_PASSWORD`.
    async fn cli(&self, user: &str, password: &str, args: &[&str]) -> Output {
        let mut full = vec!["--url", &self.url, "--user", user];
        full.extend_from_slice(args);
        synology(&full, &[("SYNOLOGY_PASSWORD", password)]).await
    }

    /// A raw request: `GET {url}/webapi/{cgi}?{query}`, its HTTP status and body.
    async fn get(&self, cgi: &str, query: &str) -> (u16, String) {
        let response = reqwest::get(format!("{}/webapi/{cgi}?{query}", self.url))
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    async fn get_json(&self, cgi: &str, query: &str) -> Value {
        let (status, body) = self.get(cgi, query).await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    /// What the server publishes, from `SYNO.API.Info` at the bootstrap path.
    async fn api_info(&self) -> Value {
        self.get_json(
            "query.cgi",
            "api=SYNO.API.Info&version=1&method=query&query=all",
        )
        .await["data"]
            .clone()
    }

    /// A raw DSM 7 login as the demo user; the session id.
    async fn login(&self) -> String {
        let v = self
            .get_json(
                "entry.cgi",
                &format!(
                    "api=SYNO.API.Auth&version=7&method=login&account={DEMO_USER}&passwd={DEMO_PASSWORD}"
                ),
            )
            .await;
        v["data"]["sid"].as_str().expect("a session id").to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ok_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}; stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn exit_code(out: &Output) -> Option<i32> {
    out.status.code()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A DSM error code of a raw answer, or 0 for success.
fn code(answer: &Value) -> i64 {
    if answer["success"] == json!(true) {
        0
    } else {
        answer["error"]["code"].as_i64().unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dsm_6_publishes_auth_at_auth_cgi_and_the_cli_logs_in_there() {
    let server = Server::start(&["--dsm", "6"], &[]).await;
    let info = server.api_info().await;
    assert_eq!(info["SYNO.API.Auth"]["path"], "auth.cgi", "{info}");
    assert_eq!(info["SYNO.API.Auth"]["maxVersion"], 6);
    assert_eq!(info["SYNO.API.Info"]["path"], "query.cgi");
    let out = server
        .cli(
            DEMO_USER,
            DEMO_PASSWORD,
            &["cloud-sync", "connection", "list"],
        )
        .await;
    assert_eq!(ok_json(&out)["total"], 1);

    let dsm7 = Server::start(&[], &[]).await;
    let info = dsm7.api_info().await;
    assert_eq!(
        info["SYNO.API.Auth"]["path"], "entry.cgi",
        "the default is DSM 7"
    );
    assert_eq!(info["SYNO.API.Auth"]["maxVersion"], 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dsm_5_publishes_auth_4_at_auth_cgi_and_its_long_entry_path() {
    let server = Server::start(&["--dsm", "5"], &[]).await;
    let info = server.api_info().await;
    assert_eq!(info["SYNO.API.Auth"]["path"], "auth.cgi", "{info}");
    assert_eq!(info["SYNO.API.Auth"]["maxVersion"], 4);
    assert_eq!(info["SYNO.API.Info"]["path"], "query.cgi");
    let entry = info["SYNO.CloudSync"]["path"].as_str().unwrap();
    assert!(
        entry.starts_with("_____") && entry.ends_with("entry.cgi"),
        "DSM 5's entry path: {entry}"
    );
    let out = server
        .cli(
            DEMO_USER,
            DEMO_PASSWORD,
            &["api", "SYNO.CloudSync", "list_conn"],
        )
        .await;
    assert!(ok_json(&out)["conn"].is_array());
    let last = server
        .get_json(entry, "api=SYNO.CloudSync&version=1&method=list_conn")
        .await;
    assert_eq!(
        code(&last),
        119,
        "served at the long path, behind a session"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_persona_is_a_usage_error() {
    let out = synology(&["mock-server", "--dsm", "4"], &[]).await;
    assert_eq!(exit_code(&out), Some(2), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_prints_a_certificate_the_cli_trusts_with_ca_cert() {
    let mut server = Server::start(&["--tls"], &[]).await;
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let cert_line = server.line().await;
    let cert = std::path::PathBuf::from(cert_line.strip_prefix("certificate: ").unwrap());
    let fingerprint_line = server.line().await;
    let fingerprint = fingerprint_line
        .strip_prefix("sha256 fingerprint: ")
        .unwrap();

    // The fingerprint is the SHA-256 of the DER certificate in the file, as openssl prints it.
    let pem = std::fs::read_to_string(&cert).unwrap();
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    use sha2::Digest;
    let expected: Vec<String> = sha2::Sha256::digest(&der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    assert_eq!(fingerprint, expected.join(":"));
    let dir = cert.parent().unwrap().to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "only the owner enters the directory");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["cert.pem"], "the private key is never written");
    }

    let cert_arg = cert.to_str().unwrap();
    let list = ["cloud-sync", "connection", "list"];
    let mut trusted = vec!["--ca-cert", cert_arg];
    trusted.extend(list);
    let out = server.cli(DEMO_USER, DEMO_PASSWORD, &trusted).await;
    assert_eq!(ok_json(&out)["total"], 1);
    let refused = server.cli(DEMO_USER, DEMO_PASSWORD, &list).await;
    assert_eq!(exit_code(&refused), Some(4), "{}", stderr(&refused));

    // SIGTERM stops the server and removes the certificate's directory.
    #[cfg(unix)]
    {
        let pid = server.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success());
        let exited = tokio::task::spawn_blocking(move || {
            let mut server = server;
            server.child.wait().unwrap()
        })
        .await
        .unwrap();
        assert!(exited.success(), "{exited:?}");
        assert!(!dir.exists(), "{} is removed", dir.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_with_a_password_from_the_environment_can_log_in() {
    let secret = "alice-pw-1234";
    let server = Server::start(
        &["--user", "alice", "--password-env", "MOCK_ALICE_PW"],
        &[("MOCK_ALICE_PW", secret)],
    )
    .await;
    let list = ["cloud-sync", "connection", "list"];
    assert_eq!(
        ok_json(&server.cli("alice", secret, &list).await)["total"],
        1
    );
    let wrong = server.cli("alice", "not-it", &list).await;
    assert_eq!(exit_code(&wrong), Some(5), "{}", stderr(&wrong));
    // The demo account still logs in.
    ok_json(&server.cli(DEMO_USER, DEMO_PASSWORD, &list).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_without_a_password_source_is_a_usage_error() {
    // No --password-env and stdin is not a terminal: nothing to read the password from.
    let out = synology(&["mock-server", "--user", "alice"], &[]).await;
    assert_eq!(exit_code(&out), Some(2));
    assert!(stderr(&out).contains("--password-env"), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "no URL: the server never started");

    let unset = synology(
        &[
            "mock-server",
            "--user",
            "alice",
            "--password-env",
            "MOCK_UNSET_VAR_4711",
        ],
        &[],
    )
    .await;
    assert_eq!(exit_code(&unset), Some(2));
    assert!(
        stderr(&unset).contains("MOCK_UNSET_VAR_4711") && stderr(&unset).contains("not set"),
        "{}",
        stderr(&unset)
    );

    // The password is never a flag value, and --password-env means nothing without --user.
    let no_user = synology(&["mock-server", "--password-env", "X"], &[("X", "pw")]).await;
    assert_eq!(exit_code(&no_user), Some(2), "{}", stderr(&no_user));
    let as_flag = synology(&["mock-server", "--user", "a", "--password", "pw"], &[]).await;
    assert_eq!(exit_code(&as_flag), Some(2), "{}", stderr(&as_flag));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn otp_env_gives_the_user_2fa_with_that_code() {
    let server = Server::start(
        &[
            "--user",
            "bob",
            "--password-env",
            "MOCK_BOB_PW",
            "--otp-env",
            "MOCK_BOB_OTP",
        ],
        &[("MOCK_BOB_PW", "bob-pw"), ("MOCK_BOB_OTP", "246810")],
    )
    .await;
    let list = ["cloud-sync", "connection", "list"];
    let without = server.cli("bob", "bob-pw", &list).await;
    assert_eq!(exit_code(&without), Some(5), "{}", stderr(&without));
    let mut wrong = vec!["--otp", "111111"];
    wrong.extend(list);
    let wrong = server.cli("bob", "bob-pw", &wrong).await;
    assert_eq!(exit_code(&wrong), Some(5), "{}", stderr(&wrong));
    let mut right = vec!["--otp", "246810"];
    right.extend(list);
    assert_eq!(
        ok_json(&server.cli("bob", "bob-pw", &right).await)["total"],
        1
    );

    let unset = synology(
        &[
            "mock-server",
            "--user",
            "bob",
            "--password-env",
            "MOCK_BOB_PW",
            "--otp-env",
            "MOCK_UNSET_OTP_4711",
        ],
        &[("MOCK_BOB_PW", "bob-pw")],
    )
    .await;
    assert_eq!(exit_code(&unset), Some(2), "{}", stderr(&unset));
    assert!(stderr(&unset).contains("MOCK_UNSET_OTP_4711"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expire_every_2_ends_each_session_after_two_calls() {
    let server = Server::start(&["--expire-every", "2"], &[]).await;
    let call =
        |sid: &str| format!("api=SYNO.CloudSync.Connection&version=1&method=List&_sid={sid}");
    for round in 0..3 {
        let sid = server.login().await;
        let codes = [
            code(&server.get_json("entry.cgi", &call(&sid)).await),
            code(&server.get_json("entry.cgi", &call(&sid)).await),
            code(&server.get_json("entry.cgi", &call(&sid)).await),
            code(&server.get_json("entry.cgi", &call(&sid)).await),
        ];
        assert_eq!(
            codes,
            [0, 0, 119, 119],
            "round {round}: again for every session"
        );
    }

    // The library logs in again on 119 and retries: every call of a long run succeeds.
    let client = synology_client::Client::builder(&server.url)
        .build()
        .unwrap();
    client.login(DEMO_USER, DEMO_PASSWORD).await.unwrap();
    for _ in 0..7 {
        client
            .cloud_sync()
            .connection()
            .list()
            .send()
            .await
            .unwrap();
    }

    let zero = synology(&["mock-server", "--expire-every", "0"], &[]).await;
    assert_eq!(exit_code(&zero), Some(2), "{}", stderr(&zero));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_answers_405_to_a_get_of_a_post_method() {
    let pause = "api=SYNO.CloudSync.Connection&version=1&method=Pause&conn_id=1";
    let strict = Server::start(&["--strict"], &[]).await;
    let (status, _) = strict.get("entry.cgi", pause).await;
    assert_eq!(status, 405);
    // Without it the mock is as lenient as DSM: the GET reaches the method (no session: 119).
    let lenient = Server::start(&[], &[]).await;
    let (status, body) = lenient.get("entry.cgi", pause).await;
    assert_eq!(status, 200);
    assert_eq!(code(&serde_json::from_str(&body).unwrap()), 119);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_serves_scripted_answers_and_items() {
    let dir = std::env::temp_dir().join(format!("cli-mock-server-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.json");
    let logs: Vec<Value> = (0..5)
        .map(|i| json!({"time": 1_700_000_000 + i, "type": "info", "message": format!("scripted {i}")}))
        .collect();
    let scripted = json!({
        "SYNO.CloudSync": {"list_conn": {"answer": {"conn": [], "total": 42, "tray_status": "scripted"}}},
        "SYNO.CloudSync.Connection.Log": {"List": {"items": logs}},
    });
    std::fs::write(&state, scripted.to_string()).unwrap();
    let server = Server::start(&["--state", state.to_str().unwrap()], &[]).await;

    let answer = server
        .cli(
            DEMO_USER,
            DEMO_PASSWORD,
            &["api", "SYNO.CloudSync", "list_conn"],
        )
        .await;
    assert_eq!(
        ok_json(&answer),
        json!({"conn": [], "total": 42, "tray_status": "scripted"})
    );
    let items = server
        .cli(
            DEMO_USER,
            DEMO_PASSWORD,
            &[
                "cloud-sync",
                "connection-log",
                "list",
                "--conn-id",
                "1",
                "--limit",
                "2",
                "--all",
            ],
        )
        .await;
    let items = ok_json(&items);
    let messages: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "scripted 0",
            "scripted 1",
            "scripted 2",
            "scripted 3",
            "scripted 4"
        ]
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_state_file_exits_2_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("cli-mock-server-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "truncated.json",
            r#"{"SYNO.CloudSync": {"list_conn": "#,
            "not valid JSON",
        ),
        (
            "unknown-api.json",
            r#"{"SYNO.CloudSynk": {}}"#,
            "did you mean `SYNO.CloudSync`?",
        ),
        (
            "unknown-method.json",
            r#"{"SYNO.CloudSync": {"list_con": {"answer": {}}}}"#,
            "has no method `list_con`",
        ),
        ("shape.json", r#"["SYNO.CloudSync"]"#, "expected {"),
    ];
    for (name, text, message) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = synology(&["mock-server", "--state", path.to_str().unwrap()], &[]).await;
        assert_eq!(exit_code(&out), Some(2), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(path.to_str().unwrap()),
            "{name}: names the file: {err}"
        );
        assert!(err.contains(message), "{name}: {err}");
        assert!(
            out.stdout.is_empty(),
            "{name}: no URL, the server never started"
        );
    }
    let missing = dir.join("missing.json");
    let out = synology(&["mock-server", "--state", missing.to_str().unwrap()], &[]).await;
    assert_eq!(exit_code(&out), Some(2));
    assert!(stderr(&out).contains("missing.json"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}
