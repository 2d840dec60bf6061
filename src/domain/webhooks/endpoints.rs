//! Webhook endpoints of a workspace: created, listed, changed, deleted, their secret
//! rotated. The secret is returned only by `create` and `rotate_secret`; it is stored as
//! is, since every delivery is signed with it.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::{auth::Principal, clock, events::EventType};
use crate::entities::{outbox_event, webhook_endpoint};
use crate::error::{Error, FieldError, Result};

use super::{Settings, signing, target};

/// Longest description accepted.
const MAX_DESCRIPTION: usize = 1_000;
/// Most endpoints a workspace may have.
pub const MAX_ENDPOINTS: u64 = 20;

/// What `create` takes and `update` patches (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct EndpointInput {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    /// `update` only: true re-enables a disabled endpoint (and forgets its failures),
    /// false disables it.
    pub enabled: Option<bool>,
}

/// Checks every field given; the URL's host only when the URL is fine otherwise.
async fn check(
    input: &EndpointInput,
    settings: &Settings,
) -> Result<(Option<String>, Option<Vec<String>>, Option<String>)> {
    let mut errors = Vec::new();
    let mut url = None;
    if let Some(raw) = &input.url {
        match target::parse(raw) {
            Ok(parsed) => match target::check_saved(&parsed, settings.allow_private).await {
                Ok(()) => url = Some(parsed.to_string()),
                Err(why) => errors.push(FieldError::new("url", why)),
            },
            Err(why) => errors.push(FieldError::new("url", why)),
        }
    }
    let mut events = None;
    if let Some(list) = &input.events {
        let mut names: Vec<String> = Vec::new();
        if list.is_empty() {
            errors.push(FieldError::new(
                "events",
                "must name at least one event type",
            ));
        }
        for (i, name) in list.iter().enumerate() {
            match EventType::parse(name.trim()) {
                Some(kind) if !names.iter().any(|n| n == kind.as_str()) => {
                    names.push(kind.as_str().to_owned());
                }
                Some(_) => {}
                None => errors.push(FieldError::new(
                    format!("events[{i}]"),
                    format!(
                        "unknown event type {name:?}; known: {}",
                        EventType::ALL.map(EventType::as_str).join(", ")
                    ),
                )),
            }
        }
        events = Some(names);
    }
    let description = input
        .description
        .as_ref()
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty());
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
    {
        errors.push(FieldError::new(
            "description",
            format!("is too long (at most {MAX_DESCRIPTION} characters)"),
        ));
    }
    if errors.is_empty() {
        Ok((url, events, description))
    } else {
        Err(Error::BadInput(errors))
    }
}

/// Creates an endpoint that receives the workspace's events from now on.
pub async fn create(
    db: &impl ConnectionTrait,
    settings: &Settings,
    principal: &Principal,
    input: &EndpointInput,
) -> Result<webhook_endpoint::Model> {
    let mut missing = Vec::new();
    if input.url.is_none() {
        missing.push(FieldError::new("url", "is required"));
    }
    if input.events.is_none() {
        missing.push(FieldError::new("events", "is required"));
    }
    if !missing.is_empty() {
        return Err(Error::BadInput(missing));
    }
    let (url, events, description) = check(input, settings).await?;
    let count = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::WorkspaceId.eq(principal.workspace_id))
        .count(db)
        .await?;
    if count >= MAX_ENDPOINTS {
        return Err(Error::bad_input(
            "url",
            format!("a workspace has at most {MAX_ENDPOINTS} webhook endpoints"),
        ));
    }
    // From now on: the cursor starts at the workspace's latest event.
    let latest: Option<i64> = outbox_event::Entity::find()
        .select_only()
        .column_as(outbox_event::Column::Seq.max(), "latest")
        .filter(outbox_event::Column::WorkspaceId.eq(principal.workspace_id))
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let now = clock::now();
    let model = webhook_endpoint::Model {
        id: Uuid::now_v7(),
        workspace_id: principal.workspace_id,
        url: url.unwrap_or_default(),
        description,
        events: Value::from(events.unwrap_or_default()),
        secret: signing::new_secret(),
        enabled: true,
        disabled_reason: None,
        consecutive_failures: 0,
        cursor_seq: latest.unwrap_or(0),
        created_at: now,
        updated_at: now,
    };
    webhook_endpoint::Entity::insert(webhook_endpoint::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    Ok(model)
}

/// The workspace's endpoints, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> Result<Vec<webhook_endpoint::Model>> {
    Ok(webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::WorkspaceId.eq(principal.workspace_id))
        .order_by_asc(webhook_endpoint::Column::CreatedAt)
        .order_by_asc(webhook_endpoint::Column::Id)
        .all(db)
        .await?)
}

/// One endpoint of the caller's workspace.
pub async fn find(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> Result<webhook_endpoint::Model> {
    webhook_endpoint::Entity::find_by_id(id)
        .filter(webhook_endpoint::Column::WorkspaceId.eq(principal.workspace_id))
        .one(db)
        .await?
        .ok_or(Error::NotFound("webhook endpoint"))
}

/// Changes what `input` gives. Enabling forgets the failures that disabled it.
pub async fn update(
    db: &impl ConnectionTrait,
    settings: &Settings,
    principal: &Principal,
    id: Uuid,
    input: &EndpointInput,
) -> Result<webhook_endpoint::Model> {
    let current = find(db, principal, id).await?;
    let (url, events, description) = check(input, settings).await?;
    let mut row: webhook_endpoint::ActiveModel = current.into();
    if let Some(url) = url {
        row.url = Set(url);
    }
    if let Some(events) = events {
        row.events = Set(Value::from(events));
    }
    if input.description.is_some() {
        row.description = Set(description);
    }
    match input.enabled {
        Some(true) => {
            row.enabled = Set(true);
            row.disabled_reason = Set(None);
            row.consecutive_failures = Set(0);
        }
        Some(false) => {
            row.enabled = Set(false);
            row.disabled_reason = Set(Some("disabled through the API".into()));
        }
        None => {}
    }
    row.updated_at = Set(clock::now());
    Ok(row.update(db).await?)
}

/// Deletes an endpoint and its deliveries.
pub async fn delete(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> Result<webhook_endpoint::Model> {
    let endpoint = find(db, principal, id).await?;
    webhook_endpoint::Entity::delete_by_id(id).exec(db).await?;
    Ok(endpoint)
}

/// Replaces the signing secret; deliveries from now on are signed with the new one.
pub async fn rotate_secret(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> Result<webhook_endpoint::Model> {
    let current = find(db, principal, id).await?;
    let mut row: webhook_endpoint::ActiveModel = current.into();
    row.secret = Set(signing::new_secret());
    row.updated_at = Set(clock::now());
    Ok(row.update(db).await?)
}

/// The event types an endpoint receives.
pub fn event_types(endpoint: &webhook_endpoint::Model) -> Vec<String> {
    endpoint
        .events
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}
