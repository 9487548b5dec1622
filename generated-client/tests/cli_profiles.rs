//! Profiles, end to end: the built binary against mock DSMs, with `SYNOLOGY_CONFIG` in a new
//! temporary directory per test and `SYNOLOGY_PROFILE`, `XDG_CONFIG_HOME` and the password
//! cleared for every child, so no test reads the user's own configuration. Which profile and
//! which value win, `default_profile` ignored when `--url` is given, the password's sources,
//! a failing `password_command`, mistakes in the file with their location, and `synology
//! profile list|show|add|remove` (comments kept, owner-only, through a symbolic link).

#![cfg(all(feature = "cli", feature = "cloud-sync"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};

const BIN: &str = env!("CARGO_BIN_EXE_synology");

/// A temporary directory holding `config.toml`, removed when dropped.
struct Home {
    dir: PathBuf,
}

impl Home {
    fn new(test: &str) -> Home {
        let dir = std::env::temp_dir().join(format!(
            "synology-cli-profiles-{test}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Home { dir }
    }

    fn config(&self) -> PathBuf {
        self.dir.join("config.toml")
    }

    fn write(&self, text: &str) {
        std::fs::write(self.config(), text).unwrap();
    }

    fn read(&self) -> String {
        std::fs::read_to_string(self.config()).unwrap()
    }

    /// Runs the binary with this config, no terminal, nothing inherited that picks a
    /// profile, a config or a password, and `env` added.
    async fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env("SYNOLOGY_CONFIG", self.config())
            .env_remove("SYNOLOGY_PROFILE")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("SYNOLOGY_PASSWORD")
            .env_remove("SYNOLOGY_ALLOW_INSECURE_HTTP")
            .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        tokio::task::spawn_blocking(move || cmd.output().expect("the binary runs"))
            .await
            .unwrap()
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A command line's words.
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

fn assert_ok(out: &Output) {
    assert!(out.status.success(), "{}", stderr(out));
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

/// The accounts `dsm` was asked to log in, in order; clears its log.
fn logins(dsm: &MockDsm) -> Vec<String> {
    let accounts = dsm
        .requests()
        .into_iter()
        .filter(|r| {
            r.params.get("api").is_some_and(|a| a == "SYNO.API.Auth")
                && r.params.get("method").is_some_and(|m| m == "login")
        })
        .map(|r| r.params.get("account").cloned().unwrap_or_default())
        .collect();
    dsm.clear_requests();
    accounts
}

const LIST: [&str; 3] = ["cloud-sync", "connection", "list"];

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flag_beats_the_environment_beats_the_default_and_a_flag_beats_each_value() {
    let a = MockDsm::start_with(MockConfig::dsm7().user("alice", "pa"))
        .await
        .unwrap();
    let b = MockDsm::start_with(MockConfig::dsm7().user("bob", "pb"))
        .await
        .unwrap();
    let home = Home::new("precedence");
    let ran = home.dir.join("ran");
    // Each password command notes that it ran, so a test sees which one did.
    home.write(&format!(
        "default_profile = \"a\"\n\n\
         [profiles.a]\nurl = \"{}\"\nuser = \"alice\"\n\
         password_command = \"printf a >> '{ran}'; echo pa\"\n\n\
         [profiles.b]\nurl = \"{}\"\nuser = \"bob\"\n\
         password_command = \"printf b >> '{ran}'; echo pb\"\n",
        a.url(),
        b.url(),
        ran = ran.display(),
    ));
    // Flags (A and B stand for the mocks' URLs), SYNOLOGY_PROFILE, SYNOLOGY_PASSWORD; then the
    // exit code, the accounts A and B were asked to log in, and the password commands run.
    let cases = [
        ("", "", "", (0, "alice", "", "a")),
        ("--profile b", "", "", (0, "", "bob", "b")),
        ("", "b", "", (0, "", "bob", "b")),
        ("--profile a", "b", "", (0, "alice", "", "a")),
        // `default_profile` is not used with `--url`: not its user, not its password command.
        ("--url B", "", "", (2, "", "", "")),
        ("--url B --user bob", "", "", (2, "", "", "")),
        ("--url B --user bob", "", "pb", (0, "", "bob", "")),
        // Flags beat the chosen profile's values; SYNOLOGY_PASSWORD beats its command.
        (
            "--profile a --url B --user bob",
            "",
            "pb",
            (0, "", "bob", ""),
        ),
        ("--profile a --user bob", "", "", (5, "bob", "", "a")),
        ("--profile b --url A", "", "", (5, "bob", "", "b")),
        // A profile chosen by the environment still applies with `--url`.
        ("--url A", "b", "", (5, "bob", "", "b")),
    ];
    for (flags, profile, password, (code, at_a, at_b, commands)) in cases {
        let _ = std::fs::remove_file(&ran);
        let mut args: Vec<&str> = flags
            .split_whitespace()
            .map(|f| match f {
                "A" => a.url(),
                "B" => b.url(),
                f => f,
            })
            .collect();
        args.extend(LIST);
        let env: Vec<(&str, &str)> = [
            ("SYNOLOGY_PROFILE", profile),
            ("SYNOLOGY_PASSWORD", password),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        let out = home.run(&args, &env).await;
        let what = format!("{flags:?} {env:?}: {}", stderr(&out));
        assert_eq!(out.status.code(), Some(code), "{what}");
        assert_eq!(logins(&a).join(","), at_a, "A: {what}");
        assert_eq!(logins(&b).join(","), at_b, "B: {what}");
        let ran = std::fs::read_to_string(&ran).unwrap_or_default();
        assert_eq!(ran, commands, "{what}");
        if code == 0 {
            assert_eq!(stdout_json(&out)["total"], 1, "{what}");
        } else if code == 2 {
            assert!(
                stderr(&out).contains(if flags.contains("--user") {
                    "no password"
                } else {
                    "--user is required"
                }),
                "{what}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_or_invalid_profile_is_a_usage_error_naming_the_file() {
    let home = Home::new("unknown");
    let config = home.config();
    let out = home
        .run(&["--profile", "nas", "cloud-sync", "pause"], &[])
        .await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "error: no profile `nas` in {} (profiles: none); add one with: synology profile add nas --url URL\n",
            config.display()
        )
    );
    home.write("[profiles.home]\nurl = \"https://nas.local:5001\"\n");
    let out = home.run(&LIST, &[("SYNOLOGY_PROFILE", "work")]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no profile `work`") && stderr(&out).contains("(profiles: home)")
    );
    let out = home
        .run(&["--profile", "../etc", "cloud-sync", "pause"], &[])
        .await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: --profile `../etc` cannot name a profile: use 1 to 64 of A-Z a-z 0-9 _ -\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mistakes_in_the_file_exit_2_with_their_location_and_url_alone_never_reads_it() {
    let home = Home::new("mistakes");
    let config = home.config();
    let secret = "hunter2-never-shown";
    for (text, location, message) in [
        (
            "[profiles.home\n",
            "1:15",
            "not valid TOML: unclosed table, expected `]`",
        ),
        (
            "[profiles.home]\nurl = \"https://a\"\nuser = \"x\"\ncolour = 1\n",
            "4:1",
            "unknown key `colour` in profile `home` (expected url, user, ca_cert, \
             device_token_file, allow_insecure_http, password_command)",
        ),
        (
            &format!("[profiles.home]\nurl = \"https://a\"\npassword = \"{secret}\"\n"),
            "3:1",
            "`password`: no password, OTP code or token is ever stored in the profiles file \
             (use password_command, SYNOLOGY_PASSWORD or the prompt; tokens go to \
             device_token_file)",
        ),
        (
            "default_profile = \"nas\"\n",
            "1:19",
            "default_profile `nas` names no profile (profiles: none)",
        ),
    ] {
        home.write(text);
        for args in [
            &LIST[..],
            &["profile", "list"],
            &["profile", "add", "x", "--url", "https://x"],
        ] {
            let out = home.run(args, &[("SYNOLOGY_PASSWORD", "pw")]).await;
            assert_eq!(out.status.code(), Some(2), "{text} {args:?}");
            assert_eq!(
                stderr(&out),
                format!("error: {}:{location}: {message}\n", config.display()),
                "{args:?}"
            );
            assert!(!stderr(&out).contains(secret));
        }
        assert_eq!(home.read(), text, "a broken file is never rewritten");
    }
    // With --url and no profile named, the file is never read.
    let dsm = MockDsm::start().await.unwrap();
    let args = [&["--url", dsm.url(), "--user", DEMO_USER][..], &LIST].concat();
    let out = home
        .run(&args, &[("SYNOLOGY_PASSWORD", DEMO_PASSWORD)])
        .await;
    assert_eq!(stdout_json(&out)["total"], 1);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_command_is_the_password_and_its_failure_shows_nothing_of_it() {
    let dsm = MockDsm::start().await.unwrap();
    let home = Home::new("command");
    let profile = |command: &str| {
        format!(
            "default_profile = \"nas\"\n[profiles.nas]\nurl = \"{}\"\nuser = \"{DEMO_USER}\"\n\
             password_command = '''{command}'''\n",
            dsm.url()
        )
    };
    // One trailing newline is not part of the password; CRLF neither.
    for command in [
        format!("echo {DEMO_PASSWORD}"),
        format!("printf '{DEMO_PASSWORD}'"),
        format!("printf '{DEMO_PASSWORD}\\r\\n'"),
    ] {
        home.write(&profile(&command));
        stdout_json(&home.run(&LIST, &[]).await);
    }
    // A second newline is: the login is refused.
    home.write(&profile(&format!("printf '{DEMO_PASSWORD}\\n\\n'")));
    assert_eq!(home.run(&LIST, &[]).await.status.code(), Some(5));
    // SYNOLOGY_PASSWORD wins over the command, which then never runs.
    home.write(&profile("echo wrong; exit 9"));
    stdout_json(
        &home
            .run(&LIST, &[("SYNOLOGY_PASSWORD", DEMO_PASSWORD)])
            .await,
    );

    logins(&dsm);
    let leaked = "s3cret-output";
    for (command, why) in [
        (
            format!("echo {leaked}; echo {leaked}-err >&2; exit 3"),
            "failed (exit status: 3); its output is not shown",
        ),
        ("true".to_owned(), "printed no password"),
        (
            "printf '\\377'".to_owned(),
            "printed text that is not UTF-8",
        ),
    ] {
        home.write(&profile(&command));
        let out = home.run(&LIST, &[]).await;
        assert_eq!(out.status.code(), Some(2), "{command}");
        let err = stderr(&out);
        assert!(
            err.ends_with(&format!("error: password_command of profile `nas` {why}\n")),
            "{err}"
        );
        assert!(!String::from_utf8_lossy(&out.stdout).contains(leaked));
        // Only the command's own stderr passes through, never what it printed on stdout.
        assert!(
            !err.replace(&format!("{leaked}-err"), "").contains(leaked),
            "{err}"
        );
        assert_eq!(logins(&dsm), Vec::<String>::new(), "no login tried");
    }
    // Without a command or SYNOLOGY_PASSWORD, and no terminal: no password.
    home.write(&format!(
        "[profiles.nas]\nurl = \"{}\"\nuser = \"{DEMO_USER}\"\n",
        dsm.url()
    ));
    let out = home
        .run(&["--profile", "nas", "cloud-sync", "pause"], &[])
        .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no password"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profiles_ca_cert_is_trusted_and_the_flag_beats_it() {
    let (ca_pem, chain_pem, key_pem) = pki();
    let dsm = MockDsm::start_with(MockConfig::dsm7().tls(&chain_pem, &key_pem))
        .await
        .unwrap();
    let home = Home::new("ca");
    let ca = home.dir.join("ca.pem");
    std::fs::write(&ca, ca_pem).unwrap();
    let missing = home.dir.join("missing.pem");
    let profile = |ca: &Path| {
        format!(
            "[profiles.nas]\nurl = \"{}\"\nuser = \"{DEMO_USER}\"\nca_cert = \"{}\"\n",
            dsm.url(),
            ca.display()
        )
    };
    let pw = [("SYNOLOGY_PASSWORD", DEMO_PASSWORD)];
    let with_profile = [&["--profile", "nas"][..], &LIST].concat();
    home.write(&profile(&ca));
    stdout_json(&home.run(&with_profile, &pw).await);
    home.write(&profile(&missing));
    let out = home.run(&with_profile, &pw).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!(
            "cannot read ca_cert of profile `nas` {}",
            missing.display()
        )),
        "{}",
        stderr(&out)
    );
    let ca_arg = ca.to_str().unwrap();
    let with_flag = [&["--profile", "nas", "--ca-cert", ca_arg][..], &LIST].concat();
    stdout_json(&home.run(&with_flag, &pw).await);
}

/// A CA and a certificate for 127.0.0.1 it signed: (CA PEM, chain PEM, key PEM).
fn pki() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    (
        ca.pem(),
        format!("{}{}", cert.pem(), ca.pem()),
        key.serialize_pem(),
    )
}

/// On Linux 0.0.0.0 reaches the local mock without counting as loopback (as in tests/cli_safety.rs).
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_can_allow_plain_http() {
    let dsm = MockDsm::start().await.unwrap();
    let port = dsm.url().rsplit(':').next().unwrap().to_owned();
    let home = Home::new("http");
    let pw = [("SYNOLOGY_PASSWORD", DEMO_PASSWORD)];
    let profile = |allow: bool| {
        format!(
            "default_profile = \"nas\"\n[profiles.nas]\nurl = \"http://0.0.0.0:{port}\"\n\
             user = \"{DEMO_USER}\"\nallow_insecure_http = {allow}\n"
        )
    };
    home.write(&profile(false));
    let out = home.run(&LIST, &pw).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let with_flag = [&["--allow-insecure-http"][..], &LIST].concat();
    stdout_json(&home.run(&with_flag, &pw).await);
    home.write(&profile(true));
    stdout_json(&home.run(&LIST, &pw).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profiles_device_token_is_kept_beside_the_config_unless_a_flag_names_another() {
    let dsm = MockDsm::start_with(MockConfig::dsm7().otp_user("ann", "pw", "123456"))
        .await
        .unwrap();
    let home = Home::new("token");
    let url = dsm.url().to_owned();
    let add = words("profile add otp --user ann --url");
    assert_ok(&home.run(&[&add[..], &[url.as_str()]].concat(), &[]).await);
    let pw = [("SYNOLOGY_PASSWORD", "pw")];
    let plain = [&["--profile", "otp"][..], &LIST].concat();
    assert_eq!(
        home.run(&plain, &pw).await.status.code(),
        Some(5),
        "a code is needed"
    );
    let with_code = [&["--profile", "otp", "--otp", "123456"][..], &LIST].concat();
    stdout_json(&home.run(&with_code, &pw).await);
    let token = home.dir.join("otp.device-token");
    assert!(
        std::fs::read_to_string(&token)
            .unwrap()
            .starts_with("mock-device-token-")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    stdout_json(&home.run(&plain, &pw).await);

    // --device-token-file beats the profile's file.
    let other = home.dir.join("elsewhere");
    let flag = words("--profile otp --otp 123456 --device-token-file");
    let flag = [&flag[..], &[other.to_str().unwrap()], &LIST].concat();
    stdout_json(&home.run(&flag, &pw).await);
    assert!(other.exists());

    // Removing the profile removes its token: a new profile of the name starts without one.
    let out = home.run(&words("profile remove otp"), &[]).await;
    assert_ok(&out);
    assert!(
        stderr(&out).contains("removed its device token"),
        "{}",
        stderr(&out)
    );
    assert!(!token.exists());
    assert!(other.exists(), "a file the profile did not own stays");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_add_list_show_and_remove_keep_other_profiles_comments() {
    let home = Home::new("manage");
    let original = "# my NASes\n\n# the home one, on the LAN\n[profiles.home]\n\
                    url = \"https://nas.local:5001\" # DSM's HTTPS port\nuser = \"admin\"\n";
    home.write(original);
    let add = words(
        "profile add work --url https://work.example:5001 --user me --ca-cert ca.pem --default",
    );
    let add = [&add[..], &["--password-command", "pass show work"]].concat();
    assert_ok(&home.run(&add, &[]).await);
    let ca = std::env::current_dir().unwrap().join("ca.pem");
    assert_eq!(
        home.read(),
        format!(
            "default_profile = \"work\"\n\n# my NASes\n\n# the home one, on the LAN\n\
             [profiles.home]\nurl = \"https://nas.local:5001\" # DSM's HTTPS port\n\
             user = \"admin\"\n\n[profiles.work]\nurl = \"https://work.example:5001\"\n\
             user = \"me\"\nca_cert = \"{}\"\npassword_command = \"pass show work\"\n",
            ca.display()
        )
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.config())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(
        stdout_json(&home.run(&["profile", "list"], &[]).await),
        json!([
            {"name": "home", "default": false, "url": "https://nas.local:5001", "user": "admin"},
            {"name": "work", "default": true, "url": "https://work.example:5001", "user": "me"},
        ])
    );
    let table = home
        .run(&["--output", "table", "profile", "list"], &[])
        .await;
    assert_eq!(
        String::from_utf8_lossy(&table.stdout),
        "name  default  url                        user\n\
         home  false    https://nas.local:5001     admin\n\
         work  true     https://work.example:5001  me\n"
    );
    assert_eq!(
        stdout_json(&home.run(&["profile", "show", "work"], &[]).await),
        json!({
            "name": "work", "default": true, "url": "https://work.example:5001", "user": "me",
            "ca_cert": ca.display().to_string(),
            "device_token_file": home.dir.join("work.device-token").display().to_string(),
            "allow_insecure_http": false, "password_command": "pass show work",
        })
    );
    for (args, message) in [
        (
            "profile add home --url https://x",
            "profile `home` already exists",
        ),
        (
            "profile add x --url ftp://x",
            "is not an http:// or https:// URL",
        ),
        ("profile add a/b --url https://x", "cannot name a profile"),
        ("profile show nope", "no profile `nope`"),
        ("profile remove nope", "no profile `nope`"),
        (
            "--url https://x profile list",
            "--url does not apply to `synology profile`",
        ),
        (
            "profile add x --url https://x --password pw",
            "unexpected argument '--password'",
        ),
    ] {
        let out = home.run(&words(args), &[]).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    let out = home.run(&["profile", "remove", "work"], &[]).await;
    assert!(
        stderr(&out).contains("it was the default profile"),
        "{}",
        stderr(&out)
    );
    assert_eq!(home.read(), original);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symlinked_config_is_written_through_to_its_target() {
    let home = Home::new("symlink");
    let dotfiles = home.dir.join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    let target = dotfiles.join("synology.toml");
    std::fs::write(&target, "# from my dotfiles\n").unwrap();
    std::os::unix::fs::symlink(&target, home.config()).unwrap();
    let add = words("profile add nas --url https://nas.local:5001");
    assert_ok(&home.run(&add, &[]).await);
    let link = std::fs::symlink_metadata(home.config()).unwrap();
    assert!(link.file_type().is_symlink(), "the link is kept");
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "# from my dotfiles\n\n[profiles.nas]\nurl = \"https://nas.local:5001\"\n"
    );
    // Tokens go beside the link, never into the dotfiles.
    let shown = stdout_json(&home.run(&["profile", "show", "nas"], &[]).await);
    assert_eq!(
        shown["device_token_file"],
        home.dir.join("nas.device-token").display().to_string()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_synology_config_the_file_is_under_xdg_config_home() {
    let home = Home::new("xdg");
    let mut cmd = Command::new(BIN);
    cmd.args(["profile", "add", "nas", "--url", "https://nas.local:5001"])
        .env_remove("SYNOLOGY_CONFIG")
        .env_remove("SYNOLOGY_PROFILE")
        .env("XDG_CONFIG_HOME", &home.dir)
        .stdin(Stdio::null());
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_ok(&out);
    let file = home.dir.join("synology").join("config.toml");
    assert!(
        std::fs::read_to_string(file)
            .unwrap()
            .contains("[profiles.nas]")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_ignores_profiles() {
    let home = Home::new("mock");
    home.write("this is not TOML");
    let args = [&["--mock"][..], &LIST].concat();
    assert_eq!(stdout_json(&home.run(&args, &[]).await)["total"], 1);
}
