//! Every table behind the GraphQL schema: workspaces and their API keys, the checklist
//! template (groups and items), leads with their tags and checklist values, and the
//! action-log timeline with its messages, tools and documents.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Document::Table.into_iden(),
            Message::Table.into_iden(),
            ActionLog::Table.into_iden(),
            Tool::Table.into_iden(),
            LeadChecklistItem::Table.into_iden(),
            LeadTag::Table.into_iden(),
            Tag::Table.into_iden(),
            ChecklistItem::Table.into_iden(),
            ChecklistGroup::Table.into_iden(),
            Lead::Table.into_iden(),
            ApiKey::Table.into_iden(),
            Workspace::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table(Workspace::Table)
            .col(pk_uuid(Workspace::Id))
            .col(string(Workspace::Name))
            .col(string_len(Workspace::DefaultRegion, 2))
            .col(timestamp_with_time_zone(Workspace::CreatedAt))
            .to_owned(),
        Table::create()
            .table(ApiKey::Table)
            .col(pk_uuid(ApiKey::Id))
            .col(uuid(ApiKey::WorkspaceId))
            .col(string_uniq(ApiKey::Lookup))
            .col(string(ApiKey::SecretHash))
            .col(string(ApiKey::Mode))
            .col(timestamp_with_time_zone(ApiKey::CreatedAt))
            .col(timestamp_with_time_zone_null(ApiKey::RevokedAt))
            .foreign_key(&mut fk(
                ApiKey::Table,
                ApiKey::WorkspaceId,
                Workspace::Table,
                Workspace::Id,
            ))
            .to_owned(),
        Table::create()
            .table(Lead::Table)
            .col(pk_uuid(Lead::Id))
            .col(uuid(Lead::WorkspaceId))
            .col(string(Lead::FirstName))
            .col(string_null(Lead::MiddleName))
            .col(string_null(Lead::LastName))
            .col(string(Lead::SortName))
            .col(string_null(Lead::Email))
            .col(string_null(Lead::EmailKey))
            .col(string_null(Lead::PhoneNumber))
            .col(string_null(Lead::PhoneE164))
            .col(string_null(Lead::BusinessName))
            .col(string_null(Lead::Website))
            .col(string_null(Lead::ExternalLeadId))
            .col(string_null(Lead::ExternalPortalLink))
            .col(string_null(Lead::Timezone))
            .col(string(Lead::AssigneeType))
            .col(string(Lead::Status))
            .col(string(Lead::Source))
            .col(text_null(Lead::ActivitySummary))
            .col(boolean(Lead::DidOptOut))
            .col(timestamp_with_time_zone_null(Lead::OptOutAt))
            .col(timestamp_with_time_zone_null(Lead::EmailVerifiedAt))
            .col(timestamp_with_time_zone_null(Lead::PhoneVerifiedAt))
            .col(boolean(Lead::IsTest))
            .col(timestamp_with_time_zone_null(Lead::SubmittedAt))
            .col(timestamp_with_time_zone(Lead::CreatedAt))
            .col(timestamp_with_time_zone(Lead::UpdatedAt))
            .col(timestamp_with_time_zone_null(Lead::DeletedAt))
            .foreign_key(&mut fk(
                Lead::Table,
                Lead::WorkspaceId,
                Workspace::Table,
                Workspace::Id,
            ))
            .to_owned(),
        Table::create()
            .table(ChecklistGroup::Table)
            .col(pk_uuid(ChecklistGroup::Id))
            .col(uuid(ChecklistGroup::WorkspaceId))
            .col(uuid_null(ChecklistGroup::LeadId))
            .col(string(ChecklistGroup::Name))
            .col(json_binary_null(ChecklistGroup::Conditions))
            .col(integer(ChecklistGroup::Position))
            .foreign_key(&mut fk(
                ChecklistGroup::Table,
                ChecklistGroup::WorkspaceId,
                Workspace::Table,
                Workspace::Id,
            ))
            // One-off groups belong to one lead and go with it.
            .foreign_key(&mut fk(
                ChecklistGroup::Table,
                ChecklistGroup::LeadId,
                Lead::Table,
                Lead::Id,
            ))
            .to_owned(),
        Table::create()
            .table(ChecklistItem::Table)
            .col(pk_uuid(ChecklistItem::Id))
            .col(uuid(ChecklistItem::WorkspaceId))
            .col(uuid(ChecklistItem::GroupId))
            .col(uuid_null(ChecklistItem::LeadId))
            .col(string(ChecklistItem::Code))
            .col(string(ChecklistItem::Label))
            .col(string(ChecklistItem::FieldType))
            .col(boolean(ChecklistItem::IsRequired))
            .col(json_binary_null(ChecklistItem::Conditions))
            .col(json_binary_null(ChecklistItem::Config))
            .col(json_binary_null(ChecklistItem::ValidationRules))
            .col(text_null(ChecklistItem::AgentInstructions))
            .col(text_null(ChecklistItem::ClientInstructions))
            .col(integer(ChecklistItem::Position))
            .foreign_key(&mut fk(
                ChecklistItem::Table,
                ChecklistItem::WorkspaceId,
                Workspace::Table,
                Workspace::Id,
            ))
            .foreign_key(&mut fk(
                ChecklistItem::Table,
                ChecklistItem::GroupId,
                ChecklistGroup::Table,
                ChecklistGroup::Id,
            ))
            .foreign_key(&mut fk(
                ChecklistItem::Table,
                ChecklistItem::LeadId,
                Lead::Table,
                Lead::Id,
            ))
            .to_owned(),
        Table::create()
            .table(Tag::Table)
            .col(pk_uuid(Tag::Id))
            .col(uuid(Tag::WorkspaceId))
            .col(string(Tag::Name))
            .col(string(Tag::NameKey))
            .foreign_key(&mut fk(
                Tag::Table,
                Tag::WorkspaceId,
                Workspace::Table,
                Workspace::Id,
            ))
            .to_owned(),
        Table::create()
            .table(LeadTag::Table)
            .col(uuid(LeadTag::LeadId))
            .col(uuid(LeadTag::TagId))
            .primary_key(Index::create().col(LeadTag::LeadId).col(LeadTag::TagId))
            .foreign_key(&mut fk(
                LeadTag::Table,
                LeadTag::LeadId,
                Lead::Table,
                Lead::Id,
            ))
            .foreign_key(&mut fk(LeadTag::Table, LeadTag::TagId, Tag::Table, Tag::Id))
            .to_owned(),
        Table::create()
            .table(LeadChecklistItem::Table)
            .col(pk_uuid(LeadChecklistItem::Id))
            .col(uuid(LeadChecklistItem::LeadId))
            .col(uuid(LeadChecklistItem::ChecklistItemId))
            .col(json_binary_null(LeadChecklistItem::Value))
            .col(string(LeadChecklistItem::Status))
            .col(json_binary_null(LeadChecklistItem::ItemOverride))
            .col(boolean(LeadChecklistItem::AutoSkipped))
            .col(timestamp_with_time_zone(LeadChecklistItem::UpdatedAt))
            .foreign_key(&mut fk(
                LeadChecklistItem::Table,
                LeadChecklistItem::LeadId,
                Lead::Table,
                Lead::Id,
            ))
            .foreign_key(&mut fk(
                LeadChecklistItem::Table,
                LeadChecklistItem::ChecklistItemId,
                ChecklistItem::Table,
                ChecklistItem::Id,
            ))
            .to_owned(),
        Table::create()
            .table(Tool::Table)
            .col(pk_uuid(Tool::Id))
            .col(uuid(Tool::WorkspaceId))
            .col(string(Tool::Name))
            .col(text_null(Tool::Description))
            .foreign_key(&mut fk(
                Tool::Table,
                Tool::WorkspaceId,
                Workspace::Table,
                Workspace::Id,
            ))
            .to_owned(),
        Table::create()
            .table(ActionLog::Table)
            .col(pk_uuid(ActionLog::Id))
            .col(uuid(ActionLog::WorkspaceId))
            .col(uuid(ActionLog::LeadId))
            .col(string(ActionLog::Type))
            .col(string(ActionLog::Status))
            .col(text(ActionLog::Summary))
            .col(json_binary_null(ActionLog::Changes))
            .col(json_binary_null(ActionLog::ToolInput))
            .col(json_binary_null(ActionLog::ToolOutput))
            .col(uuid_null(ActionLog::ParentActionId))
            .col(uuid_null(ActionLog::ToolId))
            .col(timestamp_with_time_zone(ActionLog::CreatedAt))
            .col(timestamp_with_time_zone_null(ActionLog::ScheduledAt))
            .col(timestamp_with_time_zone_null(ActionLog::CompletedAt))
            .foreign_key(&mut fk(
                ActionLog::Table,
                ActionLog::LeadId,
                Lead::Table,
                Lead::Id,
            ))
            .foreign_key(
                ForeignKey::create()
                    .from(ActionLog::Table, ActionLog::ToolId)
                    .to(Tool::Table, Tool::Id)
                    .on_delete(ForeignKeyAction::SetNull),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(ActionLog::Table, ActionLog::ParentActionId)
                    .to(ActionLog::Table, ActionLog::Id)
                    .on_delete(ForeignKeyAction::SetNull),
            )
            .to_owned(),
        Table::create()
            .table(Message::Table)
            .col(pk_uuid(Message::Id))
            .col(uuid(Message::ActionLogId))
            .col(string(Message::Channel))
            .col(string(Message::Direction))
            .col(text_null(Message::Subject))
            .col(text(Message::Body))
            .col(timestamp_with_time_zone(Message::CreatedAt))
            .foreign_key(&mut fk(
                Message::Table,
                Message::ActionLogId,
                ActionLog::Table,
                ActionLog::Id,
            ))
            .to_owned(),
        Table::create()
            .table(Document::Table)
            .col(pk_uuid(Document::Id))
            .col(uuid(Document::WorkspaceId))
            .col(uuid(Document::LeadId))
            .col(uuid_null(Document::LeadChecklistItemId))
            .col(uuid_null(Document::ActionLogId))
            .col(uuid_null(Document::MessageId))
            .col(string(Document::FileName))
            .col(string(Document::ContentType))
            .col(big_integer(Document::SizeBytes))
            .col(string(Document::StorageKey))
            .col(timestamp_with_time_zone(Document::CreatedAt))
            .foreign_key(&mut fk(
                Document::Table,
                Document::LeadId,
                Lead::Table,
                Lead::Id,
            ))
            .foreign_key(&mut fk(
                Document::Table,
                Document::LeadChecklistItemId,
                LeadChecklistItem::Table,
                LeadChecklistItem::Id,
            ))
            .foreign_key(&mut fk(
                Document::Table,
                Document::ActionLogId,
                ActionLog::Table,
                ActionLog::Id,
            ))
            .foreign_key(&mut fk(
                Document::Table,
                Document::MessageId,
                Message::Table,
                Message::Id,
            ))
            .to_owned(),
    ]
}

