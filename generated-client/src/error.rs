//! The one error type of the client.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use crate::ErrorKind;

/// Everything a call can fail with. Messages never contain a password, OTP code, session id
/// or token, nor a path or query a server redirected to.
///
/// `Clone`, so that the calls sharing one discovery or one re-login all get its outcome.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// DSM answered `success: false`.
    #[error("{api} {method} failed with DSM code {code} ({}){}", describe(*kind, description), detail_text(detail))]
    Api {
        /// The API called.
        api: Cow<'static, str>,
        /// The method called.
        method: Cow<'static, str>,
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
        "{}{}",
        unsupported_text(api, *needed_version, available),
        suggestions_text(suggestions)
    )]
    Unsupported {
        /// The API needed.
        api: Cow<'static, str>,
        /// The lowest version the call needs (method and parameters included).
        needed_version: u32,
        /// The versions the NAS publishes, when it publishes the API at all.
        available: Option<(u32, u32)>,
        /// The closest API names the NAS does publish.
        suggestions: Vec<String>,
    },

    /// The NAS publishes the API, but none of the versions it offers has the method: the
    /// method is only in some versions of the API (a newer version dropped it, say), and the
    /// NAS's range misses them all. Nothing was sent.
    #[error(
        "{api} {method} is only in API {}; this NAS offers versions {}-{}",
        versions_text(offered),
        available.0,
        available.1
    )]
    VersionNotOffered {
        /// The API needed.
        api: Cow<'static, str>,
        /// The method called.
        method: Cow<'static, str>,
        /// The API versions that have the method, ascending, from the lowest this call's
        /// parameters need.
        offered: Vec<u32>,
        /// The versions the NAS publishes for the API.
        available: (u32, u32),
    },

    /// The HTTP status was not a success.
    #[error("{api} {method}: HTTP status {status}")]
    Http {
        /// The API called.
        api: Cow<'static, str>,
        /// The method called.
        method: Cow<'static, str>,
        /// The status code.
        status: u16,
    },

    /// The response could not be decoded.
    #[error(
        "{api} {method}: cannot decode the response at `{path}`: {message} (body starts: {excerpt:?})"
    )]
    Decode {
        /// The API called.
        api: Cow<'static, str>,
        /// The method called.
        method: Cow<'static, str>,
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
        api: Cow<'static, str>,
        /// The method called.
        method: Cow<'static, str>,
    },

    /// The request could not be sent or the response not read (connection refused or reset,
    /// TLS failure, ...). The source carries no URL.
    #[error("{api} {method}: transport error: {source}")]
    Transport {
        /// The API called.
        api: Cow<'static, str>,
        /// The method called.
        method: Cow<'static, str>,
        /// The underlying error (a `reqwest::Error` stripped of its URL, which
        /// `downcast_ref` reaches), shared so that the error can be cloned.
        #[source]
        source: Arc<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// The server answered with a redirect (HTTP 3xx). Redirects are never followed: the
    /// next request would carry the session (and, for a login, the password) to wherever the
    /// server points. Nothing was sent there.
    #[error("{api} {method}: the server answered HTTP {status}, a redirect{}; redirects are never followed{}", target_text(to), redirect_hint(to, *https_upgrade))]
    Redirect {
        /// The API called.
        api: Cow<'static, str>,
        /// The method called.
        method: Cow<'static, str>,
        /// The status (301, 302, 303, 307, 308, ...).
        status: u16,
        /// The origin (`https://nas.example.com:5001`) of the `Location`, never its path or
        /// query; `None` when the answer named no usable location.
        to: Option<String>,
        /// The target is the same host over HTTPS: DSM's "redirect HTTP to HTTPS" setting.
        https_upgrade: bool,
    },

    /// The response body is larger than the client's limit
    /// ([`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size)). The
    /// body was not read past the limit.
    #[error(
        "{api} {method}: the response is larger than the limit of {limit} bytes{}; raise it with ClientBuilder::max_response_size",
        declared_text(declared)
    )]
    ResponseTooLarge {
        /// The API called.
        api: Cow<'static, str>,
        /// The method called.
        method: Cow<'static, str>,
        /// The limit, in bytes.
        limit: u64,
        /// The `Content-Length` the server declared, when it declared one over the limit.
        declared: Option<u64>,
    },

    /// A paginated stream stopped because the server brought no progress: an empty page
    /// before the announced total, a page repeating the previous one (the server ignores the
    /// offset), or more pages than the total allows. The items before it were yielded.
    #[error("{api} {method}: the stream stopped after {requests} requests: {reason}")]
    StreamStalled {
        /// The API called.
        api: Cow<'static, str>,
        /// The method called.
        method: Cow<'static, str>,
        /// Requests sent by the stream, the failing one included.
        requests: u64,
        /// What the server did.
        reason: String,
    },

    /// The session ended and the client will not log in again by itself: the automatic
    /// re-login was refused (wrong password, account disabled or locked, IP blocked, 2FA
    /// needed, ...: no `SYNO.API.Auth` error is retried), or `logout()` was called while it
    /// ran. Every call needing a session fails with this, without sending, until the next
    /// [`Client::login`](crate::Client::login).
    #[error(
        "the session ended and was not renewed: {}; log in again",
        ended_text(cause)
    )]
    SessionEnded {
        /// Why the re-login failed; `None` when `logout()` ended the session.
        cause: Option<Box<Error>>,
    },

    /// The automatic re-login failed for a reason that may pass (network, timeout, server
    /// error). Until the backoff ends, calls needing a session fail with this at once.
    #[error("logging in again failed ({cause}); next attempt in {} ms at the earliest", retry_in.as_millis())]
    ReloginBackoff {
        /// The last re-login failure.
        cause: Box<Error>,
        /// Time left before the next attempt.
        retry_in: Duration,
    },

    /// A parameter value could not be encoded for the wire.
    #[error("{api} {method}: parameter `{param}` cannot be encoded: {reason}")]
    InvalidParameter {
        /// The API called.
        api: Cow<'static, str>,
        /// The method called.
        method: Cow<'static, str>,
        /// The parameter.
        param: Cow<'static, str>,
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

    /// The API the failed call named, for the variants that carry one.
    pub fn api(&self) -> Option<&str> {
        match self {
            Error::Api { api, .. }
            | Error::Unsupported { api, .. }
            | Error::VersionNotOffered { api, .. }
            | Error::Http { api, .. }
            | Error::Decode { api, .. }
            | Error::Timeout { api, .. }
            | Error::Transport { api, .. }
            | Error::Redirect { api, .. }
            | Error::ResponseTooLarge { api, .. }
            | Error::StreamStalled { api, .. }
            | Error::InvalidParameter { api, .. } => Some(api),
            _ => None,
        }
    }

    /// The method the failed call named, for the variants that carry one.
    pub fn method(&self) -> Option<&str> {
        match self {
            Error::Api { method, .. }
            | Error::VersionNotOffered { method, .. }
            | Error::Http { method, .. }
            | Error::Decode { method, .. }
            | Error::Timeout { method, .. }
            | Error::Transport { method, .. }
            | Error::Redirect { method, .. }
            | Error::ResponseTooLarge { method, .. }
            | Error::StreamStalled { method, .. }
            | Error::InvalidParameter { method, .. } => Some(method),
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

fn target_text(to: &Option<String>) -> String {
    match to {
        Some(origin) => format!(" to {origin}"),
        None => String::new(),
    }
}

fn redirect_hint(to: &Option<String>, https_upgrade: bool) -> String {
    match to {
        Some(origin) if https_upgrade => {
            format!(" (DSM redirects HTTP to HTTPS: use {origin} as the base URL)")
        }
        _ => " (check the base URL and any proxy in between)".to_owned(),
    }
}

fn declared_text(declared: &Option<u64>) -> String {
    match declared {
        Some(n) => format!(" (it declares {n} bytes)"),
        None => String::new(),
    }
}

fn ended_text(cause: &Option<Box<Error>>) -> String {
    match cause {
        Some(e) => e.to_string(),
        None => "logout() was called".to_owned(),
    }
}

fn unsupported_text(api: &str, needed: u32, available: &Option<(u32, u32)>) -> String {
    match available {
        Some((lo, hi)) => format!(
            "{api} version {needed}+ is not available on this NAS (it offers versions {lo}-{hi})"
        ),
        None => format!("{api} is not published by this NAS"),
    }
}

/// `version 1`, `versions 1, 3`.
fn versions_text(versions: &[u32]) -> String {
    let list: Vec<String> = versions.iter().map(u32::to_string).collect();
    match list.len() {
        1 => format!("version {}", list[0]),
        _ => format!("versions {}", list.join(", ")),
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
