//! Creating a lead.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, EntityTrait, TransactionSession, TransactionTrait};
use uuid::Uuid;

use serde_json::{Value, json};

use crate::domain::{
    auth::Principal,
    checklist::{self, Template},
    clock, events, idempotency,
    lead_input::{LeadInput, parse_checklist},
    retry, status, tags, transaction_options,
};
use crate::entities::{
    action_log,
    enums::{AssigneeType, ChecklistItemStatus, LeadStatus},
    idempotency_key, lead, lead_checklist_item,
};
use crate::error::{Error, Result};

use super::{SOURCE_API, api_activity, fields};

/// Creates a lead in the caller's workspace: the lead, a row per template item (with the
/// request's updates applied), its tags and one `API_ACTIVITY` log, in one transaction.
/// The template is read inside the transaction (two statements), share-locked so an
/// import cannot remove an item under it; nothing is written when input is bad.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    principal: &Principal,
    input: &LeadInput,
) -> Result<lead::Model> {
    match create_keyed(db, principal, input, None).await? {
        Created::New(lead) => Ok(*lead),
        Created::KeyTaken(_) => Err(Error::Internal("a create without a key found one".into())),
    }
}

/// What a create with an Idempotency-Key did.
#[derive(Debug, Clone)]
pub enum Created {
    /// The lead was created, and the key with it (same transaction).
    New(Box<lead::Model>),
    /// The key was already taken by a committed create: nothing was written; the caller
    /// decides from the row (`idempotency::decide`).
    KeyTaken(idempotency_key::Model),
}

/// Like `create`, claiming `claim`'s key in the lead's transaction (see
/// `domain::idempotency`).
pub async fn create_keyed<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    principal: &Principal,
    input: &LeadInput,
    claim: Option<&idempotency::Claim>,
) -> Result<Created> {
    retry::retrying(|| create_once(db, principal, input, claim)).await
}

/// One attempt of `create`: the whole transaction.
async fn create_once<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    principal: &Principal,
    input: &LeadInput,
    claim: Option<&idempotency::Claim>,
) -> Result<Created> {
    let txn = db.begin_with_options(transaction_options()).await?;
    let template = Template::load_for_write(&txn, principal.workspace_id, &[]).await?;
    let now = clock::now();
    let fresh = new_lead(principal, now);
    let lead_id = fresh.id;

    // Validate everything first, collecting every problem.
    let region = &principal.default_region;
    let mut errors = Vec::new();
    let mut model = fields::apply(&fresh, input, true, region, now, &mut errors);
    let tags = fields::tags(&input.tags, &mut errors).unwrap_or_default();
    let checklist = parse_checklist(&input.checklist_items, &template, region, &mut errors);
    input.refuse_problems(errors)?;

    let updates: HashMap<Uuid, _> = checklist.iter().map(|u| (u.item.id, u)).collect();
    let entries: HashMap<Uuid, lead_checklist_item::Model> = template
        .items()
        .map(|item| {
            let mut entry = checklist::entry_for(lead_id, item.id);
            entry.id = Uuid::now_v7();
            entry.updated_at = now;
            if let Some(update) = updates.get(&item.id) {
                checklist::updates::apply_one(&mut entry, update, now);
            }
            (item.id, entry)
        })
        .collect();
    let checklist_status = status::from_checklist(&template, &entries);
    model.status = if model.did_opt_out {
        LeadStatus::OptedOut
    } else {
        checklist_status
    };
    model.submitted_at = (checklist_status == LeadStatus::Completed).then_some(now);
    let checklist_changes: Vec<Value> = checklist
        .iter()
        .map(|u| {
            let (value, status) = u.resolve(None, ChecklistItemStatus::Todo);
            u.change(value.as_ref(), status)
        })
        .collect();
    let changes = json!({
        "lead": fields::given(&model),
        "tags": tags,
        "checklistItems": checklist_changes,
    });
    let log = api_activity(&model, "Lead created", changes, now);

    lead::Entity::insert(lead::ActiveModel::from(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    // The key right after the lead row it names (a foreign key), before anything else:
    // a concurrent create with the same key waits here (PostgreSQL) or for the write lock
    // (SQLite), then finds the key taken and rolls back, its lead with it.
    if let Some(claim) = claim
        && let Some(taken) =
            idempotency::claim(&txn, principal.workspace_id, claim, lead_id, now).await?
    {
        return Ok(Created::KeyTaken(taken));
    }
    if !entries.is_empty() {
        // Template order, so row ids (v7, time-ordered) follow the template too.
        let rows = template
            .items()
            .filter_map(|item| entries.get(&item.id))
            .map(|entry| lead_checklist_item::ActiveModel::from(entry.clone()));
        lead_checklist_item::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    tags::attach(&txn, principal.workspace_id, lead_id, &tags).await?;
    action_log::Entity::insert(log)
        .exec_without_returning(&txn)
        .await?;
    events::record(&txn, events::lead_created(&model)).await?;
    txn.commit().await?;
    Ok(Created::New(Box::new(model)))
}

/// A new lead of the caller's workspace before the request's fields are applied: what
/// every lead starts with.
fn new_lead(principal: &Principal, now: chrono::DateTime<chrono::Utc>) -> lead::Model {
    lead::Model {
        id: Uuid::now_v7(),
        workspace_id: principal.workspace_id,
        first_name: String::new(),
        middle_name: None,
        last_name: None,
        sort_name: String::new(),
        email: None,
        email_key: None,
        phone_number: None,
        phone_e164: None,
        business_name: None,
        website: None,
        external_lead_id: None,
        external_portal_link: None,
        timezone: None,
        assignee_type: AssigneeType::AiAgent,
        status: LeadStatus::InProgress,
        source: SOURCE_API.to_owned(),
        activity_summary: None,
        did_opt_out: false,
        opt_out_at: None,
        email_verified_at: None,
        phone_verified_at: None,
        is_test: principal.is_test(),
        submitted_at: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    }
}
