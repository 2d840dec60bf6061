//! Write entry points: adapters from GraphQL input to domain calls.

use async_graphql::{Context, InputObject, Json, Object, Result};
use serde_json::Value;

use crate::domain::{
    lead_input::{ChecklistUpdate, NewLead},
    leads,
};

use super::{
    context::caller,
    enums::{AssigneeTypeInput, ChecklistItemStatus},
    errors::GqlResult,
    types::payload::CreateLeadPayload,
};

pub struct Mutation;

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

/// One checklist update. A value without a status marks the item COMPLETED.
#[derive(InputObject)]
pub struct ChecklistItemInput {
    pub code: String,
    /// Checked against the item's field type and config.
    pub value: Option<Json<Value>>,
    pub status: Option<ChecklistItemStatus>,
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
                .map(|item| ChecklistUpdate {
                    code: item.code,
                    value: item.value.map(|v| v.0),
                    status: item.status.map(Into::into),
                })
                .collect(),
        }
    }
}

#[Object]
impl Mutation {
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
}
