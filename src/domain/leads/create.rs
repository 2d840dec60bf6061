//! Creating leads: one create is a batch of one, so single creates, `createLeads`, REST's
//! batch route and the import command all run the same path.
//!
//! A batch is one transaction: the template is read once, every input is validated into
//! its rows first (`prepare`), the duplicate policy is applied (`duplicates`), then the
//! new leads are written with multi-row inserts (leads, checklist rows, tag links, logs),
//! so the statement count does not grow with the batch. Without `all_or_none` the valid
//! inputs are written together and each refused one gets its own error; with it, one bad
//! input refuses the whole batch and nothing is written. A dry run takes the same path on
//! plain reads (no write lock, no advisory lock) and writes nothing.

use std::sync::Arc;

use sea_orm::{ConnectionTrait, EntityTrait, TransactionSession};

use crate::domain::{
    auth::Principal,
    checklist::Template,
    clock, events, idempotency,
    lead_input::{LeadInput, Patch},
    retry, tags,
};
use crate::entities::{action_log, idempotency_key, lead, lead_checklist_item};
use crate::error::{Error, FieldError, Result};

use super::{
    duplicates::{self, OnDuplicate},
    prepare::{Prepared, prepare},
    update::{self, LeadChanges, Target},
    written::{Created, Options, Outcome, Preview, Written},
};

/// Most inputs in one batch.
pub const MAX_BATCH: usize = 100;

/// Checklist rows per INSERT: far below SQLite's and PostgreSQL's bound-parameter limits
/// (32 766 and 65 535) with the row's 11 columns.
const ENTRY_ROWS_PER_INSERT: usize = 1000;

/// Creates a lead in the caller's workspace: the lead, a row per template item (with the
/// request's updates applied), its tags and one `API_ACTIVITY` log, in one transaction.
/// The template is read inside the transaction (one statement) under the workspace's
/// template lock, taken shared, so an import cannot change or remove an item under it;
/// nothing is written when input is bad.
pub async fn create<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    input: &LeadInput,
) -> Result<lead::Model> {
    Ok(create_one(db, principal, input, Options::default())
        .await?
        .lead)
}

/// Like `create`, claiming `claim`'s key in the lead's transaction (see
/// `domain::idempotency`).
pub async fn create_keyed<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    input: &LeadInput,
    claim: Option<&idempotency::Claim>,
) -> Result<Created> {
    let inputs = std::slice::from_ref(input);
    match retry::retrying(|| batch_once(db, principal, inputs, Options::default(), claim)).await? {
        Step::KeyTaken(taken) => Ok(Created::KeyTaken(taken)),
        Step::Done(mut results) => Ok(Created::New(Box::new(only(&mut results)?.lead))),
    }
}

/// One create with a duplicate policy or as a dry run: a batch of one, whose error is
/// the request's (fields named relative to the input).
pub async fn create_one<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    input: &LeadInput,
    options: Options,
) -> Result<Written> {
    let inputs = std::slice::from_ref(input);
    // One input: its refusal is the answer, and nothing else is written either way.
    let options = Options {
        all_or_none: false,
        ..options
    };
    match retry::retrying(|| batch_once(db, principal, inputs, options, None)).await? {
        Step::Done(mut results) => only(&mut results),
        Step::KeyTaken(_) => Err(Error::Internal("a create without a key found one".into())),
    }
}

/// Creates up to `MAX_BATCH` leads in one transaction; one answer per input, in input
/// order. Errors name fields as `inputs[i].field`. With `all_or_none`, any refusal is the
/// whole answer (every refused input's fields listed) and nothing is written.
pub async fn create_many<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    inputs: &[LeadInput],
    options: Options,
) -> Result<Vec<Result<Written>>> {
    if inputs.len() > MAX_BATCH {
        return Err(Error::bad_input(
            "inputs",
            format!(
                "has {} inputs; a batch holds at most {MAX_BATCH}",
                inputs.len()
            ),
        ));
    }
    match retry::retrying(|| batch_once(db, principal, inputs, options, None)).await? {
        Step::Done(results) => Ok(results
            .into_iter()
            .enumerate()
            .map(|(i, r)| r.map_err(|e| prefixed(i, e)))
            .collect()),
        Step::KeyTaken(_) => Err(Error::Internal("a batch without a key found one".into())),
    }
}

