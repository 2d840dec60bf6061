//! `analytics(start, end, first, after)`: the figures of `domain::analytics` as typed
//! objects, the same ones REST answers at `GET /api/v0/analytics`.

use async_graphql::{Json, Object, SimpleObject};
use serde_json::Value;

use crate::domain::analytics::{self as domain, Report};
use crate::graphql::{
    enums::ChecklistItemStatus,
    scalars::{DateTime, opt},
};

/// Analytics of the leads created in `[start, end]` (deleted and test leads excluded):
/// totals over the whole range and one page of the per-lead breakdown.
pub struct Analytics(pub Report);

#[Object]
impl Analytics {
    async fn start(&self) -> DateTime {
        self.0.range.start.into()
    }
    async fn end(&self) -> DateTime {
        self.0.range.end.into()
    }
    /// Pass as `after` for the next page; null on the last page.
    async fn next_token(&self) -> Option<&str> {
        self.0.breakdown.next_token()
    }
    async fn totals(&self) -> AnalyticsTotals {
        AnalyticsTotals::from(self.0.totals)
    }
    async fn breakdown(&self) -> AnalyticsBreakdown<'_> {
        AnalyticsBreakdown(&self.0.breakdown)
    }
}

/// Messages of one channel in the totals.
#[derive(SimpleObject)]
pub struct AnalyticsChannelTotals {
    inbound: i64,
    outbound: i64,
}

#[derive(SimpleObject)]
pub struct AnalyticsChannelsTotals {
    sms: AnalyticsChannelTotals,
    email: AnalyticsChannelTotals,
}

/// Completed required items by who completed them: leadgate does not record it (0).
#[derive(SimpleObject)]
pub struct AnalyticsBySource {
    agent: i64,
    imported: i64,
    manual: i64,
    portal: i64,
}

#[derive(SimpleObject)]
pub struct AnalyticsCompletion {
    /// Required checklist items of the leads (conditions not evaluated).
    total_required: i64,
    /// Those of them COMPLETED.
    total_completed: i64,
    by_source: AnalyticsBySource,
}

/// Interventions; see README "Analytics" for what the data model has a source for.
#[derive(SimpleObject)]
pub struct AnalyticsInterventions {
    document_overrides: i64,
    escalations: i64,
    /// MANUAL_UPDATE action logs.
    manual_updates: i64,
    message_edits: i64,
    /// Drafts cancelled instead of approved.
    message_rejects: i64,
}

/// Figures over every lead of the range.
#[derive(SimpleObject)]
pub struct AnalyticsTotals {
    count: i64,
    leads_completed: i64,
    leads_opted_out: i64,
    total_messages: i64,
    inbound_messages: i64,
    outbound_messages: i64,
    channels: AnalyticsChannelsTotals,
    completion: AnalyticsCompletion,
    interventions: AnalyticsInterventions,
}

fn channel_totals(c: domain::ChannelTotals) -> AnalyticsChannelTotals {
    AnalyticsChannelTotals {
        inbound: c.inbound,
        outbound: c.outbound,
    }
}

impl From<domain::Totals> for AnalyticsTotals {
    fn from(t: domain::Totals) -> Self {
        let by_source = t.completion.by_source;
        let i = t.interventions;
        Self {
            count: t.count,
            leads_completed: t.leads_completed,
            leads_opted_out: t.leads_opted_out,
            total_messages: t.total_messages,
            inbound_messages: t.inbound_messages,
            outbound_messages: t.outbound_messages,
            channels: AnalyticsChannelsTotals {
                sms: channel_totals(t.channels.sms),
                email: channel_totals(t.channels.email),
            },
            completion: AnalyticsCompletion {
                total_required: t.completion.total_required,
                total_completed: t.completion.total_completed,
                by_source: AnalyticsBySource {
                    agent: by_source.agent,
                    imported: by_source.imported,
                    manual: by_source.manual,
                    portal: by_source.portal,
                },
            },
            interventions: AnalyticsInterventions {
                document_overrides: i.document_overrides,
                escalations: i.escalations,
                manual_updates: i.manual_updates,
                message_edits: i.message_edits,
                message_rejects: i.message_rejects,
            },
        }
    }
}

/// One page of the breakdown, oldest lead first.
pub struct AnalyticsBreakdown<'a>(&'a domain::Breakdown);

#[Object]
impl AnalyticsBreakdown<'_> {
    async fn nodes(&self) -> Vec<LeadAnalytics<'_>> {
        self.0.leads.iter().map(LeadAnalytics).collect()
    }
    async fn page_info(&self) -> AnalyticsPageInfo {
        AnalyticsPageInfo {
            has_next_page: self.0.has_next,
            end_cursor: self.0.end_token.clone(),
        }
    }
}

