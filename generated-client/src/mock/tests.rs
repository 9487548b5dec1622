//! The mock answers raw calls as DSM would: 102 for an API it does not model, wherever it is
//! sent; 103 for an unknown method of one it does; secrets masked in its request log whatever
//! sets them.

use serde_json::json;

use super::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};
use crate::{Client, Error};

async fn logged_in(config: MockConfig) -> (MockDsm, Client) {
    let dsm = MockDsm::start_with(config).await.unwrap();
    let client = dsm.client().unwrap();
    client.login(DEMO_USER, DEMO_PASSWORD).await.unwrap();
    dsm.clear_requests();
    (dsm, client)
}

fn dsm_code(result: Result<serde_json::Value, Error>) -> i64 {
    match result {
        Err(Error::Api { code, .. }) => code,
        other => panic!("expected a DSM error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_api_the_spec_does_not_model_is_dsm_code_102_at_any_path() {
    // Not published: sent with an explicit path, DSM says the API does not exist.
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let call = client
        .raw("SYNO.Example.Unmodelled", "info")
        .path("entry.cgi");
    assert_eq!(dsm_code(call.send_json().await), 102);
    let sent = dsm.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].path, "/webapi/entry.cgi");
    assert_eq!(sent[0].params["api"], "SYNO.Example.Unmodelled");

    // Published (as a replayed API.Info answer would), but not modelled: the same.
    let config = MockConfig::dsm7().api("SYNO.Example.Unmodelled", "entry.cgi", 1, 3);
    let (dsm, client) = logged_in(config).await;
    let call = client.raw("SYNO.Example.Unmodelled", "info");
    assert_eq!(dsm_code(call.send_json().await), 102);
    assert_eq!(dsm.requests()[0].params["version"], "3");

    // A modelled API at a path it is not published at: 102; an unknown method of it: 103.
    let call = client
        .raw("SYNO.CloudSync.Connection", "List")
        .path("other.cgi");
    assert_eq!(dsm_code(call.send_json().await), 102);
    let call = client.raw("SYNO.CloudSync.Connection", "Nope");
    assert_eq!(dsm_code(call.send_json().await), 103);
    let call = client.raw("SYNO.CloudSync.Connection", "List");
    assert_eq!(call.send_json().await.unwrap()["total"], 1);
}

#[tokio::test]
async fn well_known_secrets_set_through_a_raw_call_are_masked_in_any_case() {
    let (dsm, client) = logged_in(MockConfig::dsm7()).await;
    let secrets = [
        "password",
        "PassWord",
        "passphrase",
        "did",
        "device_token",
        "Device_ID",
        "SYNOTOKEN",
        "Passwd",
    ];
    let mut call = client
        .raw("SYNO.Core.Thing", "set")
        .path("entry.cgi")
        .param("name", "visible");
    for (i, name) in secrets.iter().enumerate() {
        // `param`, not `secret_param`: the mock's own list masks them.
        call = call.param(name, format!("hunter{i}"));
    }
    assert_eq!(dsm_code(call.send_json().await), 102);
    let sent = &dsm.requests()[0];
    for name in secrets {
        assert_eq!(sent.params[name], "***", "{name}: {sent:?}");
    }
    assert_eq!(sent.params["_sid"], "***");
    assert_eq!(sent.params["name"], "visible");
    assert!(!format!("{sent:?}").contains("hunter"), "{sent:?}");
}

#[tokio::test]
async fn api_info_lists_the_request_format_of_json_apis() {
    let config = MockConfig::dsm7()
        .api("SYNO.Core.Thing", "entry.cgi", 1, 2)
        .request_format("SYNO.Core.Thing", "JSON")
        .request_format("SYNO.CloudSync.Connection", "JSON")
        .request_format("SYNO.CloudSync.Connection", "");
    let (_dsm, client) = logged_in(config).await;
    let apis = client.published_apis().await.unwrap();
    let format = |name: &str| {
        apis.iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("{name} is published"))
            .request_format
            .clone()
    };
    // The spec's `request_format: json` APIs, and those configured.
    assert_eq!(format("SYNO.CloudSync").as_deref(), Some("JSON"));
    assert_eq!(format("SYNO.Core.Thing").as_deref(), Some("JSON"));
    assert_eq!(format("SYNO.CloudSync.Connection"), None);
    assert_eq!(format("SYNO.API.Auth"), None);

    // A replayed answer keeps its formats, and lists only what it lists.
    let answer = json!({"data": {
        "SYNO.API.Info": {"path": "query.cgi", "minVersion": 1, "maxVersion": 1},
        "SYNO.API.Auth": {"path": "entry.cgi", "minVersion": 1, "maxVersion": 7},
        "SYNO.Example.Unmodelled": {"path": "entry.cgi", "minVersion": 1, "maxVersion": 3, "requestFormat": "JSON"},
    }});
    let config = MockConfig::from_api_info(&answer.to_string()).unwrap();
    let (_dsm, client) = logged_in(config).await;
    let apis = client.published_apis().await.unwrap();
    let names: Vec<(&str, Option<&str>)> = apis
        .iter()
        .map(|a| (a.name.as_str(), a.request_format.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("SYNO.API.Auth", None),
            ("SYNO.API.Info", None),
            ("SYNO.Example.Unmodelled", Some("JSON")),
        ]
    );
}

/// Every method the spec declares answers a GET and a POST alike, with DSM's envelope and
/// never HTTP 405 (real DSM takes either verb; clients differ in which they send).
#[tokio::test]
async fn every_method_answers_get_and_post_alike() {
    let dsm = MockDsm::start().await.unwrap();
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{}/webapi/entry.cgi", dsm.url()))
        .form(&[
            ("api", "SYNO.API.Auth"),
            ("version", "7"),
            ("method", "login"),
            ("account", DEMO_USER),
            ("passwd", DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sid = login["data"]["sid"].as_str().unwrap().to_owned();
    let mut checked = 0;
    for meta in crate::generated::METHODS {
        // Logging in and out changes the sessions the other calls use.
        if meta.api.name == "SYNO.API.Auth" {
            continue;
        }
        let version = meta
            .versions
            .and_then(|v| v.last().copied())
            .unwrap_or(meta.api.max_version)
            .to_string();
        let params = [
            ("api", meta.api.name),
            ("version", version.as_str()),
            ("method", meta.name),
            ("_sid", sid.as_str()),
        ];
        let url = format!("{}/webapi/{}", dsm.url(), meta.api.path);
        let mut answers = Vec::new();
        for request in [http.get(&url).query(&params), http.post(&url).form(&params)] {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(status, 200, "{} {}: {body}", meta.api.name, meta.name);
            assert!(
                body["success"].is_boolean(),
                "{} {}: {body}",
                meta.api.name,
                meta.name
            );
            answers.push(body);
        }
        assert_eq!(answers[0], answers[1], "{} {}", meta.api.name, meta.name);
        checked += 1;
    }
    assert!(checked >= 20, "{checked} methods");
}
