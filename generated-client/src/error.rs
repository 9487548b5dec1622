//! The one error type of the client.

use crate::ErrorKind;

/// Everything a call can fail with. Messages never contain a password, OTP code, session id
/// or token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// DSM answered `success: false`.
    #[error("{api} {method} failed with DSM code {code} ({}){}", describe(*kind, description), detail_text(detail))]
    Api {
        /// The API called.
        api: &'static str,
        /// The method called.
        method: &'static str,
        /// DSM's error code.
        code: i64,
        /// What the code means for this API; [`ErrorKind::Unknown`] when no table lists it.
        kind: ErrorKind,
        /// The documented meaning, when a table lists the code.
        description: Option<&'static str>,
        /// DSM's `errors` detail as sent: a list, an object or a string.
        detail: Option<serde_json::Value>,
    },

    /// The login needs a 2-factor code (DSM 403, or 406 when 2FA is enforced).
    #[error("login needs a 2-factor authentication code (accepted: {})", types.join(", "))]
    OtpRequired {
        /// The kinds of code DSM accepts (`otp`, `authenticator`, ...), possibly empty.
        types: Vec<String>,
    },

    /// The NAS does not publish the API, or not in a version this call needs. Nothing was sent.
    #[error(
        "{api} version {needed_version}+ is not available on this NAS ({}){}",
        available_text(available),
        suggestions_text(suggestions)
    )]
    Unsupported {
        /// The API needed.
        api: &'static str,
        /// The lowest version the call needs (method and parameters included).
        needed_version: u32,
        /// The versions the NAS publishes, when it publishes the API at all.
        available: Option<(u32, u32)>,
        /// The closest API names the NAS does publish.
        suggestions: Vec<String>,
    },

    /// The HTTP status was not a success.
    #[error("{api} {method}: HTTP status {status}")]
    Http {
        /// The API called.
        api: &'static str,
        /// The method called.
        method: &'static str,
        /// The status code.
        status: u16,
    },

    /// The response could not be decoded.
    #[error(
        "{api} {method}: cannot decode the response at `{path}`: {message} (body starts: {excerpt:?})"
    )]
    Decode {
        /// The API called.
        api: &'static str,
        /// The method called.
        method: &'static str,
        /// JSON path of the value that failed (`data.connections[0].conn_id`), empty when the
        /// body is not JSON at all.
        path: String,
        /// What was wrong.
        message: String,
        /// The start of the body (hidden for responses that carry secrets).
        excerpt: String,
    },

    /// The server did not answer within the configured timeout.
    #[error("{api} {method}: timed out")]
    Timeout {
        /// The API called.
        api: &'static str,
        /// The method called.
        method: &'static str,
    },

    /// The request could not be sent or the response not read (connection refused or reset,
    /// TLS failure, ...). The source carries no URL.
    #[error("{api} {method}: transport error: {source}")]
    Transport {
        /// The API called.
        api: &'static str,
        /// The method called.
        method: &'static str,
        /// The underlying error, stripped of its URL.
        #[source]
        source: reqwest::Error,
    },

    /// A parameter value could not be encoded for the wire.
    #[error("{api} {method}: parameter `{param}` cannot be encoded: {reason}")]
    InvalidParameter {
        /// The API called.
        api: &'static str,
        /// The method called.
        method: &'static str,
        /// The parameter.
        param: &'static str,
        /// Why.
        reason: String,
    },

    /// The client could not be built (bad base URL, TLS setup).
    #[error("invalid client configuration: {0}")]
    Config(String),
}

impl Error {
    /// The DSM error code, for [`Error::Api`].
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }
}

fn describe(kind: ErrorKind, description: &Option<&'static str>) -> String {
    match description {
        Some(d) => d.to_lowercase(),
        None => format!("{kind:?}"),
    }
}

fn detail_text(detail: &Option<serde_json::Value>) -> String {
    match detail {
        Some(d) => format!(", detail: {}", excerpt(d.to_string().as_bytes())),
        None => String::new(),
    }
}

fn available_text(available: &Option<(u32, u32)>) -> String {
    match available {
        Some((lo, hi)) => format!("it offers versions {lo}-{hi}"),
        None => "it does not publish this API".into(),
    }
}

fn suggestions_text(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; it does publish {}", s.join(", "))
    }
}

/// The first 200 characters of a body, for error messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX * 4)]);
    let mut out: String = text.chars().take(MAX).collect();
    if text.chars().count() > MAX || body.len() > MAX * 4 {
        out.push('…');
    }
    out
}
