//! Named profiles: which profile a command uses and which value wins ([`resolve`]), a
//! profile's `password_command`, and `synology profile list|show|add|remove`. The file itself
//! (where it is, checking, editing and writing it) is `config`.
//!
//! The profile: `--profile NAME`, else `SYNOLOGY_PROFILE`, else the file's `default_profile`,
//! which applies only when neither `--url` nor `--profile` is given, so the default profile's
//! user, password command and device token never go to a host the command line names. Each
//! value: its flag, else the chosen profile's. A `password_command` that fails exits 2, like a
//! missing password: no login was tried.

mod config;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use serde::Serialize;

use self::config::{CONFIG_ENV, EditError, Profile};
use super::progress::Progress;
use super::{Failure, Out, optional};

/// Chooses the profile when `--profile` is not given.
const PROFILE_ENV: &str = "SYNOLOGY_PROFILE";

/// The most a `password_command` may print.
const MAX_PASSWORD_BYTES: u64 = 64 * 1024;

/// Global flags that mean nothing to `synology profile` (its values go after `add NAME`).
const CONNECTION_FLAGS: [&str; 10] = [
    "url",
    "user",
    "otp",
    "device-token-file",
    "ca-cert",
    "insecure",
    "allow-insecure-http",
    "timeout",
    "mock",
    "profile",
];

/// What `connect` uses: each value from its flag, else from the chosen profile.
pub(super) struct Connection {
    pub(super) url: String,
    pub(super) user: String,
    /// An extra root certificate, with what to call it in an error.
    pub(super) ca_cert: Option<(PathBuf, String)>,
    /// The device token file, with what to call it in an error; a chosen profile always has
    /// one (by default beside the profiles file).
    pub(super) device_token_file: Option<(PathBuf, String)>,
    /// `--allow-insecure-http`, or the profile's `allow_insecure_http`.
    pub(super) allow_insecure_http: bool,
    /// The profile's `password_command`, used when `SYNOLOGY_PASSWORD` is not set.
    pub(super) password_command: Option<PasswordCommand>,
}

/// The connection settings from the flags and the chosen profile (module doc).
pub(super) fn resolve(matches: &ArgMatches) -> Result<Connection, Failure> {
    let chosen = choose(matches)?;
    let profile = chosen.as_ref().map(|(_, p)| p);
    let of = |key: &str, p: &Profile| format!("{key} of profile `{}`", p.name);
    let url = optional::<String>(matches, "url")
        .or_else(|| profile.map(|p| p.url.clone()))
        .ok_or_else(|| {
            Failure::Usage(
                "--url is required (or --profile NAME, a default_profile, or --mock)".into(),
            )
        })?;
    let user = optional::<String>(matches, "user")
        .or_else(|| profile.and_then(|p| p.user.clone()))
        .ok_or_else(|| {
            Failure::Usage(match profile {
                Some(p) => format!("--user is required: profile `{}` has no user", p.name),
                None => "--user is required".into(),
            })
        })?;
    let ca_cert = match optional::<PathBuf>(matches, "ca-cert") {
        Some(path) => Some((path, "--ca-cert".to_owned())),
        None => profile.and_then(|p| Some((p.ca_cert.clone()?, of("ca_cert", p)))),
    };
    let device_token_file = match optional::<PathBuf>(matches, "device-token-file") {
        Some(path) => Some((path, "--device-token-file".to_owned())),
        None => chosen.as_ref().map(|(file, p)| {
            let path = p
                .device_token_file
                .clone()
                .unwrap_or_else(|| config::default_token_file(file, &p.name));
            (path, of("the device token file", p))
        }),
    };
    Ok(Connection {
        url,
        user,
        ca_cert,
        device_token_file,
        allow_insecure_http: matches.get_flag("allow-insecure-http")
            || profile.is_some_and(|p| p.allow_insecure_http),
        password_command: profile.and_then(|p| {
            Some(PasswordCommand {
                profile: p.name.clone(),
                command: p.password_command.clone()?,
            })
        }),
    })
}

