//! The showcase snapshot's request builders over real HTTP: what each encoding puts on the
//! wire for an API with `request_format: json`. The mock does not describe the showcase APIs
//! (it answers 102, no such API), but it publishes the one asked for and logs the request first.

use super::snapshot_showcase::showcase::Color;
use crate::mock::{MockConfig, MockDsm};

#[tokio::test]
async fn json_request_format_encodes_each_kind_as_declared() {
    let config = MockConfig::dsm7().api("SYNO.Showcase.Item.History", "entry.cgi", 1, 1);
    let dsm = MockDsm::start_with(config).await.unwrap();
    let client = dsm.client().unwrap();
    client.login("demo", "synology-demo").await.unwrap();
    dsm.clear_requests();
    let err = client
        .showcase()
        .item_history()
        .list_events(7)
        .start(0)
        .keyword("two words")
        .color(Color::DarkBlue)
        .verbose(true)
        .raw_name("as is")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(102), "{err}");
    let sent = &dsm.requests()[0].params;
    assert_eq!(sent["item_id"], "7");
    assert_eq!(sent["start"], "0");
    assert_eq!(sent["keyword"], "\"two words\"");
    assert_eq!(sent["color"], "\"dark-blue\"");
    assert_eq!(sent["verbose"], "yes", "yes_no stays as declared");
    assert_eq!(sent["raw_name"], "as is", "plain stays as declared");
    assert_eq!(sent["api"], "SYNO.Showcase.Item.History");
    assert_eq!(sent["method"], "list_events");
    assert_eq!(sent["version"], "1");
}
