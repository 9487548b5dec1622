//! The public API's promises that only the compiler can check (ARCHITECTURE.md, "Decisions that refine DESIGN.md"): `Client` is
//! `Clone + Debug + Send + Sync`; the futures of `send()` and the streams of `stream()` are
//! `Send + 'static`, so they can be spawned.

// The promises are checked on the default families' builders.
#![cfg(all(feature = "cloud-sync", feature = "synology-drive"))]

use futures_core::Stream;
use synology_client::{Client, DeviceToken, Error, Login};

fn clone_debug_send_sync<T: Clone + std::fmt::Debug + Send + Sync + 'static>() {}
fn send_static<T: Send + 'static>(_: &T) {}
fn send<T: Send>(_: &T) {}
fn stream_send_static<T: Stream + Send + 'static>(_: &T) {}
fn error_is_std_error<T: std::error::Error + Send + Sync + 'static>() {}

#[test]
fn client_futures_and_streams_can_cross_threads() {
    clone_debug_send_sync::<Client>();
    clone_debug_send_sync::<Login>();
    clone_debug_send_sync::<DeviceToken>();
    error_is_std_error::<Error>();

    let client = Client::builder("https://nas.example.com:5001")
        .build()
        .expect("valid URL");
    send_static(&client.cloud_sync().connection().list().send());
    send_static(&client.cloud_sync().connection().pause(1).send());
    send_static(
        &client
            .synology_drive()
            .user_profile()
            .get("john.doe")
            .send(),
    );
    send(&client.login("user", "password"));
    stream_send_static(&client.cloud_sync().connection_log().list(1).stream());
}

#[test]
fn debug_output_shows_no_secret() {
    let login = Login::new("admin", "hunter2")
        .otp_code("123456")
        .device_token(DeviceToken::new("tok-abc"));
    let client = Client::builder("https://nas.example.com:5001")
        .build()
        .expect("valid URL");
    let text = format!(
        "{login:?} {client:?} {:?}",
        client.cloud_sync().connection_log().list(1).limit(5)
    );
    for secret in ["hunter2", "123456", "tok-abc"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(text.contains("admin") && text.contains("limit"), "{text}");
}
