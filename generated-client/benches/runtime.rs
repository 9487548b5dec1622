//! Runtime benchmarks behind `cargo xtask bench` (also `cargo bench --features mock --bench
//! runtime`). Each speed is measured against a hand-written baseline in the same run, the two
//! alternated and the median kept; output lines `ROW|group|name|value|baseline|ratio|target`.
//!
//! The server runs in its own process (this program in `serve` mode), and each memory case
//! in its own process too.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt, stream};
use serde::Deserialize;
use synology_client::Client;
use synology_client::cloud_sync::LogList;
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};

#[path = "runtime/memory.rs"]
mod memory;

use memory::{memory, memory_case, oversized_case, oversized_row, peak_rss_mib};

const CALLS: usize = 10_000;
const ROUNDS: usize = 5;
const IN_FLIGHT: usize = 64;

// The hand-written baseline: the same fields, plain serde types.
#[derive(Deserialize)]
struct Envelope<T> {
    #[allow(dead_code)]
    success: bool,
    data: Option<T>,
}
#[derive(Deserialize)]
#[allow(dead_code)]
struct HandConnectionList {
    connections: Vec<HandConnection>,
    total: u64,
}
#[derive(Deserialize)]
#[allow(dead_code)]
struct HandConnection {
    conn_id: i64,
    cloud_type: String,
    display_name: String,
    status: String,
    account: String,
}
#[derive(Deserialize)]
#[allow(dead_code)]
struct HandLogList {
    logs: Vec<HandLog>,
    total: u64,
}
#[derive(Deserialize)]
#[allow(dead_code)]
struct HandLog {
    time: i64,
    #[serde(rename = "type")]
    kind: String,
    message: String,
}

fn row(group: &str, name: &str, value: &str, baseline: &str, ratio: &str, target: &str) {
    println!("ROW|{group}|{name}|{value}|{baseline}|{ratio}|{target}");
    let _ = std::io::stdout().flush();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // One worker thread here and one in the server process: on a 2-core machine each side
    // gets a core, where 2 + 2 threads made the 64-in-flight ratios swing from 0.78 to 0.97
    // between runs while the instruction counts stayed within 1%.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    match args.as_slice() {
        ["requests"] => rt.block_on(on_worker(requests())),
        ["serve", items] => rt.block_on(serve(items.parse().expect("item count"), false)),
        ["serve", items, "gzip"] => rt.block_on(serve(items.parse().expect("item count"), true)),
        // `cargo xtask bench-links`: one stream through its link simulator.
        [
            "links",
            url,
            prefetch,
            encoding @ ("gzip" | "identity"),
            limit,
        ] => rt.block_on(links_case(
            url,
            prefetch.parse().expect("prefetch"),
            *encoding == "gzip",
            limit.parse().expect("page size"),
        )),
        ["stream", url, total] => {
            rt.block_on(memory_case(url, true, total.parse().expect("total")))
        }
        ["collect", url, total] => {
            rt.block_on(memory_case(url, false, total.parse().expect("total")))
        }
        ["oversized"] => oversized_row(),
        ["instructions"] => instructions(),
        ["oversized", kind @ ("endless" | "small")] => rt.block_on(oversized_case(kind)),
        // Under valgrind --tool=callgrind: `calls` x connection().list() (`list`) or
        // connection_log().list(1) (`log`), IN_FLIGHT at a time, against the server at `url`,
        // by the generated client or the baseline.
        [which @ ("ours" | "baseline"), call, url, calls] => {
            let calls: usize = calls.parse().expect("calls");
            let call = if *call == "list" {
                Call::List
            } else {
                Call::LogList
            };
            rt.block_on(async {
                let client = Client::builder(url).build().expect("client");
                client.login(DEMO_USER, DEMO_PASSWORD).await.expect("login");
                let http = floor_http();
                let sid = login_baseline(&http, url).await;
                let run = stream::iter(0..calls).map(|_| async {
                    if *which == "ours" {
                        ours(&client, call).await;
                    } else {
                        baseline(&http, url, &sid, call).await;
                    }
                });
                run.buffer_unordered(IN_FLIGHT).collect::<Vec<()>>().await;
            });
        }
        _ => {
            decoding();
            rt.block_on(on_worker(requests()));
            instructions();
            rt.block_on(discovery());
            memory();
        }
    }
}

