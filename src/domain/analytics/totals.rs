//! Totals over every lead of a range, in four aggregate statements (leads, messages,
//! checklist completion, interventions) whatever the number of leads.

use sea_orm::{
    ConnectionTrait, QueryResult,
    sea_query::{Alias, Condition, Expr, ExprTrait, Query, SelectStatement},
};

use crate::domain::auth::Principal;
use crate::entities::{
    action_log, checklist_item,
    enums::{ActionLogStatus, MessageChannel, MessageDirection},
    lead, lead_checklist_item, message,
};
use crate::error::Result;

use super::{ChannelTotals, Completion, Interventions, Range, Totals, leads_in};

pub(super) async fn of(
    db: &impl ConnectionTrait,
    principal: &Principal,
    range: &Range,
) -> Result<Totals> {
    let scope = leads_in(principal, range);
    let leads = one(db, lead_counts(scope.clone())).await?;
    let mut totals = Totals {
        count: int(&leads, "count")?,
        leads_completed: int(&leads, "completed")?,
        leads_opted_out: int(&leads, "opted_out")?,
        ..Totals::default()
    };
    for row in all(db, message_counts(principal, scope.clone())).await? {
        let n = int(&row, "n")?;
        let channel = MessageChannel::parse(&row.try_get::<String>("", "channel")?);
        let direction = MessageDirection::parse(&row.try_get::<String>("", "direction")?);
        let figures: &mut ChannelTotals = match channel {
            Some(MessageChannel::Sms) => &mut totals.channels.sms,
            Some(MessageChannel::Email) => &mut totals.channels.email,
            None => continue,
        };
        match direction {
            Some(MessageDirection::Inbound) => {
                figures.inbound += n;
                totals.inbound_messages += n;
            }
            Some(MessageDirection::Outbound) => {
                figures.outbound += n;
                totals.outbound_messages += n;
            }
            None => continue,
        }
        totals.total_messages += n;
    }
    let completion = one(db, completion_counts(scope.clone())).await?;
    totals.completion = Completion {
        total_required: int(&completion, "required")?,
        total_completed: int(&completion, "completed")?,
        ..Completion::default()
    };
    let interventions = one(db, intervention_counts(principal, scope)).await?;
    totals.interventions = Interventions {
        manual_updates: int(&interventions, "manual_updates")?,
        message_rejects: int(&interventions, "message_rejects")?,
        ..Interventions::default()
    };
    Ok(totals)
}

/// `COUNT(CASE WHEN {condition} THEN 1 END)`: rows where the condition holds (0, never
/// NULL, when there are none), on SQLite and PostgreSQL alike.
pub(super) fn count_when(condition: &str) -> Expr {
    Expr::cust(format!("COUNT(CASE WHEN {condition} THEN 1 END)"))
}

