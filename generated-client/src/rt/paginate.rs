//! `paginate`: a paginated method as a stream of items, [`Pages`], that always ends (on the
//! total, on a short or empty page, or with [`Error::StreamStalled`] when the server stops
//! making progress) and requests up to `prefetch` pages ahead, each read by a spawned task.
//!
//! The plan: the first page is requested alone and sets the page size (DSM may cap it below
//! the limit asked for). From then on up to `prefetch` pages are in flight,
//! at offsets one page size apart and never at or past the total the last page announced.
//! Pages are taken in offset order: a page shorter than the plan (and not the last) leaves a
//! gap before the next page in flight, which one more request fills before that page is
//! taken. Requests are capped at `total / page + 1 + 2`, plus one per gap up to
//! `prefetch - 1`, so that `prefetch(1)` keeps the bound of a stream without prefetching.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures_core::{FusedStream, Stream};
use serde::de::DeserializeOwned;
use tokio::task::{JoinError, JoinHandle};
use tracing::Instrument;

use super::decode::call;
use super::params::Params;
use crate::{Client, Error};

/// Page size used by `stream()` when the builder sets no limit.
const DEFAULT_PAGE_SIZE: i64 = 100;

/// Requests a stream may send beyond `total / page + 1`, for a total that grows meanwhile.
const STREAM_SLACK: u64 = 2;

/// Pages in flight at most unless [`Pages::prefetch`] says otherwise.
const DEFAULT_PREFETCH: usize = 4;

/// One answered page, as its task hands it over.
struct Page<T> {
    items: Vec<T>,
    total: Option<u64>,
    /// [`items_hash`] of `items`, computed in the task.
    hash: u64,
}

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send>>;

/// Sends one page request and decodes it: the method's response type is known only here.
type Fetch<T> = Arc<dyn Fn(Client, Params) -> PageFuture<T> + Send + Sync>;

/// A page request running in a spawned task, which reads the answer as soon as it comes
/// whether or not the stream is polled; aborted when dropped.
struct Task<T>(JoinHandle<Result<Page<T>, Error>>);

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A request for the items at `offset..offset + len`.
struct Slot<T> {
    offset: i64,
    len: i64,
    task: Task<T>,
}

/// Every item of a paginated method, in order and each exactly once: what a generated
/// `stream()` returns. A [`Stream`] of `Result<T, Error>` that is `Send` and `Unpin`, so
/// `futures_util::TryStreamExt` (`try_next`, `try_collect`) works on it as it is.
///
/// The first page is requested alone: its item count is the page size from then on (DSM may
/// send fewer items than the limit asked for), and the offsets of the next pages step by it.
/// After it, up to [`prefetch`](Self::prefetch) pages (4 by default) are in flight, never past the total the last page announced. Each request runs in a task
/// of its own (`tokio::spawn`, so a Tokio runtime must be running, as for any call), which
/// reads the answer as soon as it comes: a consumer that pauses between items never makes a
/// request time out. Pages are yielded in offset order whatever order they are answered in;
/// a page shorter than the page size that is not the last leaves a gap, which one more
/// request fills.
///
/// It always ends, holding at most `prefetch` pages besides the one being yielded:
/// - when the items reach the total the last page announced, at an empty page past that
///   total (a total that shrank meanwhile), or at a page shorter than the limit when DSM
///   sends no total;
/// - with [`Error::StreamStalled`] when the server brings no progress: an empty page before
///   the total, a page repeating the previous one (the server ignores the offset), or more
///   than `total / page size + 1 + 2` requests (plus one for each gap filled, at most
///   `prefetch - 1` of them);
/// - at the first error, after the items before it.
///
/// An error ends the stream, and so does dropping it: every request in flight is cancelled.
/// A session DSM drops in the middle is renewed once for all the requests in flight (each
/// then retries once), as for any calls made at the same time.
///
/// ```no_run
/// # async fn run(client: synology_client::Client) -> Result<(), synology_client::Error> {
/// use futures_util::TryStreamExt;
///
/// let mut entries = client.cloud_sync().connection_log().list(1).limit(500).stream().prefetch(8);
/// while let Some(entry) = entries.try_next().await? {
///     println!("{} of {:?}: {}", entry.time, entries.total(), entry.message);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a stream does nothing until it is polled"]
pub struct Pages<T> {
    client: Client,
    params: Params,
    fetch: Fetch<T>,
    /// Pages in flight at most, after the first page; at least 1.
    prefetch: usize,
    /// The items of the page taken last, not yet yielded.
    ready: std::vec::IntoIter<T>,
    /// Requests in flight or answered, in offset order, contiguous: the front one is taken
    /// next.
    slots: VecDeque<Slot<T>>,
    /// The offset just past the page taken last (the builder's offset before the first).
    cursor: i64,
    /// The page size: the builder's limit (or [`DEFAULT_PAGE_SIZE`]), then the item count
    /// of the first page.
    step: i64,
    /// Pages taken so far (empty ones excluded), and their items.
    pages: u64,
    seen: u64,
    /// The total the last page announced.
    total: Option<u64>,
    /// Requests sent, gap requests among them, and the bound the first page's total sets
    /// (before the allowance for gaps).
    requests: u64,
    refetches: u64,
    max_requests: Option<u64>,
    /// A hash of the previous page's items, to notice a server that ignores the offset.
    previous: Option<u64>,
    /// No more requests: the items in `ready` are the last.
    done: bool,
}

