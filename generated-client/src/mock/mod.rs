//! A mock DSM: a real HTTP server on 127.0.0.1, driven entirely by the spec.
//!
//! It checks what a real DSM checks (API exists at that CGI path: 102, also for an API it
//! publishes but the spec does not model; method exists, case-sensitively, in the version
//! asked for: 103; version in range: 104, valid session: 119, required parameters: 114,
//! JSON text where the API's request format is JSON: 120), as leniently as real DSM (either
//! HTTP verb, `SYNO.API.Auth` also at `auth.cgi`; [`MockConfig::strict`] checks more),
//! answers each method's documented example (or the spec's `mock_data` for the DSM release
//! it acts as: [`Persona`], [`MockConfig::dsm5`], [`MockConfig::dsm6`], [`MockConfig::dsm7`]),
//! pages through configurable item sets, and records every request with its secrets masked.
//!
//! It stays up when clients misbehave: the request log keeps the most recent
//! [`MockConfig::DEFAULT_REQUEST_LOG_LIMIT`] requests ([`MockConfig::request_log_limit`]);
//! over HTTPS, a TLS handshake that does not finish within
//! [`MockConfig::DEFAULT_TLS_HANDSHAKE_TIMEOUT`] ([`MockConfig::tls_handshake_timeout`]) is
//! dropped, at most 256 handshakes run at once (more connections wait in the kernel's
//! backlog), and accept errors such as running out of file descriptors pause the accept loop
//! (50 ms, doubling up to 1 s) instead of spinning.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockDsm};
//!
//! let dsm = MockDsm::start().await?;
//! let client = dsm.client()?;
//! client.login(DEMO_USER, DEMO_PASSWORD).await?;
//! let list = client.cloud_sync().connection().list().send().await?;
//! assert_eq!(list.total, 1);
//! assert_eq!(dsm.requests().last().unwrap().params["method"], "List");
//! # Ok(()) }
//! ```

mod dispatch;
mod encryption;
mod http;
mod persona;
mod serve;
// The tests call the Cloud Sync APIs the mock models.
#[cfg(all(test, feature = "cloud-sync"))]
mod tests;
mod tls;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::routing::any;
use serde_json::Value;
use tokio::sync::oneshot;

use crate::generated::APIS;
use crate::{Client, Error};

pub use persona::{DSM5_ENTRY_CGI, DSM5_STORAGE_HANDLER, Persona};

/// At most this many TLS handshakes run at once; more connections wait in the backlog.
const MAX_TLS_HANDSHAKES: usize = 256;

/// The mock's built-in account name.
pub const DEMO_USER: &str = "demo";
/// The mock's built-in account password.
pub const DEMO_PASSWORD: &str = "synology-demo";

/// Where and in which versions the mock publishes an API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// CGI file under `/webapi/`.
    pub path: String,
    /// Lowest version.
    pub min_version: u32,
    /// Highest version.
    pub max_version: u32,
}

/// What the mock DSM publishes and accepts.
#[derive(Debug, Clone)]
pub struct MockConfig {
    users: Vec<MockUser>,
    apis: BTreeMap<String, Published>,
    /// `requestFormat` per published API that has one (`JSON`).
    request_formats: BTreeMap<String, String>,
    page_cap: Option<usize>,
    synotoken_placeholder: bool,
    tls: Option<(String, String)>,
    tls_handshake_timeout: Duration,
    idle_timeout: Duration,
    /// At most this many TLS handshakes at once (a test may lower it).
    tls_max_handshakes: usize,
    log_requests: bool,
    request_log_limit: usize,
    /// Compress answers for clients that accept gzip.
    gzip: bool,
    /// Today's wire checks beyond real DSM's ([`MockConfig::strict`]).
    strict: bool,
    /// The DSM release it acts as: which of the spec's `mock_data` it answers.
    persona: Persona,
}

#[derive(Debug, Clone)]
struct MockUser {
    account: String,
    password: String,
    /// The one OTP code this account accepts, when it has 2FA.
    otp: Option<String>,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self::dsm7()
    }
}

impl MockConfig {
    /// How many requests the log keeps by default ([`request_log_limit`](Self::request_log_limit)).
    pub const DEFAULT_REQUEST_LOG_LIMIT: usize = 10_000;

    /// How long a TLS handshake may take by default
    /// ([`tls_handshake_timeout`](Self::tls_handshake_timeout)).
    pub const DEFAULT_TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
    /// How long a connection may send nothing (between requests, or in the middle of a
    /// request head) before the mock closes it
    /// ([`idle_timeout`](Self::idle_timeout)): 65 s, nginx's `keepalive_timeout` default.
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(65);

