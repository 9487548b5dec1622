//! The `synology` command line (feature `cli`). The API subcommands are generated
//! (`generated/cli/`); `api` and `apis` (raw calls, what the NAS publishes) are in `raw`,
//! `mock-server` in `mock_server`, `completions` and the hidden `__man` in `completions`; this
//! module holds the global flags, the session set-up, output and exit codes.
//!
//! Exit codes: 0 ok; 1 unexpected; 2 usage (bad flags, bad configuration such as plain
//! `http://` to a remote host without `--allow-insecure-http`, a bad `synology api` parameter);
//! 3 DSM API error from a call, or `Unsupported`, or `VersionNotOffered`; 4 network, TLS, timeout, HTTP status,
//! redirect, response over the size limit, stalled stream or decode error (and a re-login that
//! failed for one of those); 5 a failed login, or a session that ended because DSM refused the
//! re-login.

// The helpers below serve the generated family commands; with some families' features off,
// some go unused.
#![cfg_attr(not(feature = "all-apis"), allow(dead_code))]

mod completions;
mod escape;
mod mock_server;
mod output;
mod print;
mod profile;
mod progress;
mod raw;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use serde::de::DeserializeOwned;

use crate::generated::cli as api;
use crate::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};
use crate::{Client, DeviceToken, Error, Login};
pub(crate) use print::Out;

/// Why a command did not succeed, with its exit code.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Bad command line (exit 2).
    Usage(String),
    /// A call failed (exit 3 or 4).
    Call(Error),
    /// A call failed, with a hint on what to do (exit as for `Call`).
    Hinted(Box<Error>, &'static str),
    /// The login failed (exit 5, or 4 for network trouble).
    Login(Error),
    /// Anything else (exit 1).
    Unexpected(String),
    /// Stdout's reader went away (`| head`): the command ends quietly (exit 0).
    Closed,
}

impl Failure {
    pub(crate) fn usage(context: &str) -> Self {
        Failure::Usage(format!("unknown or missing subcommand after `{context}`"))
    }

    fn exit_code(&self) -> u8 {
        match self {
            Failure::Closed => 0,
            Failure::Usage(_) => 2,
            Failure::Unexpected(_) => 1,
            Failure::Login(e) | Failure::Call(e) => error_exit_code(e),
            Failure::Hinted(e, _) => error_exit_code(e),
        }
    }
}

/// The exit code for a library error (the table in the module doc).
fn error_exit_code(e: &Error) -> u8 {
    match e {
        Error::Api { api, .. } if api == "SYNO.API.Auth" => 5,
        Error::OtpRequired { .. } | Error::SessionEnded { .. } => 5,
        Error::ReloginBackoff { cause, .. } => match error_exit_code(cause) {
            4 => 4,
            _ => 5,
        },
        Error::Api { .. } | Error::Unsupported { .. } | Error::VersionNotOffered { .. } => 3,
        Error::Http { .. }
        | Error::Decode { .. }
        | Error::Timeout { .. }
        | Error::Transport { .. }
        | Error::Redirect { .. }
        | Error::ResponseTooLarge { .. }
        | Error::StreamStalled { .. } => 4,
        Error::Config(_) | Error::InvalidParameter { .. } => 2,
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Call(e)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Usage(m) | Failure::Unexpected(m) => f.write_str(m),
            Failure::Call(e) => write!(f, "{e}"),
            Failure::Hinted(e, hint) => write!(f, "{e} ({hint})"),
            Failure::Login(e) => write!(f, "login failed: {e}"),
            Failure::Closed => f.write_str("the output was closed"),
        }
    }
}

/// A required flag's value (clap enforces presence; absence here is a usage error).
pub(crate) fn required<T: Clone + Send + Sync + 'static>(
    m: &ArgMatches,
    flag: &str,
) -> Result<T, Failure> {
    optional(m, flag).ok_or_else(|| Failure::Usage(format!("--{flag} is required")))
}

/// A flag of a generated method command.
pub(crate) fn arg(
    flag: &'static str,
    value_name: &'static str,
    required: bool,
    parser: impl clap::builder::IntoResettable<clap::builder::ValueParser>,
    help: &'static str,
) -> Arg {
    Arg::new(flag)
        .long(flag)
        .value_name(value_name)
        .required(required)
        .value_parser(parser)
        .help(help)
}

/// Applies an optional flag's value to a request builder, when the flag was given.
pub(crate) fn set<R, V>(request: R, value: Option<V>, apply: impl FnOnce(R, V) -> R) -> R {
    match value {
        Some(v) => apply(request, v),
        None => request,
    }
}

