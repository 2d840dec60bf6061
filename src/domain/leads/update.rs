//! Updating a lead: partial changes to its fields, tags, checklist and status, following
//! the documented rules, in one transaction with one `API_ACTIVITY` entry.
//!
//! Status rules: a client may set COMPLETED, IN_PROGRESS, NOT_INTERESTED or OPTED_OUT (never
//! REVIEW); `didOptOut` must agree with it. COMPLETED skips every incomplete required item
//! (remembered as automatic), IN_PROGRESS undoes those skips, OPTED_OUT cancels the lead's
//! pending and awaiting messages. Without an explicit status, opting out sets OPTED_OUT,
//! opting back in and checklist changes recompute it from the checklist (when it is one
//! the checklist drives).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    TransactionSession, TransactionTrait,
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::{
    auth::Principal,
    checklist::{Template, one_off, updates},
    clock,
    email::Email,
    lead_input::{self, ChecklistUpdate},
    phone::Phone,
    status, tags, timezone, transaction_options,
};
use crate::entities::{
    action_log,
    enums::{ActionLogStatus, ActionLogType, AssigneeType, LeadStatus},
    lead,
};
use crate::error::{Error, FieldError, Result};

use super::{api_activity, sort_name};

/// A partial change to one field.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Patch<T> {
    /// Absent: leave as is.
    #[default]
    Keep,
    /// Null: clear.
    Clear,
    Set(T),
}

/// What an update asks for; every field is optional.
#[derive(Debug, Clone, Default)]
pub struct LeadChanges {
    pub first_name: Patch<String>,
    pub middle_name: Patch<String>,
    pub last_name: Patch<String>,
    pub email: Patch<String>,
    pub phone_number: Patch<String>,
    pub business_name: Patch<String>,
    pub website: Patch<String>,
    pub external_lead_id: Patch<String>,
    pub timezone: Patch<String>,
    pub assignee_type: Patch<AssigneeType>,
    pub did_opt_out: Option<bool>,
    pub email_verified: Option<bool>,
    pub status: Option<LeadStatus>,
    /// `Set(vec![])` or `Clear` removes every tag.
    pub tags: Patch<Vec<String>>,
    pub checklist_items: Vec<ChecklistUpdate>,
}

/// Records `field: {from, to}` when a value changes.
struct Diff(Map<String, Value>);

impl Diff {
    fn record<T: serde::Serialize + PartialEq>(&mut self, field: &str, from: &T, to: &T) {
        if from != to {
            self.0
                .insert(field.to_owned(), json!({ "from": from, "to": to }));
        }
    }
}

/// Applies a text patch: trimmed, empty means clear; `required` fields cannot be cleared.
fn text_patch(
    field: &str,
    patch: &Patch<String>,
    current: &Option<String>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match patch {
        Patch::Keep => current.clone(),
        Patch::Clear => None,
        Patch::Set(raw) => lead_input::text(field, Some(raw), errors),
    }
}

/// Updates a lead of the caller's workspace.
pub async fn update<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    principal: &Principal,
    lead_id: Uuid,
    changes: &LeadChanges,
) -> Result<lead::Model> {
    write(db, principal, lead_id, "Lead updated", None, changes).await
}

/// Updates only checklist items (same validation and status rules as `update`).
pub async fn update_checklist_items<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    principal: &Principal,
    lead_id: Uuid,
    items: Vec<ChecklistUpdate>,
) -> Result<lead::Model> {
    if items.is_empty() {
        return Err(Error::bad_input("items", "must not be empty"));
    }
    let changes = LeadChanges {
        checklist_items: items,
        ..LeadChanges::default()
    };
    write(db, principal, lead_id, "Checklist updated", None, &changes).await
}

/// Adds a one-off checklist item to a lead (and recomputes its status).
pub async fn add_checklist_item<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    principal: &Principal,
    lead_id: Uuid,
    item: &one_off::NewItem,
) -> Result<lead::Model> {
    write(
        db,
        principal,
        lead_id,
        "Checklist item added",
        Some(item),
        &LeadChanges::default(),
    )
    .await
}

