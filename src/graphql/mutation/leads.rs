//! Mutations on leads: create, update, checklist changes, delete and erase.

use async_graphql::{Context, ID, InputObject, Json, MaybeUndefined, Object, Result, SimpleObject};
use serde_json::Value;

use crate::domain::{
    checklist::one_off::NewItem,
    lead_input::{ChecklistUpdate, NewLead},
    leads::{
        self,
        changes::{LeadChanges, Patch},
        erase,
    },
};
use crate::graphql::{
    context::caller,
    enums::{AssigneeTypeInput, ChecklistItemStatus, FieldType, LeadStatus},
    errors::GqlResult,
    query::parse_id,
    types::{
        lead::Lead,
        payload::{CreateLeadPayload, UpdateLeadPayload},
    },
};

#[derive(Default)]
pub struct LeadMutations;

/// A new lead. Strings are trimmed; empty optional strings count as absent.
#[derive(InputObject)]
pub struct CreateLeadInput {
    /// Required, non-empty.
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    /// Validated; stored trimmed with the domain lower-cased.
    pub email: Option<String>,
    /// Formatted or raw; stored in E.164 when it is a valid number (national numbers are
    /// read in the workspace's region), else as given.
    pub phone_number: Option<String>,
    pub business_name: Option<String>,
    pub website: Option<String>,
    /// The caller's own id for this lead.
    pub external_lead_id: Option<String>,
    /// IANA name, e.g. America/New_York.
    pub timezone: Option<String>,
    /// AGENT (AI, the default) or MANUAL (human).
    pub assignee_type: Option<AssigneeTypeInput>,
    /// True sets optOutAt to now and the status to OPTED_OUT.
    pub did_opt_out: Option<bool>,
    /// True sets emailVerifiedAt to now.
    pub email_verified: Option<bool>,
    /// Case-insensitive; created on first use.
    pub tags: Option<Vec<String>>,
    /// Updates by template item code.
    pub checklist_items: Option<Vec<ChecklistItemInput>>,
}

/// One checklist update. A value without a status marks the item COMPLETED; a null value
/// clears it (and reopens the item); a status alone sets just the status.
#[derive(InputObject)]
pub struct ChecklistItemInput {
    pub code: String,
    /// Checked against the item's field type and config.
    pub value: MaybeUndefined<Json<Value>>,
    pub status: Option<ChecklistItemStatus>,
}

impl From<ChecklistItemInput> for ChecklistUpdate {
    fn from(item: ChecklistItemInput) -> Self {
        Self {
            code: item.code,
            value: match item.value {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(Value::Null),
                MaybeUndefined::Value(v) => Some(v.0),
            },
            status: item.status.map(Into::into),
        }
    }
}

/// Changes to a lead: absent fields stay as they are, null clears an optional field.
#[derive(InputObject)]
pub struct UpdateLeadInput {
    pub id: ID,
    /// Cannot be cleared.
    pub first_name: MaybeUndefined<String>,
    pub middle_name: MaybeUndefined<String>,
    pub last_name: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    pub phone_number: MaybeUndefined<String>,
    pub business_name: MaybeUndefined<String>,
    pub website: MaybeUndefined<String>,
    pub external_lead_id: MaybeUndefined<String>,
    pub timezone: MaybeUndefined<String>,
    /// Cannot be cleared.
    pub assignee_type: MaybeUndefined<AssigneeTypeInput>,
    /// Must agree with `status` when both are given; true sets OPTED_OUT and cancels
    /// pending and awaiting messages.
    pub did_opt_out: Option<bool>,
    /// True sets emailVerifiedAt (if unset), false clears it.
    pub email_verified: Option<bool>,
    /// COMPLETED (skips incomplete required items), IN_PROGRESS (undoes those skips),
    /// NOT_INTERESTED or OPTED_OUT; never REVIEW.
    pub status: Option<LeadStatus>,
    /// Replaces the tags; `[]` or null removes them all.
    pub tags: MaybeUndefined<Vec<String>>,
    pub checklist_items: Option<Vec<ChecklistItemInput>>,
}

fn patch<T, U>(value: MaybeUndefined<T>, map: impl FnOnce(T) -> U) -> Patch<U> {
    match value {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::Set(map(v)),
    }
}

impl From<UpdateLeadInput> for LeadChanges {
    fn from(input: UpdateLeadInput) -> Self {
        Self {
            first_name: patch(input.first_name, |v| v),
            middle_name: patch(input.middle_name, |v| v),
            last_name: patch(input.last_name, |v| v),
            email: patch(input.email, |v| v),
            phone_number: patch(input.phone_number, |v| v),
            business_name: patch(input.business_name, |v| v),
            website: patch(input.website, |v| v),
            external_lead_id: patch(input.external_lead_id, |v| v),
            timezone: patch(input.timezone, |v| v),
            assignee_type: patch(input.assignee_type, Into::into),
            did_opt_out: input.did_opt_out,
            email_verified: input.email_verified,
            status: input.status.map(Into::into),
            tags: patch(input.tags, |v| v),
            checklist_items: input
                .checklist_items
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        }
    }
}

