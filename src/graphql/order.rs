//! Answers follow the query: every object of the response lists its fields in the order
//! the query selected them (GraphQL spec, "Objects": ordered by their first appearance,
//! fragments expanded in place), whatever order the resolvers finished in.
//!
//! async-graphql 7.2.1 resolves a selection set's fields concurrently (FuturesUnordered)
//! and inserts each into the object as it completes (its issue #612), so fields behind
//! loaders (an action log's `tool`, `messages`, `documents`) came back in any order. The
//! fix is at the end of execution, inside the schema, so GraphQL and the REST face (which
//! reads through the schema) both get it: the schema's one extension (`gate`) keeps the
//! parsed document here and,
//! once the operation has run, re-lays each object of `data` in selection order. That
//! keeps the concurrency (loaders still batch across sibling fields) and touches no
//! resolver; the cost is one walk over the answer, linear in its size. (Patching
//! async-graphql's resolver to collect in order would mean forking the crate.)
//!
//! leadgate's schema has no interfaces or unions, so a fragment's type condition always
//! names the object it is spread in, and collecting keys without looking at type
//! conditions gives exactly the spec's order.

use std::{
    cell::OnceCell,
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use async_graphql::{
    Name, Positioned, Response, Value,
    futures_util::stream::{BoxStream, StreamExt},
    indexmap::IndexMap,
    parser::types::{
        ExecutableDocument, FragmentDefinition, OperationDefinition, OperationType, Selection,
        SelectionSet,
    },
};

/// One request's document, kept from parsing until its answer is laid.
#[derive(Default)]
pub struct Kept {
    document: Arc<Mutex<Option<Arc<ExecutableDocument>>>>,
}

impl Kept {
    /// Keeps the document parsed from `query`. Once parsed, the text's document is in
    /// the process's memo (`parse_cache`): share that one rather than copy this one.
    pub fn keep(&self, query: &str, document: &ExecutableDocument) {
        let kept = super::parse_cache::lookup(query).unwrap_or_else(|| Arc::new(document.clone()));
        *self.document.lock().expect("document slot") = Some(kept);
    }

    /// Re-lays the answer to the operation `operation_name` (or the only one).
    pub fn relay(&self, operation_name: Option<&str>, response: &mut Response) {
        let document = self.document.lock().expect("document slot").take();
        if let Some(document) = document {
            let operation = match operation_name {
                Some(name) => document
                    .operations
                    .iter()
                    .find(|(n, _)| n.is_some_and(|n| n.as_str() == name)),
                None => document.operations.iter().next(),
            };
            relay(response, operation.map(|(_, op)| op), &document);
        }
    }

    /// A subscription's events, each re-laid like a query's answer (async-graphql runs
    /// no `execute` for them). The document is parsed inside the stream, before its first
    /// event, so it is there when events come.
    pub fn relay_events<'s>(&self, events: BoxStream<'s, Response>) -> BoxStream<'s, Response> {
        let document = self.document.clone();
        events
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
        let root = Node::new(vec![&operation.node.selection_set.node]);
        lay(&mut response.data, &root, &document.fragments);
    }
}

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

/// A field of the answer: the selection sets merged under its response key, and the
/// keys of the objects it answers, in order, each with its own node. The keys are worked
/// out the first time an object of this field is laid and then shared by all of them (the
/// 20 action logs of a lead, and each log's `messages`, work theirs out once), and only
/// for the fields the answer holds, so the work is bounded by the answer's size.
struct Node<'d> {
    sets: Vec<&'d SelectionSet>,
    keys: OnceCell<Vec<(&'d str, Node<'d>)>>,
}

impl<'d> Node<'d> {
    fn new(sets: Vec<&'d SelectionSet>) -> Self {
        Self {
            sets,
            keys: OnceCell::new(),
        }
    }

    /// A field without a selection set answers a scalar, an enum or JSON (an object
    /// that is a value, not a selection): nothing under it is re-laid.
    fn is_leaf(&self) -> bool {
        self.sets.iter().all(|set| set.items.is_empty())
    }

    fn keys(&self, fragments: &'d Fragments) -> &[(&'d str, Node<'d>)] {
        self.keys.get_or_init(|| {
            let mut order = IndexMap::new();
            let mut spread = HashSet::new();
            for set in &self.sets {
                collect(set, fragments, &mut spread, &mut order);
            }
            order
                .into_iter()
                .map(|(key, sets)| (key, Node::new(sets)))
                .collect()
        })
    }
}

/// Re-lays `value`, the answer to `node`, in selection order. An object already in order
/// (most are) is only walked, not rebuilt.
fn lay<'d>(value: &mut Value, node: &Node<'d>, fragments: &'d Fragments) {
    match value {
        Value::List(items) => {
            for item in items {
                lay(item, node, fragments);
            }
        }
        Value::Object(object) => {
            let keys = node.keys(fragments);
            let in_order = object.len() == keys.len()
                && object.keys().zip(keys).all(|(a, (b, _))| a.as_str() == *b);
            if in_order {
                for (field, (_, child)) in object.values_mut().zip(keys) {
                    if !child.is_leaf() {
                        lay(field, child, fragments);
                    }
                }
                return;
            }
            let mut unordered = std::mem::take(object);
            for (key, child) in keys {
                if let Some((name, mut field)) = unordered.shift_remove_entry(*key) {
                    if !child.is_leaf() {
                        lay(&mut field, child, fragments);
                    }
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
