//! Reading deliveries and their attempts, and replaying a FAILED one.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::domain::{auth::Principal, clock};
use crate::entities::{outbox_event, webhook_attempt, webhook_delivery};
use crate::error::{Error, Result};

use super::dispatch::{FAILED, PENDING};

/// Most deliveries one read returns.
pub const MAX_PAGE: u64 = 100;

/// A delivery with its event's type and its attempts, oldest first.
#[derive(Debug, Clone)]
pub struct DeliveryView {
    pub delivery: webhook_delivery::Model,
    pub event_type: String,
    pub attempts: Vec<webhook_attempt::Model>,
}

/// An endpoint's deliveries, newest event first (`status` filters), with their attempts.
pub async fn list(
    db: &impl ConnectionTrait,
    principal: &Principal,
    endpoint_id: Uuid,
    status: Option<&str>,
    first: u64,
) -> Result<Vec<DeliveryView>> {
    super::endpoints::find(db, principal, endpoint_id).await?;
    let mut query = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id))
        .filter(webhook_delivery::Column::WorkspaceId.eq(principal.workspace_id));
    if let Some(status) = status {
        query = query.filter(webhook_delivery::Column::Status.eq(status));
    }
    let deliveries = query
        .order_by_desc(webhook_delivery::Column::EventSeq)
        .limit(first.min(MAX_PAGE))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = deliveries.iter().map(|d| d.id).collect();
    let event_ids: Vec<Uuid> = deliveries.iter().map(|d| d.event_id).collect();
    let attempts = webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.is_in(ids))
        .order_by_asc(webhook_attempt::Column::StartedAt)
        .order_by_asc(webhook_attempt::Column::Id)
        .all(db)
        .await?;
    let types: Vec<(Uuid, String)> = outbox_event::Entity::find()
        .select_only()
        .columns([outbox_event::Column::Id, outbox_event::Column::Type])
        .filter(outbox_event::Column::Id.is_in(event_ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(deliveries
        .into_iter()
        .map(|delivery| DeliveryView {
            event_type: types
                .iter()
                .find(|(id, _)| *id == delivery.event_id)
                .map(|(_, t)| t.clone())
                .unwrap_or_default(),
            attempts: attempts
                .iter()
                .filter(|a| a.delivery_id == delivery.id)
                .cloned()
                .collect(),
            delivery,
        })
        .collect())
}

/// Sends a FAILED delivery again: PENDING now, with a fresh set of attempts (numbered
/// from 1 again; the earlier ones stay readable). It goes out in its event's order, once
/// its endpoint is enabled.
pub async fn redeliver(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> Result<webhook_delivery::Model> {
    let delivery = webhook_delivery::Entity::find_by_id(id)
        .filter(webhook_delivery::Column::WorkspaceId.eq(principal.workspace_id))
        .one(db)
        .await?
        .ok_or(Error::NotFound("webhook delivery"))?;
    if delivery.status != FAILED {
        return Err(Error::bad_input(
            "id",
            format!(
                "only FAILED deliveries can be redelivered; this one is {}",
                delivery.status
            ),
        ));
    }
    let now = clock::now();
    let changed = webhook_delivery::Entity::update_many()
        .set(webhook_delivery::ActiveModel {
            status: Set(PENDING.into()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            lease_until: Set(None),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(webhook_delivery::Column::Id.eq(id))
        .filter(webhook_delivery::Column::Status.eq(FAILED))
        .exec(db)
        .await?;
    if changed.rows_affected == 0 {
        return Err(Error::bad_input(
            "id",
            "the delivery changed meanwhile; read it again",
        ));
    }
    Ok(webhook_delivery::Model {
        status: PENDING.into(),
        attempts: 0,
        next_attempt_at: now,
        lease_until: None,
        updated_at: now,
        ..delivery
    })
}
