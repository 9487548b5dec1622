//! `synology completions SHELL` and the hidden `synology __man DIR`: a script for every shell
//! (bash's checked by `bash -n` when bash is installed), one man page per command the help
//! lists, generated ones included, and `__man` in neither help nor the scripts. Runs the built
//! binary; nothing connects to a NAS.

#![cfg(feature = "cli")]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_synology");

fn synology(args: &[&str]) -> Output {
    common::without_user_config(&mut Command::new(BIN))
        .args(args)
        .env_remove("SYNOLOGY_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn stdout_ok(args: &[&str]) -> String {
    let out = synology(args);
    assert!(
        out.status.success(),
        "synology {args:?}: exit {:?}; stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// A fresh directory under the temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "synology-cli-completions-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The subcommands `synology [path...] --help` lists, without clap's `help`.
fn listed_subcommands(path: &[String]) -> Vec<String> {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let help = stdout_ok(&args);
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Every command path the help shows, the top one (empty) included, walked through
/// `--help` at each level.
fn every_command_path() -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut todo = vec![Vec::<String>::new()];
    while let Some(path) = todo.pop() {
        for sub in listed_subcommands(&path) {
            let mut child = path.clone();
            child.push(sub);
            todo.push(child);
        }
        out.push(path);
    }
    out
}

#[test]
fn every_shell_gets_a_script_with_generated_and_nested_commands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_ok(&["completions", shell]);
        assert!(script.len() > 1000, "{shell}: {} bytes", script.len());
        for word in [
            "cloud-sync",
            "connection-log",
            "list-conn",
            "group-by",
            "mock-server",
            "completions",
            "apis",
        ] {
            assert!(script.contains(word), "{shell}'s script lacks {word}");
        }
        // The third level (`cloud-sync connection-log list --conn-id`): clap_complete's fish
        // script stops at two (clap-rs/clap#5975).
        if shell != "fish" {
            assert!(
                script.contains("conn-id"),
                "{shell}'s script lacks the third level"
            );
        }
        assert!(
            !script.contains("__man"),
            "{shell}'s script offers the hidden __man"
        );
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = synology(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bash") && stderr.contains("powershell"),
        "{stderr}"
    );
}

#[test]
fn the_bash_script_parses() {
    let script = stdout_ok(&["completions", "bash"]);
    let dir = TempDir::new("bash");
    let file = dir.0.join("synology.bash");
    std::fs::write(&file, script).unwrap();
    let checked = match Command::new("bash").arg("-n").arg(&file).output() {
        Ok(out) => out,
        Err(e) => {
            println!("skipped: bash -n needs bash ({e})");
            return;
        }
    };
    assert!(
        checked.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&checked.stderr)
    );
}

#[test]
fn man_writes_one_page_per_command_the_help_lists() {
    let dir = TempDir::new("man");
    let pages = dir.0.join("not/yet/there");
    let out = synology(&["__man", pages.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "exit {:?}; stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let written: BTreeSet<String> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let paths = every_command_path();
    let page_of = |path: &[String]| {
        let mut name = String::from("synology");
        for part in path {
            name.push('-');
            name.push_str(part);
        }
        format!("{name}.1")
    };
    let expected: BTreeSet<String> = paths.iter().map(|p| page_of(p)).collect();
    assert_eq!(written, expected);
    for page in [
        "synology.1",
        "synology-cloud-sync.1",
        "synology-cloud-sync-list-conn.1",
        "synology-cloud-sync-connection-log-list.1",
        "synology-completions.1",
        "synology-mock-server.1",
    ] {
        assert!(written.contains(page), "no {page} in {written:?}");
    }
    for page in &written {
        let text = std::fs::read_to_string(pages.join(page)).unwrap();
        assert!(text.starts_with('.'), "{page} is not roff");
        let command = page.trim_end_matches(".1");
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!(".TH {command} 1 "))),
            "{page} has no .TH line for {command}"
        );
        assert!(text.contains(".SH NAME"), "{page} has no NAME section");
    }
    // Each command's own page, by its synopsis: `synology synology-drive share-sync` and
    // `synology synology-drive-share-sync` both have one, in the file their names share.
    for path in &paths {
        let page = page_of(path);
        let text = std::fs::read_to_string(pages.join(&page)).unwrap();
        let mut synopsis = String::from("\\fBsynology");
        for part in path {
            synopsis.push(' ');
            synopsis.push_str(&part.replace('-', "\\-"));
        }
        synopsis.push_str("\\fR");
        assert!(text.contains(&synopsis), "{page} lacks {synopsis}");
    }
    let list_conn = std::fs::read_to_string(pages.join("synology-cloud-sync-list-conn.1")).unwrap();
    assert!(list_conn.contains("group\\-by"), "{list_conn}");
}

#[test]
fn man_into_an_unwritable_directory_fails_with_the_reason() {
    let dir = TempDir::new("unwritable");
    // Under a regular file: no directory can be made there, even as root.
    let file = dir.0.join("file");
    std::fs::write(&file, "").unwrap();
    let target = file.join("man");
    let out = synology(&["__man", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot write man pages to ") && stderr.contains("file/man"),
        "{stderr}"
    );
    assert!(!Path::new(&target).exists());
}

#[test]
fn help_does_not_list_the_hidden_man_command() {
    let help = stdout_ok(&["--help"]);
    assert!(!help.contains("__man"), "{help}");
    assert!(help.contains("completions"), "{help}");
    let commands = listed_subcommands(&[]);
    for name in ["cloud-sync", "api", "apis", "mock-server", "completions"] {
        assert!(commands.iter().any(|c| c == name), "{name} in {commands:?}");
    }
}