/// The chosen profile and the file it is in; `None` when the flags alone apply.
fn choose(matches: &ArgMatches) -> Result<Option<(PathBuf, Profile)>, Failure> {
    let named = match matches.get_one::<String>("profile") {
        Some(name) => Some((name.clone(), "--profile")),
        None => std::env::var(PROFILE_ENV)
            .ok()
            .filter(|name| !name.is_empty())
            .map(|name| (name, PROFILE_ENV)),
    };
    // `default_profile` never sends its user or token to a host the command line names.
    if named.is_none() && matches.get_one::<String>("url").is_some() {
        return Ok(None);
    }
    if let Some((name, from)) = &named {
        check_name(name, from)?;
    }
    let Some(path) = config::path() else {
        return match named {
            Some((name, _)) => Err(Failure::Usage(format!(
                "no configuration directory to find profile `{name}` in: set {CONFIG_ENV}"
            ))),
            None => Ok(None),
        };
    };
    let config = config::load(&path).map_err(|e| Failure::Usage(e.to_string()))?;
    let name = match named {
        Some((name, _)) => name,
        None => match &config.default_profile {
            Some(name) => name.clone(),
            None => return Ok(None),
        },
    };
    match config.get(&name) {
        Some(profile) => Ok(Some((path, profile.clone()))),
        None => Err(missing(&path, &name, &config.names())),
    }
}

fn check_name(name: &str, from: &str) -> Result<(), Failure> {
    if config::valid_name(name) {
        Ok(())
    } else {
        Err(Failure::Usage(format!(
            "{from} `{name}` cannot name a profile: use 1 to 64 of A-Z a-z 0-9 _ -"
        )))
    }
}

fn missing(path: &Path, name: &str, names: &str) -> Failure {
    Failure::Usage(format!(
        "no profile `{name}` in {} (profiles: {names}); add one with: synology profile add {name} --url URL",
        path.display()
    ))
}

/// A profile's `password_command`.
pub(super) struct PasswordCommand {
    profile: String,
    command: String,
}

impl PasswordCommand {
    /// Runs the command through the shell (`sh -c`; `cmd /C` on Windows) with this process's
    /// stdin and stderr, so it can prompt; its stdout, less one trailing newline, is the
    /// password. A failure names the profile and the exit status, never the output.
    pub(super) fn run(&self) -> Result<String, Failure> {
        let fail = |why: String| {
            Failure::Usage(format!(
                "password_command of profile `{}` {why}",
                self.profile
            ))
        };
        let mut child = shell(&self.command)
            .stdin(Stdio::inherit())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| fail(format!("could not start: {e}")))?;
        let mut out = Vec::new();
        // Reading stops at the limit; dropping the pipe then ends a command that goes on.
        let read = match child.stdout.take() {
            Some(stdout) => Read::take(stdout, MAX_PASSWORD_BYTES + 1)
                .read_to_end(&mut out)
                .map(drop),
            None => Ok(()),
        };
        let status = child
            .wait()
            .map_err(|e| fail(format!("could not be waited for: {e}")))?;
        if !status.success() {
            return Err(fail(format!("failed ({status}); its output is not shown")));
        }
        read.map_err(|e| fail(format!("could not be read: {e}")))?;
        if out.len() as u64 > MAX_PASSWORD_BYTES {
            return Err(fail("printed more than 64 KiB".into()));
        }
        let mut password =
            String::from_utf8(out).map_err(|_| fail("printed text that is not UTF-8".into()))?;
        if password.ends_with('\n') {
            password.pop();
            if password.ends_with('\r') {
                password.pop();
            }
        }
        if password.is_empty() {
            return Err(fail("printed no password".into()));
        }
        Ok(password)
    }
}

fn shell(command: &str) -> std::process::Command {
    #[cfg(windows)]
    let (program, flag) = ("cmd", "/C");
    #[cfg(not(windows))]
    let (program, flag) = ("sh", "-c");
    let mut shell = std::process::Command::new(program);
    shell.arg(flag).arg(command);
    shell
}

