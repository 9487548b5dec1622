//! A string that never shows itself: passwords, OTP codes, session ids and tokens.
//!
//! The value lives in a [`secrecy::SecretString`], which wipes its memory when dropped: the
//! client keeps the password (for re-login), the session id and the device token for as long
//! as it lives, and a wiped copy is one less in a core dump or a freed page. `secrecy` alone
//! does not fit the public API (`SecretString` has no `PartialEq`, its `Debug` is not `***`,
//! and it does not serialize), so `Secret` wraps it and adds those itself. Wiping is best
//! effort: copies made before the value reaches a `Secret` (the request body, serde_json's
//! buffers, a `String` that `Box<str>` reallocated) are not wiped.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A secret string. `Debug` and `Display` print `***`; read it with [`Secret::expose`]. Its
/// memory is wiped when it is dropped.
///
/// It deserializes from a JSON string and serializes back as that string, so re-serialized
/// responses still carry the value: treat such output as sensitive.
#[derive(Clone, Default)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(SecretString::from(value.into()))
    }

    /// The secret value itself; keep it out of logs.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(SecretString::from(value))
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(SecretString::from(value))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.expose())
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::from)
    }
}

/// Parameter names that always hold a secret, whatever the spec says: the client's own
/// (`_sid`, `synotoken`, `device_id`) and the well-known ones a raw call may send. Raw calls
/// redact them in `Debug`, the mock in its request log.
const WELL_KNOWN_SECRETS: [&str; 9] = [
    "_sid",
    "passwd",
    "password",
    "passphrase",
    "otp_code",
    "device_id",
    "did",
    "device_token",
    "synotoken",
];

/// Whether `name` is one of the well-known secret parameter names, in any case.
pub(crate) fn is_well_known_secret(name: &str) -> bool {
    WELL_KNOWN_SECRETS
        .iter()
        .any(|s| s.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "*** ***");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn compares_clones_defaults_and_serializes_as_the_plain_string() {
        let s = Secret::from("hunter2");
        assert_eq!(s.clone(), Secret::new(String::from("hunter2")));
        assert_ne!(s, Secret::from("hunter3"));
        assert_eq!(Secret::default().expose(), "");
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""hunter2""#);
        let back: Secret = serde_json::from_str(r#""hunter2""#).unwrap();
        assert_eq!(back, s);
    }
}
