//! Per-request DataLoaders: every lazy field of a lead (and what hangs off it) is batched,
//! so the number of SQL statements does not grow with the number of leads. One `Loaders`
//! is built per request for the caller's workspace, so nothing crosses requests or
//! workspaces; loaders do not cache across batches either, so a mutation later in the
//! same request reads fresh data.
//!
//! Batches run inside the request's own task (`drive`), not on spawned tasks: a batch
//! only closes after the resolvers have gone as far as they can, so a slow resolver wave
//! is never cut into several batches and statement counts are deterministic.

use std::{
    collections::HashMap,
    future::Future,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
};

use async_graphql::dataloader::{DataLoader, Loader};
use futures::{StreamExt, future::BoxFuture, stream::FuturesUnordered};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::domain::{
    checklist::view::{self, GroupView},
    documents::{self, Owner},
    matching::{self, MatchKey},
    tags,
    timeline::{self, Marker},
};
use crate::entities::{action_log, document, lead, message, tool};
use crate::error::Error;

/// The batch functions, bound to one workspace.
pub struct Batches {
    db: DatabaseConnection,
    workspace_id: Uuid,
}

pub type Loaders = DataLoader<Batches>;

/// Batch loads waiting to run in the request's task.
#[derive(Clone, Default)]
pub struct BatchQueue(Arc<Mutex<Vec<BoxFuture<'static, ()>>>>);

/// Loaders for one request of one workspace, and the queue their batches go to.
pub fn for_workspace(db: DatabaseConnection, workspace_id: Uuid) -> (Loaders, BatchQueue) {
    let queue = BatchQueue::default();
    let spawn_into = queue.clone();
    let loaders = DataLoader::new(Batches { db, workspace_id }, move |batch| {
        spawn_into.0.lock().expect("batch queue").push(batch);
    });
    (loaders, queue)
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

type Shared = Arc<Error>;

/// A lead's checklist, grouped.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChecklistOf(pub Uuid);
/// A lead's tag names.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TagsOf(pub Uuid);
/// A lead's newest `limit` action logs.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LogsOf {
    pub lead_id: Uuid,
    pub limit: u64,
}
/// A lead's last action, next follow-up or next draft.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MarkerOf {
    pub lead_id: Uuid,
    pub marker: Marker,
}
/// The leads matching a lead.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MatchesOf(pub MatchKey);
/// An action log's messages.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessagesOf(pub Uuid);
/// The tool calls made for an action.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ToolCallsOf(pub Uuid);
/// A tool by id.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ToolById(pub Uuid);
/// The documents of a checklist item, action log or message. Each kind of owner batches on
/// its own, so the statement count of a query does not depend on which branch of it
/// resolves first.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ItemDocuments(pub Uuid);
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LogDocuments(pub Uuid);
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageDocuments(pub Uuid);

impl Loader<ChecklistOf> for Batches {
    type Value = Vec<GroupView>;
    type Error = Shared;
    async fn load(
        &self,
        keys: &[ChecklistOf],
    ) -> Result<HashMap<ChecklistOf, Self::Value>, Shared> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let views = view::for_leads(&self.db, self.workspace_id, &ids).await?;
        Ok(views
            .into_iter()
            .map(|(id, v)| (ChecklistOf(id), v))
            .collect())
    }
}

impl Loader<TagsOf> for Batches {
    type Value = Vec<String>;
    type Error = Shared;
    async fn load(&self, keys: &[TagsOf]) -> Result<HashMap<TagsOf, Self::Value>, Shared> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let tags = tags::for_leads(&self.db, &ids).await?;
        Ok(tags.into_iter().map(|(id, t)| (TagsOf(id), t)).collect())
    }
}

impl Loader<LogsOf> for Batches {
    type Value = Vec<action_log::Model>;
    type Error = Shared;
    async fn load(&self, keys: &[LogsOf]) -> Result<HashMap<LogsOf, Self::Value>, Shared> {
        // One statement per distinct limit (a query uses one or two).
        let mut by_limit: HashMap<u64, Vec<Uuid>> = HashMap::new();
        for key in keys {
            by_limit.entry(key.limit).or_default().push(key.lead_id);
        }
        let mut out = HashMap::new();
        for (limit, ids) in by_limit {
            let logs = timeline::recent_for_leads(&self.db, self.workspace_id, &ids, limit).await?;
            out.extend(
                logs.into_iter()
                    .map(|(lead_id, l)| (LogsOf { lead_id, limit }, l)),
            );
        }
        Ok(out)
    }
}

