//! `synology mock-server`: the embedded mock DSM as a process, with what `MockConfig` and
//! `MockDsm` can do as flags: a persona (`--dsm`), HTTPS with a certificate made at start-up
//! (`--tls`), an account of the user's own with optional 2FA (`--user`, `--password-env`,
//! `--otp-env`), sessions that end every N requests (`--expire-every`), the strict wire checks
//! (`--strict`), and scripted answers and item sets (`--state`). The URL is the first line on
//! stdout, so a script knows the server is up when it can read it.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use serde_json::Value;

use super::Failure;
use crate::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};
use crate::rt::{spec_api, spec_method};

/// What `--state FILE` holds, as the help and README describe it.
const STATE_SHAPE: &str = r#"{"API": {"method": {"answer": DATA, "items": [ITEM, ...]}}}"#;

/// The subcommand and its flags.
pub(super) fn command() -> Command {
    Command::new("mock-server")
        .about("Serve the mock DSM until interrupted; prints its URL first")
        .long_about(format!(
            "Serve the mock DSM until interrupted (Ctrl-C or SIGTERM). The first line on stdout \
             is its URL; with --tls the next two are the certificate's path and its SHA-256 \
             fingerprint. The demo account ({DEMO_USER} / {DEMO_PASSWORD}) can always log in.\n\n\
             --state FILE is JSON shaped {STATE_SHAPE}: for each API and method (the spec's \
             names, as `synology api` takes them), `answer` is the `data` the method answers \
             instead of its documented example, and `items` the list a paginated method pages \
             through (`total` is its length); give either or both. A file that is not JSON of \
             that shape, or names an API or method the mock cannot serve, exits 2."
        ))
        .arg(
            Arg::new("port")
                .long("port")
                .value_name("N")
                .value_parser(value_parser!(u16))
                .default_value("0")
                .help("Port on 127.0.0.1; 0 picks a free one"),
        )
        .arg(
            Arg::new("dsm")
                .long("dsm")
                .value_name("VERSION")
                .value_parser(["5", "6", "7"])
                .default_value("7")
                .help(
                    "Persona: publish what that DSM release's API.Info lists, and answer with \
                     its data where the spec records it (5, 6: SYNO.API.Auth at auth.cgi up to \
                     version 4 or 6, SYNO.API.Info at query.cgi; 5: entry.cgi's APIs at its \
                     long ____entry.cgi path)",
                ),
        )
        .arg(Arg::new("tls").long("tls").action(ArgAction::SetTrue).help(
            "Serve HTTPS with a self-signed certificate made at start-up; prints its path \
             (trust it with synology --ca-cert PATH) and SHA-256 fingerprint after the URL. \
             It is written to a new owner-only directory under the temporary directory, \
             removed on Ctrl-C or SIGTERM; the private key never leaves memory",
        ))
        .arg(
            Arg::new("user")
                .long("user")
                .value_name("NAME")
                .help("An account the mock accepts besides the demo one; its password comes from --password-env, or a prompt when stdin is a terminal"),
        )
        .arg(
            Arg::new("password-env")
                .long("password-env")
                .value_name("VAR")
                .requires("user")
                .help("Name of the environment variable holding --user's password (never the password itself)"),
        )
        .arg(
            Arg::new("otp-env")
                .long("otp-env")
                .value_name("VAR")
                .requires("user")
                .help(
                    "Give --user 2FA: the environment variable VAR holds the one OTP code the \
                     mock accepts (a fixed code, not a TOTP secret); after an OTP login the \
                     mock issues a device token, as DSM does",
                ),
        )
        .arg(
            Arg::new("expire-every")
                .long("expire-every")
                .value_name("N")
                .value_parser(value_parser!(u64).range(1..))
                .help(
                    "End each session after it has answered N calls, for every new session \
                     again: the next call with it gets code 119 and the client must log in again \
                     (only calls that need a session count, not logins or API.Info)",
                ),
        )
        .arg(Arg::new("strict").long("strict").action(ArgAction::SetTrue).help(
            "Check more than real DSM: a GET to a method the spec declares POST answers \
             HTTP 405, answers are text/plain, API.Info query needs `query`, logout needs a \
             session, JSON-format APIs take JSON text only",
        ))
        .arg(
            Arg::new("state")
                .long("state")
                .value_name("FILE")
                .value_parser(value_parser!(PathBuf))
                .help(format!(
                    "Scripted answers and item sets, JSON: {STATE_SHAPE} (see --help)"
                )),
        )
}

