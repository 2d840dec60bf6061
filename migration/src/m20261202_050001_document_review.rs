//! What an upload records about a document beyond its bytes: the client's `metadata`
//! (`externalId`, the name it gave), and a review's outcome (`overall_valid`,
//! `validation_result`), null until `setDocumentValidation` sets them. One column per
//! statement: SQLite adds a single column per `ALTER TABLE`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            json_binary_null(Document::Metadata),
            boolean_null(Document::OverallValid),
            json_binary_null(Document::ValidationResult),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Document::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Document::Metadata,
            Document::OverallValid,
            Document::ValidationResult,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Document::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Document {
    #[sea_orm(iden = "documents")]
    Table,
    Metadata,
    OverallValid,
    ValidationResult,
}