/// Runs `task` on the runtime's one worker thread, so that each process keeps to one busy
/// thread. Under `block_on` the calls would be polled on the main thread and their
/// connections on the worker: three busy threads with the server's on two cores. The medians
/// of the floor against itself (A/A) ranged 0.55-1.10 in 4 runs that way, 0.86-1.11 in 11
/// runs on the worker (2026-11-27, a machine shared with other builds).
async fn on_worker(task: impl Future<Output = ()> + Send + 'static) {
    tokio::spawn(task).await.expect("the measuring task");
}

/// `serve N [gzip]`: a mock DSM (no request log) whose log list pages through N entries,
/// compressing its answers for clients that accept gzip with `gzip`; prints its URL, serves
/// until stdin closes.
async fn serve(items: usize, gzip: bool) {
    let config = MockConfig::dsm7().without_request_log().gzip(gzip);
    let dsm = MockDsm::start_with(config).await.expect("mock");
    if items > 0 {
        let entries = (0..items)
            .map(|i| serde_json::json!({"time": 1_700_000_000 + i, "type": "info", "message": format!("entry number {i}")}))
            .collect();
        dsm.set_items("SYNO.CloudSync.Connection.Log", "List", entries);
    }
    println!("{}", dsm.url());
    let _ = std::io::stdout().flush();
    let _ = tokio::task::spawn_blocking(|| {
        let mut sink = String::new();
        let _ = std::io::stdin().read_line(&mut sink);
    })
    .await;
}

/// `links URL PREFETCH gzip|identity LIMIT`: logs in through the link at `url`, prints
/// `ready`, waits for a line on stdin, then streams every log entry in pages of `LIMIT` with
/// `prefetch` pages in flight and prints `count seconds peak_mib`. One process per run, so
/// the peak is this stream's own.
async fn links_case(url: &str, prefetch: usize, gzip: bool, limit: i64) {
    let client = Client::builder(url)
        .timeout(Duration::from_secs(120))
        .gzip(gzip)
        .build()
        .expect("client");
    client.login(DEMO_USER, DEMO_PASSWORD).await.expect("login");
    println!("ready");
    let _ = std::io::stdout().flush();
    let _ = tokio::task::spawn_blocking(|| {
        let mut go = String::new();
        let _ = std::io::stdin().read_line(&mut go);
    })
    .await;
    let t = Instant::now();
    let count = client
        .cloud_sync()
        .connection_log()
        .list(1)
        .limit(limit)
        .stream()
        .prefetch(prefetch)
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await
        .expect("stream");
    let secs = t.elapsed().as_secs_f64();
    println!("{count} {secs:.4} {:.1}", peak_rss_mib());
}

