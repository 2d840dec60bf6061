use sea_orm::entity::prelude::*;

/// An event a committed write made (see `crate::domain::events`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_events")]
pub struct Model {
    /// Commit order within a workspace; what readers resume from.
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The stable id receivers dedupe by (`webhook-id`).
    #[sea_orm(unique)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub lead_id: Option<Uuid>,
    pub r#type: String,
    pub occurred_at: DateTimeUtc,
    /// `{ "event": type, "data": {...} }`, as delivered.
    #[sea_orm(column_type = "JsonBinary")]
    pub body: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
