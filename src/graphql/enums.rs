//! GraphQL faces of the domain's enums (`remote` derives the conversions both ways).

use async_graphql::Enum;

use crate::entities::enums;

/// Who works a lead: an AI agent or a human.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "enums::AssigneeType")]
pub enum AssigneeType {
    AiAgent,
    HumanAgent,
}

/// How a client names the assignee on input: `AGENT` (AI) or `MANUAL` (human).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum AssigneeTypeInput {
    Agent,
    Manual,
}

impl From<AssigneeTypeInput> for enums::AssigneeType {
    fn from(input: AssigneeTypeInput) -> Self {
        match input {
            AssigneeTypeInput::Agent => Self::AiAgent,
            AssigneeTypeInput::Manual => Self::HumanAgent,
        }
    }
}

/// Where a lead is in its lifecycle.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "enums::LeadStatus")]
pub enum LeadStatus {
    InProgress,
    Completed,
    Review,
    NotInterested,
    OptedOut,
}

/// The state of one checklist item of one lead.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "enums::ChecklistItemStatus")]
pub enum ChecklistItemStatus {
    Todo,
    Completed,
    Invalid,
    Skipped,
    NeedsReview,
}

/// The kind of value a checklist item holds; FILE, BANK_STATEMENT, ID and TAX_RETURN hold
/// documents.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "enums::FieldType")]
pub enum FieldType {
    Text,
    Number,
    Date,
    Email,
    Phone,
    Select,
    Ein,
    File,
    BankStatement,
    Id,
    TaxReturn,
}

/// What an action-log entry records.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "enums::ActionLogType")]
pub enum ActionLogType {
    ApiActivity,
    Message,
    FollowUpMessage,
    ToolCall,
    ManualUpdate,
    /// A note the system (or an integration) left on the timeline.
    SystemNote,
    /// Documents were uploaded for the lead.
    DocumentUpload,
    /// The lead changed something in the client portal.
    PortalUpdate,
    /// The lead submitted the client portal.
    PortalSubmission,
}

/// Where an action-log entry is in its lifecycle.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "enums::ActionLogStatus")]
pub enum ActionLogStatus {
    Pending,
    AwaitingApproval,
    Completed,
    Cancelled,
    Failed,
}

/// How a message travels.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "enums::MessageChannel")]
pub enum MessageChannel {
    Email,
    Sms,
}

/// Whether a message came from the lead or went to it.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "enums::MessageDirection")]
pub enum MessageDirection {
    Inbound,
    Outbound,
}

/// What a create does when the lead has the email or phone of a live lead of the
/// workspace: CREATE anyway (the default), SKIP (answer the existing lead), UPDATE (apply
/// the input to it, as updateLead does) or REJECT (DUPLICATE_LEAD with the matching ids).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
#[graphql(remote = "crate::domain::leads::duplicates::OnDuplicate")]
pub enum OnDuplicate {
    #[default]
    Create,
    Skip,
    Update,
    Reject,
}

/// What a create did: CREATED a lead, SKIPPED a duplicate (the existing lead answered) or
/// UPDATED the existing lead.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::leads::Outcome")]
pub enum LeadOutcome {
    Created,
    Skipped,
    Updated,
}
