//! The mock as DSM 5, 6 and 7 (`MockConfig::dsm5()`, `dsm6()`, `dsm7()`): each persona
//! publishes the login and start-up APIs where the recorded boxes of
//! `../shared/fixtures/real-dsm/` do, and answers what clients read at start-up
//! (`SYNO.DSM.Info` `getinfo`, `SYNO.Core.System` `info`, `SYNO.Core.System.Utilization`
//! `get`, `SYNO.Storage.CGI.Storage` `load_info`) with its own data from
//! `api-spec/mock_data.yaml`, over real HTTP through the typed imported methods; where DSM
//! recorded a schema for the answer (`../shared/fixtures/dsm-lib/response-schemas/`), the
//! data satisfies it. Tests that need `../shared` skip with a printed line when it is
//! absent, unless `SYNOLOGY_SHARED_REQUIRED=1`.
#![cfg(all(
    feature = "mock",
    feature = "dsm",
    feature = "dsm-core",
    feature = "storage"
))]

mod common;

use serde_json::{Value, json};
use synology_client::Error;
use synology_client::dsm::DsmInfoGetinfo;
use synology_client::dsm_core::CoreSystemUtilizationGet;
use synology_client::mock::{
    DEMO_PASSWORD, DEMO_USER, DSM5_ENTRY_CGI, DSM5_STORAGE_HANDLER, MockConfig, MockDsm, Persona,
};

/// The APIs a client needs to log in and the four it reads at start-up: their layout must
/// be the recorded box's.
const LOGIN_APIS: [&str; 4] = [
    "SYNO.API.Info",
    "SYNO.API.Auth",
    "SYNO.API.Encryption",
    "SYNO.API.Auth.UIConfig",
];
const START_UP_APIS: [&str; 4] = [
    "SYNO.DSM.Info",
    "SYNO.Core.System",
    "SYNO.Core.System.Utilization",
    "SYNO.Storage.CGI.Storage",
];

/// A file of `../shared/fixtures/`, when present.
fn shared(path: &str) -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures")
        .join(path);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) if std::env::var("SYNOLOGY_SHARED_REQUIRED").is_ok_and(|v| v == "1") => {
            panic!(
                "{} is absent and SYNOLOGY_SHARED_REQUIRED=1",
                path.display()
            )
        }
        Err(_) => {
            eprintln!("skipped: {} is absent", path.display());
            None
        }
    }
}

/// The recorded API.Info answer of the box each persona copies.
fn recording(persona: Persona) -> Option<Value> {
    let file = match persona {
        Persona::Dsm5 => "real-dsm/dsm5_api_info.json",
        Persona::Dsm6 => "real-dsm/dsm6_api_info.json",
        _ => "real-dsm/dsm7_api_info.json",
    };
    let text = shared(file)?;
    let v: Value = serde_json::from_str(&text).expect("a recording is JSON");
    Some(v.get("data").cloned().unwrap_or(v))
}

/// What the running mock's `SYNO.API.Info` lists for `apis`, asked over HTTP.
async fn listed(dsm: &MockDsm, apis: &[&str]) -> Value {
    let client = dsm.client().unwrap();
    client
        .raw("SYNO.API.Info", "query")
        .param("query", apis.join(","))
        .send_json()
        .await
        .unwrap()
}

#[tokio::test]
async fn each_persona_publishes_the_login_and_start_up_apis_as_its_recorded_box() {
    for persona in Persona::ALL {
        let Some(recorded) = recording(persona) else {
            return;
        };
        let dsm = MockDsm::start_with(persona.config()).await.unwrap();
        let apis: Vec<&str> = LOGIN_APIS.iter().chain(&START_UP_APIS).copied().collect();
        let answer = listed(&dsm, &apis).await;
        for api in apis {
            let (ours, theirs) = (answer.get(api), recorded.get(api));
            let layout = |e: Option<&Value>| {
                e.map(|e| {
                    (
                        e["path"].clone(),
                        e["minVersion"].clone(),
                        e["maxVersion"].clone(),
                    )
                })
            };
            assert_eq!(
                layout(ours),
                layout(theirs),
                "{persona}: {api} (path, minVersion, maxVersion) differs from the recorded box"
            );
            if START_UP_APIS.contains(&api) {
                let format = |e: Option<&Value>| e.and_then(|e| e.get("requestFormat").cloned());
                assert_eq!(
                    format(ours),
                    format(theirs),
                    "{persona}: {api} requestFormat differs from the recorded box"
                );
            }
        }
    }
}