fn lead_counts(scope: Condition) -> SelectStatement {
    Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("count"))
        .expr_as(
            count_when(r#""leads"."submitted_at" IS NOT NULL"#),
            Alias::new("completed"),
        )
        .expr_as(
            count_when(r#""leads"."did_opt_out""#),
            Alias::new("opted_out"),
        )
        .from(lead::Entity)
        .cond_where(scope)
        .to_owned()
}

/// Messages of COMPLETED actions (sent or received) by channel and direction; drafts,
/// pending follow-ups, cancelled and failed sends are not messages that happened.
fn message_counts(principal: &Principal, scope: Condition) -> SelectStatement {
    Query::select()
        .column((message::Entity, message::Column::Channel))
        .column((message::Entity, message::Column::Direction))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(message::Entity)
        .inner_join(
            action_log::Entity,
            Expr::col((action_log::Entity, action_log::Column::Id))
                .equals((message::Entity, message::Column::ActionLogId)),
        )
        .inner_join(
            lead::Entity,
            Expr::col((lead::Entity, lead::Column::Id))
                .equals((action_log::Entity, action_log::Column::LeadId)),
        )
        .and_where(
            Expr::col((action_log::Entity, action_log::Column::WorkspaceId))
                .eq(principal.workspace_id),
        )
        .and_where(
            Expr::col((action_log::Entity, action_log::Column::Status))
                .eq(ActionLogStatus::Completed.as_str()),
        )
        .cond_where(scope)
        .group_by_col((message::Entity, message::Column::Channel))
        .group_by_col((message::Entity, message::Column::Direction))
        .to_owned()
}

/// Required items of every lead (the workspace template's and the lead's one-off
/// items), and how many of them the lead has COMPLETED. Item conditions are not
/// evaluated here (they are JSON rules checked in Rust): a required item hidden by its
/// conditions still counts as required.
fn completion_counts(scope: Condition) -> SelectStatement {
    let item = |c: checklist_item::Column| Expr::col((checklist_item::Entity, c));
    let entry = |c: lead_checklist_item::Column| Expr::col((lead_checklist_item::Entity, c));
    Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("required"))
        .expr_as(
            count_when(r#""lead_checklist_items"."status" = 'COMPLETED'"#),
            Alias::new("completed"),
        )
        .from(lead::Entity)
        .inner_join(
            checklist_item::Entity,
            Condition::all()
                .add(
                    item(checklist_item::Column::WorkspaceId)
                        .equals((lead::Entity, lead::Column::WorkspaceId)),
                )
                .add(
                    Condition::any()
                        .add(item(checklist_item::Column::LeadId).is_null())
                        .add(
                            item(checklist_item::Column::LeadId)
                                .equals((lead::Entity, lead::Column::Id)),
                        ),
                ),
        )
        .left_join(
            lead_checklist_item::Entity,
            Condition::all()
                .add(
                    entry(lead_checklist_item::Column::LeadId)
                        .equals((lead::Entity, lead::Column::Id)),
                )
                .add(
                    entry(lead_checklist_item::Column::ChecklistItemId)
                        .equals((checklist_item::Entity, checklist_item::Column::Id)),
                ),
        )
        .and_where(item(checklist_item::Column::IsRequired).eq(true))
        .cond_where(scope)
        .to_owned()
}

/// MANUAL_UPDATE logs, and drafts rejected: MESSAGE logs CANCELLED (a MESSAGE is only
/// ever pending as a draft AWAITING_APPROVAL, so a cancelled one is a rejected draft).
fn intervention_counts(principal: &Principal, scope: Condition) -> SelectStatement {
    Query::select()
        .expr_as(
            count_when(r#""action_logs"."type" = 'MANUAL_UPDATE'"#),
            Alias::new("manual_updates"),
        )
        .expr_as(
            count_when(
                r#""action_logs"."type" = 'MESSAGE' AND "action_logs"."status" = 'CANCELLED'"#,
            ),
            Alias::new("message_rejects"),
        )
        .from(action_log::Entity)
        .inner_join(
            lead::Entity,
            Expr::col((lead::Entity, lead::Column::Id))
                .equals((action_log::Entity, action_log::Column::LeadId)),
        )
        .and_where(
            Expr::col((action_log::Entity, action_log::Column::WorkspaceId))
                .eq(principal.workspace_id),
        )
        .cond_where(scope)
        .to_owned()
}

pub(super) async fn all(
    db: &impl ConnectionTrait,
    statement: SelectStatement,
) -> Result<Vec<QueryResult>> {
    let statement = db.get_database_backend().build(&statement);
    Ok(db.query_all_raw(statement).await?)
}

async fn one(db: &impl ConnectionTrait, statement: SelectStatement) -> Result<QueryResult> {
    all(db, statement)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| crate::error::Error::Internal("an aggregate returned no row".into()))
}

/// A count column: BIGINT on PostgreSQL, INTEGER on SQLite.
pub(super) fn int(row: &QueryResult, column: &str) -> Result<i64> {
    Ok(row.try_get::<i64>("", column)?)
}
