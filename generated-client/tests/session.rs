//! Login, logout and discovery against the mock DSM, over real HTTP.

#![cfg(all(feature = "mock", feature = "cloud-sync"))]

use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};
use synology_client::{Error, ErrorKind};

#[tokio::test]
async fn login_and_logout_are_posts_with_no_secret_in_the_url() {
    let dsm = MockDsm::start().await.unwrap();
    let client = dsm.client().unwrap();
    client.login(DEMO_USER, DEMO_PASSWORD).await.expect("login");
    assert!(client.is_logged_in());
    client.logout().await.expect("logout");
    assert!(!client.is_logged_in());

    let requests = dsm.requests();
    let info = &requests[0];
    assert_eq!(
        (info.verb.as_str(), info.path.as_str()),
        ("GET", "/webapi/query.cgi")
    );
    assert_eq!(info.params["api"], "SYNO.API.Info");
    assert_eq!(info.params["query"], "all");

    let login = &requests[1];
    assert_eq!(
        (login.verb.as_str(), login.path.as_str()),
        ("POST", "/webapi/entry.cgi")
    );
    assert_eq!(login.params["method"], "login");
    assert_eq!(login.params["version"], "7");
    assert_eq!(login.params["account"], DEMO_USER);
    assert_eq!(login.params["passwd"], "***");
    assert_eq!(login.params["format"], "sid");
    assert_eq!(login.params["enable_syno_token"], "yes");
    assert!(!login.params.contains_key("_sid"));

    let logout = &requests[2];
    assert_eq!(logout.verb, "POST");
    assert_eq!(logout.params["method"], "logout");
    assert_eq!(
        logout.params["_sid"], "***",
        "logout must send the session id"
    );
    assert!(logout.syno_token, "calls carry the SynoToken header");
    assert_eq!(requests.len(), 3, "discovery is cached");
}

#[tokio::test]
async fn bad_password_is_a_typed_error() {
    let dsm = MockDsm::start().await.unwrap();
    let client = dsm.client().unwrap();
    let err = client.login(DEMO_USER, "wrong").await.unwrap_err();
    match &err {
        Error::Api {
            api,
            method,
            code,
            kind,
            ..
        } => {
            assert_eq!(
                (&**api, &**method, *code, *kind),
                ("SYNO.API.Auth", "login", 400, ErrorKind::InvalidCredentials)
            );
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("400") && text.contains("incorrect password"),
        "{text}"
    );
    assert!(!text.contains("wrong"), "the password never shows: {text}");
    assert!(!client.is_logged_in());
}

#[tokio::test]
async fn calls_without_a_session_get_119() {
    let dsm = MockDsm::start().await.unwrap();
    let client = dsm.client().unwrap();
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
                code: 119,
                kind: ErrorKind::InvalidSession,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn dsm6_auth_is_found_at_auth_cgi_up_to_v6() {
    let dsm = MockDsm::start_with(MockConfig::dsm6()).await.unwrap();
    let client = dsm.client().unwrap();
    client.login(DEMO_USER, DEMO_PASSWORD).await.expect("login");
    let login = dsm
        .requests()
        .into_iter()
        .find(|r| r.params.get("method").map(String::as_str) == Some("login"))
        .unwrap();
    assert_eq!(
        (login.path.as_str(), login.params["version"].as_str()),
        ("/webapi/auth.cgi", "6")
    );
    client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .expect("entry.cgi APIs still work");
}

#[tokio::test]
async fn an_api_the_nas_lacks_is_unsupported_before_sending() {
    let config = MockConfig::dsm7().without_api("SYNO.CloudSync.Connection");
    let dsm = MockDsm::start_with(config).await.unwrap();
    let client = dsm.client().unwrap();
    client.login(DEMO_USER, DEMO_PASSWORD).await.unwrap();
    dsm.clear_requests();
    let err = client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::Unsupported {
            api,
            needed_version,
            available,
            suggestions,
        } => {
            assert_eq!(*api, "SYNO.CloudSync.Connection");
            assert_eq!(*needed_version, 1);
            assert_eq!(*available, None);
            assert!(
                suggestions
                    .iter()
                    .any(|s| s == "SYNO.CloudSync.Connection.Log"),
                "{suggestions:?}"
            );
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    assert!(
        dsm.requests().is_empty(),
        "nothing is sent: {:?}",
        dsm.requests()
    );
}

#[tokio::test]
async fn a_method_above_the_nas_version_is_unsupported_before_sending() {
    // `login` exists from Auth version 3; this NAS stops at 2.
    let config = MockConfig::dsm7().api("SYNO.API.Auth", "auth.cgi", 1, 2);
    let dsm = MockDsm::start_with(config).await.unwrap();
    let client = dsm.client().unwrap();
    let err = client.login(DEMO_USER, DEMO_PASSWORD).await.unwrap_err();
    match &err {
        Error::Unsupported {
            api,
            needed_version,
            available,
            ..
        } => {
            assert_eq!(
                (&**api, *needed_version, *available),
                ("SYNO.API.Auth", 3, Some((1, 2)))
            );
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    let methods: Vec<String> = dsm
        .requests()
        .iter()
        .map(|r| r.params["method"].clone())
        .collect();
    assert_eq!(methods, ["query"], "only discovery was sent");
    assert!(err.to_string().contains("version 3+"), "{err}");
}
