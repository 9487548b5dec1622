//! What every generated request shares: [`Request::send_json`], the same request answered as
//! raw JSON. Generated code implements `into_parts` for each request builder; the rest is
//! one generic runtime function.

use std::future::Future;

use super::params::Params;
use crate::{Client, Error};

/// A request built by a generated builder (`client.cloud_sync().list_conn()`), which can also
/// answer raw JSON: for when a NAS's answer does not fit the recorded shape.
///
/// ```no_run
/// # async fn run(client: synology_client::Client) -> Result<(), synology_client::Error> {
/// use synology_client::Request;
///
/// let data: serde_json::Value = client.cloud_sync().list_conn().send_json().await?;
/// println!("{data:#}");
/// # Ok(()) }
/// ```
pub trait Request: Sized {
    /// The client and the encoded parameters (for the runtime).
    #[doc(hidden)]
    fn into_parts(self) -> (Client, Params);

    /// Sends the request (same API, method, version, parameters, session and limits as
    /// `send()`) and returns the answer's `data` as JSON, whatever its shape (`null` when it
    /// has none). DSM errors are typed as for `send()`.
    fn send_json(self) -> impl Future<Output = Result<serde_json::Value, Error>> + Send + 'static {
        let (client, params) = self.into_parts();
        async move { super::decode::call_json(&client, params).await }
    }
}
