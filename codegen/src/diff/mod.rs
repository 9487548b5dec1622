//! What changed between two loaded specs, for users of the generated crate, and the semver
//! bump it asks for: [`diff`] lists [`Change`]s, each under a [`Rule`] with its [`Level`].
//!
//! The rules follow the Cargo book's SemVer chapter for the code codegen emits as it is:
//! response structs and open enums are `#[non_exhaustive]`, structs reached from a parameter
//! are not; required parameters are positional arguments, optional ones setters; imported
//! methods are one function returning `Call<T>`; every public family is a cargo feature, and
//! a family's imported items sit behind `<family>-all`. A call the client used to send and
//! now refuses before sending (a narrower version range) is major too; what only changes the
//! bytes on the wire (path, verb, encoding, session, wire names) is a patch: the spec
//! describes DSM, and nothing a caller writes depends on those bytes. The generated
//! `synology` command is covered too: its flags are the parameters' wire names, so a
//! required parameter renamed in its place, which no Rust caller notices, breaks scripts.

mod api;
mod rule;
mod types;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

pub use rule::Rule;

use crate::ir::{Family, Spec};

/// How much a change asks the version to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Nothing a user wrote is affected.
    Patch,
    /// New things; everything that compiled still compiles and works.
    Minor,
    /// Something that compiled or worked no longer does.
    Major,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Patch => "patch",
            Level::Minor => "minor",
            Level::Major => "major",
        })
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The rule it falls under, which gives its level and why.
    pub rule: Rule,
    /// Where: an API (`SYNO.X.Y`), `type Name`, `feature name`, `family SYNO.X`, `ErrorKind`.
    pub subject: String,
    /// What changed, with the Rust names involved.
    pub what: String,
}

impl Change {
    /// The change's level (its rule's).
    pub fn level(&self) -> Level {
        self.rule.level()
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<5}  {}  {}: {}",
            self.level(),
            self.subject,
            self.what,
            self.rule.why()
        )
    }
}

/// Every change between two specs, sorted: major first, then minor, then patch; within a
/// level by subject, then text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// The changes.
    pub changes: Vec<Change>,
}

impl Diff {
    /// The bump the changes ask for; `None` when the specs describe the same crate.
    pub fn verdict(&self) -> Option<Level> {
        self.changes.iter().map(Change::level).max()
    }

    /// How many changes of `level`.
    pub fn count(&self, level: Level) -> usize {
        self.changes.iter().filter(|c| c.level() == level).count()
    }

    /// Whether some change falls under `rule`.
    pub fn has(&self, rule: Rule) -> bool {
        self.changes.iter().any(|c| c.rule == rule)
    }

    /// The final line: `verdict: major (2 major, 1 minor, 4 patch changes)`.
    pub fn verdict_line(&self) -> String {
        match self.verdict() {
            None => "verdict: none (no change for users of the crate)".to_owned(),
            Some(level) => format!(
                "verdict: {level} ({} major, {} minor, {} patch changes)",
                self.count(Level::Major),
                self.count(Level::Minor),
                self.count(Level::Patch)
            ),
        }
    }

    /// The changes of at least `min` level, a blank line between levels, then the verdict
    /// line; with `min` above patch, a line counting the patch changes left out.
    pub fn render(&self, min: Level) -> String {
        let mut out = String::new();
        let mut last = None;
        for c in self.changes.iter().filter(|c| c.level() >= min) {
            if last.is_some_and(|l| l != c.level()) {
                out.push('\n');
            }
            last = Some(c.level());
            out += &format!("{c}\n");
        }
        let hidden = self.changes.iter().filter(|c| c.level() < min).count();
        if hidden > 0 {
            out += &format!("({hidden} smaller changes not shown)\n");
        }
        if last.is_some() {
            out.push('\n');
        }
        out + &self.verdict_line() + "\n"
    }
}

impl fmt::Display for Diff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Level::Patch))
    }
}