fn index(name: &str, table: impl IntoIden) -> IndexCreateStatement {
    Index::create().name(name).table(table).to_owned()
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index("ux_checklist_items_workspace_code", ChecklistItem::Table)
            .col(ChecklistItem::WorkspaceId)
            .col(ChecklistItem::Code)
            .unique()
            .to_owned(),
        index("ix_checklist_groups_workspace", ChecklistGroup::Table)
            .col(ChecklistGroup::WorkspaceId)
            .col(ChecklistGroup::Position)
            .to_owned(),
        // Listing orders: created (default), updated, name; each with id as tie-breaker.
        index("ix_leads_workspace_created", Lead::Table)
            .col(Lead::WorkspaceId)
            .col(Lead::CreatedAt)
            .col(Lead::Id)
            .to_owned(),
        index("ix_leads_workspace_updated", Lead::Table)
            .col(Lead::WorkspaceId)
            .col(Lead::UpdatedAt)
            .col(Lead::Id)
            .to_owned(),
        index("ix_leads_workspace_sort_name", Lead::Table)
            .col(Lead::WorkspaceId)
            .col(Lead::SortName)
            .col(Lead::Id)
            .to_owned(),
        index("ux_tools_workspace_name", Tool::Table)
            .col(Tool::WorkspaceId)
            .col(Tool::Name)
            .unique()
            .to_owned(),
        index("ix_checklist_items_lead", ChecklistItem::Table)
            .col(ChecklistItem::LeadId)
            .to_owned(),
        index("ix_checklist_groups_lead", ChecklistGroup::Table)
            .col(ChecklistGroup::LeadId)
            .to_owned(),
        // Matching leads by email or phone is the hot read of createLead.
        index("ix_leads_workspace_email_key", Lead::Table)
            .col(Lead::WorkspaceId)
            .col(Lead::EmailKey)
            .to_owned(),
        index("ix_leads_workspace_phone_e164", Lead::Table)
            .col(Lead::WorkspaceId)
            .col(Lead::PhoneE164)
            .to_owned(),
        index("ux_tags_workspace_name_key", Tag::Table)
            .col(Tag::WorkspaceId)
            .col(Tag::NameKey)
            .unique()
            .to_owned(),
        index("ix_lead_tags_tag", LeadTag::Table)
            .col(LeadTag::TagId)
            .to_owned(),
        index(
            "ux_lead_checklist_items_lead_item",
            LeadChecklistItem::Table,
        )
        .col(LeadChecklistItem::LeadId)
        .col(LeadChecklistItem::ChecklistItemId)
        .unique()
        .to_owned(),
        index("ix_lead_checklist_items_item", LeadChecklistItem::Table)
            .col(LeadChecklistItem::ChecklistItemId)
            .to_owned(),
        index("ix_action_logs_lead_created", ActionLog::Table)
            .col(ActionLog::LeadId)
            .col(ActionLog::CreatedAt)
            .to_owned(),
        index("ix_action_logs_parent", ActionLog::Table)
            .col(ActionLog::ParentActionId)
            .to_owned(),
        index("ix_messages_action_log", Message::Table)
            .col(Message::ActionLogId)
            .to_owned(),
        index("ix_documents_lead", Document::Table)
            .col(Document::LeadId)
            .to_owned(),
        index("ix_documents_lead_checklist_item", Document::Table)
            .col(Document::LeadChecklistItemId)
            .to_owned(),
        index("ix_documents_action_log", Document::Table)
            .col(Document::ActionLogId)
            .to_owned(),
        index("ix_documents_message", Document::Table)
            .col(Document::MessageId)
            .to_owned(),
        index("ix_api_keys_workspace", ApiKey::Table)
            .col(ApiKey::WorkspaceId)
            .to_owned(),
    ]
}