/// An optional flag's value.
pub(crate) fn optional<T: Clone + Send + Sync + 'static>(m: &ArgMatches, flag: &str) -> Option<T> {
    m.try_get_one::<T>(flag).ok().flatten().cloned()
}

/// An optional flag holding JSON, decoded into the parameter's type.
#[allow(
    dead_code,
    reason = "for JSON-encoded parameters, which the spec may not have"
)]
pub(crate) fn json<T: DeserializeOwned>(m: &ArgMatches, flag: &str) -> Result<Option<T>, Failure> {
    match optional::<String>(m, flag) {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            Failure::Usage(format!(
                "--{flag} is not valid JSON for this parameter: {e}"
            ))
        }),
    }
}

/// A required flag holding JSON.
#[allow(
    dead_code,
    reason = "for JSON-encoded parameters, which the spec may not have"
)]
pub(crate) fn json_required<T: DeserializeOwned>(m: &ArgMatches, flag: &str) -> Result<T, Failure> {
    json(m, flag)?.ok_or_else(|| Failure::Usage(format!("--{flag} is required")))
}

fn command() -> Command {
    Command::new("synology")
        .about("Call the Synology DSM Web API from the command line")
        .long_about(
            "Call the Synology DSM Web API from the command line.\n\n\
             The password comes from SYNOLOGY_PASSWORD, else the profile's password_command, else a \
             prompt when stdin is a terminal.\n\
             Global flags go before the family: synology --url https://nas:5001 --user admin cloud-sync connection list\n\n\
             Profiles (synology profile add NAME --url URL ...) keep --url, --user, --ca-cert, \
             --device-token-file and --allow-insecure-http in a TOML file (SYNOLOGY_CONFIG, else \
             synology/config.toml in $XDG_CONFIG_HOME or the platform's configuration directory). \
             The profile: --profile NAME, else SYNOLOGY_PROFILE, else the file's default_profile when \
             neither --profile nor --url is given; a flag beats the profile's value.\n\n\
             Plain http:// is refused for any host but this machine, as the password and the session would cross \
             the network in clear; --allow-insecure-http, or SYNOLOGY_ALLOW_INSECURE_HTTP set to 1, true or yes, \
             allows it.\n\n\
             Any API, even one the spec does not cover: synology api SYNO.Core.System info type=storage \
             (KEY=VALUE sends a string, -F KEY=JSON a JSON value; --version N, --get, --path CGI). \
             What the NAS publishes and how this client covers it: synology apis [--filter TEXT].\n\n\
             Output: json, ndjson or table (--output; table on a terminal, else json; synology api prints \
             JSON unless asked). ndjson is one JSON object a line: the answer's list, or the whole answer \
             when it lists none. With --all, items are written as pages come (json: one list; a table \
             waits for the last page). Tables and error messages show control characters from the \
             server as escapes (\\u{1b} for ESC, \\u{202e} for a right-to-left override) and line up \
             wide characters; on a terminal, cells are cut to its width with … unless --wide. JSON \
             output is the response's exact JSON, with DEL, C1 and bidi controls written as \\u escapes \
             (the strings read back the same). With --all, a progress bar on stderr when it is a \
             terminal (--quiet: none). A closed output (| head) ends the command quietly, exit 0.\n\n\
             Exit codes: 0 ok; 1 unexpected; 2 usage (bad flags or parameters, plain HTTP without \
             consent); 3 DSM error or an API the NAS does not publish; 4 network, TLS, timeout, HTTP, \
             redirect, size limit, stalled stream or decode error; 5 failed login, or a session DSM \
             refused to renew.",
        )
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(Arg::new("url").long("url").value_name("URL").help("The NAS, e.g. https://nas.example.com:5001"))
        .arg(Arg::new("user").long("user").value_name("NAME").help("Account to log in with"))
        .arg(
            Arg::new("profile")
                .long("profile")
                .value_name("NAME")
                .help("Profile of the config file to use (or SYNOLOGY_PROFILE); flags beat its values"),
        )
        .arg(Arg::new("otp").long("otp").value_name("CODE").help("2-factor code, for an account with 2FA"))
        .arg(
            Arg::new("device-token-file")
                .long("device-token-file")
                .value_name("PATH")
                .value_parser(value_parser!(PathBuf))
                .help("Device token: read if present, written after an OTP login (so later logins need no code)"),
        )
        .arg(
            Arg::new("ca-cert")
                .long("ca-cert")
                .value_name("PEM")
                .value_parser(value_parser!(PathBuf))
                .help("Extra root certificate (PEM file), e.g. the NAS's own CA"),
        )
        .arg(Arg::new("insecure").long("insecure").action(ArgAction::SetTrue).help("Accept any TLS certificate (unsafe)"))
        .arg(
            Arg::new("allow-insecure-http")
                .long("allow-insecure-http")
                .action(ArgAction::SetTrue)
                .help("Allow plain http:// to a host other than this machine (password in clear); or SYNOLOGY_ALLOW_INSECURE_HTTP=1"),
        )
        .arg(
            Arg::new("timeout")
                .long("timeout")
                .value_name("SECONDS")
                .value_parser(value_parser!(u64).range(1..))
                .help("Request timeout in seconds"),
        )
        .arg(
            Arg::new("output")
                .long("output")
                .value_name("FORMAT")
                .value_parser(["json", "ndjson", "table"])
                .help("json, ndjson (a JSON object a line) or table [default: table on a terminal, else json]"),
        )
        .arg(Arg::new("wide").long("wide").action(ArgAction::SetTrue).help("Do not cut table cells to the terminal's width"))
        .arg(Arg::new("quiet").short('q').long("quiet").action(ArgAction::SetTrue).help("No progress bar (errors still print)"))
        .arg(Arg::new("verbose").short('v').long("verbose").action(ArgAction::Count).help("Log to stderr (-vv for more)"))
        .arg(Arg::new("mock").long("mock").action(ArgAction::SetTrue).help("Run against an embedded mock DSM as its demo user"))
        .subcommands(api::commands())
        .subcommand(raw::api_command())
        .subcommand(raw::apis_command())
        .subcommand(mock_server::command())
        .subcommand(profile::command())
        .subcommand(completions::command())
}

