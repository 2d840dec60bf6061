//! The action-log timeline of leads: recent entries, the last and next actions, and what
//! hangs off an entry (messages, tool). Every function serves many leads in one statement.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, Iterable, QueryFilter,
    QueryOrder,
    sea_query::{
        Alias, Asterisk, Expr, ExprTrait, Order, Query, SelectStatement, UnionType, WindowStatement,
    },
};
use uuid::Uuid;

use crate::entities::{
    action_log,
    enums::{ActionLogStatus, ActionLogType, MessageDirection},
    message, tool,
};
use crate::error::Result;

use super::sql;

/// Most entries one lead's timeline returns.
pub const MAX_LOGS: u64 = 100;

/// The timeline entries a lead surfaces on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Marker {
    /// Latest COMPLETED outbound MESSAGE or FOLLOW_UP_MESSAGE.
    LastAction,
    /// Earliest PENDING FOLLOW_UP_MESSAGE.
    NextFollowUp,
    /// Earliest message AWAITING_APPROVAL.
    NextDraft,
}

impl Marker {
    pub const ALL: [Self; 3] = [Self::LastAction, Self::NextFollowUp, Self::NextDraft];
}

/// Selects every action-log column plus each row's rank within its lead (`rn`), ordered by
/// `order`; the caller adds filters.
fn ranked(
    backend: DbBackend,
    workspace_id: Uuid,
    lead_ids: &[Uuid],
    order: &[(Expr, Order)],
) -> SelectStatement {
    let mut window = WindowStatement::partition_by(action_log::Column::LeadId);
    for (expr, direction) in order {
        window.order_by_expr(expr.clone(), direction.clone());
    }
    window.order_by(action_log::Column::Id, Order::Desc);
    Query::select()
        .columns(action_log::Column::iter().map(|c| (action_log::Entity, c)))
        .expr_window_as(Expr::cust("ROW_NUMBER()"), window, Alias::new("rn"))
        .from(action_log::Entity)
        .and_where(
            Expr::col((action_log::Entity, action_log::Column::WorkspaceId)).eq(workspace_id),
        )
        .and_where(sql::is_in(
            backend,
            action_log::Column::LeadId,
            lead_ids.iter().copied(),
        ))
        .to_owned()
}

async fn top_per_lead(
    db: &impl ConnectionTrait,
    inner: SelectStatement,
    limit: u64,
) -> Result<Vec<action_log::Model>> {
    let outer = Query::select()
        .column(Asterisk)
        .from_subquery(inner, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new("rn")).lte(sql::constant(limit)))
        .order_by(Alias::new("rn"), Order::Asc)
        .to_owned();
    let statement = db.get_database_backend().build(&outer);
    Ok(action_log::Entity::find()
        .from_raw_sql(statement)
        .all(db)
        .await?)
}

fn col(column: action_log::Column) -> Expr {
    Expr::col((action_log::Entity, column))
}

/// Each lead's newest `limit` entries (at most `MAX_LOGS`), newest first.
pub async fn recent_for_leads(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    lead_ids: &[Uuid],
    limit: u64,
) -> Result<HashMap<Uuid, Vec<action_log::Model>>> {
    let limit = std::cmp::min(limit, MAX_LOGS);
    let mut by_lead: HashMap<Uuid, Vec<action_log::Model>> = HashMap::new();
    if limit == 0 {
        return Ok(by_lead);
    }
    let inner = ranked(
        db.get_database_backend(),
        workspace_id,
        lead_ids,
        &[(col(action_log::Column::CreatedAt), Order::Desc)],
    );
    for log in top_per_lead(db, inner, limit).await? {
        by_lead.entry(log.lead_id).or_default().push(log);
    }
    Ok(by_lead)
}

