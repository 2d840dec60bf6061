use sea_orm::entity::prelude::*;

use super::enums::ChecklistItemStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lead_checklist_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub lead_id: Uuid,
    pub checklist_item_id: Uuid,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub value: Option<Json>,
    pub status: ChecklistItemStatus,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub item_override: Option<Json>,
    /// Set when completing the lead skipped this item, so reopening it can undo that.
    pub auto_skipped: bool,
    /// Other values the lead gave for the item (a JSON array).
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub alternate_values: Option<Json>,
    /// Why the value, sent as INVALID, failed the item's checks.
    #[sea_orm(column_type = "Text", nullable)]
    pub validation_error: Option<String>,
    /// The status an automatic skip replaced; reopening the lead restores it.
    pub status_before_skip: Option<ChecklistItemStatus>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
