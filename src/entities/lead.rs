use sea_orm::entity::prelude::*;

use super::enums::{AssigneeType, LeadStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    /// Lower-cased full name: what ordering by name sorts on.
    pub sort_name: String,
    /// As given, trimmed, domain lower-cased.
    pub email: Option<String>,
    /// The whole email lower-cased: what matching compares.
    pub email_key: Option<String>,
    /// E.164 when parseable, else as given.
    pub phone_number: Option<String>,
    /// E.164 only when the number is valid: what matching compares.
    pub phone_e164: Option<String>,
    pub business_name: Option<String>,
    pub website: Option<String>,
    pub external_lead_id: Option<String>,
    pub external_portal_link: Option<String>,
    pub timezone: Option<String>,
    pub assignee_type: AssigneeType,
    pub status: LeadStatus,
    pub source: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub activity_summary: Option<String>,
    pub did_opt_out: bool,
    pub opt_out_at: Option<DateTimeUtc>,
    pub email_verified_at: Option<DateTimeUtc>,
    pub phone_verified_at: Option<DateTimeUtc>,
    pub is_test: bool,
    /// When the lead's checklist first became complete.
    pub submitted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
