//! The mock DSM checks what a real DSM checks, seen through raw HTTP (no client), so that
//! scripts in any language can rely on it: as leniently as real DSM by default, and with
//! today's extra wire checks under `MockConfig::strict()`.

#![cfg(feature = "mock")]

use serde_json::Value;
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};

async fn get(url: &str) -> (u16, Value) {
    let response = reqwest::get(url).await.expect("mock answers");
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

async fn sid(dsm: &MockDsm) -> String {
    let url = format!("{}/webapi/entry.cgi", dsm.url());
    let form = [
        ("api", "SYNO.API.Auth"),
        ("version", "7"),
        ("method", "login"),
        ("account", DEMO_USER),
        ("passwd", DEMO_PASSWORD),
        ("format", "sid"),
    ];
    let body: Value = reqwest::Client::new()
        .post(url)
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]["sid"].as_str().expect("sid").to_owned()
}

fn code(body: &Value) -> i64 {
    assert_eq!(body["success"], false, "{body}");
    body["error"]["code"].as_i64().expect("error code")
}

#[tokio::test]
async fn dsm_checks_in_order() {
    let dsm = MockDsm::start().await.unwrap();
    let sid = sid(&dsm).await;
    let base = format!("{}/webapi/entry.cgi", dsm.url());
    let cases = [
        (
            "no api",
            format!("{base}?version=1&method=List&_sid={sid}"),
            101,
        ),
        (
            "unknown api",
            format!("{base}?api=SYNO.Nope&version=1&method=List&_sid={sid}"),
            102,
        ),
        (
            "wrong path",
            format!(
                "{}/webapi/auth.cgi?api=SYNO.CloudSync.Connection&version=1&method=List&_sid={sid}",
                dsm.url()
            ),
            102,
        ),
        (
            "version",
            format!("{base}?api=SYNO.CloudSync.Connection&version=2&method=List&_sid={sid}"),
            104,
        ),
        (
            "method case",
            format!("{base}?api=SYNO.CloudSync.Connection&version=1&method=list&_sid={sid}"),
            103,
        ),
        (
            "session",
            format!("{base}?api=SYNO.CloudSync.Connection&version=1&method=List&_sid=forged"),
            119,
        ),
        (
            "required param",
            format!("{base}?api=SYNO.CloudSync.Connection&version=1&method=Get&_sid={sid}"),
            114,
        ),
    ];
    for (name, url, expected) in cases {
        let (status, body) = get(&url).await;
        assert_eq!(status, 200, "{name}");
        assert_eq!(code(&body), expected, "{name}: {body}");
    }
    let (_, ok) = get(&format!(
        "{base}?api=SYNO.CloudSync.Connection&version=1&method=Get&conn_id=1&_sid={sid}"
    ))
    .await;
    assert_eq!(ok["success"], true, "{ok}");
}

#[tokio::test]
async fn strict_enforces_the_declared_verb_but_info_answers_both() {
    let dsm = MockDsm::start_with(MockConfig::dsm7().strict())
        .await
        .unwrap();
    let sid = sid(&dsm).await;
    let pause_by_get = format!(
        "{}/webapi/entry.cgi?api=SYNO.CloudSync.Connection&version=1&method=Pause&conn_id=1&_sid={sid}",
        dsm.url()
    );
    assert_eq!(get(&pause_by_get).await.0, 405);

    let url = format!("{}/webapi/query.cgi", dsm.url());
    let form = [
        ("api", "SYNO.API.Info"),
        ("version", "1"),
        ("method", "query"),
        ("query", "all"),
    ];
    let body: Value = reqwest::Client::new()
        .post(url)
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["data"]["SYNO.CloudSync.Connection"]["path"], "entry.cgi",
        "{body}"
    );
    let (_, body) = get(&format!(
        "{}/webapi/query.cgi?api=SYNO.API.Info&version=1&method=query&query=SYNO.API.Auth",
        dsm.url()
    ))
    .await;
    let listed: Vec<&String> = body["data"].as_object().unwrap().keys().collect();
    assert_eq!(listed, ["SYNO.API.Auth"], "a query names what it lists");
}

#[tokio::test]
async fn expired_sessions_get_119_and_the_log_masks_secrets() {
    let dsm = MockDsm::start().await.unwrap();
    let sid = sid(&dsm).await;
    dsm.expire_sessions();
    let (_, body) = get(&format!(
        "{}/webapi/entry.cgi?api=SYNO.CloudSync.Connection&version=1&method=List&_sid={sid}",
        dsm.url()
    ))
    .await;
    assert_eq!(code(&body), 119);
    let log = format!("{:?}", dsm.requests());
    assert!(!log.contains(DEMO_PASSWORD) && !log.contains(&sid), "{log}");
}

