//! `Client`: the HTTP client, the settings, the discovery cache and the session, shared by
//! every clone; the calls' path from a request builder to the wire.

use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use crate::Error;
use crate::discovery::{Discovery, Target};
use crate::generated::api::info;
use crate::op::Op;
use crate::rt::{self, Params};
use crate::session::{self, InFlight, SessionState};
use crate::settings::Settings;

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
    pub(crate) inner: Arc<Inner>,
    /// This view's whole-request timeout ([`Client::with_timeout`]); the settings' otherwise.
    pub(crate) timeout: Option<Duration>,
}

pub(crate) struct Inner {
    /// `scheme://host[:port]`, no trailing slash.
    pub(crate) base: String,
    pub(crate) base_url: reqwest::Url,
    pub(crate) http: reqwest::Client,
    pub(crate) session_name: String,
    pub(crate) settings: Settings,
    pub(crate) state: RwLock<SessionState>,
    discovered: OnceLock<Discovery>,
    /// The discovery in flight, shared by every call that needs it meanwhile.
    discovering: Mutex<Option<InFlight>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base)
            .field("logged_in", &self.is_logged_in())
            .field("discovered", &self.inner.discovered.get().is_some())
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]; get one from [`Client::builder`]. Every limit starts at its safe
/// default ([`Settings`]); each setter loosens or tightens one.
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    base: String,
    settings: Settings,
    root_certificates: Vec<reqwest::Certificate>,
    accept_invalid_certificates: bool,
    session_name: String,
    error: Option<String>,
}

impl ClientBuilder {
    /// Time for a whole request, from sending it to the last byte of the answer (default
    /// [`Settings::DEFAULT_TIMEOUT`]). A call can set its own with [`Client::with_timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// Time for opening a connection, TLS included (default
    /// [`Settings::DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// Largest response body read, in bytes (default
    /// [`Settings::DEFAULT_MAX_RESPONSE_SIZE`]): a declared length over it fails before the
    /// body is read, a longer body as soon as the limit is passed. For a paginated stream it
    /// limits each page, not the whole stream. It applies to discovery too: DSM 7's
    /// `SYNO.API.Info` answer is about 205 kB, so a limit under 256 kB breaks a real NAS.
    pub fn max_response_size(mut self, bytes: u64) -> Self {
        self.settings.max_response_size = bytes;
        self
    }

