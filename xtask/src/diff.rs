//! `cargo xtask diff OLD [NEW]`: what a spec change means for users of the generated crate,
//! and the semver bump it asks for (the rules: `codegen::diff`, tabled in api-spec/README.md).
//!
//! OLD and NEW are spec directories or git revisions; NEW defaults to the working tree's
//! `api-spec/`. A revision's spec is read from git's objects (`git ls-tree`, `git cat-file`):
//! nothing is checked out or written. Exit status: 0 whatever the verdict (the verdict is
//! the last line of the output), 1 when a spec does not load (its diagnostics are printed),
//! 2 on a usage error.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, Result, bail};
use codegen::diff::Level;

const USAGE: &str = "usage: cargo xtask diff OLD [NEW]

OLD and NEW are spec directories or git revisions (HEAD, HEAD~3, a tag, a commit);
NEW defaults to the working tree's api-spec/. Prints every change for users of the
generated crate (major first, then minor, then patch), each with why, then the verdict.
Exit status: 0 whatever the verdict, 1 when a spec does not load, 2 on a usage error.";

/// Where a spec comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// A directory of spec files.
    Dir(PathBuf),
    /// `api-spec/` at a git revision of the workspace.
    Rev(String),
}

impl Source {
    fn label(&self, root: &Path) -> String {
        match self {
            Source::Dir(d) => d.display().to_string(),
            Source::Rev(r) => match git(root, &["rev-parse", "--short", r]) {
                Ok(short) => format!("{r} ({})", short.trim()),
                Err(_) => r.clone(),
            },
        }
    }
}

/// Why a spec could not be read.
enum LoadError {
    /// The spec was read and has problems (diagnostics).
    Spec(String),
    /// It could not be read (no such revision, no git, ...).
    Read(anyhow::Error),
}

/// Runs `cargo xtask diff ARGS`.
pub fn main(root: &Path, args: &[&str]) -> Result<ExitCode> {
    let (old, new) = match args {
        ["-h" | "--help"] => {
            println!("{USAGE}");
            return Ok(ExitCode::SUCCESS);
        }
        [old] if !old.starts_with('-') => (*old, None),
        [old, new] if !old.starts_with('-') && !new.starts_with('-') => (*old, Some(*new)),
        _ => {
            eprintln!("{USAGE}");
            return Ok(ExitCode::from(2));
        }
    };
    let resolve = |arg: &str| match source(root, arg) {
        Some(s) => Ok(s),
        None => Err(format!(
            "`{arg}` is neither a spec directory nor a git revision of {}",
            root.display()
        )),
    };
    let old = match resolve(old) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return Ok(ExitCode::from(2));
        }
    };
    let new_arg = new;
    let new = match new.map(resolve).transpose() {
        Ok(s) => s.unwrap_or_else(|| Source::Dir(root.join("api-spec"))),
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return Ok(ExitCode::from(2));
        }
    };
    let old_label = old.label(root);
    let new_label = match new_arg {
        None => "api-spec/ (working tree)".to_owned(),
        Some(_) => new.label(root),
    };
    let (old_spec, new_spec) = std::thread::scope(|s| {
        let o = s.spawn(|| load(root, &old));
        let n = load(root, &new);
        (o.join().expect("loading a spec does not panic"), n)
    });
    let mut failed = false;
    let mut check = |label: &str, r: Result<codegen::ir::Spec, LoadError>| match r {
        Ok(spec) => Some(spec),
        Err(LoadError::Spec(text)) => {
            eprintln!("{text}\nerror: the spec of {label} does not load");
            failed = true;
            None
        }
        Err(LoadError::Read(e)) => {
            eprintln!("error: reading the spec of {label}: {e:#}");
            failed = true;
            None
        }
    };
    let (old_spec, new_spec) = (check(&old_label, old_spec), check(&new_label, new_spec));
    let (Some(old_spec), Some(new_spec)) = (old_spec, new_spec) else {
        debug_assert!(failed);
        return Ok(ExitCode::FAILURE);
    };
    let diff = codegen::diff::diff(&old_spec, &new_spec);
    println!("spec diff: {old_label} -> {new_label}\n");
    print!("{}", diff.render(Level::Patch));
    Ok(ExitCode::SUCCESS)
}