    /// Like DSM 7: every spec API at its spec path and versions (with `requestFormat: JSON`
    /// for those the spec declares `request_format: json`); `SYNO.API.Auth` at `entry.cgi` up
    /// to version 7; `SYNO.API.Encryption` (also answered at `encryption.cgi`) and
    /// `SYNO.API.Auth.UIConfig` at `entry.cgi`. The demo user can log in, also with DSM's
    /// encrypted login form.
    pub fn dsm7() -> Self {
        let apis = APIS
            .iter()
            .map(|a| {
                let p = Published {
                    path: a.path.to_owned(),
                    min_version: a.min_version,
                    max_version: a.max_version,
                };
                (a.name.to_owned(), p)
            })
            .collect();
        let request_formats = APIS
            .iter()
            .filter(|a| a.json)
            .map(|a| (a.name.to_owned(), "JSON".to_owned()))
            .collect();
        MockConfig {
            users: Vec::new(),
            apis,
            request_formats,
            page_cap: None,
            synotoken_placeholder: false,
            tls: None,
            tls_handshake_timeout: Self::DEFAULT_TLS_HANDSHAKE_TIMEOUT,
            idle_timeout: Self::DEFAULT_IDLE_TIMEOUT,
            tls_max_handshakes: MAX_TLS_HANDSHAKES,
            log_requests: true,
            request_log_limit: Self::DEFAULT_REQUEST_LOG_LIMIT,
            gzip: false,
            strict: false,
            persona: Persona::Dsm7,
        }
        .user(DEMO_USER, DEMO_PASSWORD)
        .api("SYNO.API.Auth", "entry.cgi", 1, 7)
        .api("SYNO.API.Info", "entry.cgi", 1, 1)
        .api("SYNO.API.Encryption", "entry.cgi", 1, 1)
        .api("SYNO.API.Auth.UIConfig", "entry.cgi", 1, 1)
    }

    /// Like DSM 6: `SYNO.API.Auth` at `auth.cgi` up to version 6, `SYNO.API.Info` at
    /// `query.cgi`, `SYNO.API.Encryption` at `encryption.cgi`, no `SYNO.API.Auth.UIConfig`;
    /// answers the spec's `dsm6` data ([`Persona::Dsm6`]).
    pub fn dsm6() -> Self {
        let mut config = Self::dsm7()
            .api("SYNO.API.Auth", "auth.cgi", 1, 6)
            .api("SYNO.API.Info", "query.cgi", 1, 1)
            .api("SYNO.API.Encryption", "encryption.cgi", 1, 1)
            .without_api("SYNO.API.Auth.UIConfig");
        config.persona = Persona::Dsm6;
        config
    }

    /// Like DSM 5.2: `SYNO.API.Auth` at `auth.cgi` up to version 4, `SYNO.API.Info` at
    /// `query.cgi`, `SYNO.API.Encryption` at `encryption.cgi`, no `SYNO.API.Auth.UIConfig`;
    /// every `entry.cgi` API at [`DSM5_ENTRY_CGI`], as DSM 5 lists them; `SYNO.DSM.Info` at
    /// `dsm/info.cgi` in version 1, `SYNO.Core.System` up to version 2, no
    /// `SYNO.Storage.CGI.Storage` in `/webapi/`: storage answers flat at
    /// [`DSM5_STORAGE_HANDLER`] instead. Answers the spec's `dsm5` data ([`Persona::Dsm5`]).
    pub fn dsm5() -> Self {
        let mut config = persona::dsm5_layout(Self::dsm7());
        config.persona = Persona::Dsm5;
        config
    }

    /// The DSM release this configuration acts as: [`Persona::Dsm5`] from
    /// [`dsm5`](Self::dsm5), and so on; from [`from_api_info`](Self::from_api_info), the one
    /// its `SYNO.API.Auth` version says.
    pub fn persona(&self) -> Persona {
        self.persona
    }

