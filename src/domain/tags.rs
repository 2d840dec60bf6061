//! Tags: per workspace, case-insensitive, created on first use.

use std::collections::HashMap;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, RelationTrait, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::domain::sql;
use crate::entities::{lead_tag, tag};
use crate::error::Result;

/// Links `names` to a lead, creating the tags that do not exist yet. Concurrent requests
/// creating the same tag are safe: the insert ignores the unique conflict and the
/// follow-up select sees whichever row won. Three statements, none without tags.
pub async fn attach(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    lead_id: Uuid,
    names: &[String],
) -> Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let new_tags = names.iter().zip(&keys).map(|(name, key)| tag::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        name: Set(name.clone()),
        name_key: Set(key.clone()),
    });
    tag::Entity::insert_many(new_tags)
        .on_conflict(
            OnConflict::columns([tag::Column::WorkspaceId, tag::Column::NameKey])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let tag_ids: Vec<Uuid> = tag::Entity::find()
        .select_only()
        .column(tag::Column::Id)
        .filter(tag::Column::WorkspaceId.eq(workspace_id))
        .filter(tag::Column::NameKey.is_in(keys))
        .into_tuple()
        .all(db)
        .await?;
    lead_tag::Entity::insert_many(tag_ids.into_iter().map(|tag_id| lead_tag::ActiveModel {
        lead_id: Set(lead_id),
        tag_id: Set(tag_id),
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The tag names of several leads, alphabetically, in one statement.
pub async fn for_leads(
    db: &impl ConnectionTrait,
    lead_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<String>>> {
    let rows: Vec<(Uuid, String)> = lead_tag::Entity::find()
        .select_only()
        .column(lead_tag::Column::LeadId)
        .column(tag::Column::Name)
        .join(JoinType::InnerJoin, lead_tag::Relation::Tag.def())
        .filter(sql::is_in(
            db.get_database_backend(),
            lead_tag::Column::LeadId,
            lead_ids.iter().copied(),
        ))
        .order_by_asc(tag::Column::NameKey)
        .into_tuple()
        .all(db)
        .await?;
    let mut tags: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (lead_id, name) in rows {
        tags.entry(lead_id).or_default().push(name);
    }
    Ok(tags)
}

/// Replaces a lead's tags with `names` (already validated); returns the names added and
/// removed.
pub async fn replace(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    lead_id: Uuid,
    names: &[String],
) -> Result<(Vec<String>, Vec<String>)> {
    let current = for_leads(db, &[lead_id])
        .await?
        .remove(&lead_id)
        .unwrap_or_default();
    let key = |name: &String| name.to_lowercase();
    let wanted: Vec<String> = names.iter().map(key).collect();
    let removed: Vec<String> = current
        .iter()
        .filter(|c| !wanted.contains(&key(c)))
        .cloned()
        .collect();
    let kept: Vec<String> = current.iter().map(key).collect();
    let added: Vec<String> = names
        .iter()
        .filter(|n| !kept.contains(&key(n)))
        .cloned()
        .collect();
    if !removed.is_empty() {
        let removed_keys: Vec<String> = removed.iter().map(key).collect();
        let tag_ids = tag::Entity::find()
            .select_only()
            .column(tag::Column::Id)
            .filter(tag::Column::WorkspaceId.eq(workspace_id))
            .filter(tag::Column::NameKey.is_in(removed_keys))
            .into_query();
        lead_tag::Entity::delete_many()
            .filter(lead_tag::Column::LeadId.eq(lead_id))
            .filter(lead_tag::Column::TagId.in_subquery(tag_ids))
            .exec(db)
            .await?;
    }
    attach(db, workspace_id, lead_id, &added).await?;
    Ok((added, removed))
}

/// Links tags to several new leads at once (a batch create), creating the tags that do not
/// exist yet: the same three statements as `attach`, whatever the number of leads.
pub async fn attach_many(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    leads: &[(Uuid, &[String])],
) -> Result<()> {
    let mut names: HashMap<String, &String> = HashMap::new();
    for (_, tags) in leads {
        for name in tags.iter() {
            names.entry(name.to_lowercase()).or_insert(name);
        }
    }
    if names.is_empty() {
        return Ok(());
    }
    let new_tags = names.iter().map(|(key, name)| tag::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        name: Set((*name).clone()),
        name_key: Set(key.clone()),
    });
    tag::Entity::insert_many(new_tags)
        .on_conflict(
            OnConflict::columns([tag::Column::WorkspaceId, tag::Column::NameKey])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let ids: HashMap<String, Uuid> = tag::Entity::find()
        .select_only()
        .column(tag::Column::NameKey)
        .column(tag::Column::Id)
        .filter(tag::Column::WorkspaceId.eq(workspace_id))
        .filter(tag::Column::NameKey.is_in(names.keys().cloned()))
        .into_tuple::<(String, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let links: Vec<lead_tag::ActiveModel> = leads
        .iter()
        .flat_map(|(lead_id, tags)| {
            tags.iter().filter_map(|name| {
                Some(lead_tag::ActiveModel {
                    lead_id: Set(*lead_id),
                    tag_id: Set(*ids.get(&name.to_lowercase())?),
                })
            })
        })
        .collect();
    if !links.is_empty() {
        lead_tag::Entity::insert_many(links)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
