//! The schema's one async-graphql extension: the checks that need a hook into parsing,
//! validation or execution, run in this order:
//!
//! 1. the query text's size (`limits`), before anything else;
//! 2. parsing, through the memo (`parse_cache`), with out-of-range numbers refused as
//!    bad input (`inputs::out_of_range`);
//! 3. introspection refused where the schema says so (`introspection`);
//! 4. the document kept for the field order of the answer (`order`);
//! 5. NUL characters in variables and literals (`inputs`);
//! 6. aliases and root fields (`limits`);
//! 7. after validation, depth and complexity (`limits`);
//! 8. after execution, the answer re-laid in selection order (`order`).
//!
//! Why one extension rather than one per check: async-graphql runs every field of an
//! answer through the `resolve` hook of every extension the schema has, whether it
//! implements it or not (a boxed future per field and extension, and a registry lookup
//! per field to describe it). With five extensions that was about a tenth of the
//! instructions of a read of one lead (README "Performance"). None of these checks needs
//! the per-field hook.
//!
//! The REST face's own queries (`limits::OwnQuery`) skip the limits, which are the
//! client's, and the internal preview schema has no limits at all.

use std::sync::Arc;

use async_graphql::{
    Response, ServerError, ServerResult, ValidationResult, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextSubscribe,
        NextValidation,
    },
    futures_util::stream::BoxStream,
    parser::types::ExecutableDocument,
};

use super::{
    inputs, introspection,
    limits::{Limits, OwnQuery},
    order, parse_cache,
};

/// What one schema checks.
#[derive(Clone, Copy)]
pub struct Gate {
    /// The client's operation limits (`None`: a schema that only runs leadgate's own
    /// queries).
    pub limits: Option<Limits>,
    /// Why introspection is refused, where it is.
    pub refuse_introspection: Option<&'static str>,
}

impl ExtensionFactory for Gate {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GateExtension {
            gate: *self,
            order: order::Kept::default(),
        })
    }
}

/// One request's gate: the checks, and the document its answer is laid by.
struct GateExtension {
    gate: Gate,
    order: order::Kept,
}

impl GateExtension {
    /// The limits that apply to this request.
    fn limits(&self, ctx: &ExtensionContext<'_>) -> Option<Limits> {
        self.gate
            .limits
            .filter(|_| ctx.data_opt::<OwnQuery>().is_none())
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for GateExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let limits = self.limits(ctx);
        if let Some(limits) = &limits {
            limits.check_size(query)?;
        }
        let document = parse_cache::shared()
            .parse(ctx, query, variables, next)
            .await
            .map_err(inputs::out_of_range)?;
        if let Some(reason) = self.gate.refuse_introspection {
            introspection::refuse(&document, reason)?;
        }
        self.order.keep(query, &document);
        inputs::check(&document, variables)?;
        if let Some(limits) = &limits {
            limits.check_document(&document)?;
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Some(limits) = self.limits(ctx) {
            limits.check_validated(&result)?;
        }
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        self.order.relay(operation_name, &mut response);
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        self.order.relay_events(next.run(ctx, stream))
    }
}
