//! `ActionLog`, `Message`, `Tool` and `Document`.

use async_graphql::{Context, ID, Json, Object, Result};
use serde_json::Value;

use crate::config::Config;
use crate::domain::{
    clock,
    documents::{self, Owner},
};
use crate::entities::{
    action_log, document, enums::ActionLogType as action_log_type, message, tool,
};
use crate::graphql::{
    context::loaders,
    enums::{ActionLogStatus, ActionLogType, MessageChannel, MessageDirection},
    errors::GqlResult,
    loaders::{
        ItemDocuments, LeadDocuments, LogDocuments, MessageDocuments, MessagesOf, RulesOfEntry,
        ToolById, ToolCallsOf,
    },
    scalars::{DateTime, opt},
};

pub(crate) async fn documents_of(ctx: &Context<'_>, owner: Owner) -> Result<Vec<Document>> {
    let loaders = loaders(ctx)?;
    let docs = match owner {
        Owner::Lead(id) => loaders.load_one(LeadDocuments(id)).await,
        Owner::LeadChecklistItem(id) => loaders.load_one(ItemDocuments(id)).await,
        Owner::ActionLog(id) => loaders.load_one(LogDocuments(id)).await,
        Owner::Message(id) => loaders.load_one(MessageDocuments(id)).await,
    };
    Ok(docs
        .gql()?
        .unwrap_or_default()
        .into_iter()
        .map(Document)
        .collect())
}

pub struct ActionLog(pub action_log::Model);

impl ActionLog {
    fn tool_only(&self, value: &Option<Value>) -> Option<Json<Value>> {
        (self.0.r#type == action_log_type::ToolCall)
            .then(|| value.clone().map(Json))
            .flatten()
    }
}

/// One entry of a lead's timeline.
#[Object]
impl ActionLog {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    #[graphql(name = "type")]
    async fn kind(&self) -> ActionLogType {
        self.0.r#type.into()
    }
    async fn status(&self) -> ActionLogStatus {
        self.0.status.into()
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// For API_ACTIVITY: every update of the request, grouped (`lead`, `tags`,
    /// `checklistItems`).
    async fn changes(&self) -> Option<Json<Value>> {
        self.0.changes.clone().map(Json)
    }
    /// What the action was given (for TOOL_CALL: what the tool was called with).
    async fn input(&self) -> Option<Json<Value>> {
        self.0.input.clone().map(Json)
    }
    /// What the action produced (for TOOL_CALL: what the tool returned).
    async fn output(&self) -> Option<Json<Value>> {
        self.0.output.clone().map(Json)
    }
    /// Why a FAILED action failed; null otherwise.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// For TOOL_CALL: what the tool was called with (`input`); null for other kinds.
    async fn tool_input(&self) -> Option<Json<Value>> {
        self.tool_only(&self.0.input)
    }
    /// For TOOL_CALL: what the tool returned (`output`); null for other kinds.
    async fn tool_output(&self) -> Option<Json<Value>> {
        self.tool_only(&self.0.output)
    }
    /// The action this one was taken for (e.g. the message a tool call served).
    async fn parent_action_id(&self) -> Option<ID> {
        self.0.parent_action_id.map(|id| ID(id.to_string()))
    }
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    async fn scheduled_at(&self) -> Option<DateTime> {
        opt(self.0.scheduled_at)
    }
    async fn completed_at(&self) -> Option<DateTime> {
        opt(self.0.completed_at)
    }
    /// The tool a TOOL_CALL used.
    async fn tool(&self, ctx: &Context<'_>) -> Result<Option<Tool>> {
        let Some(tool_id) = self.0.tool_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .load_one(ToolById(tool_id))
            .await
            .gql()?
            .map(Tool))
    }
    /// The tool calls made for this action (TOOL_CALL entries whose parentActionId is
    /// this one), oldest first.
    async fn tool_calls(&self, ctx: &Context<'_>) -> Result<Vec<ActionLog>> {
        let calls = loaders(ctx)?.load_one(ToolCallsOf(self.0.id)).await.gql()?;
        Ok(calls
            .unwrap_or_default()
            .into_iter()
            .map(ActionLog)
            .collect())
    }
    /// Messages sent or received by this entry, oldest first.
    async fn messages(&self, ctx: &Context<'_>) -> Result<Vec<Message>> {
        let messages = loaders(ctx)?.load_one(MessagesOf(self.0.id)).await.gql()?;
        Ok(messages
            .unwrap_or_default()
            .into_iter()
            .map(Message)
            .collect())
    }
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<Document>> {
        documents_of(ctx, Owner::ActionLog(self.0.id)).await
    }
}

pub struct Tool(pub tool::Model);

/// A tool an agent can call.
#[Object]
impl Tool {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
}

pub struct Message(pub message::Model);

/// An email or SMS to or from the lead.
#[Object]
impl Message {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn channel(&self) -> MessageChannel {
        self.0.channel.into()
    }
    async fn direction(&self) -> MessageDirection {
        self.0.direction.into()
    }
    async fn subject(&self) -> Option<&str> {
        self.0.subject.as_deref()
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<Document>> {
        documents_of(ctx, Owner::Message(self.0.id)).await
    }
}

pub struct Document(pub document::Model);

impl Document {
    async fn signed(&self, ctx: &Context<'_>) -> Result<(String, chrono::DateTime<chrono::Utc>)> {
        let config = ctx.data::<Config>()?;
        documents::signed_url(
            &config.documents.store,
            &config.url_signer,
            &self.0,
            clock::now(),
        )
        .await
        .gql()
    }
}

/// A file attached to a lead: to a checklist item, an action log (its upload) or a
/// message.
#[Object]
impl Document {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The file name (sanitised; `metadata.name` when the uploader gave one).
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    /// Detected from the file's bytes, never taken from the client.
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }
    /// Size in bytes.
    async fn size(&self) -> i64 {
        self.0.size_bytes
    }
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    async fn lead_id(&self) -> ID {
        ID(self.0.lead_id.to_string())
    }
    /// The checklist entry (`LeadChecklistItem.id`) the document was uploaded for.
    async fn lead_checklist_item_id(&self) -> Option<ID> {
        self.0.lead_checklist_item_id.map(|id| ID(id.to_string()))
    }
    /// What the uploader sent with the file: `{ externalId, name }`.
    async fn metadata(&self) -> Option<Json<Value>> {
        self.0.metadata.clone().map(Json)
    }
    /// The item's `validationRules`: what a reviewer checks this document against (null
    /// when it belongs to no item or the item has none).
    async fn validation_rules(&self, ctx: &Context<'_>) -> Result<Option<Json<Value>>> {
        let Some(entry) = self.0.lead_checklist_item_id else {
            return Ok(None);
        };
        let rules = loaders(ctx)?.load_one(RulesOfEntry(entry)).await.gql()?;
        Ok(rules.flatten().map(Json))
    }
    /// A review's verdict; null until `setDocumentValidation` sets it.
    async fn overall_valid(&self) -> Option<bool> {
        self.0.overall_valid
    }
    /// A review's findings; null until `setDocumentValidation` sets them.
    async fn validation_result(&self) -> Option<Json<Value>> {
        self.0.validation_result.clone().map(Json)
    }
    /// A download URL valid for 1 hour (see `urlExpiresAt`): S3's presigned URL on S3,
    /// leadgate's signed download route on a local folder.
    async fn url(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.signed(ctx).await?.0)
    }
    /// When `url` stops working.
    async fn url_expires_at(&self, ctx: &Context<'_>) -> Result<DateTime> {
        Ok(self.signed(ctx).await?.1.into())
    }
}