/// A checklist item for one lead only, outside the workspace template.
#[derive(InputObject)]
pub struct AddLeadChecklistItemInput {
    pub label: String,
    /// Default TEXT.
    pub field_type: Option<FieldType>,
    /// Generated from the label when absent (`Bank statement` -> `bank_statement`, with a
    /// suffix when taken); unique in the workspace.
    pub code: Option<String>,
    pub config: Option<Json<Value>>,
    /// Default true.
    pub is_required: Option<bool>,
    pub agent_instructions: Option<String>,
    pub client_instructions: Option<String>,
    /// File types only: plain-language rules.
    pub validation_rules: Option<Json<Value>>,
}

impl From<AddLeadChecklistItemInput> for NewItem {
    fn from(input: AddLeadChecklistItemInput) -> Self {
        Self {
            label: input.label,
            field_type: input.field_type.map(Into::into),
            code: input.code,
            config: input.config.map(|c| c.0),
            is_required: input.is_required,
            agent_instructions: input.agent_instructions,
            client_instructions: input.client_instructions,
            validation_rules: input.validation_rules.map(|r| r.0),
        }
    }
}

/// The result of eraseLead.
#[derive(SimpleObject)]
pub struct EraseLeadPayload {
    pub success: bool,
    /// The id of the lead that no longer exists.
    pub erased_id: ID,
}

impl From<CreateLeadInput> for NewLead {
    fn from(input: CreateLeadInput) -> Self {
        Self {
            first_name: input.first_name,
            middle_name: input.middle_name,
            last_name: input.last_name,
            email: input.email,
            phone_number: input.phone_number,
            business_name: input.business_name,
            website: input.website,
            external_lead_id: input.external_lead_id,
            timezone: input.timezone,
            assignee_type: input.assignee_type.map(Into::into),
            did_opt_out: input.did_opt_out,
            email_verified: input.email_verified,
            tags: input.tags,
            checklist_items: input
                .checklist_items
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        }
    }
}

#[Object]
impl LeadMutations {
    /// Creates a lead in the caller's workspace, in one transaction with its checklist
    /// updates, tags and one API_ACTIVITY log "Lead created". Bad input is refused with
    /// BAD_USER_INPUT naming the field, and nothing is written.
    async fn create_lead(
        &self,
        ctx: &Context<'_>,
        input: CreateLeadInput,
    ) -> Result<CreateLeadPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let lead = leads::create(db, &caller.principal, &input.into())
            .await
            .gql()?;
        Ok(CreateLeadPayload(lead))
    }

    /// Changes a lead (partial), following the status rules; one API_ACTIVITY log
    /// "Lead updated" records the changes.
    async fn update_lead(
        &self,
        ctx: &Context<'_>,
        input: UpdateLeadInput,
    ) -> Result<UpdateLeadPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let id = parse_id("id", &input.id)?;
        let lead = leads::update::update(db, &caller.principal, id, &input.into())
            .await
            .gql()?;
        Ok(UpdateLeadPayload(lead))
    }

    /// Updates checklist items of a lead by code, with the same validation as createLead.
    async fn update_checklist_items(
        &self,
        ctx: &Context<'_>,
        lead_id: ID,
        items: Vec<ChecklistItemInput>,
    ) -> Result<UpdateLeadPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let id = parse_id("leadId", &lead_id)?;
        let items = items.into_iter().map(Into::into).collect();
        let lead = leads::update::update_checklist_items(db, &caller.principal, id, items)
            .await
            .gql()?;
        Ok(UpdateLeadPayload(lead))
    }

    /// Adds a checklist item to one lead only (in its "Additional Items" group).
    async fn add_lead_checklist_item(
        &self,
        ctx: &Context<'_>,
        lead_id: ID,
        input: AddLeadChecklistItemInput,
    ) -> Result<UpdateLeadPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let id = parse_id("leadId", &lead_id)?;
        let lead = leads::update::add_checklist_item(db, &caller.principal, id, &input.into())
            .await
            .gql()?;
        Ok(UpdateLeadPayload(lead))
    }

    /// Marks a lead deleted: hidden from `leads` and matching unless asked for, still
    /// readable by id. Idempotent.
    async fn delete_lead(&self, ctx: &Context<'_>, id: ID) -> Result<Lead> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let id = parse_id("id", &id)?;
        Ok(Lead(erase::delete(db, &caller.principal, id).await.gql()?))
    }

    /// Removes a lead and everything that belongs to it, for good (right to erasure).
    async fn erase_lead(&self, ctx: &Context<'_>, id: ID) -> Result<EraseLeadPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let id = parse_id("id", &id)?;
        let erased = erase::erase(db, &caller.principal, id).await.gql()?;
        Ok(EraseLeadPayload {
            success: true,
            erased_id: ID(erased.to_string()),
        })
    }
}
