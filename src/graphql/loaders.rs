//! Per-request DataLoaders: every lazy field of a lead (and what hangs off it) is batched,
//! so the number of SQL statements does not grow with the number of leads. One `Loaders`
//! is built per request for the caller's workspace, so nothing crosses requests or
//! workspaces; loaders do not cache across batches either, so a mutation later in the
//! same request reads fresh data.
//!
//! Batches do not run on spawned tasks: they go to the request's `BatchQueue`, and
//! `batching::drive` runs them in the request's own task, in rounds.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
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

use super::batching::BatchQueue;

/// The batch functions, bound to one workspace.
pub struct Batches {
    db: DatabaseConnection,
    workspace_id: Uuid,
}

pub type Loaders = DataLoader<Batches>;

/// Loaders for one request of one workspace, and the queue their batches go to.
pub fn for_workspace(db: DatabaseConnection, workspace_id: Uuid) -> (Loaders, BatchQueue) {
    let queue = BatchQueue::default();
    let spawn_into = queue.clone();
    // No delay: a batch is queued with its first key, and `batching::drive` starts it only
    // once the request has stopped asking for keys in this round, so every key of the
    // round is in it already. The default (1 ms) only added a timer tick per round.
    let loaders = DataLoader::new(Batches { db, workspace_id }, move |batch| {
        spawn_into.push(batch);
    })
    .delay(std::time::Duration::ZERO);
    (loaders, queue)
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
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LeadDocuments(pub Uuid);
/// The `validationRules` of the item behind a lead checklist entry (for its documents).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RulesOfEntry(pub Uuid);

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
        let keys: Vec<(Uuid, Marker)> = keys.iter().map(|k| (k.lead_id, k.marker)).collect();
        let found = timeline::markers_for_leads(&self.db, self.workspace_id, &keys).await?;
        Ok(found
            .into_iter()
            .map(|((lead_id, marker), log)| (MarkerOf { lead_id, marker }, log))
            .collect())
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

impl Loader<LeadDocuments> for Batches {
    type Value = Vec<document::Model>;
    type Error = Shared;
    async fn load(
        &self,
        keys: &[LeadDocuments],
    ) -> Result<HashMap<LeadDocuments, Self::Value>, Shared> {
        self.documents(keys, |k| Owner::Lead(k.0)).await
    }
}

impl Loader<RulesOfEntry> for Batches {
    type Value = Option<serde_json::Value>;
    type Error = Shared;
    async fn load(
        &self,
        keys: &[RulesOfEntry],
    ) -> Result<HashMap<RulesOfEntry, Self::Value>, Shared> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rules = documents::validation_rules(&self.db, self.workspace_id, &ids).await?;
        Ok(rules
            .into_iter()
            .map(|(id, r)| (RulesOfEntry(id), r))
            .collect())
    }
}
