//! Creating and finding leads.

use std::collections::HashMap;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession,
    TransactionTrait,
};
use uuid::Uuid;

use crate::entities::{
    action_log,
    enums::{ActionLogStatus, ActionLogType, ChecklistItemStatus, LeadStatus},
    lead, lead_checklist_item,
};
use crate::error::{Error, Result};

use super::{
    auth::Principal,
    checklist::{Template, view},
    clock,
    lead_input::{NewLead, ValidLead},
    tags, transaction_options,
};

/// Leads created through the API say so.
pub const SOURCE_API: &str = "api";

/// Creates a lead in the caller's workspace: the lead, a row per template item (with the
/// request's updates applied), its tags and one `API_ACTIVITY` log, in one transaction.
/// Reads the template first (two statements); nothing is written when input is bad.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    principal: &Principal,
    input: &NewLead,
) -> Result<lead::Model> {
    let template = Template::load(db, principal.workspace_id).await?;
    let valid = ValidLead::parse(input, &template, &principal.default_region)?;
    let now = clock::now();
    let lead_id = Uuid::now_v7();

    let updates: HashMap<Uuid, _> = valid.checklist.iter().map(|u| (u.item.id, u)).collect();
    let entries: HashMap<Uuid, lead_checklist_item::Model> = template
        .items()
        .map(|item| {
            let update = updates.get(&item.id);
            let entry = lead_checklist_item::Model {
                id: Uuid::now_v7(),
                lead_id,
                checklist_item_id: item.id,
                value: update.and_then(|u| u.value.clone()),
                status: update.map_or(ChecklistItemStatus::Todo, |u| u.status),
                item_override: None,
                auto_skipped: false,
                updated_at: now,
            };
            (item.id, entry)
        })
        .collect();
    let status = if valid.did_opt_out {
        LeadStatus::OptedOut
    } else if view::is_complete(&template, &entries) {
        LeadStatus::Completed
    } else {
        LeadStatus::InProgress
    };

    let model = lead::Model {
        id: lead_id,
        workspace_id: principal.workspace_id,
        first_name: valid.first_name.clone(),
        middle_name: valid.middle_name.clone(),
        last_name: valid.last_name.clone(),
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
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let log = action_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(principal.workspace_id),
        lead_id: Set(lead_id),
        r#type: Set(ActionLogType::ApiActivity),
        status: Set(ActionLogStatus::Completed),
        summary: Set("Lead created".to_owned()),
        changes: Set(Some(valid.changes())),
        parent_action_id: Set(None),
        tool_id: Set(None),
        created_at: Set(now),
        scheduled_at: Set(None),
        completed_at: Set(Some(now)),
    };

    let txn = db.begin_with_options(transaction_options()).await?;
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

/// A lead of the caller's workspace (deleted ones included: the id was asked for).
pub async fn find(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> Result<lead::Model> {
    lead::Entity::find_by_id(id)
        .filter(lead::Column::WorkspaceId.eq(principal.workspace_id))
        .one(db)
        .await?
        .ok_or(Error::NotFound("lead"))
}
