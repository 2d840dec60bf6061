//! Answers follow the query: every object of the response lists its fields in the order
//! the query selected them (GraphQL spec, "Objects": ordered by their first appearance,
//! fragments expanded in place), whatever order the resolvers finished in.
//!
//! async-graphql 7.2.1 resolves a selection set's fields concurrently (FuturesUnordered)
//! and inserts each into the object as it completes (its issue #612), so fields behind
//! loaders (an action log's `tool`, `messages`, `documents`) came back in any order. The
//! fix is at the end of execution, inside the schema, so GraphQL and the REST face (which
//! reads through the schema) both get it: this extension keeps the parsed document and,
//! once the operation has run, re-lays each object of `data` in selection order. That
//! keeps the concurrency (loaders still batch across sibling fields) and touches no
//! resolver; the cost is one walk over the answer, linear in its size. (Patching
//! async-graphql's resolver to collect in order would mean forking the crate.)
//!
//! leadgate's schema has no interfaces or unions, so a fragment's type condition always
//! names the object it is spread in, and collecting keys without looking at type
//! conditions gives exactly the spec's order.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use async_graphql::{
    Name, Positioned, Response, ServerResult, Value, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextSubscribe,
    },
    futures_util::stream::{BoxStream, StreamExt},
    indexmap::IndexMap,
    parser::types::{
        ExecutableDocument, FragmentDefinition, OperationDefinition, OperationType, Selection,
        SelectionSet,
    },
};

/// Installs the extension (one instance per request holds that request's document).
pub struct FieldOrder;

impl ExtensionFactory for FieldOrder {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(FieldOrderExtension::default())
    }
}

#[derive(Default)]
struct FieldOrderExtension {
    document: Arc<Mutex<Option<Arc<ExecutableDocument>>>>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for FieldOrderExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        // Once parsed, the text's document is in the process's memo (`parse_cache`, the
        // innermost hook, put it there): share that one rather than copy this one.
        let kept = super::parse_cache::lookup(query).unwrap_or_else(|| Arc::new(document.clone()));
        *self.document.lock().expect("document slot") = Some(kept);
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        let document = self.document.lock().expect("document slot").take();
        if let Some(document) = document {
            let operation = match operation_name {
                Some(name) => document
                    .operations
                    .iter()
                    .find(|(n, _)| n.is_some_and(|n| n.as_str() == name)),
                None => document.operations.iter().next(),
            };
            relay(&mut response, operation.map(|(_, op)| op), &document);
        }
        response
    }

    /// A subscription's events, each re-laid like a query's answer (async-graphql runs
    /// no `execute` for them). The document is parsed inside the stream, before its first
    /// event, so it is there when events come.
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let document = self.document.clone();
        next.run(ctx, stream)
            .map(move |mut response| {
                if let Some(document) = &*document.lock().expect("document slot") {
                    // The request's operation name is not known here: the document's
                    // subscription, when it holds only one, is the one that runs.
                    let mut subscriptions = document
                        .operations
                        .iter()
                        .filter(|(_, op)| op.node.ty == OperationType::Subscription);
                    if let (Some((_, op)), None) = (subscriptions.next(), subscriptions.next()) {
                        relay(&mut response, Some(op), document);
                    }
                }
                response
            })
            .boxed()
    }
}

/// Re-lays the answer to `operation` of `document` in selection order.
fn relay(
    response: &mut Response,
    operation: Option<&Positioned<OperationDefinition>>,
    document: &ExecutableDocument,
) {
    if let Some(operation) = operation {
        follow(
            &mut response.data,
            &[&operation.node.selection_set.node],
            &document.fragments,
        );
    }
}

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

/// The response keys of a selection, in order, each with its fields' selection sets.
type Order<'d> = IndexMap<&'d str, Vec<&'d SelectionSet>>;

/// Re-lays `value` (the answer to the merged selection sets `sets`) in selection order.
/// A selection's order is worked out once for all the items of a list (20 action logs
/// share one), and an object already in order (most are) is only walked, not rebuilt.
fn follow(value: &mut Value, sets: &[&SelectionSet], fragments: &Fragments) {
    if !matches!(value, Value::List(_) | Value::Object(_)) {
        return;
    }
    let order = order_of(sets, fragments);
    lay(value, &order, fragments);
}

fn order_of<'d>(sets: &[&'d SelectionSet], fragments: &'d Fragments) -> Order<'d> {
    let mut order = Order::new();
    let mut spread = HashSet::new();
    for set in sets {
        collect(set, fragments, &mut spread, &mut order);
    }
    order
}

fn lay(value: &mut Value, order: &Order<'_>, fragments: &Fragments) {
    match value {
        Value::List(items) => {
            for item in items {
                lay(item, order, fragments);
            }
        }
        Value::Object(object) => {
            let in_order = object.len() == order.len()
                && object
                    .keys()
                    .zip(order.keys())
                    .all(|(a, b)| a.as_str() == *b);
            if in_order {
                for (field, subsets) in object.values_mut().zip(order.values()) {
                    follow(field, subsets, fragments);
                }
                return;
            }
            let mut unordered = std::mem::take(object);
            for (key, subsets) in order {
                if let Some((name, mut field)) = unordered.shift_remove_entry(*key) {
                    follow(&mut field, subsets, fragments);
                    object.insert(name, field);
                }
            }
            // Nothing should be left; if something is, it keeps its place at the end.
            object.extend(unordered);
        }
        _ => {}
    }
}

/// The response keys of a selection set in first-appearance order, fragments expanded,
/// each with the selection sets of every field answering under it (merged, as GraphQL
/// executes them).
fn collect<'d>(
    set: &'d SelectionSet,
    fragments: &'d Fragments,
    spread: &mut HashSet<&'d str>,
    order: &mut IndexMap<&'d str, Vec<&'d SelectionSet>>,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => order
                .entry(field.node.response_key().node.as_str())
                .or_default()
                .push(&field.node.selection_set.node),
            Selection::InlineFragment(inline) => {
                collect(&inline.node.selection_set.node, fragments, spread, order);
            }
            Selection::FragmentSpread(name) => {
                let name = name.node.fragment_name.node.as_str();
                if spread.insert(name)
                    && let Some(fragment) = fragments.get(name)
                {
                    collect(&fragment.node.selection_set.node, fragments, spread, order);
                }
            }
        }
    }
}
