//! Stalled-stream protection: a response body that stops arriving fails instead of waiting
//! forever (a GetObject whose server or middlebox went silent mid-object).
//!
//! Throughput is measured only over the time the caller spends waiting for the body, so a
//! caller slow to read is never taken for a stalled server; any transfer that keeps moving at
//! the minimum passes however slow; event streams, which a service may keep open and quiet for
//! as long as it likes, are not watched at all.

use crate::error::{TransportError, TransportErrorKind};
use bytes::Bytes;
use http_body::{Body, Frame};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// When a response body counts as stalled: fewer than `min_throughput` bytes per second over
/// `grace_period` of waiting for it. The default, 1 byte per second over 20 s, catches a silent
/// connection in 20 s and never a moving one (botocore's read timeout is 60 s without data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StalledStreamProtection {
    pub grace_period: Duration,
    /// Bytes per second.
    pub min_throughput: u64,
}

impl Default for StalledStreamProtection {
    fn default() -> Self {
        StalledStreamProtection { grace_period: Duration::from_secs(20), min_throughput: 1 }
    }
}

impl StalledStreamProtection {
    /// The bytes a grace period of waiting must bring.
    fn required(&self) -> u64 {
        (self.min_throughput as f64 * self.grace_period.as_secs_f64()).ceil() as u64
    }
}

/// A body that fails with [`TransportErrorKind::StalledStream`] when it stalls.
pub(crate) struct Watched<B> {
    inner: B,
    watch: Watch,
}

impl<B> Watched<B> {
    pub(crate) fn new(inner: B, protection: StalledStreamProtection) -> Self {
        Watched { inner, watch: Watch::new(protection) }
    }
}