/// The `synology` binary.
pub fn main() -> ExitCode {
    let matches = match completions::with_man(command()).try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let pages = matches
        .subcommand()
        .is_some_and(|(_, sub)| sub_wants_all(sub));
    let progress = progress::Progress::new(progress::draws(
        pages,
        std::io::stderr().is_terminal(),
        matches.get_flag("quiet"),
    ));
    init_tracing(matches.get_count("verbose"), &progress);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(&matches, progress)) {
        Ok(()) | Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(failure) => {
            // Error messages quote the server (DSM descriptions, bodies, URLs): escape them.
            // A closed stderr loses the message, not the exit code.
            let message = escape::escape_controls(&failure.to_string()).into_owned();
            let _ = writeln!(std::io::stderr(), "error: {message}");
            ExitCode::from(failure.exit_code())
        }
    }
}

/// Logs (`-v`) to stderr, around the progress bar while one is drawn.
fn init_tracing(verbosity: u8, progress: &progress::Progress) {
    if verbosity == 0 {
        return;
    }
    let level = if verbosity == 1 {
        tracing::Level::DEBUG
    } else {
        tracing::Level::TRACE
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(progress::LogWriter(progress.clone()))
        .try_init();
}

async fn run(matches: &ArgMatches, progress: progress::Progress) -> Result<(), Failure> {
    let (family, sub) = matches
        .subcommand()
        .ok_or_else(|| Failure::usage("synology"))?;
    if family == "mock-server" {
        return mock_server::run(sub).await;
    }
    if family == "profile" {
        return profile::run(matches, sub, progress);
    }
    if let Some(done) = completions::run(family, sub) {
        return done;
    }
    // A raw call's arguments are checked before connecting: a bad one sends nothing.
    let raw_call = match family {
        "api" => Some(raw::Call::parse(sub)?),
        _ => None,
    };
    let (client, _mock) = connect(matches).await?;
    let mut out = Out::stdout(matches, family, progress);
    let result = match (family, raw_call) {
        (_, Some(call)) => match call.send(&client).await {
            Ok(data) => out.data(&data),
            Err(e) => Err(e),
        },
        ("apis", None) => match raw::apis(&client, sub).await {
            Ok(rows) => out.apis(&rows),
            Err(e) => Err(e),
        },
        _ => api::run(&client, family, sub, &mut out).await,
    };
    // What was written goes out, after an error too (the items before it).
    let written = out.finish();
    // Log out whatever happened, so DSM frees the session; a failed logout changes nothing.
    let _ = client.logout().await;
    result.and(written)
}

/// Whether the selected method was asked for `--all`.
fn sub_wants_all(mut m: &ArgMatches) -> bool {
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    m.try_get_one::<bool>("all")
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
}

/// A logged-in client: the embedded mock as its demo user, or the NAS the flags name.
async fn connect(matches: &ArgMatches) -> Result<(Client, Option<MockDsm>), Failure> {
    if matches.get_flag("mock") {
        let dsm = MockDsm::start_with(MockConfig::dsm7())
            .await
            .map_err(|e| Failure::Unexpected(format!("cannot start the mock DSM: {e}")))?;
        let client = dsm.client().map_err(Failure::Call)?;
        client
            .login(DEMO_USER, DEMO_PASSWORD)
            .await
            .map_err(Failure::Login)?;
        return Ok((client, Some(dsm)));
    }
    // Each value from its flag, else from the chosen profile.
    let conn = profile::resolve(matches)?;
    let mut builder = Client::builder(&conn.url)
        .danger_accept_invalid_certificates(matches.get_flag("insecure"))
        .allow_insecure_http(conn.allow_insecure_http || env_flag(ALLOW_INSECURE_HTTP_ENV));
    if let Some((path, what)) = &conn.ca_cert {
        let pem = std::fs::read(path)
            .map_err(|e| Failure::Usage(format!("cannot read {what} {}: {e}", path.display())))?;
        builder = builder.add_root_certificate_pem(&pem);
    }
    if let Some(seconds) = matches.get_one::<u64>("timeout") {
        builder = builder.timeout(Duration::from_secs(*seconds));
    }
    let client = builder.build().map_err(|e| Failure::Usage(e.to_string()))?;
    let password = password(conn.password_command.as_ref())?;
    let token_file = conn.device_token_file.as_ref();
    let mut login = Login::new(&conn.user, &password);
    if let Some(token) = token_file.map(read_token).transpose()?.flatten() {
        login = login.device_token(token);
    }
    if let Some(otp) = matches.get_one::<String>("otp") {
        login = login.otp_code(otp).device_name("synology-cli");
    }
    client.login_with(login).await.map_err(Failure::Login)?;
    if let (Some(path), Some(_), Some(token)) = (
        token_file,
        matches.get_one::<String>("otp"),
        client.device_token(),
    ) {
        write_token(path, &token)?;
    }
    Ok((client, None))
}

/// The environment variable that, like `--allow-insecure-http`, allows plain `http://`.
const ALLOW_INSECURE_HTTP_ENV: &str = "SYNOLOGY_ALLOW_INSECURE_HTTP";

/// Whether the environment variable `name` is on: `1`, `true` or `yes` (any case); unset or
/// anything else is off.
fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| is_on(&v))
}

