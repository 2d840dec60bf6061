//! Webhooks: `webhook_endpoints` (per workspace: URL, event types, signing secret, the
//! fan-out cursor), `webhook_deliveries` (one row per event and endpoint, made by the
//! dispatcher when it fans the outbox out past an endpoint's cursor) and
//! `webhook_attempts` (every POST: status code, duration, error). Deliveries go with their
//! event (erasure, pruning) and their endpoint; attempts with their delivery.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Endpoint::Table)
                    .col(uuid(Endpoint::Id).primary_key())
                    .col(uuid(Endpoint::WorkspaceId))
                    .col(text(Endpoint::Url))
                    .col(text_null(Endpoint::Description))
                    .col(json_binary(Endpoint::Events))
                    .col(text(Endpoint::Secret))
                    .col(boolean(Endpoint::Enabled))
                    .col(text_null(Endpoint::DisabledReason))
                    .col(integer(Endpoint::ConsecutiveFailures))
                    .col(big_integer(Endpoint::CursorSeq))
                    .col(timestamp_with_time_zone(Endpoint::CreatedAt))
                    .col(timestamp_with_time_zone(Endpoint::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Endpoint::Table, Endpoint::WorkspaceId)
                            .to(Workspace::Table, Workspace::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_endpoints_workspace")
                    .table(Endpoint::Table)
                    .col(Endpoint::WorkspaceId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Delivery::Table)
                    .col(uuid(Delivery::Id).primary_key())
                    .col(uuid(Delivery::EndpointId))
                    .col(uuid(Delivery::EventId))
                    .col(big_integer(Delivery::EventSeq))
                    .col(uuid(Delivery::WorkspaceId))
                    .col(string_len(Delivery::Status, 16))
                    .col(integer(Delivery::Attempts))
                    .col(timestamp_with_time_zone(Delivery::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Delivery::LeaseUntil))
                    .col(integer_null(Delivery::LastStatusCode))
                    .col(text_null(Delivery::LastError))
                    .col(timestamp_with_time_zone(Delivery::CreatedAt))
                    .col(timestamp_with_time_zone(Delivery::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Delivery::DeliveredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Delivery::Table, Delivery::EndpointId)
                            .to(Endpoint::Table, Endpoint::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Delivery::Table, Delivery::EventId)
                            .to(OutboxEvent::Table, OutboxEvent::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_webhook_deliveries_endpoint_event",
                vec![Delivery::EndpointId, Delivery::EventId],
            ),
            (
                "idx_webhook_deliveries_endpoint_seq",
                vec![Delivery::EndpointId, Delivery::EventSeq],
            ),
            (
                "idx_webhook_deliveries_due",
                vec![Delivery::Status, Delivery::NextAttemptAt],
            ),
            ("idx_webhook_deliveries_event", vec![Delivery::EventId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Delivery::Table);
            if name == "idx_webhook_deliveries_endpoint_event" {
                index.unique();
            }
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Attempt::Table)
                    .col(uuid(Attempt::Id).primary_key())
                    .col(uuid(Attempt::DeliveryId))
                    .col(integer(Attempt::Number))
                    .col(timestamp_with_time_zone(Attempt::StartedAt))
                    .col(big_integer(Attempt::DurationMs))
                    .col(integer_null(Attempt::StatusCode))
                    .col(text_null(Attempt::Error))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Attempt::Table, Attempt::DeliveryId)
                            .to(Delivery::Table, Delivery::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_attempts_delivery")
                    .table(Attempt::Table)
                    .col(Attempt::DeliveryId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Attempt::Table.into_iden(),
            Delivery::Table.into_iden(),
            Endpoint::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Endpoint {
    #[sea_orm(iden = "webhook_endpoints")]
    Table,
    Id,
    WorkspaceId,
    Url,
    Description,
    Events,
    Secret,
    Enabled,
    DisabledReason,
    ConsecutiveFailures,
    CursorSeq,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Delivery {
    #[sea_orm(iden = "webhook_deliveries")]
    Table,
    Id,
    EndpointId,
    EventId,
    EventSeq,
    WorkspaceId,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LastStatusCode,
    LastError,
    CreatedAt,
    UpdatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum Attempt {
    #[sea_orm(iden = "webhook_attempts")]
    Table,
    Id,
    DeliveryId,
    Number,
    StartedAt,
    DurationMs,
    StatusCode,
    Error,
}

#[derive(DeriveIden)]
enum Workspace {
    #[sea_orm(iden = "workspaces")]
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OutboxEvent {
    #[sea_orm(iden = "outbox_events")]
    Table,
    Id,
}
