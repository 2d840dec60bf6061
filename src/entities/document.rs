use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub lead_id: Uuid,
    pub lead_checklist_item_id: Option<Uuid>,
    pub action_log_id: Option<Uuid>,
    pub message_id: Option<Uuid>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Where the bytes live in object storage; only ever exposed through a signed URL.
    pub storage_key: String,
    pub created_at: DateTimeUtc,
    /// What the uploader sent with the file (`externalId`, `name`), as given.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub metadata: Option<Json>,
    /// A review's verdict (`setDocumentValidation`); null until someone sets it.
    pub overall_valid: Option<bool>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub validation_result: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
