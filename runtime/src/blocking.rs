//! Blocking calls (feature `blocking`): `send_blocking()` on every operation's builder and
//! paginators as iterators, for code without an async runtime of its own.
//!
//! Calls run on a runtime this crate owns: created on the first blocking call, one worker
//! thread, kept for the life of the program (so connections are pooled across calls). The
//! calling thread waits on a channel, not inside a runtime, so a blocking call never panics
//! where tokio's `block_on` would (inside `#[tokio::main]`, a task, `spawn_blocking`). Called
//! from async code it works, but holds that executor thread until the answer arrives: there,
//! prefer `.send().await`.

use crate::error::SdkError;
use crate::eventstream::{EventReceiver, ReadEvent};
use crate::pagination::{Collected, Paginate, PaginationStream, Paginator};
use crate::waiter::{Matched, WaitError, Waiter};
use futures_util::{FutureExt, StreamExt};
use std::cell::Cell;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::OnceLock;
use std::time::Duration;

thread_local! {
    /// Set on the runtime's own worker threads.
    static ON_WORKER: Cell<bool> = const { Cell::new(false) };
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("awsgen-blocking")
            .on_thread_start(|| ON_WORKER.set(true))
            .enable_all()
            .build()
            .expect("the blocking runtime starts (a thread and the I/O driver)")
    })
}

/// Runs `future` on the blocking runtime and waits for its result; a panic in it is resumed
/// on the calling thread.
pub fn block_on<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    // A blocking call from inside the runtime's own worker (a credentials provider making one)
    // would wait for the thread it holds: hand its other tasks to another thread first.
    if ON_WORKER.get() {
        return tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(future));
    }
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    runtime().spawn(async move {
        let _ = sender.send(AssertUnwindSafe(future).catch_unwind().await);
    });
    match receiver.recv() {
        Ok(Ok(output)) => output,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("the awsgen blocking runtime stopped before the call finished"),
    }
}

/// A paginator's pages or items as an iterator: each `next()` waits for what it needs.
pub struct BlockingIter<T, E> {
    /// `None` only while a `next()` is running on the runtime.
    stream: Option<PaginationStream<T, E>>,
}

impl<T: Send + 'static, E: Send + 'static> BlockingIter<T, E> {
    /// The resume token of a run `max_items` cut short; `None` while running or after a full run.
    pub fn resume_token(&self) -> Option<String> {
        self.stream.as_ref().and_then(PaginationStream::resume_token)
    }
}

impl<T: Send + 'static, E: Send + 'static> Iterator for BlockingIter<T, E> {
    type Item = Result<T, E>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut stream = self.stream.take()?;
        let (item, stream) = block_on(async move { (stream.next().await, stream) });
        self.stream = Some(stream);
        item
    }
}

/// An event stream's events as an iterator: each `next()` waits for the next event.
pub struct BlockingEvents<T: ReadEvent> {
    /// `None` only while a `next()` is running on the runtime.
    receiver: Option<EventReceiver<T>>,
}

impl<T: ReadEvent> Iterator for BlockingEvents<T> {
    type Item = Result<T, SdkError<T::Error>>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut receiver = self.receiver.take()?;
        let (item, receiver) = block_on(async move { (receiver.next().await, receiver) });
        self.receiver = Some(receiver);
        item
    }
}

impl<T: ReadEvent> EventReceiver<T> {
    /// The events, as an iterator that waits for each.
    pub fn into_blocking_iter(self) -> BlockingEvents<T> {
        BlockingEvents { receiver: Some(self) }
    }
}

impl<O: Paginate> Paginator<O> {
    /// The pages, as an iterator that fetches each when asked.
    pub fn send_blocking(self) -> BlockingIter<O::Output, SdkError<O::Error>> {
        BlockingIter { stream: Some(self.send()) }
    }

    /// The items of every page, as an iterator that fetches each page when needed.
    pub fn items_blocking(self) -> BlockingIter<O::Item, SdkError<O::Error>> {
        BlockingIter { stream: Some(self.items()) }
    }

    /// [`collect_all`](Self::collect_all), blocking.
    pub fn collect_all_blocking(self) -> Result<Collected<O::Output>, SdkError<O::Error>> {
        block_on(self.collect_all())
    }
}

/// What a waiter ends with.
type Waited<O> = Result<
    Matched<<O as crate::Operation>::Output, <O as crate::Operation>::Error>,
    WaitError<<O as crate::Operation>::Output, <O as crate::Operation>::Error>,
>;

impl<O: crate::Operation + Clone> Waiter<O>
where
    O::Output: Send,
    O::Error: Send,
{
    /// [`wait`](Self::wait), blocking.
    pub fn wait_blocking(self, max_wait: Duration) -> Waited<O> {
        block_on(self.wait(max_wait))
    }
}