fn only(results: &mut Vec<Result<Written>>) -> Result<Written> {
    results
        .pop()
        .unwrap_or_else(|| Err(Error::Internal("a batch of one answered nothing".into())))
}

/// An input's error as the batch names it: `inputs[i].field`.
fn prefixed(index: usize, err: Error) -> Error {
    let name = |field: &str| format!("inputs[{index}].{field}");
    match err {
        Error::BadInput(fields) => Error::BadInput(
            fields
                .into_iter()
                .map(|f| FieldError::new(name(&f.field), f.message))
                .collect(),
        ),
        Error::DuplicateLead { field, ids } => Error::DuplicateLead {
            field: name(&field),
            ids,
        },
        other => other,
    }
}

/// The refusal of an all-or-none batch: every refused input's problems, named by index.
/// Duplicates alone keep DUPLICATE_LEAD; mixed with bad input they are listed with it.
fn refuse_all<T>(results: Vec<Result<T>>) -> Error {
    let refused: Vec<Error> = results
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| r.err().map(|e| prefixed(i, e)))
        .collect();
    if refused.is_empty() {
        return Error::Internal("refuse_all without a refusal".into());
    }
    if refused
        .iter()
        .all(|e| matches!(e, Error::DuplicateLead { .. }))
    {
        return refused
            .into_iter()
            .next()
            .unwrap_or(Error::Internal(String::new()));
    }
    let mut fields = Vec::new();
    for err in refused {
        match err {
            Error::BadInput(list) => fields.extend(list),
            Error::DuplicateLead { .. } => {
                let message = err.to_string();
                if let Error::DuplicateLead { field, .. } = err {
                    let text = message
                        .strip_prefix(&format!("{field}: "))
                        .unwrap_or(&message)
                        .to_owned();
                    fields.push(FieldError::new(field, text));
                }
            }
            other => return other,
        }
    }
    Error::BadInput(fields)
}

/// How one attempt of a batch ended.
enum Step {
    Done(Vec<Result<Written>>),
    KeyTaken(idempotency_key::Model),
}

/// One attempt of a batch: the whole transaction (none for a dry run).
async fn batch_once<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    inputs: &[LeadInput],
    options: Options,
    claim: Option<&idempotency::Claim>,
) -> Result<Step> {
    if options.dry_run {
        return run(db, principal, inputs, options, None).await;
    }
    let (_turn, txn) = crate::domain::writers::begin(db).await?;
    let step = run(&txn, principal, inputs, options, claim).await?;
    if matches!(step, Step::Done(_)) {
        txn.commit().await?;
    }
    Ok(step)
}

