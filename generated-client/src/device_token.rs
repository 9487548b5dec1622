//! Device tokens: what DSM issues after a 2-factor login so that later logins need no code.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::secret::Secret;

/// The largest token file [`DeviceToken::load`] reads: real tokens are a few dozen bytes.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// How many temporary names [`DeviceToken::save`] tries before giving up.
const TEMP_ATTEMPTS: u32 = 16;

/// Makes temporary names unique within this process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A device token: after a login with an OTP code, DSM issues one so that later logins from
/// the same device need no code. Persist it (it is a secret) and pass it to
/// [`Login::device_token`](crate::Login::device_token).
///
/// [`save`](Self::save) and [`load`](Self::load) keep it in a file readable by its owner
/// only:
///
/// ```no_run
/// # async fn run(client: synology_client::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use synology_client::{DeviceToken, Login};
///
/// let mut login = Login::new("backup-bot", "password");
/// if let Some(token) = DeviceToken::load("device-token")? {
///     login = login.device_token(token);
/// }
/// client.login_with(login).await?;
/// if let Some(token) = client.device_token() {
///     token.save("device-token")?;
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceToken(pub(crate) Secret);

impl DeviceToken {
    /// Wraps a token read from storage.
    pub fn new(token: impl Into<String>) -> Self {
        DeviceToken(Secret::new(token.into()))
    }

    /// The token, to persist it.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// Reads a token saved by [`save`](Self::save), trimmed of surrounding whitespace.
    ///
    /// `Ok(None)` when the file does not exist or holds only whitespace (no token yet). A
    /// file that is not UTF-8 or is over 64 KiB is an [`io::ErrorKind::InvalidData`] error.
    ///
    /// ```no_run
    /// use synology_client::DeviceToken;
    ///
    /// match DeviceToken::load("device-token")? {
    ///     Some(token) => println!("have a token of {} bytes", token.expose().len()),
    ///     None => println!("no token yet: log in with an OTP code"),
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn load(path: impl AsRef<Path>) -> io::Result<Option<DeviceToken>> {
        let file = match File::open(path.as_ref()) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut text = String::new();
        file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text)?;
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "device token file is over 64 KiB",
            ));
        }
        let token = text.trim();
        Ok((!token.is_empty()).then(|| DeviceToken::new(token)))
    }

    /// Writes the token to `path`, readable and writable by its owner only (mode `0600` on
    /// Unix, set when the file is created), replacing any file there atomically.
    ///
    /// The token goes to a new temporary file with a unique name in the same directory,
    /// which is flushed to disk and then renamed over `path`; on Unix the directory is then
    /// synced too. Readers see the old file or the new one, never a mix. On an error before
    /// the rename, the temporary file is removed and `path` is left as it was; an error
    /// syncing the directory after it is returned too (the new file is in place, but a crash
    /// could still undo the rename).
    ///
    /// ```no_run
    /// use synology_client::DeviceToken;
    ///
    /// DeviceToken::new("token-from-dsm").save("device-token")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref();
        let (dir, file_name) = split(path)?;
        let (file, temp) = create_temp(dir, file_name)?;
        if let Err(e) =
            write_synced(file, self.expose()).and_then(|()| std::fs::rename(&temp, path))
        {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
        sync_dir(dir)
    }
}

/// The directory and file name of `path` (`.` for a bare file name).
fn split(path: &Path) -> io::Result<(&Path, &OsStr)> {
    let file_name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} names no file", path.display()),
        )
    })?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    Ok((dir, file_name))
}

/// Creates a new owner-only file with an unused name beside the target; never opens an
/// existing file (nor follows a link there).
fn create_temp(dir: &Path, file_name: &OsStr) -> io::Result<(File, PathBuf)> {
    let mut last = None;
    for _ in 0..TEMP_ATTEMPTS {
        let temp = dir.join(temp_name(file_name));
        match owner_only().open(&temp) {
            Ok(file) => return Ok((file, temp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AlreadyExists)))
}

/// `.{file_name}.{pid}.{counter}.{nanos}.tmp`: hidden, and unique per process and call.
fn temp_name(file_name: &OsStr) -> OsString {
    let counter = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut name = OsString::from(".");
    name.push(file_name);
    name.push(format!(".{}.{counter}.{nanos}.tmp", std::process::id()));
    name
}

/// Options that create a new file (failing if anything exists at the path) for writing,
/// with mode `0600` on Unix.
fn owner_only() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

fn write_synced(mut file: File, text: &str) -> io::Result<()> {
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// Makes a rename in `dir` durable (Unix; elsewhere the rename is all there is).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceToken(***)")
    }
}
