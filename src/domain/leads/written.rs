//! What a create answers: how it ran (`Options`), what happened to each input
//! (`Outcome`, `Written`), what a dry run found (`Preview`), and what a keyed create did
//! (`Created`).

use std::sync::Arc;

use crate::domain::checklist::Template;
use crate::entities::{idempotency_key, lead, lead_checklist_item};

use super::duplicates::OnDuplicate;

/// How a create (or batch) runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// One refused input refuses the whole batch; nothing is written.
    pub all_or_none: bool,
    pub on_duplicate: OnDuplicate,
    /// Run every check and answer what would happen; write nothing.
    pub dry_run: bool,
}

/// What happened to one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    /// A duplicate under SKIP: the existing lead, unchanged.
    Skipped,
    /// A duplicate under UPDATE: the existing lead with the input applied.
    Updated,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Skipped => "SKIPPED",
            Self::Updated => "UPDATED",
        }
    }
}

/// One input's answer: the lead (as written, or as it would be in a dry run) and what
/// happened to it.
#[derive(Debug, Clone)]
pub struct Written {
    pub lead: lead::Model,
    pub outcome: Outcome,
    /// Set in a dry run only: nothing is stored, so the answer carries what reads would
    /// otherwise find.
    pub preview: Option<Arc<Preview>>,
}

/// What a dry run found for one input.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The template the checklist follows (the workspace's, shared by the batch).
    pub template: Arc<Template>,
    /// Whether the lead exists (SKIP and UPDATE of a stored lead): then what the preview
    /// does not hold (its timeline, an unchanged checklist) is read as usual.
    pub stored: bool,
    /// The checklist rows the lead would have, conditions evaluated (empty for SKIP).
    pub entries: Vec<lead_checklist_item::Model>,
    /// Live leads with the same email or phone, newest first.
    pub matches: Vec<lead::Model>,
}

/// What a create with an Idempotency-Key did.
#[derive(Debug, Clone)]
pub enum Created {
    /// The lead was created, and the key with it (same transaction).
    New(Box<lead::Model>),
    /// The key was already taken by a committed create: nothing was written; the caller
    /// decides from the row (`idempotency::decide`).
    KeyTaken(idempotency_key::Model),
}
