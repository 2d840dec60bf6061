//! Operation limits, checked before anything executes, each refusing with its own code
//! (`extensions.code`), never by matching async-graphql's message text:
//!
//! | limit | code | checked |
//! |---|---|---|
//! | query text bytes | `MAX_QUERY_SIZE_LIMIT` | before parsing |
//! | aliases in the document (fragments included) | `MAX_ALIASES_LIMIT` | after parsing |
//! | root fields after fragment expansion | `MAX_ROOT_FIELDS_LIMIT` | after parsing |
//! | depth (fields on the longest path) | `MAX_DEPTH_LIMIT` | after validation |
//! | complexity (list fields × their page) | `MAX_COMPLEXITY_LIMIT` | after validation |
//!
//! Depth and complexity are async-graphql's own numbers (its validation computes them
//! for every document), compared here so the refusal carries a code. Complexity counts a
//! field as 1 plus its children, and a list field as its page size times its children
//! (`cost` below), so a nested list of lists costs what it would return. JSON batches are limited
//! in the HTTP handler (`MAX_BATCH_SIZE_LIMIT`), which sees the whole batch.

use std::collections::HashSet;

use async_graphql::{
    ServerError, ServerResult, ValidationResult,
    parser::types::{ExecutableDocument, FragmentDefinition, Selection, SelectionSet},
};

/// The limits of one server; see README "Security" for the defaults and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Fields on the longest path. Default 15: GraphiQL's introspection query is 15.
    pub depth: usize,
    /// Cost of the whole document, lists counted by their page. Default 1000.
    pub complexity: usize,
    /// Aliased fields written in the document, fragments included. Default 30.
    pub aliases: usize,
    /// Distinct root fields of an operation once fragments are expanded. Default 10.
    pub root_fields: usize,
    /// Operations in one JSON batch. Default 10.
    pub batch_size: usize,
    /// Bytes of query text. Default 32 KiB.
    pub query_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            depth: 15,
            complexity: 1000,
            aliases: 30,
            root_fields: 10,
            batch_size: 10,
            query_bytes: 32 * 1024,
        }
    }
}

/// Marks a request leadgate builds itself (the REST face's fixed read of a lead): its
/// query is ours, not the client's, so the limits do not apply to it.
pub struct OwnQuery;