    /// Like the NAS that gave `answer`, a recorded `SYNO.API.Info` `query=all` answer (the
    /// whole envelope, or its `data` object): publishes exactly the APIs it lists, at their
    /// paths, versions and request formats, and lists them all when asked. APIs the spec does
    /// not describe are listed but answer code 102 (no such API), as the mock cannot serve
    /// them, except the login page's `SYNO.API.Encryption` and `SYNO.API.Auth.UIConfig`. The
    /// demo user can log in. Its [`persona`](Self::persona), whose `mock_data` it answers,
    /// comes from the highest `SYNO.API.Auth` version listed: 7 or none is DSM 7, 5 or 6 is
    /// DSM 6, 4 or lower DSM 5.
    pub fn from_api_info(answer: &str) -> Result<Self, serde_json::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Answer {
            Envelope {
                data: BTreeMap<String, crate::generated::api::ApiInfoEntry>,
            },
            Bare(BTreeMap<String, crate::generated::api::ApiInfoEntry>),
        }
        let (Answer::Envelope { data: entries } | Answer::Bare(entries)) =
            serde_json::from_str(answer)?;
        let mut config = Self::dsm7();
        config.persona = Persona::of_auth_max(entries.get("SYNO.API.Auth").map(|e| e.max_version));
        config.request_formats = entries
            .iter()
            .filter_map(|(name, e)| Some((name.clone(), e.request_format.clone()?)))
            .collect();
        config.apis = entries
            .into_iter()
            .map(|(name, e)| {
                let published = Published {
                    path: e.path,
                    min_version: e.min_version,
                    max_version: e.max_version,
                };
                (name, published)
            })
            .collect();
        Ok(config)
    }

    /// Adds an account.
    pub fn user(mut self, account: &str, password: &str) -> Self {
        self.users.push(MockUser {
            account: account.to_owned(),
            password: password.to_owned(),
            otp: None,
        });
        self
    }

    /// Adds an account with 2FA: a login needs `otp_code` (else 403 with the accepted types;
    /// a wrong code is 404) or a device token the mock issued after such a login.
    pub fn otp_user(mut self, account: &str, password: &str, otp_code: &str) -> Self {
        let otp = Some(otp_code.to_owned());
        self.users.push(MockUser {
            account: account.to_owned(),
            password: password.to_owned(),
            otp,
        });
        self
    }

    /// Serves HTTPS with this certificate chain and private key (PEM); the URL becomes
    /// `https://127.0.0.1:PORT`.
    pub fn tls(mut self, cert_pem: &str, key_pem: &str) -> Self {
        self.tls = Some((cert_pem.to_owned(), key_pem.to_owned()));
        self
    }

    /// Drops a TLS handshake (closing its connection) that has not finished after `timeout`
    /// (default [`DEFAULT_TLS_HANDSHAKE_TIMEOUT`](Self::DEFAULT_TLS_HANDSHAKE_TIMEOUT)), so a
    /// client that connects and sends nothing holds nothing for long. Only with
    /// [`tls`](Self::tls).
    pub fn tls_handshake_timeout(mut self, timeout: Duration) -> Self {
        self.tls_handshake_timeout = timeout;
        self
    }

    /// Closes a connection that sends nothing for `timeout` (default
    /// [`DEFAULT_IDLE_TIMEOUT`](Self::DEFAULT_IDLE_TIMEOUT)): kept alive between requests, or
    /// dribbling a request head. An answer the mock is still working on (a
    /// [`delay`](MockDsm::delay), say) is not cut short. Plain HTTP and TLS alike.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Checks more than real DSM does, to prove a client's wire form exactly: a method the
    /// spec declares POST answers HTTP 405 to a GET; an HTTP method other than GET and POST
    /// answers 405; every answer is labelled `text/plain` (so a client that relies on the
    /// content type fails); `SYNO.API.Info` `query` needs its `query` parameter; logout needs
    /// a session; on a `requestFormat: JSON` API every value must be JSON text (a bare
    /// string is error 120).
    ///
    /// Without it (the default) the mock is as lenient as real DSM, so clients written
    /// against real boxes work: GET and POST both reach every method, answers are
    /// `application/json` envelopes (never HTTP 405), `query` defaults to `all`, logout
    /// without `_sid` succeeds, and a string parameter of a JSON-format API may come as bare
    /// text.
    pub fn strict(mut self) -> Self {
        self.strict = true;
        self
    }

    /// Keeps no request log (for load tests, where even a bounded log costs a copy of each
    /// request).
    pub fn without_request_log(mut self) -> Self {
        self.log_requests = false;
        self
    }

    /// Keeps only the most recent `n` requests in the log, dropping the oldest (default
    /// [`DEFAULT_REQUEST_LOG_LIMIT`](Self::DEFAULT_REQUEST_LOG_LIMIT)); 0 keeps none.
    pub fn request_log_limit(mut self, n: usize) -> Self {
        self.request_log_limit = n;
        self
    }

    /// Compresses every answer with gzip at level 1 (nginx's default `gzip_comp_level`) when
    /// the request says `Accept-Encoding: gzip`, as a box or reverse proxy with nginx's `gzip
    /// on` does; [`MockDsm::compressed_answers`] counts them. Off by default, so that what the
    /// mock sends stays comparable with earlier measurements.
    pub fn gzip(mut self, on: bool) -> Self {
        self.gzip = on;
        self
    }

    /// Answers logins with DSM 7's SynoToken placeholder `--------` (no token issued).
    pub fn synotoken_placeholder(mut self) -> Self {
        self.synotoken_placeholder = true;
        self
    }

    /// Publishes `api` at `path` with versions `min..=max` (adding or replacing it; a replaced
    /// API keeps its request format).
    pub fn api(mut self, api: &str, path: &str, min_version: u32, max_version: u32) -> Self {
        self.apis.insert(
            api.to_owned(),
            Published {
                path: path.to_owned(),
                min_version,
                max_version,
            },
        );
        self
    }

    /// Stops publishing `api`: API.Info no longer lists it and calls get code 102.
    pub fn without_api(mut self, api: &str) -> Self {
        self.apis.remove(api);
        self.request_formats.remove(api);
        self
    }

    /// Lists `api` in API.Info with this `requestFormat` (`JSON`: it takes JSON-encoded
    /// values); an empty `format` lists it with none. Only what API.Info says: the mock checks
    /// the encoding of the parameters the spec declares JSON, whatever is listed.
    pub fn request_format(mut self, api: &str, format: &str) -> Self {
        if format.is_empty() {
            self.request_formats.remove(api);
        } else {
            self.request_formats
                .insert(api.to_owned(), format.to_owned());
        }
        self
    }

    /// Caps every page at `n` items whatever limit is asked for, as DSM sometimes does.
    pub fn page_cap(mut self, n: usize) -> Self {
        self.page_cap = Some(n);
        self
    }

    fn published(&self, api: &str) -> Option<&Published> {
        self.apis.get(api)
    }

    /// The `requestFormat` API.Info lists for `api`, when it has one.
    fn request_format_of(&self, api: &str) -> Option<&str> {
        self.request_formats.get(api).map(String::as_str)
    }

    /// Every published API, by name.
    fn published_apis(&self) -> impl Iterator<Item = (&str, &Published)> {
        self.apis.iter().map(|(n, p)| (n.as_str(), p))
    }
}

