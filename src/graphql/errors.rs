//! The one mapping of `crate::error::Error` to GraphQL errors (`extensions.code`), and
//! codes for the errors async-graphql raises itself before any resolver runs.

use async_graphql::{ErrorExtensions, Response, ServerError, Value};

use crate::diagnostics::Diagnostic;
use crate::error::Error;

/// Converts a domain error. Internal errors are logged with an id the client can quote;
/// their detail never leaves the server.
pub fn to_graphql(err: &Error) -> async_graphql::Error {
    if err.is_internal() {
        let error_id = Diagnostic::log(err);
        return async_graphql::Error::new("internal error").extend_with(|_, e| {
            e.set("code", err.code());
            e.set("errorId", error_id.to_string());
        });
    }
    if err.is_transient() {
        crate::diagnostics::log_transient(err);
    }
    async_graphql::Error::new(err.to_string()).extend_with(|_, e| {
        e.set("code", err.code());
        if let Some(retry_after_secs) = err.retry_after_secs() {
            e.set("retryAfter", retry_after_secs);
        }
        if let Error::DuplicateLead { field, ids } = err {
            e.set("field", field.clone());
            e.set(
                "matchingLeadIds",
                Value::List(ids.iter().map(|id| Value::from(id.to_string())).collect()),
            );
        }
        if let Error::BadInput(fields) = err {
            if let Some(first) = fields.first() {
                e.set("field", first.field.clone());
            }
            let list: Vec<Value> = fields
                .iter()
                .map(|f| {
                    let mut map = async_graphql::indexmap::IndexMap::new();
                    map.insert(
                        async_graphql::Name::new("field"),
                        Value::from(f.field.clone()),
                    );
                    map.insert(
                        async_graphql::Name::new("message"),
                        Value::from(f.message.clone()),
                    );
                    Value::Object(map)
                })
                .collect();
            e.set("fields", Value::List(list));
        }
    })
}

/// `?`-friendly conversion for resolvers.
pub trait GqlResult<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> GqlResult<T> for Result<T, Error> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| to_graphql(&e))
    }
}

impl<T> GqlResult<T> for Result<T, std::sync::Arc<Error>> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| to_graphql(&e))
    }
}

/// Gives every error of a response an `extensions.code`. Errors raised by async-graphql
/// before execution carry none: a variable or argument of the wrong type or value is the
/// client's bad input (BAD_USER_INPUT), a syntax error is GRAPHQL_PARSE_FAILED, and any
/// other document error GRAPHQL_VALIDATION_FAILED. Anything else without a code came from
/// inside (a library's error passed up with `?`): it is logged and answered as INTERNAL,
/// so its text never reaches the client.
pub fn add_codes(mut response: Response) -> Response {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if has_code {
            continue;
        }
        let code = code_for(error);
        if code == "INTERNAL" {
            let error_id = Diagnostic::log(&Error::Internal(error.message.clone()));
            error.message = "internal error".to_owned();
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("errorId", error_id.to_string());
        }
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
    response
}

fn code_for(error: &ServerError) -> &'static str {
    let message = error.message.as_str();
    // The parser reports syntax errors as a pest diagnostic: " --> line:col ...".
    if message.starts_with(" --> ") {
        "GRAPHQL_PARSE_FAILED"
    } else if message.contains("Invalid value for argument")
        || message.contains("got invalid value")
        || message.contains("Failed to parse")
        || message.starts_with("Expected input type")
    {
        "BAD_USER_INPUT"
    } else if error.path.is_empty() {
        "GRAPHQL_VALIDATION_FAILED"
    } else {
        "INTERNAL"
    }
}
