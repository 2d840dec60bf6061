//! Subscriptions: `leadEvents` streams the caller's workspace events as they commit, read
//! from the outbox (`domain::events::feed`), so every replica's commits reach every
//! replica's subscribers and a reconnecting client resumes with `after`.

use async_graphql::{Context, Enum, ID, Json, Object, Result, Subscription as GqlSubscription};
use futures::{Stream, StreamExt};
use sea_orm::DatabaseConnection;
use serde_json::Value;

use crate::domain::{
    events::{self, feed, wake::Wake},
    leads,
};
use crate::entities::outbox_event;
use crate::error::Error;

use super::{
    context::caller,
    errors::{GqlResult, to_graphql},
    query::parse_id,
    scalars::DateTime,
    types::lead::Lead,
};

/// The kinds of event; each is the wire name of webhooks in capitals (`LEAD_CREATED` is
/// `lead.created`).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "events::EventType")]
pub enum EventType {
    LeadCreated,
    LeadUpdated,
    LeadCompleted,
    ActionLogCompleted,
    ActionLogFailed,
    DocumentReceived,
}

#[derive(Default)]
pub struct Subscription;

#[GqlSubscription]
impl Subscription {
    /// The caller's workspace events as they commit, oldest first, on any replica. With
    /// `after` (the `id` of the last event the client saw), first the events committed
    /// since then (within the retention period), then live ones; without it, only events
    /// committed from now on. `types` keeps only those kinds (all when absent).
    async fn lead_events(
        &self,
        ctx: &Context<'_>,
        types: Option<Vec<EventType>>,
        after: Option<ID>,
    ) -> Result<impl Stream<Item = LeadEvent> + use<>> {
        let caller = caller(ctx)?;
        let db = ctx.data::<DatabaseConnection>()?.clone();
        let wake = ctx.data::<Wake>()?;
        let workspace_id = caller.principal.workspace_id;
        let mut kinds: Vec<events::EventType> = Vec::new();
        if let Some(types) = types {
            if types.is_empty() {
                return Err(to_graphql(&Error::bad_input(
                    "types",
                    "must name at least one event type; leave it out for every type",
                )));
            }
            for kind in types {
                let kind = kind.into();
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
        }
        let seq = match after {
            Some(id) => {
                let id = parse_id("after", &id)?;
                feed::position_of(&db, workspace_id, id)
                    .await
                    .gql()?
                    .ok_or_else(|| {
                        to_graphql(&Error::bad_input(
                            "after",
                            "names no event of this workspace: unknown, or pruned after the \
                             retention period (subscribe without `after` to start from now)",
                        ))
                    })?
            }
            None => feed::latest(&db, workspace_id).await.gql()?,
        };
        Ok(feed::follow(db, wake, workspace_id, seq, kinds).map(LeadEvent))
    }
}

pub struct LeadEvent(outbox_event::Model);

/// One committed event of the caller's workspace, as `leadEvents` streams it.
#[Object]
impl LeadEvent {
    /// The event's stable id (the `webhook-id` of its webhook deliveries). Pass the last
    /// one seen as `leadEvents(after:)` when reconnecting.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What happened (`LEAD_CREATED` is the webhook's `lead.created`).
    async fn r#type(&self) -> Result<EventType> {
        events::EventType::parse(&self.0.r#type)
            .map(Into::into)
            .ok_or_else(|| {
                to_graphql(&Error::Internal(format!(
                    "unknown event type {}",
                    self.0.r#type
                )))
            })
    }

    /// When the write that made it committed.
    async fn occurred_at(&self) -> DateTime {
        DateTime(self.0.occurred_at)
    }

    /// The documented `data` of the event, as webhooks deliver it (README "Events").
    async fn data(&self) -> Json<Value> {
        Json(self.0.body.get("data").cloned().unwrap_or(Value::Null))
    }

    /// The lead it is about (every event type has one today).
    async fn lead_id(&self) -> Option<ID> {
        self.0.lead_id.map(|id| ID(id.to_string()))
    }

    /// The lead as it is now (read when selected, deleted leads included); null when it
    /// is gone.
    async fn lead(&self, ctx: &Context<'_>) -> Result<Option<Lead>> {
        let Some(id) = self.0.lead_id else {
            return Ok(None);
        };
        let caller = caller(ctx)?;
        let db = ctx.data::<DatabaseConnection>()?;
        match leads::find(db, &caller.principal, id).await {
            Ok(lead) => Ok(Some(Lead(lead))),
            Err(Error::NotFound(_)) => Ok(None),
            Err(err) => Err(err).gql(),
        }
    }
}