// Nothing of a `Pages` is ever pinned: its tasks are polled through their `JoinHandle`s,
// which are `Unpin`, and the items are only moved.
impl<T> Unpin for Pages<T> {}

impl<T> Pages<T> {
    /// Lets up to `n` pages be requested ahead once the first page has come (default 4). `1` sends
    /// one request at a time, each when the items before it have all been yielded; `0` counts
    /// as `1`.
    ///
    /// Set it before the first poll. Set later, it applies to the requests sent from then on:
    /// a smaller value cancels nothing already in flight.
    pub fn prefetch(mut self, n: usize) -> Self {
        self.prefetch = n.max(1);
        self
    }

    /// The total number of items the last page taken announced: `None` until the first page
    /// has been answered and its first item polled for, or when the method's answers carry no
    /// total.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    fn stalled(&self, reason: String) -> Error {
        Error::StreamStalled {
            api: self.params.meta.api.name.into(),
            method: self.params.meta.name.into(),
            requests: self.requests,
            reason,
        }
    }

    /// Whether one more request stays within the bound; `refetch` when it fills a gap.
    fn may_send(&self, refetch: bool) -> bool {
        let Some(max) = self.max_requests else {
            return true;
        };
        let gaps = (self.refetches + u64::from(refetch)).min(self.prefetch as u64 - 1);
        self.requests < max.saturating_add(gaps)
    }

    /// Ends the stream with `error`, cancelling every request in flight.
    fn fail(&mut self, error: Error) -> Poll<Option<Result<T, Error>>> {
        self.done = true;
        self.slots.clear();
        Poll::Ready(Some(Err(error)))
    }
}

impl<T: Send + 'static> Pages<T> {
    /// Spawns the request for `offset..offset + len`, behind the others or, for a gap, in
    /// front of them.
    fn launch(&mut self, offset: i64, len: i64, gap: bool) {
        let Some(page) = self.params.meta.pagination.as_ref() else {
            self.done = true;
            return;
        };
        let params = self
            .params
            .clone()
            .with(page.offset, offset)
            .with(page.limit, len);
        self.requests += 1;
        self.refetches += u64::from(gap);
        // The caller's span (if any) stays the parent of the call's own span.
        let future = (self.fetch)(self.client.clone(), params).in_current_span();
        let slot = Slot {
            offset,
            len,
            task: Task(tokio::spawn(future)),
        };
        if gap {
            self.slots.push_front(slot);
        } else {
            self.slots.push_back(slot);
        }
    }

    /// Requests the pages ahead that the window and the bounds allow.
    fn fill(&mut self) {
        let window = if self.pages == 0 { 1 } else { self.prefetch };
        while !self.done && self.slots.len() < window {
            let at = self
                .slots
                .back()
                .map_or(self.cursor, |s| s.offset.saturating_add(s.len));
            let past_total = self.total.is_some_and(|t| offset_u64(at) >= t);
            if past_total || !self.may_send(false) {
                return;
            }
            self.launch(at, self.step, false);
        }
    }

    /// Takes the answered front page `slot`: checks it brought progress, makes its items the
    /// next ones, and fills the gap it may leave before the next page in flight.
    fn take(&mut self, slot: Slot<T>, page: Page<T>) -> Result<(), Error> {
        let Page {
            mut items,
            total,
            hash,
        } = page;
        if total.is_some() {
            self.total = total;
        }
        if items.is_empty() {
            if let Some(total) = total.filter(|t| offset_u64(slot.offset) < *t) {
                let reason = format!(
                    "an empty page at offset {} before the announced total of {total} ({} items seen)",
                    slot.offset, self.seen
                );
                return Err(self.stalled(reason));
            }
            self.done = true;
            return Ok(());
        }
        if self.previous == Some(hash) {
            let reason = format!(
                "the page at offset {} repeats the previous page (the server ignores the offset)",
                slot.offset
            );
            return Err(self.stalled(reason));
        }
        self.previous = Some(hash);
        // More items than asked for overlap the page in flight after it: keep those asked for.
        if !self.slots.is_empty() {
            items.truncate(usize::try_from(slot.len).unwrap_or(usize::MAX));
        }
        let n = i64::try_from(items.len()).unwrap_or(i64::MAX);
        if self.pages == 0 {
            self.step = n;
            self.max_requests =
                total.map(|t| t.div_ceil(n as u64).saturating_add(1 + STREAM_SLACK));
        }
        self.pages += 1;
        self.seen += n as u64;
        self.cursor = slot.offset.saturating_add(n);
        self.done = match total {
            Some(total) => offset_u64(self.cursor) >= total,
            None => n < slot.len,
        };
        self.ready = items.into_iter();
        if self.done {
            self.slots.clear();
            return Ok(());
        }
        if let Some(next) = self.slots.front().map(|s| s.offset)
            && next > self.cursor
        {
            if self.may_send(true) {
                self.launch(self.cursor, next - self.cursor, true);
            } else {
                // The request the cursor needs next reports the bound.
                self.slots.clear();
            }
        }
        Ok(())
    }

    /// The error for a task that ended without an answer: its panic goes on in the consumer,
    /// as if the request had run there; otherwise the runtime is shutting down.
    fn lost(&self, error: JoinError) -> Error {
        if error.is_panic() {
            std::panic::resume_unwind(error.into_panic());
        }
        Error::Transport {
            api: self.params.meta.api.name.into(),
            method: self.params.meta.name.into(),
            source: Arc::new(std::io::Error::other(
                "the page request was cancelled: the runtime is shutting down",
            )),
        }
    }
}

