//! Updating a lead: partial changes to its fields, tags, checklist and status, following
//! the documented rules, in one transaction with one `API_ACTIVITY` entry.
//!
//! Status rules: a client may set COMPLETED, IN_PROGRESS, NOT_INTERESTED or OPTED_OUT (never
//! REVIEW); `didOptOut` must agree with it. COMPLETED skips every incomplete required item
//! (remembered as automatic), IN_PROGRESS undoes those skips, OPTED_OUT cancels the lead's
//! pending and awaiting messages, NOT_INTERESTED its pending follow-ups. Without an explicit status, opting out sets OPTED_OUT,
//! opting back in and checklist changes recompute it from the checklist (when it is one
//! the checklist drives). An update that changes nothing writes nothing, not even a log.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    TransactionSession,
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::{
    auth::Principal,
    checklist::{Template, one_off, updates},
    clock, events,
    lead_input::{ChecklistUpdate, LeadInput, parse_checklist},
    retry, status, tags,
};
use crate::entities::{
    action_log, checklist_item,
    enums::{ActionLogStatus, ActionLogType, LeadStatus},
    lead,
};
use crate::error::{Error, FieldError, Result};

use super::{api_activity, fields};

/// What an update asks of a lead: its fields' patches and, optionally, a status.
#[derive(Debug, Clone, Default)]
pub struct LeadChanges {
    pub fields: LeadInput,
    pub status: Option<LeadStatus>,
}

/// The lead a write is about, and the request field that named it (`id` in GraphQL's
/// updateLead, `leadId` elsewhere), so an error about the lead names what the client sent.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub id: Uuid,
    pub field: &'a str,
}

/// Updates a lead of the caller's workspace.
pub async fn update<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    lead: Target<'_>,
    changes: &LeadChanges,
) -> Result<lead::Model> {
    Ok(write(db, principal, lead, "Lead updated", None, changes)
        .await?
        .0)
}

/// Updates only checklist items (same validation and status rules as `update`).
pub async fn update_checklist_items<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    lead: Target<'_>,
    items: Vec<ChecklistUpdate>,
) -> Result<lead::Model> {
    if items.is_empty() {
        return Err(Error::bad_input("items", "must not be empty"));
    }
    let changes = LeadChanges {
        fields: LeadInput {
            checklist_items: items,
            ..LeadInput::default()
        },
        status: None,
    };
    Ok(
        write(db, principal, lead, "Checklist updated", None, &changes)
            .await?
            .0,
    )
}

/// Adds a one-off checklist item to a lead (and recomputes its status); returns the lead
/// and the new item.
pub async fn add_checklist_item<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    lead: Target<'_>,
    item: &one_off::NewItem,
) -> Result<(lead::Model, checklist_item::Model)> {
    let (lead, added) = write(
        db,
        principal,
        lead,
        "Checklist item added",
        Some(item),
        &LeadChanges::default(),
    )
    .await?;
    let added = added.ok_or_else(|| Error::Internal("the added item went missing".into()))?;
    Ok((lead, added))
}

/// The shared write path: lock the lead, validate, apply, log, commit. A one-off item to
/// add is added first (so the status sees it) and recorded as `added`.
async fn write<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    lead: Target<'_>,
    summary: &str,
    new_item: Option<&one_off::NewItem>,
    changes: &LeadChanges,
) -> Result<(lead::Model, Option<checklist_item::Model>)> {
    retry::retrying(|| write_once(db, principal, lead, summary, new_item, changes)).await
}

/// One attempt of `write`: the whole transaction.
async fn write_once<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    lead: Target<'_>,
    summary: &str,
    new_item: Option<&one_off::NewItem>,
    changes: &LeadChanges,
) -> Result<(lead::Model, Option<checklist_item::Model>)> {
    let (_turn, txn) = crate::domain::writers::begin(db).await?;
    let written = write_in(&txn, principal, lead, summary, new_item, changes).await?;
    txn.commit().await?;
    Ok(written)
}

