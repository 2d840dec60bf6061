//! A lead's checklist row keeps what the documented API shows and what reopening needs:
//! `alternate_values` (other values the lead gave), `validation_error` (why a value sent
//! as INVALID failed its checks) and `status_before_skip` (the status completing the lead
//! replaced when it skipped the item, restored by IN_PROGRESS).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for column in [
            json_binary_null(Row::AlternateValues),
            text_null(Row::ValidationError),
            string_null(Row::StatusBeforeSkip),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Row::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Row::AlternateValues,
            Row::ValidationError,
            Row::StatusBeforeSkip,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Row::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Row {
    #[sea_orm(iden = "lead_checklist_items")]
    Table,
    AlternateValues,
    ValidationError,
    StatusBeforeSkip,
}
