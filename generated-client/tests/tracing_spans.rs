//! One `dsm_call` span per call, carrying api, method, version, verb, HTTP status and
//! elapsed time, on success and on failure.

#![cfg(all(feature = "mock", feature = "cloud-sync"))]

mod common;

use common::Capture;
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockDsm};
use tracing_subscriber::fmt::format::FmtSpan;

#[tokio::test]
async fn each_call_has_a_span_with_its_outcome() {
    let capture = Capture::default();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer({
            let capture = capture.clone();
            move || capture.clone()
        })
        .init();

    let dsm = MockDsm::start().await.unwrap();
    let client = dsm.client().unwrap();
    client.login(DEMO_USER, DEMO_PASSWORD).await.unwrap();
    client
        .cloud_sync()
        .connection()
        .pause(4)
        .send()
        .await
        .unwrap();
    dsm.fail_with_http("SYNO.CloudSync.Connection", "List", 503, "busy");
    client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap_err();

    let log = capture.text();
    let closes: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("dsm_call") && l.contains("close"))
        .collect();
    assert_eq!(closes.len(), 4, "info, login, pause, list:\n{log}");
    let pause = closes
        .iter()
        .find(|l| l.contains(r#"method="Pause""#))
        .expect("pause span");
    for field in [
        r#"api="SYNO.CloudSync.Connection""#,
        "version=1",
        r#"verb="POST""#,
        "status=200",
        "elapsed_ms=",
    ] {
        assert!(pause.contains(field), "{field} missing in {pause}");
    }
    let list = closes
        .iter()
        .find(|l| l.contains(r#"method="List""#))
        .expect("list span");
    assert!(
        list.contains("status=503") && list.contains("elapsed_ms="),
        "{list}"
    );
    assert!(
        log.contains("DSM call failed"),
        "failures are logged:\n{log}"
    );
}