/// What changes for users of the crate generated from `old` when it is generated from `new`.
pub fn diff(old: &Spec, new: &Spec) -> Diff {
    let mut out = Out::default();
    let cx = Cx {
        old: Side::new(old),
        new: Side::new(new),
    };
    api::families(&cx, &mut out);
    types::types(&cx, &mut out);
    features(old, new, &mut out);
    errors(old, new, &mut out);
    let mut changes = out.0;
    changes.sort_by(|a, b| {
        (b.level(), &a.subject, &a.what, a.rule).cmp(&(a.level(), &b.subject, &b.what, b.rule))
    });
    changes.dedup();
    Diff { changes }
}

/// The changes found so far.
#[derive(Default)]
struct Out(Vec<Change>);

impl Out {
    fn push(&mut self, rule: Rule, subject: impl Into<String>, what: impl Into<String>) {
        self.0.push(Change {
            rule,
            subject: subject.into(),
            what: what.into(),
        });
    }
}

/// Both specs, with their families by module.
struct Cx<'a> {
    old: Side<'a>,
    new: Side<'a>,
}

struct Side<'a> {
    spec: &'a Spec,
    families: HashMap<&'a str, &'a Family>,
}

impl<'a> Side<'a> {
    fn new(spec: &'a Spec) -> Self {
        Side {
            spec,
            families: spec
                .families
                .iter()
                .map(|f| (f.module.as_str(), f))
                .collect(),
        }
    }

    /// The family whose module is `module`.
    fn family(&self, module: &str) -> Option<&'a Family> {
        self.families.get(module).copied()
    }

    /// Whether items of the family with module `module` are public.
    fn public(&self, module: &str) -> bool {
        self.family(module).is_some_and(|f| !f.internal)
    }
}

/// The feature an item of `family` needs: `<family>-all` for an imported item of a family with
/// hand-written ones, else the family's.
fn gate(family: &Family, imported: bool) -> Option<String> {
    match family.all_feature() {
        Some(all) if imported => Some(all),
        _ => family.feature(),
    }
}

/// Reports a gate change of an item from `old` to `new`.
fn gate_change(out: &mut Out, subject: &str, item: &str, old: Option<String>, new: Option<String>) {
    if old == new {
        return;
    }
    let (Some(old), Some(new)) = (old, new) else {
        return;
    };
    let rule = if new.ends_with("-all") && !old.ends_with("-all") {
        Rule::GateTightened
    } else {
        Rule::GateLoosened
    };
    out.push(
        rule,
        subject,
        format!("{item} moves from feature `{old}` to `{new}`"),
    );
}

/// Pairs items of two lists: by wire name, then what is left by Rust name (a wire rename).
struct Paired<'a, T> {
    both: Vec<(&'a T, &'a T)>,
    removed: Vec<&'a T>,
    added: Vec<&'a T>,
}

fn pair<'a, T>(
    old: &'a [T],
    new: &'a [T],
    wire: impl Fn(&T) -> &str,
    rust: impl Fn(&T) -> &str,
) -> Paired<'a, T> {
    let by_wire: HashMap<&str, usize> = new.iter().enumerate().map(|(i, t)| (wire(t), i)).collect();
    let mut taken = vec![false; new.len()];
    let mut both = Vec::new();
    let mut left = Vec::new();
    for o in old {
        match by_wire.get(wire(o)) {
            Some(&i) => {
                taken[i] = true;
                both.push((o, &new[i]));
            }
            None => left.push(o),
        }
    }
    let by_rust: HashMap<&str, usize> = new
        .iter()
        .enumerate()
        .filter(|(i, _)| !taken[*i])
        .map(|(i, t)| (rust(t), i))
        .collect();
    let mut removed = Vec::new();
    for o in left {
        match by_rust.get(rust(o)) {
            Some(&i) if !taken[i] => {
                taken[i] = true;
                both.push((o, &new[i]));
            }
            _ => removed.push(o),
        }
    }
    let added = new
        .iter()
        .zip(&taken)
        .filter(|(_, t)| !**t)
        .map(|(n, _)| n)
        .collect();
    Paired {
        both,
        removed,
        added,
    }
}