/// Starts this program in `serve` mode and returns it with its URL.
fn spawn_server(items: usize) -> (Child, String) {
    let mut child = Command::new(std::env::current_exe().expect("own path"))
        .args(["serve", &items.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("server process");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("server URL");
    (child, line.trim().to_owned())
}

fn decoding() {
    let n = 100_000;
    let logs: Vec<_> = (0..n)
        .map(|i| serde_json::json!({"time": 1_700_000_000 + i, "type": if i % 7 == 0 { "warning" } else { "info" }, "message": format!("Sync of file {i} completed")}))
        .collect();
    let body = serde_json::to_vec(
        &serde_json::json!({"success": true, "data": {"logs": logs, "total": n}}),
    )
    .expect("json");
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    for round in 0..15 {
        let time_ours = || {
            let t = Instant::now();
            let e: Envelope<LogList> = serde_json::from_slice(&body).expect("decodes");
            assert_eq!(e.data.map(|d| d.logs.len()), Some(n));
            t.elapsed().as_secs_f64()
        };
        let time_base = || {
            let t = Instant::now();
            let e: Envelope<HandLogList> = serde_json::from_slice(&body).expect("decodes");
            assert_eq!(e.data.map(|d| d.logs.len()), Some(n));
            t.elapsed().as_secs_f64()
        };
        if round % 2 == 0 {
            ours.push(time_ours());
            base.push(time_base());
        } else {
            base.push(time_base());
            ours.push(time_ours());
        }
    }
    let (o, b) = (median(ours), median(base));
    row(
        "decoding",
        &format!(
            "100,000-entry log page ({:.1} MB), generated LogList",
            body.len() as f64 / 1e6
        ),
        &format!("{:.1} ms", o * 1e3),
        &format!("{:.1} ms (hand-written struct)", b * 1e3),
        &format!("{:.2}", b / o),
        &format!(">= 0.90: {}", verdict(b / o >= 0.90)),
    );
}

/// Logs in by hand: the session id and the SynoToken, which the generated client also sends.
async fn login_baseline(http: &reqwest::Client, url: &str) -> (String, String) {
    let form = [
        ("api", "SYNO.API.Auth"),
        ("version", "7"),
        ("method", "login"),
        ("account", DEMO_USER),
        ("passwd", DEMO_PASSWORD),
        ("format", "sid"),
        ("enable_syno_token", "yes"),
    ];
    let body: serde_json::Value = http
        .post(format!("{url}/webapi/entry.cgi"))
        .form(&form)
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let field = |k: &str| body["data"][k].as_str().expect("login field").to_owned();
    (field("sid"), field("synotoken"))
}

#[derive(Clone, Copy, PartialEq)]
enum Call {
    List,
    LogList,
}

async fn ours(client: &Client, call: Call) {
    match call {
        Call::List => assert_eq!(
            client
                .cloud_sync()
                .connection()
                .list()
                .send()
                .await
                .expect("list")
                .total,
            1
        ),
        Call::LogList => assert_eq!(
            client
                .cloud_sync()
                .connection_log()
                .list(1)
                .send()
                .await
                .expect("logs")
                .total,
            1
        ),
    }
}

async fn baseline(http: &reqwest::Client, url: &str, (sid, token): &(String, String), call: Call) {
    let (api, extra): (&str, &[(&str, &str)]) = match call {
        Call::List => ("SYNO.CloudSync.Connection", &[]),
        Call::LogList => ("SYNO.CloudSync.Connection.Log", &[("conn_id", "1")]),
    };
    let mut query = vec![
        ("api", api),
        ("version", "1"),
        ("method", "List"),
        ("_sid", sid),
    ];
    query.extend_from_slice(extra);
    let body = http
        .get(format!("{url}/webapi/entry.cgi"))
        .query(&query)
        .header("X-SYNO-TOKEN", token.as_str())
        // The same whole-request timeout as the client's default: a baseline without one
        // would compare a safe client with an unsafe one (the timer costs about 5.5k
        // instructions per call on either side).
        .timeout(synology_client::Settings::DEFAULT_TIMEOUT)
        .send()
        .await
        .expect("send")
        .bytes()
        .await
        .expect("body");
    match call {
        Call::List => assert_eq!(
            serde_json::from_slice::<Envelope<HandConnectionList>>(&body)
                .expect("decode")
                .data
                .map(|d| d.total),
            Some(1)
        ),
        Call::LogList => assert_eq!(
            serde_json::from_slice::<Envelope<HandLogList>>(&body)
                .expect("decode")
                .data
                .map(|d| d.total),
            Some(1)
        ),
    }
}

/// Seconds for `CALLS` calls, `in_flight` at a time.
async fn timed<F, Fut>(in_flight: usize, call: F) -> f64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let t = Instant::now();
    stream::iter(0..CALLS)
        .map(|_| call())
        .buffer_unordered(in_flight)
        .collect::<Vec<()>>()
        .await;
    t.elapsed().as_secs_f64()
}

/// The floor: a plain reqwest client. Built with `no_gzip()` because the client's `gzip`
/// feature turns decompression on for every reqwest client in the build, and the floor
/// must stay the least a call can cost.
fn floor_http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("reqwest client")
}

