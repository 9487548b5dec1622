//! The mock DSM checks what a real DSM checks, seen through raw HTTP (no client), so that
//! scripts in any language can rely on it.

#![cfg(feature = "mock")]

use serde_json::Value;
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockDsm};

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
async fn the_declared_verb_is_enforced_but_info_answers_both() {
    let dsm = MockDsm::start().await.unwrap();
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