/// Checks every flag, starts the mock, prints its URL (and certificate), serves until
/// interrupted.
pub(super) async fn run(m: &ArgMatches) -> Result<(), Failure> {
    // Everything that can be wrong with the flags is found before the port is bound.
    let scripted = match m.get_one::<PathBuf>("state") {
        Some(path) => read_state(path)?,
        None => Vec::new(),
    };
    let (mut config, persona) = persona(m)?;
    let account = account(m)?;
    if let Some(a) = &account {
        config = match &a.otp {
            Some(code) => config.otp_user(&a.name, &a.password, code),
            None => config.user(&a.name, &a.password),
        };
    }
    if m.get_flag("strict") {
        config = config.strict();
    }
    let certificate = if m.get_flag("tls") {
        let c = Certificate::make()?;
        config = config.tls(&c.cert_pem, &c.key_pem);
        Some(c)
    } else {
        None
    };
    let port = m.get_one::<u16>("port").copied().unwrap_or(0);
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let dsm = MockDsm::start_on(config, addr)
        .await
        .map_err(|e| Failure::Unexpected(format!("cannot start the mock DSM on {addr}: {e}")))?;
    if let Some(n) = m.get_one::<u64>("expire-every") {
        dsm.expire_sessions_every(usize::try_from(*n).unwrap_or(usize::MAX));
    }
    for s in &scripted {
        if let Some(answer) = &s.answer {
            dsm.set_answer(&s.api, &s.method, answer.clone());
        }
        if let Some(items) = &s.items {
            dsm.set_items(&s.api, &s.method, items.clone());
        }
    }
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", dsm.url());
        if let Some(c) = &certificate {
            let _ = writeln!(out, "certificate: {}", c.path.display());
            let _ = writeln!(out, "sha256 fingerprint: {}", c.fingerprint);
        }
        let _ = out.flush();
    }
    eprintln!(
        "mock DSM {persona} serving; {}; Ctrl-C stops it",
        describe(m, account.as_ref(), scripted.len())
    );
    stopped().await?;
    drop(dsm);
    drop(certificate);
    Ok(())
}

/// The persona `--dsm` names, and how to call it.
fn persona(m: &ArgMatches) -> Result<(MockConfig, &'static str), Failure> {
    match m.get_one::<String>("dsm").map(String::as_str) {
        Some("5") => Ok((MockConfig::dsm5(), "(DSM 5)")),
        Some("6") => Ok((MockConfig::dsm6(), "(DSM 6)")),
        Some("7") | None => Ok((MockConfig::dsm7(), "(DSM 7)")),
        Some(other) => Err(Failure::Usage(format!(
            "--dsm {other}: the mock knows DSM 5, 6 and 7"
        ))),
    }
}

/// The account `--user` adds.
struct Account {
    name: String,
    password: String,
    otp: Option<String>,
}

fn account(m: &ArgMatches) -> Result<Option<Account>, Failure> {
    let Some(name) = m.get_one::<String>("user") else {
        return Ok(None);
    };
    let password = match m.get_one::<String>("password-env") {
        Some(var) => env_value(var, "--password-env")?,
        None if std::io::stdin().is_terminal() => {
            rpassword::prompt_password(format!("Password for {name} on the mock: "))
                .map_err(|e| Failure::Usage(format!("cannot read the password: {e}")))?
        }
        None => {
            return Err(Failure::Usage(format!(
                "--user {name} needs a password: --password-env VAR names the environment \
                 variable holding it, or run in a terminal to be asked (never a flag value)"
            )));
        }
    };
    let otp = m
        .get_one::<String>("otp-env")
        .map(|var| env_value(var, "--otp-env"))
        .transpose()?;
    Ok(Some(Account {
        name: name.clone(),
        password,
        otp,
    }))
}

