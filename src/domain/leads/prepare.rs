//! A create request validated into the rows it would write: the lead, its checklist rows
//! (template order), its tags and its `Lead created` log. Nothing here touches storage, so
//! a batch validates every input before writing any, and a dry run answers from it.

use std::collections::HashMap;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::{
    auth::Principal,
    checklist::{self, Template},
    lead_input::{LeadInput, parse_checklist},
    status,
};
use crate::entities::{
    action_log,
    enums::{AssigneeType, ChecklistItemStatus, LeadStatus},
    lead, lead_checklist_item,
};
use crate::error::Result;

use super::{SOURCE_API, api_activity, fields};

type Now = chrono::DateTime<chrono::Utc>;

/// What one create would write.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub lead: lead::Model,
    /// One row per template item, in template order.
    pub entries: Vec<lead_checklist_item::Model>,
    /// Validated tag names, first spelling kept.
    pub tags: Vec<String>,
    pub log: action_log::ActiveModel,
}

impl Prepared {
    /// The checklist rows by template item id (what status and views read).
    pub fn entries_by_item(&self) -> HashMap<Uuid, lead_checklist_item::Model> {
        self.entries
            .iter()
            .map(|e| (e.checklist_item_id, e.clone()))
            .collect()
    }
}

/// Validates `input` against the workspace `template`, collecting every problem; the
/// error lists them all (fields named relative to the input).
pub fn prepare(
    principal: &Principal,
    input: &LeadInput,
    template: &Template,
    now: Now,
) -> Result<Prepared> {
    let fresh = new_lead(principal, now);
    let lead_id = fresh.id;
    let region = &principal.default_region;
    let mut errors = Vec::new();
    let mut model = fields::apply(&fresh, input, true, region, now, &mut errors);
    let tags = fields::tags(&input.tags, &mut errors).unwrap_or_default();
    let checklist = parse_checklist(&input.checklist_items, template, region, &mut errors);
    input.refuse_problems(errors)?;

    let updates: HashMap<Uuid, _> = checklist.iter().map(|u| (u.item.id, u)).collect();
    let entries: Vec<lead_checklist_item::Model> = template
        .items()
        .map(|item| {
            let mut entry = checklist::entry_for(lead_id, item.id);
            entry.id = Uuid::now_v7();
            entry.updated_at = now;
            if let Some(update) = updates.get(&item.id) {
                checklist::updates::apply_one(&mut entry, update, now);
            }
            entry
        })
        .collect();
    let by_item: HashMap<Uuid, lead_checklist_item::Model> = entries
        .iter()
        .map(|e| (e.checklist_item_id, e.clone()))
        .collect();
    let checklist_status = status::from_checklist(template, &by_item);
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
    Ok(Prepared {
        lead: model,
        entries,
        tags,
        log,
    })
}

/// A new lead of the caller's workspace before the request's fields are applied: what
/// every lead starts with.
fn new_lead(principal: &Principal, now: Now) -> lead::Model {
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