/// One request as the mock received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET` or `POST`.
    pub verb: String,
    /// `/webapi/entry.cgi`
    pub path: String,
    /// Query and form parameters together; secrets read `***`: `_sid`, `passwd`, `password`,
    /// `passphrase`, `otp_code`, `device_id`, `did`, `device_token`, `SynoToken` and the
    /// encrypted login form `__cIpHeRtExT` in any case, and every parameter the spec marks
    /// secret.
    pub params: BTreeMap<String, String>,
    /// Whether an `X-SYNO-TOKEN` header came with it.
    pub syno_token: bool,
}

#[derive(Debug, Clone)]
enum Fault {
    Code(i64),
    Raw { status: u16, body: Vec<u8> },
}

type Key = (String, String);

#[derive(Debug, Default)]
struct State {
    config: MockConfig,
    /// Session id to the SynoToken issued with it.
    sessions: HashMap<String, Option<String>>,
    device_tokens: Vec<String>,
    next_session: u64,
    /// Requests left before every session ends.
    expire_after: Option<usize>,
    /// Calls each session answers before it ends ([`MockDsm::expire_sessions_every`]).
    expire_every: Option<usize>,
    /// Calls answered so far per session id, while `expire_every` is set.
    session_calls: HashMap<String, usize>,
    /// The most recent requests, oldest first, at most `config.request_log_limit`.
    requests: VecDeque<RecordedRequest>,
    answers: HashMap<Key, Value>,
    items: HashMap<Key, Vec<Value>>,
    faults: HashMap<Key, Fault>,
    /// Time to wait before answering a method.
    delays: HashMap<Key, std::time::Duration>,
    /// Answers sent gzip-compressed.
    compressed_answers: u64,
}

impl State {
    /// Adds `request` to the log, dropping the oldest beyond the configured limit.
    fn record(&mut self, request: RecordedRequest) {
        let limit = self.config.request_log_limit;
        if limit == 0 {
            return;
        }
        while self.requests.len() >= limit {
            self.requests.pop_front();
        }
        self.requests.push_back(request);
    }
}

/// A running mock DSM; it stops when dropped.
#[derive(Debug)]
pub struct MockDsm {
    url: String,
    state: Arc<Mutex<State>>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl MockDsm {
    /// Starts a DSM 7-like mock on a free port of 127.0.0.1.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(MockConfig::default()).await
    }

