//! `cargo xtask bench`: codegen at scale, compile cost, request overhead, decoding, discovery
//! and memory, as one table printed and written to BENCHMARKS.md. Every speed is a ratio
//! against a baseline measured in the same run; nothing here asserts a timing.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::{synth, workspace_root};

/// One row of the table.
pub(crate) struct Row {
    pub(crate) group: String,
    pub(crate) name: String,
    pub(crate) value: String,
    pub(crate) baseline: String,
    pub(crate) ratio: String,
    pub(crate) target: String,
}

pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Sizes of the synthetic specs, in APIs.
const CODEGEN_SIZES: [usize; 3] = [10, 100, 1000];
/// The default run stays within 10 minutes on 2 cores; `cargo xtask bench-compile 1000`
/// measures the largest size on its own (about 8.5 minutes there).
const COMPILE_SIZES: [usize; 3] = [15, 40, 100];

pub fn bench() -> Result<ExitCode> {
    let started = Instant::now();
    let root = workspace_root();
    let mut rows = Vec::new();

    // Nothing is timed while anything builds. The untimed builds run first, two at a time:
    // the release programs in this workspace's target directory, the compile-cost scratch
    // workspace's dependencies in its own.
    eprintln!("== building, untimed: release xtask and runtime bench; scratch dependencies");
    let runtime_bench = [
        "bench",
        "--quiet",
        "-p",
        "synology-client",
        "--features",
        "mock",
        "--bench",
        "runtime",
    ];
    let scratch = std::thread::scope(|s| -> Result<_> {
        let programs = s.spawn(|| -> Result<()> {
            let release = ["build", "--release", "--quiet", "-p", "xtask"];
            run_capture(Command::new(cargo()).current_dir(&root).args(release))?;
            let no_run = runtime_bench.iter().copied().chain(["--no-run"]);
            run_capture(Command::new(cargo()).current_dir(&root).args(no_run))?;
            Ok(())
        });
        let scratch = prepare_scratch(&root);
        programs
            .join()
            .map_err(|_| anyhow::anyhow!("the build thread panicked"))??;
        scratch
    })?;

    eprintln!("== codegen at scale (release build of xtask)");
    let out = run_capture(Command::new(cargo()).current_dir(&root).args([
        "run",
        "--release",
        "--quiet",
        "-p",
        "xtask",
        "--",
        "bench-codegen",
    ]))?;
    rows.extend(parse_rows(&out));

    eprintln!("== compile cost (scratch workspace, shared target directory)");
    rows.extend(compile_cost(&root, &scratch, &COMPILE_SIZES)?);

    eprintln!("== runtime: requests, decoding, discovery, memory (cargo bench)");
    let out = run_capture(Command::new(cargo()).current_dir(&root).args(runtime_bench))?;
    rows.extend(parse_rows(&out));

    let table = render(&rows, started.elapsed().as_secs());
    println!("{table}");
    // The table is the page's head; the sections after it (measured by hand or by other
    // commands) stay.
    let path = root.join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(&path, replace_head(&old, &table)).context("writing BENCHMARKS.md")?;
    eprintln!(
        "written to BENCHMARKS.md in {} s",
        started.elapsed().as_secs()
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run_capture(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Rows printed by the measuring programs: `ROW|group|name|value|baseline|ratio|target`.
fn parse_rows(out: &str) -> Vec<Row> {
    out.lines()
        .filter_map(|l| l.strip_prefix("ROW|"))
        .filter_map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            let [group, name, value, baseline, ratio, target] = f.as_slice() else {
                return None;
            };
            Some(Row {
                group: group.to_string(),
                name: name.to_string(),
                value: value.to_string(),
                baseline: baseline.to_string(),
                ratio: ratio.to_string(),
                target: target.to_string(),
            })
        })
        .collect()
}

/// Writes the synthetic spec of `n` APIs (plus core.yaml, which the runtime needs) to `dir`.
fn write_synthetic(root: &Path, dir: &Path, n: usize) -> Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    std::fs::copy(root.join("api-spec/core.yaml"), dir.join("core.yaml"))?;
    for (name, text) in synth::spec(n) {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `xtask bench-codegen`, run in release: generation time and lines for each size.
pub fn bench_codegen() -> Result<ExitCode> {
    let root = workspace_root();
    let mut per_method = Vec::new();
    for n in CODEGEN_SIZES {
        let dir = root.join(format!("target/bench/spec-{n}"));
        write_synthetic(&root, &dir, n)?;
        let mut times = Vec::new();
        let mut files = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            files =
                codegen::generate(&dir).map_err(|e| anyhow::anyhow!("synthetic spec {n}: {e}"))?;
            times.push(t.elapsed().as_secs_f64());
        }
        let ms = median(times) * 1000.0;
        let rust_lines: usize = files
            .iter()
            .filter(|(p, _)| p.extension().is_some_and(|e| e == "rs"))
            .map(|(_, c)| c.lines().count())
            .sum();
        let methods = 3 * n + 3;
        let us_per_method = ms * 1000.0 / methods as f64;
        per_method.push((n, us_per_method));
        let target = if n == 1000 {
            format!(
                "<= 1 ms/method: {}",
                if us_per_method <= 1000.0 {
                    "met"
                } else {
                    "MISSED"
                }
            )
        } else {
            String::new()
        };
        println!(
            "ROW|codegen|N={n} APIs ({methods} methods, {} files)|{ms:.0} ms, {rust_lines} lines|-|{us_per_method:.0} µs/method|{target}",
            files.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `xtask bench-compile N...`: the compile-cost rows for the given sizes alone.
pub fn bench_compile(sizes: &[usize]) -> Result<ExitCode> {
    let root = workspace_root();
    let scratch = prepare_scratch(&root)?;
    let rows = compile_cost(&root, &scratch, sizes)?;
    println!("{}", render(&rows, 0));
    Ok(ExitCode::SUCCESS)
}

/// The scratch workspace for compile cost, with its dependencies built (the 10-API client,
/// untimed). Returns the workspace and the client member's manifest without the bin table.
fn prepare_scratch(root: &Path) -> Result<(PathBuf, String)> {
    let scratch = root.join("target/bench-scratch");
    let client = scratch.join("client");
    std::fs::create_dir_all(&client)?;
    // The workspace: this repository's shared settings and lock file, one member.
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))?;
    let manifest = manifest.replace(
        r#"members = ["codegen", "generated-client", "xtask"]"#,
        r#"members = ["client"]"#,
    );
    std::fs::write(scratch.join("Cargo.toml"), manifest)?;
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock"))?;
    let member = std::fs::read_to_string(root.join("generated-client/Cargo.toml"))?;
    let member = member
        .split("\n[[bin]]")
        .next()
        .unwrap_or(&member)
        .to_owned();
    write_client(root, &scratch, &member, 10)?;
    build(&scratch, 10, &[])?;
    Ok((scratch, member))
}

/// Writes the scratch client generated from a synthetic spec of `n` APIs.
fn write_client(root: &Path, scratch: &Path, member: &str, n: usize) -> Result<()> {
    let client = scratch.join("client");
    let spec = root.join(format!("target/bench/compile-spec-{n}"));
    write_synthetic(root, &spec, n)?;
    let loaded = codegen::load(&spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    let files = codegen::render(&loaded).map_err(|e| anyhow::anyhow!("{e}"))?;
    let manifest = codegen::emit_manifest::splice(member, &codegen::emit_manifest::block(&loaded))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(client.join("Cargo.toml"), manifest)?;
    let _ = std::fs::remove_dir_all(client.join("src"));
    copy_runtime(&root.join("generated-client/src"), &client.join("src"))?;
    for (path, text) in &files {
        if let Ok(rel) = path.strip_prefix("generated-client") {
            let dest = client.join(rel);
            std::fs::create_dir_all(dest.parent().context("a parent")?)?;
            std::fs::write(dest, text)?;
        }
    }
    Ok(())
}

/// Timed builds of the scratch client for each size (after [`prepare_scratch`]).
fn compile_cost(
    root: &Path,
    (scratch, member): &(PathBuf, String),
    sizes: &[usize],
) -> Result<Vec<Row>> {
    let scratch = scratch.as_path();
    let mut rows = Vec::new();
    let mut points = Vec::new();
    let mut saving = None;
    for &n in sizes {
        write_client(root, scratch, member, n)?;
        let secs = build(scratch, n, &[])?;
        points.push((n as f64, secs));
        eprintln!("   {n} APIs: {secs:.1} s");
    }
    // Per-family features: the largest client again, with only the first family (10 APIs).
    if let Some(&(n, all)) = points.last() {
        let one = build(
            scratch,
            n as usize,
            &["--no-default-features", "--features", "synth0"],
        )?;
        eprintln!("   {n} APIs, feature synth0 only: {one:.1} s");
        saving = Some(Row {
            group: "compile".into(),
            name: format!(
                "cargo build, client with {n} APIs, only the feature of one family (10 APIs)"
            ),
            value: format!("{one:.1} s"),
            baseline: format!("{all:.1} s (all families, the default)"),
            ratio: format!("{:.2}", all / one),
            target: String::new(),
        });
    }
    for (n, secs) in &points {
        rows.push(Row {
            group: "compile".into(),
            name: format!("cargo build, client with {n} APIs"),
            value: format!("{secs:.1} s"),
            baseline: "-".into(),
            ratio: format!("{:.2} s/100 APIs", secs / n * 100.0),
            target: String::new(),
        });
    }
    rows.extend(saving);
    if points.len() < 2 {
        return Ok(rows);
    }
    // Least squares: seconds = a + b * APIs; linear when the per-API cost at the ends agrees.
    let (sx, sy): (f64, f64) = points
        .iter()
        .fold((0.0, 0.0), |(x, y), (px, py)| (x + px, y + py));
    let k = points.len() as f64;
    let (mx, my) = (sx / k, sy / k);
    let b = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum::<f64>()
        / points.iter().map(|(x, _)| (x - mx).powi(2)).sum::<f64>();
    let a = my - b * mx;
    let worst = points
        .iter()
        .map(|(x, y)| ((a + b * x) - y).abs() / y)
        .fold(0.0, f64::max);
    rows.push(Row {
        group: "compile".into(),
        name: "fit: seconds = a + b·APIs".into(),
        value: format!("a = {a:.1} s, b = {:.2} s/100 APIs", b * 100.0),
        baseline: "-".into(),
        ratio: format!("worst residual {:.0}%", worst * 100.0),
        target: format!(
            "linear in N: {}",
            if worst <= 0.15 { "met" } else { "MISSED" }
        ),
    });
    Ok(rows)
}

/// Times `cargo build -p synology-client` in the scratch workspace, with `extra` arguments.
fn build(scratch: &Path, n: usize, extra: &[&str]) -> Result<f64> {
    let t = Instant::now();
    let status = Command::new(cargo())
        .current_dir(scratch)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        // A user builds the client as a dependency: never incrementally. Incremental caches
        // left by an earlier run would also make the numbers depend on that run.
        .env("CARGO_INCREMENTAL", "0")
        .args(["build", "--quiet", "-p", "synology-client"])
        .args(extra)
        .status()?;
    if !status.success() {
        bail!("the scratch client with {n} APIs does not build ({extra:?})");
    }
    Ok(t.elapsed().as_secs_f64())
}

fn copy_runtime(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        // The generated tree comes from the synthetic spec; binaries are not what we time.
        if name == "generated" || name == "bin" {
            continue;
        }
        let dest: PathBuf = to.join(&name);
        if entry.file_type()?.is_dir() {
            copy_runtime(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest)?;
        }
    }
    Ok(())
}

fn render(rows: &[Row], seconds: u64) -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mut out = format!(
        "# Benchmarks\n\n`cargo xtask bench`, run on {} ({cpus} CPUs, {model}), in {seconds} s.\n\
         Speeds are ratios against a baseline measured in the same run (ratio = baseline time / our time, \
         so 1.00 is as fast as the baseline). Timing is noisy on a shared machine; no test asserts any of it. \
         The request rows give each round's ratio besides the median's; the A/A rows run the floor against \
         a second copy of itself, so their spread is what identical code shows here, and a wall-clock gap \
         within it is noise. The callgrind rows count the instructions the client process spends per call \
         and repeat within about 1%, so they decide the request target (see \"The gap under load\").\n\n\
         ",
        today()
    );
    out.push_str(&table(rows));
    out
}

/// The rows as a Markdown table.
pub(crate) fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| group | measurement | value | baseline | ratio | target |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.group, r.name, r.value, r.baseline, r.ratio, r.target
        ));
    }
    out
}