/// The entries that are candidates for `marker` of `lead_ids`, ranked (`rn` 1 is it).
fn marker_candidates(
    backend: DbBackend,
    workspace_id: Uuid,
    lead_ids: &[Uuid],
    marker: Marker,
) -> SelectStatement {
    let messages =
        [ActionLogType::Message, ActionLogType::FollowUpMessage].map(|t| sql::constant(t.as_str()));
    // COALESCE keeps the order the same on SQLite and PostgreSQL, which sort NULLs
    // differently.
    match marker {
        Marker::LastAction => {
            let outbound = Query::select()
                .expr(sql::constant(1))
                .from(message::Entity)
                .and_where(
                    Expr::col((message::Entity, message::Column::ActionLogId))
                        .equals((action_log::Entity, action_log::Column::Id)),
                )
                .and_where(
                    Expr::col((message::Entity, message::Column::Direction))
                        .eq(sql::constant(MessageDirection::Outbound.as_str())),
                )
                .to_owned();
            let order = Expr::cust(
                "COALESCE(\"action_logs\".\"completed_at\", \"action_logs\".\"created_at\")",
            );
            ranked(backend, workspace_id, lead_ids, &[(order, Order::Desc)])
                .and_where(sql::equals(
                    action_log::Column::Status,
                    ActionLogStatus::Completed.as_str(),
                ))
                .and_where(col(action_log::Column::Type).is_in(messages))
                .and_where(Expr::exists(outbound))
                .to_owned()
        }
        Marker::NextFollowUp => {
            let order = Expr::cust(
                "COALESCE(\"action_logs\".\"scheduled_at\", \"action_logs\".\"created_at\")",
            );
            ranked(backend, workspace_id, lead_ids, &[(order, Order::Asc)])
                .and_where(sql::equals(
                    action_log::Column::Status,
                    ActionLogStatus::Pending.as_str(),
                ))
                .and_where(sql::equals(
                    action_log::Column::Type,
                    ActionLogType::FollowUpMessage.as_str(),
                ))
                .to_owned()
        }
        Marker::NextDraft => ranked(
            backend,
            workspace_id,
            lead_ids,
            &[(col(action_log::Column::CreatedAt), Order::Asc)],
        )
        .and_where(sql::equals(
            action_log::Column::Status,
            ActionLogStatus::AwaitingApproval.as_str(),
        ))
        .and_where(col(action_log::Column::Type).is_in(messages))
        .to_owned(),
    }
}

/// Each (lead, marker)'s entry, if any: every marker asked for in one statement (the
/// candidates of each marker, ranked, in a `UNION ALL`, each tagged with its marker).
pub async fn markers_for_leads(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    keys: &[(Uuid, Marker)],
) -> Result<HashMap<(Uuid, Marker), action_log::Model>> {
    let backend = db.get_database_backend();
    let mut parts = Marker::ALL
        .iter()
        .enumerate()
        .filter_map(|(code, &marker)| {
            let lead_ids: Vec<Uuid> = keys
                .iter()
                .filter(|(_, m)| *m == marker)
                .map(|(id, _)| *id)
                .collect();
            (!lead_ids.is_empty()).then(|| {
                marker_candidates(backend, workspace_id, &lead_ids, marker)
                    .expr_as(sql::constant(code as i32), Alias::new("marker"))
                    .to_owned()
            })
        });
    let Some(mut candidates) = parts.next() else {
        return Ok(HashMap::new());
    };
    for part in parts {
        candidates.union(UnionType::All, part);
    }
    let firsts = Query::select()
        .column(Asterisk)
        .from_subquery(candidates, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new("rn")).eq(sql::constant(1)))
        .to_owned();
    let mut found = HashMap::new();
    for row in db.query_all_raw(backend.build(&firsts)).await? {
        let log = action_log::Model::from_query_result(&row, "")?;
        let code: i32 = row.try_get("", "marker")?;
        if let Some(&marker) = usize::try_from(code).ok().and_then(|c| Marker::ALL.get(c)) {
            found.insert((log.lead_id, marker), log);
        }
    }
    Ok(found)
}

/// The messages of several entries, oldest first.
pub async fn messages_for_logs(
    db: &impl ConnectionTrait,
    log_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<message::Model>>> {
    let mut by_log: HashMap<Uuid, Vec<message::Model>> = HashMap::new();
    let rows = message::Entity::find()
        .filter(sql::is_in(
            db.get_database_backend(),
            message::Column::ActionLogId,
            log_ids.iter().copied(),
        ))
        .order_by_asc(message::Column::CreatedAt)
        .order_by_asc(message::Column::Id)
        .all(db)
        .await?;
    for row in rows {
        by_log.entry(row.action_log_id).or_default().push(row);
    }
    Ok(by_log)
}

/// Tools by id, limited to the workspace.
pub async fn tools_by_id(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, tool::Model>> {
    Ok(tool::Entity::find()
        .filter(tool::Column::WorkspaceId.eq(workspace_id))
        .filter(sql::is_in(
            db.get_database_backend(),
            tool::Column::Id,
            ids.iter().copied(),
        ))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect())
}

/// The tool calls made for each of several actions (TOOL_CALL entries whose parent is
/// the action), oldest first, in one statement.
pub async fn tool_calls_for(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    parent_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<action_log::Model>>> {
    let rows = action_log::Entity::find()
        .filter(action_log::Column::WorkspaceId.eq(workspace_id))
        .filter(sql::equals(
            action_log::Column::Type,
            ActionLogType::ToolCall.as_str(),
        ))
        .filter(sql::is_in(
            db.get_database_backend(),
            action_log::Column::ParentActionId,
            parent_ids.iter().copied(),
        ))
        .order_by_asc(action_log::Column::CreatedAt)
        .order_by_asc(action_log::Column::Id)
        .all(db)
        .await?;
    let mut by_parent: HashMap<Uuid, Vec<action_log::Model>> = HashMap::new();
    for row in rows {
        if let Some(parent) = row.parent_action_id {
            by_parent.entry(parent).or_default().push(row);
        }
    }
    Ok(by_parent)
}
