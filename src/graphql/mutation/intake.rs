//! createLeads: many creates in one request, one transaction (see `domain::leads::create`).

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::domain::{
    lead_input::LeadInput,
    leads::{self, Written},
};
use crate::error::Error;
use crate::graphql::{
    context::caller,
    enums::{LeadOutcome, OnDuplicate},
    errors::GqlResult,
    types::{lead::Lead, payload::CreateLeadPayload},
};

use super::CreateLeadInput;

#[derive(Default)]
pub struct IntakeMutations;

/// How a batch of creates behaves.
#[derive(InputObject, Default)]
pub struct CreateLeadsOptions {
    /// One refused input refuses the whole batch (every refused input's fields listed as
    /// `inputs[i].field`) and nothing is written. Without it the valid inputs are written
    /// together and each refused one gets its own errors.
    #[graphql(default)]
    pub all_or_none: bool,
}

/// One problem of one input of a batch.
#[derive(SimpleObject)]
pub struct InputError {
    /// BAD_USER_INPUT or DUPLICATE_LEAD.
    pub code: String,
    /// The offending input field, named from the batch: `inputs[2].email`.
    pub field: Option<String>,
    pub message: String,
    /// For DUPLICATE_LEAD: the live leads the input duplicates.
    pub matching_lead_ids: Vec<ID>,
}

/// What one input of createLeads came to: its lead (with every lazy field, batched with
/// the other results' like a page of leads) or its errors.
pub struct CreateLeadResult {
    index: usize,
    result: std::result::Result<CreateLeadPayload, Error>,
}

#[Object]
impl CreateLeadResult {
    /// The input's position in `inputs`.
    async fn index(&self) -> usize {
        self.index
    }
    async fn success(&self) -> bool {
        self.result.is_ok()
    }
    /// What happened; null when the input was refused.
    async fn outcome(&self) -> Option<LeadOutcome> {
        self.result.as_ref().ok().map(|p| p.0.outcome.into())
    }
    /// The lead written, skipped or updated; null when the input was refused.
    async fn lead(&self) -> Option<Lead> {
        self.result.as_ref().ok().map(|p| Lead(p.0.lead.clone()))
    }
    /// The same answer createLead gives for this input (its lazy fields, dry-run aware);
    /// null when refused.
    async fn payload(&self) -> Option<&CreateLeadPayload> {
        self.result.as_ref().ok()
    }
    /// Why the input was refused; empty on success.
    async fn errors(&self) -> Vec<InputError> {
        match &self.result {
            Ok(_) => Vec::new(),
            Err(err) => input_errors(err),
        }
    }
}

fn input_errors(err: &Error) -> Vec<InputError> {
    match err {
        Error::BadInput(fields) => fields
            .iter()
            .map(|f| InputError {
                code: err.code().to_owned(),
                field: Some(f.field.clone()),
                message: f.message.clone(),
                matching_lead_ids: Vec::new(),
            })
            .collect(),
        Error::DuplicateLead { field, ids } => vec![InputError {
            code: err.code().to_owned(),
            field: Some(field.clone()),
            message: err.to_string(),
            matching_lead_ids: ids.iter().map(|id| ID(id.to_string())).collect(),
        }],
        other => vec![InputError {
            code: other.code().to_owned(),
            field: None,
            message: other.to_string(),
            matching_lead_ids: Vec::new(),
        }],
    }
}

/// The result of createLeads.
pub struct CreateLeadsPayload {
    results: Vec<CreateLeadResult>,
    dry_run: bool,
}

impl CreateLeadsPayload {
    fn count(&self, outcome: leads::Outcome) -> usize {
        self.results
            .iter()
            .filter(|r| r.result.as_ref().is_ok_and(|p| p.0.outcome == outcome))
            .count()
    }
}

#[Object]
impl CreateLeadsPayload {
    /// True when every input succeeded.
    async fn success(&self) -> bool {
        self.results.iter().all(|r| r.result.is_ok())
    }
    /// True when this was a dry run: nothing was written.
    async fn dry_run(&self) -> bool {
        self.dry_run
    }
    /// One result per input, in input order.
    async fn results(&self) -> &[CreateLeadResult] {
        &self.results
    }
    async fn created(&self) -> usize {
        self.count(leads::Outcome::Created)
    }
    async fn skipped(&self) -> usize {
        self.count(leads::Outcome::Skipped)
    }
    async fn updated(&self) -> usize {
        self.count(leads::Outcome::Updated)
    }
    /// Inputs refused.
    async fn failed(&self) -> usize {
        self.results.iter().filter(|r| r.result.is_err()).count()
    }
}

#[Object]
impl IntakeMutations {
    /// Creates up to 100 leads in one transaction, each as createLead would (same
    /// validation, duplicate policy and dry run), answering one result per input in input
    /// order. More than 100 inputs is BAD_USER_INPUT on `inputs`.
    async fn create_leads(
        &self,
        ctx: &Context<'_>,
        inputs: Vec<CreateLeadInput>,
        #[graphql(default)] options: CreateLeadsOptions,
        #[graphql(default)] on_duplicate: OnDuplicate,
        #[graphql(default)] dry_run: bool,
    ) -> Result<CreateLeadsPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let options = leads::Options {
            all_or_none: options.all_or_none,
            on_duplicate: on_duplicate.into(),
            dry_run,
        };
        let inputs: Vec<LeadInput> = inputs.into_iter().map(Into::into).collect();
        let results = leads::create_many(db, &caller.principal, &inputs, options)
            .await
            .gql()?;
        let created = results
            .iter()
            .filter(|r| {
                r.as_ref()
                    .is_ok_and(|w| w.outcome == leads::Outcome::Created)
            })
            .count();
        if !dry_run && let Some(metrics) = ctx.data_opt::<crate::metrics::Metrics>() {
            for _ in 0..created {
                metrics.lead_created();
            }
        }
        Ok(CreateLeadsPayload {
            results: results
                .into_iter()
                .enumerate()
                .map(|(index, result)| CreateLeadResult {
                    index,
                    result: result.map(|w: Written| CreateLeadPayload(w)),
                })
                .collect(),
            dry_run,
        })
    }
}
