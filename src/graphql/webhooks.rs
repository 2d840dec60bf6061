//! Webhook endpoints and deliveries over GraphQL: thin adapters over
//! `domain::webhooks`. The signing secret appears only in the payloads of
//! `createWebhookEndpoint` and `rotateWebhookSecret`.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};

use crate::config::Config;
use crate::domain::webhooks::{
    deliveries::{self, DeliveryView},
    dispatch,
    endpoints::{self, EndpointInput},
};
use crate::entities::{webhook_attempt, webhook_endpoint};

use super::{context::caller, errors::GqlResult, query::parse_id, scalars::DateTime};

/// A receiver of the workspace's events.
pub struct WebhookEndpoint(pub webhook_endpoint::Model);

#[Object]
impl WebhookEndpoint {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn url(&self) -> &str {
        &self.0.url
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The event types it receives (`lead.created`, ...).
    async fn events(&self) -> Vec<String> {
        endpoints::event_types(&self.0)
    }
    /// False once disabled (through the API, or after failing deliveries in a row).
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// Why it is disabled.
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }
    /// FAILED deliveries in a row.
    async fn consecutive_failures(&self) -> i32 {
        self.0.consecutive_failures
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

/// An endpoint with its signing secret, shown this once.
#[derive(SimpleObject)]
pub struct WebhookSecretPayload {
    pub endpoint: WebhookEndpoint,
    /// `whsec_<base64>`: verify `webhook-signature` with it (README "Events").
    pub secret: String,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum WebhookDeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

impl WebhookDeliveryStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => dispatch::PENDING,
            Self::Delivered => dispatch::DELIVERED,
            Self::Failed => dispatch::FAILED,
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            dispatch::DELIVERED => Self::Delivered,
            dispatch::FAILED => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// One POST of a delivery.
pub struct WebhookAttempt(webhook_attempt::Model);

#[Object]
impl WebhookAttempt {
    /// 1 for the first attempt (a redelivery starts again at 1).
    async fn number(&self) -> i32 {
        self.0.number
    }
    async fn started_at(&self) -> DateTime {
        DateTime(self.0.started_at)
    }
    async fn duration_ms(&self) -> i64 {
        self.0.duration_ms
    }
    /// The receiver's HTTP status; null when it did not answer.
    async fn status_code(&self) -> Option<i32> {
        self.0.status_code
    }
    /// What went wrong when there was no answer (timeout, refused target, ...).
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
}

/// One event for one endpoint.
pub struct WebhookDelivery(DeliveryView);

#[Object]
impl WebhookDelivery {
    async fn id(&self) -> ID {
        ID(self.0.delivery.id.to_string())
    }
    /// The event's id: the `webhook-id` header, the same on every attempt.
    async fn event_id(&self) -> ID {
        ID(self.0.delivery.event_id.to_string())
    }
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    async fn status(&self) -> WebhookDeliveryStatus {
        WebhookDeliveryStatus::parse(&self.0.delivery.status)
    }
    async fn next_attempt_at(&self) -> Option<DateTime> {
        (self.0.delivery.status == dispatch::PENDING)
            .then_some(DateTime(self.0.delivery.next_attempt_at))
    }
    async fn delivered_at(&self) -> Option<DateTime> {
        self.0.delivery.delivered_at.map(DateTime)
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.delivery.created_at)
    }
    /// Every attempt, oldest first.
    async fn attempts(&self) -> Vec<WebhookAttempt> {
        self.0
            .attempts
            .iter()
            .cloned()
            .map(WebhookAttempt)
            .collect()
    }
}

fn config<'c>(ctx: &Context<'c>) -> Result<&'c Config> {
    ctx.data::<Config>()
}

#[derive(Default)]
pub struct WebhookQueries;

#[Object]
impl WebhookQueries {
    /// The workspace's webhook endpoints, oldest first (never their secrets).
    async fn webhook_endpoints(&self, ctx: &Context<'_>) -> Result<Vec<WebhookEndpoint>> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let list = endpoints::list(db, &caller.principal).await.gql()?;
        Ok(list.into_iter().map(WebhookEndpoint).collect())
    }

    /// An endpoint's deliveries, newest event first, with their attempts; at most 100.
    #[graphql(complexity = "crate::graphql::limits::cost::deliveries(first, child_complexity)")]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        endpoint_id: ID,
        status: Option<WebhookDeliveryStatus>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<WebhookDelivery>> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let id = parse_id("endpointId", &endpoint_id)?;
        let list = deliveries::list(
            db,
            &caller.principal,
            id,
            status.map(WebhookDeliveryStatus::as_str),
            first.max(0) as u64,
        )
        .await
        .gql()?;
        Ok(list.into_iter().map(WebhookDelivery).collect())
    }
}

/// What `updateWebhookEndpoint` changes; absent fields stay.
#[derive(InputObject)]
pub struct UpdateWebhookEndpointInput {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    /// True re-enables a disabled endpoint (its failure count starts again); false
    /// disables it.
    pub enabled: Option<bool>,
}

#[derive(Default)]
pub struct WebhookMutations;

#[Object]
impl WebhookMutations {
    /// Registers a receiver for the listed event types, from now on. The answer holds the
    /// signing secret, shown this once. `url` must be http(s) and, unless the server
    /// allows it, not private, loopback or link-local.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        url: String,
        events: Vec<String>,
        description: Option<String>,
    ) -> Result<WebhookSecretPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let input = EndpointInput {
            url: Some(url),
            events: Some(events),
            description,
            enabled: None,
        };
        let endpoint = endpoints::create(db, &config(ctx)?.webhooks, &caller.principal, &input)
            .await
            .gql()?;
        Ok(WebhookSecretPayload {
            secret: endpoint.secret.clone(),
            endpoint: WebhookEndpoint(endpoint),
        })
    }

    /// Changes an endpoint.
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateWebhookEndpointInput,
    ) -> Result<WebhookEndpoint> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let id = parse_id("id", &id)?;
        let input = EndpointInput {
            url: input.url,
            events: input.events,
            description: input.description,
            enabled: input.enabled,
        };
        let endpoint = endpoints::update(db, &config(ctx)?.webhooks, &caller.principal, id, &input)
            .await
            .gql()?;
        Ok(WebhookEndpoint(endpoint))
    }

    /// Deletes an endpoint and its deliveries; answers it as it was.
    async fn delete_webhook_endpoint(&self, ctx: &Context<'_>, id: ID) -> Result<WebhookEndpoint> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let id = parse_id("id", &id)?;
        Ok(WebhookEndpoint(
            endpoints::delete(db, &caller.principal, id).await.gql()?,
        ))
    }

    /// Replaces an endpoint's signing secret; the answer shows the new one, this once.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<WebhookSecretPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let id = parse_id("id", &id)?;
        let endpoint = endpoints::rotate_secret(db, &caller.principal, id)
            .await
            .gql()?;
        Ok(WebhookSecretPayload {
            secret: endpoint.secret.clone(),
            endpoint: WebhookEndpoint(endpoint),
        })
    }

    /// Sends a FAILED delivery again (a fresh round of attempts).
    async fn redeliver_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let id = parse_id("id", &id)?;
        deliveries::redeliver(db, &caller.principal, id)
            .await
            .gql()?;
        Ok(true)
    }
}