/// `doc` with everything before its first `## ` section replaced by `head`.
fn replace_head(doc: &str, head: &str) -> String {
    match doc.find("\n## ") {
        Some(at) => format!("{}\n{}", head.trim_end(), &doc[at..]),
        None => head.to_owned(),
    }
}

/// `doc` with the section under `heading` (a `## ` line, up to the next one) replaced by
/// `section` (which starts with that heading), or `section` put before the first `## `
/// section when `doc` has none yet.
pub(crate) fn replace_section(doc: &str, heading: &str, section: &str) -> String {
    let section = section.trim_end();
    let start = doc
        .match_indices(heading)
        .map(|(at, _)| at)
        .find(|&at| at == 0 || doc[..at].ends_with('\n'));
    match start {
        Some(at) => {
            let rest = &doc[at + heading.len()..];
            let end = rest.find("\n## ").map_or("", |e| &rest[e..]);
            format!("{}{section}\n{end}", &doc[..at])
        }
        None => match doc.find("\n## ") {
            Some(at) => format!("{}\n\n{section}\n{}", doc[..at].trim_end(), &doc[at..]),
            None => format!("{}\n\n{section}\n", doc.trim_end()),
        },
    }
}

/// Today's date (UTC) as YYYY-MM-DD.
pub(crate) fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::{replace_head, replace_section};

    const DOC: &str = "# Benchmarks\n\nold table\n\n## Links\n\nold links\n\n## By hand\n\nkept\n";

    #[test]
    fn a_new_head_keeps_every_section() {
        assert_eq!(
            replace_head(DOC, "# Benchmarks\n\nnew table\n"),
            "# Benchmarks\n\nnew table\n\n## Links\n\nold links\n\n## By hand\n\nkept\n"
        );
        assert_eq!(replace_head("", "# B\n"), "# B\n");
    }

    #[test]
    fn a_section_is_replaced_in_place_or_added_after_the_head() {
        assert_eq!(
            replace_section(DOC, "## Links", "## Links\n\nnew links\n"),
            "# Benchmarks\n\nold table\n\n## Links\n\nnew links\n\n## By hand\n\nkept\n"
        );
        assert_eq!(
            replace_section(DOC, "## By hand", "## By hand\n\nnew\n"),
            "# Benchmarks\n\nold table\n\n## Links\n\nold links\n\n## By hand\n\nnew\n"
        );
        assert_eq!(
            replace_section(DOC, "## New", "## New\n\nfresh\n"),
            "# Benchmarks\n\nold table\n\n## New\n\nfresh\n\n## Links\n\nold links\n\n## By hand\n\nkept\n"
        );
        assert_eq!(
            replace_section("# B\n", "## New", "## New\n\nx\n"),
            "# B\n\n## New\n\nx\n"
        );
    }
}
