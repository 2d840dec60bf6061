use sea_orm::entity::prelude::*;

/// A createLead's Idempotency-Key (see `crate::domain::idempotency`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub workspace_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// SHA-256 (hex) of the request the key was first used with.
    pub fingerprint: String,
    /// The lead that request created (in the same transaction as this row).
    pub lead_id: Uuid,
    /// The response body as first sent; `None` until it was rendered.
    pub response: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
