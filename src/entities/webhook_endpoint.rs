use sea_orm::entity::prelude::*;

/// A workspace's webhook receiver (see `crate::domain::webhooks`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub url: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// The event types it receives, a JSON array of names.
    #[sea_orm(column_type = "JsonBinary")]
    pub events: Json,
    /// `whsec_<base64>`: signs every delivery; shown once when created or rotated.
    #[sea_orm(column_type = "Text")]
    pub secret: String,
    pub enabled: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub disabled_reason: Option<String>,
    /// FAILED deliveries in a row; a success resets it.
    pub consecutive_failures: i32,
    /// The last outbox `seq` of its workspace fanned out to it.
    pub cursor_seq: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