/// The update inside a caller's write transaction (a create with `onDuplicate: UPDATE`
/// runs it in its own); the caller commits. Bad input is refused before anything is
/// written, so the caller's transaction stays usable after a refusal.
pub(crate) async fn write_in(
    txn: &impl ConnectionTrait,
    principal: &Principal,
    lead: Target<'_>,
    summary: &str,
    new_item: Option<&one_off::NewItem>,
    changes: &LeadChanges,
) -> Result<(lead::Model, Option<checklist_item::Model>)> {
    let lead_id = lead.id;
    let current = super::live_for_write(txn, principal, lead_id, lead.field).await?;
    let now = clock::now();
    let added_item = match new_item {
        Some(item) => Some(one_off::add(txn, &current, item, now).await?),
        None => None,
    };
    let added = match &added_item {
        Some(added) => {
            json!({ "code": added.code, "label": added.label, "fieldType": added.field_type.as_str(), "isRequired": added.is_required })
        }
        None => Value::Null,
    };
    let template = Template::load_for_write(txn, principal.workspace_id, &[lead_id])
        .await?
        .for_lead(lead_id);
    let Plan {
        current,
        next,
        entries,
        new_tags,
        checklist_changes,
        auto_skipped,
        reverted,
        status_change,
        ..
    } = plan(txn, principal, current, template, changes, now).await?;

    // Writes. Opting out cancels every message waiting to go out; NOT_INTERESTED stops
    // the follow-ups still to come.
    let cancelled = if next.did_opt_out && !current.did_opt_out {
        cancel_waiting(txn, lead_id, OUTBOUND_WAITING).await?
    } else if next.status == LeadStatus::NotInterested
        && current.status != LeadStatus::NotInterested
    {
        cancel_waiting(txn, lead_id, FOLLOW_UPS_WAITING).await?
    } else {
        Vec::new()
    };
    updates::save(txn, &entries, now).await?;
    let tag_change = match &new_tags {
        Some(names) => Some(tags::replace(txn, principal.workspace_id, lead_id, names).await?),
        None => None,
    };
    let mut record = Map::new();
    let diff = fields::diff(&current, &next);
    if !diff.is_empty() {
        record.insert("lead".into(), Value::Object(diff));
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
    if record.is_empty() {
        // Nothing changed: the lead keeps its updatedAt and the timeline gets no entry.
        return Ok((current, added_item));
    }
    let made = events::lead_updated(&current, &next, &record);
    lead::Entity::update(lead::ActiveModel::from(next.clone()).reset_all())
        .exec(txn)
        .await?;
    action_log::Entity::insert(api_activity(&next, summary, Value::Object(record), now))
        .exec_without_returning(txn)
        .await?;
    events::record(txn, made).await?;
    Ok((next, added_item))
}

/// An update worked out from reads alone: the lead as it would be, its checklist rows
/// (one per item of its checklist) and what the log's `changes` would record. `write_in`
/// writes it; a dry run (`preview`) only answers it.
pub(crate) struct Plan {
    pub current: lead::Model,
    pub next: lead::Model,
    pub template: Template,
    pub entries: updates::Entries,
    /// The tags the update sets (`None`: it leaves them).
    new_tags: Option<Vec<String>>,
    checklist_changes: Vec<Value>,
    auto_skipped: Vec<String>,
    reverted: Vec<String>,
    status_change: Option<Value>,
}

/// What `changes` would do to a live lead, without writing or locking anything: the
/// same reads and rules as `write_in`, so a dry run's answer is the update's (a
/// concurrent write can still change it; the real write decides).
pub(crate) async fn preview(
    db: &impl ConnectionTrait,
    principal: &Principal,
    lead: Target<'_>,
    changes: &LeadChanges,
) -> Result<Plan> {
    let current = super::find(db, principal, lead.id).await?;
    super::refuse_deleted(&current, lead.field)?;
    let template = Template::load_with_one_offs(db, principal.workspace_id, &[lead.id])
        .await?
        .for_lead(lead.id);
    plan(db, principal, current, template, changes, clock::now()).await
}

/// Validates `changes` against `current` (every problem at once, before anything is
/// written) and works out the lead, checklist and status they make.
async fn plan(
    db: &impl ConnectionTrait,
    principal: &Principal,
    current: lead::Model,
    template: Template,
    changes: &LeadChanges,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Plan> {
    let lead_id = current.id;
    // Validate everything first, collecting every problem.
    let input = &changes.fields;
    let region = &principal.default_region;
    let mut errors = Vec::new();
    let mut next = fields::apply(&current, input, false, region, now, &mut errors);
    let new_tags = fields::tags(&input.tags, &mut errors);
    let checklist = parse_checklist(&input.checklist_items, &template, region, &mut errors);
    if let Some(wanted) = changes.status
        && !status::settable(wanted)
    {
        errors.push(FieldError::new(
            "status",
            "REVIEW is set by reviewers and cannot be set through the API",
        ));
    }
    if let (Some(opt_out), Some(wanted)) = (input.did_opt_out, changes.status)
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
    input.refuse_problems(errors)?;

    // Checklist, then status. A status without `didOptOut` opts out (OPTED_OUT) or back in.
    let mut entries = updates::load(db, lead_id, &template).await?;
    let checklist_changes = updates::apply(&mut entries, &checklist, now);
    if let (None, Some(wanted)) = (input.did_opt_out, changes.status) {
        fields::opt_out(&current, &mut next, wanted == LeadStatus::OptedOut, now);
    }
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
    let status_change = (current.status != next.status)
        .then(|| json!({ "from": current.status.as_str(), "to": next.status.as_str() }));
    next.updated_at = now;
    Ok(Plan {
        current,
        next,
        template,
        entries,
        new_tags,
        checklist_changes,
        auto_skipped,
        reverted,
        status_change,
    })
}

/// Which waiting actions a status change cancels: kinds and statuses.
type Waiting = (&'static [ActionLogType], &'static [ActionLogStatus]);

/// Messages waiting to go out: follow-ups and drafts.
const OUTBOUND_WAITING: Waiting = (
    &[ActionLogType::Message, ActionLogType::FollowUpMessage],
    &[ActionLogStatus::Pending, ActionLogStatus::AwaitingApproval],
);

/// Follow-ups still to come (drafts stay for a person to decide on).
const FOLLOW_UPS_WAITING: Waiting = (
    &[ActionLogType::FollowUpMessage],
    &[ActionLogStatus::Pending],
);

/// Cancels the lead's actions of the kinds and statuses of `waiting`; returns their ids.
async fn cancel_waiting(
    db: &impl ConnectionTrait,
    lead_id: Uuid,
    (kinds, statuses): Waiting,
) -> Result<Vec<Uuid>> {
    let waiting = action_log::Entity::find()
        .select_only()
        .column(action_log::Column::Id)
        .filter(action_log::Column::LeadId.eq(lead_id))
        .filter(action_log::Column::Type.is_in(kinds.iter().copied()))
        .filter(action_log::Column::Status.is_in(statuses.iter().copied()));
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
