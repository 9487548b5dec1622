//! `Client`: the HTTP transport, the session and the discovery cache, shared by every clone.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tracing::Instrument;

use crate::discovery::{Discovery, Target};
use crate::generated::api::{LoginResult, auth, info};
use crate::rt::{self, Params};
use crate::secret::Secret;
use crate::{Error, ErrorKind};

/// A DSM client. Cheap to clone: clones share the session, the discovery cache and the
/// connection pool. Its `Debug` shows no secret.
///
/// ```no_run
/// # async fn run() -> Result<(), synology_client::Error> {
/// use synology_client::Client;
/// let client = Client::builder("https://nas.example.com:5001").build()?;
/// client.login("admin", "password").await?;
/// let list = client.cloud_sync().connection().list().send().await?;
/// println!("{} connections", list.total);
/// client.logout().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base: String,
    http: reqwest::Client,
    session_name: String,
    state: RwLock<SessionState>,
    /// Held while logging in again, so that concurrent calls that lost the session cause one
    /// login between them.
    relogin: tokio::sync::Mutex<()>,
    discovery: tokio::sync::OnceCell<Discovery>,
}

/// The session and what is needed to open it again.
#[derive(Default)]
struct SessionState {
    session: Option<std::sync::Arc<Session>>,
    /// Bumped by every login: a call that lost the session at generation `g` logs in again
    /// only if no other call already did (the generation is still `g`).
    generation: u64,
    /// Credentials for logging in again: never an OTP code (it is single-use), the device
    /// token instead when there is one. `None` after logout.
    login: Option<Login>,
    device_token: Option<DeviceToken>,
}

#[derive(Clone)]
struct Session {
    sid: Secret,
    synotoken: Option<Secret>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base)
            .field("logged_in", &self.is_logged_in())
            .field("discovered", &self.inner.discovery.initialized())
            .finish_non_exhaustive()
    }
}

/// A device token: after a login with an OTP code, DSM issues one so that later logins from
/// the same device need no code. Persist it (it is a secret) and pass it to
/// [`Login::device_token`].
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceToken(Secret);

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

/// Login credentials and options, for [`Client::login_with`].
#[derive(Clone, Debug)]
pub struct Login {
    account: String,
    password: Secret,
    otp_code: Option<Secret>,
    device_name: Option<String>,
    device_token: Option<DeviceToken>,
}

impl Login {
    /// An account and its password.
    pub fn new(account: &str, password: &str) -> Self {
        Login {
            account: account.to_owned(),
            password: Secret::new(password),
            otp_code: None,
            device_name: None,
            device_token: None,
        }
    }

    /// A 2-factor code (TOTP) for an account with 2FA.
    pub fn otp_code(mut self, code: &str) -> Self {
        self.otp_code = Some(Secret::new(code));
        self
    }

    /// Ask DSM for a device token issued to this name (with an OTP code; DSM 6+).
    pub fn device_name(mut self, name: &str) -> Self {
        self.device_name = Some(name.to_owned());
        self
    }

    /// A device token from an earlier OTP login, in place of an OTP code (DSM 6+).
    pub fn device_token(mut self, token: DeviceToken) -> Self {
        self.device_token = Some(token);
        self
    }
}

/// Builds a [`Client`]; get one from [`Client::builder`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    base: String,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    root_certificates: Vec<reqwest::Certificate>,
    accept_invalid_certificates: bool,
    session_name: String,
    error: Option<String>,
}

