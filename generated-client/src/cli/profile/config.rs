//! The profiles file: where it is, reading it with each mistake located by file, line and key
//! (`toml_edit::Document` keeps spans), editing it with the comments of other profiles kept
//! (`toml_edit::DocumentMut`), and writing it atomically and owner-only through a symbolic
//! link to its target.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use toml_edit::{Document, DocumentMut, Item, Table, TableLike, Value};

/// Names the profiles file, overriding the platform's configuration directory.
pub(crate) const CONFIG_ENV: &str = "SYNOLOGY_CONFIG";

/// The largest profiles file read: a few profiles take a few hundred bytes.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// How many symbolic links a write follows to the file it replaces.
const MAX_LINKS: usize = 40;

/// How many temporary names a write tries before giving up.
const TEMP_ATTEMPTS: u32 = 16;

/// Makes temporary names unique within this process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The keys a profile may have, in the order `profile add` writes them.
pub(super) const PROFILE_KEYS: [&str; 6] = [
    "url",
    "user",
    "ca_cert",
    "device_token_file",
    "allow_insecure_http",
    "password_command",
];

/// The longest profile name (it names a token file).
const MAX_NAME_LEN: usize = 64;

/// Where the profiles file is: `SYNOLOGY_CONFIG`; else `synology/config.toml` under
/// `$XDG_CONFIG_HOME` when that is an absolute path (on every platform, as XDG asks); else
/// under the platform's configuration directory (`~/.config` on Linux, `~/Library/Application
/// Support` on macOS, the roaming AppData folder on Windows). `None` when there is none.
pub(super) fn path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(CONFIG_ENV).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        return Some(std::path::absolute(&path).unwrap_or(path));
    }
    let dir = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(dirs::config_dir)?;
    Some(dir.join("synology").join("config.toml"))
}

/// Whether `name` can name a profile: 1 to 64 of `A-Z a-z 0-9 _ -`.
pub(super) fn valid_name(name: &str) -> bool {
    (1..=MAX_NAME_LEN).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A profile's device token file when it names none: `NAME.device-token` beside the profiles
/// file as named (a symbolic link's directory, not its target's: a config kept in a dotfiles
/// repository never gets a secret beside it).
pub(super) fn default_token_file(config: &Path, name: &str) -> PathBuf {
    let dir = config.parent().unwrap_or(Path::new("."));
    dir.join(format!("{name}.device-token"))
}

/// The profiles file, checked.
#[derive(Debug, Default)]
pub(super) struct Config {
    /// The profile used when neither `--profile`, `SYNOLOGY_PROFILE` nor `--url` is given.
    pub(super) default_profile: Option<String>,
    /// Every profile, in file order.
    pub(super) profiles: Vec<Profile>,
}

impl Config {
    pub(super) fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// The profile names, for messages.
    pub(super) fn names(&self) -> String {
        let names: Vec<&str> = self.profiles.iter().map(|p| p.name.as_str()).collect();
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    }
}

/// One profile. It holds no secret: the loader refuses password and OTP keys.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Profile {
    pub(super) name: String,
    pub(super) url: String,
    pub(super) user: Option<String>,
    pub(super) ca_cert: Option<PathBuf>,
    pub(super) device_token_file: Option<PathBuf>,
    pub(super) allow_insecure_http: bool,
    pub(super) password_command: Option<String>,
}

/// A mistake in the profiles file, or a failure to read it: the file, the line and column
/// when known, and what is wrong.
#[derive(Debug, PartialEq)]
pub(super) struct ConfigError {
    pub(super) file: PathBuf,
    pub(super) at: Option<(usize, usize)>,
    pub(super) message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some((line, column)) => write!(
                f,
                "{}:{line}:{column}: {}",
                self.file.display(),
                self.message
            ),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Reads and checks the profiles file; a file that does not exist has no profiles.
pub(super) fn load(path: &Path) -> Result<Config, ConfigError> {
    match read(path)? {
        Some(text) => parse(path, &text),
        None => Ok(Config::default()),
    }
}

/// The file's text, or `None` when it does not exist.
fn read(path: &Path) -> Result<Option<String>, ConfigError> {
    let fail = |message: String| ConfigError {
        file: path.to_owned(),
        at: None,
        message,
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fail(format!("cannot read the profiles file: {e}"))),
    };
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| fail(format!("cannot read the profiles file: {e}")))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(fail("the profiles file is over 1 MiB".to_owned()));
    }
    Ok(Some(text))
}

