//! The session: login, logout, and the automatic re-login when DSM drops the session.
//!
//! A re-login is single-flight: the first call that needs one starts it and every call that
//! needs it meanwhile awaits the same shared future, so a failure reaches them all at once.
//! Whichever of them is polled drives it: cancelling any of them (the first included) leaves
//! the others a result, and cancelling all of them cancels it (the client keeps only a weak
//! reference, so nothing runs on for nobody). A re-login
//! that DSM refuses (any `SYNO.API.Auth` error: wrong password, locked account, blocked IP,
//! 2FA needed) ends the session for good, since retrying is what trips DSM's auto-block; one
//! that fails for a passing reason (network, timeout) starts a backoff during which calls
//! fail at once. `logout()` and `login()` start a new epoch: a re-login started before them
//! never installs its session.

use std::sync::Arc;
use std::time::Instant;

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared, WeakShared};

use crate::client::Client;
use crate::device_token::DeviceToken;
use crate::generated::api::{LoginResult, auth};
use crate::rt::{self, Params};
use crate::secret::Secret;
use crate::{Error, ErrorKind};

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

/// An open session: its id and the SynoToken DSM issued with it.
pub(crate) struct Session {
    pub(crate) sid: Secret,
    pub(crate) synotoken: Option<Secret>,
}

/// A re-login or a discovery, shared by every call waiting for it.
pub(crate) type Outcome = Shared<BoxFuture<'static, Result<(), Error>>>;

/// What the client keeps of an [`Outcome`] in flight: alive while a call awaits it.
pub(crate) type InFlight = WeakShared<BoxFuture<'static, Result<(), Error>>>;

/// The session and what is needed to open it again.
#[derive(Default)]
pub(crate) struct SessionState {
    pub(crate) session: Option<Arc<Session>>,
    /// Bumped by every login: a call that lost the session at generation `g` needs a
    /// re-login only if no other call already made one (the generation is still `g`).
    pub(crate) generation: u64,
    /// Bumped by `login()` and `logout()`: a re-login started in an older epoch is void.
    epoch: u64,
    /// Credentials for logging in again: never an OTP code (it is single-use), the device
    /// token instead when there is one. `None` after logout or a refused re-login.
    login: Option<Login>,
    device_token: Option<DeviceToken>,
    /// The re-login in flight.
    relogin: Option<InFlight>,
    /// Failed re-login attempts in a row, the last failure, and when the next may start.
    failures: u32,
    last_failure: Option<Error>,
    retry_at: Option<Instant>,
    /// Set when a re-login was refused: every call fails with it until the next login.
    ended: Option<Box<Error>>,
}

impl SessionState {
    fn install(&mut self, opened: Opened, login: Login) {
        self.session = Some(Arc::new(opened.session));
        self.generation += 1;
        let device_token = opened.device_token.or_else(|| login.device_token.clone());
        self.login = Some(Login {
            otp_code: None,
            device_token: device_token.clone(),
            ..login
        });
        self.device_token = device_token;
        self.failures = 0;
        self.last_failure = None;
        self.retry_at = None;
        self.ended = None;
        tracing::debug!(generation = self.generation, "logged in");
    }

    /// Forgets the session and the credentials, and voids any re-login in flight.
    fn reset(&mut self) -> Option<Arc<Session>> {
        self.epoch += 1;
        self.login = None;
        self.relogin = None;
        self.failures = 0;
        self.last_failure = None;
        self.retry_at = None;
        self.ended = None;
        self.session.take()
    }
}

/// A session DSM opened, not yet installed.
struct Opened {
    session: Session,
    device_token: Option<DeviceToken>,
}

impl Client {
    /// Logs in with an account and password.
    pub async fn login(&self, account: &str, password: &str) -> Result<(), Error> {
        self.login_with(Login::new(account, password)).await
    }

    /// Logs in with the options of `login` (OTP code, device token). After an OTP login, DSM 6+
    /// issues a device token ([`Client::device_token`]) that later logins use in place of a
    /// code; so does the automatic re-login when DSM drops the session (106, 107, 119).
    /// A login ends any earlier session state, including a session ended by a refused re-login.
    pub async fn login_with(&self, login: Login) -> Result<(), Error> {
        let opened = self.open_session(&login).await?;
        let mut state = self.state_mut();
        state.reset();
        state.install(opened, login);
        Ok(())
    }

    /// Logs out, so DSM frees the session, and forgets the credentials: no automatic re-login
    /// follows, and one in flight never installs its session. Does nothing on the wire when
    /// no session is open.
    pub async fn logout(&self) -> Result<(), Error> {
        let Some(session) = self.state_mut().reset() else {
            return Ok(());
        };
        self.close_session(&session).await
    }

    /// Whether the client holds a session: a login succeeded, no logout followed, and DSM has
    /// not dropped it without a successful re-login.
    pub fn is_logged_in(&self) -> bool {
        self.state().session.is_some()
    }

    /// The device token DSM issued at the last OTP login (or the one given to it), for the
    /// caller to persist.
    pub fn device_token(&self) -> Option<DeviceToken> {
        self.state().device_token.clone()
    }

    /// Sends a login and reads DSM's answer, changing nothing in the client.
    async fn open_session(&self, login: &Login) -> Result<Opened, Error> {
        let target = self
            .discovery()
            .await?
            .resolve_method(&auth::LOGIN, auth::LOGIN.min_version)?;
        let version = target.version;
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
        let body = self.send_params(&params, &target, None).await?;
        let result: LoginResult = rt::decode(params.meta, &body).map_err(otp_required)?;
        // DSM 6 answers `did`, DSM 7 `device_id`; either may come from any version.
        let device_token = result
            .did
            .or(result.device_id)
            .filter(|t| !t.expose().is_empty())
            .map(DeviceToken);
        let session = Session {
            sid: result.sid,
            // DSM 7 answers a placeholder when it issued no token.
            synotoken: result
                .synotoken
                .filter(|t| !t.expose().is_empty() && t.expose() != "--------"),
        };
        Ok(Opened {
            session,
            device_token,
        })
    }