#[derive(DeriveIden)]
enum Workspace {
    #[sea_orm(iden = "workspaces")]
    Table,
    Id,
    Name,
    DefaultRegion,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiKey {
    #[sea_orm(iden = "api_keys")]
    Table,
    Id,
    WorkspaceId,
    Lookup,
    SecretHash,
    Mode,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum ChecklistGroup {
    #[sea_orm(iden = "checklist_groups")]
    Table,
    Id,
    WorkspaceId,
    LeadId,
    Name,
    Conditions,
    Position,
}

#[derive(DeriveIden)]
enum ChecklistItem {
    #[sea_orm(iden = "checklist_items")]
    Table,
    Id,
    WorkspaceId,
    GroupId,
    LeadId,
    Code,
    Label,
    FieldType,
    IsRequired,
    Conditions,
    Config,
    ValidationRules,
    AgentInstructions,
    ClientInstructions,
    Position,
}

#[derive(DeriveIden)]
enum Lead {
    #[sea_orm(iden = "leads")]
    Table,
    Id,
    WorkspaceId,
    FirstName,
    MiddleName,
    LastName,
    SortName,
    Email,
    EmailKey,
    PhoneNumber,
    PhoneE164,
    BusinessName,
    Website,
    ExternalLeadId,
    ExternalPortalLink,
    Timezone,
    AssigneeType,
    Status,
    Source,
    ActivitySummary,
    DidOptOut,
    OptOutAt,
    EmailVerifiedAt,
    PhoneVerifiedAt,
    IsTest,
    SubmittedAt,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Tag {
    #[sea_orm(iden = "tags")]
    Table,
    Id,
    WorkspaceId,
    Name,
    NameKey,
}

#[derive(DeriveIden)]
enum LeadTag {
    #[sea_orm(iden = "lead_tags")]
    Table,
    LeadId,
    TagId,
}

#[derive(DeriveIden)]
enum LeadChecklistItem {
    #[sea_orm(iden = "lead_checklist_items")]
    Table,
    Id,
    LeadId,
    ChecklistItemId,
    Value,
    Status,
    ItemOverride,
    AutoSkipped,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tool {
    #[sea_orm(iden = "tools")]
    Table,
    Id,
    WorkspaceId,
    Name,
    Description,
}

#[derive(DeriveIden)]
enum ActionLog {
    #[sea_orm(iden = "action_logs")]
    Table,
    Id,
    WorkspaceId,
    LeadId,
    Type,
    Status,
    Summary,
    Changes,
    ToolInput,
    ToolOutput,
    ParentActionId,
    ToolId,
    CreatedAt,
    ScheduledAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum Message {
    #[sea_orm(iden = "messages")]
    Table,
    Id,
    ActionLogId,
    Channel,
    Direction,
    Subject,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Document {
    #[sea_orm(iden = "documents")]
    Table,
    Id,
    WorkspaceId,
    LeadId,
    LeadChecklistItemId,
    ActionLogId,
    MessageId,
    FileName,
    ContentType,
    SizeBytes,
    StorageKey,
    CreatedAt,
}