/// A refusal with its code (`extensions.code`).
pub fn refusal(code: &'static str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

impl Limits {
    /// The query text's size, checked before it is parsed.
    pub fn check_size(&self, query: &str) -> ServerResult<()> {
        if query.len() > self.query_bytes {
            return Err(refusal(
                "MAX_QUERY_SIZE_LIMIT",
                format!(
                    "the query text may be at most {} bytes, this one is {}",
                    self.query_bytes,
                    query.len()
                ),
            ));
        }
        Ok(())
    }

    /// Depth and complexity, from async-graphql's validation of the document.
    pub fn check_validated(&self, result: &ValidationResult) -> Result<(), Vec<ServerError>> {
        if result.depth > self.depth {
            return Err(vec![refusal(
                "MAX_DEPTH_LIMIT",
                format!(
                    "the query may nest at most {} fields deep, this one nests {}",
                    self.depth, result.depth
                ),
            )]);
        }
        if result.complexity > self.complexity {
            return Err(vec![refusal(
                "MAX_COMPLEXITY_LIMIT",
                format!(
                    "the query may cost at most {}, this one costs {} (a list field counts \
                     its page size, `first` or `limit`, times its selection)",
                    self.complexity, result.complexity
                ),
            )]);
        }
        Ok(())
    }

    /// The limits that need only the parsed document: aliases and root fields.
    pub fn check_document(&self, document: &ExecutableDocument) -> ServerResult<()> {
        let aliases: usize = document
            .operations
            .iter()
            .map(|(_, op)| aliases_in(&op.node.selection_set.node))
            .chain(
                document
                    .fragments
                    .values()
                    .map(|f| aliases_in(&f.node.selection_set.node)),
            )
            .sum();
        if aliases > self.aliases {
            return Err(refusal(
                "MAX_ALIASES_LIMIT",
                format!(
                    "a document may hold at most {} aliases, this one holds {aliases}",
                    self.aliases
                ),
            ));
        }
        for (_, operation) in document.operations.iter() {
            let mut keys = HashSet::new();
            let mut seen = HashSet::new();
            root_keys(
                &operation.node.selection_set.node,
                &document.fragments,
                &mut seen,
                &mut keys,
            );
            if keys.len() > self.root_fields {
                return Err(refusal(
                    "MAX_ROOT_FIELDS_LIMIT",
                    format!(
                        "an operation may select at most {} root fields, this one selects {}",
                        self.root_fields,
                        keys.len()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Aliased fields written in a selection set, at any depth (fragment spreads are counted
/// where their fragment is defined).
fn aliases_in(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|selection| match &selection.node {
            Selection::Field(field) => {
                usize::from(field.node.alias.is_some()) + aliases_in(&field.node.selection_set.node)
            }
            Selection::InlineFragment(inline) => aliases_in(&inline.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

/// The response keys (alias or name) a root selection set executes, fragments expanded:
/// repeated keys merge into one field, as GraphQL executes them. `seen` stops fragment
/// cycles (validation refuses them later).
fn root_keys<'d>(
    set: &'d SelectionSet,
    fragments: &'d std::collections::HashMap<
        async_graphql::Name,
        async_graphql::Positioned<FragmentDefinition>,
    >,
    seen: &mut HashSet<&'d str>,
    keys: &mut HashSet<&'d str>,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                keys.insert(field.node.response_key().node.as_str());
            }
            Selection::InlineFragment(inline) => {
                root_keys(&inline.node.selection_set.node, fragments, seen, keys);
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                if seen.insert(name)
                    && let Some(fragment) = fragments.get(name)
                {
                    root_keys(&fragment.node.selection_set.node, fragments, seen, keys);
                }
            }
        }
    }
}

/// Complexity of list fields, used by the schema's `complexity` attributes: a list costs
/// its page size times its selection's (as in `leads(first: 100) { edges { node {
/// matchingLeads { id } } } }`: 100 × (1 + 1 + 100 × 1) = 10200).
pub mod cost {
    use crate::domain::{leads::list, matching, timeline};

    /// Where a list's cost stops growing: far past any limit, and low enough that
    /// async-graphql's own unchecked sums over a document's fields (at most a few
    /// thousand in 32 KiB) cannot overflow. Saturating at `usize::MAX` did: the next
    /// `+ 1` panicked (debug) or wrapped to a tiny cost (release), so ten nested
    /// `matchingLeads` passed the complexity limit.
    const CEILING: usize = 1 << 40;

    fn times(size: u64, child_complexity: usize) -> usize {
        usize::try_from(size)
            .unwrap_or(usize::MAX)
            .saturating_mul(child_complexity)
            .min(CEILING)
    }

    fn clamp(n: i32, max: u64) -> u64 {
        u64::try_from(n).unwrap_or(0).min(max)
    }

    /// `leads(first, last)`: the page asked for (20 when neither is given, at most 100).
    pub fn page(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
        let size = last
            .or(first)
            .map_or(list::DEFAULT_PAGE, |n| clamp(n, list::MAX_PAGE));
        times(size, child_complexity)
    }

    /// `actionLogs(limit)`: the limit (100 when absent, at most 100).
    pub fn action_logs(limit: Option<i32>, child_complexity: usize) -> usize {
        let size = limit.map_or(timeline::MAX_LOGS, |n| clamp(n, timeline::MAX_LOGS));
        times(size, child_complexity)
    }

    /// `webhookDeliveries(first)`: the page (50 by default, at most 100).
    pub fn deliveries(first: i32, child_complexity: usize) -> usize {
        let size = clamp(first, crate::domain::webhooks::deliveries::MAX_PAGE);
        times(size, child_complexity)
    }

    /// `matchingLeads`: its cap, 100.
    pub fn matching_leads(child_complexity: usize) -> usize {
        times(matching::MAX_MATCHES as u64, child_complexity)
    }
}
