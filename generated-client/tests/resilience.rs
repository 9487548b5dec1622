//! Sessions that survive: re-login on 106/107/119 (single-flight, one retry, never a loop),
//! 2FA with device tokens, SynoToken handling, and paging across a re-login with DSM capping
//! the page size. All over real HTTP against the mock DSM.

#![cfg(all(feature = "mock", feature = "cloud-sync"))]

mod common;

use common::logged_in;
use futures_util::TryStreamExt;
use serde_json::json;
use synology_client::mock::{MockConfig, MockDsm, RecordedRequest};
use synology_client::{DeviceToken, Error, ErrorKind, Login};

const API: &str = "SYNO.CloudSync.Connection";

fn is_login(r: &RecordedRequest) -> bool {
    r.params.get("method").map(String::as_str) == Some("login")
}

fn methods(dsm: &MockDsm) -> Vec<String> {
    dsm.requests()
        .iter()
        .map(|r| r.params["method"].clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_calls_that_lose_the_session_cause_one_login() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    dsm.expire_sessions();
    let calls = (0..64).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.cloud_sync().connection().list().send().await })
    });
    for result in futures_util::future::join_all(calls).await {
        let list = result
            .expect("task")
            .expect("each call succeeds after the re-login");
        assert_eq!(list.total, 1);
    }
    let logins = dsm.requests().iter().filter(|r| is_login(r)).count();
    assert_eq!(logins, 1, "single-flight: {:?}", methods(&dsm));
}

#[tokio::test]
async fn each_session_code_triggers_one_relogin_and_one_retry() {
    for code in [106, 107, 119] {
        let (dsm, client) = logged_in(MockConfig::dsm7()).await;
        dsm.fail_with_code(API, "List", code);
        let err = client
            .cloud_sync()
            .connection()
            .list()
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            err.code(),
            Some(code),
            "the second failure is returned: {err:?}"
        );
        assert_eq!(
            methods(&dsm),
            ["List", "login", "List"],
            "code {code}: never a loop"
        );
    }
}

#[tokio::test]
async fn permission_denied_is_not_session_loss() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    dsm.fail_with_code(API, "List", 105);
    let err = client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Api {
                code: 105,
                kind: ErrorKind::PermissionDenied,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(methods(&dsm), ["List"]);
}

#[tokio::test]
async fn no_relogin_after_logout() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    client.logout().await.unwrap();
    let err = client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(119));
    assert_eq!(methods(&dsm), ["logout", "List"]);
}

#[tokio::test]
async fn a_relogin_that_fails_returns_its_error() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    dsm.expire_sessions();
    dsm.fail_with_code("SYNO.API.Auth", "login", 407);
    let err = client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap_err();
    let Error::SessionEnded { cause: Some(cause) } = err else {
        panic!("a refused re-login ends the session: {err:?}");
    };
    assert!(
        matches!(
            *cause,
            Error::Api {
                ref api,
                code: 407,
                kind: ErrorKind::IpBlocked,
                ..
            } if api == "SYNO.API.Auth"
        ),
        "{cause:?}"
    );
    assert_eq!(methods(&dsm), ["List", "login"]);
}

#[tokio::test]
async fn otp_required_then_wrong_code_then_device_token() {
    for (config, version) in [(MockConfig::dsm7(), "7"), (MockConfig::dsm6(), "6")] {
        let dsm = MockDsm::start_with(config.otp_user("ann", "pw", "123456"))
            .await
            .unwrap();
        let client = dsm.client().unwrap();

        let err = client.login("ann", "pw").await.unwrap_err();
        match &err {
            Error::OtpRequired { types } => assert_eq!(types, &["otp", "authenticator"]),
            other => panic!("expected OtpRequired, got {other:?}"),
        }
        let err = client
            .login_with(Login::new("ann", "pw").otp_code("000000"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Api {
                    code: 404,
                    kind: ErrorKind::OtpInvalid,
                    ..
                }
            ),
            "{err:?}"
        );

        let login = Login::new("ann", "pw")
            .otp_code("123456")
            .device_name("backup-bot");
        client.login_with(login).await.expect("OTP login");
        let token = client.device_token().expect("DSM issued a device token");
        let otp_login = dsm.requests().into_iter().rev().find(is_login).unwrap();
        assert_eq!(otp_login.params["version"], version);
        assert_eq!(otp_login.params["enable_device_token"], "yes");
        assert_eq!(otp_login.params["device_name"], "backup-bot");

        // A new process with the persisted token needs no code.
        let later = dsm.client().unwrap();
        later
            .login_with(Login::new("ann", "pw").device_token(DeviceToken::new(token.expose())))
            .await
            .expect("token login");

        // Re-login after session loss uses the token, never the spent OTP code.
        dsm.clear_requests();
        dsm.expire_sessions();
        client
            .cloud_sync()
            .connection()
            .list()
            .send()
            .await
            .expect("re-login with the device token");
        let relogin = dsm
            .requests()
            .into_iter()
            .find(is_login)
            .expect("a re-login");
        assert_eq!(relogin.params["device_id"], "***");
        assert!(!relogin.params.contains_key("otp_code"), "{relogin:?}");
    }
}

#[tokio::test]
async fn the_synotoken_goes_with_every_call_and_is_refreshed_on_relogin() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    // The mock rejects a token that does not belong to the session (119), so success after
    // a re-login proves the new token replaced the old one.
    client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap();
    dsm.expire_sessions();
    client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap();
    let calls: Vec<bool> = dsm
        .requests()
        .iter()
        .filter(|r| !is_login(r))
        .map(|r| r.syno_token)
        .collect();
    assert_eq!(calls, [true, true, true]);
    assert_eq!(methods(&dsm), ["List", "List", "login", "List"]);
}

#[tokio::test]
async fn the_synotoken_placeholder_is_ignored() {
    let (dsm, client) = logged_in(MockConfig::dsm7().synotoken_placeholder()).await;
    client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap();
    assert!(!dsm.requests()[0].syno_token, "no X-SYNO-TOKEN: --------");
}

#[tokio::test]
async fn stream_survives_a_relogin_and_capped_pages() {
    let (dsm, client) = logged_in(MockConfig::dsm7().page_cap(30)).await;
    let items: Vec<_> = (0..1000)
        .map(|i| json!({"time": i, "type": "info", "message": i.to_string()}))
        .collect();
    dsm.set_items("SYNO.CloudSync.Connection.Log", "List", items);
    dsm.expire_sessions_after(5);
    let all: Vec<_> = client
        .cloud_sync()
        .connection_log()
        .list(1)
        .limit(100)
        .stream()
        .try_collect()
        .await
        .expect("stream");
    let messages: Vec<String> = all.iter().map(|e| e.message.clone()).collect();
    let expected: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    assert_eq!(messages, expected, "each item exactly once, in order");
    let logins = dsm.requests().iter().filter(|r| is_login(r)).count();
    assert_eq!(logins, 1, "one re-login in the middle");
    let pages = dsm.requests().len() - logins;
    // Short pages do not end a stream with a total; each request in flight when the session
    // ended (at most the 4 prefetched) is retried once.
    let needed = 1000usize.div_ceil(30);
    assert!(
        (needed + 1..=needed + 4).contains(&pages),
        "{pages} page requests for {needed} pages"
    );
}

#[tokio::test]
async fn stream_without_items_ends_at_once() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    dsm.set_items("SYNO.CloudSync.Connection.Log", "List", Vec::new());
    let all: Vec<_> = client
        .cloud_sync()
        .connection_log()
        .list(1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(all.is_empty());
    assert_eq!(dsm.requests().len(), 1);
}