    /// Starts a mock with `config` on a free port of 127.0.0.1.
    pub async fn start_with(config: MockConfig) -> std::io::Result<Self> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a mock with `config` on `addr` (port 0 picks a free one).
    pub async fn start_on(config: MockConfig, addr: SocketAddr) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let tls = match &config.tls {
            Some((cert, key)) => Some(tls::acceptor(cert, key)?),
            None => None,
        };
        let limits = tls::HandshakeLimits {
            timeout: config.tls_handshake_timeout,
            max_in_flight: config.tls_max_handshakes,
        };
        let idle = config.idle_timeout;
        let state = Arc::new(Mutex::new(State {
            config,
            ..State::default()
        }));
        let app = Router::new()
            .route("/webapi/{*cgi}", any(http::serve))
            .route(DSM5_STORAGE_HANDLER, any(http::serve_dsm5_storage))
            .with_state(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let url = match tls {
            Some(acceptor) => {
                let listener = tls::TlsListener::new(listener, acceptor, limits)?;
                tokio::spawn(serve::run(listener, app, rx, idle));
                format!("https://{local}")
            }
            None => {
                // axum's TcpListener backs off on its own: after an accept error other than a
                // reset or aborted connection (EMFILE, ENFILE, ...) it logs and sleeps 1 s
                // (`handle_accept_error` in axum 0.8's serve/listener.rs).
                tokio::spawn(serve::run(listener, app, rx, idle));
                format!("http://{local}")
            }
        };
        Ok(MockDsm {
            url,
            state,
            shutdown: Some(tx),
        })
    }

    /// The base URL, `http://127.0.0.1:PORT` (`https://` with [`MockConfig::tls`]).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A client for this mock (not logged in).
    pub fn client(&self) -> Result<Client, Error> {
        Client::builder(&self.url).build()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Answers `api` `method` with this `data` instead of the documented example.
    pub fn set_answer(&self, api: &str, method: &str, data: Value) {
        self.state()
            .answers
            .insert((api.to_owned(), method.to_owned()), data);
    }

    /// The item set a paginated method pages through (default: the example's items).
    pub fn set_items(&self, api: &str, method: &str, items: Vec<Value>) {
        self.state()
            .items
            .insert((api.to_owned(), method.to_owned()), items);
    }

    /// Makes `api` `method` fail with DSM error `code`.
    pub fn fail_with_code(&self, api: &str, method: &str, code: i64) {
        self.state()
            .faults
            .insert((api.to_owned(), method.to_owned()), Fault::Code(code));
    }

    /// Makes `api` `method` answer this HTTP status and raw body (HTML, truncated JSON, ...).
    pub fn fail_with_http(&self, api: &str, method: &str, status: u16, body: impl Into<Vec<u8>>) {
        let fault = Fault::Raw {
            status,
            body: body.into(),
        };
        self.state()
            .faults
            .insert((api.to_owned(), method.to_owned()), fault);
    }

    /// Makes `api` `method` wait `delay` before answering (`Duration::ZERO` removes it), as a
    /// busy NAS or a slow link would: to race calls against a slow login or discovery.
    pub fn delay(&self, api: &str, method: &str, delay: std::time::Duration) {
        let key = (api.to_owned(), method.to_owned());
        let mut state = self.state();
        if delay.is_zero() {
            state.delays.remove(&key);
        } else {
            state.delays.insert(key, delay);
        }
    }

    /// Removes the fault of `api` `method`.
    pub fn clear_fault(&self, api: &str, method: &str) {
        self.state()
            .faults
            .remove(&(api.to_owned(), method.to_owned()));
    }

    /// Ends every session, as a DSM restart or timeout would: the next call gets code 119.
    pub fn expire_sessions(&self) {
        self.state().sessions.clear();
    }

    /// Ends every session once `n` more requests have been answered, to drop a session in
    /// the middle of a sequence of calls.
    pub fn expire_sessions_after(&self, n: usize) {
        self.state().expire_after = Some(n);
    }

    /// Ends each session after it has answered `n` calls (0 turns it off), again for every
    /// new session: the next call with it gets code 119 and the client must log in again.
    /// Only calls that need a session count (not the login, not `SYNO.API.Info`).
    pub fn expire_sessions_every(&self, n: usize) {
        let mut state = self.state();
        state.expire_every = (n > 0).then_some(n);
        state.session_calls.clear();
    }

    /// The requests received so far, oldest first: all of them, or the most recent
    /// [`MockConfig::request_log_limit`] when there were more.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.iter().cloned().collect()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.state().requests.clear();
    }

    /// How many answers went out gzip-compressed ([`MockConfig::gzip`]).
    pub fn compressed_answers(&self) -> u64 {
        self.state().compressed_answers
    }
}

impl Drop for MockDsm {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
