//! `cargo xtask import dsm-lib [DIR] [--out OUTDIR] [--check] [--only FAMILY...]`: the spec
//! of every API DSM 7 declares, one file per family (`api-spec/dsm/<family>.yaml`), from the
//! fixtures in DIR (`../shared/fixtures/dsm-lib` beside the workspace by default). Hand-written
//! spec files (`api-spec/*.yaml`) win: an API they declare gets only the methods they lack.
//!
//! Everything is read and checked before anything is written; each file is written through a
//! temporary file and a rename. Without DIR (a clone without the fixtures) it says so and
//! succeeds.

mod build;
mod input;
pub(crate) mod names;
mod pins;
mod schema;
pub(crate) mod yaml;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

/// The command's options.
#[derive(Debug, Clone)]
pub struct Options {
    /// The fixtures directory.
    pub dir: PathBuf,
    /// Whether DIR was given (a missing default DIR is skipped, a missing given one is an
    /// error).
    pub dir_given: bool,
    /// Where the family files go.
    pub out: PathBuf,
    /// Write nothing; fail when `out` differs.
    pub check: bool,
    /// Only these families (`Core`; `SYNO.Core` works too); all when empty.
    pub only: Vec<String>,
}

/// The fixtures directory when none is given.
pub const DEFAULT_DIR: &str = "../shared/fixtures/dsm-lib";
/// The output directory when none is given, relative to the workspace root.
pub const DEFAULT_OUT: &str = "api-spec/dsm";

/// Parses the arguments after `import dsm-lib`; relative paths are against `root`.
pub fn parse_args(root: &Path, args: &[&str]) -> Result<Options> {
    let mut dir = None;
    let mut out = None;
    let mut check = false;
    let mut only = Vec::new();
    let mut rest = args.iter();
    let mut in_only = false;
    while let Some(&a) = rest.next() {
        match a {
            "--check" => {
                check = true;
                in_only = false;
            }
            "--out" => {
                let v = rest.next().context("--out needs a directory")?;
                out = Some(root.join(v));
                in_only = false;
            }
            "--only" => in_only = true,
            flag if flag.starts_with("--") => bail!("unknown option {flag}"),
            family if in_only => only.push(family.trim_start_matches("SYNO.").to_owned()),
            d if dir.is_none() => dir = Some(root.join(d)),
            other => bail!("unexpected argument {other}"),
        }
    }
    if in_only && only.is_empty() {
        bail!("--only needs at least one family");
    }
    Ok(Options {
        dir_given: dir.is_some(),
        dir: dir.unwrap_or_else(|| root.join(DEFAULT_DIR)),
        out: out.unwrap_or_else(|| root.join(DEFAULT_OUT)),
        check,
        only,
    })
}

/// What an import would write: file names (in the output directory) and contents, sorted,
/// with the counts and what was left out.
pub struct Rendered {
    /// `(file name, contents)` of the family files, sorted by name.
    pub files: Vec<(String, String)>,
    /// The contents of the pinned names ([`pins::FILE`]), which cover every family, whichever
    /// were rendered.
    pub pins: String,
    /// What the files hold.
    pub counts: Counts,
    /// Everything left out, with the reason.
    pub skipped: Vec<String>,
}

/// Reads the fixtures in `dir`, the hand-written files in `spec_dir` and the pinned names in
/// `out` ([`pins::FILE`]), and renders every family file (of `only`'s families, when given)
/// and the pinned names.
pub fn render(dir: &Path, spec_dir: &Path, out: &Path, only: &[String]) -> Result<Rendered> {
    let inputs = input::read(dir)?;
    let hand = input::hand_written(spec_dir)?;
    let pins_path = out.join(pins::FILE);
    let pins = match std::fs::read_to_string(&pins_path) {
        Ok(text) => pins::Pins::parse(&pins_path.display().to_string(), &text)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => pins::Pins::default(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", pins_path.display())),
    };
    let import = build::build(&inputs, &hand, &pins)?;
    for f in only {
        if !inputs.apis.keys().any(|a| a.split('.').nth(1) == Some(f)) {
            bail!("--only {f}: DSM declares no family `{f}`");
        }
    }
    let wanted = |family: &str| only.is_empty() || only.iter().any(|f| f == family);
    let mut files: Vec<(String, String)> = Vec::new();
    let mut counts = Counts::default();
    for (family, f) in import.families.iter().filter(|(n, _)| wanted(n)) {
        let name = names::family_file(family);
        if files.iter().any(|(n, _)| *n == name) {
            bail!("two families would write {name}");
        }
        counts.add(f);
        files.push((name, yaml::render(f)));
    }
    files.sort();
    // Each line starts with the API's name.
    let skipped = import
        .skipped
        .into_iter()
        .filter(|s| wanted(s.split(['.', ' ', ':']).nth(1).unwrap_or_default()))
        .collect();
    Ok(Rendered {
        files,
        pins: import.pins.render(),
        counts,
        skipped,
    })
}

/// What an import writes, counted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    /// APIs written with their description, path and versions.
    pub imported_apis: usize,
    /// APIs declared by hand that get the methods they lack.
    pub attached_apis: usize,
    /// Methods written.
    pub methods: usize,
    /// Methods with a `response` (a named struct or a map).
    pub typed_methods: usize,
    /// Of those, the ones whose response is a map.
    pub map_responses: usize,
    /// Named types written.
    pub types: usize,
    /// Parameters written.
    pub params: usize,
}