impl ClientBuilder {
    /// Timeout for a whole request, from sending to the last byte of the answer.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Timeout for opening a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Trusts extra root certificates (PEM, one or several), such as the CA of the
    /// self-signed certificate a DSM box ships with. Verification stays on. A PEM with no
    /// certificate in it makes `build()` fail.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        match reqwest::Certificate::from_pem_bundle(pem) {
            Ok(certs) if !certs.is_empty() => self.root_certificates.extend(certs),
            Ok(_) => self.error = Some("the root certificate PEM holds no certificate".into()),
            Err(e) => self.error = Some(format!("bad root certificate PEM: {}", e.without_url())),
        }
        self
    }

    /// Accepts any TLS certificate, even an invalid or self-signed one. Only for a NAS you
    /// reach over a network you trust: the connection can then be intercepted.
    pub fn danger_accept_invalid_certificates(mut self, accept: bool) -> Self {
        self.accept_invalid_certificates = accept;
        self
    }

    /// The session name sent at login (`session`); default `synology-client`.
    pub fn session_name(mut self, name: &str) -> Self {
        self.session_name = name.to_owned();
        self
    }

    /// Builds the client. Fails on a base URL that is not `http(s)://host[:port]` and on bad
    /// TLS settings.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(e) = self.error {
            return Err(Error::Config(e));
        }
        let url = reqwest::Url::parse(&self.base)
            .map_err(|e| Error::Config(format!("bad base URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(Error::Config(
                "the base URL must be http:// or https:// with a host".into(),
            ));
        }
        if url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(Error::Config(
                "the base URL must not carry credentials, a query or a fragment".into(),
            ));
        }
        let mut http = reqwest::Client::builder()
            .tls_danger_accept_invalid_certs(self.accept_invalid_certificates)
            .tls_certs_merge(self.root_certificates);
        if let Some(t) = self.timeout {
            http = http.timeout(t);
        }
        if let Some(t) = self.connect_timeout {
            http = http.connect_timeout(t);
        }
        let http = http.build().map_err(|e| {
            Error::Config(format!("cannot build the HTTP client: {}", e.without_url()))
        })?;
        Ok(Client {
            inner: Arc::new(Inner {
                base: url.as_str().trim_end_matches('/').to_owned(),
                http,
                session_name: self.session_name,
                state: RwLock::new(SessionState::default()),
                relogin: tokio::sync::Mutex::new(()),
                discovery: tokio::sync::OnceCell::new(),
            }),
        })
    }
}

impl Client {
    /// Starts building a client for the NAS at `base_url` (`https://nas.example.com:5001`).
    pub fn builder(base_url: &str) -> ClientBuilder {
        ClientBuilder {
            base: base_url.to_owned(),
            timeout: None,
            connect_timeout: None,
            root_certificates: Vec::new(),
            accept_invalid_certificates: false,
            session_name: "synology-client".to_owned(),
            error: None,
        }
    }

    /// Logs in with an account and password.
    pub async fn login(&self, account: &str, password: &str) -> Result<(), Error> {
        self.login_with(Login::new(account, password)).await
    }

    /// Logs in with the options of `login` (OTP code, device token). After an OTP login, DSM 6+
    /// issues a device token ([`Client::device_token`]) that later logins use in place of a
    /// code; so does the automatic re-login when DSM drops the session (106, 107, 119).
    pub async fn login_with(&self, login: Login) -> Result<(), Error> {
        let version = self
            .discovery()
            .await?
            .resolve_version(auth::LOGIN.api, auth::LOGIN.min_version)?
            .version;
        let mut params = Params::new(&auth::LOGIN)
            .with_named("account", login.account.as_str())
            .with_named("passwd", login.password.expose())
            .with_named("session", self.inner.session_name.as_str())
            .with_named_yes_no("enable_syno_token", true);
        if let Some(otp) = &login.otp_code {
            params = params.with_named("otp_code", otp.expose());
        }
        if version >= 6 {
            if let Some(token) = &login.device_token {
                params = params.with_named("device_id", token.expose());
            }
            if let (Some(name), Some(_)) = (&login.device_name, &login.otp_code) {
                params = params
                    .with_named_yes_no("enable_device_token", true)
                    .with_named("device_name", name.as_str());
            }
        }
        // Straight to the wire: a login never retries through a re-login.
        let (body, _) = self.execute(&params).await?;
        let result: LoginResult = rt::decode(params.meta, &body).map_err(otp_required)?;
        // DSM 6 answers `did`, DSM 7 `device_id`; either may come from any version.
        let issued = result
            .did
            .or(result.device_id)
            .filter(|t| !t.expose().is_empty())
            .map(DeviceToken);
        let device_token = issued.or_else(|| login.device_token.clone());
        let session = Session {
            sid: result.sid,
            // DSM 7 answers a placeholder when it issued no token.
            synotoken: result
                .synotoken
                .filter(|t| !t.expose().is_empty() && t.expose() != "--------"),
        };
        let mut state = self.state_mut();
        state.session = Some(std::sync::Arc::new(session));
        state.generation += 1;
        state.login = Some(Login {
            otp_code: None,
            device_token: device_token.clone(),
            ..login
        });
        state.device_token = device_token;
        tracing::debug!(generation = state.generation, "logged in");
        Ok(())
    }

