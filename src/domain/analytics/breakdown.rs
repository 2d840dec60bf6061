//! One page of the per-lead breakdown: the leads in (created_at, id) order after a
//! token (1 statement), their message figures grouped in SQL (1) and their checklists (3).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Alias, Condition, Expr, ExprTrait, Query},
};
use uuid::Uuid;

use crate::domain::{auth::Principal, checklist::view};
use crate::entities::{
    action_log,
    enums::{ActionLogStatus, MessageChannel, MessageDirection},
    lead, message,
};
use crate::error::Result;

use super::{Breakdown, ChecklistFigure, LeadChannel, LeadFigures, Range, Token, leads_in, totals};

pub(super) async fn page(
    db: &impl ConnectionTrait,
    principal: &Principal,
    range: &Range,
    token: Option<&Token>,
    size: u64,
) -> Result<Breakdown> {
    let mut condition = leads_in(principal, range);
    if let Some(token) = token {
        let created = || Expr::col((lead::Entity, lead::Column::CreatedAt));
        condition = condition.add(
            Condition::any().add(created().gt(token.created_at)).add(
                Condition::all()
                    .add(created().eq(token.created_at))
                    .add(Expr::col((lead::Entity, lead::Column::Id)).gt(token.id)),
            ),
        );
    }
    let mut leads = lead::Entity::find()
        .filter(condition)
        .order_by_asc(lead::Column::CreatedAt)
        .order_by_asc(lead::Column::Id)
        .limit(size + 1)
        .all(db)
        .await?;
    let has_next = leads.len() as u64 > size;
    leads.truncate(size as usize);
    let end_token = leads.last().map(|last| {
        Token {
            created_at: last.created_at,
            id: last.id,
        }
        .encode(range)
    });
    let ids: Vec<Uuid> = leads.iter().map(|l| l.id).collect();
    if ids.is_empty() {
        return Ok(Breakdown {
            leads: Vec::new(),
            end_token,
            has_next,
        });
    }
    let mut channels = message_figures(db, principal, &ids).await?;
    let mut checklists = view::for_leads(db, principal.workspace_id, &ids).await?;
    let leads = leads
        .into_iter()
        .map(|lead| {
            let channels = channels.remove(&lead.id).unwrap_or_default();
            let checklist = checklists
                .remove(&lead.id)
                .unwrap_or_default()
                .into_iter()
                .flat_map(|group| group.items)
                .map(checklist_figure)
                .collect();
            let both = [channels.sms, channels.email];
            LeadFigures {
                lead_id: lead.id,
                first_name: lead.first_name,
                last_name: lead.last_name,
                email: lead.email,
                phone_number: lead.phone_number,
                created_at: lead.created_at,
                completed_at: lead.submitted_at,
                opted_out_at: lead.did_opt_out.then_some(lead.opt_out_at).flatten(),
                total_messages: both.iter().map(|c| c.inbound + c.outbound).sum(),
                inbound_messages: both.iter().map(|c| c.inbound).sum(),
                outbound_messages: both.iter().map(|c| c.outbound).sum(),
                last_inbound_at: both.iter().filter_map(|c| c.last_inbound_at).max(),
                last_outbound_at: both.iter().filter_map(|c| c.last_outbound_at).max(),
                channels,
                checklist,
            }
        })
        .collect();
    Ok(Breakdown {
        leads,
        end_token,
        has_next,
    })
}

fn checklist_figure(view: view::ItemView) -> ChecklistFigure {
    // A lead without a row for the item shows it as TODO with no time of change.
    let updated_at = Some(view.entry.updated_at).filter(|t| *t != DateTime::UNIX_EPOCH);
    ChecklistFigure {
        code: view.item.code,
        required: view.item.is_required,
        status: view.entry.status,
        value: view.entry.value.filter(|v| !v.is_null()),
        updated_at,
        source: None,
    }
}

/// Each lead's COMPLETED messages by channel and direction, with the latest time (when
/// the action completed), grouped in one statement.
async fn message_figures(
    db: &impl ConnectionTrait,
    principal: &Principal,
    lead_ids: &[Uuid],
) -> Result<HashMap<Uuid, super::Channels<LeadChannel>>> {
    let log = |c: action_log::Column| Expr::col((action_log::Entity, c));
    let statement = Query::select()
        .column((action_log::Entity, action_log::Column::LeadId))
        .column((message::Entity, message::Column::Channel))
        .column((message::Entity, message::Column::Direction))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .expr_as(
            Expr::cust(
                r#"MAX(COALESCE("action_logs"."completed_at", "action_logs"."created_at"))"#,
            ),
            Alias::new("latest"),
        )
        .from(message::Entity)
        .inner_join(
            action_log::Entity,
            log(action_log::Column::Id).equals((message::Entity, message::Column::ActionLogId)),
        )
        .and_where(log(action_log::Column::WorkspaceId).eq(principal.workspace_id))
        .and_where(log(action_log::Column::LeadId).is_in(lead_ids.iter().copied()))
        .and_where(log(action_log::Column::Status).eq(ActionLogStatus::Completed.as_str()))
        .group_by_col((action_log::Entity, action_log::Column::LeadId))
        .group_by_col((message::Entity, message::Column::Channel))
        .group_by_col((message::Entity, message::Column::Direction))
        .to_owned();
    let mut by_lead: HashMap<Uuid, super::Channels<LeadChannel>> = HashMap::new();
    for row in totals::all(db, statement).await? {
        let lead_id: Uuid = row.try_get("", "lead_id")?;
        let n = totals::int(&row, "n")?;
        let latest: Option<DateTime<Utc>> = row.try_get("", "latest")?;
        let channels = by_lead.entry(lead_id).or_default();
        let figures = match MessageChannel::parse(&row.try_get::<String>("", "channel")?) {
            Some(MessageChannel::Sms) => &mut channels.sms,
            Some(MessageChannel::Email) => &mut channels.email,
            None => continue,
        };
        match MessageDirection::parse(&row.try_get::<String>("", "direction")?) {
            Some(MessageDirection::Inbound) => {
                figures.inbound += n;
                figures.last_inbound_at = Ord::max(figures.last_inbound_at, latest);
            }
            Some(MessageDirection::Outbound) => {
                figures.outbound += n;
                figures.last_outbound_at = Ord::max(figures.last_outbound_at, latest);
            }
            None => {}
        }
    }
    Ok(by_lead)
}