/// The batch on `c` (a write transaction, or the plain connection in a dry run).
async fn run(
    c: &impl ConnectionTrait,
    principal: &Principal,
    inputs: &[LeadInput],
    options: Options,
    mut claim: Option<&idempotency::Claim>,
) -> Result<Step> {
    let write = !options.dry_run;
    let workspace_id = principal.workspace_id;
    let template = Arc::new(if write {
        Template::load_for_write(c, workspace_id, &[]).await?
    } else {
        Template::load(c, workspace_id).await?
    });
    let now = clock::now();
    let prepared: Vec<Result<Prepared>> = inputs
        .iter()
        .map(|input| prepare(principal, input, &template, now))
        .collect();
    if options.all_or_none && prepared.iter().any(Result::is_err) {
        return Err(refuse_all(prepared));
    }

    // Duplicates: lock the keys (writes only), then look once for the whole batch.
    let policy = options.on_duplicate;
    let new_leads: Vec<&lead::Model> = prepared.iter().flatten().map(|p| &p.lead).collect();
    if write && policy != OnDuplicate::Create {
        duplicates::lock(c, workspace_id, &new_leads).await?;
    }
    let mut known = if policy != OnDuplicate::Create || options.dry_run {
        duplicates::find(c, workspace_id, &new_leads).await?
    } else {
        Vec::new()
    };

    let mut results = Vec::with_capacity(inputs.len());
    let mut pending: Vec<Prepared> = Vec::new();
    for (input, prepared) in inputs.iter().zip(prepared) {
        let prepared = match prepared {
            Ok(p) => p,
            Err(err) => {
                results.push(Err(err));
                continue;
            }
        };
        let matches: Vec<&lead::Model> = known
            .iter()
            .filter(|k| duplicates::matched_by(&prepared.lead, k).is_some())
            .collect();
        // What a dry run answers for this input (nothing in a real run).
        let preview = |template: Arc<Template>, stored: bool, entries: Vec<_>| {
            (!write).then(|| {
                Arc::new(Preview {
                    template,
                    stored,
                    entries,
                    matches: matches.iter().rev().map(|m| (*m).clone()).collect(),
                })
            })
        };
        let first = (policy != OnDuplicate::Create)
            .then(|| matches.first().copied())
            .flatten();
        let Some(existing) = first else {
            results.push(Ok(Written {
                lead: prepared.lead.clone(),
                outcome: Outcome::Created,
                preview: preview(template.clone(), false, prepared.entries.clone()),
            }));
            // Later inputs of the batch match this one too.
            known.push(prepared.lead.clone());
            pending.push(prepared);
            continue;
        };
        let field = duplicates::matched_by(&prepared.lead, existing).unwrap_or("email");
        match policy {
            OnDuplicate::Create => unreachable!("CREATE never looks for duplicates"),
            OnDuplicate::Reject => results.push(Err(duplicates::rejection(field, &matches))),
            OnDuplicate::Skip => results.push(Ok(Written {
                lead: existing.clone(),
                outcome: Outcome::Skipped,
                preview: preview(template.clone(), true, Vec::new()),
            })),
            // A dry run answers the update as it would be (its target stored: a lead of
            // this same dry batch is not, so it is answered as it would be created).
            OnDuplicate::Update if !write => {
                if pending.iter().any(|p| p.lead.id == existing.id) {
                    let drafted = results
                        .iter()
                        .flatten()
                        .find(|w: &&Written| w.lead.id == existing.id);
                    results.push(Ok(Written {
                        lead: existing.clone(),
                        outcome: Outcome::Updated,
                        preview: drafted.and_then(|w| w.preview.clone()),
                    }));
                    continue;
                }
                let changes = LeadChanges {
                    fields: as_update(input),
                    status: None,
                };
                let target = Target {
                    id: existing.id,
                    field,
                };
                match update::preview(c, principal, target, &changes).await {
                    Ok(plan) => results.push(Ok(Written {
                        lead: plan.next,
                        outcome: Outcome::Updated,
                        preview: preview(
                            Arc::new(plan.template),
                            true,
                            plan.entries.into_values().collect(),
                        ),
                    })),
                    Err(err @ Error::BadInput(_)) => results.push(Err(err)),
                    Err(err) => return Err(err),
                }
            }
            OnDuplicate::Update => {
                let target_id = existing.id;
                // The target may be a lead of this very batch: write those first.
                if pending.iter().any(|p| p.lead.id == target_id)
                    && let Some(taken) = flush(c, principal, &mut pending, &mut claim, now).await?
                {
                    return Ok(Step::KeyTaken(taken));
                }
                let changes = LeadChanges {
                    fields: as_update(input),
                    status: None,
                };
                let target = Target {
                    id: target_id,
                    field,
                };
                match update::write_in(c, principal, target, "Lead updated", None, &changes).await {
                    Ok((lead, _)) => {
                        if let Some(slot) = known.iter_mut().find(|k| k.id == lead.id) {
                            *slot = lead.clone();
                        }
                        results.push(Ok(Written {
                            lead,
                            outcome: Outcome::Updated,
                            preview: None,
                        }));
                    }
                    // Refused before anything was written: the transaction is intact.
                    Err(err @ Error::BadInput(_)) => results.push(Err(err)),
                    Err(err) => return Err(err),
                }
            }
        }
    }
    if options.all_or_none && results.iter().any(Result::is_err) {
        return Err(refuse_all(results));
    }
    if write && let Some(taken) = flush(c, principal, &mut pending, &mut claim, now).await? {
        return Ok(Step::KeyTaken(taken));
    }
    Ok(Step::Done(results))
}

