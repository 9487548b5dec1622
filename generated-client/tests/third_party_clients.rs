//! Other DSM clients against the mock DSM: N4S4's `synology-api` and Home Assistant's
//! `py-synologydsm-api`, both written against real boxes, log in (N4S4 with DSM's encrypted
//! form over plain HTTP) and read what they read at start-up.
//!
//! They run when `SYNOLOGY_PY` names a Python with both installed: `.ci/run` makes one
//! (pinned versions, from PyPI) and sets `SYNOLOGY_PY_REQUIRED=1`, so CI never skips them; a
//! clone without it prints that they skipped.

#![cfg(feature = "mock")]

use std::process::Command;

use synology_client::mock::{MockConfig, MockDsm};

/// N4S4's client: log in (encrypted over plain HTTP), list Cloud Sync connections, read a
/// connection's log.
const N4S4: &str = r#"
import sys
from synology_api import cloud_sync
port, version = sys.argv[1], int(sys.argv[2])
cs = cloud_sync.CloudSync('127.0.0.1', port, 'demo', 'synology-demo', secure=False,
                          cert_verify=False, dsm_version=version, debug=False)
conns = cs.get_connections()
assert conns['success'], conns
print('connections', len(conns['data']['conn']))
logs = cs.get_connection_logs(conn_id=1)
assert logs['success'], logs
print('logs', logs['data']['total'])
"#;

/// Home Assistant's client: log in, then what the integration reads at start-up.
const HOME_ASSISTANT: &str = r#"
import asyncio, sys
import aiohttp
from synology_dsm import SynologyDSM

async def main(port):
    async with aiohttp.ClientSession() as session:
        dsm = SynologyDSM(session, '127.0.0.1', int(port), 'demo', 'synology-demo', use_https=False)
        assert await dsm.login()
        await dsm.information.update()
        print('model', dsm.information.model)
        print('version', dsm.information.version_string)
        await dsm.utilisation.update()
        print('cpu', dsm.utilisation.cpu_total_load)
        await dsm.storage.update()
        print('volumes', ','.join(dsm.storage.volumes_ids))
        assert await dsm.logout()

asyncio.run(main(sys.argv[1]))
"#;

/// The Python to run them with, or `None` (and a line saying so) when there is none.
fn python() -> Option<String> {
    match std::env::var("SYNOLOGY_PY") {
        Ok(py) if !py.is_empty() => Some(py),
        _ if std::env::var("SYNOLOGY_PY_REQUIRED").is_ok_and(|v| v == "1") => {
            panic!("SYNOLOGY_PY_REQUIRED=1 but SYNOLOGY_PY names no Python")
        }
        _ => {
            eprintln!(
                "skipped: SYNOLOGY_PY names no Python with synology-api and py-synologydsm-api"
            );
            None
        }
    }
}

/// Runs `script` with the mock's port and `args`; its stdout, or a panic with its stderr.
async fn run(py: &str, script: &'static str, dsm: &MockDsm, args: &[&str]) -> String {
    let port = dsm.url().rsplit(':').next().unwrap().to_owned();
    let mut command = Command::new(py);
    command.arg("-c").arg(script).arg(port).args(args);
    let out = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n4s4_logs_in_encrypted_and_reads_cloud_sync() {
    let Some(py) = python() else { return };
    for (config, version) in [(MockConfig::dsm7(), "7"), (MockConfig::dsm6(), "6")] {
        let dsm = MockDsm::start_with(config).await.unwrap();
        let out = run(&py, N4S4, &dsm, &[version]).await;
        assert!(
            out.contains("connections 1") && out.contains("logs 1"),
            "{out}"
        );
        let requests = dsm.requests();
        let login = requests
            .iter()
            .find(|r| r.params.get("method").map(String::as_str) == Some("login"))
            .expect("a login");
        assert_eq!(
            login.path, "/webapi/auth.cgi",
            "N4S4 posts its login to auth.cgi"
        );
        assert_eq!(
            login.params.get("__cIpHeRtExT").map(String::as_str),
            Some("***"),
            "DSM {version}: the encrypted form, masked in the log"
        );
        assert!(
            !login.params.contains_key("passwd"),
            "no clear password: {login:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_assistant_reads_each_personas_start_up_data() {
    let Some(py) = python() else { return };
    for (config, model, version) in [
        (MockConfig::dsm7(), "DS920+", "DSM 7.2.2-72806 Update 3"),
        (MockConfig::dsm6(), "DS918+", "DSM 6.2.4-25556 Update 6"),
        // DSM 5: its storage comes from the storage handler outside /webapi/.
        (MockConfig::dsm5(), "DS213j", "DSM 5.2-5967 Update 9"),
    ] {
        let dsm = MockDsm::start_with(config).await.unwrap();
        let out = run(&py, HOME_ASSISTANT, &dsm, &[]).await;
        assert!(out.contains(&format!("model {model}")), "{out}");
        assert!(out.contains(&format!("version {version}")), "{out}");
        assert!(out.contains("volumes volume_1"), "{out}");
    }
}