#[tokio::test]
async fn dsm5_lists_entry_cgi_apis_at_its_padded_path() {
    let dsm = MockDsm::start_with(MockConfig::dsm5()).await.unwrap();
    let answer = listed(&dsm, &["SYNO.Core.System.Utilization", "SYNO.CloudSync"]).await;
    for api in ["SYNO.Core.System.Utilization", "SYNO.CloudSync"] {
        assert_eq!(answer[api]["path"], DSM5_ENTRY_CGI, "{api}");
    }
    if let Some(recorded) = recording(Persona::Dsm5) {
        let plain = recorded
            .as_object()
            .unwrap()
            .values()
            .filter(|e| e["path"] == "entry.cgi")
            .count();
        let padded = recorded
            .as_object()
            .unwrap()
            .values()
            .filter(|e| e["path"] == DSM5_ENTRY_CGI)
            .count();
        assert_eq!((plain, padded), (0, 349), "the recorded DSM 5 box");
    }
}

/// The spec's data for `persona`'s `SYNO.DSM.Info` `getinfo`, as the mock serves it.
async fn dsm_info(persona: Persona) -> (MockDsm, DsmInfoGetinfo) {
    let (dsm, client) = common::logged_in(persona.config()).await;
    let call = client.dsm().info().getinfo();
    let info = match persona {
        // DSM 5 has SYNO.DSM.Info version 1 only, which DSM 7's declarations (the spec's
        // source) no longer list: the typed call refuses before sending, an explicit
        // version goes.
        Persona::Dsm5 => {
            let refused = client.dsm().info().getinfo().send().await.unwrap_err();
            assert!(
                matches!(
                    refused,
                    Error::Unsupported {
                        needed_version: 2,
                        available: Some((1, 1)),
                        ..
                    }
                ),
                "{refused:?}"
            );
            assert!(dsm.requests().is_empty(), "nothing sent");
            call.version(1).send().await.unwrap()
        }
        _ => call.send().await.unwrap(),
    };
    (dsm, info)
}

#[tokio::test]
async fn each_persona_answers_dsm_info_with_its_own_box() {
    let expected = [
        (
            Persona::Dsm5,
            "DS213j",
            512,
            "5967",
            "DSM 5.2-5967 Update 9",
            "dsm/info.cgi",
            "1",
        ),
        (
            Persona::Dsm6,
            "DS918+",
            4096,
            "25556",
            "DSM 6.2.4-25556 Update 6",
            "entry.cgi",
            "2",
        ),
        (
            Persona::Dsm7,
            "DS920+",
            4096,
            "72806",
            "DSM 7.2.2-72806 Update 3",
            "entry.cgi",
            "2",
        ),
    ];
    for (persona, model, ram, build, version_string, path, version) in expected {
        let (dsm, info) = dsm_info(persona).await;
        assert_eq!(info.model.as_deref(), Some(model), "{persona}");
        assert_eq!(info.ram, Some(ram), "{persona}");
        assert_eq!(info.version.as_deref(), Some(build), "{persona}");
        assert_eq!(
            info.version_string.as_deref(),
            Some(version_string),
            "{persona}"
        );
        assert_eq!(info.temperature_warn, Some(false), "{persona}");
        assert!(info.uptime.is_some_and(|u| u > 0), "{persona}");
        // A build number, as py-synologydsm-api reads it (`int(version) < 7321`: DSM 5).
        let n: u32 = info.version.as_deref().unwrap().parse().unwrap();
        assert_eq!(n < 7321, persona == Persona::Dsm5, "{persona}");
        let serial = info.serial.as_deref().unwrap();
        assert!(
            serial.starts_with("MOCK"),
            "{persona}: a fake serial, {serial}"
        );
        let sent = dsm.requests().pop().unwrap();
        assert_eq!(sent.path, format!("/webapi/{path}"), "{persona}");
        assert_eq!(sent.params["version"], version, "{persona}");
    }
}

