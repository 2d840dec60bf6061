//! The checklist: a workspace's template (groups of items, in order) and each lead's
//! values for it.

pub mod conditions;
pub mod import;
pub mod one_off;
pub mod updates;
pub mod value;
pub mod view;

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, FromQueryResult, IdenStatic, Iterable,
    JoinType, Statement, TryGetError,
    sea_query::{Alias, Expr, ExprTrait, IntoColumnRef, IntoCondition, Order, Query},
};
use uuid::Uuid;

use crate::domain::sql;
use crate::entities::{
    checklist_group, checklist_item, enums::ChecklistItemStatus, lead_checklist_item,
};
use crate::error::Result;

/// A workspace's checklist template, in template order.
#[derive(Debug, Clone, Default)]
pub struct Template {
    pub groups: Vec<TemplateGroup>,
}

#[derive(Debug, Clone)]
pub struct TemplateGroup {
    pub group: checklist_group::Model,
    pub items: Vec<checklist_item::Model>,
}

/// Which rows a template read takes: the workspace template, and the one-off groups and
/// items of these leads.
fn owned_by(backend: DbBackend, lead_column: impl ColumnTrait, lead_ids: &[Uuid]) -> Condition {
    let template = lead_column.is_null().into_condition();
    if lead_ids.is_empty() {
        template
    } else {
        Condition::any().add(template).add(sql::is_in(
            backend,
            lead_column,
            lead_ids.iter().copied(),
        ))
    }
}

impl Template {
    /// Loads the workspace template in one statement.
    pub async fn load(db: &impl ConnectionTrait, workspace_id: Uuid) -> Result<Self> {
        Self::load_with_one_offs(db, workspace_id, &[]).await
    }

    /// Loads the workspace template plus the one-off groups and items of `lead_ids`, in one
    /// statement. Use `for_lead` to see one lead's checklist.
    pub async fn load_with_one_offs(
        db: &impl ConnectionTrait,
        workspace_id: Uuid,
        lead_ids: &[Uuid],
    ) -> Result<Self> {
        Self::read(db, workspace_id, lead_ids, false).await
    }

    /// Like `load_with_one_offs`, inside a write transaction: on PostgreSQL the workspace's
    /// template lock is taken shared first (one statement more), so a template import cannot
    /// change or delete an item this write relies on before it commits (SQLite's write lock
    /// already serialises them).
    pub async fn load_for_write(
        db: &impl ConnectionTrait,
        workspace_id: Uuid,
        lead_ids: &[Uuid],
    ) -> Result<Self> {
        Self::read(db, workspace_id, lead_ids, true).await
    }

    /// Groups left-joined with their items, in template order, in one statement. With
    /// `lock` on PostgreSQL the workspace's template lock is taken shared first (see
    /// [`lock_exclusive`]), in a statement of its own: a statement reads the rows of the
    /// snapshot it started with (READ COMMITTED), so a lock taken inside the reading
    /// statement would let a create that waited for an import read the template from
    /// before it.
    async fn read(
        db: &impl ConnectionTrait,
        workspace_id: Uuid,
        lead_ids: &[Uuid],
        lock: bool,
    ) -> Result<Self> {
        let backend = db.get_database_backend();
        let group = |c| Expr::col((checklist_group::Entity, c));
        let item = |c| Expr::col((checklist_item::Entity, c));
        let mut query = Query::select();
        for c in checklist_group::Column::iter() {
            query.expr_as(group(c), Alias::new(format!("{GROUP}{}", c.as_str())));
        }
        for c in checklist_item::Column::iter() {
            query.expr_as(item(c), Alias::new(format!("{ITEM}{}", c.as_str())));
        }
        let groups = Condition::all()
            .add(group(checklist_group::Column::WorkspaceId).eq(workspace_id))
            .add(owned_by(backend, checklist_group::Column::LeadId, lead_ids));
        if lock {
            lock_shared(db, workspace_id).await?;
        }
        query.from(checklist_group::Entity).cond_where(groups);
        query
            .join(
                JoinType::LeftJoin,
                checklist_item::Entity,
                Condition::all()
                    .add(
                        item(checklist_item::Column::GroupId)
                            .equals((checklist_group::Entity, checklist_group::Column::Id)),
                    )
                    .add(item(checklist_item::Column::WorkspaceId).eq(workspace_id))
                    .add(owned_by(backend, checklist_item::Column::LeadId, lead_ids)),
            )
            .order_by_columns(
                [
                    (checklist_group::Entity, checklist_group::Column::Position).into_column_ref(),
                    (checklist_group::Entity, checklist_group::Column::Id).into_column_ref(),
                    (checklist_item::Entity, checklist_item::Column::Position).into_column_ref(),
                    (checklist_item::Entity, checklist_item::Column::Id).into_column_ref(),
                ]
                .map(|column| (column, Order::Asc)),
            );
        let mut template = Self::default();
        for row in db.query_all_raw(backend.build(&query)).await? {
            let group = checklist_group::Model::from_query_result(&row, GROUP)?;
            if template
                .groups
                .last()
                .is_none_or(|g| g.group.id != group.id)
            {
                template.groups.push(TemplateGroup {
                    group,
                    items: Vec::new(),
                });
            }
            // A group without items comes as one row whose item columns are NULL.
            let item = match checklist_item::Model::from_query_result_nullable(&row, ITEM) {
                Ok(item) => Some(item),
                Err(TryGetError::Null(_)) => None,
                Err(TryGetError::DbErr(err)) => return Err(err.into()),
            };
            if let Some(item) = item
                && let Some(last) = template.groups.last_mut()
            {
                last.items.push(item);
            }
        }
        Ok(template)
    }

