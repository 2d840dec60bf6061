//! Matching leads: other live leads of the same workspace with the same email
//! (case-insensitively) or the same E.164 phone number.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::domain::sql;
use crate::entities::lead;
use crate::error::Result;

/// Most matches returned for one lead, newest first.
pub const MAX_MATCHES: usize = 100;

/// What a lead is matched by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MatchKey {
    pub lead_id: Uuid,
    pub email_key: Option<String>,
    pub phone_e164: Option<String>,
}

impl MatchKey {
    /// `None` for leads that never match: test leads, and leads with neither email nor
    /// a valid phone.
    pub fn of(lead: &lead::Model) -> Option<Self> {
        let key = Self {
            lead_id: lead.id,
            email_key: lead.email_key.clone(),
            phone_e164: lead.phone_e164.clone(),
        };
        let matchable = !lead.is_test && (key.email_key.is_some() || key.phone_e164.is_some());
        matchable.then_some(key)
    }
}

/// Live (not deleted, not test) leads of the workspace with one of `emails` (normalised)
/// or one of `phones` (E.164). The workspace is repeated inside each alternative on
/// purpose: `ws AND (email IN .. OR phone IN ..)` let SQLite's planner scan every lead of
/// the workspace (its OR optimisation needs each alternative indexable on its own), which
/// made a duplicate lookup among 100 000 leads take ~80 ms; `(ws AND email IN ..) OR (ws
/// AND phone IN ..)` is two index searches on both backends.
pub(crate) fn live_with(
    backend: DbBackend,
    workspace_id: Uuid,
    emails: &[&str],
    phones: &[&str],
) -> Condition {
    let in_workspace = || Condition::all().add(lead::Column::WorkspaceId.eq(workspace_id));
    let owned = |values: &[&str]| values.iter().map(|v| v.to_string()).collect::<Vec<_>>();
    Condition::all()
        .add(lead::Column::DeletedAt.is_null())
        .add(sql::equals(lead::Column::IsTest, false))
        .add(
            Condition::any()
                .add(in_workspace().add(sql::is_in(backend, lead::Column::EmailKey, owned(emails))))
                .add(in_workspace().add(sql::is_in(
                    backend,
                    lead::Column::PhoneE164,
                    owned(phones),
                ))),
        )
}

/// The matches of several leads of one workspace, in one statement. Deleted and test leads
/// never match, and a lead never matches itself.
pub async fn for_leads(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    keys: &[MatchKey],
) -> Result<HashMap<MatchKey, Vec<lead::Model>>> {
    let emails: Vec<&str> = keys.iter().filter_map(|k| k.email_key.as_deref()).collect();
    let phones: Vec<&str> = keys
        .iter()
        .filter_map(|k| k.phone_e164.as_deref())
        .collect();
    if emails.is_empty() && phones.is_empty() {
        return Ok(HashMap::new());
    }
    let mut candidates = lead::Entity::find()
        .filter(live_with(
            db.get_database_backend(),
            workspace_id,
            &emails,
            &phones,
        ))
        .order_by_desc(lead::Column::CreatedAt)
        .order_by_desc(lead::Column::Id);
    // One lead's matches (a create, a read): at most the cap, plus the lead itself. Several
    // leads share the statement, so no one limit is right for all of them.
    if let [_] = keys {
        candidates = candidates.limit(MAX_MATCHES as u64 + 1);
    }
    let candidates = candidates.all(db).await?;
    Ok(keys
        .iter()
        .map(|key| {
            let matches = candidates
                .iter()
                .filter(|c| c.id != key.lead_id)
                .filter(|c| {
                    (key.email_key.is_some() && c.email_key == key.email_key)
                        || (key.phone_e164.is_some() && c.phone_e164 == key.phone_e164)
                })
                .take(MAX_MATCHES)
                .cloned()
                .collect();
            (key.clone(), matches)
        })
        .collect())
}
