//! The showcase snapshot's request builders over real HTTP: what each encoding puts on the
//! wire. In this crate's test build the mock serves the showcase APIs too (see
//! `rt::spec_method`), but publishes them only where a test asks for them.

use serde_json::json;

use super::snapshot_showcase::showcase::{Bounds, Color};
use crate::Error;
use crate::mock::{MockConfig, MockDsm};

#[tokio::test]
async fn json_request_format_encodes_each_kind_as_declared() {
    let config = MockConfig::dsm7().api("SYNO.Showcase.Item.History", "entry.cgi", 1, 1);
    let dsm = MockDsm::start_with(config).await.unwrap();
    let client = dsm.client().unwrap();
    client.login("demo", "synology-demo").await.unwrap();
    dsm.clear_requests();
    let page = client
        .showcase()
        .item_history()
        .list_events(7)
        .start(0)
        .keyword("two words")
        .color(Color::DarkBlue)
        .verbose(true)
        .raw_name("as is")
        .threshold(0.1)
        .send()
        .await
        .unwrap();
    assert!(page.events.is_empty());
    let sent = &dsm.requests()[0].params;
    assert_eq!(sent["item_id"], "7");
    assert_eq!(sent["start"], "0");
    assert_eq!(sent["keyword"], "\"two words\"");
    assert_eq!(sent["color"], "\"dark-blue\"");
    assert_eq!(sent["verbose"], "yes", "yes_no stays as declared");
    assert_eq!(sent["raw_name"], "as is", "plain stays as declared");
    assert_eq!(
        sent["threshold"], "0.1",
        "a float's JSON is its plain decimal"
    );
    assert_eq!(sent["api"], "SYNO.Showcase.Item.History");
    assert_eq!(sent["method"], "list_events");
    assert_eq!(sent["version"], "1");
}

/// A mock publishing `SYNO.Showcase` in versions 2-3 (`set_config` needs 2), logged in.
async fn showcase_nas() -> (MockDsm, crate::Client) {
    let config = MockConfig::dsm7().api("SYNO.Showcase", "entry.cgi", 2, 3);
    let dsm = MockDsm::start_with(config).await.unwrap();
    let client = dsm.client().unwrap();
    client.login("demo", "synology-demo").await.unwrap();
    dsm.clear_requests();
    (dsm, client)
}

#[tokio::test]
async fn floats_go_out_in_plain_decimal_and_round_trip() {
    let (dsm, client) = showcase_nas().await;
    let values = [
        0.1,
        -2.5,
        1e21,
        1e-7,
        3.0,
        f64::MAX,
        f64::MIN_POSITIVE,
        -0.0,
    ];
    for v in values {
        client
            .showcase()
            .set_config(1, "w")
            .ratio(v)
            .weights(vec![v, 2.0])
            .bounds(Bounds { low: v, high: 1.5 })
            .send()
            .await
            .unwrap();
        let sent = dsm.requests().pop().unwrap().params;
        let ratio = &sent["ratio"];
        assert!(
            !ratio.contains(['e', 'E']) && ratio.parse::<f64>() == Ok(v),
            "{v}: sent {ratio}"
        );
        assert_eq!(sent["ratio"], v.to_string());
        let weights: Vec<f64> = serde_json::from_str(&sent["weights"]).unwrap();
        assert_eq!(weights, [v, 2.0]);
        let bounds: serde_json::Value = serde_json::from_str(&sent["bounds"]).unwrap();
        assert_eq!(bounds, json!({"low": v, "high": 1.5}));
    }
}

#[tokio::test]
async fn a_float_setter_with_nan_or_an_infinity_fails_the_call_before_sending() {
    let (dsm, client) = showcase_nas().await;
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let calls = [
            ("ratio", client.showcase().set_config(1, "w").ratio(bad)),
            (
                "weights",
                client.showcase().set_config(1, "w").weights(vec![1.0, bad]),
            ),
            (
                "bounds",
                client.showcase().set_config(1, "w").bounds(Bounds {
                    low: 0.0,
                    high: bad,
                }),
            ),
        ];
        for (name, request) in calls {
            match request.send().await.unwrap_err() {
                Error::InvalidParameter {
                    api,
                    method,
                    param,
                    reason,
                } => {
                    assert_eq!(
                        (&*api, &*method, &*param),
                        ("SYNO.Showcase", "set_config", name)
                    );
                    assert_eq!(
                        reason,
                        format!(
                            "{bad} is not a finite number, and only finite numbers can be sent"
                        )
                    );
                }
                other => panic!("{name} = {bad}: expected InvalidParameter, got {other:?}"),
            }
        }
        // A required float too: the request fails at send(), not at construction.
        let err = client
            .showcase()
            .export_legacy(bad)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidParameter { ref param, .. } if param == "scale"),
            "{err:?}"
        );
    }
    assert!(dsm.requests().is_empty(), "nothing was sent");

    // The last setter wins: a finite value replaces the refused one, and only that one.
    client
        .showcase()
        .set_config(1, "w")
        .ratio(f64::NAN)
        .ratio(0.5)
        .send()
        .await
        .unwrap();
    assert_eq!(dsm.requests().pop().unwrap().params["ratio"], "0.5");
    let err = client
        .showcase()
        .set_config(1, "w")
        .ratio(f64::NAN)
        .weights(vec![f64::INFINITY])
        .ratio(0.5)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidParameter { ref param, .. } if param == "weights"),
        "the other refused parameter still fails the call: {err:?}"
    );
}

#[tokio::test]
async fn float_fields_decode_from_numbers_and_numeric_strings() {
    let config = MockConfig::dsm7().api("SYNO.Showcase.Item", "entry.cgi", 1, 1);
    let dsm = MockDsm::start_with(config).await.unwrap();
    let client = dsm.client().unwrap();
    client.login("demo", "synology-demo").await.unwrap();
    // The documented example: `"ratio": "0.25"`, `"samples": [1.5, "-2", 3]`, no `load`.
    let page = client.showcase().item().list().send().await.unwrap();
    let w = &page.widgets[0];
    assert_eq!(
        (w.ratio, &w.samples, w.load, &w.peaks),
        (0.25, &vec![1.5, -2.0, 3.0], None, &None)
    );
    // Serialized back as numbers.
    let json = serde_json::to_value(w).unwrap();
    assert_eq!(
        (&json["ratio"], &json["samples"]),
        (&json!(0.25), &json!([1.5, -2.0, 3.0]))
    );

    let mut widget = serde_json::to_value(w).unwrap();
    widget["load"] = json!(" 7 ");
    widget["peaks"] = json!(["1e3", 2]);
    dsm.set_answer(
        "SYNO.Showcase.Item",
        "List",
        json!({"widgets": [widget.clone()], "total": 1}),
    );
    let page = client.showcase().item().list().send().await.unwrap();
    assert_eq!(
        (page.widgets[0].load, page.widgets[0].peaks.clone()),
        (Some(7.0), Some(vec![1000.0, 2.0]))
    );

    // "NaN" and "inf" are not numbers a field holds: a decode error at the field's path.
    for bad in ["NaN", "inf", "1e400", "x"] {
        widget["ratio"] = json!(bad);
        dsm.set_answer(
            "SYNO.Showcase.Item",
            "List",
            json!({"widgets": [widget.clone()], "total": 1}),
        );
        match client.showcase().item().list().send().await.unwrap_err() {
            Error::Decode { path, .. } => assert_eq!(path, "data.widgets[0].ratio", "{bad}"),
            other => panic!("{bad}: expected Decode, got {other:?}"),
        }
    }
}