#[tokio::test]
async fn each_persona_answers_system_info_and_utilization() {
    let expected = [
        (
            Persona::Dsm5,
            DSM5_ENTRY_CGI,
            "2",
            "DS213j",
            "DSM 5.2-5967 Update 9",
            524_288,
            2,
        ),
        (
            Persona::Dsm6,
            "entry.cgi",
            "3",
            "DS918+",
            "DSM 6.2.4-25556 Update 6",
            4_194_304,
            4,
        ),
        (
            Persona::Dsm7,
            "entry.cgi",
            "3",
            "DS920+",
            "DSM 7.2.2-72806 Update 3",
            4_194_304,
            4,
        ),
    ];
    for (persona, path, version, model, firmware, memory_kb, disks) in expected {
        let (dsm, client) = common::logged_in(persona.config()).await;
        let system: Value = client.dsm_core().system().info().send().await.unwrap();
        assert_eq!(system["model"], model, "{persona}");
        assert_eq!(system["firmware_ver"], firmware, "{persona}");
        assert!(system["up_time"].is_string(), "{persona}: H:M:S text");
        let sent = dsm.requests().pop().unwrap();
        assert_eq!(sent.path, format!("/webapi/{path}"), "{persona}");
        assert_eq!(sent.params["version"], version, "{persona}");

        let load: CoreSystemUtilizationGet = client
            .dsm_core()
            .system_utilization()
            .get()
            .send()
            .await
            .unwrap();
        let memory = load.memory.as_ref().unwrap();
        assert_eq!(memory.memory_size, Some(memory_kb), "{persona}");
        assert!(memory.real_usage.is_some_and(|u| (0..=100).contains(&u)));
        let cpu = load.cpu.as_ref().unwrap();
        assert!(cpu["user_load"].is_i64(), "{persona}: {cpu:?}");
        let listed = load.disk.as_ref().and_then(|d| d.disk.as_ref()).unwrap();
        assert_eq!(listed.len(), disks, "{persona}");
        let network = load.network.as_ref().unwrap();
        assert_eq!(network[0].device.as_deref(), Some("total"), "{persona}");
        let volumes = load.space.as_ref().and_then(|s| s.volume.as_ref()).unwrap();
        assert_eq!(volumes[0].display_name.as_deref(), Some("volume1"));
        assert_eq!(
            dsm.requests().pop().unwrap().path,
            format!("/webapi/{path}")
        );
    }
}

#[tokio::test]
async fn dsm6_and_dsm7_answer_load_info_and_dsm5_does_not_publish_it() {
    for (persona, model, disks) in [(Persona::Dsm6, "DS918+", 4), (Persona::Dsm7, "DS920+", 4)] {
        let (_dsm, client) = common::logged_in(persona.config()).await;
        let storage: Value = client
            .storage()
            .cgi_storage()
            .load_info()
            .send()
            .await
            .unwrap();
        assert_eq!(storage["env"]["model_name"], model, "{persona}");
        assert_eq!(storage["disks"].as_array().unwrap().len(), disks);
        let volume = &storage["volumes"][0];
        assert_eq!(volume["id"], "volume_1", "{persona}");
        assert_eq!(volume["fs_type"], "btrfs", "{persona}");
        let size = |f: &str| volume["size"][f].as_str().unwrap().parse::<u64>().unwrap();
        assert!(size("used") < size("total"), "{persona}");
        assert_eq!(storage["storagePools"][0]["id"], volume["pool_path"]);
        for disk in storage["disks"].as_array().unwrap() {
            assert_eq!(disk["used_by"], "reuse_1", "{persona}");
            assert!(disk["serial"].as_str().unwrap().starts_with("MOCK"));
        }
    }
    // DSM 5 serves its storage page outside /webapi/ (see the next test) and lists no
    // SYNO.Storage.CGI.Storage.
    let (dsm, client) = common::logged_in(MockConfig::dsm5()).await;
    let refused = client
        .storage()
        .cgi_storage()
        .load_info()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            Error::Unsupported {
                available: None,
                ..
            }
        ),
        "{refused:?}"
    );
    assert!(dsm.requests().is_empty(), "nothing sent");
}