/// Checks the text of a profiles file named `path`.
pub(super) fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let at = Locator { path, text };
    let doc = Document::parse(text)
        .map_err(|e| at.error(e.span(), format!("not valid TOML: {}", e.message())))?;
    let mut config = Config::default();
    let mut default = None;
    for (key, item) in doc.iter() {
        let span = key_span(doc.as_table(), key);
        match key {
            "default_profile" => {
                let name = string(&at, item, "default_profile")?;
                default = Some((name, item.span()));
            }
            "profiles" => {
                let table = item.as_table_like().ok_or_else(|| {
                    at.error(item.span(), "`profiles` must be a table of profiles")
                })?;
                for (name, item) in table.iter() {
                    let span = key_span(table, name);
                    config.profiles.push(profile(&at, name, span, item)?);
                }
            }
            _ => return Err(at.error(span, unknown_key(key, None))),
        }
    }
    if let Some((name, span)) = default {
        if config.get(&name).is_none() {
            return Err(at.error(
                span,
                format!(
                    "default_profile `{name}` names no profile (profiles: {})",
                    config.names()
                ),
            ));
        }
        config.default_profile = Some(name);
    }
    Ok(config)
}

/// Checks one `[profiles.NAME]` table.
fn profile(
    at: &Locator<'_>,
    name: &str,
    name_span: Option<Range<usize>>,
    item: &Item,
) -> Result<Profile, ConfigError> {
    if !valid_name(name) {
        return Err(at.error(
            name_span,
            format!("`{name}` cannot name a profile: use 1 to 64 of A-Z a-z 0-9 _ -"),
        ));
    }
    let table = item
        .as_table_like()
        .ok_or_else(|| at.error(item.span(), format!("profile `{name}` must be a table")))?;
    let mut p = Profile {
        name: name.to_owned(),
        ..Profile::default()
    };
    for (key, item) in table.iter() {
        let span = key_span(table, key);
        match key {
            "url" => p.url = string(at, item, key)?,
            "user" => p.user = Some(string(at, item, key)?),
            "ca_cert" => p.ca_cert = Some(path_value(at, item, key)?),
            "device_token_file" => p.device_token_file = Some(path_value(at, item, key)?),
            "allow_insecure_http" => {
                p.allow_insecure_http = item.as_bool().ok_or_else(|| {
                    at.error(item.span(), "`allow_insecure_http` must be true or false")
                })?;
            }
            "password_command" => p.password_command = Some(string(at, item, key)?),
            _ => return Err(at.error(span, unknown_key(key, Some(name)))),
        }
    }
    if p.url.is_empty() {
        return Err(at.error(
            name_span.or(item.span()),
            format!("profile `{name}` has no `url`"),
        ));
    }
    Ok(p)
}