impl<B> Body for Watched<B>
where
    B: Body<Data = Bytes, Error = BoxError> + Unpin,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                let moved = match &frame {
                    Some(Ok(frame)) => frame.data_ref().map_or(0, Bytes::len),
                    _ => 0,
                };
                this.watch.arrived(moved);
                Poll::Ready(frame)
            }
            Poll::Pending => this.watch.poll_waiting(cx).map(|stalled| Some(Err(stalled.into()))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The current window: how long the caller has waited in it, and what arrived.
struct Watch {
    protection: StalledStreamProtection,
    waited: Duration,
    bytes: u64,
    /// Since when the caller has been waiting, and the timer for the window's end.
    waiting: Option<(Instant, Pin<Box<Sleep>>)>,
}

impl Watch {
    fn new(protection: StalledStreamProtection) -> Self {
        Watch { protection, waited: Duration::ZERO, bytes: 0, waiting: None }
    }

    /// Something arrived (`bytes` of data, or the end, or an error): the wait is over.
    fn arrived(&mut self, bytes: usize) {
        if let Some((since, _)) = self.waiting.take() {
            self.waited += since.elapsed();
        }
        self.bytes += bytes as u64;
        self.roll();
    }

    /// Starts a new window once this one has brought enough, whenever that happens (a full
    /// window of too little is judged by `poll_waiting`, the next time the caller waits).
    fn roll(&mut self) {
        if self.bytes >= self.protection.required() {
            (self.waited, self.bytes) = (Duration::ZERO, 0);
        }
    }

    /// The caller waits and nothing came: `Ready` with the error once a whole window of waiting
    /// brought too little.
    fn poll_waiting(&mut self, cx: &mut Context<'_>) -> Poll<TransportError> {
        loop {
            let grace = self.protection.grace_period;
            let waited = self.waited;
            let (since, timer) = self.waiting.get_or_insert_with(|| {
                let now = Instant::now();
                (now, Box::pin(tokio::time::sleep_until(now + grace.saturating_sub(waited))))
            });
            if timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.waited += since.elapsed();
            self.waiting = None;
            if self.bytes < self.protection.required() {
                return Poll::Ready(stalled(self.protection, self.bytes));
            }
            (self.waited, self.bytes) = (Duration::ZERO, 0);
        }
    }
}

/// How much of a request body the transport has taken, for [`upload_watchdog`].
#[derive(Debug, Default)]
pub(crate) struct Progress {
    sent: std::sync::atomic::AtomicU64,
    done: std::sync::atomic::AtomicBool,
}

/// A request body that counts what the transport takes of it.
pub(crate) struct Counted<B> {
    inner: B,
    progress: std::sync::Arc<Progress>,
}

impl<B> Counted<B> {
    pub(crate) fn new(inner: B, progress: std::sync::Arc<Progress>) -> Self {
        Counted { inner, progress }
    }
}

impl<B> Body for Counted<B>
where
    B: Body<Data = Bytes, Error = BoxError> + Unpin,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        use std::sync::atomic::Ordering::Relaxed;
        let this = &mut *self;
        let frame = std::task::ready!(Pin::new(&mut this.inner).poll_frame(cx));
        match &frame {
            Some(Ok(frame)) => {
                let sent = frame.data_ref().map_or(0, Bytes::len) as u64;
                this.progress.sent.fetch_add(sent, Relaxed);
            }
            _ => this.progress.done.store(true, Relaxed),
        }
        if this.inner.is_end_stream() {
            this.progress.done.store(true, Relaxed);
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Ends, with the error, when the transport takes less than the minimum of a request body over a
/// grace period (a server or middlebox that stopped reading it); never once the body is all taken
/// (the service is then working on its answer, which the attempt timeout bounds).
pub(crate) async fn upload_watchdog(progress: &Progress, protection: StalledStreamProtection) -> TransportError {
    use std::sync::atomic::Ordering::Relaxed;
    let mut before = 0;
    loop {
        tokio::time::sleep(protection.grace_period).await;
        if progress.done.load(Relaxed) {
            return std::future::pending().await;
        }
        let sent = progress.sent.load(Relaxed);
        if sent - before < protection.required() {
            let StalledStreamProtection { grace_period, min_throughput } = protection;
            return TransportError::new(
                TransportErrorKind::StalledStream,
                format!(
                    "{} bytes of the request body taken in {grace_period:?}, under the minimum of {min_throughput} \
                     per second (see ConfigBuilder::stalled_stream_protection)",
                    sent - before
                ),
            );
        }
        before = sent;
    }
}

fn stalled(protection: StalledStreamProtection, bytes: u64) -> TransportError {
    let StalledStreamProtection { grace_period, min_throughput } = protection;
    TransportError::new(
        TransportErrorKind::StalledStream,
        format!(
            "{bytes} bytes of the response body in {grace_period:?} of waiting, under the minimum of \
             {min_throughput} per second (see ConfigBuilder::stalled_stream_protection)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use http_body_util::{BodyExt, StreamBody};

    /// A body of `chunks`, each `pause` after the one before.
    fn trickle(chunks: usize, pause: Duration) -> impl Body<Data = Bytes, Error = BoxError> + Unpin {
        let frames = futures_util::stream::iter(0..chunks).then(move |_| async move {
            tokio::time::sleep(pause).await;
            Ok::<_, BoxError>(Frame::data(Bytes::from_static(b"x")))
        });
        StreamBody::new(Box::pin(frames))
    }

    fn protection(grace_ms: u64, min_throughput: u64) -> StalledStreamProtection {
        StalledStreamProtection { grace_period: Duration::from_millis(grace_ms), min_throughput }
    }

    async fn read_all(body: impl Body<Data = Bytes, Error = BoxError> + Unpin) -> Result<usize, String> {
        let mut body = Watched::new(body, protection(1000, 1));
        let mut total = 0;
        while let Some(frame) = body.frame().await {
            total += frame.map_err(|e| e.to_string())?.into_data().map_or(0, |d| d.len());
        }
        Ok(total)
    }

    #[tokio::test(start_paused = true)]
    async fn a_moving_body_passes_however_slow_and_a_silent_one_fails() {
        assert_eq!(read_all(trickle(10, Duration::from_millis(900))).await, Ok(10), "a byte every 0.9 s");
        let silent = read_all(trickle(3, Duration::from_secs(5))).await.unwrap_err();
        assert!(silent.contains("stalled: 0 bytes of the response body in 1s of waiting"), "{silent}");
    }

    #[tokio::test(start_paused = true)]
    async fn only_the_callers_waiting_counts() {
        let mut body = Watched::new(trickle(4, Duration::from_millis(500)), protection(1000, 1));
        while let Some(frame) = body.frame().await {
            frame.unwrap();
            // The caller takes far longer than the grace period with each chunk.
            tokio::time::sleep(Duration::from_secs(10)).await;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn too_little_over_a_window_fails_even_while_moving() {
        // 1 byte per 400 ms is 2.5 B/s; 10 B/s is asked over 2 s of waiting.
        let mut body = Watched::new(trickle(20, Duration::from_millis(400)), protection(2000, 10));
        let mut error = None;
        while let Some(frame) = body.frame().await {
            if let Err(e) = frame {
                error = Some(e.to_string());
                break;
            }
        }
        let error = error.expect("the trickle is too slow");
        assert!(error.contains("under the minimum of 10 per second"), "{error}");
    }
}
