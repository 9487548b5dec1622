//! The demo behind `cargo xtask demo`: starts the embedded mock DSM, logs in as its demo
//! user, calls every API of the spec and prints what came back.

use futures_util::TryStreamExt;
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockDsm};
use synology_client::{Client, Error};

fn show<T: serde::Serialize>(call: &str, value: &T) {
    let json = match serde_json::to_value(value) {
        Ok(serde_json::Value::Null) => "{}".to_owned(), // a method with no data
        Ok(v) => v.to_string(),
        Err(e) => format!("<cannot print: {e}>"),
    };
    println!("{call}\n    -> {json}");
}

async fn run(client: &Client) -> Result<(), Error> {
    client.login(DEMO_USER, DEMO_PASSWORD).await?;
    println!("logged in as {DEMO_USER}\n");

    let cloud = client.cloud_sync();
    show(
        "cloud_sync().connection().list()",
        &cloud.connection().list().send().await?,
    );
    show(
        "cloud_sync().connection().get(1)",
        &cloud.connection().get(1).send().await?,
    );
    show(
        "cloud_sync().connection().pause(1)",
        &cloud.connection().pause(1).send().await?,
    );
    show(
        "cloud_sync().connection().resume(1)",
        &cloud.connection().resume(1).send().await?,
    );
    show(
        "cloud_sync().connection_log().list(1).offset(0).limit(50)",
        &cloud
            .connection_log()
            .list(1)
            .offset(0)
            .limit(50)
            .send()
            .await?,
    );
    let all: Vec<_> = cloud
        .connection_log()
        .list(1)
        .stream()
        .try_collect()
        .await?;
    show("cloud_sync().connection_log().list(1).stream()", &all);

    let drive = client.synology_drive();
    show(
        "synology_drive().connections().get_summary()",
        &drive.connections().get_summary().send().await?,
    );
    show(
        "synology_drive().connections().list()",
        &drive.connections().list().send().await?,
    );
    show(
        "synology_drive().share_sync().list_connections()",
        &drive.share_sync().list_connections().send().await?,
    );
    show(
        "synology_drive().user_profile().get(\"john.doe\")",
        &drive.user_profile().get("john.doe").send().await?,
    );

    client.logout().await?;
    println!("\nlogged out");
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let dsm = match MockDsm::start().await {
        Ok(dsm) => dsm,
        Err(e) => {
            eprintln!("cannot start the mock DSM: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("mock DSM at {}", dsm.url());
    let result = match dsm.client() {
        Ok(client) => run(&client).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            println!("{} requests served", dsm.requests().len());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("demo failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
