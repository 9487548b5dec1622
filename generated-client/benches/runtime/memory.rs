//! The memory rows of the runtime benchmarks: peak RSS of streaming against collecting, and
//! of a call answered by an endless body, each case in its own process.

use std::process::Command;
use std::time::Duration;

use futures_util::TryStreamExt;
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER};
use synology_client::{Client, Settings};

use super::{row, spawn_server, verdict};

/// Peak resident memory of this process, in MiB (Linux).
pub(super) fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// `stream URL TOTAL` / `collect URL TOTAL`: walks every log entry, prints `count peak_mib`.
pub(super) async fn memory_case(url: &str, streaming: bool, total: usize) {
    let client = Client::builder(url)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client");
    client.login(DEMO_USER, DEMO_PASSWORD).await.expect("login");
    let request = client.cloud_sync().connection_log().list(1).limit(1000);
    let count = if streaming {
        request
            .stream()
            .try_fold(0usize, |n, _| async move { Ok(n + 1) })
            .await
            .expect("stream")
    } else {
        let all: Vec<_> = request.stream().try_collect().await.expect("collect");
        all.len()
    };
    assert_eq!(count, total);
    println!("{count} {:.1}", peak_rss_mib());
}

fn run_case(mode: &str, url: &str, total: usize) -> f64 {
    peak_of(&[mode, url, &total.to_string()])
}

/// Runs this program with `args` in a process of its own; the peak MiB it prints second.
fn peak_of(args: &[&str]) -> f64 {
    let out = Command::new(std::env::current_exe().expect("own path"))
        .args(args)
        .output()
        .expect("case runs");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(f64::NAN)
}

/// `oversized endless` / `oversized small`: one `connection().list()` by a client with the
/// default limits, against a loopback server in this process that answers it with a body
/// that never ends (or, for the baseline, the documented small answer); prints
/// `kind peak_mib` once the call is over (failed, or succeeded for `small`).
pub(super) async fn oversized_case(kind: &str) {
    let endless = kind == "endless";
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let server = tokio::spawn(oversized_server(listener, endless));
    let client = Client::builder(&url).build().expect("client");
    assert_eq!(client.settings(), &Settings::default());
    let result = client.cloud_sync().connection().list().send().await;
    match (endless, result) {
        (
            true,
            Err(synology_client::Error::ResponseTooLarge {
                declared: None,
                limit,
                ..
            }),
        ) => assert_eq!(limit, Settings::DEFAULT_MAX_RESPONSE_SIZE),
        (false, Ok(list)) => assert_eq!(list.total, 1),
        (_, other) => panic!("{kind}: unexpected outcome {other:?}"),
    }
    server.abort();
    println!("{kind} {:.1}", peak_rss_mib());
}

/// Answers discovery, then `List` with a body that never ends (64 KiB writes as fast as the
/// client takes them, no length, `Connection: close`; stopped at 1 GiB) or the documented
/// answer. At most 8 connections.
async fn oversized_server(listener: tokio::net::TcpListener, endless: bool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const INFO: &str = r#"{"success":true,"data":{"SYNO.API.Info":{"path":"query.cgi","minVersion":1,"maxVersion":1},"SYNO.API.Auth":{"path":"entry.cgi","minVersion":1,"maxVersion":7},"SYNO.CloudSync.Connection":{"path":"entry.cgi","minVersion":1,"maxVersion":1}}}"#;
    const LIST: &str = r#"{"data":{"connections":[{"account":"user@gmail.com","cloud_type":"gdrive","conn_id":1,"display_name":"My Google Drive","status":"connected"}],"total":1},"success":true}"#;
    for _ in 0..8 {
        let Ok((mut stream, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(async move {
            let mut buf = Vec::new();
            loop {
                // One request head; the client sends only GETs here.
                let head_end = loop {
                    if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at + 4;
                    }
                    if buf.len() > 64 * 1024 {
                        return;
                    }
                    let mut chunk = [0u8; 4096];
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let info = String::from_utf8_lossy(&buf[..head_end]).contains("api=SYNO.API.Info");
                buf.drain(..head_end);
                if info || !endless {
                    let body = if info { INFO } else { LIST };
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if stream.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                    continue;
                }
                let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n{\"success\":true,\"data\":{\"total\":1,\"connections\":[";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let item = br#"{"conn_id":1,"cloud_type":"gdrive","status":"connected"},"#;
                let chunk: Vec<u8> = item.iter().copied().cycle().take(64 * 1024).collect();
                for _ in 0..(1 << 30) / chunk.len() {
                    if stream.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
                return;
            }
        });
    }
}

fn run_oversized(kind: &str) -> f64 {
    peak_of(&["oversized", kind])
}

pub(super) fn memory() {
    let (mut small, small_url) = spawn_server(100_000);
    let (mut large, large_url) = spawn_server(1_000_000);
    let stream_small = run_case("stream", &small_url, 100_000);
    let stream_large = run_case("stream", &large_url, 1_000_000);
    let collect_large = run_case("collect", &large_url, 1_000_000);
    for server in [&mut small, &mut large] {
        drop(server.stdin.take());
        let _ = server.wait();
    }
    let independent = stream_large <= stream_small * 1.25;
    row(
        "memory",
        "peak RSS, stream() over 100,000 entries (pages of 1,000)",
        &format!("{stream_small:.1} MiB"),
        "-",
        "-",
        "",
    );
    row(
        "memory",
        "peak RSS, stream() over 1,000,000 entries (pages of 1,000)",
        &format!("{stream_large:.1} MiB"),
        &format!("{collect_large:.1} MiB (collecting all 1,000,000)"),
        &format!("{:.2}", collect_large / stream_large),
        &format!("independent of the total: {}", verdict(independent)),
    );
    oversized_row();
}

/// The memory row of a call answered by an endless body, against one small call; alone with
/// `cargo bench --features mock --bench runtime -- oversized`.
pub(super) fn oversized_row() {
    let endless = run_oversized("endless");
    let one_call = run_oversized("small");
    let limit_mib = Settings::DEFAULT_MAX_RESPONSE_SIZE as f64 / (1024.0 * 1024.0);
    // The body is held once while read, so the peak grows by about the limit; 2.5 x leaves
    // room for the allocator and the reads in flight, and catches a second copy.
    let bounded = endless - one_call <= 2.5 * limit_mib;
    row(
        "memory",
        &format!(
            "peak RSS, one call answered by an endless body (default {limit_mib:.0} MiB limit)"
        ),
        &format!("{endless:.1} MiB"),
        &format!("{one_call:.1} MiB (one small call, same program)"),
        &format!("{:.2}", one_call / endless),
        &format!(
            "bounded by the limit (peak - baseline <= 2.5 x {limit_mib:.0} MiB): {}",
            verdict(bounded)
        ),
    );
}