#[tokio::test]
async fn paged_item_sets_honour_offset_and_limit() {
    let dsm = MockDsm::start().await.unwrap();
    let sid = sid(&dsm).await;
    let items: Vec<Value> = (0..5)
        .map(|i| serde_json::json!({"time": i, "type": "info", "message": i.to_string()}))
        .collect();
    dsm.set_items("SYNO.CloudSync.Connection.Log", "List", items);
    let url = format!(
        "{}/webapi/entry.cgi?api=SYNO.CloudSync.Connection.Log&version=1&method=List&conn_id=1&offset=3&limit=10&_sid={sid}",
        dsm.url()
    );
    let (_, body) = get(&url).await;
    assert_eq!(body["data"]["total"], 5);
    let messages: Vec<&str> = body["data"]["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["3", "4"]);
}

/// One raw request: its status, `Content-Type` and body as JSON (`Null` when not JSON).
async fn send(request: reqwest::RequestBuilder) -> (u16, String, Value) {
    let response = request.send().await.expect("mock answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.bytes().await.unwrap();
    (
        status,
        content_type,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn by_default_the_verb_is_free_and_every_answer_is_a_json_envelope() {
    let dsm = MockDsm::start().await.unwrap();
    let sid = sid(&dsm).await;
    let url = format!("{}/webapi/entry.cgi", dsm.url());
    let http = reqwest::Client::new();
    // N4S4's client pauses Cloud Sync with a GET; the spec declares POST.
    let pause = [
        ("api", "SYNO.CloudSync.Connection"),
        ("version", "1"),
        ("method", "Pause"),
        ("conn_id", "1"),
        ("_sid", sid.as_str()),
    ];
    let (status, content_type, body) = send(http.get(&url).query(&pause)).await;
    assert_eq!(
        (status, body["success"].clone()),
        (200, Value::Bool(true)),
        "{body}"
    );
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let (_, _, posted) = send(http.post(&url).form(&pause)).await;
    assert_eq!(posted, body, "GET and POST answer alike");
    // Any other verb gets DSM's envelope too, never HTTP 405.
    let (status, _, body) = send(http.put(&url).query(&pause)).await;
    assert_eq!(status, 200);
    assert_eq!(code(&body), 101);

    let strict = MockDsm::start_with(MockConfig::dsm7().strict())
        .await
        .unwrap();
    let url = format!("{}/webapi/entry.cgi", strict.url());
    let (status, content_type, _) = send(http.put(&url).query(&pause)).await;
    assert_eq!(status, 405);
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let info = [
        ("api", "SYNO.API.Info"),
        ("version", "1"),
        ("method", "query"),
        ("query", "all"),
    ];
    let (_, content_type, _) = send(http.get(&url).query(&info)).await;
    assert!(
        content_type.starts_with("text/plain"),
        "strict: {content_type}"
    );
}

#[tokio::test]
async fn info_without_query_lists_every_api() {
    for (config, strict) in [
        (MockConfig::dsm7(), false),
        (MockConfig::dsm7().strict(), true),
    ] {
        let dsm = MockDsm::start_with(config).await.unwrap();
        let base = format!(
            "{}/webapi/query.cgi?api=SYNO.API.Info&version=1&method=query",
            dsm.url()
        );
        let (_, all) = get(&format!("{base}&query=all")).await;
        let (_, bare) = get(&base).await;
        if strict {
            assert_eq!(code(&bare), 114, "strict: `query` is required");
        } else {
            assert_eq!(bare, all, "without `query`, as `query=all`");
            assert!(all["data"].as_object().unwrap().len() > 3, "{all}");
        }
    }
}

#[tokio::test]
async fn logout_without_a_session_succeeds() {
    for (config, expected) in [
        (MockConfig::dsm7(), None),
        (MockConfig::dsm7().strict(), Some(119)),
    ] {
        let dsm = MockDsm::start_with(config).await.unwrap();
        let logout = [
            ("api", "SYNO.API.Auth"),
            ("version", "7"),
            ("method", "logout"),
        ];
        let request = reqwest::Client::new()
            .post(format!("{}/webapi/entry.cgi", dsm.url()))
            .form(&logout);
        let (_, _, body) = send(request).await;
        match expected {
            None => assert_eq!(body["success"], true, "{body}"),
            Some(c) => assert_eq!(code(&body), c),
        }
    }
}

#[tokio::test]
async fn every_persona_takes_a_login_at_auth_cgi() {
    for config in [
        MockConfig::dsm7(),
        MockConfig::dsm6(),
        MockConfig::dsm7().strict(),
    ] {
        let dsm = MockDsm::start_with(config).await.unwrap();
        let http = reqwest::Client::new();
        let login = [
            ("api", "SYNO.API.Auth"),
            ("version", "6"),
            ("method", "login"),
            ("account", DEMO_USER),
            ("passwd", DEMO_PASSWORD),
        ];
        let (_, _, body) = send(
            http.post(format!("{}/webapi/auth.cgi", dsm.url()))
                .form(&login),
        )
        .await;
        assert!(body["data"]["sid"].is_string(), "{body}");
        // Only Auth: another API at auth.cgi is still not there.
        let (_, _, other) = send(http.post(format!("{}/webapi/auth.cgi", dsm.url())).form(&[
            ("api", "SYNO.CloudSync"),
            ("version", "1"),
            ("method", "list_conn"),
        ]))
        .await;
        assert_eq!(code(&other), 102);
    }
}