/// Why `key` is refused: a secret, or not a key we know (with the closest one).
fn unknown_key(key: &str, profile: Option<&str>) -> String {
    if crate::secret::is_well_known_secret(key) || key.eq_ignore_ascii_case("otp") {
        return format!(
            "`{key}`: no password, OTP code or token is ever stored in the profiles file \
             (use password_command, SYNOLOGY_PASSWORD or the prompt; tokens go to \
             device_token_file)"
        );
    }
    let Some(profile) = profile else {
        return format!("unknown key `{key}` (expected default_profile or profiles)");
    };
    let closest = PROFILE_KEYS
        .iter()
        .map(|k| (strsim::jaro_winkler(k, key), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match closest {
        Some((_, k)) => format!("unknown key `{key}` in profile `{profile}` (did you mean `{k}`?)"),
        None => format!(
            "unknown key `{key}` in profile `{profile}` (expected {})",
            PROFILE_KEYS.join(", ")
        ),
    }
}

/// A non-empty string value.
fn string(at: &Locator<'_>, item: &Item, key: &str) -> Result<String, ConfigError> {
    match item.as_str() {
        Some("") => Err(at.error(item.span(), format!("`{key}` is empty"))),
        Some(s) => Ok(s.to_owned()),
        None => Err(at.error(item.span(), format!("`{key}` must be a string"))),
    }
}

/// A path value: absolute, or `~/...` under the home directory.
fn path_value(at: &Locator<'_>, item: &Item, key: &str) -> Result<PathBuf, ConfigError> {
    let text = string(at, item, key)?;
    if let Some(rest) = text.strip_prefix("~/") {
        return dirs::home_dir()
            .map(|home| home.join(rest))
            .ok_or_else(|| at.error(item.span(), format!("`{key}`: no home directory for ~")));
    }
    let path = PathBuf::from(&text);
    if path.is_absolute() {
        Ok(path)
    } else {
        Err(at.error(
            item.span(),
            format!("`{key}` must be an absolute path or start with ~/"),
        ))
    }
}

fn key_span(table: &dyn TableLike, key: &str) -> Option<Range<usize>> {
    table.get_key_value(key).and_then(|(k, _)| k.span())
}

/// Turns byte spans into `file:line:column`.
struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Locator<'_> {
    fn error(&self, span: Option<Range<usize>>, message: impl Into<String>) -> ConfigError {
        let at = span.map(|span| {
            let mut start = span.start.min(self.text.len());
            while !self.text.is_char_boundary(start) {
                start -= 1;
            }
            let before = &self.text[..start];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            (line, column)
        });
        ConfigError {
            file: self.path.to_owned(),
            at,
            message: message.into(),
        }
    }
}

/// Adds `profile` to the file at `path` (creating it), the default when `make_default`;
/// refuses a name in use. The rest of the file, comments included, is kept.
pub(super) fn add(path: &Path, profile: &Profile, make_default: bool) -> Result<(), EditError> {
    let (config, mut doc) = open_for_edit(path)?;
    if config.get(&profile.name).is_some() {
        return Err(EditError::Exists);
    }
    let mut table = Table::new();
    table.insert("url", toml_edit::value(&profile.url));
    if let Some(user) = &profile.user {
        table.insert("user", toml_edit::value(user));
    }
    for (key, path) in [
        ("ca_cert", &profile.ca_cert),
        ("device_token_file", &profile.device_token_file),
    ] {
        if let Some(path) = path {
            let text = path.to_str().ok_or(EditError::NotUtf8(key))?;
            table.insert(key, toml_edit::value(text));
        }
    }
    if profile.allow_insecure_http {
        table.insert("allow_insecure_http", toml_edit::value(true));
    }
    if let Some(command) = &profile.password_command {
        table.insert("password_command", toml_edit::value(command));
    }
    // The new table goes last, after any comments closing the file, and a blank line.
    let mut prefix = doc.trailing().as_str().unwrap_or("").to_owned();
    if !doc.to_string().trim().is_empty() {
        if !prefix.is_empty() && !prefix.ends_with('\n') {
            prefix.push('\n');
        }
        prefix.push('\n');
    }
    doc.set_trailing("");
    table.decor_mut().set_prefix(prefix);
    let profiles = doc.entry("profiles").or_insert_with(|| {
        let mut profiles = Table::new();
        profiles.set_implicit(true);
        Item::Table(profiles)
    });
    match profiles {
        Item::Value(Value::InlineTable(inline)) => {
            table.decor_mut().clear();
            inline.insert(&profile.name, Value::InlineTable(table.into_inline_table()));
        }
        other => {
            if let Some(profiles) = other.as_table_mut() {
                profiles.insert(&profile.name, Item::Table(table));
            }
        }
    }
    let mut text = doc.to_string();
    if make_default {
        match doc.get_mut("default_profile").and_then(Item::as_value_mut) {
            // A new default keeps the comment on its line.
            Some(old) => {
                let decor = old.decor().clone();
                *old = Value::from(profile.name.as_str());
                *old.decor_mut() = decor;
                text = doc.to_string();
            }
            // First in the file, where the root table is (names need no escaping).
            None => {
                let rest = text.trim_start_matches('\n');
                let gap = if rest.is_empty() { "" } else { "\n" };
                text = format!("default_profile = \"{}\"\n{gap}{rest}", profile.name);
            }
        }
    }
    // Never write what the loader would refuse.
    parse(path, &text)?;
    write(path, &text).map_err(EditError::Write)
}

/// Removes profile `name` (and `default_profile` when it named it) from the file at `path`;
/// returns the profile removed and whether it was the default.
pub(super) fn remove(path: &Path, name: &str) -> Result<(Profile, bool), EditError> {
    let (config, mut doc) = open_for_edit(path)?;
    let profile = config
        .get(name)
        .cloned()
        .ok_or_else(|| EditError::Missing(config.names()))?;
    remove_table(&mut doc, name);
    let was_default = config.default_profile.as_deref() == Some(name);
    let mut text = doc.to_string();
    if was_default {
        // Comments above `default_profile` head the file: keep them, and no blank first line.
        let comments = doc
            .as_table()
            .key("default_profile")
            .and_then(|k| k.leaf_decor().prefix())
            .and_then(|p| p.as_str())
            .unwrap_or("")
            .trim_start_matches('\n')
            .to_owned();
        doc.remove("default_profile");
        let rest = doc.to_string();
        let rest = rest.trim_start_matches('\n');
        let gap = if comments.is_empty() || rest.is_empty() {
            ""
        } else {
            "\n"
        };
        text = format!("{comments}{gap}{rest}");
    }
    parse(path, &text)?;
    write(path, &text)
        .map(|()| (profile, was_default))
        .map_err(EditError::Write)
}

/// Removes `[profiles.NAME]` with the comments right above its header; comments standing
/// apart from it (above a blank line) belong to the file or an earlier profile and move to
/// what follows.
fn remove_table(doc: &mut DocumentMut, name: &str) {
    let Some(profiles) = doc.get_mut("profiles") else {
        return;
    };
    let (kept, position) = match profiles.get(name).and_then(Item::as_table) {
        Some(table) => {
            let prefix = table
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or("");
            let kept = prefix.rfind("\n\n").map_or("", |at| &prefix[..=at]);
            (kept.to_owned(), table.position())
        }
        None => (String::new(), None),
    };
    if let Some(table) = profiles.as_table_like_mut() {
        table.remove(name);
    }
    if kept.trim().is_empty() {
        return;
    }
    let next = profiles.as_table_mut().and_then(|t| {
        t.iter_mut()
            .filter_map(|(_, item)| item.as_table_mut())
            .filter(|t| t.position() > position)
            .min_by_key(|t| t.position())
    });
    match next {
        Some(table) => {
            let prefix = table
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or("");
            let prefix = format!("{kept}{prefix}");
            table.decor_mut().set_prefix(prefix);
        }
        None => {
            let trailing = doc.trailing().as_str().unwrap_or("");
            let trailing = format!("{kept}{trailing}");
            doc.set_trailing(trailing);
        }
    }
}

/// The file checked (so nothing is written over a file with a mistake) and as an editable
/// document.
fn open_for_edit(path: &Path) -> Result<(Config, DocumentMut), EditError> {
    let text = read(path)?.unwrap_or_default();
    let config = parse(path, &text)?;
    let doc = text.parse::<DocumentMut>().map_err(|e| ConfigError {
        file: path.to_owned(),
        at: None,
        message: format!("not valid TOML: {}", e.message()),
    })?;
    Ok((config, doc))
}

/// Why an edit was not made.
#[derive(Debug)]
pub(super) enum EditError {
    /// The file has a mistake, or cannot be read.
    Config(ConfigError),
    /// `add`: the name is in use.
    Exists,
    /// `remove`: no such profile (the names there are).
    Missing(String),
    /// `add`: a path that TOML cannot hold.
    NotUtf8(&'static str),
    /// Writing the file failed.
    Write(io::Error),
}

impl From<ConfigError> for EditError {
    fn from(e: ConfigError) -> Self {
        EditError::Config(e)
    }
}

/// Writes `text` as the file `path` names, following symbolic links to their target (a
/// linked config is updated, not replaced by a file): into a new owner-only (`0600`) file
/// beside the target, flushed, then renamed over it, then the directory synced. A missing
/// directory is created owner-only (`0700`).
pub(super) fn write(path: &Path, text: &str) -> io::Result<()> {
    let target = link_target(path)?;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir)?;
    }
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let (mut file, temp) = create_temp(&dir, &name.to_string_lossy())?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&temp, &target));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    #[cfg(unix)]
    File::open(&dir)?.sync_all()?;
    Ok(())
}

/// The file a chain of symbolic links at `path` ends at (which may not exist yet); `path`
/// itself when it is no link.
fn link_target(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let next = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) => dir.join(next),
                    None => next,
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links from {}",
        path.display()
    )))
}

/// A new owner-only file named `.NAME.PID.N.NANOS.tmp` in `dir`; never an existing file.
fn create_temp(dir: &Path, name: &str) -> io::Result<(File, PathBuf)> {
    let mut last = None;
    for _ in 0..TEMP_ATTEMPTS {
        let counter = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let temp = dir.join(format!(
            ".{name}.{}.{counter}.{nanos}.tmp",
            std::process::id()
        ));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&temp) {
            Ok(file) => return Ok((file, temp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AlreadyExists)))
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
