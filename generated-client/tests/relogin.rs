//! A DSM that starts refusing the session: a failed re-login is single-flight and backs off,
//! a refused one ends the session, cancelling the call that leads it strands nobody, and
//! `logout()` beats a re-login in flight. Over real HTTP against the mock DSM, counting the
//! login attempts it receives.

#![cfg(all(feature = "mock", feature = "cloud-sync"))]

mod common;

use std::time::{Duration, Instant};

use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};
use synology_client::{Client, Error, Settings};

const AUTH: &str = "SYNO.API.Auth";
const BACKOFF: Duration = Duration::from_millis(200);

/// A mock and a logged-in client whose re-login backoff is 200 ms, doubling up to 800 ms.
async fn fast_backoff() -> (MockDsm, Client) {
    let dsm = MockDsm::start_with(MockConfig::dsm7()).await.unwrap();
    let client = Client::builder(dsm.url())
        .relogin_backoff(BACKOFF, BACKOFF * 4)
        .build()
        .unwrap();
    client.login(DEMO_USER, DEMO_PASSWORD).await.unwrap();
    dsm.clear_requests();
    (dsm, client)
}

fn count(dsm: &MockDsm, method: &str) -> usize {
    dsm.requests()
        .iter()
        .filter(|r| r.params.get("method").map(String::as_str) == Some(method))
        .count()
}

async fn list(client: &Client) -> Result<u64, Error> {
    client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .map(|l| l.total)
}

/// `n` concurrent list calls, each in its own task.
async fn concurrent_lists(client: &Client, n: usize) -> Vec<Result<u64, Error>> {
    let calls = (0..n).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { list(&client).await })
    });
    futures_util::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect()
}

#[test]
fn the_defaults_are_visible() {
    let s = Settings::default();
    assert_eq!(s.relogin_backoff, Duration::from_secs(1));
    assert_eq!(s.relogin_backoff_max, Duration::from_secs(300));
    assert_eq!(s.timeout, Duration::from_secs(120));
    assert_eq!(s.connect_timeout, Duration::from_secs(15));
    assert_eq!(s.max_response_size, 32 * 1024 * 1024);
    assert!(!s.allow_insecure_http);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_relogin_under_32_calls_is_one_attempt_per_backoff_period() {
    let (dsm, client) = fast_backoff().await;
    dsm.expire_sessions();
    dsm.fail_with_http(AUTH, "login", 503, "<html>maintenance</html>");

    let results = concurrent_lists(&client, 32).await;
    for r in &results {
        match r {
            Err(Error::ReloginBackoff { cause, retry_in }) => {
                assert!(
                    matches!(**cause, Error::Http { status: 503, .. }),
                    "{cause:?}"
                );
                assert!(*retry_in <= BACKOFF, "{retry_in:?}");
            }
            other => panic!("every waiting call gets the failure: {other:?}"),
        }
    }
    assert_eq!(count(&dsm, "login"), 1, "one attempt for 32 calls");

    // During the backoff calls fail at once, sending nothing at all.
    dsm.clear_requests();
    let started = Instant::now();
    let results = concurrent_lists(&client, 32).await;
    assert!(started.elapsed() < BACKOFF, "fail fast");
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Err(Error::ReloginBackoff { .. })))
    );
    assert!(dsm.requests().is_empty(), "{:?}", dsm.requests());

    // After it, one new attempt, which fails again and doubles the wait.
    tokio::time::sleep(BACKOFF + Duration::from_millis(50)).await;
    let results = concurrent_lists(&client, 32).await;
    assert_eq!(count(&dsm, "login"), 1, "{:?}", dsm.requests());
    match &results[0] {
        Err(Error::ReloginBackoff { retry_in, .. }) => {
            assert!(
                *retry_in > BACKOFF && *retry_in <= BACKOFF * 2,
                "{retry_in:?}"
            )
        }
        other => panic!("{other:?}"),
    }

    // Once DSM is back, the first call after the backoff logs in and everything works.
    dsm.clear_fault(AUTH, "login");
    tokio::time::sleep(BACKOFF * 2 + Duration::from_millis(50)).await;
    dsm.clear_requests();
    for r in concurrent_lists(&client, 32).await {
        assert_eq!(r.expect("works again"), 1);
    }
    assert_eq!(count(&dsm, "login"), 1);
    assert!(client.is_logged_in());
}

