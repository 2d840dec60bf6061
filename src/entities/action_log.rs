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
    /// For TOOL_CALL: what the tool was called with and what it returned.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub tool_input: Option<Json>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub tool_output: Option<Json>,
    pub parent_action_id: Option<Uuid>,
    pub tool_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub scheduled_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
