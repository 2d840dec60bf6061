//! Every action log carries `input`, `output` and `error` (the documented action-log
//! keys): the tool-call columns `tool_input`/`tool_output` become the general `input` and
//! `output`, and `error` (text) says why a FAILED action failed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One change per statement: SQLite's ALTER TABLE takes one at a time.
        for (from, to) in [
            (ActionLog::ToolInput, ActionLog::Input),
            (ActionLog::ToolOutput, ActionLog::Output),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ActionLog::Table)
                        .rename_column(from, to)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(ActionLog::Table)
                    .add_column(text_null(ActionLog::Error))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ActionLog::Table)
                    .drop_column(ActionLog::Error)
                    .to_owned(),
            )
            .await?;
        for (from, to) in [
            (ActionLog::Input, ActionLog::ToolInput),
            (ActionLog::Output, ActionLog::ToolOutput),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ActionLog::Table)
                        .rename_column(from, to)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ActionLog {
    #[sea_orm(iden = "action_logs")]
    Table,
    ToolInput,
    ToolOutput,
    Input,
    Output,
    Error,
}