/// The value of the environment variable `var` that `flag` names: set, Unicode, not empty.
fn env_value(var: &str, flag: &str) -> Result<String, Failure> {
    match std::env::var(var) {
        Ok(v) if v.is_empty() => Err(Failure::Usage(format!(
            "{flag} {var}: the environment variable is empty"
        ))),
        Ok(v) => Ok(v),
        Err(std::env::VarError::NotPresent) => Err(Failure::Usage(format!(
            "{flag} {var}: the environment variable is not set"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::Usage(format!(
            "{flag} {var}: the environment variable is not valid UTF-8"
        ))),
    }
}

/// The stderr line after the URL: who can log in, and what was switched on. Never a password.
fn describe(m: &ArgMatches, account: Option<&Account>, scripted: usize) -> String {
    let mut text = format!("log in as {DEMO_USER} / {DEMO_PASSWORD}");
    if let Some(a) = account {
        let from = match m.get_one::<String>("password-env") {
            Some(var) => format!("password from ${var}"),
            None => "the password typed".to_owned(),
        };
        text += &format!(" or as {} ({from}", a.name);
        if let Some(var) = m.get_one::<String>("otp-env") {
            text += &format!(", OTP code from ${var}");
        }
        text.push(')');
    }
    if let Some(n) = m.get_one::<u64>("expire-every") {
        text += &format!("; each session ends after {n} calls");
    }
    if m.get_flag("strict") {
        text += "; strict";
    }
    if scripted > 0 {
        let methods = if scripted == 1 { "method" } else { "methods" };
        text += &format!("; --state scripts {scripted} {methods}");
    }
    text
}

/// Waits for Ctrl-C, or SIGTERM on Unix, so the certificate's directory is removed either way.
async fn stopped() -> Result<(), Failure> {
    let failed = |e: std::io::Error| Failure::Unexpected(format!("cannot wait for Ctrl-C: {e}"));
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).map_err(failed)?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.map_err(failed),
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map_err(failed)
    }
}

/// One method `--state` scripts.
#[derive(Debug)]
struct Scripted {
    api: String,
    method: String,
    answer: Option<Value>,
    items: Option<Vec<Value>>,
}

/// Reads and checks `--state FILE`; every error names the file (exit 2).
fn read_state(path: &Path) -> Result<Vec<Scripted>, Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("cannot read --state {shown}: {e}")))?;
    let json: Value = serde_json::from_str(&text)
        .map_err(|e| Failure::Usage(format!("--state {shown} is not valid JSON: {e}")))?;
    parse_state(&json).map_err(|e| Failure::Usage(format!("--state {shown}: {e}")))
}

/// The methods `json` scripts, checked against what the mock can serve.
fn parse_state(json: &Value) -> Result<Vec<Scripted>, String> {
    let shape = || format!("expected {STATE_SHAPE}");
    let apis = json.as_object().ok_or_else(shape)?;
    let mut scripted = Vec::new();
    for (api, methods) in apis {
        if spec_api(api).is_none() {
            return Err(format!(
                "unknown API `{api}`{}; the mock serves the spec's APIs (synology --mock apis)",
                did_you_mean(api, crate::generated::APIS.iter().map(|a| a.name))
            ));
        }
        if api == "SYNO.API.Auth" {
            return Err(
                "`SYNO.API.Auth` is the mock's own login, not scriptable: use --user, --otp-env"
                    .to_owned(),
            );
        }
        let methods = methods
            .as_object()
            .ok_or_else(|| format!("`{api}`: expected an object of methods; {}", shape()))?;
        for (method, given) in methods {
            let Some(meta) = spec_method(api, method) else {
                let names = crate::generated::METHODS
                    .iter()
                    .filter(|m| m.api.name == api)
                    .map(|m| m.name);
                return Err(format!(
                    "`{api}` has no method `{method}`{} (names are case-sensitive)",
                    did_you_mean(method, names)
                ));
            };
            scripted.push(scripted_method(
                api,
                method,
                given,
                meta.pagination.is_some(),
            )?);
        }
    }
    Ok(scripted)
}

fn scripted_method(
    api: &str,
    method: &str,
    given: &Value,
    pages: bool,
) -> Result<Scripted, String> {
    let at = format!("`{api}` `{method}`");
    let fields = given
        .as_object()
        .ok_or_else(|| format!("{at}: expected {{\"answer\": DATA, \"items\": [...]}}"))?;
    if let Some(other) = fields.keys().find(|k| *k != "answer" && *k != "items") {
        return Err(format!("{at}: unknown key `{other}` (answer, items)"));
    }
    let answer = fields.get("answer").cloned();
    let items = match fields.get("items") {
        None => None,
        Some(_) if !pages => {
            return Err(format!(
                "{at} does not page: give `answer` (its data), not `items`"
            ));
        }
        Some(Value::Array(items)) => Some(items.clone()),
        Some(_) => return Err(format!("{at}: `items` must be a list")),
    };
    if answer.is_none() && items.is_none() {
        return Err(format!("{at}: give `answer`, `items` or both"));
    }
    Ok(Scripted {
        api: api.to_owned(),
        method: method.to_owned(),
        answer,
        items,
    })
}