    /// The wait after a failed automatic re-login (`initial`, doubled on each further
    /// failure up to `max`) during which calls fail at once instead of logging in again
    /// (defaults [`Settings::DEFAULT_RELOGIN_BACKOFF`] and
    /// [`Settings::DEFAULT_RELOGIN_BACKOFF_MAX`]). A login DSM refuses is never retried.
    pub fn relogin_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.settings.relogin_backoff = initial;
        self.settings.relogin_backoff_max = max;
        self
    }

    /// Accepts `http://` to a host that is not loopback. Off by default: the password, the
    /// session id and every answer would cross the network in clear. Loopback addresses
    /// (`127.0.0.0/8`, `::1`, `localhost`) never need it.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.settings.allow_insecure_http = allow;
        self
    }

    /// Accepts gzip-compressed answers (default [`Settings::DEFAULT_GZIP`]): requests say
    /// `Accept-Encoding: gzip`, and a compressed answer is decompressed while it is read, the
    /// [size limit](Self::max_response_size) counting the decompressed bytes. Off, requests
    /// ask for no compression, even when another crate in the build turns on reqwest's own
    /// decompression. Other encodings (brotli, deflate, zstd) are never asked for.
    ///
    /// Without the crate feature `gzip` the client cannot decompress: `gzip(true)` then
    /// changes nothing and [`Settings::gzip`] stays false (a server that compresses only when
    /// asked answers plainly).
    pub fn gzip(mut self, enable: bool) -> Self {
        self.settings.gzip = enable && cfg!(feature = "gzip");
        self
    }

    /// Idle connections kept open to the NAS for later calls (default
    /// [`Settings::DEFAULT_POOL_MAX_IDLE_PER_HOST`]); a connection freed while this many are
    /// idle is closed. From 1 up, calls one after the other reuse an open connection; 0 keeps
    /// none, so that every call opens (and for HTTPS, handshakes) its own.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.settings.pool_max_idle_per_host = max;
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

    /// Builds the client. Fails on a base URL that is not `http(s)://host[:port]`, on plain
    /// `http://` to a host that is not loopback without
    /// [`allow_insecure_http`](Self::allow_insecure_http), on a zero timeout or size limit,
    /// and on bad TLS settings.
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
        if url.scheme() == "http" && !self.settings.allow_insecure_http && !is_loopback(&url) {
            return Err(Error::Config(format!(
                "http:// to {} would send the password and the session in clear; use https://, \
                 or opt in with ClientBuilder::allow_insecure_http(true) \
                 (CLI: --allow-insecure-http or SYNOLOGY_ALLOW_INSECURE_HTTP=1)",
                url.host_str().unwrap_or_default()
            )));
        }
        let s = &self.settings;
        if s.timeout.is_zero() || s.connect_timeout.is_zero() {
            return Err(Error::Config("timeouts must be longer than zero".into()));
        }
        if s.max_response_size == 0 {
            return Err(Error::Config(
                "the response size limit must be at least one byte".into(),
            ));
        }
        if s.relogin_backoff.is_zero() || s.relogin_backoff_max < s.relogin_backoff {
            return Err(Error::Config(
                "the re-login backoff must be longer than zero and its maximum at least as long"
                    .into(),
            ));
        }
        let http = reqwest::Client::builder()
            // A redirect would carry the session (or the login form) to another origin.
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .connect_timeout(s.connect_timeout)
            .pool_max_idle_per_host(s.pool_max_idle_per_host)
            .tls_danger_accept_invalid_certs(self.accept_invalid_certificates)
            .tls_certs_merge(self.root_certificates);
        // Set both ways: another crate in the build may turn reqwest's decompression on.
        let http = accept_gzip(http, s.gzip)
            .no_brotli()
            .no_deflate()
            .no_zstd()
            .build()
            .map_err(|e| {
                Error::Config(format!("cannot build the HTTP client: {}", e.without_url()))
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                base: url.as_str().trim_end_matches('/').to_owned(),
                base_url: url,
                http,
                session_name: self.session_name,
                settings: self.settings,
                state: RwLock::new(SessionState::default()),
                discovered: OnceLock::new(),
                discovering: Mutex::new(None),
            }),
            timeout: None,
        })
    }
}

/// reqwest's gzip decompression, on or off.
#[cfg(feature = "gzip")]
fn accept_gzip(http: reqwest::ClientBuilder, on: bool) -> reqwest::ClientBuilder {
    http.gzip(on)
}

/// reqwest's gzip decompression, off: this build cannot decompress.
#[cfg(not(feature = "gzip"))]
fn accept_gzip(http: reqwest::ClientBuilder, _: bool) -> reqwest::ClientBuilder {
    http.no_gzip()
}

/// Whether the URL's host is a loopback address or `localhost` (RFC 6761).
fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => {
            let host = host.trim_end_matches('.').to_ascii_lowercase();
            host == "localhost" || host.ends_with(".localhost")
        }
    }
}

impl Client {
    /// Starts building a client for the NAS at `base_url` (`https://nas.example.com:5001`).
    pub fn builder(base_url: &str) -> ClientBuilder {
        ClientBuilder {
            base: base_url.to_owned(),
            settings: Settings::default(),
            root_certificates: Vec::new(),
            accept_invalid_certificates: false,
            session_name: "synology-client".to_owned(),
            error: None,
        }
    }