    /// Tells DSM to end `session`. A session DSM already dropped counts as ended.
    async fn close_session(&self, session: &Session) -> Result<(), Error> {
        let params =
            Params::new(&auth::LOGOUT).with_named("session", self.inner.session_name.as_str());
        let target = self.discovery().await?.resolve(&params)?;
        let body = self.send_params(&params, &target, Some(session)).await?;
        match rt::decode_unit(params.meta, &body) {
            Err(Error::Api {
                code: 106 | 107 | 119,
                ..
            }) => Ok(()),
            other => other,
        }
    }

    /// The session for a call that needs one, with its generation: fails at once when the
    /// session ended, and first logs in again when DSM dropped it and the credentials are
    /// kept (a re-login that failed for a passing reason).
    pub(crate) async fn session_for_call(&self) -> Result<(Option<Arc<Session>>, u64), Error> {
        let generation = {
            let state = self.state();
            if let Some(cause) = &state.ended {
                return Err(Error::SessionEnded {
                    cause: Some(cause.clone()),
                });
            }
            if state.session.is_some() || state.login.is_none() {
                return Ok((state.session.clone(), state.generation));
            }
            state.generation
        };
        Box::pin(self.relogin(generation)).await?;
        let state = self.state();
        Ok((state.session.clone(), state.generation))
    }

    /// Whether a lost session may be renewed: credentials are kept.
    pub(crate) fn can_relogin(&self) -> bool {
        self.state().login.is_some()
    }

    /// Logs in again unless another call already did since generation `seen`: joins the
    /// re-login in flight, or fails at once during a backoff or after a refusal.
    pub(crate) async fn relogin(&self, seen: u64) -> Result<(), Error> {
        let outcome = {
            let mut state = self.state_mut();
            if let Some(cause) = &state.ended {
                return Err(Error::SessionEnded {
                    cause: Some(cause.clone()),
                });
            }
            if state.generation != seen && state.session.is_some() {
                return Ok(());
            }
            let Some(login) = state.login.clone() else {
                // logout() ran since the call lost its session.
                return Err(Error::SessionEnded { cause: None });
            };
            match state.relogin.as_ref().and_then(InFlight::upgrade) {
                Some(outcome) => outcome,
                None => {
                    let now = Instant::now();
                    if let (Some(at), Some(last)) = (state.retry_at, &state.last_failure)
                        && now < at
                    {
                        return Err(Error::ReloginBackoff {
                            cause: Box::new(last.clone()),
                            retry_in: at - now,
                        });
                    }
                    tracing::info!("session lost; logging in again");
                    state.session = None;
                    let epoch = state.epoch;
                    let outcome = share(self.clone().relogin_task(login, epoch));
                    state.relogin = outcome.downgrade();
                    outcome
                }
            }
        };
        self.bounded(&auth::LOGIN, outcome).await
    }

    /// One re-login attempt and its bookkeeping, driven by the calls waiting for it.
    async fn relogin_task(self, login: Login, epoch: u64) -> Result<(), Error> {
        let result = self.open_session(&login).await;
        let orphan = {
            let mut state = self.state_mut();
            if state.epoch != epoch {
                // logout() or login() ran meanwhile and wins: this session is not installed.
                let outcome = if state.session.is_some() {
                    Ok(())
                } else {
                    Err(Error::SessionEnded { cause: None })
                };
                (outcome, result.ok())
            } else {
                state.relogin = None;
                match result {
                    Ok(opened) => {
                        state.install(opened, login);
                        (Ok(()), None)
                    }
                    Err(e) if refused(&e) => {
                        tracing::warn!(error = %e, "re-login refused; the session has ended");
                        state.login = None;
                        state.session = None;
                        state.ended = Some(Box::new(e.clone()));
                        (
                            Err(Error::SessionEnded {
                                cause: Some(Box::new(e)),
                            }),
                            None,
                        )
                    }
                    Err(e) => {
                        state.failures = state.failures.saturating_add(1);
                        let wait = self.inner.settings.backoff_after(state.failures);
                        tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "re-login failed");
                        state.retry_at = Instant::now().checked_add(wait);
                        state.last_failure = Some(e.clone());
                        (
                            Err(Error::ReloginBackoff {
                                cause: Box::new(e),
                                retry_in: wait,
                            }),
                            None,
                        )
                    }
                }
            }
        };
        if let (_, Some(opened)) = &orphan {
            // Opened after a logout: close it rather than leave it to expire.
            let _ = self.close_session(&opened.session).await;
        }
        orphan.0
    }
}

/// Whether DSM refused a login (so retrying cannot help and may trip the auto-block), as
/// opposed to a failure that may pass (network, timeout, a broken answer).
fn refused(e: &Error) -> bool {
    matches!(
        e,
        Error::Api { .. }
            | Error::OtpRequired { .. }
            | Error::Unsupported { .. }
            | Error::InvalidParameter { .. }
            | Error::Config(_)
            | Error::SessionEnded { .. }
    )
}

/// `task` as a future every clone of which awaits the same outcome.
pub(crate) fn share(task: impl Future<Output = Result<(), Error>> + Send + 'static) -> Outcome {
    task.boxed().shared()
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
