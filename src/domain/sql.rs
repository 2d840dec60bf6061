//! Conditions written so that PostgreSQL can keep one plan per prepared statement.
//!
//! PostgreSQL plans a prepared statement at every execution until it judges a generic
//! plan as good as the custom ones it has made. Two habits of the query builder kept it
//! from ever judging so on the hot reads (found with `log_statement_stats`: binding cost
//! about 7x pgbench's, on the same statements written with literals):
//! - `IN ($1, ..., $n)`: one statement text per length of the list, each prepared and
//!   planned on its own. On PostgreSQL a set of values is one array parameter instead,
//!   `= ANY($1)`, one text whatever the length.
//! - constants of the code bound as parameters (`status = $2`, `rn <= $3`): the generic
//!   plan is costed without their values, so it looks worse than a custom plan made for
//!   them. They are written into the text (`Expr::Constant`), as a hand-written query
//!   would; they are never user input.
//!
//! SQLite plans every statement once when it is prepared, so it keeps `IN` lists.

use sea_orm::{
    ColumnTrait, DbBackend,
    sea_query::{
        Expr, ExprTrait, Value, ValueType, extension::postgres::PgFunc,
        value::postgres_array::NotU8,
    },
};

/// `column IN (values)`, written `column = ANY($1)` on PostgreSQL.
pub fn is_in<V>(
    backend: DbBackend,
    column: impl ColumnTrait,
    values: impl IntoIterator<Item = V>,
) -> Expr
where
    V: Into<Value> + NotU8 + ValueType,
{
    let column = Expr::col(column.as_column_ref());
    match backend {
        DbBackend::Postgres => column.eq(PgFunc::any(Expr::val(
            values.into_iter().collect::<Vec<V>>(),
        ))),
        _ => column.is_in(values),
    }
}

/// A value of the code written into the statement's text rather than bound.
pub fn constant(value: impl Into<Value>) -> Expr {
    Expr::Constant(value.into())
}

/// `column = value`, the value a constant of the code (see [`constant`]).
pub fn equals(column: impl ColumnTrait, value: impl Into<Value>) -> Expr {
    Expr::col(column.as_column_ref()).eq(constant(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::lead;
    use sea_orm::{EntityTrait, QueryFilter, QueryTrait};
    use uuid::Uuid;

    #[test]
    fn postgres_gets_one_array_and_sqlite_a_list() {
        let ids = [Uuid::nil(), Uuid::max()];
        let query = |backend| {
            lead::Entity::find()
                .filter(is_in(backend, lead::Column::Id, ids))
                .filter(equals(lead::Column::Status, "NEW"))
                .build(backend)
        };
        let pg = query(DbBackend::Postgres);
        assert!(pg.sql.contains(r#""leads"."id" = ANY($1)"#), "{}", pg.sql);
        assert!(pg.sql.contains(r#""leads"."status" = 'NEW'"#), "{}", pg.sql);
        assert_eq!(pg.values.map(|v| v.0.len()), Some(1));
        let sqlite = query(DbBackend::Sqlite);
        assert!(
            sqlite.sql.contains(r#""leads"."id" IN (?, ?)"#),
            "{}",
            sqlite.sql
        );
        assert_eq!(sqlite.values.map(|v| v.0.len()), Some(2));
    }
}