/// `b / o` per round: the smallest and largest.
fn round_range(o: &[f64], b: &[f64]) -> (f64, f64) {
    o.iter()
        .zip(b)
        .map(|(o, b)| b / o)
        .fold((f64::INFINITY, 0.0), |(lo, hi), r| (lo.min(r), hi.max(r)))
}

/// Rounds at 64 in flight, where run-to-run noise is widest (the sequential rows use
/// `ROUNDS`).
const ROUNDS_IN_FLIGHT: usize = 9;

async fn requests() {
    let (mut server, url) = spawn_server(0);
    let client = Client::builder(&url).build().expect("client");
    client.login(DEMO_USER, DEMO_PASSWORD).await.expect("login");
    let http = floor_http();
    let sid = login_baseline(&http, &url).await;
    // A second floor, its own connection pool and session: the floor against itself (A/A)
    // shows how far two runs of the same code drift apart here.
    let http_b = floor_http();
    let sid_b = login_baseline(&http_b, &url).await;
    for (call, name) in [
        (Call::List, "connection().list()"),
        (Call::LogList, "connection_log().list(1)"),
    ] {
        for in_flight in [1, IN_FLIGHT] {
            let aa = in_flight == IN_FLIGHT;
            let rounds = if aa { ROUNDS_IN_FLIGHT } else { ROUNDS };
            // Seconds per side: ours, the floor, the second floor.
            let mut wall: [Vec<f64>; 3] = Default::default();
            // Warm every connection pool first (round 0, not kept), then rotate the order
            // so that no side always runs first.
            for round in 0..=rounds {
                let sides = if aa { 3 } else { 2 };
                for k in 0..sides {
                    let side = (round + k) % sides;
                    let t = match side {
                        0 => timed(in_flight, || ours(&client, call)).await,
                        1 => timed(in_flight, || baseline(&http, &url, &sid, call)).await,
                        _ => timed(in_flight, || baseline(&http_b, &url, &sid_b, call)).await,
                    };
                    if round > 0 {
                        wall[side].push(t);
                    }
                }
            }
            let mode = if in_flight == 1 {
                "sequential".to_owned()
            } else {
                format!("{in_flight} in flight")
            };
            let floor = "(reqwest + serde_json, with the same 120 s timeout, no gzip)";
            let [o, b, b2] = &wall;
            let (lo, hi) = round_range(o, b);
            let (om, bm) = (median(o.clone()), median(b.clone()));
            row(
                "requests",
                &format!("{CALLS} x {name}, {mode}"),
                &format!("{:.0} calls/s", CALLS as f64 / om),
                &format!("{:.0} calls/s {floor}", CALLS as f64 / bm),
                &format!("{:.2} (rounds {lo:.2}-{hi:.2})", bm / om),
                &format!(">= 0.95: {}", verdict(bm / om >= 0.95)),
            );
            if aa {
                let (lo, hi) = round_range(b2, b);
                let b2m = median(b2.clone());
                row(
                    "requests",
                    &format!("{CALLS} x {name}, {mode}: A/A, the floor against itself"),
                    &format!("{:.0} calls/s (second floor client)", CALLS as f64 / b2m),
                    &format!("{:.0} calls/s (first floor client)", CALLS as f64 / bm),
                    &format!("{:.2} (rounds {lo:.2}-{hi:.2})", bm / b2m),
                    "none: the spread of identical code",
                );
            }
        }
    }
    drop(server.stdin.take());
    let _ = server.wait();
}