fn is_on(value: &str) -> bool {
    let value = value.trim();
    ["1", "true", "yes"]
        .iter()
        .any(|on| value.eq_ignore_ascii_case(on))
}

fn password(command: Option<&profile::PasswordCommand>) -> Result<String, Failure> {
    if let Ok(p) = std::env::var("SYNOLOGY_PASSWORD") {
        return Ok(p);
    }
    if let Some(command) = command {
        return command.run();
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "no password: set SYNOLOGY_PASSWORD, give the profile a password_command, or run in a terminal to be asked".into(),
        ));
    }
    rpassword::prompt_password("Password: ")
        .map_err(|e| Failure::Usage(format!("cannot read the password: {e}")))
}

/// The device token in `path` (`what` names it in an error); a missing or blank file means no
/// token yet.
fn read_token((path, what): &(PathBuf, String)) -> Result<Option<DeviceToken>, Failure> {
    DeviceToken::load(path)
        .map_err(|e| Failure::Usage(format!("cannot read {what} {}: {e}", path.display())))
}

/// Saves the token owner-only and atomically ([`DeviceToken::save`]).
fn write_token((path, what): &(PathBuf, String), token: &DeviceToken) -> Result<(), Failure> {
    token
        .save(path)
        .map_err(|e| Failure::Unexpected(format!("cannot write {what} {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::{error_exit_code, is_on};
    use crate::Error;

    #[test]
    fn a_version_the_nas_lacks_exits_3_like_an_api_it_lacks() {
        let not_offered = Error::VersionNotOffered {
            api: "SYNO.X".into(),
            method: "m".into(),
            offered: vec![1],
            available: (2, 2),
        };
        let unsupported = Error::Unsupported {
            api: "SYNO.X".into(),
            needed_version: 3,
            available: Some((1, 2)),
            suggestions: Vec::new(),
        };
        assert_eq!(
            (error_exit_code(&not_offered), error_exit_code(&unsupported)),
            (3, 3)
        );
    }

    #[test]
    fn the_environment_switch_is_on_for_one_true_or_yes_only() {
        for on in ["1", "true", "yes", "TRUE", "Yes", " 1\n"] {
            assert!(is_on(on), "{on:?}");
        }
        for off in ["", "0", "false", "no", "on", "y", "2", "truthy"] {
            assert!(!is_on(off), "{off:?}");
        }
    }
}