    /// Logs out, so DSM frees the session, and forgets the credentials (no automatic
    /// re-login follows). Does nothing when not logged in.
    pub async fn logout(&self) -> Result<(), Error> {
        if !self.is_logged_in() {
            return Ok(());
        }
        let params =
            Params::new(&auth::LOGOUT).with_named("session", self.inner.session_name.as_str());
        let result = rt::call_unit(self, params).await;
        // The session is gone for us either way; a failed logout only leaves it to expire.
        let mut state = self.state_mut();
        state.session = None;
        state.login = None;
        result
    }

    /// Whether a login succeeded and no logout followed.
    pub fn is_logged_in(&self) -> bool {
        self.state().session.is_some()
    }

    /// The device token DSM issued at the last OTP login (or the one given to it), for the
    /// caller to persist.
    pub fn device_token(&self) -> Option<DeviceToken> {
        self.state().device_token.clone()
    }

    fn state(&self) -> std::sync::RwLockReadGuard<'_, SessionState> {
        self.inner.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn state_mut(&self) -> std::sync::RwLockWriteGuard<'_, SessionState> {
        self.inner.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends a request and decodes it; when DSM says the session is gone (106, 107, 119), logs
    /// in again once (single-flight across concurrent calls) and retries once. A second
    /// failure is returned as it is.
    pub(crate) async fn run<T>(
        &self,
        params: &Params,
        decode: impl Fn(&'static crate::rt::MethodMeta, &[u8]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let meta = params.meta;
        let (body, generation) = self.execute(params).await?;
        match decode(meta, &body) {
            Err(Error::Api {
                code: 106 | 107 | 119,
                ..
            }) if meta.session && self.can_relogin() => {
                tracing::info!(
                    api = meta.api.name,
                    method = meta.name,
                    "session lost; logging in again"
                );
                // Rare paths, boxed: the call's future stays small (it is moved on every call).
                Box::pin(self.relogin(generation)).await?;
                let (body, _) = Box::pin(self.execute(params)).await?;
                decode(meta, &body)
            }
            other => other,
        }
    }

    fn can_relogin(&self) -> bool {
        self.state().login.is_some()
    }

    /// Logs in again unless another call already did since `seen`.
    async fn relogin(&self, seen: u64) -> Result<(), Error> {
        let _one_at_a_time = self.inner.relogin.lock().await;
        let login = {
            let state = self.state();
            if state.generation != seen {
                return Ok(());
            }
            state.login.clone()
        };
        match login {
            Some(login) => self.login_with(login).await,
            None => Ok(()),
        }
    }

    /// Whether the NAS publishes the API `name` (`SYNO.CloudSync`), asking it once.
    pub async fn has_api(&self, name: &str) -> Result<bool, Error> {
        Ok(self.discovery().await?.has(name))
    }

    async fn discovery(&self) -> Result<&Discovery, Error> {
        self.inner
            .discovery
            .get_or_try_init(|| {
                // Once per client, boxed so that every call's future does not carry it.
                Box::pin(async {
                    let params = Params::new(&info::QUERY).with_named("query", "all");
                    let target = Target {
                        path: info::API.path,
                        version: info::API.max_version,
                    };
                    let body = self.send(&params, target).await?;
                    rt::decode(params.meta, &body).map(Discovery::new)
                })
            })
            .await
    }

    /// Sends one request where discovery says (after checking versions) and returns the body
    /// with the session generation it was sent with.
    async fn execute(&self, params: &Params) -> Result<(bytes::Bytes, u64), Error> {
        if let Some(e) = params.invalid() {
            return Err(e);
        }
        let target = self.discovery().await?.resolve(params)?;
        let generation = self.state().generation;
        Ok((self.send(params, target).await?, generation))
    }

    /// Sends one request to `target` and returns the body of a successful HTTP answer.
    async fn send(&self, params: &Params, target: Target<'_>) -> Result<bytes::Bytes, Error> {
        let meta = params.meta;
        let Target { path, version } = target;
        let verb = if meta.post { "POST" } else { "GET" };
        let span = tracing::debug_span!(
            "dsm_call",
            api = meta.api.name,
            method = meta.name,
            version,
            verb,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty
        );
        let result = async {
            let mut digits = [0u8; 10];
            let version = decimal(version, &mut digits);
            let session = if meta.session {
                self.state().session.clone()
            } else {
                None
            };
            let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(4 + meta.params.len());
            pairs.extend([
                ("api", meta.api.name),
                ("version", version),
                ("method", meta.name),
            ]);
            if let Some(s) = &session {
                pairs.push(("_sid", s.sid.expose()));
            }
            pairs.extend(params.pairs());
            let url = format!("{}/webapi/{path}", self.inner.base);
            let request = if meta.post {
                self.inner.http.post(url).form(&pairs)
            } else {
                self.inner.http.get(url).query(&pairs)
            };
            let request = match session.as_ref().and_then(|s| s.synotoken.as_ref()) {
                Some(token) => request.header("X-SYNO-TOKEN", token.expose()),
                None => request,
            };
            let transport = |e: reqwest::Error| {
                if e.is_timeout() {
                    Error::Timeout {
                        api: meta.api.name,
                        method: meta.name,
                    }
                } else {
                    Error::Transport {
                        api: meta.api.name,
                        method: meta.name,
                        source: e.without_url(),
                    }
                }
            };
            let response = request.send().await.map_err(transport)?;
            let status = response.status();
            span.record("status", status.as_u16());
            if !status.is_success() {
                return Err(Error::Http {
                    api: meta.api.name,
                    method: meta.name,
                    status: status.as_u16(),
                });
            }
            response.bytes().await.map_err(transport)
        };
        // With no subscriber listening, the span is disabled: skip entering it on every poll
        // (about 0.6% of a call's instructions under callgrind).
        if span.is_disabled() {
            return result.await;
        }
        let started = Instant::now();
        let result = result.instrument(span.clone()).await;
        // Recorded on every outcome; the span closes when this function returns.
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        if let Err(e) = &result {
            tracing::debug!(parent: &span, error = %e, "DSM call failed");
        }
        result
    }
}

/// `n` in decimal, written into `buf` (no allocation per call).
fn decimal(mut n: u32, buf: &mut [u8; 10]) -> &str {
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[start..]).unwrap_or("0")
}

/// Login answers 403 or 406 when it needs a 2-factor code.
fn otp_required(e: Error) -> Error {
    match e {
        Error::Api {
            kind: ErrorKind::OtpRequired | ErrorKind::OtpEnforced,
            detail,
            ..
        } => {
            let types = detail
                .as_ref()
                .and_then(|d| d.get("types"))
                .and_then(|t| t.as_array())
                .map(|list| {
                    list.iter()
                        .filter_map(|t| t.get("type").and_then(|v| v.as_str()).map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            Error::OtpRequired { types }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimal_writes_every_u32() {
        for n in [0, 1, 7, 10, 99, 100, 4_294_967_295, 123_456_789] {
            assert_eq!(super::decimal(n, &mut [0; 10]), n.to_string());
        }
    }
}
