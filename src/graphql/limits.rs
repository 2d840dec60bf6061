//! Limits async-graphql does not have: at most N root fields (aliases included) per
//! operation, so one request cannot run a mutation a hundred times.

use std::sync::Arc;

use async_graphql::{
    ServerError, ServerResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::{ExecutableDocument, Selection},
};

/// Refuses operations selecting more than `.0` root fields (`MAX_ROOT_FIELDS_LIMIT`).
pub struct RootFieldLimit(pub usize);

impl ExtensionFactory for RootFieldLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RootFieldLimitExtension(self.0))
    }
}

struct RootFieldLimitExtension(usize);

#[async_graphql::async_trait::async_trait]
impl Extension for RootFieldLimitExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        for (_, operation) in document.operations.iter() {
            let roots = operation
                .node
                .selection_set
                .node
                .items
                .iter()
                .filter(|s| matches!(s.node, Selection::Field(_)))
                .count();
            if roots > self.0 {
                return Err(ServerError::new(
                    format!(
                        "an operation may select at most {} root fields, this one selects {roots}",
                        self.0
                    ),
                    None,
                )
                .with_code("MAX_ROOT_FIELDS_LIMIT"));
            }
        }
        Ok(document)
    }
}

trait WithCode {
    fn with_code(self, code: &str) -> Self;
}

impl WithCode for ServerError {
    fn with_code(mut self, code: &str) -> Self {
        self.extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
        self
    }
}
