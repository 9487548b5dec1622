//! `cargo xtask import docs FILE.md... --out DIR`: spec YAML from API pages in the seeds'
//! Markdown format, one file per page, written only into DIR (never into `api-spec/`:
//! documentation is no evidence that an API exists on a real box).
//!
//! Passes: [`parse`] reads a page line by line (JSON in [`json`]); [`variants`] merges a
//! method's labelled sections; [`build`] turns it into spec content (types from [`infer`],
//! descriptions lent across tables by [`lend`], parameters from [`params`]); [`render`]
//! writes the YAML; every file
//! then loads and validates through codegen, alone and with the others, before anything is
//! written. A page either imports or is refused with its file, line and what was not
//! understood; `README.md` index pages (no method heading) are skipped with a reason. Files go
//! through a temporary file and a rename; nothing is written for a refused page.

mod build;
mod infer;
mod json;
mod lend;
mod params;
mod parse;
mod render;
mod variants;

#[cfg(test)]
mod compare;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

/// What the report says of a section of an API that a page before declares.
const DECLARED_BEFORE: &str =
    "a section of an API a page before declares (a spec declares an API once)";

/// The usage line.
const USAGE: &str = "usage: cargo xtask import docs FILE.md... --out DIR";

/// What became of one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Imported: the output file (relative to DIR), its counts (APIs, methods, types) and
    /// what was left out (line, what).
    Imported(String, [usize; 3], Vec<(usize, &'static str)>),
    /// Refused at a line, with what was not understood.
    Refused(usize, String),
    /// Not an API page, with the reason.
    Skipped(String),
}

/// The result of an import, before anything is written.
#[derive(Debug, Default)]
pub struct Import {
    /// `(page path relative to the inputs' common directory, outcome)`, sorted by path.
    pub pages: Vec<(String, Outcome)>,
    /// `(path relative to DIR, contents)` of every file to write.
    pub files: Vec<(String, String)>,
}

impl Import {
    /// The report: a summary line, then one line per page. Only our own words, paths, line
    /// numbers, counts and short names.
    pub fn report(&self) -> String {
        let count = |f: fn(&Outcome) -> bool| self.pages.iter().filter(|(_, o)| f(o)).count();
        let imported = count(|o| matches!(o, Outcome::Imported(..)));
        let clean = count(|o| matches!(o, Outcome::Imported(_, _, l) if l.is_empty()));
        let refused = count(|o| matches!(o, Outcome::Refused(..)));
        let skipped = count(|o| matches!(o, Outcome::Skipped(..)));
        let mut out = format!(
            "{} pages: {imported} imported ({clean} cleanly, {} leaving something out), {refused} refused, {skipped} skipped\n",
            self.pages.len(),
            imported - clean
        );
        for (page, o) in &self.pages {
            let line = match o {
                Outcome::Imported(file, [a, m, t], left_out) => {
                    let mut line =
                        format!("imported {page} -> {file}: {a} APIs, {m} methods, {t} types");
                    // Each kind once, in the order of its first line.
                    let mut whats: Vec<&str> = Vec::new();
                    for (_, w) in left_out {
                        if !whats.contains(w) {
                            whats.push(w);
                        }
                    }
                    for what in whats {
                        let lines: Vec<String> = left_out
                            .iter()
                            .filter(|(_, w)| *w == what)
                            .map(|(n, _)| n.to_string())
                            .collect();
                        let s = if lines.len() == 1 { "" } else { "s" };
                        let _ = write!(line, "; left out {what} at line{s} {}", lines.join(", "));
                    }
                    line
                }
                Outcome::Refused(line, why) => format!("refused  {page}:{line}: {why}"),
                Outcome::Skipped(why) => format!("skipped  {page}: {why}"),
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

/// Runs `cargo xtask import docs ARGS`; relative paths are against the workspace `root`, as
/// for `import dsm-lib`. Exit 2 for usage errors, 1 when a page was refused.
pub fn main(root: &Path, args: &[&str]) -> Result<ExitCode> {
    let usage = |msg: &str| {
        eprintln!("error: {msg}\n{USAGE}");
        Ok(ExitCode::from(2))
    };
    let mut files = Vec::new();
    let mut out = None;
    let mut rest = args.iter();
    while let Some(&a) = rest.next() {
        match a {
            "--out" => match rest.next() {
                Some(d) if out.is_none() => out = Some(absolute(root, Path::new(d))),
                Some(_) => return usage("--out given twice"),
                None => return usage("--out needs a directory"),
            },
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            flag if flag.starts_with("--") => return usage(&format!("unknown option {flag}")),
            file => files.push(absolute(root, Path::new(file))),
        }
    }
    let Some(out) = out else {
        return usage("missing --out DIR (the importer writes only where it is told)");
    };
    if files.is_empty() {
        return usage("no FILE.md given");
    }
    if inside(&out, &absolute(root, Path::new("api-spec"))) {
        return usage(&format!(
            "--out {} is inside api-spec/: imported documentation is no evidence that an API exists, so it never goes into the spec; choose another directory",
            out.display()
        ));
    }
    let mut inputs = Vec::new();
    for f in &files {
        match std::fs::read_to_string(f) {
            Ok(text) => inputs.push((f.clone(), text)),
            Err(e) => return usage(&format!("cannot read {}: {e}", f.display())),
        }
    }
    let start = std::time::Instant::now();
    let import = import(root, &inputs, &out);
    for (rel, contents) in &import.files {
        crate::write_atomic(&out.join(rel), contents)?;
    }
    print!("{}", import.report());
    println!(
        "{} files written to {} in {:.2?}",
        import.files.len(),
        out.display(),
        start.elapsed()
    );
    let refused = import
        .pages
        .iter()
        .any(|(_, o)| matches!(o, Outcome::Refused(..)));
    Ok(if refused {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `p` made absolute against `root`, `.` and `..` resolved lexically.
fn absolute(root: &Path, p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// `p` with its longest existing ancestor resolved through symbolic links.
fn resolved(p: &Path) -> PathBuf {
    let mut existing = p.to_path_buf();
    let mut tail = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                tail.push(name.to_owned());
                existing = parent.to_path_buf();
            }
            _ => return p.to_path_buf(),
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    out.extend(tail.iter().rev());
    out
}

/// Whether `p` is `dir` or inside it (symbolic links resolved where they exist).
fn inside(p: &Path, dir: &Path) -> bool {
    p.starts_with(dir) || resolved(p).starts_with(resolved(dir))
}

/// The path from directory `from` to `to`, both absolute; `to` itself when they share no
/// root (another drive).
fn relative(from: &Path, to: &Path) -> String {
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    if a.first() != b.first() {
        return to.display().to_string();
    }
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); a.len() - common];
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// The deepest directory holding every file.
fn common_dir(files: &[PathBuf]) -> PathBuf {
    let mut common: Option<PathBuf> = None;
    for f in files {
        let dir = f.parent().unwrap_or(Path::new("/")).to_path_buf();
        common = Some(match common {
            None => dir,
            Some(c) => c
                .components()
                .zip(dir.components())
                .take_while(|(x, y)| x == y)
                .map(|(x, _)| x)
                .collect(),
        });
    }
    common.unwrap_or_default()
}

/// Imports `inputs` (absolute path, text) for the output directory `out`, writing nothing.
pub fn import(root: &Path, inputs: &[(PathBuf, String)], out: &Path) -> Import {
    let paths: Vec<PathBuf> = inputs.iter().map(|(p, _)| p.clone()).collect();
    let base = common_dir(&paths);
    let mut pages: Vec<(String, &str)> = inputs
        .iter()
        .map(|(p, t)| {
            let rel = p.strip_prefix(&base).unwrap_or(p);
            (
                relative(Path::new("/"), &Path::new("/").join(rel)),
                t.as_str(),
            )
        })
        .collect();
    pages.sort();
    pages.dedup_by(|a, b| a.0 == b.0);
    let schema = absolute(root, Path::new("api-spec/spec.schema.json"));
    let mut names = build::Names::default();
    let mut declared: BTreeMap<String, String> = BTreeMap::new();
    let mut result = Import::default();
    // (page index, output name, text, page) of the pages that validate alone.
    let mut accepted: Vec<(usize, String, String, parse::Page)> = Vec::new();
    for (rel, text) in &pages {
        if !text.lines().any(|l| l.starts_with("#### Method:")) && rel.ends_with("README.md") {
            result.pages.push((rel.clone(), Outcome::Skipped("an index page (no `#### Method:` heading): it links to API pages and declares none".into())));
            continue;
        }
        let file = format!("{}.yaml", rel.strip_suffix(".md").unwrap_or(rel));
        let target = out.join(&file);
        let dir = target.parent().unwrap_or(out);
        let schema_path = relative(dir, &schema);
        let before = std::mem::take(&mut names.used);
        names.used = before.clone();
        let outcome = (|| {
            let mut page = variants::merge(parse::parse(text)?)?;
            // A section of an API a page before declares is left out (a spec declares an API
            // once); a page of nothing else is refused.
            let (again, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut page.apis)
                .into_iter()
                .partition(|a| declared.contains_key(&a.name));
            if let Some(a) = again.first().filter(|_| rest.is_empty()) {
                let other = declared.get(&a.name).cloned().unwrap_or_default();
                return parse::refuse(
                    a.line,
                    format!("API `{}` is already declared by {other}", a.name),
                );
            }
            page.apis = rest;
            let mut spec = build::build(&page, &mut names)?;
            spec.left_out
                .extend(again.iter().map(|a| (a.line, DECLARED_BEFORE)));
            spec.left_out.sort();
            let yaml = render::render(&spec, &schema_path, rel);
            if let Err(e) = codegen::load_sources(vec![(file.clone(), yaml.clone())]) {
                return parse::refuse(diagnostic_line(&page, &e), describe(&e));
            }
            Ok((page, spec, yaml))
        })();
        match outcome {
            Ok((page, spec, yaml)) => {
                for a in &page.apis {
                    declared.insert(a.name.clone(), rel.clone());
                }
                let methods = spec.apis.iter().map(|a| a.methods.len()).sum();
                let counts = [spec.apis.len(), methods, spec.types.len()];
                let left_out = spec.left_out.clone();
                result.pages.push((
                    rel.clone(),
                    Outcome::Imported(file.clone(), counts, left_out),
                ));
                accepted.push((result.pages.len() - 1, file, yaml, page));
            }
            Err(r) => {
                names.used = before;
                result
                    .pages
                    .push((rel.clone(), Outcome::Refused(r.line, r.message)));
            }
        }
    }
    // Together: a clash only the whole set shows refuses every page it names.
    while !accepted.is_empty() {
        let sources = accepted
            .iter()
            .map(|(_, f, y, _)| (f.clone(), y.clone()))
            .collect();
        let Err(e) = codegen::load_sources(sources) else {
            break;
        };
        let named: Vec<usize> = accepted
            .iter()
            .enumerate()
            .filter(|(_, (_, f, _, _))| {
                e.diagnostics
                    .iter()
                    .any(|d| d.location.as_ref().is_some_and(|l| &l.file == f))
            })
            .map(|(i, _)| i)
            .collect();
        // Without a file to blame, the last page goes, so the loop ends.
        let named = if named.is_empty() {
            vec![accepted.len() - 1]
        } else {
            named
        };
        for i in named.into_iter().rev() {
            let (at, _, _, page) = accepted.remove(i);
            let why = format!("with the other pages: {}", describe(&e));
            result.pages[at].1 = Outcome::Refused(diagnostic_line(&page, &e), why);
        }
    }
    result.files = accepted.into_iter().map(|(_, f, y, _)| (f, y)).collect();
    result
}

/// The page line of the first method or API a codegen diagnostic names, else 1.
fn diagnostic_line(page: &parse::Page, e: &codegen::SpecError) -> usize {
    let Some(d) = e.diagnostics.first() else {
        return 1;
    };
    let between = |s: &str, open: &str| {
        s.find(open)
            .and_then(|i| s[i + open.len()..].split(']').next().map(str::to_owned))
    };
    let api = between(&d.path, "apis[");
    let method = between(&d.path, "methods[");
    page.apis
        .iter()
        .find(|a| Some(&a.name) == api.as_ref())
        .map_or(1, |a| {
            a.methods
                .iter()
                .find(|m| Some(&m.name) == method.as_ref())
                .map_or(a.line, |m| m.line)
        })
}

/// The first codegen diagnostic, in our words: its logical path and message, with quoted
/// text (which may come from the page) elided.
fn describe(e: &codegen::SpecError) -> String {
    let Some(d) = e.diagnostics.first() else {
        return "the imported spec does not validate".into();
    };
    let mut message = String::new();
    for (i, part) in d.message.split('"').enumerate() {
        message.push_str(if i % 2 == 1 { "…" } else { part });
    }
    let message: String = message.chars().take(160).collect();
    format!("the imported spec does not validate: {}: {message}", d.path)
}
