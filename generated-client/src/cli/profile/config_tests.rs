//! The profiles file: every mistake with its file, line and column; edits that keep the rest
//! of the file; atomic, owner-only writes through symbolic links.

use std::path::{Path, PathBuf};

use super::{EditError, Profile, add, default_token_file, parse, remove, valid_name, write};

const FILE: &str = "/cfg/config.toml";

fn error(text: &str) -> String {
    parse(Path::new(FILE), text)
        .expect_err("a mistake")
        .to_string()
}

/// A new empty directory for one test.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synology-profile-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn profile(name: &str, url: &str) -> Profile {
    Profile {
        name: name.into(),
        url: url.into(),
        ..Profile::default()
    }
}

#[test]
fn a_file_with_every_key_reads_back_in_file_order() {
    let text = r#"
# my NASes
default_profile = "home"

[profiles.work]
url = "https://work.example:5001"

[profiles.home]
url = "https://nas.local:5001"
user = "admin"
ca_cert = "/etc/nas/ca.pem"
device_token_file = "~/tokens/home"
allow_insecure_http = true
password_command = "pass show nas/home"
"#;
    let config = parse(Path::new(FILE), text).unwrap();
    assert_eq!(config.default_profile.as_deref(), Some("home"));
    assert_eq!(config.names(), "work, home");
    let home = config.get("home").unwrap();
    assert_eq!(home.user.as_deref(), Some("admin"));
    assert_eq!(home.ca_cert.as_deref(), Some(Path::new("/etc/nas/ca.pem")));
    let token = home.device_token_file.as_ref().unwrap();
    assert!(
        token.is_absolute() && token.ends_with("tokens/home"),
        "{token:?}"
    );
    assert!(home.allow_insecure_http);
    assert_eq!(home.password_command.as_deref(), Some("pass show nas/home"));
    assert_eq!(config.get("work").unwrap().user, None);
    // Inline and dotted forms are the same TOML.
    let inline = "profiles = { a = { url = \"https://a\" } }\nprofiles2 = 1\n";
    assert_eq!(
        error(inline),
        format!("{FILE}:2:1: unknown key `profiles2` (expected default_profile or profiles)")
    );
    let dotted = parse(Path::new(FILE), "profiles.a.url = \"https://a\"\n").unwrap();
    assert_eq!(dotted.get("a").unwrap().url, "https://a");
    assert_eq!(parse(Path::new(FILE), "").unwrap().profiles, []);
}

#[test]
fn each_mistake_names_the_file_line_and_column() {
    let cases = [
        (
            "[profiles.home\nurl = \"x\"\n",
            "1:15: not valid TOML: unclosed table, expected `]`",
        ),
        (
            "[profiles.home]\nurl = \"https://a\"\nurl = \"https://b\"\n",
            "3:1: not valid TOML: duplicate key",
        ),
        (
            "url = \"https://a\"\n",
            "1:1: unknown key `url` (expected default_profile or profiles)",
        ),
        (
            "[profiles.home]\nurl = \"https://a\"\nusr = \"admin\"\n",
            "3:1: unknown key `usr` in profile `home` (did you mean `user`?)",
        ),
        (
            "[profiles.home]\nurl = \"https://a\"\ncolour = \"red\"\n",
            "3:1: unknown key `colour` in profile `home` (expected url, user, ca_cert, \
             device_token_file, allow_insecure_http, password_command)",
        ),
        (
            "[profiles.home]\nurl = 5001\n",
            "2:7: `url` must be a string",
        ),
        (
            "[profiles.home]\nurl = \"https://a\"\nuser = \"\"\n",
            "3:8: `user` is empty",
        ),
        (
            "[profiles.home]\nurl = \"https://a\"\n  allow_insecure_http = \"yes\"\n",
            "3:25: `allow_insecure_http` must be true or false",
        ),
        (
            "[profiles.home]\nurl = \"https://a\"\nca_cert = \"certs/ca.pem\"\n",
            "3:11: `ca_cert` must be an absolute path or start with ~/",
        ),
        (
            "[profiles]\nhome = \"https://a\"\n",
            "2:8: profile `home` must be a table",
        ),
        (
            "profiles = 3\n",
            "1:12: `profiles` must be a table of profiles",
        ),
        (
            "[profiles.\"my nas\"]\nurl = \"https://a\"\n",
            "1:11: `my nas` cannot name a profile: use 1 to 64 of A-Z a-z 0-9 _ -",
        ),
        (
            "[profiles.home]\nuser = \"admin\"\n",
            "1:11: profile `home` has no `url`",
        ),
        (
            "default_profile = \"hme\"\n[profiles.home]\nurl = \"https://a\"\n",
            "1:19: default_profile `hme` names no profile (profiles: home)",
        ),
        (
            "default_profile = true\n",
            "1:19: `default_profile` must be a string",
        ),
        (
            "[profiles.\"é\"]\nurl = \"https://a\"\n",
            "1:11: `é` cannot name a profile: use 1 to 64 of A-Z a-z 0-9 _ -",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error(text), format!("{FILE}:{expected}"), "{text}");
    }
}