/// The shared write path: lock the lead, validate, apply, log, commit. A one-off item to
/// add is added first (so the status sees it) and recorded as `added`.
async fn write<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    principal: &Principal,
    lead_id: Uuid,
    summary: &str,
    new_item: Option<&one_off::NewItem>,
    changes: &LeadChanges,
) -> Result<lead::Model> {
    let txn = db.begin_with_options(transaction_options()).await?;
    let current = lead::Entity::find_by_id(lead_id)
        .filter(lead::Column::WorkspaceId.eq(principal.workspace_id))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("lead"))?;
    if current.deleted_at.is_some() {
        return Err(Error::bad_input(
            "id",
            "the lead was deleted; it can be read but not changed",
        ));
    }
    let now = clock::now();
    let added = match new_item {
        Some(item) => {
            let added = one_off::add(&txn, &current, item, now).await?;
            json!({ "code": added.code, "label": added.label, "fieldType": added.field_type.as_str(), "isRequired": added.is_required })
        }
        None => Value::Null,
    };
    let template = Template::load_with_one_offs(&txn, principal.workspace_id, &[lead_id])
        .await?
        .for_lead(lead_id);

    // Validate everything first, collecting every problem.
    let mut errors = Vec::new();
    let mut next = current.clone();
    let mut diff = Diff(Map::new());
    match &changes.first_name {
        Patch::Keep => {}
        Patch::Clear => errors.push(FieldError::new("firstName", "cannot be cleared")),
        Patch::Set(raw) => match lead_input::text("firstName", Some(raw), &mut errors) {
            Some(name) => next.first_name = name,
            None if errors.is_empty() => {
                errors.push(FieldError::new("firstName", "must not be empty"))
            }
            None => {}
        },
    }
    next.middle_name = text_patch(
        "middleName",
        &changes.middle_name,
        &current.middle_name,
        &mut errors,
    );
    next.last_name = text_patch(
        "lastName",
        &changes.last_name,
        &current.last_name,
        &mut errors,
    );
    next.business_name = text_patch(
        "businessName",
        &changes.business_name,
        &current.business_name,
        &mut errors,
    );
    next.website = text_patch("website", &changes.website, &current.website, &mut errors);
    next.external_lead_id = text_patch(
        "externalLeadId",
        &changes.external_lead_id,
        &current.external_lead_id,
        &mut errors,
    );
    match &changes.email {
        Patch::Keep => {}
        Patch::Set(raw) if !raw.trim().is_empty() => match Email::parse(raw) {
            Ok(email) => {
                next.email = Some(email.as_str().to_owned());
                next.email_key = Some(email.match_key());
            }
            Err(e) => errors.push(FieldError::new("email", e)),
        },
        Patch::Set(_) | Patch::Clear => {
            next.email = None;
            next.email_key = None;
        }
    }
    match &changes.phone_number {
        Patch::Keep => {}
        Patch::Set(raw) if !raw.trim().is_empty() => {
            match Phone::parse(raw, &principal.default_region) {
                Ok(phone) => {
                    next.phone_number = Some(phone.display);
                    next.phone_e164 = phone.e164;
                }
                Err(e) => errors.push(FieldError::new("phoneNumber", e)),
            }
        }
        Patch::Set(_) | Patch::Clear => {
            next.phone_number = None;
            next.phone_e164 = None;
        }
    }
    match &changes.timezone {
        Patch::Keep => {}
        Patch::Set(raw) if !raw.trim().is_empty() => match timezone::parse(raw) {
            Ok(tz) => next.timezone = Some(tz),
            Err(e) => errors.push(FieldError::new("timezone", e)),
        },
        Patch::Set(_) | Patch::Clear => next.timezone = None,
    }
    match changes.assignee_type {
        Patch::Keep => {}
        Patch::Clear => errors.push(FieldError::new("assigneeType", "cannot be cleared")),
        Patch::Set(assignee) => next.assignee_type = assignee,
    }
    let new_tags = match &changes.tags {
        Patch::Keep => None,
        Patch::Clear => Some(Vec::new()),
        Patch::Set(list) => Some(lead_input::parse_tags(list, &mut errors)),
    };
    let checklist = lead_input::parse_checklist(
        &changes.checklist_items,
        &template,
        &principal.default_region,
        &mut errors,
    );
    if let Some(wanted) = changes.status
        && !status::settable(wanted)
    {
        errors.push(FieldError::new(
            "status",
            "REVIEW is set by reviewers and cannot be set through the API",
        ));
    }
    if let (Some(opt_out), Some(wanted)) = (changes.did_opt_out, changes.status)
        && opt_out != (wanted == LeadStatus::OptedOut)
    {
        errors.push(FieldError::new(
            "didOptOut",
            format!(
                "must agree with status: didOptOut {opt_out} with status {}",
                wanted.as_str()
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(Error::BadInput(errors));
    }

    // Fields.
    diff.record("firstName", &current.first_name, &next.first_name);
    diff.record("middleName", &current.middle_name, &next.middle_name);
    diff.record("lastName", &current.last_name, &next.last_name);
    diff.record("email", &current.email, &next.email);
    diff.record("phoneNumber", &current.phone_number, &next.phone_number);
    diff.record("businessName", &current.business_name, &next.business_name);
    diff.record("website", &current.website, &next.website);
    diff.record(
        "externalLeadId",
        &current.external_lead_id,
        &next.external_lead_id,
    );
    diff.record("timezone", &current.timezone, &next.timezone);
    diff.record(
        "assigneeType",
        &current.assignee_type.as_str(),
        &next.assignee_type.as_str(),
    );
    next.sort_name = sort_name(
        &next.first_name,
        next.middle_name.as_deref(),
        next.last_name.as_deref(),
    );
    match changes.email_verified {
        Some(true) if current.email_verified_at.is_none() => next.email_verified_at = Some(now),
        Some(false) => next.email_verified_at = None,
        _ => {}
    }
    diff.record(
        "emailVerified",
        &current.email_verified_at.is_some(),
        &next.email_verified_at.is_some(),
    );

    // Checklist, then status.
    let mut entries = updates::load(&txn, lead_id).await?;
    let checklist_changes = updates::apply(&mut entries, &checklist, now);
    let opting_out = changes
        .did_opt_out
        .or(changes.status.map(|s| s == LeadStatus::OptedOut));
    next.did_opt_out = opting_out.unwrap_or(current.did_opt_out);
    next.opt_out_at = match (current.did_opt_out, next.did_opt_out) {
        (false, true) => Some(now),
        (_, false) => None,
        (true, true) => current.opt_out_at,
    };
    let mut auto_skipped = Vec::new();
    let mut reverted = Vec::new();
    next.status = match changes.status {
        Some(LeadStatus::Completed) => {
            auto_skipped = updates::auto_skip(&template, &mut entries, now);
            LeadStatus::Completed
        }
        Some(LeadStatus::InProgress) => {
            reverted = updates::revert_auto_skips(&template, &mut entries, now);
            LeadStatus::InProgress
        }
        Some(wanted) => wanted,
        None if next.did_opt_out => LeadStatus::OptedOut,
        None if current.status == LeadStatus::OptedOut
            || status::follows_checklist(current.status) =>
        {
            status::from_checklist(&template, &entries)
        }
        None => current.status,
    };
    if next.status == LeadStatus::Completed && next.submitted_at.is_none() {
        next.submitted_at = Some(now);
    }
    diff.record("didOptOut", &current.did_opt_out, &next.did_opt_out);
    let status_change = (current.status != next.status)
        .then(|| json!({ "from": current.status.as_str(), "to": next.status.as_str() }));
    next.updated_at = now;

    // Writes.
    let cancelled = if next.did_opt_out && !current.did_opt_out {
        cancel_outbound(&txn, lead_id).await?
    } else {
        Vec::new()
    };
    updates::save(&txn, &entries, now).await?;
    let tag_change = match &new_tags {
        Some(names) => Some(tags::replace(&txn, principal.workspace_id, lead_id, names).await?),
        None => None,
    };
    lead::Entity::update(lead::ActiveModel::from(next.clone()).reset_all())
        .exec(&txn)
        .await?;

    let mut record = Map::new();
    if !diff.0.is_empty() {
        record.insert("lead".into(), Value::Object(diff.0));
    }
    if let Some(change) = status_change {
        record.insert("status".into(), change);
    }
    if let Some((added_tags, removed_tags)) =
        tag_change.filter(|(a, r)| !a.is_empty() || !r.is_empty())
    {
        record.insert(
            "tags".into(),
            json!({ "added": added_tags, "removed": removed_tags }),
        );
    }
    let lists = [
        ("checklistItems", checklist_changes),
        (
            "autoSkipped",
            auto_skipped.into_iter().map(Value::from).collect(),
        ),
        (
            "autoSkipsReverted",
            reverted.into_iter().map(Value::from).collect(),
        ),
        (
            "cancelledActions",
            cancelled
                .into_iter()
                .map(|id| Value::from(id.to_string()))
                .collect(),
        ),
    ];
    for (key, list) in lists {
        if !list.is_empty() {
            record.insert(key.into(), Value::Array(list));
        }
    }
    if !added.is_null() {
        record.insert("added".into(), added);
    }
    action_log::Entity::insert(api_activity(&next, summary, Value::Object(record), now))
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(next)
}

/// Cancels the lead's messages that are waiting to go out (PENDING or AWAITING_APPROVAL);
/// returns their ids.
async fn cancel_outbound(db: &impl ConnectionTrait, lead_id: Uuid) -> Result<Vec<Uuid>> {
    let waiting = action_log::Entity::find()
        .select_only()
        .column(action_log::Column::Id)
        .filter(action_log::Column::LeadId.eq(lead_id))
        .filter(
            action_log::Column::Type
                .is_in([ActionLogType::Message, ActionLogType::FollowUpMessage]),
        )
        .filter(
            action_log::Column::Status
                .is_in([ActionLogStatus::Pending, ActionLogStatus::AwaitingApproval]),
        );
    let ids: Vec<Uuid> = waiting.into_tuple().all(db).await?;
    if !ids.is_empty() {
        action_log::Entity::update_many()
            .col_expr(
                action_log::Column::Status,
                sea_orm::sea_query::Expr::value(ActionLogStatus::Cancelled.as_str()),
            )
            .filter(action_log::Column::Id.is_in(ids.clone()))
            .exec(db)
            .await?;
    }
    Ok(ids)
}
