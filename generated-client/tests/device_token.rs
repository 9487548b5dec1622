//! `DeviceToken::save` and `DeviceToken::load` on a real file system: owner-only files,
//! atomic replacement through a unique temporary file, nothing left behind, and the cases of
//! a missing or blank file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use synology_client::DeviceToken;

/// A fresh directory under the system's temporary directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "synology-device-token-{}-{test}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// The names in the directory, sorted.
    fn names(&self) -> Vec<String> {
        names(&self.0)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_saved_token_loads_back() {
    let dir = Scratch::new("round-trip");
    let path = dir.path("device-token");
    DeviceToken::new("abc-123").save(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "abc-123");
    let loaded = DeviceToken::load(&path).unwrap().expect("a token");
    assert_eq!(loaded.expose(), "abc-123");
    assert_eq!(loaded, DeviceToken::new("abc-123"));
}

#[test]
fn load_trims_and_treats_missing_or_blank_files_as_no_token() {
    let dir = Scratch::new("load");
    assert!(DeviceToken::load(dir.path("missing")).unwrap().is_none());
    for (name, text) in [("empty", ""), ("blank", " \n\t\r\n ")] {
        std::fs::write(dir.path(name), text).unwrap();
        assert!(
            DeviceToken::load(dir.path(name)).unwrap().is_none(),
            "{name}"
        );
    }
    std::fs::write(dir.path("padded"), "  tok-1\n").unwrap();
    let token = DeviceToken::load(dir.path("padded")).unwrap().unwrap();
    assert_eq!(token.expose(), "tok-1");
}

#[test]
fn load_refuses_what_cannot_be_a_token() {
    let dir = Scratch::new("load-bad");
    std::fs::write(dir.path("binary"), [0xff, 0xfe, 0x00]).unwrap();
    let err = DeviceToken::load(dir.path("binary")).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    std::fs::write(dir.path("huge"), vec![b'a'; 65 * 1024]).unwrap();
    let err = DeviceToken::load(dir.path("huge")).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    // A directory is not a token file either: an error, not "no token".
    assert!(DeviceToken::load(&dir.0).is_err());
}

#[cfg(unix)]
#[test]
fn the_file_is_owner_only_even_when_it_replaces_a_readable_one() {
    use std::os::unix::fs::PermissionsExt;

    let dir = Scratch::new("mode");
    let path = dir.path("device-token");
    DeviceToken::new("first").save(&path).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    DeviceToken::new("second").save(&path).unwrap();
    assert_eq!(mode(&path), 0o600, "the new file, not the old one's mode");
}

#[test]
fn save_replaces_a_longer_file_whole() {
    let dir = Scratch::new("replace");
    let path = dir.path("device-token");
    std::fs::write(&path, "an-old-token-that-is-much-longer-than-the-new-one\n").unwrap();
    DeviceToken::new("new").save(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    assert_eq!(dir.names(), ["device-token"], "no temporary file is left");
}

#[test]
fn fixed_temporary_names_are_never_touched() {
    let dir = Scratch::new("decoys");
    let path = dir.path("device-token");
    let decoys = [
        "device-token.tmp",
        ".device-token.tmp",
        "device-token~",
        ".device-token.swp",
    ];
    for name in decoys {
        std::fs::write(dir.path(name), format!("decoy {name}")).unwrap();
    }
    #[cfg(unix)]
    {
        // A link where a careless writer would put its temporary file must not be followed.
        std::fs::write(dir.path("victim"), "victim").unwrap();
        std::os::unix::fs::symlink(dir.path("victim"), dir.path("device-token.new")).unwrap();
    }
    DeviceToken::new("tok").save(&path).unwrap();
    DeviceToken::new("tok2").save(&path).unwrap();
    for name in decoys {
        assert_eq!(
            std::fs::read_to_string(dir.path(name)).unwrap(),
            format!("decoy {name}")
        );
    }
    #[cfg(unix)]
    assert_eq!(
        std::fs::read_to_string(dir.path("victim")).unwrap(),
        "victim"
    );
    let mut expected: Vec<&str> = decoys.to_vec();
    expected.push("device-token");
    #[cfg(unix)]
    expected.extend(["device-token.new", "victim"]);
    expected.sort_unstable();
    assert_eq!(dir.names(), expected, "only the target and the decoys");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "tok2");
}

#[test]
fn save_into_a_missing_directory_fails_and_creates_nothing() {
    let dir = Scratch::new("missing-dir");
    let path = dir.path("absent").join("device-token");
    let err = DeviceToken::new("tok").save(&path).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    assert!(dir.names().is_empty(), "{:?}", dir.names());
}

#[test]
fn a_failed_rename_removes_the_temporary_file() {
    let dir = Scratch::new("failed-rename");
    // A non-empty directory at the target: the file is written, the rename over it fails.
    let path = dir.path("device-token");
    std::fs::create_dir(&path).unwrap();
    std::fs::write(path.join("keep"), "kept").unwrap();
    DeviceToken::new("tok").save(&path).unwrap_err();
    assert_eq!(dir.names(), ["device-token"], "no temporary file is left");
    assert_eq!(names(&path), ["keep"]);
}

#[test]
fn a_path_without_a_file_name_is_refused() {
    let err = DeviceToken::new("tok").save("/").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn concurrent_saves_leave_one_whole_token() {
    let dir = Scratch::new("concurrent");
    let path = dir.path("device-token");
    let tokens: Vec<String> = (0..8)
        .map(|i| format!("token-{i}-{}", "x".repeat(i * 100)))
        .collect();
    std::thread::scope(|s| {
        for token in &tokens {
            let path = &path;
            s.spawn(move || {
                for _ in 0..20 {
                    DeviceToken::new(token.as_str()).save(path).unwrap();
                }
            });
        }
    });
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(tokens.contains(&saved), "a whole token, not a mix");
    assert_eq!(dir.names(), ["device-token"]);
}