#[test]
fn a_password_otp_or_token_key_is_refused_where_it_stands() {
    let refusal = "no password, OTP code or token is ever stored in the profiles file \
                   (use password_command, SYNOLOGY_PASSWORD or the prompt; tokens go to \
                   device_token_file)";
    for (key, line) in [
        ("password", 3),
        ("passwd", 3),
        ("otp", 3),
        ("otp_code", 3),
        ("device_token", 3),
    ] {
        let text = format!("[profiles.home]\nurl = \"https://a\"\n{key} = \"hunter2\"\n");
        let message = error(&text);
        assert_eq!(message, format!("{FILE}:{line}:1: `{key}`: {refusal}"));
        assert!(!message.contains("hunter2"));
    }
    assert_eq!(
        error("password = \"hunter2\"\n"),
        format!("{FILE}:1:1: `password`: {refusal}")
    );
    // Inline profiles too.
    assert_eq!(
        error("profiles = { home = { url = \"https://a\", password = \"x\" } }\n"),
        format!("{FILE}:1:42: `password`: {refusal}")
    );
}

#[test]
fn profile_names_are_letters_digits_underscores_and_dashes() {
    for good in ["home", "NAS_2", "a-b", "0", &"x".repeat(64)] {
        assert!(valid_name(good), "{good}");
    }
    for bad in [
        "",
        "my nas",
        "../x",
        "a/b",
        "a.b",
        "é",
        "a\n",
        &"x".repeat(65),
    ] {
        assert!(!valid_name(bad), "{bad:?}");
    }
    assert_eq!(
        default_token_file(Path::new("/cfg/config.toml"), "home"),
        Path::new("/cfg/home.device-token")
    );
}

