//! `ChecklistGroup`, `LeadChecklistItem` and `ChecklistItem`.

use async_graphql::{Context, ID, Json, Object, Result};
use serde_json::Value;

use crate::domain::{
    checklist::view::{GroupView, ItemView},
    documents::Owner,
};
use crate::entities::checklist_item;
use crate::graphql::{
    enums::{ChecklistItemStatus, FieldType},
    types::timeline::documents_of,
};

use super::timeline::Document;

fn json(value: &Option<Value>) -> Option<Json<Value>> {
    value.clone().filter(|v| !v.is_null()).map(Json)
}

pub struct ChecklistGroup(pub GroupView);

/// One group of a lead's checklist, with the items the lead shows.
#[Object]
impl ChecklistGroup {
    async fn id(&self) -> ID {
        ID(self.0.group.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.group.name
    }
    /// When the group shows: `{"code", "equals"}`, `{"all": [..]}` or `{"any": [..]}`.
    async fn conditions(&self) -> Option<Json<Value>> {
        json(&self.0.group.conditions)
    }
    async fn items(&self) -> Vec<LeadChecklistItem> {
        self.0
            .items
            .iter()
            .cloned()
            .map(LeadChecklistItem)
            .collect()
    }
}

pub struct LeadChecklistItem(pub ItemView);

/// One checklist item of one lead: its value and status.
#[Object]
impl LeadChecklistItem {
    async fn id(&self) -> ID {
        ID(self.0.entry.id.to_string())
    }
    async fn checklist_item_id(&self) -> ID {
        ID(self.0.item.id.to_string())
    }
    async fn value(&self) -> Option<Json<Value>> {
        json(&self.0.entry.value)
    }
    async fn status(&self) -> ChecklistItemStatus {
        self.0.entry.status.into()
    }
    /// Other values the lead gave for the item (a JSON array), or null.
    async fn alternate_values(&self) -> Option<Json<Value>> {
        json(&self.0.entry.alternate_values)
    }
    /// Why the value failed the item's checks (a value recorded as INVALID), or null.
    async fn validation_error(&self) -> Option<&str> {
        self.0.entry.validation_error.as_deref()
    }
    /// Per-lead changes to the template item.
    async fn item_override(&self) -> Option<Json<Value>> {
        json(&self.0.entry.item_override)
    }
    async fn checklist_item(&self) -> ChecklistItem {
        ChecklistItem(self.0.item.clone())
    }
    /// Documents uploaded for this item (file-type items).
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<Document>> {
        documents_of(ctx, Owner::LeadChecklistItem(self.0.entry.id)).await
    }
}

pub struct ChecklistItem(pub checklist_item::Model);

/// An item of the workspace's checklist template.
#[Object]
impl ChecklistItem {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn label(&self) -> &str {
        &self.0.label
    }
    async fn field_type(&self) -> FieldType {
        self.0.field_type.into()
    }
    async fn is_required(&self) -> bool {
        self.0.is_required
    }
    async fn conditions(&self) -> Option<Json<Value>> {
        json(&self.0.conditions)
    }
    /// Per-type checks: TEXT `pattern`/`minLength`/`maxLength`, NUMBER `min`/`max`,
    /// SELECT `options`.
    async fn config(&self) -> Option<Json<Value>> {
        json(&self.0.config)
    }
    /// Plain-language rules for file items, as given.
    async fn validation_rules(&self) -> Option<Json<Value>> {
        json(&self.0.validation_rules)
    }
    async fn agent_instructions(&self) -> Option<&str> {
        self.0.agent_instructions.as_deref()
    }
    async fn client_instructions(&self) -> Option<&str> {
        self.0.client_instructions.as_deref()
    }
}
