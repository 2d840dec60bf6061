//! `outbox_events`: every event a write makes, inserted in that write's transaction (the
//! transactional outbox webhooks and subscriptions read). `seq` orders them: on
//! PostgreSQL the insert takes a per-workspace advisory transaction lock first, so within
//! a workspace `seq` follows commit order and a reader that resumes after the last `seq`
//! it saw never skips a late-committing event. Events go with their lead (erasure) and
//! their workspace; delivered ones are pruned after the retention period.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxEvent::Table)
                    .col(big_pk_auto(OutboxEvent::Seq))
                    .col(uuid_uniq(OutboxEvent::Id))
                    .col(uuid(OutboxEvent::WorkspaceId))
                    .col(uuid_null(OutboxEvent::LeadId))
                    .col(string_len(OutboxEvent::Type, 64))
                    .col(timestamp_with_time_zone(OutboxEvent::OccurredAt))
                    .col(json_binary(OutboxEvent::Body))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutboxEvent::Table, OutboxEvent::WorkspaceId)
                            .to(Workspace::Table, Workspace::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutboxEvent::Table, OutboxEvent::LeadId)
                            .to(Lead::Table, Lead::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_events_workspace_seq")
                    .table(OutboxEvent::Table)
                    .col(OutboxEvent::WorkspaceId)
                    .col(OutboxEvent::Seq)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_events_lead_id")
                    .table(OutboxEvent::Table)
                    .col(OutboxEvent::LeadId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_events_occurred_at")
                    .table(OutboxEvent::Table)
                    .col(OutboxEvent::OccurredAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OutboxEvent::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum OutboxEvent {
    #[sea_orm(iden = "outbox_events")]
    Table,
    Seq,
    Id,
    WorkspaceId,
    LeadId,
    Type,
    OccurredAt,
    Body,
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
