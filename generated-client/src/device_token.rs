//! Device tokens: what DSM issues after a 2-factor login so that later logins need no code.

use std::fmt;

use crate::secret::Secret;

/// A device token: after a login with an OTP code, DSM issues one so that later logins from
/// the same device need no code. Persist it (it is a secret) and pass it to
/// [`Login::device_token`](crate::Login::device_token).
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceToken(pub(crate) Secret);

impl DeviceToken {
    /// Wraps a token read from storage.
    pub fn new(token: impl Into<String>) -> Self {
        DeviceToken(Secret::new(token.into()))
    }

    /// The token, to persist it.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceToken(***)")
    }
}
