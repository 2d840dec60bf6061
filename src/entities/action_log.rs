use sea_orm::entity::prelude::*;

use super::enums::{ActionLogStatus, ActionLogType};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "action_logs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub lead_id: Uuid,
    pub r#type: ActionLogType,
    pub status: ActionLogStatus,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub changes: Option<Json>,
    /// What the action was given and what it produced (for TOOL_CALL: what the tool
    /// was called with and what it returned), as JSON objects or any JSON value.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub input: Option<Json>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub output: Option<Json>,
    /// Why a FAILED action failed.
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    pub parent_action_id: Option<Uuid>,
    pub tool_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub scheduled_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
