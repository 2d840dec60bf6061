//! Running a request's DataLoader batches in the request's own task, in rounds, so every
//! key a round of resolvers asks for lands in one batch per loader, whatever the timing.
//!
//! async-graphql's DataLoader hands each batch to a spawner and closes it on a timer
//! (1 ms). On spawned tasks, a list big enough to take longer than that to resolve is cut
//! into many batches: a page of 50 leads cost 930 statements instead of 17.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
};

use futures::{StreamExt, future::BoxFuture, stream::FuturesUnordered};

/// Batch loads waiting to run in the request's task.
#[derive(Clone, Default)]
pub struct BatchQueue(Arc<Mutex<Vec<BoxFuture<'static, ()>>>>);

impl BatchQueue {
    /// Queues a batch (the DataLoader's spawner).
    pub fn push(&self, batch: BoxFuture<'static, ()>) {
        self.0.lock().expect("batch queue").push(batch);
    }
}

/// Runs `request` and, in the same task, the batches its loaders queue, in rounds: the
/// batches queued while a round runs start together when it is over. Keys that resolvers
/// ask for because of round N's results therefore all land in round N + 1's batches,
/// whatever the timing, and statement counts are deterministic. The request itself is
/// polled whenever it is woken, also during a round: a resolver's direct read may hold a
/// pooled connection, and starving it while batches wait for connections would deadlock
/// the pool. "Woken" ignores yields (tokio's cooperative budget, `FuturesOrdered` yielding
/// every 32 list items): a poll that woke itself is repeated at once, so a round is never
/// cut short by one.
pub fn drive<F: Future + Send>(
    request: F,
    queue: BatchQueue,
) -> impl Future<Output = F::Output> + Send {
    Driven {
        request: Box::pin(tokio::task::unconstrained(request)),
        queue,
        running: FuturesUnordered::new(),
    }
}

/// As [`drive`], for a subscription: each item of `stream` (one event's resolution) is
/// driven as a request of its own, so its lazy fields batch as a query's do.
pub fn drive_stream<S: futures::Stream + Send + Unpin + 'static>(
    stream: S,
    queue: BatchQueue,
) -> impl futures::Stream<Item = S::Item> + Send + 'static
where
    S::Item: Send,
{
    futures::stream::unfold(stream, move |stream| {
        let queue = queue.clone();
        async move {
            let (item, rest) = drive(stream.into_future(), queue).await;
            item.map(|item| (item, rest))
        }
    })
}

struct Driven<F: Future> {
    request: Pin<Box<tokio::task::Unconstrained<F>>>,
    queue: BatchQueue,
    running: FuturesUnordered<BoxFuture<'static, ()>>,
}

impl<F: Future> Driven<F> {
    /// Polls the request until it stops waking itself.
    fn poll_request(&mut self, cx: &mut Context<'_>) -> Poll<F::Output> {
        loop {
            let woke = Arc::new(SelfWake {
                woken: AtomicBool::new(false),
                outer: cx.waker().clone(),
            });
            let waker = futures::task::waker(woke.clone());
            if let Poll::Ready(output) =
                self.request.as_mut().poll(&mut Context::from_waker(&waker))
            {
                return Poll::Ready(output);
            }
            if !woke.woken.load(Ordering::SeqCst) {
                return Poll::Pending;
            }
        }
    }
}

impl<F: Future> Future for Driven<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        loop {
            if let Poll::Ready(output) = self.poll_request(cx) {
                return Poll::Ready(output);
            }
            if self.running.is_empty() {
                let queued = std::mem::take(&mut *self.queue.0.lock().expect("batch queue"));
                if queued.is_empty() {
                    // Waiting on something else (a direct read); its wake-up polls again.
                    return Poll::Pending;
                }
                self.running.extend(queued);
            }
            // A finished batch lets its resolvers go on (their keys wait for the next
            // round); an empty set means the round is over. Either way, poll the request.
            if self.running.poll_next_unpin(cx).is_pending() {
                return Poll::Pending;
            }
        }
    }
}

/// Notes whether the request woke itself while being polled (a yield, not a wait).
struct SelfWake {
    woken: AtomicBool,
    outer: std::task::Waker,
}

impl futures::task::ArcWake for SelfWake {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.woken.store(true, Ordering::SeqCst);
        arc_self.outer.wake_by_ref();
    }
}
