//! Developer automation: `cargo xtask codegen [--check]`, `cargo xtask demo`, `cargo xtask
//! man DIR`, `cargo xtask import dsm-lib`, `cargo xtask import docs`, `cargo xtask diff`.

mod bench;
mod bench_links;
mod diff;
mod import;
mod import_docs;
mod synth;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use codegen::Drift;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen          regenerate generated-client/src/generated and generated-client/docs from api-spec/
  codegen --check  write nothing; exit 1 when any generated file is stale, missing or orphaned
  bench            benchmarks (codegen, compile cost, requests, decoding, discovery, memory)
                   printed as a table and written to BENCHMARKS.md
  bench-links      paginated streams over a simulated slow link (prefetch, gzip, memory),
                   written to BENCHMARKS.md's section on slow links
  demo             regenerate, then run the synology CLI against its embedded mock DSM
                   for every method of the spec, as json and as table
  man DIR          build the synology CLI and write its man pages into DIR (created if missing):
                   synology.1 and synology-<command>[-<subcommand>...].1 for every command
  import dsm-lib [DIR] [--out OUTDIR] [--check] [--only FAMILY...]
                   write api-spec/dsm/<family>.yaml (or OUTDIR) from DSM 7's declarations in DIR
                   (default ../shared/fixtures/dsm-lib); hand-written api-spec/*.yaml win;
                   --check writes nothing and exits 1 when OUTDIR differs; skipped without DIR
  import docs FILE.md... --out DIR
                   write spec YAML into DIR from API pages in the seeds' Markdown format
  diff OLD [NEW]   what changed between two specs for users of the generated crate, with a
                   semver verdict; OLD and NEW are spec directories or git revisions
                   (NEW defaults to api-spec/)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
        ["demo"] => demo(),
        ["man", dir] => man(Path::new(dir)),
        ["import", "dsm-lib", rest @ ..] => {
            let root = workspace_root();
            import::parse_args(&root, rest).and_then(|opts| import::run(&root, &opts))
        }
        ["import", "docs", rest @ ..] => import_docs::main(&workspace_root(), rest),
        ["diff", rest @ ..] => diff::main(&workspace_root(), rest),
        ["bench"] => bench::bench(),
        ["bench-codegen"] => bench::bench_codegen(),
        ["bench-links"] => bench_links::bench_links(),
        ["bench-compile", sizes @ ..] => match sizes
            .iter()
            .map(|s| s.parse())
            .collect::<Result<Vec<usize>, _>>()
        {
            Ok(sizes) if !sizes.is_empty() => bench::bench_compile(&sizes),
            _ => {
                eprintln!("usage: cargo xtask bench-compile N [N ...]");
                return ExitCode::from(2);
            }
        },
        ["help" | "--help" | "-h"] | [] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

fn codegen(check: bool) -> Result<ExitCode> {
    let root = workspace_root();
    let generated = codegen::load(&root.join("api-spec"))
        .and_then(|spec| Ok((codegen::generate_loaded_in(&root, &spec)?, spec)));
    let (files, spec) = match generated {
        Ok(generated) => generated,
        Err(codegen::GenerateError::Spec(e)) => {
            eprintln!("{e}");
            bail!(
                "the spec has {} problem(s); nothing was written",
                e.diagnostics.len()
            );
        }
        Err(e) => return Err(e).context("nothing was written"),
    };
    let drift = codegen::drift(&root, &files).context("comparing generated files")?;
    if check {
        if drift.is_empty() {
            println!("generated code is up to date ({} files)", files.len());
            return Ok(ExitCode::SUCCESS);
        }
        for d in &drift {
            eprintln!("{d}");
        }
        eprintln!(
            "generated code is out of date with api-spec/; run `cargo xtask codegen` and commit the result"
        );
        return Ok(ExitCode::FAILURE);
    }
    for d in &drift {
        match d {
            Drift::Stale(p) | Drift::Missing(p) => {
                let contents = &files
                    .iter()
                    .find(|(f, _)| f == p)
                    .context("drift names a generated file")?
                    .1;
                write_atomic(&root.join(p), contents)?;
            }
            Drift::Orphan(p) => {
                std::fs::remove_file(root.join(p))
                    .with_context(|| format!("removing {}", p.display()))?;
            }
        }
        println!("{d}");
    }
    remove_empty_dirs(&root.join(codegen::RUST_DIR))?;
    println!("{} generated files, {} changed", files.len(), drift.len());
    // What the spec change means for users (against HEAD's api-spec/); never fails codegen.
    let summary = std::panic::catch_unwind(|| diff::summary_since_head(&root, &spec))
        .unwrap_or_else(|_| "spec diff since HEAD: skipped (the diff panicked)\n".into());
    print!("{summary}");
    Ok(ExitCode::SUCCESS)
}

/// Writes through a temporary file in the same directory and renames it into place, so a
/// reader never sees half a file and an interrupted run leaves the old file intact.
fn write_atomic(path: &Path, contents: &str) -> Result<()> {
    let dir = path.parent().context("generated path has a parent")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    std::fs::write(&tmp, contents).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming into {}", path.display()))
}

fn remove_empty_dirs(dir: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            remove_empty_dirs(&path)?;
            if std::fs::read_dir(&path)?.next().is_none() {
                std::fs::remove_dir(&path)?;
            }
        }
    }
    Ok(())
}

/// Every public method of the spec as `synology` arguments, required flags filled from
/// the spec's parameter examples.
fn demo_commands(root: &Path) -> Result<Vec<Vec<String>>> {
    use codegen::ir::ParamKind;
    use codegen::naming::kebab;
    let spec = codegen::load(&root.join("api-spec")).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut commands = Vec::new();
    // Imported methods (the light form) have no subcommand of their own and sit behind
    // features the demo's default build leaves off; `synology api` reaches them.
    for family in spec
        .families
        .iter()
        .filter(|f| !f.internal && !f.imported_only)
    {
        for api in family.apis.iter().filter(|a| !a.imported) {
            for method in api.methods.iter().filter(|m| !m.imported) {
                let mut args = vec![kebab(&family.module)];
                args.extend(api.accessor.as_deref().map(kebab));
                args.push(kebab(&method.rust));
                for p in method.params.iter().filter(|p| p.required) {
                    if let ParamKind::Value { .. } = p.kind {
                        let value = p
                            .example
                            .clone()
                            .or_else(|| p.default.clone())
                            .with_context(|| {
                                format!(
                                    "{} {} parameter {} needs an `example` in the spec",
                                    api.wire, method.wire, p.wire
                                )
                            })?;
                        args.extend([format!("--{}", kebab(&p.wire)), value]);
                    }
                }
                commands.push(args);
            }
        }
    }
    Ok(commands)
}

fn demo() -> Result<ExitCode> {
    let code = codegen(false)?;
    if code != ExitCode::SUCCESS {
        return Ok(code);
    }
    let root = workspace_root();
    let bin = build_synology(&root)?;
    let mut failures = 0;
    let commands = demo_commands(&root)?;
    for args in &commands {
        for output in ["json", "table"] {
            println!("$ synology --mock --output {output} {}", args.join(" "));
            let status = Command::new(&bin)
                .args(["--mock", "--output", output])
                .args(args)
                .status()
                .with_context(|| format!("running {}", bin.display()))?;
            if !status.success() {
                failures += 1;
                eprintln!("  -> exit {:?}", status.code());
            }
            println!();
        }
    }
    println!(
        "{} methods, {} runs, {failures} failed",
        commands.len(),
        commands.len() * 2
    );
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Builds the `synology` command (debug) and returns its path. Features: `cli` and the
/// default ones, which are the hand-written families, the only ones with subcommands
/// (imported methods have none), so the binary has every generated subcommand.
fn build_synology(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(&cargo)
        .current_dir(root)
        .args([
            "build",
            "--quiet",
            "-p",
            "synology-client",
            "--features",
            "cli",
            "--bin",
            "synology",
        ])
        .status()
        .context("building the synology command")?;
    if !built.success() {
        bail!("building the synology command failed");
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    Ok(target.join("debug").join("synology"))
}

/// `cargo xtask man DIR`: the CLI's hidden `synology __man DIR`, which writes `synology.1` and
/// one page per command (clap_mangen).
fn man(dir: &Path) -> Result<ExitCode> {
    let bin = build_synology(&workspace_root())?;
    let status = Command::new(&bin)
        .arg("__man")
        .arg(dir)
        .status()
        .with_context(|| format!("running {}", bin.display()))?;
    if !status.success() {
        bail!("synology __man {} failed", dir.display());
    }
    let pages = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("synology") && name.ends_with(".1")
        })
        .count();
    println!("{pages} man page files in {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// Code generation allocates millions of small token trees on every core; glibc's allocator
/// spent a quarter of `cargo xtask codegen`'s time (perf) in malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(test)]
mod demo_tests {
    /// The demo runs the CLI's own subcommands only: the families a default build compiles,
    /// never an imported method (those have no subcommand; `synology api` reaches them).
    #[test]
    fn the_demo_runs_only_subcommands_a_default_build_has() {
        let commands = super::demo_commands(&super::workspace_root()).expect("the spec loads");
        assert!(commands.len() >= 20, "{}", commands.len());
        for args in &commands {
            assert!(
                ["cloud-sync", "synology-drive", "synology-drive-share-sync"]
                    .contains(&args[0].as_str()),
                "{args:?}"
            );
        }
    }
}
