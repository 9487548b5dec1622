//! Running the built `synology` binary, as `cli.rs` and `cli_safety.rs` do.

use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_synology");

/// Runs the binary with no terminal, no inherited password, and `env` added.
pub async fn synology(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    super::without_user_config(&mut cmd)
        .args(args)
        .env_remove("SYNOLOGY_PASSWORD")
        .env_remove("SYNOLOGY_ALLOW_INSECURE_HTTP")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    tokio::task::spawn_blocking(move || cmd.output().expect("the binary runs"))
        .await
        .unwrap()
}

pub fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}; stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}