#[derive(SimpleObject)]
pub struct AnalyticsPageInfo {
    has_next_page: bool,
    /// The position after this page's last lead (`after` of the next page).
    end_cursor: Option<String>,
}

/// One lead's messages on one channel.
pub struct LeadChannelAnalytics(domain::LeadChannel);

#[Object]
impl LeadChannelAnalytics {
    async fn inbound(&self) -> i64 {
        self.0.inbound
    }
    async fn outbound(&self) -> i64 {
        self.0.outbound
    }
    async fn last_inbound_at(&self) -> Option<DateTime> {
        opt(self.0.last_inbound_at)
    }
    async fn last_outbound_at(&self) -> Option<DateTime> {
        opt(self.0.last_outbound_at)
    }
}

pub struct LeadChannelsAnalytics(domain::Channels<domain::LeadChannel>);

#[Object]
impl LeadChannelsAnalytics {
    async fn sms(&self) -> LeadChannelAnalytics {
        LeadChannelAnalytics(self.0.sms)
    }
    async fn email(&self) -> LeadChannelAnalytics {
        LeadChannelAnalytics(self.0.email)
    }
}

/// One checklist item of a lead, as the lead shows it.
pub struct ChecklistItemAnalytics<'a>(&'a domain::ChecklistFigure);

#[Object]
impl ChecklistItemAnalytics<'_> {
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn required(&self) -> bool {
        self.0.required
    }
    async fn status(&self) -> ChecklistItemStatus {
        self.0.status.into()
    }
    async fn value(&self) -> Option<Json<Value>> {
        self.0.value.clone().map(Json)
    }
    /// When the lead's item last changed; null when it never did.
    async fn updated_at(&self) -> Option<DateTime> {
        opt(self.0.updated_at)
    }
    /// Who set the item: not recorded by leadgate, always null.
    async fn source(&self) -> Option<&str> {
        self.0.source
    }
}

/// One lead of the breakdown.
pub struct LeadAnalytics<'a>(&'a domain::LeadFigures);

#[Object]
impl LeadAnalytics<'_> {
    async fn lead_id(&self) -> async_graphql::ID {
        async_graphql::ID(self.0.lead_id.to_string())
    }
    async fn first_name(&self) -> &str {
        &self.0.first_name
    }
    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn phone_number(&self) -> Option<&str> {
        self.0.phone_number.as_deref()
    }
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    async fn completed_at(&self) -> Option<DateTime> {
        opt(self.0.completed_at)
    }
    async fn opted_out_at(&self) -> Option<DateTime> {
        opt(self.0.opted_out_at)
    }
    async fn total_messages(&self) -> i64 {
        self.0.total_messages
    }
    async fn inbound_messages(&self) -> i64 {
        self.0.inbound_messages
    }
    async fn outbound_messages(&self) -> i64 {
        self.0.outbound_messages
    }
    async fn last_inbound_at(&self) -> Option<DateTime> {
        opt(self.0.last_inbound_at)
    }
    async fn last_outbound_at(&self) -> Option<DateTime> {
        opt(self.0.last_outbound_at)
    }
    async fn channels(&self) -> LeadChannelsAnalytics {
        LeadChannelsAnalytics(self.0.channels)
    }
    async fn checklist(&self) -> Vec<ChecklistItemAnalytics<'_>> {
        self.0
            .checklist
            .iter()
            .map(ChecklistItemAnalytics)
            .collect()
    }
}

/// The `analytics` query: checks the arguments, then the one domain call.
pub(crate) async fn resolve(
    ctx: &async_graphql::Context<'_>,
    start: DateTime,
    end: DateTime,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<Analytics> {
    use crate::error::Error;
    use crate::graphql::{context::caller, errors::GqlResult};
    let caller = caller(ctx)?;
    let db = ctx.data::<sea_orm::DatabaseConnection>()?;
    let range = domain::Range::new(start.0, end.0).gql()?;
    let size = match first {
        None => domain::PAGE_SIZE,
        Some(n) if n >= 1 && n as u64 <= domain::PAGE_SIZE => n as u64,
        Some(_) => {
            return Err(Error::bad_input(
                "first",
                format!("must be between 1 and {}", domain::PAGE_SIZE),
            ))
            .gql();
        }
    };
    let token = after
        .as_deref()
        .map(|text| domain::Token::decode("after", text, &range))
        .transpose()
        .gql()?;
    let report = domain::report(db, &caller.principal, range, token.as_ref(), size)
        .await
        .gql()?;
    Ok(Analytics(report))
}
