//! `synology completions SHELL` (a static completion script, clap_complete) and the hidden
//! `synology __man DIR` (one man page per command, clap_mangen; `cargo xtask man DIR` runs
//! it). Both are made from the command tree [`super::command`] builds, so they cover every
//! generated family, API and method command with no list of their own. Neither connects to
//! a NAS; profile names and other run-time values are not completed.
//!
//! `__man` is added only to the tree that parses the arguments ([`with_man`]): clap's
//! `hide` keeps a command out of help but not out of completion scripts, and the scripts
//! and pages are made from [`super::command`], which does not have it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Arg, ArgMatches, Command, value_parser};
use clap_complete::Shell;

use super::Failure;

/// The command that prints a completion script.
const COMPLETIONS: &str = "completions";

/// The hidden command that writes the man pages.
const MAN: &str = "__man";

/// The binary's name, as scripts and pages call it.
const BIN: &str = "synology";

/// `synology completions SHELL`.
pub(super) fn command() -> Command {
    Command::new(COMPLETIONS)
        .about("Print a shell completion script (bash, zsh, fish, powershell, elvish)")
        .long_about(
            "Print a completion script for SHELL on stdout: every command, flag and fixed \
             value (not profile names or other values known only at run time).\n\n\
             bash:       synology completions bash > ~/.local/share/bash-completion/completions/synology\n\
             zsh:        synology completions zsh > \"${fpath[1]}/_synology\"\n\
             fish:       synology completions fish > ~/.config/fish/completions/synology.fish\n\
             powershell: synology completions powershell >> $PROFILE\n\
             elvish:     synology completions elvish >> ~/.config/elvish/rc.elv",
        )
        .arg(
            Arg::new("shell")
                .value_name("SHELL")
                .required(true)
                .value_parser(value_parser!(Shell))
                .help("The shell to complete for"),
        )
}

/// `cli` with the hidden `synology __man DIR`.
pub(super) fn with_man(cli: Command) -> Command {
    cli.subcommand(
        Command::new(MAN)
            .hide(true)
            .about("Write one man page per command into DIR (created if missing)")
            .arg(
                Arg::new("dir")
                    .value_name("DIR")
                    .required(true)
                    .value_parser(value_parser!(PathBuf)),
            ),
    )
}

/// Runs `completions` or `__man` when `name` is one of them; `None` for any other.
pub(super) fn run(name: &str, matches: &ArgMatches) -> Option<Result<(), Failure>> {
    match name {
        COMPLETIONS => Some(print_completions(matches)),
        MAN => Some(write_man_pages(matches)),
        _ => None,
    }
}

fn print_completions(matches: &ArgMatches) -> Result<(), Failure> {
    let shell = *matches
        .get_one::<Shell>("shell")
        .ok_or_else(|| Failure::Usage("a shell is required".into()))?;
    // clap_complete panics on a failed write; the script goes to a buffer first, so a closed
    // pipe is handled here, not a panic.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut super::command(), BIN, &mut script);
    let mut out = std::io::stdout().lock();
    // A reader that goes away (`| head`) ends it quietly, as any other output.
    out.write_all(&script)
        .and_then(|()| out.flush())
        .map_err(super::print::closed_or)
}

fn write_man_pages(matches: &ArgMatches) -> Result<(), Failure> {
    let dir = matches
        .get_one::<PathBuf>("dir")
        .ok_or_else(|| Failure::Usage("a directory is required".into()))?;
    man_pages(dir).map(drop).map_err(|e| {
        Failure::Unexpected(format!("cannot write man pages to {}: {e}", dir.display()))
    })
}

/// `synology.1` and one `synology-<command>[-<subcommand>...].1` per visible command, in
/// `dir` (created if missing), as clap_mangen's `generate_to` names and renders them; returns
/// how many files it wrote.
///
/// Unlike `generate_to`, two commands whose names join to one file name (the family
/// `synology-drive-share-sync` and `synology-drive`'s API `share-sync`) share that file, the
/// shorter command's page first, where `generate_to` would let the last one overwrite the
/// other. Nothing is written unless every page renders.
fn man_pages(dir: &Path) -> std::io::Result<usize> {
    let mut cmd = super::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages: BTreeMap<String, Vec<(usize, Vec<u8>)>> = BTreeMap::new();
    render_pages(&cmd, 0, &mut pages)?;
    std::fs::create_dir_all(dir)?;
    for (name, parts) in &mut pages {
        parts.sort_by_key(|(depth, _)| *depth);
        let text: Vec<u8> = parts.drain(..).flat_map(|(_, text)| text).collect();
        std::fs::write(dir.join(name), text)?;
    }
    Ok(pages.len())
}

/// Renders the page of `cmd` (a built command `depth` levels under `synology`) and of each
/// visible command under it into `pages`, keyed by file name.
fn render_pages(
    cmd: &Command,
    depth: usize,
    pages: &mut BTreeMap<String, Vec<(usize, Vec<u8>)>>,
) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut text = Vec::new();
    man.render(&mut text)?;
    pages
        .entry(man.get_filename())
        .or_default()
        .push((depth, text));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        render_pages(sub, depth + 1, pages)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Command;

    /// Every visible command's man page name (clap_mangen's: the path joined by `-`).
    fn page_names(cmd: &Command, prefix: &str, out: &mut Vec<String>) {
        let name = if prefix.is_empty() {
            cmd.get_name().to_owned()
        } else {
            format!("{prefix}-{}", cmd.get_name())
        };
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            if sub.get_name() != "help" {
                page_names(sub, &name, out);
            }
        }
        out.push(format!("{name}.1"));
    }

    #[test]
    fn every_visible_command_gets_a_page_and_the_hidden_one_none() {
        let dir = std::env::temp_dir().join(format!("synology-man-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let count = super::man_pages(&dir.join("nested")).expect("the pages are written");
        let mut pages: Vec<(String, usize)> = std::fs::read_dir(dir.join("nested"))
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let text = std::fs::read_to_string(e.path()).unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                (name, text.lines().filter(|l| l.starts_with(".TH ")).count())
            })
            .collect();
        pages.sort();
        let _ = std::fs::remove_dir_all(&dir);
        let mut expected = Vec::new();
        page_names(&super::super::command(), "", &mut expected);
        expected.sort();
        // One `.TH` (one page) per command; commands whose names join alike share a file.
        let mut files = expected.clone();
        files.dedup();
        let by_name: Vec<(String, usize)> = files
            .iter()
            .map(|f| (f.clone(), expected.iter().filter(|e| *e == f).count()))
            .collect();
        assert_eq!(pages, by_name);
        assert_eq!(count, files.len());
        assert!(expected.iter().all(|p| !p.contains("__man")));
        assert!(
            expected.contains(&"synology-cloud-sync-list-conn.1".to_owned()),
            "{expected:?}"
        );
    }
}