/// ` (did you mean `X`?)` for the closest of `names`, when one is close.
fn did_you_mean<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|n| (strsim::jaro_winkler(name, n), n))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default()
}

/// A self-signed certificate for 127.0.0.1 and localhost, written to `path` in a directory of
/// its own that is removed on drop; the key stays in memory.
struct Certificate {
    dir: PathBuf,
    path: PathBuf,
    fingerprint: String,
    cert_pem: String,
    key_pem: String,
}

impl Certificate {
    fn make() -> Result<Self, Failure> {
        let failed = |e: rcgen::Error| {
            Failure::Unexpected(format!("cannot make a certificate for --tls: {e}"))
        };
        let key = rcgen::KeyPair::generate().map_err(failed)?;
        let mut params =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .map_err(failed)?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "synology mock DSM");
        let cert = params.self_signed(&key).map_err(failed)?;
        let dir = private_dir()?;
        let path = dir.join("cert.pem");
        let made = Certificate {
            dir,
            path,
            fingerprint: fingerprint(cert.der()),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        };
        // On failure `made` is dropped, which removes the directory.
        std::fs::write(&made.path, &made.cert_pem).map_err(|e| {
            Failure::Unexpected(format!("cannot write {}: {e}", made.path.display()))
        })?;
        Ok(made)
    }
}

impl Drop for Certificate {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A new directory only this user can enter, under the temporary directory. Creating it fails
/// rather than reuse anything already there.
fn private_dir() -> Result<PathBuf, Failure> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "synology-mock-server-{}-{nanos:08x}",
        std::process::id()
    ));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(&dir)
        .map_err(|e| Failure::Unexpected(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

/// The SHA-256 of the DER certificate as `AA:BB:...`, as `openssl x509 -fingerprint -sha256`
/// prints it.
fn fingerprint(der: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn the_fingerprint_is_the_sha256_of_the_der_in_openssl_form() {
        // SHA-256 of the empty input.
        assert_eq!(
            fingerprint(b""),
            "E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:\
             27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55"
        );
    }

    #[cfg(feature = "cloud-sync")]
    #[test]
    fn state_files_name_what_is_wrong() {
        use super::parse_state;
        use serde_json::json;

        let cases = [
            (json!([]), "expected {"),
            (
                json!({"SYNO.CloudSynk": {}}),
                "did you mean `SYNO.CloudSync`?",
            ),
            (
                json!({"SYNO.CloudSync": []}),
                "`SYNO.CloudSync`: expected an object",
            ),
            (
                json!({"SYNO.CloudSync": {"list_con": {"answer": {}}}}),
                "has no method `list_con` (did you mean `list_conn`?)",
            ),
            (
                json!({"SYNO.CloudSync": {"list_conn": {"items": []}}}),
                "does not page",
            ),
            (
                json!({"SYNO.CloudSync": {"list_conn": {"anwser": {}}}}),
                "unknown key `anwser`",
            ),
            (
                json!({"SYNO.CloudSync": {"list_conn": {}}}),
                "give `answer`",
            ),
            (
                json!({"SYNO.CloudSync.Connection.Log": {"List": {"items": {}}}}),
                "`items` must be a list",
            ),
            (
                json!({"SYNO.API.Auth": {"login": {"answer": {}}}}),
                "not scriptable",
            ),
        ];
        for (state, message) in cases {
            let err = parse_state(&state).unwrap_err();
            assert!(err.contains(message), "{state}: {err}");
        }
        let ok = json!({
            "SYNO.CloudSync": {"list_conn": {"answer": {"total": 0}}},
            "SYNO.CloudSync.Connection.Log": {"List": {"items": [1, 2], "answer": {"logs": []}}},
        });
        assert_eq!(parse_state(&ok).unwrap().len(), 2);
    }
}
