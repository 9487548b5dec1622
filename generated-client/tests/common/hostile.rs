//! What `hostile_server.rs` and `hostile_limits.rs` share: the API most of their calls go to,
//! the password no error or log may show, and the call itself.

use synology_client::{Client, Error};

pub const CONN: &str = "SYNO.CloudSync.Connection";
pub const PASSWORD: &str = "hunter2-do-not-leak";

pub async fn list(client: &Client) -> Result<synology_client::cloud_sync::ConnectionList, Error> {
    client.cloud_sync().connection().list().send().await
}
