use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "checklist_groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// Set for a lead's one-off group; `None` for the workspace template.
    pub lead_id: Option<Uuid>,
    pub name: String,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub conditions: Option<Json>,
    /// Template order.
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::checklist_item::Entity")]
    Items,
}

impl Related<super::checklist_item::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Items.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