/// What the command line's `arg` names: a directory, else a revision of the workspace's
/// repository; `None` when it is neither.
fn source(root: &Path, arg: &str) -> Option<Source> {
    if Path::new(arg).is_dir() {
        return Some(Source::Dir(PathBuf::from(arg)));
    }
    let commit = format!("{arg}^{{commit}}");
    git(root, &["rev-parse", "--verify", "--quiet", &commit])
        .ok()
        .map(|_| Source::Rev(arg.to_owned()))
}

fn load(root: &Path, source: &Source) -> Result<codegen::ir::Spec, LoadError> {
    match source {
        Source::Dir(dir) => codegen::load(dir).map_err(|e| match e {
            codegen::GenerateError::Spec(e) => LoadError::Spec(e.to_string()),
            e => LoadError::Read(e.into()),
        }),
        Source::Rev(rev) => {
            let sources = read_rev(root, rev).map_err(LoadError::Read)?;
            if sources.is_empty() {
                return Err(LoadError::Read(anyhow::anyhow!(
                    "{rev} has no api-spec/*.yaml"
                )));
            }
            codegen::load_sources(sources).map_err(|e| LoadError::Spec(e.to_string()))
        }
    }
}

/// Runs git in `root` and returns its standard output; an error with its standard error when
/// it fails or cannot run.
fn git(root: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .current_dir(root)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .context("running git")?;
    if !out.status.success() {
        bail!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8(out.stdout).context("git's output is not UTF-8")
}

/// Every `api-spec/**/*.yaml` of revision `rev`, named relative to `api-spec/`, read with one
/// `git cat-file --batch` (no checkout, nothing written).
fn read_rev(root: &Path, rev: &str) -> Result<Vec<(String, String)>> {
    let prefix = git(root, &["rev-parse", "--show-prefix"])?;
    let dir = format!("{}api-spec/", prefix.trim());
    let listing = git(
        root,
        &[
            "ls-tree",
            "-r",
            "--full-name",
            "--name-only",
            rev,
            "--",
            "api-spec",
        ],
    )?;
    let names: Vec<&str> = listing
        .lines()
        .filter(|l| l.ends_with(".yaml") && l.starts_with(&dir))
        .collect();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = Command::new("git")
        .current_dir(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running git cat-file")?;
    let mut stdin = child.stdin.take().context("git's stdin")?;
    let requests: String = names.iter().map(|n| format!("{rev}:{n}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
    let mut reader = BufReader::new(child.stdout.take().context("git's stdout")?);
    let mut out = Vec::new();
    for name in &names {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let size: usize = match header.split_whitespace().collect::<Vec<_>>().as_slice() {
            [_, "blob", size] => size.parse().context("git cat-file's object size")?,
            _ => bail!("git cat-file {rev}:{name}: {}", header.trim()),
        };
        let mut body = vec![0; size + 1];
        reader.read_exact(&mut body)?;
        body.pop();
        let text = String::from_utf8(body).with_context(|| format!("{name} is not UTF-8"))?;
        out.push((name[dir.len()..].to_owned(), text));
    }
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("writing to git cat-file panicked"))?
        .context("writing to git cat-file")?;
    child.wait().context("waiting for git cat-file")?;
    Ok(out)
}

/// What `cargo xtask codegen` prints: the major and minor changes of the working tree's spec
/// (`new`, which codegen has loaded) since HEAD's, a count of the patch ones, and the
/// verdict; or one line saying why there is no summary (no git, no HEAD, a HEAD spec that
/// does not load). Never fails.
pub fn summary_since_head(root: &Path, new: &codegen::ir::Spec) -> String {
    let has_head = git(root, &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]).is_ok();
    if !has_head {
        return "spec diff since HEAD: skipped (no git repository with a HEAD commit here)\n"
            .into();
    }
    let old = match load(root, &Source::Rev("HEAD".into())) {
        Ok(spec) => spec,
        Err(LoadError::Spec(_)) => {
            return "spec diff since HEAD: skipped (HEAD's spec does not load with this codegen)\n"
                .into();
        }
        Err(LoadError::Read(e)) => {
            return format!("spec diff since HEAD: skipped ({e:#})\n");
        }
    };
    let diff = codegen::diff::diff(&old, new);
    if diff.changes.is_empty() {
        return "spec diff since HEAD: no change for users of the crate\n".into();
    }
    let mut out = String::from("spec diff since HEAD (all of it: cargo xtask diff HEAD):\n");
    out += &diff.render(Level::Minor);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        crate::workspace_root()
    }

    #[test]
    fn usage_errors_exit_2() {
        for args in [
            &[][..],
            &["--bogus"],
            &["a", "b", "c"],
            &["/no/such/dir/or/rev"],
        ] {
            let code = main(&root(), args).unwrap();
            assert_eq!(code, ExitCode::from(2), "{args:?}");
        }
    }

    #[test]
    fn a_directory_against_itself_is_no_change() {
        let dir = root().join("codegen/tests/snapshots/showcase/spec");
        let dir = dir.to_str().unwrap();
        assert_eq!(main(&root(), &[dir, dir]).unwrap(), ExitCode::SUCCESS);
        let spec = codegen::load(Path::new(dir)).unwrap();
        let diff = codegen::diff::diff(&spec, &spec);
        assert_eq!(diff.verdict(), None);
        assert_eq!(
            diff.render(Level::Patch),
            "verdict: none (no change for users of the crate)\n"
        );
    }

    #[test]
    fn a_spec_that_does_not_load_exits_1() {
        let bad = std::env::temp_dir().join(format!("xtask-diff-bad-{}", std::process::id()));
        std::fs::create_dir_all(&bad).unwrap();
        std::fs::write(bad.join("x.yaml"), "apis: [not, a, map]\n").unwrap();
        let code = main(&root(), &[bad.to_str().unwrap()]).unwrap();
        std::fs::remove_dir_all(&bad).unwrap();
        assert_eq!(code, ExitCode::FAILURE);
    }

    /// HEAD's spec read from git's objects is the same spec as a checkout of it would be:
    /// diffing HEAD with HEAD finds nothing. Skipped where there is no git history.
    #[test]
    fn a_revision_reads_from_git_objects() {
        let root = root();
        if git(
            &root,
            &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
        )
        .is_err()
        {
            return;
        }
        assert_eq!(source(&root, "HEAD"), Some(Source::Rev("HEAD".into())));
        let files = read_rev(&root, "HEAD").unwrap();
        assert!(
            files.iter().any(|(n, _)| n == "core.yaml"),
            "{}",
            files.len()
        );
        assert!(files.iter().any(|(n, _)| n.starts_with("dsm/")));
        let a = codegen::load_sources(files.clone()).unwrap();
        let b = codegen::load_sources(files).unwrap();
        assert_eq!(codegen::diff::diff(&a, &b).verdict(), None);
    }

    #[test]
    fn the_codegen_summary_never_fails_without_git() {
        let empty = std::env::temp_dir().join(format!("xtask-diff-nogit-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        let spec = codegen::load(&root().join("api-spec")).expect("the spec loads");
        let line = summary_since_head(&empty, &spec);
        std::fs::remove_dir_all(&empty).unwrap();
        assert!(line.starts_with("spec diff since HEAD: skipped"), "{line}");
        assert_eq!(line.lines().count(), 1);
    }
}
