//! `cargo xtask bench-links`: paginated streams over a simulated slow link, as ratios against
//! a baseline measured in the same run: prefetch 4 against prefetch 1 at 25 ms each way,
//! gzip on against off at 10 Mbit/s (time and bytes on the wire), and the client's peak
//! memory. Printed, and written to BENCHMARKS.md's section [`HEADING`].
//!
//! The release runtime bench plays both ends: `serve N gzip` is the mock DSM (its own
//! process), `links URL PREFETCH gzip|identity` one client process per run, so each peak
//! RSS is that stream's own. The link simulator ([`link`]) runs here, between them, and
//! counts the bytes each stream puts on the wire.

mod link;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::bench::{Row, cargo, median, replace_section, table, today};
use crate::workspace_root;
use link::{Link, LinkConfig};

/// The section of BENCHMARKS.md this command writes.
const HEADING: &str = "## Over slow links";
/// Log entries streamed per run.
const ENTRIES: usize = 20_000;
/// The one-way delay of every link here.
const DELAY: Duration = Duration::from_millis(25);
/// 10 Mbit/s, in bytes per second.
const TEN_MBIT: u64 = 1_250_000;
/// Runs of each side, alternated; the median is kept.
const ROUNDS: usize = 3;

/// What one client process measured, and what the link counted meanwhile.
#[derive(Debug, Clone, Copy)]
struct Run {
    secs: f64,
    peak_mib: f64,
    /// Bytes on the wire during the stream (login excluded): client to server, back.
    up: u64,
    down: u64,
}

pub fn bench_links() -> Result<ExitCode> {
    let started = Instant::now();
    let root = workspace_root();
    eprintln!("== building, untimed: the runtime bench (release)");
    let exe = build_runtime_bench(&root)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("the link's runtime")?;
    let mut server = Server::spawn(&exe, ENTRIES)?;
    let result = measure(&rt, &exe, server.addr);
    server.stop();
    let rows = result?;

    let secs = started.elapsed().as_secs();
    let section = render(&rows, secs);
    println!("{section}");
    let path = root.join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(&path, replace_section(&old, HEADING, &section))
        .context("writing BENCHMARKS.md")?;
    eprintln!("written to BENCHMARKS.md ({HEADING}) in {secs} s");
    Ok(ExitCode::SUCCESS)
}

/// How one client streams.
#[derive(Debug, Clone, Copy)]
struct Stream {
    prefetch: usize,
    gzip: bool,
    /// The page size (`limit`).
    page: usize,
}

/// Every row: three comparisons, each side run [`ROUNDS`] times, alternated.
fn measure(rt: &tokio::runtime::Runtime, exe: &Path, target: SocketAddr) -> Result<Vec<Row>> {
    let ms = DELAY.as_millis();
    let start = |bandwidth| {
        rt.block_on(Link::start(
            target,
            LinkConfig {
                delay: DELAY,
                bandwidth,
            },
        ))
    };
    let entries = |page| format!("20,000 log entries (pages of {page})");
    let s = |prefetch, gzip, page| Stream {
        prefetch,
        gzip,
        page,
    };

    eprintln!("== prefetch 4 against prefetch 1, {ms} ms each way, gzip on");
    let slow = start(None)?;
    let (four, one) = alternate(
        || run(exe, &slow, s(4, true, 100)),
        || run(exe, &slow, s(1, true, 100)),
    )?;
    drop(slow);
    let speedup = one.secs / four.secs;
    let mut rows = vec![Row {
        group: "links".into(),
        name: format!(
            "stream() of {}, {ms} ms each way, no bandwidth limit, gzip on: prefetch 4",
            entries(100)
        ),
        value: format!("{:.2} s", four.secs),
        baseline: format!("{:.2} s (prefetch 1, one page at a time)", one.secs),
        ratio: format!("{speedup:.2}"),
        target: format!(">= 3: {}", verdict(speedup >= 3.0)),
    }];

    // Pages of 100 with 4 in flight need about 4 x 6.6 kB per 50 ms round trip, under half
    // of 10 Mbit/s; pages of 1,000 need more than the link carries.
    let narrow = start(Some(TEN_MBIT))?;
    for page in [100, 1000] {
        eprintln!(
            "== gzip on against off, {ms} ms each way, 10 Mbit/s, prefetch 4, pages of {page}"
        );
        let (gzip, plain) = alternate(
            || run(exe, &narrow, s(4, true, page)),
            || run(exe, &narrow, s(4, false, page)),
        )?;
        let faster = plain.secs / gzip.secs;
        let mb = |b: u64| {
            if b >= 1_000_000 {
                format!("{:.2} MB", b as f64 / 1e6)
            } else {
                format!("{:.1} kB", b as f64 / 1e3)
            }
        };
        rows.push(Row {
            group: "links".into(),
            name: format!(
                "stream() of {}, {ms} ms each way, 10 Mbit/s, prefetch 4: gzip on (mock at level 1)",
                entries(page)
            ),
            value: format!("{:.2} s", gzip.secs),
            baseline: format!("{:.2} s (gzip off)", plain.secs),
            ratio: format!("{faster:.2}"),
            target: String::new(),
        });
        rows.push(Row {
            group: "links".into(),
            name: format!(
                "bytes on the wire for that stream (pages of {page}), server to client (client to server)"
            ),
            value: format!("{} ({}), gzip on", mb(gzip.down), mb(gzip.up)),
            baseline: format!("{} ({}), gzip off", mb(plain.down), mb(plain.up)),
            ratio: format!("{:.2}", plain.down as f64 / gzip.down.max(1) as f64),
            target: String::new(),
        });
    }
    drop(narrow);

    rows.push(Row {
        group: "memory".into(),
        name: format!(
            "peak RSS of the client process, stream() of {}, {ms} ms each way, gzip on: prefetch 4",
            entries(100)
        ),
        value: format!("{:.1} MiB", four.peak_mib),
        baseline: format!("{:.1} MiB (prefetch 1)", one.peak_mib),
        ratio: format!("{:.2}", one.peak_mib / four.peak_mib),
        target: String::new(),
    });
    Ok(rows)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// Runs `a` and `b` [`ROUNDS`] times each, alternating which goes first; the median run of
/// each (by time; its peak and bytes are medians of their own).
fn alternate(
    mut a: impl FnMut() -> Result<Run>,
    mut b: impl FnMut() -> Result<Run>,
) -> Result<(Run, Run)> {
    let (mut ra, mut rb) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        if round % 2 == 0 {
            ra.push(a()?);
            rb.push(b()?);
        } else {
            rb.push(b()?);
            ra.push(a()?);
        }
        eprintln!(
            "   round {}: {:.2} s against {:.2} s",
            round + 1,
            ra[round].secs,
            rb[round].secs
        );
    }
    Ok((summary(&ra), summary(&rb)))
}

