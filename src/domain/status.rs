//! A lead's status: computed from its checklist unless set by hand.
//!
//! `OPTED_OUT` follows `didOptOut`; `COMPLETED` means every required item the lead shows is
//! COMPLETED or SKIPPED; `IN_PROGRESS` otherwise. `NOT_INTERESTED` and `REVIEW` are set by
//! people and stay until another update changes them; so does a status set explicitly.

use std::collections::HashMap;

use uuid::Uuid;

use crate::entities::{enums::LeadStatus, lead_checklist_item};

use super::checklist::{Template, view};

/// The status the checklist implies.
pub fn from_checklist(
    template: &Template,
    entries: &HashMap<Uuid, lead_checklist_item::Model>,
) -> LeadStatus {
    if view::is_complete(template, entries) {
        LeadStatus::Completed
    } else {
        LeadStatus::InProgress
    }
}

/// Whether a checklist change may move this status (the computed ones only).
pub fn follows_checklist(status: LeadStatus) -> bool {
    matches!(status, LeadStatus::InProgress | LeadStatus::Completed)
}

/// Statuses a client may set (REVIEW is for reviewers).
pub fn settable(status: LeadStatus) -> bool {
    !matches!(status, LeadStatus::Review)
}