#[test]
fn add_and_remove_keep_the_comments_of_other_profiles() {
    let dir = temp_dir("edit");
    let path = dir.join("config.toml");
    let original = "# my NASes\n\
                    default_profile = \"home\" # the usual one\n\
                    \n\
                    # home NAS, on the LAN\n\
                    [profiles.home]\n\
                    url = \"https://nas.local:5001\" # port 5001 is DSM's HTTPS\n\
                    user = \"admin\"\n";
    std::fs::write(&path, original).unwrap();
    let mut work = profile("work", "https://work.example:5001");
    work.user = Some("me".into());
    work.ca_cert = Some("/etc/work-ca.pem".into());
    work.allow_insecure_http = true;
    work.password_command = Some("pass show work".into());
    add(&path, &work, false).unwrap();
    let added = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        added,
        format!(
            "{original}\n[profiles.work]\nurl = \"https://work.example:5001\"\nuser = \"me\"\n\
             ca_cert = \"/etc/work-ca.pem\"\nallow_insecure_http = true\n\
             password_command = \"pass show work\"\n"
        )
    );
    assert_eq!(
        parse(&path, &added).unwrap().get("work"),
        Some(&work),
        "what is written reads back"
    );
    assert!(matches!(add(&path, &work, false), Err(EditError::Exists)));

    // A new default keeps the comment on the line of the old one.
    add(&path, &profile("lab", "http://127.0.0.1:5000"), true).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("# my NASes\ndefault_profile = \"lab\" # the usual one\n"),
        "{text}"
    );

    // Removing the default drops `default_profile` but keeps the comment heading the file.
    let (removed, was_default) = remove(&path, "lab").unwrap();
    assert_eq!((removed.name.as_str(), was_default), ("lab", true));
    let (_, was_default) = remove(&path, "home").unwrap();
    assert!(!was_default);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# my NASes\n\n[profiles.work]\nurl = \"https://work.example:5001\"\nuser = \"me\"\n\
         ca_cert = \"/etc/work-ca.pem\"\nallow_insecure_http = true\n\
         password_command = \"pass show work\"\n"
    );
    assert!(matches!(remove(&path, "home"), Err(EditError::Missing(names)) if names == "work"));
    // Comments above a blank line are not the removed table's, even after the last table.
    std::fs::write(
        &path,
        "[profiles.a]\nurl = \"https://a\"\n# b = 1\n\n# the b one\n[profiles.b]\nurl = \"https://b\"\n",
    )
    .unwrap();
    remove(&path, "b").unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "[profiles.a]\nurl = \"https://a\"\n# b = 1\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn edits_start_a_missing_file_extend_inline_tables_and_refuse_a_broken_file() {
    let dir = temp_dir("new");
    let path = dir.join("sub").join("config.toml");
    add(&path, &profile("home", "https://nas.local:5001"), true).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "default_profile = \"home\"\n\n[profiles.home]\nurl = \"https://nas.local:5001\"\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }

    let inline = dir.join("inline.toml");
    std::fs::write(
        &inline,
        "profiles = { a = { url = \"https://a\" } } # both\n",
    )
    .unwrap();
    add(&inline, &profile("b", "https://b"), false).unwrap();
    let config = parse(&inline, &std::fs::read_to_string(&inline).unwrap()).unwrap();
    assert_eq!(config.names(), "a, b");

    let broken = dir.join("broken.toml");
    std::fs::write(
        &broken,
        "[profiles.a]\nurl = \"https://a\"\npassword = \"x\"\n",
    )
    .unwrap();
    let Err(EditError::Config(e)) = add(&broken, &profile("b", "https://b"), false) else {
        panic!("a broken file is not edited");
    };
    assert_eq!(e.at, Some((3, 1)));
    assert!(
        std::fs::read_to_string(&broken)
            .unwrap()
            .contains("password")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_write_goes_through_symbolic_links_to_their_target() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = temp_dir("links");
    std::fs::create_dir_all(dir.join("dotfiles")).unwrap();
    let target = dir.join("dotfiles").join("synology.toml");
    std::fs::write(&target, "# kept\n").unwrap();
    // config.toml -> middle.toml -> dotfiles/synology.toml, both links relative.
    symlink("dotfiles/synology.toml", dir.join("middle.toml")).unwrap();
    symlink("middle.toml", dir.join("config.toml")).unwrap();
    write(&dir.join("config.toml"), "# new\n").unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "# new\n");
    assert!(
        std::fs::symlink_metadata(dir.join("config.toml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // A dangling link gets its target created; a loop is an error, not a hang.
    symlink("made.toml", dir.join("dangling.toml")).unwrap();
    write(&dir.join("dangling.toml"), "x = 1\n").unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("made.toml")).unwrap(),
        "x = 1\n"
    );
    symlink("loop-b", dir.join("loop-a")).unwrap();
    symlink("loop-a", dir.join("loop-b")).unwrap();
    assert!(write(&dir.join("loop-a"), "").is_err());
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("dotfiles"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["synology.toml"]);
    let _ = std::fs::remove_dir_all(&dir);
}
