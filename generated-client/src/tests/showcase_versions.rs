//! Methods that only some versions of their API have (the spec's per-method `versions`),
//! through the showcase snapshot against the mock: `SYNO.Showcase` is 1-3 in the spec,
//! `export_legacy` is only in version 1, `sample` only in 1 and 3 (its `detail` needs 3).

use crate::mock::{MockConfig, MockDsm};
use crate::{Client, Error};

/// A mock publishing `SYNO.Showcase` in versions `min..=max`, logged in, its log cleared.
async fn nas(min: u32, max: u32) -> (MockDsm, Client) {
    let config = MockConfig::dsm7().api("SYNO.Showcase", "entry.cgi", min, max);
    let dsm = MockDsm::start_with(config).await.unwrap();
    let client = dsm.client().unwrap();
    client.login("demo", "synology-demo").await.unwrap();
    dsm.clear_requests();
    (dsm, client)
}

fn sent_version(dsm: &MockDsm) -> String {
    let last = dsm.requests().pop().expect("a request was sent");
    assert_eq!(last.params["api"], "SYNO.Showcase");
    last.params["version"].clone()
}

#[tokio::test]
async fn a_method_of_some_versions_goes_at_the_highest_one_the_nas_offers() {
    let (dsm, client) = nas(1, 2).await;
    // The NAS speaks 1-2 and the API goes to 3, but only version 1 has the method.
    client.showcase().export_legacy(2.0).send().await.unwrap();
    assert_eq!(sent_version(&dsm), "1");
    client.showcase().sample().send().await.unwrap();
    assert_eq!(sent_version(&dsm), "1", "versions 1 and 3: 2 lacks it");

    let (dsm, client) = nas(1, 3).await;
    client.showcase().sample().send().await.unwrap();
    assert_eq!(sent_version(&dsm), "3");
    client
        .showcase()
        .sample()
        .detail(true)
        .send()
        .await
        .unwrap();
    assert_eq!(sent_version(&dsm), "3");
    // A method of every version from its minimum still goes at the highest both speak.
    client.showcase().set_config(1, "w").send().await.unwrap();
    assert_eq!(sent_version(&dsm), "3");
}

#[tokio::test]
async fn a_method_no_offered_version_has_fails_before_sending() {
    let (dsm, client) = nas(2, 2).await;
    let err = client
        .showcase()
        .export_legacy(2.0)
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::VersionNotOffered {
            api,
            method,
            offered,
            available,
        } => {
            assert_eq!((&**api, &**method), ("SYNO.Showcase", "export_legacy"));
            assert_eq!((offered.as_slice(), *available), (&[1][..], (2, 2)));
        }
        other => panic!("expected VersionNotOffered, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "SYNO.Showcase export_legacy is only in API version 1; this NAS offers versions 2-2"
    );
    assert_eq!(
        (err.api(), err.method()),
        (Some("SYNO.Showcase"), Some("export_legacy"))
    );
    assert_eq!(err.code(), None);

    // A parameter's minimum narrows the versions: `detail` needs 3, which a 1-2 NAS lacks.
    let (dsm2, client2) = nas(1, 2).await;
    let err = client2
        .showcase()
        .sample()
        .detail(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "SYNO.Showcase sample is only in API version 3; this NAS offers versions 1-2"
    );
    assert!(
        dsm.requests().is_empty() && dsm2.requests().is_empty(),
        "nothing was sent"
    );
}

#[tokio::test]
async fn raw_calls_to_a_spec_method_honour_its_versions() {
    let (dsm, client) = nas(1, 2).await;
    let data = client
        .raw("SYNO.Showcase", "export_legacy")
        .param("scale", 2.5)
        .send_json()
        .await
        .unwrap();
    assert_eq!(data, serde_json::Value::Null);
    assert_eq!(sent_version(&dsm), "1");

    // An explicit version is sent as asked; the mock, like DSM, has no such method there.
    let err = client
        .raw("SYNO.Showcase", "export_legacy")
        .param("scale", 2.5)
        .version(2)
        .send_json()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(103), "{err}");
    assert_eq!(sent_version(&dsm), "2");

    let (dsm, client) = nas(2, 2).await;
    let err = client
        .raw("SYNO.Showcase", "export_legacy")
        .param("scale", 2.5)
        .send_json()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::VersionNotOffered { offered, available: (2, 2), .. } if offered == &[1]),
        "{err:?}"
    );
    assert!(dsm.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn the_mock_answers_no_such_method_in_a_version_without_it() {
    let (dsm, client) = nas(1, 3).await;
    for (method, version, code) in [
        ("sample", 1, None),
        ("sample", 2, Some(103)),
        ("sample", 3, None),
        ("export_legacy", 1, None),
        ("export_legacy", 3, Some(103)),
    ] {
        let result = client
            .raw("SYNO.Showcase", method)
            .param("scale", 1)
            .version(version)
            .send_json()
            .await;
        assert_eq!(
            result.err().and_then(|e| e.code()),
            code,
            "{method} at {version}"
        );
    }
    assert_eq!(dsm.requests().len(), 5);
}