/// A create input applied to an existing lead (UPDATE): on create `null` is the same as
/// absent, so nothing the input leaves out is cleared.
fn as_update(input: &LeadInput) -> LeadInput {
    fn keep_clears<T: Clone>(patch: &Patch<T>) -> Patch<T> {
        match patch {
            Patch::Clear => Patch::Keep,
            other => other.clone(),
        }
    }
    LeadInput {
        first_name: keep_clears(&input.first_name),
        middle_name: keep_clears(&input.middle_name),
        last_name: keep_clears(&input.last_name),
        email: keep_clears(&input.email),
        phone_number: keep_clears(&input.phone_number),
        business_name: keep_clears(&input.business_name),
        website: keep_clears(&input.website),
        external_lead_id: keep_clears(&input.external_lead_id),
        timezone: keep_clears(&input.timezone),
        assignee_type: keep_clears(&input.assignee_type),
        tags: keep_clears(&input.tags),
        ..input.clone()
    }
}

/// Writes the pending new leads with multi-row inserts: leads, the Idempotency-Key (right
/// after the lead row it names, a foreign key), checklist rows, tag links, logs.
async fn flush(
    c: &impl ConnectionTrait,
    principal: &Principal,
    pending: &mut Vec<Prepared>,
    claim: &mut Option<&idempotency::Claim>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<idempotency_key::Model>> {
    let Some(first) = pending.first() else {
        return Ok(None);
    };
    let first_id = first.lead.id;
    let batch = std::mem::take(pending);
    lead::Entity::insert_many(
        batch
            .iter()
            .map(|p| lead::ActiveModel::from(p.lead.clone())),
    )
    .exec_without_returning(c)
    .await?;
    // A concurrent create with the same key waits here (PostgreSQL) or for the write lock
    // (SQLite), then finds the key taken and rolls back, its lead with it.
    if let Some(claim) = claim.take()
        && let Some(taken) =
            idempotency::claim(c, principal.workspace_id, claim, first_id, now).await?
    {
        return Ok(Some(taken));
    }
    // Template order within each lead, so row ids (v7, time-ordered) follow the template.
    let entries: Vec<lead_checklist_item::ActiveModel> = batch
        .iter()
        .flat_map(|p| p.entries.iter().cloned().map(Into::into))
        .collect();
    let mut entries = entries.into_iter().peekable();
    while entries.peek().is_some() {
        let chunk: Vec<_> = entries.by_ref().take(ENTRY_ROWS_PER_INSERT).collect();
        lead_checklist_item::Entity::insert_many(chunk)
            .exec_without_returning(c)
            .await?;
    }
    let tagged: Vec<(uuid::Uuid, &[String])> = batch
        .iter()
        .map(|p| (p.lead.id, p.tags.as_slice()))
        .collect();
    tags::attach_many(c, principal.workspace_id, &tagged).await?;
    let made = batch
        .iter()
        .flat_map(|p| events::lead_created(&p.lead))
        .collect();
    action_log::Entity::insert_many(batch.into_iter().map(|p| p.log))
        .exec_without_returning(c)
        .await?;
    events::record(c, made).await?;
    Ok(None)
}