/// DSM 5 answers storage at its storage handler outside `/webapi/`, as Home Assistant's
/// client asks for it (`action` beside `method`), flat and for a session only; the other
/// personas have no such file.
#[tokio::test]
async fn dsm5_answers_storage_flat_at_its_storage_handler() {
    let http = reqwest::Client::new();
    let dsm = MockDsm::start_with(MockConfig::dsm5()).await.unwrap();
    let login: Value = http
        .get(format!("{}/webapi/auth.cgi", dsm.url()))
        .query(&[
            ("api", "SYNO.API.Auth"),
            ("version", "4"),
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
    let storage = |sid: Option<String>| {
        let mut query = vec![
            ("api", "SYNO.Storage.CGI.Storage".to_owned()),
            ("version", "1".to_owned()),
            ("method", "load_info".to_owned()),
            ("action", "load_info".to_owned()),
        ];
        query.extend(sid.map(|s| ("_sid", s)));
        http.get(format!("{}{DSM5_STORAGE_HANDLER}", dsm.url()))
            .query(&query)
            .send()
    };
    let flat: Value = storage(Some(sid)).await.unwrap().json().await.unwrap();
    assert_eq!(flat["success"], true, "{flat}");
    assert!(flat.get("data").is_none(), "flat, no envelope: {flat}");
    assert_eq!(flat["env"]["model_name"], "DS213j");
    assert_eq!(flat["disks"].as_array().unwrap().len(), 2);
    assert_eq!(flat["volumes"][0]["id"], "volume_1");
    assert_eq!(flat["volumes"][0]["fs_type"], "ext4");
    assert_eq!(
        dsm.requests().last().unwrap().path,
        DSM5_STORAGE_HANDLER,
        "logged where it was asked"
    );
    let no_session: Value = storage(None).await.unwrap().json().await.unwrap();
    assert_eq!(
        no_session,
        json!({"success": false, "error": {"code": 119}})
    );

    dsm.fail_with_code("SYNO.Storage.CGI.Storage", "load_info", 105);
    let failed: Value = storage(None).await.unwrap().json().await.unwrap();
    assert_eq!(
        failed["error"]["code"], 105,
        "a fault a test sets applies here too"
    );

    for persona in [Persona::Dsm6, Persona::Dsm7] {
        let dsm = MockDsm::start_with(persona.config()).await.unwrap();
        let status = http
            .get(format!("{}{DSM5_STORAGE_HANDLER}", dsm.url()))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404, "{persona}");
    }
}

#[tokio::test]
async fn a_test_answer_still_wins_over_the_persona_data() {
    for persona in Persona::ALL {
        let (dsm, client) = common::logged_in(persona.config()).await;
        dsm.set_answer(
            "SYNO.Core.System",
            "info",
            json!({"model": "RS1221+", "firmware_ver": "set by the test"}),
        );
        let system: Value = client.dsm_core().system().info().send().await.unwrap();
        assert_eq!(system["model"], "RS1221+", "{persona}");
        assert_eq!(system["firmware_ver"], "set by the test", "{persona}");
    }
}

#[tokio::test]
async fn a_replayed_recording_acts_as_the_persona_of_its_auth_version() {
    for persona in Persona::ALL {
        let Some(recorded) = recording(persona) else {
            return;
        };
        let config = MockConfig::from_api_info(&recorded.to_string()).unwrap();
        assert_eq!(config.persona(), persona);
        // Its SYNO.DSM.Info is where the box had it (dsm/info.cgi version 1 on DSM 5), and
        // answers the persona's data.
        let (dsm, client) = common::logged_in(config).await;
        let call = client.dsm().info().getinfo();
        let call = if persona == Persona::Dsm5 {
            call.version(1)
        } else {
            call
        };
        let info = call.send().await.unwrap();
        let (_, expected) = dsm_info(persona).await;
        assert_eq!(info.version_string, expected.version_string, "{persona}");
        let path = recorded["SYNO.DSM.Info"]["path"].as_str().unwrap();
        assert_eq!(
            dsm.requests().pop().unwrap().path,
            format!("/webapi/{path}")
        );
    }
}

/// Where `value` breaks the JSON Schema `schema` (the subset the recorded schemas use:
/// `type`, `properties`, `required`, `items`); `required` is enforced only when `whole`,
/// since older releases send fewer fields than the DSM 7 box that was recorded.
fn violations(schema: &Value, value: &Value, at: &str, whole: bool, out: &mut Vec<String>) {
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let fits = |t: &str| match t {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => true,
    };
    if !types.is_empty() && !types.iter().any(|t| fits(t)) {
        out.push(format!("{at} is {value}, expected {types:?}"));
        return;
    }
    if let (Some(props), Some(obj)) = (schema["properties"].as_object(), value.as_object()) {
        for (k, sub) in props {
            match obj.get(k) {
                Some(v) => violations(sub, v, &format!("{at}.{k}"), whole, out),
                None if whole
                    && schema["required"]
                        .as_array()
                        .is_some_and(|r| r.iter().any(|x| x == k)) =>
                {
                    out.push(format!("{at} lacks {k}"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, v) in list.iter().enumerate() {
            violations(items, v, &format!("{at}[{i}]"), whole, out);
        }
    }
}

#[tokio::test]
async fn the_data_satisfies_the_recorded_schemas() {
    let methods = [
        ("SYNO.DSM.Info", "getinfo"),
        ("SYNO.Core.System.Utilization", "get"),
    ];
    for (api, method) in methods {
        let Some(text) = shared(&format!("dsm-lib/response-schemas/{api}-{method}.json")) else {
            return;
        };
        let schema: Value = serde_json::from_str(&text).unwrap();
        for persona in Persona::ALL {
            let (_dsm, client) = common::logged_in(persona.config()).await;
            let call = client.raw(api, method);
            let call = if persona == Persona::Dsm5 && api == "SYNO.DSM.Info" {
                call.version(1)
            } else {
                call
            };
            let data = call.send_json().await.unwrap();
            let mut out = Vec::new();
            // The schema was recorded on DSM 7: only that persona must have every field.
            violations(&schema, &data, "data", persona == Persona::Dsm7, &mut out);
            assert!(out.is_empty(), "{persona} {api} {method}: {out:#?}");
        }
    }
}
