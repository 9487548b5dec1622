//! `paginate`: a paginated method as a stream of items, one request per page, that always
//! ends (on the total, on a short or empty page, or with [`Error::StreamStalled`] when the
//! server stops making progress).

use futures_core::Stream;
use futures_util::{StreamExt, TryStreamExt, stream};
use serde::de::DeserializeOwned;

use super::decode::call;
use super::params::Params;
use crate::{Client, Error};

/// Page size used by `stream()` when the builder sets no limit.
const DEFAULT_PAGE_SIZE: i64 = 100;

/// Requests a stream may send beyond `total / page + 1`, for a total that grows meanwhile.
const STREAM_SLACK: u64 = 2;

struct PageState<P, I> {
    client: Client,
    params: Params,
    offset: i64,
    limit: i64,
    seen: u64,
    done: bool,
    split: fn(P) -> (Vec<I>, Option<u64>),
    /// Requests sent so far, and the most the first page's total allows.
    requests: u64,
    max_requests: Option<u64>,
    /// A hash of the previous page's items, to notice a server that ignores the offset.
    previous: Option<u64>,
}

impl<P, I> PageState<P, I> {
    fn stalled(&self, reason: String) -> Error {
        Error::StreamStalled {
            api: self.params.meta.api.name.into(),
            method: self.params.meta.name.into(),
            requests: self.requests,
            reason,
        }
    }
}

/// Streams the items of a paginated method, one request per page. Each item comes exactly
/// once; the stream ends when the items seen reach the total, or at an empty page or a short
/// page when DSM sends no total (DSM may cap the page size, so a short page with a total does
/// not end it).
///
/// It always ends, holding one page at a time: a page that brings no progress (empty before
/// the total, or the same items as the previous page because the server ignores the offset)
/// ends it with [`Error::StreamStalled`], and so does a request beyond
/// `total / first page size + 1 + 2`.
#[allow(dead_code, reason = "generated code uses it, per spec and features")]
pub fn paginate<P, I>(
    client: Client,
    params: Params,
    split: fn(P) -> (Vec<I>, Option<u64>),
) -> impl Stream<Item = Result<I, Error>> + Send + 'static
where
    P: DeserializeOwned + Send + 'static,
    I: serde::Serialize + Send + 'static,
{
    let page = params.meta.pagination.as_ref();
    let number = |i: Option<usize>| {
        i.and_then(|i| params.get(i))
            .and_then(|v| v.parse::<i64>().ok())
    };
    let offset = number(page.map(|p| p.offset)).unwrap_or(0);
    let limit = number(page.map(|p| p.limit))
        .filter(|l| *l > 0)
        .unwrap_or(DEFAULT_PAGE_SIZE);
    let state = PageState {
        client,
        params,
        offset,
        limit,
        seen: 0,
        done: page.is_none(),
        split,
        requests: 0,
        max_requests: None,
        previous: None,
    };
    stream::try_unfold(state, |mut st| async move {
        if st.done {
            return Ok(None);
        }
        let Some(page) = st.params.meta.pagination.as_ref() else {
            return Ok(None);
        };
        if st.max_requests.is_some_and(|max| st.requests >= max) {
            let reason = format!(
                "the server keeps sending pages past the total it announced ({} items seen)",
                st.seen
            );
            return Err(st.stalled(reason));
        }
        let params = st
            .params
            .clone()
            .with(page.offset, st.offset)
            .with(page.limit, st.limit);
        st.requests += 1;
        let (items, total) = (st.split)(call::<P>(&st.client, params).await?);
        let n = items.len() as u64;
        if n == 0 {
            if let Some(total) = total.filter(|t| st.seen < *t) {
                let reason = format!(
                    "an empty page at offset {} before the announced total of {total} ({} items seen)",
                    st.offset, st.seen
                );
                return Err(st.stalled(reason));
            }
            return Ok(None);
        }
        let hash = items_hash(&items);
        if st.previous == Some(hash) {
            let reason = format!(
                "the page at offset {} repeats the previous page (the server ignores the offset)",
                st.offset
            );
            return Err(st.stalled(reason));
        }
        st.previous = Some(hash);
        if st.requests == 1 {
            st.max_requests = total.map(|t| t.div_ceil(n).saturating_add(1 + STREAM_SLACK));
        }
        st.seen += n;
        st.offset = st.offset.saturating_add(n as i64);
        st.done = match total {
            Some(total) => st.seen >= total,
            None => (n as i64) < st.limit,
        };
        Ok(Some((stream::iter(items.into_iter().map(Ok)), st)))
    })
    .try_flatten()
    .boxed()
}

/// A hash of a page's items as JSON: equal pages hash equal.
fn items_hash<I: serde::Serialize>(items: &[I]) -> u64 {
    use std::hash::Hasher;
    struct HashWriter(std::hash::DefaultHasher);
    impl std::io::Write for HashWriter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.write(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = HashWriter(std::hash::DefaultHasher::new());
    for item in items {
        // Serializing a response type into memory cannot fail; a failure only weakens the hash.
        let _ = serde_json::to_writer(&mut w, item);
        w.0.write_u8(0);
    }
    w.0.finish()
}
