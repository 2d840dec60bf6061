//! Read entry points.

use async_graphql::{Context, ID, Object, Result};
use uuid::Uuid;

use crate::domain::leads;
use crate::error::Error;

use super::{
    context::caller,
    errors::{GqlResult, to_graphql},
    types::lead::Lead,
};

pub struct Query;

/// Parses an `ID` argument as a lead/entity id, naming the argument when it is not one.
pub(crate) fn parse_id(field: &str, id: &ID) -> Result<Uuid> {
    Uuid::parse_str(id.as_str())
        .map_err(|_| to_graphql(&Error::bad_input(field, "is not a valid id")))
}

#[Object]
impl Query {
    /// A lead of the caller's workspace by id; null when there is none (leads of other
    /// workspaces included).
    async fn lead(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Lead>> {
        let caller = caller(ctx)?;
        let id = parse_id("id", &id)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        match leads::find(db, &caller.principal, id).await {
            Ok(lead) => Ok(Some(Lead(lead))),
            Err(Error::NotFound(_)) => Ok(None),
            Err(err) => Err(err).gql(),
        }
    }
}
