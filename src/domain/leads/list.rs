//! Listing leads: filters, three orders and keyset (cursor) pagination, so pages stay
//! stable while leads are added and cost the same deep in the list as at its start.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, LikeExpr, Query},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{auth::Principal, bounds, lead_input::MAX_TAG_LEN, phone};
use crate::entities::{
    enums::{AssigneeType, LeadStatus},
    lead, lead_tag, tag,
};
use crate::error::{Error, Result};

/// Largest page; larger requests are capped.
pub const MAX_PAGE: u64 = 100;
/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE: u64 = 20;

/// Which leads to list; every filter is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub status: Option<LeadStatus>,
    pub assignee_type: Option<AssigneeType>,
    /// Leads with any of these tags (case-insensitive).
    pub tags: Option<Vec<String>>,
    pub is_test: Option<bool>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    /// Name, business name or email containing the text (case-insensitive); a phone
    /// number in any format finds its E.164.
    pub search: Option<String>,
    pub include_deleted: bool,
}

impl LeadFilter {
    /// Refuses a filter past its bounds: at most 50 tags of at most 64 characters, a
    /// search of at most 500 (named as the `filter` argument's fields).
    pub fn check(&self) -> Result<()> {
        let mut errors = Vec::new();
        if let Some(tags) = &self.tags {
            errors.extend(bounds::list(
                "filter.tags",
                tags.len(),
                bounds::MAX_FILTER_TAGS,
            ));
            for (i, tag) in tags.iter().enumerate() {
                errors.extend(bounds::text(
                    &format!("filter.tags[{i}]"),
                    tag.trim(),
                    MAX_TAG_LEN,
                ));
            }
        }
        if let Some(search) = &self.search {
            errors.extend(bounds::text(
                "filter.search",
                search.trim(),
                bounds::MAX_SEARCH_CHARS,
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::BadInput(errors))
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderField {
    #[default]
    #[serde(rename = "c")]
    CreatedAt,
    #[serde(rename = "u")]
    UpdatedAt,
    #[serde(rename = "n")]
    Name,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

/// Default: newest first; by name: A to Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadOrder {
    pub field: OrderField,
    pub direction: Direction,
}

impl Default for LeadOrder {
    fn default() -> Self {
        Self::by(OrderField::CreatedAt, None)
    }
}

impl LeadOrder {
    /// An order with its natural direction unless one is given.
    pub fn by(field: OrderField, direction: Option<Direction>) -> Self {
        let natural = if field == OrderField::Name {
            Direction::Asc
        } else {
            Direction::Desc
        };
        Self {
            field,
            direction: direction.unwrap_or(natural),
        }
    }
}

/// Relay-style page arguments.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub first: Option<i64>,
    pub after: Option<String>,
    pub last: Option<i64>,
    pub before: Option<String>,
}

/// One page, in list order, each lead with its cursor.
#[derive(Debug, Clone)]
pub struct Page {
    pub leads: Vec<(String, lead::Model)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

/// The opaque position of a lead in an order: the order, the sort value and the id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    o: OrderField,
    v: String,
    id: Uuid,
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Cursor {
    fn of(lead: &lead::Model, field: OrderField) -> Self {
        let v = match field {
            OrderField::CreatedAt => timestamp(lead.created_at),
            OrderField::UpdatedAt => timestamp(lead.updated_at),
            OrderField::Name => lead.sort_name.clone(),
        };
        Self {
            o: field,
            v,
            id: lead.id,
        }
    }

    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("cursor serialises"))
    }

    fn decode(field_name: &str, text: &str, order: OrderField) -> Result<Self> {
        let bad = || {
            Error::bad_input(
                field_name,
                "is not a cursor of this list (cursors come from edges and pageInfo)",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
        let cursor: Self = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if cursor.o != order {
            return Err(Error::bad_input(
                field_name,
                "belongs to a different orderBy",
            ));
        }
        if order != OrderField::Name && DateTime::parse_from_rfc3339(&cursor.v).is_err() {
            return Err(bad());
        }
        Ok(cursor)
    }

    /// Rows strictly after this cursor when walking in `direction`.
    fn after(&self, direction: Direction) -> Condition {
        let (column, value): (lead::Column, sea_orm::Value) = match self.o {
            OrderField::CreatedAt => (lead::Column::CreatedAt, parse_time(&self.v).into()),
            OrderField::UpdatedAt => (lead::Column::UpdatedAt, parse_time(&self.v).into()),
            OrderField::Name => (lead::Column::SortName, self.v.clone().into()),
        };
        let (beyond, id_beyond) = match direction {
            Direction::Asc => (
                Expr::col(column).gt(value.clone()),
                Expr::col(lead::Column::Id).gt(self.id),
            ),
            Direction::Desc => (
                Expr::col(column).lt(value.clone()),
                Expr::col(lead::Column::Id).lt(self.id),
            ),
        };
        Condition::any().add(beyond).add(
            Condition::all()
                .add(Expr::col(column).eq(value))
                .add(id_beyond),
        )
    }
}

fn parse_time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map_or_else(|_| DateTime::<Utc>::MIN_UTC, |t| t.with_timezone(&Utc))
}

/// Escapes LIKE wildcards so a search for `50%` means the text.
fn contains_pattern(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

/// The filter as a condition, scoped to the caller's workspace.
fn condition(principal: &Principal, filter: &LeadFilter) -> Condition {
    let mut all = Condition::all().add(lead::Column::WorkspaceId.eq(principal.workspace_id));
    if !filter.include_deleted {
        all = all.add(lead::Column::DeletedAt.is_null());
    }
    if let Some(status) = filter.status {
        all = all.add(lead::Column::Status.eq(status));
    }
    if let Some(assignee) = filter.assignee_type {
        all = all.add(lead::Column::AssigneeType.eq(assignee));
    }
    if let Some(is_test) = filter.is_test {
        all = all.add(lead::Column::IsTest.eq(is_test));
    }
    if let Some(after) = filter.created_after {
        all = all.add(lead::Column::CreatedAt.gte(after));
    }
    if let Some(before) = filter.created_before {
        all = all.add(lead::Column::CreatedAt.lt(before));
    }
    if let Some(tags) = &filter.tags {
        let keys: Vec<String> = tags.iter().map(|t| t.trim().to_lowercase()).collect();
        let tagged = Query::select()
            .column((lead_tag::Entity, lead_tag::Column::LeadId))
            .from(lead_tag::Entity)
            .inner_join(
                tag::Entity,
                Expr::col((tag::Entity, tag::Column::Id))
                    .equals((lead_tag::Entity, lead_tag::Column::TagId)),
            )
            .and_where(
                Expr::col((tag::Entity, tag::Column::WorkspaceId)).eq(principal.workspace_id),
            )
            .and_where(Expr::col((tag::Entity, tag::Column::NameKey)).is_in(keys))
            .to_owned();
        all = all.add(lead::Column::Id.in_subquery(tagged));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let pattern = contains_pattern(&search.to_lowercase());
        let like = || LikeExpr::new(pattern.clone()).escape('\\');
        let mut any = Condition::any()
            .add(Expr::col(lead::Column::SortName).like(like()))
            .add(Expr::col(lead::Column::EmailKey).like(like()))
            .add(Func::lower(Expr::col(lead::Column::BusinessName)).like(like()));
        if let Some(e164) = phone::to_e164(search, &principal.default_region) {
            any = any.add(lead::Column::PhoneE164.eq(e164));
        }
        all = all.add(any);
    }
    all
}

fn sort_column(field: OrderField) -> lead::Column {
    match field {
        OrderField::CreatedAt => lead::Column::CreatedAt,
        OrderField::UpdatedAt => lead::Column::UpdatedAt,
        OrderField::Name => lead::Column::SortName,
    }
}

fn page_size(field: &str, size: Option<i64>) -> Result<Option<u64>> {
    match size {
        None => Ok(None),
        Some(n) if n < 0 => Err(Error::bad_input(field, "must not be negative")),
        Some(n) => Ok(Some(std::cmp::min(
            u64::try_from(n).unwrap_or(MAX_PAGE),
            MAX_PAGE,
        ))),
    }
}

/// One page of the caller's leads, in one statement.
pub async fn page(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filter: &LeadFilter,
    order: LeadOrder,
    request: &PageRequest,
) -> Result<Page> {
    filter.check()?;
    let first = page_size("first", request.first)?;
    let last = page_size("last", request.last)?;
    if first.is_some() && last.is_some() {
        return Err(Error::bad_input(
            "last",
            "use either first or last, not both",
        ));
    }
    let after = request
        .after
        .as_deref()
        .map(|c| Cursor::decode("after", c, order.field))
        .transpose()?;
    let before = request
        .before
        .as_deref()
        .map(|c| Cursor::decode("before", c, order.field))
        .transpose()?;
    // Walking backwards (`last`) reads in the opposite direction, then flips the page.
    let backwards = last.is_some();
    let size = last.or(first).unwrap_or(DEFAULT_PAGE);
    let reverse = |d: Direction| {
        if d == Direction::Asc {
            Direction::Desc
        } else {
            Direction::Asc
        }
    };
    let direction = if backwards {
        reverse(order.direction)
    } else {
        order.direction
    };

    let mut condition = condition(principal, filter);
    if let Some(after) = &after {
        condition = condition.add(after.after(order.direction));
    }
    if let Some(before) = &before {
        condition = condition.add(before.after(reverse(order.direction)));
    }
    let sea_order = if direction == Direction::Asc {
        Order::Asc
    } else {
        Order::Desc
    };
    let mut rows = lead::Entity::find()
        .filter(condition)
        .order_by(sort_column(order.field), sea_order.clone())
        .order_by(lead::Column::Id, sea_order)
        .limit(size + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > size;
    rows.truncate(usize::try_from(size).unwrap_or(usize::MAX));
    if backwards {
        rows.reverse();
    }
    let (has_next_page, has_previous_page) = if backwards {
        (before.is_some(), more)
    } else {
        (more, after.is_some())
    };
    Ok(Page {
        leads: rows
            .into_iter()
            .map(|lead| (Cursor::of(&lead, order.field).encode(), lead))
            .collect(),
        has_next_page,
        has_previous_page,
    })
}

/// How many leads the filter matches, in one statement.
pub async fn count(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filter: &LeadFilter,
) -> Result<u64> {
    filter.check()?;
    Ok(lead::Entity::find()
        .filter(condition(principal, filter))
        .count(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_belong_to_one_order() {
        let cursor = Cursor {
            o: OrderField::Name,
            v: "ada lovelace".into(),
            id: Uuid::nil(),
        };
        let text = cursor.encode();
        assert_eq!(
            Cursor::decode("after", &text, OrderField::Name).unwrap(),
            cursor
        );
        assert!(Cursor::decode("after", &text, OrderField::CreatedAt).is_err());
        assert!(Cursor::decode("after", "not-a-cursor", OrderField::Name).is_err());
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
