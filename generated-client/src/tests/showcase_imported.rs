//! Imported methods (the light form: `Call<T>`) end to end through the mock, from the
//! showcase snapshot's imported fixture (`spec/imported/showcase_extra.yaml`): parameters by
//! name, the verb, the version set, typed and raw-JSON answers, the API's request format, and
//! secrets kept out of `Debug`.

use serde_json::json;

use crate::mock::{MockConfig, MockDsm};
use crate::{Client, Error};

/// A mock publishing `api` in versions `min..=max`, logged in, its log cleared.
async fn nas(api: &str, min: u32, max: u32) -> (MockDsm, Client) {
    let config = MockConfig::dsm7().api(api, "entry.cgi", min, max);
    let dsm = MockDsm::start_with(config).await.unwrap();
    let client = dsm.client().unwrap();
    client.login("demo", "synology-demo").await.unwrap();
    dsm.clear_requests();
    (dsm, client)
}

#[tokio::test]
async fn an_imported_method_sends_its_parameters_by_name_and_answers_raw_json() {
    let (dsm, client) = nas("SYNO.ShowcaseExtra.Info", 1, 3).await;
    let call = client
        .showcase_extra()
        .info()
        .list()
        .param("limit", 10)
        .param("names", ["a", "b"])
        .param("passwd", "hunter2")
        .param("not_in_the_spec", true);
    let shown = format!("{call:?}");
    assert!(shown.starts_with("Call {"), "{shown}");
    assert!(
        !shown.contains("hunter2"),
        "a secret parameter is redacted: {shown}"
    );
    let data: serde_json::Value = call.send().await.unwrap();
    assert_eq!(data, json!({}), "the mock's empty success");
    let sent = dsm.requests().pop().unwrap();
    assert_eq!(sent.verb, "GET", "the method's verb");
    assert_eq!(sent.params["api"], "SYNO.ShowcaseExtra.Info");
    assert_eq!(sent.params["method"], "list");
    assert_eq!(sent.params["version"], "3");
    assert_eq!(sent.params["limit"], "10");
    assert_eq!(sent.params["names"], r#"["a","b"]"#, "a list as JSON text");
    assert_eq!(
        sent.params["passwd"], "***",
        "the mock masks what the spec marks secret"
    );
    assert_eq!(sent.params["not_in_the_spec"], "true");

    // A configured answer comes back as it is; `send_json` is the same for raw methods.
    dsm.set_answer("SYNO.ShowcaseExtra.Info", "login", json!({"k": [1, "x"]}));
    let data = client
        .showcase_extra()
        .info()
        .login()
        .send_json()
        .await
        .unwrap();
    assert_eq!(data, json!({"k": [1, "x"]}));
    let data = client
        .showcase_extra()
        .info()
        .login_2()
        .send()
        .await
        .unwrap();
    assert_eq!(data, json!({}), "`Login` is its own method");
    assert_eq!(dsm.requests().pop().unwrap().params["method"], "Login");
}

#[tokio::test]
async fn an_imported_method_decodes_its_typed_answer_at_a_version_of_its_set() {
    let (dsm, client) = nas("SYNO.ShowcaseExtra.Info", 1, 2).await;
    dsm.set_answer(
        "SYNO.ShowcaseExtra.Info",
        "get",
        json!({"model": "DS920+", "uptime": "86400", "load": 0.5}),
    );
    let info = client.showcase_extra().info().get().send().await.unwrap();
    assert_eq!(info.model.as_deref(), Some("DS920+"));
    assert_eq!(
        info.uptime,
        Some(86400),
        "lenient integers, as for every type"
    );
    assert_eq!(info.load, Some(0.5));
    let sent = dsm.requests().pop().unwrap();
    assert_eq!(
        sent.verb, "POST",
        "imported methods are POST unless they say GET"
    );
    assert_eq!(
        sent.params["version"], "1",
        "versions 1 and 3: the NAS lacks 3"
    );

    // An explicit version is sent as asked; the mock, like DSM, has no such method there.
    let err = client
        .showcase_extra()
        .info()
        .get()
        .version(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(103), "{err}");

    // A NAS offering only version 2 has none of the method's versions: nothing is sent.
    let (dsm, client) = nas("SYNO.ShowcaseExtra.Info", 2, 2).await;
    let err = client
        .showcase_extra()
        .info()
        .get()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::VersionNotOffered { offered, .. } if offered == &[1, 3]),
        "{err:?}"
    );
    assert!(dsm.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn imported_methods_join_a_hand_written_api_and_follow_its_request_format() {
    let (dsm, client) = nas("SYNO.Showcase", 1, 3).await;
    // `get_status` is added to the hand-written SYNO.Showcase by the imported file.
    let status = client.showcase().get_status().send().await.unwrap();
    assert_eq!(
        status.model, None,
        "an empty success decodes: every field is optional"
    );
    assert_eq!(dsm.requests().pop().unwrap().params["method"], "get_status");
    client.showcase().get_stats_2().send().await.unwrap();
    assert_eq!(dsm.requests().pop().unwrap().params["method"], "GetStats");

    // SYNO.Std.Gadget (family `dsm_std`) is a JSON-format API: text goes JSON-quoted.
    let (dsm, client) = nas("SYNO.Std.Gadget", 1, 1).await;
    let data = client
        .dsm_std()
        .gadget()
        .set()
        .param("name", "lamp")
        .param("on", true)
        .send()
        .await
        .unwrap();
    assert_eq!(data, json!({}));
    let sent = dsm.requests().pop().unwrap();
    assert_eq!(sent.params["name"], "\"lamp\"");
    assert_eq!(sent.params["on"], "true");

    // The client's own parameters stay the client's.
    let err = client
        .dsm_std()
        .gadget()
        .set()
        .param("version", 9)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { .. }), "{err:?}");
}
