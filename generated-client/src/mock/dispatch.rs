//! The mock's DSM logic, driven by the spec's metadata with no code per API: checks what a
//! real DSM checks, then answers the documented example (or what a test configured).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Fault, RecordedRequest, State, encryption};
use crate::rt::{MethodMeta, ParamMeta, spec_api, spec_method};

/// An HTTP answer.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    /// A `Set-Cookie` header's value.
    pub set_cookie: Option<String>,
}

impl Answer {
    fn json(v: Value) -> Self {
        Answer {
            status: 200,
            body: v.to_string().into_bytes(),
            set_cookie: None,
        }
    }
    pub(super) fn error(code: i64) -> Self {
        Self::json(json!({"success": false, "error": {"code": code}}))
    }
    pub(super) fn data(data: Option<Value>) -> Self {
        match data {
            Some(d) => Self::json(json!({"success": true, "data": d})),
            None => Self::json(json!({"success": true})),
        }
    }
}

/// Handles one request: `verb`, `cgi` (the file under `/webapi/`), merged query and form
/// parameters, and the `X-SYNO-TOKEN` header.
pub(crate) fn handle(
    state: &mut State,
    post: bool,
    cgi: &str,
    params: BTreeMap<String, String>,
    token: Option<&str>,
) -> Answer {
    let api = params.get("api").cloned().unwrap_or_default();
    record(state, post, format!("/webapi/{cgi}"), &params, token);
    match state.expire_after {
        Some(0) => {
            state.sessions.clear();
            state.expire_after = None;
        }
        Some(n) => state.expire_after = Some(n - 1),
        None => {}
    }
    // An encrypted form carries the real parameters: opened here, they go through every
    // check below as plain ones do (the log above keeps the form as it came, masked).
    let params = match encryption::open(params) {
        Ok(params) => params,
        Err(refused) => return Answer::error(refused.code(&api)),
    };
    let api = params.get("api").cloned().unwrap_or_default();
    let method = params.get("method").cloned().unwrap_or_default();
    if let Some(fault) = state.faults.get(&(api.clone(), method.clone())) {
        return fault_answer(fault);
    }
    let (Some(_), Some(version)) = (params.get("api"), params.get("version")) else {
        return Answer::error(101);
    };
    if method.is_empty() {
        return Answer::error(101);
    }
    let Some(published) = state.config.published(&api) else {
        return Answer::error(102);
    };
    if let Some(answer) = encryption::login_page(published, cgi, &api, &method, version) {
        return answer;
    }
    // A real DSM routes by CGI file; Info also answers at query.cgi whatever it reports, and
    // Auth at auth.cgi (DSM 7.2 still takes a login posted there, as clients do by default).
    let info = api == "SYNO.API.Info";
    let auth = api == "SYNO.API.Auth";
    if published.path != cgi && !(info && cgi == "query.cgi") && !(auth && cgi == "auth.cgi") {
        return Answer::error(102);
    }
    let strict = state.config.strict;
    // An API the spec does not model (published by a replayed API.Info answer, say) is one
    // the mock cannot serve: DSM's "no such API", as for a name nobody publishes.
    if spec_api(&api).is_none() {
        return Answer::error(102);
    }
    let Ok(version) = version.parse::<u32>() else {
        return Answer::error(104);
    };
    if version < published.min_version || version > published.max_version {
        return Answer::error(104);
    }
    // Method names are case-sensitive, and a method exists only in its versions: from its
    // minimum, or the set it lists (DSM answers "no such method" in a version without it).
    let Some(meta) = spec_method(&api, &method) else {
        return Answer::error(103);
    };
    if !meta.offers(version) {
        return Answer::error(103);
    }
    // Like DSM, every method answers a GET and a POST; strict, a GET reaches only methods
    // declared GET, and SYNO.API.Info.
    if strict && meta.post && !post && !info {
        return Answer {
            status: 405,
            body: b"method not allowed".to_vec(),
            set_cookie: None,
        };
    }
    // DSM answers a logout that names no session with success (one naming a dead session
    // is still 119).
    let bare_logout = auth && method == "logout" && !params.contains_key("_sid");
    // A session is valid with no token header, or with the token issued with it.
    if meta.session && (strict || !bare_logout) && !session_valid(state, &params, token) {
        return Answer::error(119);
    }
    // DSM answers `query` without the list of APIs as `query=all`.
    let optional = |p: &ParamMeta| !strict && info && p.name == "query";
    if meta
        .params
        .iter()
        .any(|p| p.required && p.constant.is_none() && !params.contains_key(p.name) && !optional(p))
    {
        return Answer::error(114);
    }
    // A parameter declared JSON-encoded must hold JSON text, as DSM's JSON request format
    // expects; anything else is an invalid parameter, except that DSM takes bare text for a
    // string (strict: not even that).
    if meta.params.iter().any(|p| {
        p.json
            && (strict || !p.text)
            && params
                .get(p.name)
                .is_some_and(|v| serde_json::from_str::<Value>(v).is_err())
    }) {
        return Answer::error(120);
    }
    match (api.as_str(), method.as_str()) {
        ("SYNO.API.Info", "query") => match state.answers.get(&(api.clone(), method.clone())) {
            // A test may serve a recorded answer (a real DSM's full API list).
            Some(data) => Answer::data(Some(data.clone())),
            None => info_query(state, &params),
        },
        ("SYNO.API.Auth", "login") => login(state, &params, version),
        ("SYNO.API.Auth", "logout") => {
            if let Some(sid) = params.get("_sid") {
                state.sessions.remove(sid);
            }
            Answer::data(None)
        }
        _ => answer(state, meta, &params),
    }
}