impl Counts {
    fn add(&mut self, f: &build::Family) {
        for a in &f.apis {
            if a.header.is_some() {
                self.imported_apis += 1;
            } else {
                self.attached_apis += 1;
            }
            for m in &a.methods {
                self.methods += 1;
                self.params += m.params.len();
                if let Some(r) = &m.response {
                    self.typed_methods += 1;
                    self.map_responses += usize::from(matches!(r, schema::Ty::Map(_)));
                }
            }
        }
        self.types += f.types.len();
    }
}

/// How the output directory differs from what the import writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Contents differ.
    Stale(String),
    /// Not there.
    Missing(String),
    /// An imported file (it starts with the header) the import no longer writes.
    Orphan(String),
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Stale(p) => write!(f, "stale:    {p}"),
            Change::Missing(p) => write!(f, "missing:  {p}"),
            Change::Orphan(p) => write!(f, "orphaned: {p}"),
        }
    }
}

/// Compares `files` with `out`; orphans only when every family was rendered.
pub fn changes(out: &Path, files: &[(String, String)], all: bool) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    for (name, contents) in files {
        match std::fs::read_to_string(out.join(name)) {
            Ok(on_disk) if on_disk == *contents => {}
            Ok(_) => changes.push(Change::Stale(name.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                changes.push(Change::Missing(name.clone()))
            }
            // Not UTF-8, say: it differs.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                changes.push(Change::Stale(name.clone()))
            }
            Err(e) => {
                return Err(e).with_context(|| format!("reading {}", out.join(name).display()));
            }
        }
    }
    let entries = if all {
        std::fs::read_dir(out).ok()
    } else {
        None
    };
    for entry in entries.into_iter().flatten() {
        let path = entry?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !name.ends_with(".yaml") || files.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let imported =
            std::fs::read_to_string(&path).is_ok_and(|t| t.lines().next() == Some(yaml::HEADER));
        if imported {
            changes.push(Change::Orphan(name));
        }
    }
    changes.sort_by_key(ToString::to_string);
    Ok(changes)
}

/// The command.
pub fn run(root: &Path, opts: &Options) -> Result<ExitCode> {
    if !opts.dir.exists() {
        if opts.dir_given {
            bail!("{}: no such directory", opts.dir.display());
        }
        println!(
            "import skipped: no DSM declarations at {} (the fixtures are not part of a clone)",
            opts.dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let start = std::time::Instant::now();
    let rendered = render(&opts.dir, &root.join("api-spec"), &opts.out, &opts.only)
        .context("nothing was written")?;
    let mut outputs = rendered.files.clone();
    outputs.push((pins::FILE.to_owned(), rendered.pins.clone()));
    let changes = changes(&opts.out, &outputs, opts.only.is_empty())?;
    let c = &rendered.counts;
    let summary = format!(
        "{} files: {} APIs ({} imported, {} attached to hand-written ones), {} methods ({} typed, {} of them maps), {} types, {} parameters; {} left out",
        rendered.files.len(),
        c.imported_apis + c.attached_apis,
        c.imported_apis,
        c.attached_apis,
        c.methods,
        c.typed_methods,
        c.map_responses,
        c.types,
        c.params,
        rendered.skipped.len()
    );
    if opts.check {
        if changes.is_empty() {
            println!("imported spec is up to date: {summary}");
            return Ok(ExitCode::SUCCESS);
        }
        for ch in &changes {
            eprintln!("{ch}");
        }
        eprintln!(
            "{} differs from the import; run `cargo xtask import dsm-lib` and commit the result",
            opts.out.display()
        );
        return Ok(ExitCode::FAILURE);
    }
    for ch in &changes {
        match ch {
            Change::Stale(name) | Change::Missing(name) => {
                let contents = &outputs
                    .iter()
                    .find(|(n, _)| n == name)
                    .context("a change names a rendered file")?
                    .1;
                crate::write_atomic(&opts.out.join(name), contents)?;
            }
            Change::Orphan(name) => {
                let path = opts.out.join(name);
                std::fs::remove_file(&path)
                    .with_context(|| format!("removing {}", path.display()))?;
            }
        }
        println!("{ch}");
    }
    for s in &rendered.skipped {
        println!("left out: {s}");
    }
    println!(
        "{summary}; {} changed in {:.2?}",
        changes.len(),
        start.elapsed()
    );
    Ok(ExitCode::SUCCESS)
}
