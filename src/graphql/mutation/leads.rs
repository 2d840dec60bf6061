//! Mutations on leads: create, update, checklist changes, delete and erase.

use async_graphql::{Context, ID, InputObject, Json, MaybeUndefined, Object, Result, SimpleObject};
use serde_json::Value;

use crate::domain::{
    checklist::one_off::NewItem,
    idempotency,
    lead_input::{ChecklistUpdate, LeadInput, Patch},
    leads::{
        self, erase,
        update::{LeadChanges, Target},
    },
};
use crate::error::Error;
use crate::graphql::{
    context::caller,
    enums::{AssigneeTypeInput, ChecklistItemStatus, FieldType, LeadStatus, OnDuplicate},
    errors::{GqlResult, to_graphql},
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
    #[graphql(flatten)]
    pub fields: LeadFieldsInput,
}

/// Changes to a lead: absent fields stay as they are, null clears an optional field.
#[derive(InputObject)]
pub struct UpdateLeadInput {
    pub id: ID,
    /// Cannot be cleared.
    pub first_name: MaybeUndefined<String>,
    #[graphql(flatten)]
    pub fields: LeadFieldsInput,
    /// COMPLETED (skips incomplete required items), IN_PROGRESS (undoes those skips),
    /// NOT_INTERESTED or OPTED_OUT; never REVIEW.
    pub status: Option<LeadStatus>,
}

/// The lead fields createLead and updateLead share, flattened into both inputs. On create
/// null is the same as absent; on update null clears an optional field.
#[derive(InputObject)]
pub struct LeadFieldsInput {
    pub middle_name: MaybeUndefined<String>,
    pub last_name: MaybeUndefined<String>,
    /// Validated; stored trimmed with the domain lower-cased.
    pub email: MaybeUndefined<String>,
    /// Formatted or raw; stored in E.164 when it is a valid number (national numbers are
    /// read in the workspace's region), else as given.
    pub phone_number: MaybeUndefined<String>,
    pub business_name: MaybeUndefined<String>,
    pub website: MaybeUndefined<String>,
    /// The caller's own id for this lead.
    pub external_lead_id: MaybeUndefined<String>,
    /// IANA name, e.g. America/New_York.
    pub timezone: MaybeUndefined<String>,
    /// AGENT (AI, the default) or MANUAL (human); cannot be cleared.
    pub assignee_type: MaybeUndefined<AssigneeTypeInput>,
    /// True opts the lead out: optOutAt is set and the status becomes OPTED_OUT; an update
    /// also cancels its pending and awaiting messages, and must agree with `status` when
    /// both are given. False opts it back in.
    pub did_opt_out: Option<bool>,
    /// True sets emailVerifiedAt to now (kept when already set), false clears it.
    pub email_verified: Option<bool>,
    /// Case-insensitive; created on first use. On update it replaces the tags: `[]` or
    /// null removes them all.
    pub tags: MaybeUndefined<Vec<String>>,
    /// Updates by template item code.
    pub checklist_items: Option<Vec<ChecklistItemInput>>,
}

fn patch<T, U>(value: MaybeUndefined<T>, map: impl FnOnce(T) -> U) -> Patch<U> {
    match value {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::Set(map(v)),
    }
}

impl LeadFieldsInput {
    fn into_input(self, first_name: Patch<String>) -> LeadInput {
        LeadInput {
            first_name,
            middle_name: patch(self.middle_name, |v| v),
            last_name: patch(self.last_name, |v| v),
            email: patch(self.email, |v| v),
            phone_number: patch(self.phone_number, |v| v),
            business_name: patch(self.business_name, |v| v),
            website: patch(self.website, |v| v),
            external_lead_id: patch(self.external_lead_id, |v| v),
            timezone: patch(self.timezone, |v| v),
            assignee_type: patch(self.assignee_type, Into::into),
            did_opt_out: self.did_opt_out,
            email_verified: self.email_verified,
            tags: patch(self.tags, |v| v),
            checklist_items: self
                .checklist_items
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            read_errors: Vec::new(),
        }
    }
}

impl From<CreateLeadInput> for LeadInput {
    fn from(input: CreateLeadInput) -> Self {
        input.fields.into_input(Patch::Set(input.first_name))
    }
}

