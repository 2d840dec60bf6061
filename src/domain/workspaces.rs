//! Workspaces: the tenant boundary. Every lead, template and key belongs to one.

use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::entities::workspace;
use crate::error::{Error, Result};

use super::clock;

/// Region used for national phone numbers unless a workspace says otherwise.
pub const DEFAULT_REGION: &str = "US";

pub async fn create(db: &impl ConnectionTrait, name: &str) -> Result<workspace::Model> {
    let mut errors = Vec::new();
    let Some(name) = super::lead_input::required_text("name", name, &mut errors) else {
        return Err(Error::BadInput(errors));
    };
    let name = name.as_str();
    let model = workspace::Model {
        id: Uuid::now_v7(),
        name: name.to_owned(),
        default_region: DEFAULT_REGION.to_owned(),
        created_at: clock::now(),
    };
    workspace::Entity::insert(workspace::ActiveModel {
        id: Set(model.id),
        name: Set(model.name.clone()),
        default_region: Set(model.default_region.clone()),
        created_at: Set(model.created_at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(model)
}

/// A workspace by id (the CLI's `--workspace`).
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<workspace::Model> {
    workspace::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("workspace"))
}