/// Counts a call against its session ([`super::MockDsm::expire_sessions_every`]): true when
/// the session had answered all its calls, and has now ended.
/// What a fault a test set answers.
fn fault_answer(fault: &Fault) -> Answer {
    match fault {
        Fault::Code(code) => Answer::error(*code),
        Fault::Raw { status, body } => Answer {
            status: *status,
            body: body.clone(),
            set_cookie: None,
        },
    }
}

/// Logs a request (secrets masked) when the mock keeps a log.
fn record(
    state: &mut State,
    post: bool,
    path: String,
    params: &BTreeMap<String, String>,
    token: Option<&str>,
) {
    if !state.config.log_requests {
        return;
    }
    let api = params.get("api").map(String::as_str).unwrap_or_default();
    let method = params.get("method").map(String::as_str).unwrap_or_default();
    let meta = spec_method(api, method);
    let masked = params
        .iter()
        .map(|(k, v)| {
            let secret = crate::secret::is_well_known_secret(k)
                || k.eq_ignore_ascii_case(encryption::CIPHER_KEY)
                || meta.is_some_and(|m| is_secret(m, k));
            (k.clone(), if secret { "***".to_owned() } else { v.clone() })
        })
        .collect();
    state.record(RecordedRequest {
        verb: if post { "POST" } else { "GET" }.to_owned(),
        path,
        params: masked,
        syno_token: token.is_some(),
    });
}

/// Whether the request names a live session (and, when it sends a SynoToken, the one issued
/// with it), counting the call against `expire_every`.
fn session_valid(
    state: &mut State,
    params: &BTreeMap<String, String>,
    token: Option<&str>,
) -> bool {
    let valid = params
        .get("_sid")
        .and_then(|sid| state.sessions.get(sid))
        .is_some_and(|issued| token.is_none() || issued.as_deref() == token);
    valid && !session_used_up(state, params)
}

/// The API DSM 5's storage handler serves.
const DSM5_STORAGE_API: &str = "SYNO.Storage.CGI.Storage";