impl From<UpdateLeadInput> for LeadChanges {
    fn from(input: UpdateLeadInput) -> Self {
        Self {
            fields: input.fields.into_input(patch(input.first_name, |v| v)),
            status: input.status.map(Into::into),
        }
    }
}

/// One checklist update. A value without a status marks the item COMPLETED; a null value
/// clears it (and reopens the item); a status alone sets just the status.
#[derive(InputObject)]
pub struct ChecklistItemInput {
    pub code: String,
    /// Checked against the item's field type and config.
    pub value: MaybeUndefined<Json<Value>>,
    /// INVALID stores a value that fails its checks, with its `validationError`.
    pub status: Option<ChecklistItemStatus>,
    /// Other values the lead gave (at most 20), checked like `value`; null clears them.
    pub alternate_values: MaybeUndefined<Vec<Json<Value>>>,
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
            alternate_values: match item.alternate_values {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(Value::Null),
                MaybeUndefined::Value(list) => {
                    Some(Value::Array(list.into_iter().map(|v| v.0).collect()))
                }
            },
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

/// The lead an argument names; errors about the lead name that argument.
fn target<'a>(field: &'a str, id: &ID) -> Result<Target<'a>> {
    Ok(Target {
        id: parse_id(field, id)?,
        field,
    })
}

#[Object]
impl LeadMutations {
    /// Creates a lead in the caller's workspace, in one transaction with its checklist
    /// updates, tags and one API_ACTIVITY log "Lead created". Bad input is refused with
    /// BAD_USER_INPUT naming the field, and nothing is written. `onDuplicate` says what to
    /// do when a live lead has the same email or phone; `dryRun` runs every check and
    /// answers what would happen, writing nothing.
    async fn create_lead(
        &self,
        ctx: &Context<'_>,
        input: CreateLeadInput,
        #[graphql(default)] on_duplicate: OnDuplicate,
        #[graphql(default)] dry_run: bool,
    ) -> Result<CreateLeadPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let input = input.into();
        let options = leads::Options {
            on_duplicate: on_duplicate.into(),
            dry_run,
            ..leads::Options::default()
        };
        // With an Idempotency-Key header (see `domain::idempotency`): the HTTP handler
        // stores this response, or replays the first one when the key was taken. The key
        // covers plain creates; SKIP, UPDATE, REJECT and dry runs are safe to retry as
        // they are.
        if let Some(keyed) = ctx.data_opt::<std::sync::Arc<idempotency::Keyed>>()
            && options.on_duplicate == Default::default()
            && !dry_run
        {
            let answer = idempotency::create_lead(db, &caller.principal, &input, &keyed.claim)
                .await
                .gql()?;
            keyed.record(answer.clone());
            return match answer {
                idempotency::Answer::Lead(lead) => {
                    if let Some(metrics) = ctx.data_opt::<crate::metrics::Metrics>() {
                        metrics.lead_created();
                    }
                    Ok(CreateLeadPayload::from(*lead))
                }
                idempotency::Answer::Replay(_) => Err(to_graphql(&Error::IdempotencyInProgress)),
            };
        }
        let written = leads::create_one(db, &caller.principal, &input, options)
            .await
            .gql()?;
        if written.outcome == leads::Outcome::Created
            && !dry_run
            && let Some(metrics) = ctx.data_opt::<crate::metrics::Metrics>()
        {
            metrics.lead_created();
        }
        Ok(CreateLeadPayload(written))
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
        let lead = target("id", &input.id)?;
        let lead = leads::update::update(db, &caller.principal, lead, &input.into())
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
        let lead = target("leadId", &lead_id)?;
        let items = items.into_iter().map(Into::into).collect();
        let lead = leads::update::update_checklist_items(db, &caller.principal, lead, items)
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
        let lead = target("leadId", &lead_id)?;
        let (lead, _) =
            leads::update::add_checklist_item(db, &caller.principal, lead, &input.into())
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
        let store = &ctx.data::<crate::config::Config>()?.documents.store;
        let erased = erase::erase(db, store, &caller.principal, id).await.gql()?;
        Ok(EraseLeadPayload {
            success: true,
            erased_id: ID(erased.to_string()),
        })
    }
}
