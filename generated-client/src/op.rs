//! `Op`: what the runtime needs to know of the method a request calls, whether the spec
//! declares it (static names, borrowed) or a raw call names it at run time (owned names):
//! the names errors and logs carry, the verb, whether it needs the session, its API's error
//! table, and whether its answer can hold a secret.

use std::borrow::Cow;

use crate::rt::{ErrorMeta, MethodMeta};

/// One callable method, as the transport, the decoder and the re-login path see it.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub(crate) api: Cow<'static, str>,
    pub(crate) method: Cow<'static, str>,
    /// POST (form body) rather than GET (query).
    pub(crate) post: bool,
    /// Sends `_sid`, and logs in again when DSM says the session is gone.
    pub(crate) session: bool,
    /// The API's own error codes (empty when the spec does not know the API).
    pub(crate) errors: &'static [ErrorMeta],
    /// Decode errors quote nothing of the answer.
    pub(crate) secret_response: bool,
}

impl Op {
    /// A method the spec declares: nothing is allocated.
    pub(crate) fn of(meta: &'static MethodMeta) -> Op {
        Op {
            api: Cow::Borrowed(meta.api.name),
            method: Cow::Borrowed(meta.name),
            post: meta.post,
            session: meta.session,
            errors: meta.api.errors,
            secret_response: meta.secret_response,
        }
    }
}