/// DSM 5's storage handler ([`DSM5_STORAGE_HANDLER`](super::DSM5_STORAGE_HANDLER)), which only
/// the DSM 5 persona has (the others answer HTTP 404, as nginx does for a file that is not
/// there). It serves `SYNO.Storage.CGI.Storage` (DSM 5's API.Info does not list it) with the
/// faults, session check and answers of `/webapi/`, but flat: `success` beside the data's
/// fields, no `data` envelope (errors keep theirs).
pub(crate) fn dsm5_storage(
    state: &mut State,
    post: bool,
    mut params: BTreeMap<String, String>,
    token: Option<&str>,
) -> Answer {
    if state.config.persona != super::Persona::Dsm5 {
        return Answer {
            status: 404,
            body: b"Not Found".to_vec(),
            set_cookie: None,
        };
    }
    record(
        state,
        post,
        super::DSM5_STORAGE_HANDLER.to_owned(),
        &params,
        token,
    );
    if params.get("api").is_some_and(|a| a != DSM5_STORAGE_API) {
        return Answer::error(102);
    }
    params.insert("api".to_owned(), DSM5_STORAGE_API.to_owned());
    // The handler is the API: `action` names the method as well as `method` does.
    let method = params
        .get("method")
        .or_else(|| params.get("action"))
        .cloned()
        .unwrap_or_default();
    let Some(meta) = spec_method(DSM5_STORAGE_API, &method) else {
        return Answer::error(103);
    };
    if let Some(fault) = state.faults.get(&(DSM5_STORAGE_API.to_owned(), method)) {
        return fault_answer(fault);
    }
    if !session_valid(state, &params, token) {
        return Answer::error(119);
    }
    let mut flat = match answer_data(state, meta, &params) {
        Some(Value::Object(data)) => data,
        _ => serde_json::Map::new(),
    };
    flat.insert("success".to_owned(), json!(true));
    Answer::json(Value::Object(flat))
}

fn session_used_up(state: &mut State, params: &BTreeMap<String, String>) -> bool {
    let (Some(every), Some(sid)) = (state.expire_every, params.get("_sid")) else {
        return false;
    };
    if !state.session_calls.contains_key(sid) {
        // A new session: forget the counts of sessions that ended otherwise.
        let sessions = &state.sessions;
        state.session_calls.retain(|s, _| sessions.contains_key(s));
    }
    let calls = state.session_calls.entry(sid.clone()).or_insert(0);
    if *calls < every {
        *calls += 1;
        return false;
    }
    state.session_calls.remove(sid);
    state.sessions.remove(sid);
    true
}

fn is_secret(meta: &MethodMeta, name: &str) -> bool {
    meta.params.iter().any(|p| p.name == name && p.secret)
}

fn info_query(state: &State, params: &BTreeMap<String, String>) -> Answer {
    let query = params.get("query").map(String::as_str).unwrap_or("all");
    let wanted: Vec<&str> = query.split(',').map(str::trim).collect();
    let mut data = serde_json::Map::new();
    for (name, p) in state.config.published_apis() {
        if wanted.contains(&"all") || wanted.contains(&name) {
            let mut entry =
                json!({"path": p.path, "minVersion": p.min_version, "maxVersion": p.max_version});
            if let Some(format) = state.config.request_format_of(name) {
                entry["requestFormat"] = json!(format);
            }
            data.insert(name.to_owned(), entry);
        }
    }
    Answer::data(Some(Value::Object(data)))
}