/// `synology profile`.
pub(super) fn command() -> Command {
    let name = || {
        Arg::new("name")
            .value_name("NAME")
            .required(true)
            .help("The profile's name: 1 to 64 of A-Z a-z 0-9 _ -")
    };
    let path = |id: &'static str, value: &'static str, help: &'static str| {
        Arg::new(id)
            .long(id)
            .value_name(value)
            .value_parser(value_parser!(PathBuf))
            .help(help)
    };
    Command::new("profile")
        .about("Manage the named profiles of the config file")
        .long_about(
            "Manage the named profiles of the config file: SYNOLOGY_CONFIG, else \
             synology/config.toml in $XDG_CONFIG_HOME or the platform's configuration \
             directory (~/.config on Linux). A profile holds --url, --user, --ca-cert, \
             --device-token-file, --allow-insecure-http and a password_command, never a \
             password. Use one with --profile NAME or SYNOLOGY_PROFILE; the file's \
             default_profile applies when neither --profile nor --url is given.",
        )
        .subcommand_required(true)
        .subcommand(Command::new("list").about("List the profiles, the default marked"))
        .subcommand(
            Command::new("show")
                .about("Show a profile's settings (it holds no secret)")
                .arg(name()),
        )
        .subcommand(
            Command::new("add")
                .about("Add a profile; no password is ever stored")
                .arg(name())
                .arg(
                    Arg::new("url")
                        .long("url")
                        .value_name("URL")
                        .required(true)
                        .help("The NAS, e.g. https://nas.example.com:5001"),
                )
                .arg(
                    Arg::new("user")
                        .long("user")
                        .value_name("NAME")
                        .help("Account to log in with"),
                )
                .arg(path("ca-cert", "PEM", "Extra root certificate (PEM file)"))
                .arg(path(
                    "device-token-file",
                    "PATH",
                    "Device token file [default: NAME.device-token beside the config file]",
                ))
                .arg(
                    Arg::new("allow-insecure-http")
                        .long("allow-insecure-http")
                        .action(ArgAction::SetTrue)
                        .help("Allow plain http:// to a host other than this machine"),
                )
                .arg(
                    Arg::new("password-command")
                        .long("password-command")
                        .value_name("COMMAND")
                        .help("Shell command whose output is the password, e.g. 'pass show nas'"),
                )
                .arg(
                    Arg::new("default")
                        .long("default")
                        .action(ArgAction::SetTrue)
                        .help("Make it the default_profile"),
                ),
        )
        .subcommand(
            Command::new("remove")
                .about("Remove a profile (and its default device token file)")
                .arg(name()),
        )
}

/// Runs `synology profile ...`; `matches` are the global flags.
pub(super) fn run(
    matches: &ArgMatches,
    sub: &ArgMatches,
    progress: Progress,
) -> Result<(), Failure> {
    if let Some(flag) = CONNECTION_FLAGS
        .iter()
        .find(|id| matches.value_source(id) == Some(ValueSource::CommandLine))
    {
        return Err(Failure::Usage(format!(
            "--{flag} does not apply to `synology profile`; \
             a profile's values go after `profile add NAME`"
        )));
    }
    let path = config::path().ok_or_else(|| {
        Failure::Usage(format!(
            "no configuration directory for the profiles file: set {CONFIG_ENV}"
        ))
    })?;
    match sub.subcommand() {
        Some(("list", _)) => list(matches, progress, &path),
        Some(("show", m)) => show(matches, progress, &path, &name(m)?),
        Some(("add", m)) => add(&path, m),
        Some(("remove", m)) => remove(&path, &name(m)?),
        _ => Err(Failure::usage("synology profile")),
    }
}

fn name(m: &ArgMatches) -> Result<String, Failure> {
    let name = super::required::<String>(m, "name")?;
    check_name(&name, "profile name")?;
    Ok(name)
}

/// One row of `profile list`.
#[derive(Serialize)]
struct Row<'a> {
    name: &'a str,
    default: bool,
    url: &'a str,
    user: Option<&'a str>,
}

fn list(matches: &ArgMatches, progress: Progress, path: &Path) -> Result<(), Failure> {
    let config = config::load(path).map_err(|e| Failure::Usage(e.to_string()))?;
    let rows: Vec<Row<'_>> = config
        .profiles
        .iter()
        .map(|p| Row {
            name: &p.name,
            default: config.default_profile.as_deref() == Some(p.name.as_str()),
            url: &p.url,
            user: p.user.as_deref(),
        })
        .collect();
    print(matches, progress, &rows)
}

/// What `profile show` prints: every setting, the device token file as used.
#[derive(Serialize)]
struct Shown<'a> {
    name: &'a str,
    default: bool,
    url: &'a str,
    user: Option<&'a str>,
    ca_cert: Option<String>,
    device_token_file: String,
    allow_insecure_http: bool,
    password_command: Option<&'a str>,
}