    /// The limits and timeouts this client runs with.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The same client (session, discovery, connections) with another whole-request timeout
    /// for the calls made through it: `client.with_timeout(d).cloud_sync().get_log(1).send()`.
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        Client {
            inner: self.inner.clone(),
            timeout: Some(timeout),
        }
    }

    pub(crate) fn state(&self) -> std::sync::RwLockReadGuard<'_, SessionState> {
        self.inner.state.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn state_mut(&self) -> std::sync::RwLockWriteGuard<'_, SessionState> {
        self.inner.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends a generated request and decodes it (see [`Client::run_op`]).
    pub(crate) async fn run<T>(
        &self,
        params: &Params,
        decode: impl Fn(&Op, &[u8]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        if let Some(e) = params.invalid() {
            return Err(e);
        }
        let op = Op::of(params.meta);
        let target = self.discovery().await?.resolve(params)?;
        let pairs: Vec<(&str, &str)> = params.pairs().collect();
        self.run_op(&op, &target, &pairs, decode).await
    }

    /// The call path of every request, generated or raw: sends `params` for `op` to
    /// `target` (with the session when `op` needs one) and decodes the answer; when DSM says
    /// the session is gone (106, 107, 119), logs in again once (single-flight across
    /// concurrent calls) and retries once. A second failure is returned as it is.
    pub(crate) async fn run_op<T>(
        &self,
        op: &Op,
        target: &Target<'_>,
        params: &[(&str, &str)],
        decode: impl Fn(&Op, &[u8]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let (body, generation) = self.execute(op, target, params).await?;
        match decode(op, &body) {
            Err(Error::Api {
                code: 106 | 107 | 119,
                ..
            }) if op.session && self.can_relogin() => {
                tracing::info!(
                    api = &*op.api,
                    method = &*op.method,
                    "session lost; logging in again"
                );
                // Rare paths, boxed: the call's future stays small (it is moved on every call).
                Box::pin(self.relogin(generation)).await?;
                let (body, _) = Box::pin(self.execute(op, target, params)).await?;
                decode(op, &body)
            }
            other => other,
        }
    }

    /// Every API the NAS publishes (its `SYNO.API.Info` answer, hostile entries left out),
    /// sorted by name, asking it once.
    pub async fn published_apis(&self) -> Result<Vec<crate::PublishedApi>, Error> {
        Ok(self.discovery().await?.published())
    }

    /// Whether the NAS publishes the API `name` (`SYNO.CloudSync`), asking it once.
    pub async fn has_api(&self, name: &str) -> Result<bool, Error> {
        Ok(self.discovery().await?.has(name))
    }

    /// What the NAS publishes, asked once per client; calls that need it while it is asked
    /// share that one request and its outcome.
    pub(crate) async fn discovery(&self) -> Result<&Discovery, Error> {
        match self.inner.discovered.get() {
            Some(discovery) => Ok(discovery),
            // Once per client, boxed so that every call's future does not carry it.
            None => Box::pin(self.discover()).await,
        }
    }

    async fn discover(&self) -> Result<&Discovery, Error> {
        loop {
            let outcome = {
                let mut pending = self.discovering();
                if let Some(discovery) = self.inner.discovered.get() {
                    return Ok(discovery);
                }
                match pending.as_ref().and_then(InFlight::upgrade) {
                    Some(outcome) => outcome,
                    None => {
                        let outcome = session::share(self.clone().discover_task());
                        *pending = outcome.downgrade();
                        outcome
                    }
                }
            };
            self.bounded(&info::QUERY, outcome).await?;
        }
    }

    /// Waits for a shared discovery or re-login no longer than this view's timeout: one
    /// started by a client view with a longer timeout must not hold this call longer.
    pub(crate) async fn bounded(
        &self,
        meta: &'static crate::rt::MethodMeta,
        outcome: session::Outcome,
    ) -> Result<(), Error> {
        match tokio::time::timeout(self.timeout(), outcome).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout {
                api: meta.api.name.into(),
                method: meta.name.into(),
            }),
        }
    }

    /// Asks `SYNO.API.Info` once; the answer is cached before the outcome is shared.
    async fn discover_task(self) -> Result<(), Error> {
        let result = async {
            let params = Params::new(&info::QUERY).with_named("query", "all");
            let target = Target {
                path: info::API.path,
                version: info::API.max_version,
            };
            let body = self.send_params(&params, &target, None).await?;
            rt::decode(params.meta, &body).map(Discovery::from_answer)
        }
        .await;
        let mut pending = self.discovering();
        *pending = None;
        let _ = self.inner.discovered.set(result?);
        Ok(())
    }

    fn discovering(&self) -> std::sync::MutexGuard<'_, Option<InFlight>> {
        self.inner
            .discovering
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Sends one request, with the session when `op` needs one, and returns the body with
    /// the session generation it was sent with.
    async fn execute(
        &self,
        op: &Op,
        target: &Target<'_>,
        params: &[(&str, &str)],
    ) -> Result<(bytes::Bytes, u64), Error> {
        if !op.session {
            let generation = self.state().generation;
            return Ok((self.send(op, target, params, None).await?, generation));
        }
        let (session, generation) = self.session_for_call().await?;
        let body = self.send(op, target, params, session.as_deref()).await?;
        Ok((body, generation))
    }
}
