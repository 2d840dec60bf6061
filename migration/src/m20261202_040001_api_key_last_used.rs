//! `api_keys.last_used_at`: when a key last authenticated a request, to the minute
//! (leadgate writes it at most once a minute per key, see `domain::auth`), so operators
//! can find and revoke keys nobody uses.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApiKey::Table)
                    .add_column(timestamp_with_time_zone_null(ApiKey::LastUsedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApiKey::Table)
                    .drop_column(ApiKey::LastUsedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ApiKey {
    #[sea_orm(iden = "api_keys")]
    Table,
    LastUsedAt,
}