#[tokio::test]
async fn no_auth_error_code_is_ever_retried() {
    let (dsm, client) = fast_backoff().await;
    // 400-411: wrong password, no such account, disabled, denied, 2FA needed or wrong or
    // enforced, password expired or must change, IP blocked, account locked, ...
    for code in 400..=411 {
        dsm.expire_sessions();
        dsm.fail_with_code(AUTH, "login", code);
        dsm.clear_requests();
        let err = list(&client).await.unwrap_err();
        let cause = match &err {
            Error::SessionEnded { cause: Some(cause) } => cause,
            other => panic!("code {code}: {other:?}"),
        };
        match &**cause {
            Error::Api { api, code: c, .. } => assert_eq!((&**api, *c), (AUTH, code)),
            // 403 and 406 ask for a 2-factor code.
            Error::OtpRequired { .. } => assert!(code == 403 || code == 406, "{code}"),
            other => panic!("code {code}: {other:?}"),
        }
        assert!(err.to_string().contains("log in again"), "{err}");
        assert!(!client.is_logged_in());

        // Long after any backoff (checked once: it is the same path for every code), every
        // call still says so, and nothing is sent.
        if code == 400 {
            tokio::time::sleep(BACKOFF * 5).await;
        }
        for _ in 0..3 {
            assert!(matches!(
                list(&client).await,
                Err(Error::SessionEnded { cause: Some(_) })
            ));
        }
        assert_eq!(count(&dsm, "login"), 1, "code {code}: never retried");
        assert_eq!(
            count(&dsm, "List"),
            1,
            "code {code}: the one call that lost the session"
        );

        // Until the user logs in again.
        dsm.clear_fault(AUTH, "login");
        client.login(DEMO_USER, DEMO_PASSWORD).await.unwrap();
        assert_eq!(list(&client).await.unwrap(), 1, "code {code}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_the_call_that_leads_a_relogin_leaves_nobody_waiting() {
    let (dsm, client) = fast_backoff().await;
    dsm.expire_sessions();
    dsm.delay(AUTH, "login", Duration::from_millis(400));
    let leader = {
        let client = client.clone();
        tokio::spawn(async move { list(&client).await })
    };
    // The leader has lost its session and is waiting for the slow login.
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(count(&dsm, "List"), 1);
    let followers = {
        let client = client.clone();
        tokio::spawn(async move { concurrent_lists(&client, 8).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    leader.abort();
    assert!(leader.await.unwrap_err().is_cancelled());
    let results = tokio::time::timeout(Duration::from_secs(5), followers)
        .await
        .expect("the followers are not stranded")
        .unwrap();
    for r in results {
        assert_eq!(r.expect("the shared re-login finished for them"), 1);
    }
    assert_eq!(count(&dsm, "login"), 1);
    assert!(client.is_logged_in());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_racing_a_relogin_wins() {
    let (dsm, client) = fast_backoff().await;
    dsm.expire_sessions();
    dsm.delay(AUTH, "login", Duration::from_millis(300));
    let waiting = {
        let client = client.clone();
        tokio::spawn(async move { list(&client).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    client.logout().await.unwrap();
    assert!(!client.is_logged_in());
    match waiting.await.unwrap() {
        Err(Error::SessionEnded { cause: None }) => {}
        other => panic!("the call waiting on the re-login learns of the logout: {other:?}"),
    }
    // The re-login finished after the logout: its session was not installed, and was closed.
    assert!(!client.is_logged_in());
    assert_eq!(count(&dsm, "login"), 1);
    assert_eq!(count(&dsm, "logout"), 1, "the orphan session is closed");
    dsm.clear_requests();
    let err = list(&client).await.unwrap_err();
    assert_eq!(err.code(), Some(119), "not logged in: {err:?}");
    assert_eq!(
        count(&dsm, "login"),
        0,
        "no call after logout() logs back in"
    );
}