impl Loader<MarkerOf> for Batches {
    type Value = action_log::Model;
    type Error = Shared;
    async fn load(&self, keys: &[MarkerOf]) -> Result<HashMap<MarkerOf, Self::Value>, Shared> {
        let mut by_marker: HashMap<Marker, Vec<Uuid>> = HashMap::new();
        for key in keys {
            by_marker.entry(key.marker).or_default().push(key.lead_id);
        }
        let mut out = HashMap::new();
        for (marker, ids) in by_marker {
            let found =
                timeline::marker_for_leads(&self.db, self.workspace_id, &ids, marker).await?;
            out.extend(
                found
                    .into_iter()
                    .map(|(lead_id, l)| (MarkerOf { lead_id, marker }, l)),
            );
        }
        Ok(out)
    }
}

impl Loader<MatchesOf> for Batches {
    type Value = Vec<lead::Model>;
    type Error = Shared;
    async fn load(&self, keys: &[MatchesOf]) -> Result<HashMap<MatchesOf, Self::Value>, Shared> {
        let keys: Vec<MatchKey> = keys.iter().map(|k| k.0.clone()).collect();
        let found = matching::for_leads(&self.db, self.workspace_id, &keys).await?;
        Ok(found.into_iter().map(|(k, v)| (MatchesOf(k), v)).collect())
    }
}

impl Loader<MessagesOf> for Batches {
    type Value = Vec<message::Model>;
    type Error = Shared;
    async fn load(&self, keys: &[MessagesOf]) -> Result<HashMap<MessagesOf, Self::Value>, Shared> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let found = timeline::messages_for_logs(&self.db, &ids).await?;
        Ok(found
            .into_iter()
            .map(|(id, m)| (MessagesOf(id), m))
            .collect())
    }
}

impl Loader<ToolCallsOf> for Batches {
    type Value = Vec<action_log::Model>;
    type Error = Shared;
    async fn load(
        &self,
        keys: &[ToolCallsOf],
    ) -> Result<HashMap<ToolCallsOf, Self::Value>, Shared> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let found = timeline::tool_calls_for(&self.db, self.workspace_id, &ids).await?;
        Ok(found
            .into_iter()
            .map(|(id, calls)| (ToolCallsOf(id), calls))
            .collect())
    }
}

impl Loader<ToolById> for Batches {
    type Value = tool::Model;
    type Error = Shared;
    async fn load(&self, keys: &[ToolById]) -> Result<HashMap<ToolById, Self::Value>, Shared> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let found = timeline::tools_by_id(&self.db, self.workspace_id, &ids).await?;
        Ok(found.into_iter().map(|(id, t)| (ToolById(id), t)).collect())
    }
}

impl Batches {
    async fn documents<K: Copy + Eq + std::hash::Hash>(
        &self,
        keys: &[K],
        owner: fn(K) -> Owner,
    ) -> Result<HashMap<K, Vec<document::Model>>, Shared> {
        let owners: Vec<Owner> = keys.iter().map(|k| owner(*k)).collect();
        let mut found = documents::for_owners(&self.db, self.workspace_id, &owners).await?;
        Ok(keys
            .iter()
            .filter_map(|k| Some((*k, found.remove(&owner(*k))?)))
            .collect())
    }
}

impl Loader<ItemDocuments> for Batches {
    type Value = Vec<document::Model>;
    type Error = Shared;
    async fn load(
        &self,
        keys: &[ItemDocuments],
    ) -> Result<HashMap<ItemDocuments, Self::Value>, Shared> {
        self.documents(keys, |k| Owner::LeadChecklistItem(k.0))
            .await
    }
}

impl Loader<LogDocuments> for Batches {
    type Value = Vec<document::Model>;
    type Error = Shared;
    async fn load(
        &self,
        keys: &[LogDocuments],
    ) -> Result<HashMap<LogDocuments, Self::Value>, Shared> {
        self.documents(keys, |k| Owner::ActionLog(k.0)).await
    }
}

impl Loader<MessageDocuments> for Batches {
    type Value = Vec<document::Model>;
    type Error = Shared;
    async fn load(
        &self,
        keys: &[MessageDocuments],
    ) -> Result<HashMap<MessageDocuments, Self::Value>, Shared> {
        self.documents(keys, |k| Owner::Message(k.0)).await
    }
}