fn login(state: &mut State, params: &BTreeMap<String, String>, version: u32) -> Answer {
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    let Some(user) = state
        .config
        .users
        .iter()
        .find(|u| u.account == param("account") && u.password == param("passwd"))
    else {
        return Answer::error(400);
    };
    let mut otp_passed = false;
    if let Some(code) = &user.otp {
        let trusted = params
            .get("device_id")
            .is_some_and(|d| state.device_tokens.contains(d));
        match params.get("otp_code") {
            _ if trusted => {}
            None => {
                let types = json!([{"type": "otp"}, {"type": "authenticator"}]);
                let errors = json!({"token": "mock-otp-challenge", "types": types});
                return Answer::json(
                    json!({"success": false, "error": {"code": 403, "errors": errors}}),
                );
            }
            Some(given) if given != code => return Answer::error(404),
            Some(_) => otp_passed = true,
        }
    }
    state.next_session += 1;
    let n = state.next_session;
    let sid = format!("mock-sid-{n}");
    let mut data = json!({"sid": sid, "is_portal_port": false});
    let mut issued_token = None;
    if params.get("enable_syno_token").is_some_and(|v| v == "yes") {
        if state.config.synotoken_placeholder {
            data["synotoken"] = json!("--------");
        } else {
            let token = format!("mock-synotoken-{n}");
            data["synotoken"] = json!(token);
            issued_token = Some(token);
        }
    }
    let wants_device = params
        .get("enable_device_token")
        .is_some_and(|v| v == "yes");
    if otp_passed && version >= 6 && wants_device {
        // DSM 6 calls it `did`, DSM 7 `device_id`.
        let key = if version >= 7 { "device_id" } else { "did" };
        let device = format!("mock-device-token-{n}");
        state.device_tokens.push(device.clone());
        data[key] = json!(device);
    }
    state.sessions.insert(sid, issued_token);
    Answer::data(Some(data))
}

/// The answer a test configured, else the spec's data for the mock's persona (`mock_data`),
/// else the documented example's, else `{}`; for paginated methods, the page of the item set
/// that `offset` and `limit` select, with `total` set to the set's size.
fn answer(state: &State, meta: &'static MethodMeta, params: &BTreeMap<String, String>) -> Answer {
    Answer::data(answer_data(state, meta, params))
}

/// The `data` of [`answer`]'s envelope: a test's answer, the persona's, or the example's,
/// paged through for a paginated method; `None` for a method that answers no data.
fn answer_data(
    state: &State,
    meta: &'static MethodMeta,
    params: &BTreeMap<String, String>,
) -> Option<Value> {
    let key = (meta.api.name.to_owned(), meta.name.to_owned());
    let persona = state.config.persona.key();
    let spec_data = || {
        let persona_data = meta
            .mock_data
            .iter()
            .find(|(p, _)| *p == persona)
            .and_then(|(_, d)| serde_json::from_str::<Value>(d).ok());
        persona_data.or_else(|| {
            meta.example
                .and_then(|e| serde_json::from_str::<Value>(e).ok())
                .and_then(|mut e| e.get_mut("data").map(Value::take))
        })
    };
    let mut data = match state.answers.get(&key) {
        Some(d) => Some(d.clone()),
        None if meta.has_data => Some(spec_data().unwrap_or_else(|| json!({}))),
        None => None,
    };
    if let (Some(page), Some(Value::Object(obj))) = (&meta.pagination, data.as_mut()) {
        // Only the page is copied: an item set may hold millions of entries.
        let example_items = obj.get(page.items).and_then(Value::as_array).cloned();
        let items: &[Value] = match (state.items.get(&key), &example_items) {
            (Some(items), _) => items,
            (None, Some(items)) => items,
            (None, None) => &[],
        };
        let number = |i: usize| {
            meta.params
                .get(i)
                .and_then(|p| params.get(p.name))
                .and_then(|v| v.parse::<usize>().ok())
        };
        let offset = number(page.offset).unwrap_or(0).min(items.len());
        let mut limit = number(page.limit).unwrap_or(items.len());
        if let Some(cap) = state.config.page_cap {
            limit = limit.min(cap);
        }
        let end = offset.saturating_add(limit).min(items.len());
        let total_items = items.len();
        let page_items = Value::Array(items[offset..end].to_vec());
        obj.insert(page.items.to_owned(), page_items);
        if let Some(total) = page.total {
            obj.insert(total.to_owned(), json!(total_items));
        }
    }
    data
}
