//! The closed sets of values stored as strings (portable across SQLite and PostgreSQL).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        pub enum $name {
            $(
                #[sea_orm(string_value = $value)]
                #[serde(rename = $value)]
                $variant,
            )+
        }

        impl $name {
            /// The stored (and serialised) spelling.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $value,)+ }
            }

            /// Parses the stored spelling; `None` for anything else.
            pub fn parse(value: &str) -> Option<Self> {
                match value { $($value => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

string_enum!(
    /// Who works a lead.
    AssigneeType { AiAgent = "AI_AGENT", HumanAgent = "HUMAN_AGENT" }
);
string_enum!(
    /// Where a lead is in its lifecycle.
    LeadStatus {
        InProgress = "IN_PROGRESS",
        Completed = "COMPLETED",
        Review = "REVIEW",
        NotInterested = "NOT_INTERESTED",
        OptedOut = "OPTED_OUT",
    }
);
string_enum!(
    /// The state of one checklist item of one lead.
    ChecklistItemStatus {
        Todo = "TODO",
        Completed = "COMPLETED",
        Invalid = "INVALID",
        Skipped = "SKIPPED",
        NeedsReview = "NEEDS_REVIEW",
    }
);
string_enum!(
    /// The kind of value a checklist item holds; the last four hold documents.
    FieldType {
        Text = "TEXT",
        Number = "NUMBER",
        Date = "DATE",
        Email = "EMAIL",
        Phone = "PHONE",
        Select = "SELECT",
        Ein = "EIN",
        File = "FILE",
        BankStatement = "BANK_STATEMENT",
        Id = "ID",
        TaxReturn = "TAX_RETURN",
    }
);
string_enum!(
    /// What an action-log entry records.
    ActionLogType {
        ApiActivity = "API_ACTIVITY",
        Message = "MESSAGE",
        FollowUpMessage = "FOLLOW_UP_MESSAGE",
        ToolCall = "TOOL_CALL",
        ManualUpdate = "MANUAL_UPDATE",
        SystemNote = "SYSTEM_NOTE",
        DocumentUpload = "DOCUMENT_UPLOAD",
        PortalUpdate = "PORTAL_UPDATE",
        PortalSubmission = "PORTAL_SUBMISSION",
    }
);
string_enum!(
    /// Where an action-log entry is in its lifecycle.
    ActionLogStatus {
        Pending = "PENDING",
        AwaitingApproval = "AWAITING_APPROVAL",
        Completed = "COMPLETED",
        Cancelled = "CANCELLED",
        Failed = "FAILED",
    }
);
string_enum!(
    /// How a message travels.
    MessageChannel { Email = "EMAIL", Sms = "SMS" }
);
string_enum!(
    /// Whether a message came from the lead or went to it.
    MessageDirection { Inbound = "INBOUND", Outbound = "OUTBOUND" }
);
string_enum!(
    /// Live keys create real leads; test keys create test leads.
    ApiKeyMode { Live = "live", Test = "test" }
);

impl FieldType {
    /// File-type items collect documents rather than a value.
    pub fn holds_documents(self) -> bool {
        matches!(
            self,
            Self::File | Self::BankStatement | Self::Id | Self::TaxReturn
        )
    }
}