/// Instructions the client process spends per call, counted by callgrind (repeatable,
/// whatever else the machine does): the difference between runs of 500 and 1,500 calls,
/// 64 in flight, so set-up (client building, login) cancels out. Skipped without valgrind.
fn instructions() {
    let valgrind_runs = Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !valgrind_runs {
        eprintln!("   valgrind not found: the instruction-count rows are skipped");
        return;
    }
    let (mut server, url) = spawn_server(0);
    let exe = std::env::current_exe().expect("own path");
    let count = |which: &str, call: &str, calls: usize| -> f64 {
        let out = Command::new("valgrind")
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(&exe)
            .args([which, call, &url, &calls.to_string()])
            .output()
            .expect("valgrind runs");
        let text = String::from_utf8_lossy(&out.stderr);
        text.lines()
            .find_map(|l| l.split("Collected : ").nth(1))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(f64::NAN)
    };
    for (call, name) in [
        ("list", "connection().list()"),
        ("log", "connection_log().list(1)"),
    ] {
        let per_call = |which: &str| (count(which, call, 1500) - count(which, call, 500)) / 1000.0;
        let (o, b) = (per_call("ours"), per_call("baseline"));
        row(
            "requests",
            &format!(
                "client CPU per call of {name}, {IN_FLIGHT} in flight (callgrind instructions)"
            ),
            &format!("{:.1}k instructions", o / 1000.0),
            &format!(
                "{:.1}k instructions (reqwest + serde_json, with the same 120 s timeout, no gzip)",
                b / 1000.0
            ),
            &format!("{:.2}", b / o),
            &format!(">= 0.95: {}", verdict(b / o >= 0.95)),
        );
    }
    drop(server.stdin.take());
    let _ = server.wait();
}

async fn discovery() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/real-dsm/dsm7_api_info.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        row(
            "discovery",
            "real DSM 7 API.Info (1,076 APIs)",
            "skipped: ../shared absent",
            "-",
            "-",
            "",
        );
        return;
    };
    let answer: serde_json::Value = serde_json::from_str(&text).expect("fixture is JSON");
    let dsm = MockDsm::start_with(MockConfig::dsm7().without_request_log())
        .await
        .expect("mock");
    dsm.set_answer("SYNO.API.Info", "query", answer["data"].clone());
    let url = format!(
        "{}/webapi/query.cgi?api=SYNO.API.Info&version=1&method=query&query=all",
        dsm.url()
    );
    let (mut o, mut b) = (Vec::new(), Vec::new());
    for _ in 0..30 {
        // Both start cold: a new client, a new connection. Building either client (loading
        // the TLS roots) is not discovery and is not timed.
        let http = floor_http();
        let client = Client::builder(dsm.url()).build().expect("client");
        let t = Instant::now();
        assert!(
            client
                .has_api("SYNO.SynologyDrive.Connection")
                .await
                .expect("discovery")
        );
        o.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let body = http
            .get(&url)
            .send()
            .await
            .expect("get")
            .bytes()
            .await
            .expect("body");
        let parsed: Envelope<std::collections::HashMap<String, serde_json::Value>> =
            serde_json::from_slice(&body).expect("parse");
        assert!(parsed.data.is_some_and(|d| d.len() > 1000));
        b.push(t.elapsed().as_secs_f64());
    }
    let (o, b) = (median(o), median(b));
    row(
        "discovery",
        "real DSM 7 API.Info (1,076 APIs): fetch, parse, cache",
        &format!("{:.2} ms", o * 1e3),
        &format!(
            "{:.2} ms (new reqwest client: fetch + parse to a map of JSON values)",
            b * 1e3
        ),
        &format!("{:.2}", b / o),
        "",
    );
    // Choosing a version is pure computation: an API this NAS lacks fails before sending.
    let client = Client::builder(dsm.url()).build().expect("client");
    client.has_api("SYNO.API.Auth").await.expect("discovery");
    let t = Instant::now();
    let n = 10_000;
    for _ in 0..n {
        let err = client
            .cloud_sync()
            .connection()
            .list()
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, synology_client::Error::Unsupported { .. }));
    }
    let per = t.elapsed().as_secs_f64() / n as f64;
    row(
        "discovery",
        "version choice + Unsupported (with suggestions), per call",
        &format!("{:.1} µs", per * 1e6),
        "-",
        "-",
        "",
    );
}