fn show(matches: &ArgMatches, progress: Progress, path: &Path, name: &str) -> Result<(), Failure> {
    let config = config::load(path).map_err(|e| Failure::Usage(e.to_string()))?;
    let p = config
        .get(name)
        .ok_or_else(|| missing(path, name, &config.names()))?;
    let token = p
        .device_token_file
        .clone()
        .unwrap_or_else(|| config::default_token_file(path, name));
    print(
        matches,
        progress,
        &Shown {
            name,
            default: config.default_profile.as_deref() == Some(name),
            url: &p.url,
            user: p.user.as_deref(),
            ca_cert: p.ca_cert.as_ref().map(|c| c.display().to_string()),
            device_token_file: token.display().to_string(),
            allow_insecure_http: p.allow_insecure_http,
            password_command: p.password_command.as_deref(),
        },
    )
}

/// Prints `value` as the global `--output` asks, like any answer (`Out`).
fn print<T: Serialize>(matches: &ArgMatches, progress: Progress, value: &T) -> Result<(), Failure> {
    let mut out = Out::stdout(matches, "profile", progress);
    let printed = out.answer(value, None);
    let written = out.finish();
    printed.and(written)
}

fn add(path: &Path, m: &ArgMatches) -> Result<(), Failure> {
    let name = name(m)?;
    let url = super::required::<String>(m, "url")?;
    match reqwest::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => {}
        _ => {
            return Err(Failure::Usage(format!(
                "--url `{url}` is not an http:// or https:// URL"
            )));
        }
    }
    let text = |flag: &str| -> Result<Option<String>, Failure> {
        match m.get_one::<String>(flag) {
            Some(v) if v.is_empty() => Err(Failure::Usage(format!("--{flag} is empty"))),
            v => Ok(v.cloned()),
        }
    };
    // Relative paths are made absolute here, where they mean what the shell meant.
    let absolute = |flag: &str| -> Result<Option<PathBuf>, Failure> {
        m.get_one::<PathBuf>(flag)
            .map(|p| {
                std::path::absolute(p)
                    .map_err(|e| Failure::Usage(format!("--{flag} {}: {e}", p.display())))
            })
            .transpose()
    };
    let profile = Profile {
        name,
        url,
        user: text("user")?,
        ca_cert: absolute("ca-cert")?,
        device_token_file: absolute("device-token-file")?,
        allow_insecure_http: m.get_flag("allow-insecure-http"),
        password_command: text("password-command")?,
    };
    let make_default = m.get_flag("default");
    config::add(path, &profile, make_default).map_err(|e| edit_failure(path, &profile.name, e))?;
    eprintln!(
        "added profile `{}` to {}{}",
        profile.name,
        path.display(),
        if make_default { " as the default" } else { "" }
    );
    Ok(())
}

fn remove(path: &Path, name: &str) -> Result<(), Failure> {
    let (profile, was_default) =
        config::remove(path, name).map_err(|e| edit_failure(path, name, e))?;
    let mut note = String::new();
    if was_default {
        note.push_str("; it was the default profile, and there is no default now");
    }
    // The token file beside the config is the profile's own: a new profile of the same name
    // must not send it to another NAS.
    if profile.device_token_file.is_none() {
        let token = config::default_token_file(path, name);
        match std::fs::remove_file(&token) {
            Ok(()) => note.push_str(&format!("; removed its device token {}", token.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => note.push_str(&format!(
                "; could not remove its device token {}: {e}",
                token.display()
            )),
        }
    }
    eprintln!("removed profile `{name}` from {}{note}", path.display());
    Ok(())
}

fn edit_failure(path: &Path, name: &str, e: EditError) -> Failure {
    match e {
        EditError::Config(e) => Failure::Usage(e.to_string()),
        EditError::Exists => Failure::Usage(format!(
            "profile `{name}` already exists in {}: remove it first (synology profile remove {name})",
            path.display()
        )),
        EditError::Missing(names) => missing(path, name, &names),
        EditError::NotUtf8(key) => Failure::Usage(format!(
            "the {key} path is not UTF-8, which the profiles file cannot hold"
        )),
        EditError::Write(e) => Failure::Unexpected(format!("cannot write {}: {e}", path.display())),
    }
}
