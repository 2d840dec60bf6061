//! Write entry points: thin adapters from GraphQL input to domain calls.

mod documents;
mod intake;
mod leads;
mod timeline;

use async_graphql::MergedObject;

pub use leads::{ChecklistItemInput, CreateLeadInput};

#[derive(MergedObject, Default)]
pub struct Mutation(
    leads::LeadMutations,
    timeline::TimelineMutations,
    documents::DocumentMutations,
    intake::IntakeMutations,
    crate::graphql::webhooks::WebhookMutations,
);