impl<T: Send + 'static> Stream for Pages<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.ready.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            if this.slots.is_empty() {
                if !this.may_send(false) {
                    let reason = format!(
                        "the server keeps sending pages past the total it announced ({} items seen)",
                        this.seen
                    );
                    let error = this.stalled(reason);
                    return this.fail(error);
                }
                this.launch(this.cursor, this.step, false);
            }
            let Some(front) = this.slots.front_mut() else {
                continue;
            };
            let answer = ready!(Pin::new(&mut front.task.0).poll(cx));
            let Some(slot) = this.slots.pop_front() else {
                continue;
            };
            let taken = match answer {
                Ok(Ok(page)) => this.take(slot, page),
                Ok(Err(error)) => Err(error),
                Err(lost) => Err(this.lost(lost)),
            };
            if let Err(error) = taken {
                return this.fail(error);
            }
            this.fill();
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let ready = self.ready.len();
        (ready, self.done.then_some(ready))
    }
}

impl<T: Send + 'static> FusedStream for Pages<T> {
    fn is_terminated(&self) -> bool {
        self.done && self.ready.as_slice().is_empty()
    }
}

impl<T> fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("api", &self.params.meta.api.name)
            .field("method", &self.params.meta.name)
            .field("prefetch", &self.prefetch)
            .field("total", &self.total)
            .field("seen", &self.seen)
            .field("requests", &self.requests)
            .field("in_flight", &self.slots.len())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// An offset as a count of items before it (a negative one as 0).
fn offset_u64(offset: i64) -> u64 {
    u64::try_from(offset).unwrap_or(0)
}

/// The stream of a paginated method's items: what a generated `stream()` returns. It starts
/// at the builder's offset and uses its limit as the page size asked for (a default page size
/// when unset); nothing is sent before the first poll.
#[allow(dead_code, reason = "generated code uses it, per spec and features")]
pub fn paginate<P, I>(
    client: Client,
    params: Params,
    split: fn(P) -> (Vec<I>, Option<u64>),
) -> Pages<I>
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
    let fetch: Fetch<I> = Arc::new(move |client: Client, params: Params| -> PageFuture<I> {
        Box::pin(async move {
            let (items, total) = split(call::<P>(&client, params).await?);
            let hash = items_hash(&items);
            Ok(Page { items, total, hash })
        })
    });
    Pages {
        done: page.is_none(),
        client,
        params,
        fetch,
        prefetch: DEFAULT_PREFETCH,
        ready: Vec::new().into_iter(),
        slots: VecDeque::new(),
        cursor: offset,
        step: limit,
        pages: 0,
        seen: 0,
        total: None,
        requests: 0,
        refetches: 0,
        max_requests: None,
        previous: None,
    }
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
