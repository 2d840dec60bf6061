//! The demo workspace `leadgate serve --demo` seeds: the documented checklist template and
//! two leads that match each other. Seeding is idempotent; each start mints a fresh demo
//! key and revokes the previous ones, since keys are stored only as hashes.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::entities::{api_key, enums::ApiKeyMode, lead, workspace};
use crate::error::Result;

use super::{
    auth::{self, IssuedKey, Principal},
    checklist::import,
    clock,
    lead_input::{ChecklistUpdate, LeadInput, Patch},
    leads, workspaces,
};

pub const DEMO_WORKSPACE: &str = "leadgate demo";
pub const DEMO_TEMPLATE: &str = include_str!("../../demo/checklist.json");

/// Seeds the demo workspace if missing and returns it with a fresh live key.
pub async fn seed<C: crate::domain::writers::Store>(
    db: &C,
) -> Result<(workspace::Model, IssuedKey)> {
    let existing = workspace::Entity::find()
        .filter(workspace::Column::Name.eq(DEMO_WORKSPACE))
        .one(db)
        .await?;
    let (workspace, fresh) = match existing {
        Some(ws) => (ws, false),
        None => (workspaces::create(db, DEMO_WORKSPACE).await?, true),
    };
    if fresh {
        import::replace(db, workspace.id, &import::parse(DEMO_TEMPLATE)?).await?;
    }
    api_key::Entity::update_many()
        .col_expr(
            api_key::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(clock::now()),
        )
        .filter(api_key::Column::WorkspaceId.eq(workspace.id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    let key = auth::issue(db, workspace.id, ApiKeyMode::Live).await?;
    if fresh {
        let principal = Principal {
            workspace_id: workspace.id,
            api_key_id: key.id,
            mode: ApiKeyMode::Live,
            default_region: workspace.default_region.clone(),
        };
        for lead in demo_leads() {
            leads::create(db, &principal, &lead).await?;
        }
    }

    Ok((workspace, key))
}

/// The oldest lead of the demo workspace that is not deleted: what GraphiQL's example
/// lead query starts with.
pub async fn sample_lead<C: ConnectionTrait>(db: &C, workspace_id: Uuid) -> Result<Option<Uuid>> {
    let id = lead::Entity::find()
        .select_only()
        .column(lead::Column::Id)
        .filter(lead::Column::WorkspaceId.eq(workspace_id))
        .filter(lead::Column::DeletedAt.is_null())
        .order_by_asc(lead::Column::CreatedAt)
        .order_by_asc(lead::Column::Id)
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    Ok(id)
}

fn demo_leads() -> Vec<LeadInput> {
    let text = |value: &str| Patch::Set(value.to_owned());
    vec![
        LeadInput {
            first_name: text("Jane"),
            last_name: text("Roe"),
            email: text("jane@example.com"),
            phone_number: text("(678) 231-9992"),
            business_name: text("Roe Logistics"),
            tags: Patch::Set(vec!["demo".into()]),
            ..LeadInput::default()
        },
        LeadInput {
            first_name: text("John"),
            last_name: text("Doe"),
            email: text("john@example.com"),
            phone_number: text("6782319992"),
            business_name: text("Pacific Coast Container Haulers"),
            tags: Patch::Set(vec!["Demo".into()]),
            checklist_items: vec![ChecklistUpdate {
                code: "business_name".into(),
                value: Some(serde_json::json!("Pacific Coast Container Haulers")),
                status: None,
                alternate_values: None,
            }],
            ..LeadInput::default()
        },
    ]
}
