//! Who may introspect the schema: callers with a valid key, unless the server turned it
//! off for everyone (`--disable-introspection`). async-graphql's own switch answers
//! `__schema: null` without a word; this extension refuses such a document before it
//! runs, with `INTROSPECTION_DISABLED` and the reason. (`__typename` is not schema
//! introspection and stays.)

use std::sync::Arc;

use async_graphql::{
    ServerResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use super::limits::refusal;

/// Refuses documents selecting `__schema` or `__type`, saying `.0`.
pub struct Refuse(pub &'static str);

impl ExtensionFactory for Refuse {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RefuseExtension(self.0))
    }
}

struct RefuseExtension(&'static str);

#[async_graphql::async_trait::async_trait]
impl Extension for RefuseExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let introspects = document
            .operations
            .iter()
            .any(|(_, op)| introspects(&op.node.selection_set.node))
            || document
                .fragments
                .values()
                .any(|f| introspects(&f.node.selection_set.node));
        if introspects {
            return Err(refusal("INTROSPECTION_DISABLED", self.0.to_owned()));
        }
        Ok(document)
    }
}

fn introspects(set: &SelectionSet) -> bool {
    set.items.iter().any(|selection| match &selection.node {
        Selection::Field(field) => {
            matches!(field.node.name.node.as_str(), "__schema" | "__type")
                || introspects(&field.node.selection_set.node)
        }
        Selection::InlineFragment(inline) => introspects(&inline.node.selection_set.node),
        Selection::FragmentSpread(_) => false,
    })
}
