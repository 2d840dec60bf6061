//! `idempotency_keys`: one row per (workspace, Idempotency-Key) of a createLead that
//! committed. The row is inserted in the lead's own transaction (the claim: the primary
//! key makes a concurrent claimer wait, then see it), so a lead and its key exist together
//! or not at all; the response is stored right after it is rendered. Rows go with their
//! lead (erasure removes the stored response, which holds the lead's data) and are pruned
//! after 24 hours.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .col(uuid(IdempotencyKey::WorkspaceId))
                    .col(string_len(IdempotencyKey::Key, 255))
                    .col(string_len(IdempotencyKey::Fingerprint, 64))
                    .col(uuid(IdempotencyKey::LeadId))
                    .col(text_null(IdempotencyKey::Response))
                    .col(timestamp_with_time_zone(IdempotencyKey::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKey::WorkspaceId)
                            .col(IdempotencyKey::Key),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IdempotencyKey::Table, IdempotencyKey::WorkspaceId)
                            .to(Workspace::Table, Workspace::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IdempotencyKey::Table, IdempotencyKey::LeadId)
                            .to(Lead::Table, Lead::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_idempotency_keys_created_at")
                    .table(IdempotencyKey::Table)
                    .col(IdempotencyKey::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_idempotency_keys_lead_id")
                    .table(IdempotencyKey::Table)
                    .col(IdempotencyKey::LeadId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKey::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum IdempotencyKey {
    #[sea_orm(iden = "idempotency_keys")]
    Table,
    WorkspaceId,
    Key,
    Fingerprint,
    LeadId,
    Response,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Workspace {
    #[sea_orm(iden = "workspaces")]
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Lead {
    #[sea_orm(iden = "leads")]
    Table,
    Id,
}
