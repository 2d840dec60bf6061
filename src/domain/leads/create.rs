//! Creating a lead.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, EntityTrait, TransactionSession, TransactionTrait};
use uuid::Uuid;

use crate::domain::{
    auth::Principal,
    checklist::Template,
    clock,
    lead_input::{NewLead, ValidLead},
    status, tags, transaction_options,
};
use crate::entities::{
    action_log,
    enums::{ChecklistItemStatus, LeadStatus},
    lead, lead_checklist_item,
};
use crate::error::Result;

use super::{SOURCE_API, api_activity, sort_name};

/// Creates a lead in the caller's workspace: the lead, a row per template item (with the
/// request's updates applied), its tags and one `API_ACTIVITY` log, in one transaction.
/// The template is read inside the transaction (two statements), share-locked so an
/// import cannot remove an item under it; nothing is written when input is bad.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    principal: &Principal,
    input: &NewLead,
) -> Result<lead::Model> {
    let txn = db.begin_with_options(transaction_options()).await?;
    let template = Template::load_for_write(&txn, principal.workspace_id, &[]).await?;
    let valid = ValidLead::parse(input, &template, &principal.default_region)?;
    let now = clock::now();
    let lead_id = Uuid::now_v7();

    let updates: HashMap<Uuid, _> = valid.checklist.iter().map(|u| (u.item.id, u)).collect();
    let entries: HashMap<Uuid, lead_checklist_item::Model> = template
        .items()
        .map(|item| {
            let (value, status) = updates
                .get(&item.id)
                .map_or((None, ChecklistItemStatus::Todo), |u| {
                    u.resolve(None, ChecklistItemStatus::Todo)
                });
            let entry = lead_checklist_item::Model {
                id: Uuid::now_v7(),
                lead_id,
                checklist_item_id: item.id,
                value,
                status,
                item_override: None,
                auto_skipped: false,
                updated_at: now,
            };
            (item.id, entry)
        })
        .collect();
    let checklist_status = status::from_checklist(&template, &entries);
    let status = if valid.did_opt_out {
        LeadStatus::OptedOut
    } else {
        checklist_status
    };

    let model = lead::Model {
        id: lead_id,
        workspace_id: principal.workspace_id,
        first_name: valid.first_name.clone(),
        middle_name: valid.middle_name.clone(),
        last_name: valid.last_name.clone(),
        sort_name: sort_name(
            &valid.first_name,
            valid.middle_name.as_deref(),
            valid.last_name.as_deref(),
        ),
        email: valid.email.as_ref().map(|e| e.as_str().to_owned()),
        email_key: valid.email.as_ref().map(|e| e.match_key()),
        phone_number: valid.phone.as_ref().map(|p| p.display.clone()),
        phone_e164: valid.phone.as_ref().and_then(|p| p.e164.clone()),
        business_name: valid.business_name.clone(),
        website: valid.website.clone(),
        external_lead_id: valid.external_lead_id.clone(),
        external_portal_link: None,
        timezone: valid.timezone.clone(),
        assignee_type: valid.assignee_type,
        status,
        source: SOURCE_API.to_owned(),
        activity_summary: None,
        did_opt_out: valid.did_opt_out,
        opt_out_at: valid.did_opt_out.then_some(now),
        email_verified_at: valid.email_verified.then_some(now),
        phone_verified_at: None,
        is_test: principal.is_test(),
        submitted_at: (checklist_status == LeadStatus::Completed).then_some(now),
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let log = api_activity(&model, "Lead created", valid.changes(), now);

    lead::Entity::insert(lead::ActiveModel::from(model.clone()))
        .exec_without_returning(&txn)
        .await?;
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
    tags::attach(&txn, principal.workspace_id, lead_id, &valid.tags).await?;
    action_log::Entity::insert(log)
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(model)
}
