//! The one error type of leadgate. The domain returns it; `graphql::errors` maps it once to
//! `extensions.code` and `http::rest` maps it once to status codes.

use std::fmt;

/// One offending input, named the way the client wrote it (`email`,
/// `checklistItems[1].value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No API key, or one that matches no live key.
    #[error("a valid x-api-key header is required")]
    Unauthenticated,
    /// The request named something bad; nothing was written.
    #[error("{}", join(.0))]
    BadInput(Vec<FieldError>),
    /// The thing does not exist in the caller's workspace.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Storage failed. The detail is logged, never sent to clients.
    #[error("internal error")]
    Database(#[from] sea_orm::DbErr),
    /// A bug or an impossible state. The detail is logged, never sent to clients.
    #[error("internal error")]
    Internal(String),
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// A single bad field.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput(vec![FieldError::new(field, message)])
    }

    /// The stable code clients switch on (GraphQL `extensions.code`, REST `error.code`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::BadInput(_) => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Database(_) | Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// Whether the message may be shown to the client as is.
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::Database(_) | Self::Internal(_))
    }
}

/// Turns a transaction error back into ours (the closure's error, or the commit's).
impl From<sea_orm::TransactionError<Error>> for Error {
    fn from(err: sea_orm::TransactionError<Error>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => Self::Database(db),
            sea_orm::TransactionError::Transaction(err) => err,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
