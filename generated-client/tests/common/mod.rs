//! Helpers shared by the integration tests (each test crate uses some of them).
#![allow(dead_code)]

#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cloud-sync")]
pub mod hostile;

use std::io::Write;
use std::sync::{Arc, Mutex};

use synology_client::Client;
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};

/// A mock DSM with `config`, a client logged in as its demo user, and an empty request log.
pub async fn logged_in(config: MockConfig) -> (MockDsm, Client) {
    let dsm = MockDsm::start_with(config).await.expect("mock starts");
    let client = dsm.client().expect("client builds");
    client
        .login(DEMO_USER, DEMO_PASSWORD)
        .await
        .expect("demo login");
    dsm.clear_requests();
    (dsm, client)
}

/// A `tracing` writer that keeps everything written to it.
#[derive(Clone, Default)]
pub struct Capture(pub Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Keeps a spawned `synology` away from the user's own profiles: `SYNOLOGY_CONFIG` names a
/// file in a directory that is never created, and `SYNOLOGY_PROFILE` and `XDG_CONFIG_HOME`
/// are cleared, so no default profile, password command or device token of the machine
/// running the tests is ever used.
pub fn without_user_config(cmd: &mut std::process::Command) -> &mut std::process::Command {
    let none = std::env::temp_dir()
        .join(format!("synology-tests-no-config-{}", std::process::id()))
        .join("config.toml");
    cmd.env("SYNOLOGY_CONFIG", none)
        .env_remove("SYNOLOGY_PROFILE")
        .env_remove("XDG_CONFIG_HOME")
}