/// The cargo features of the generated block: name and what each turns on.
fn feature_table(spec: &Spec) -> BTreeMap<String, BTreeSet<String>> {
    crate::emit_manifest::block(spec)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(name, list)| {
            let list = list.trim().trim_start_matches('[').trim_end_matches(']');
            let items = list
                .split(',')
                .map(|s| s.trim().trim_matches('"'))
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            (name.trim().to_owned(), items)
        })
        .collect()
}

fn features(old: &Spec, new: &Spec, out: &mut Out) {
    let (old, new) = (feature_table(old), feature_table(new));
    for name in old.keys().filter(|n| !new.contains_key(*n)) {
        out.push(Rule::FeatureRemoved, format!("feature {name}"), "removed");
    }
    for name in new.keys().filter(|n| !old.contains_key(*n)) {
        out.push(Rule::FeatureAdded, format!("feature {name}"), "added");
    }
    for (name, was) in &old {
        let Some(now) = new.get(name) else { continue };
        // A feature added or removed is reported once, not again in every list naming it.
        for gone in was.difference(now).filter(|f| new.contains_key(*f)) {
            out.push(
                Rule::FeatureNoLongerEnables,
                format!("feature {name}"),
                format!("no longer turns on `{gone}`"),
            );
        }
        for more in now.difference(was).filter(|f| old.contains_key(*f)) {
            out.push(
                Rule::FeatureNowEnables,
                format!("feature {name}"),
                format!("now turns on `{more}`"),
            );
        }
    }
}

/// Every error name, and every table as `(owner, code) -> (name, description)`.
/// Error tables: `(owner, code) -> (name, description)`; the owner is an API or the common
/// table.
type ErrorTables<'a> = BTreeMap<(&'a str, i64), (&'a str, &'a str)>;

fn error_tables(spec: &Spec) -> (BTreeSet<&str>, ErrorTables<'_>) {
    let mut names = BTreeSet::new();
    let mut tables = BTreeMap::new();
    let apis = spec.apis().map(|a| (a.wire.as_str(), &a.errors));
    for (owner, errors) in std::iter::once(("common errors", &spec.common_errors)).chain(apis) {
        for e in errors {
            names.insert(e.name.as_str());
            tables.insert((owner, e.code), (e.name.as_str(), e.description.as_str()));
        }
    }
    (names, tables)
}

fn errors(old: &Spec, new: &Spec, out: &mut Out) {
    let (old_names, old_tables) = error_tables(old);
    let (new_names, new_tables) = error_tables(new);
    for n in old_names.difference(&new_names) {
        out.push(
            Rule::ErrorKindRemoved,
            "ErrorKind",
            format!("variant {n} removed"),
        );
    }
    for n in new_names.difference(&old_names) {
        out.push(
            Rule::ErrorKindAdded,
            "ErrorKind",
            format!("variant {n} added"),
        );
    }
    let keys: BTreeSet<_> = old_tables.keys().chain(new_tables.keys()).collect();
    for key @ (owner, code) in keys {
        match (old_tables.get(key), new_tables.get(key)) {
            (Some((a, _)), Some((b, _))) if a != b => out.push(
                Rule::ErrorCodeChanged,
                *owner,
                format!("error code {code} is {b}, was {a}"),
            ),
            (Some((_, a)), Some((_, b))) if a != b => out.push(
                Rule::DocsChanged,
                *owner,
                format!("error code {code}'s description"),
            ),
            (Some((a, _)), None) => out.push(
                Rule::ErrorCodeChanged,
                *owner,
                format!("error code {code} ({a}) removed"),
            ),
            (None, Some((b, _))) => out.push(
                Rule::ErrorCodeChanged,
                *owner,
                format!("error code {code} ({b}) added"),
            ),
            _ => {}
        }
    }
}
