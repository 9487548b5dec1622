//! No secret (password, OTP code, session id, device token, SynoToken) in any `Debug` or
//! `Display` output, any error, or anything logged at TRACE level, by us or by the HTTP
//! stack underneath (its `log` records are captured too), during login with 2FA, calls, a
//! re-login and logout.

#![cfg(all(feature = "mock", feature = "cloud-sync"))]

mod common;

use common::Capture;
use synology_client::mock::{MockConfig, MockDsm};
use synology_client::{Client, Error, Login};

const PASSWORD: &str = "pw-Zq8!secret";
const OTP: &str = "918273";

/// Everything that could carry a secret, as text.
async fn exercise(dsm: &MockDsm) -> Vec<String> {
    let mut seen = Vec::new();
    let client = dsm.client().unwrap();

    // Error::OtpRequired, then Error::Api (wrong code).
    for login in [
        Login::new("ann", PASSWORD),
        Login::new("ann", PASSWORD).otp_code("000000"),
    ] {
        seen.push(format!("{login:?}"));
        let err = client.login_with(login).await.unwrap_err();
        seen.push(format!("{err} {err:?}"));
    }
    let login = Login::new("ann", PASSWORD).otp_code(OTP).device_name("bot");
    seen.push(format!("{login:?}"));
    client.login_with(login).await.expect("OTP login");
    let token = client.device_token().expect("device token");
    seen.push(format!("{token:?} {client:?}"));

    let builder = client.cloud_sync().connection_log().list(1).limit(3);
    seen.push(format!("{builder:?}"));
    let list = client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap();
    seen.push(format!("{list:?}"));

    dsm.expire_sessions();
    client
        .cloud_sync()
        .connection()
        .get(1)
        .send()
        .await
        .expect("re-login with the device token");

    // Error::Decode of a response that holds a session id, Error::Http, Error::Api with detail.
    dsm.fail_with_http(
        "SYNO.API.Auth",
        "login",
        200,
        r#"{"success":true,"data":{"sid":["mock-sid-leak"]}}"#,
    );
    let err = dsm
        .client()
        .unwrap()
        .login("ann", PASSWORD)
        .await
        .unwrap_err();
    seen.push(format!("{err} {err:?}"));
    dsm.clear_fault("SYNO.API.Auth", "login");
    dsm.fail_with_http("SYNO.CloudSync.Connection", "List", 502, "bad gateway");
    let err = client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap_err();
    seen.push(format!("{err} {err:?}"));
    dsm.fail_with_code("SYNO.CloudSync.Connection", "List", 105);
    let err = client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap_err();
    seen.push(format!("{err} {err:?}"));

    // Error::Unsupported, Error::Transport, Error::Timeout, Error::Config.
    let err = Client::builder("https://nas.invalid:5001")
        .build()
        .unwrap()
        .login("ann", PASSWORD)
        .await
        .unwrap_err();
    seen.push(format!("{err} {err:?}"));
    let err = Client::builder("http://127.0.0.1:1")
        .build()
        .unwrap()
        .login("ann", PASSWORD)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    seen.push(format!("{err} {err:?}"));
    let err = Client::builder("ftp://ann:pw@nas").build().unwrap_err();
    seen.push(format!("{err} {err:?}"));

    client.logout().await.unwrap();
    seen.push(format!("{client:?}"));
    seen
}

#[tokio::test]
async fn no_secret_is_ever_shown_or_logged() {
    let capture = Capture::default();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer({
            let capture = capture.clone();
            move || capture.clone()
        })
        .init();

    let dsm = MockDsm::start_with(MockConfig::dsm7().otp_user("ann", PASSWORD, OTP))
        .await
        .unwrap();
    let mut seen = exercise(&dsm).await;
    let log = capture.text();
    assert!(
        log.contains("dsm_call"),
        "the capture works: {} bytes",
        log.len()
    );
    seen.push(log);
    seen.push(format!("{:?}", dsm.requests()));

    let secrets = [
        PASSWORD,
        OTP,
        "000000",
        "mock-sid-",
        "mock-synotoken-",
        "mock-device-token-",
    ];
    for text in &seen {
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{secret:?} leaked in:\n{}",
                excerpt(text, secret)
            );
        }
    }
}

fn excerpt(text: &str, secret: &str) -> String {
    let at = text.find(secret).unwrap_or(0);
    let start = text[..at]
        .char_indices()
        .rev()
        .nth(300)
        .map_or(0, |(i, _)| i);
    text[start..(at + 300).min(text.len())].to_owned()
}
