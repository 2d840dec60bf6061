use sea_orm::entity::prelude::*;

use super::enums::FieldType;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "checklist_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub group_id: Uuid,
    /// Set for a one-off item added to one lead; `None` for the workspace template.
    pub lead_id: Option<Uuid>,
    pub code: String,
    pub label: String,
    pub field_type: FieldType,
    pub is_required: bool,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub conditions: Option<Json>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub config: Option<Json>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub validation_rules: Option<Json>,
    #[sea_orm(column_type = "Text", nullable)]
    pub agent_instructions: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub client_instructions: Option<String>,
    /// Template order within the group.
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::checklist_group::Entity",
        from = "Column::GroupId",
        to = "super::checklist_group::Column::Id"
    )]
    Group,
}

impl Related<super::checklist_group::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Group.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
