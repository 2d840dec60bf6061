//! Who may introspect the schema: callers with a valid key, unless the server turned it
//! off for everyone (`--disable-introspection`). async-graphql's own switch answers
//! `__schema: null` without a word; `refuse` (run by `gate`) refuses such a document before it
//! runs, with `INTROSPECTION_DISABLED` and the reason. (`__typename` is not schema
//! introspection and stays.)

use async_graphql::{
    ServerResult,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use super::limits::refusal;

/// Refuses a document selecting `__schema` or `__type`, saying `reason`.
pub fn refuse(document: &ExecutableDocument, reason: &'static str) -> ServerResult<()> {
    let introspects = document
        .operations
        .iter()
        .any(|(_, op)| introspects(&op.node.selection_set.node))
        || document
            .fragments
            .values()
            .any(|f| introspects(&f.node.selection_set.node));
    if introspects {
        return Err(refusal("INTROSPECTION_DISABLED", reason.to_owned()));
    }
    Ok(())
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