fn summary(runs: &[Run]) -> Run {
    let of = |f: fn(&Run) -> f64| median(runs.iter().map(f).collect());
    Run {
        secs: of(|r| r.secs),
        peak_mib: of(|r| r.peak_mib),
        up: of(|r| r.up as f64) as u64,
        down: of(|r| r.down as f64) as u64,
    }
}

/// One client process streaming every entry through `link`; the bytes are counted between
/// its login and the end of its stream.
fn run(exe: &Path, link: &Link, stream: Stream) -> Result<Run> {
    let url = format!("http://{}", link.addr());
    let encoding = if stream.gzip { "gzip" } else { "identity" };
    let mut child = Command::new(exe)
        .args(["links", &url, &stream.prefetch.to_string(), encoding])
        .arg(stream.page.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", exe.display()))?;
    let mut out = BufReader::new(child.stdout.take().context("the client's stdout")?);
    let ready = read_line(&mut out)?;
    if ready != "ready" {
        bail!("the client did not log in: {ready:?}");
    }
    let (up0, down0) = link.bytes();
    let mut stdin = child.stdin.take().context("the client's stdin")?;
    stdin.write_all(b"go\n")?;
    drop(stdin);
    let done = read_line(&mut out)?;
    let (up1, down1) = link.bytes();
    let status = child.wait()?;
    let fields: Vec<&str> = done.split_whitespace().collect();
    let (Some(count), Some(secs), Some(peak)) = (fields.first(), fields.get(1), fields.get(2))
    else {
        bail!("the client failed ({status}): {done:?}");
    };
    if count.parse::<usize>().ok() != Some(ENTRIES) {
        bail!("the client streamed {count} entries, not {ENTRIES}");
    }
    Ok(Run {
        secs: secs.parse().context("seconds")?,
        peak_mib: peak.parse().context("peak")?,
        up: up1 - up0,
        down: down1 - down0,
    })
}

fn read_line(out: &mut BufReader<ChildStdout>) -> Result<String> {
    let mut line = String::new();
    out.read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

/// The mock DSM in its own process, serving [`ENTRIES`] log entries, gzip on request.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn spawn(exe: &Path, entries: usize) -> Result<Self> {
        let mut child = Command::new(exe)
            .args(["serve", &entries.to_string(), "gzip"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", exe.display()))?;
        let mut out = BufReader::new(child.stdout.take().context("the server's stdout")?);
        let url = read_line(&mut out)?;
        let addr = url
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
            .with_context(|| format!("the mock's URL: {url:?}"))?;
        Ok(Self { child, addr })
    }

    /// Closing its stdin ends it.
    fn stop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Builds the runtime bench in release (untimed) and returns its executable.
fn build_runtime_bench(root: &Path) -> Result<PathBuf> {
    let out = crate::bench::run_capture(Command::new(cargo()).current_dir(root).args([
        "bench",
        "--no-run",
        "--quiet",
        "--message-format=json",
        "-p",
        "synology-client",
        // `gzip` is a default feature; named, so the rows never measure a build without it.
        "--features",
        "mock,gzip",
        "--bench",
        "runtime",
    ]))?;
    out.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["target"]["name"] == "runtime")
        .find_map(|v| v["executable"].as_str().map(PathBuf::from))
        .context("cargo named no runtime bench executable")
}

fn render(rows: &[Row], seconds: u64) -> String {
    format!(
        "{HEADING}\n\n`cargo xtask bench-links`, run on {} in {seconds} s: the release client \
         and the mock DSM (gzip at level 1 for clients that ask) in two processes, a link \
         simulator between them (xtask/src/bench_links/link.rs: each direction delays every \
         chunk by the same time after its arrival, a new connection pays one round trip \
         before its first byte, and a bandwidth limit is a token bucket per direction shared \
         by every connection). Each side runs {ROUNDS} times, alternated, one client process \
         per run; medians. Times are the stream alone, from its first request to its last \
         entry (login excluded); ratio = baseline / ours. A page of 100 entries is about \
         6.6 kB: one page at a time, each costs a 50 ms round trip (200 pages, 10 s); prefetch \
         4 keeps four in flight from the third page on. Four such pages per round trip use \
         under half of 10 Mbit/s, so there gzip saves bytes but not time; pages of 1,000 fill \
         the link, and gzip saves both.\n\n{}",
        today(),
        table(rows)
    )
}