    /// The checklist of one lead: the template and that lead's one-off items.
    pub fn for_lead(&self, lead_id: Uuid) -> Self {
        let mine = |owner: Option<Uuid>| owner.is_none_or(|id| id == lead_id);
        Self {
            groups: self
                .groups
                .iter()
                .filter(|g| mine(g.group.lead_id))
                .map(|g| TemplateGroup {
                    group: g.group.clone(),
                    items: g
                        .items
                        .iter()
                        .filter(|i| mine(i.lead_id))
                        .cloned()
                        .collect(),
                })
                .collect(),
        }
    }

    pub fn items(&self) -> impl Iterator<Item = &checklist_item::Model> {
        self.groups.iter().flat_map(|g| g.items.iter())
    }

    pub fn item_by_code(&self, code: &str) -> Option<&checklist_item::Model> {
        self.items().find(|item| item.code == code)
    }
}

/// Column prefixes of the joined template read.
const GROUP: &str = "g_";
const ITEM: &str = "i_";

/// The workspace's template lock (PostgreSQL): creates and updates take it shared before
/// their template read, for their whole transaction; whatever changes or removes the
/// template's rows (an import) takes it exclusive first. So a lead is never written
/// against items an import is changing, without locking the rows themselves: `FOR
/// SHARE` on every template row at every create wrote a lock into each row (a MultiXact
/// once two creates overlapped) on the hottest rows of the database. Two 32-bit keys, a
/// key space apart from the one-key locks of events, duplicates and migrations; the
/// workspace id is folded into the second, so two workspaces may share a key (an import
/// then waits for the other workspace's creates too: rare, and only waiting).
fn lock_key(workspace_id: Uuid) -> (i32, i32) {
    const TEMPLATE: i32 = 0x6c67_7470; // "lgtp"
    let folded = workspace_id.as_bytes().chunks(4).fold(0u32, |acc, chunk| {
        acc ^ u32::from_be_bytes(chunk.try_into().unwrap_or_default())
    });
    (TEMPLATE, folded as i32)
}

/// Takes the workspace's template lock exclusive, until the transaction ends
/// (PostgreSQL; SQLite's write lock already excludes every other writer).
pub async fn lock_exclusive(db: &impl ConnectionTrait, workspace_id: Uuid) -> Result<()> {
    advisory_lock(db, workspace_id, "pg_advisory_xact_lock").await
}

/// Takes it shared, until the transaction ends (PostgreSQL).
async fn lock_shared(db: &impl ConnectionTrait, workspace_id: Uuid) -> Result<()> {
    advisory_lock(db, workspace_id, "pg_advisory_xact_lock_shared").await
}

async fn advisory_lock(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    function: &'static str,
) -> Result<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let (class, key) = lock_key(workspace_id);
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!("SELECT {function}($1, $2)"),
        [class.into(), key.into()],
    ))
    .await?;
    Ok(())
}

/// Names the ids of rows made for a lead's item after the fact (`entry_for`).
const ENTRY_NAMESPACE: Uuid = Uuid::from_u128(0x6c65_6164_6761_7465_2d65_6e74_7279_0001);

/// A lead's row for an item it has none for yet, as TODO with no value. Every lead gets a
/// row per item when it is created and when an import adds items, but a lead created while
/// an import was adding items can miss one: it reads as TODO, and the first update writes
/// it. The id is derived from the lead and the item, so it is the same before and after.
pub fn entry_for(lead_id: Uuid, item_id: Uuid) -> lead_checklist_item::Model {
    let mut name = [0u8; 32];
    name[..16].copy_from_slice(lead_id.as_bytes());
    name[16..].copy_from_slice(item_id.as_bytes());
    lead_checklist_item::Model {
        id: Uuid::new_v5(&ENTRY_NAMESPACE, &name),
        lead_id,
        checklist_item_id: item_id,
        value: None,
        status: ChecklistItemStatus::Todo,
        item_override: None,
        auto_skipped: false,
        alternate_values: None,
        validation_error: None,
        status_before_skip: None,
        updated_at: chrono::DateTime::UNIX_EPOCH,
    }
}
