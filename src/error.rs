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

#[derive(thiserror::Error)]
pub enum Error {
    /// No API key, or one that matches no live key.
    #[error("a valid x-api-key header is required")]
    Unauthenticated,
    /// The request named something bad; nothing was written.
    #[error("{}", join(.0))]
    BadInput(Vec<FieldError>),
    /// The thing does not exist in the caller's workspace (or, for `"route"`, at all).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request cannot be read at all (not JSON, not a GraphQL request); the message
    /// says why in plain words.
    #[error("{0}")]
    BadRequest(String),
    /// The route exists, but not for this HTTP method.
    #[error("{}", not_allowed(method, allow))]
    MethodNotAllowed {
        method: String,
        /// The methods the route takes, for the `Allow` header; empty when the router
        /// fills that header in itself.
        allow: String,
    },
    /// The request body is over the limit; nothing was read past it.
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// An uploaded file or the number of files is over its limit; nothing was stored.
    /// The message names the field and the limit.
    #[error("{0}")]
    UploadTooLarge(String),
    /// A signed link that is not (or no longer) valid: tampered, expired, or bent to
    /// another workspace's file.
    #[error("{0}")]
    Forbidden(String),
    /// The request took longer than the server allows; its transaction was rolled back.
    #[error("the request took longer than {} and was stopped; nothing was written", duration(*.millis))]
    Timeout { millis: u64 },
    /// The API key used up its requests for now (per replica); retry after the given time.
    #[error("too many requests for this API key; retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// An automatic persisted query's hash this replica does not know: the client retries
    /// with the query text (the message is what Apollo Client and urql look for).
    #[error("PersistedQueryNotFound")]
    PersistedQueryNotFound,
    /// A write lost a race for a unique value (two requests creating the same thing at
    /// once) that no check before it could see: the client's retry will see the winner.
    #[error("{0} conflicts with a change made at the same time; retry the request")]
    UniqueRace(&'static str),
    /// The GraphQL request is over one of the operation limits (`graphql::limits`);
    /// nothing was executed. `code` names the limit (`MAX_BATCH_SIZE_LIMIT`).
    #[error("{message}")]
    LimitExceeded { code: &'static str, message: String },
    /// The database cannot be reached right now (no pooled connection within the acquire
    /// timeout, a connection refused or cut). Answered SERVICE_UNAVAILABLE with a
    /// Retry-After; the detail is logged (redacted). See `crate::faults`.
    #[error(
        "the database is unavailable right now; retry after {} s",
        UNAVAILABLE_RETRY_AFTER_SECS
    )]
    Unavailable(sea_orm::DbErr),
    /// A write kept conflicting with concurrent ones (deadlock, serialization failure,
    /// SQLite busy) after the server's own retries; it was rolled back each time.
    #[error(
        "the request kept conflicting with concurrent writes and was not applied; retry after {} s",
        UNAVAILABLE_RETRY_AFTER_SECS
    )]
    Conflict(sea_orm::DbErr),
    /// The Idempotency-Key was first used with a different request.
    #[error(
        "this Idempotency-Key was used with a different request; use a new key for a new request"
    )]
    IdempotencyKeyReused,
    /// The first request with this Idempotency-Key is still running.
    #[error(
        "a request with this Idempotency-Key is still running; retry after {} s to get its answer",
        UNAVAILABLE_RETRY_AFTER_SECS
    )]
    IdempotencyInProgress,
    /// A create with `onDuplicate: REJECT` found live leads with the same email or phone
    /// (`field` names which, `ids` are theirs); nothing was written for it.
    #[error("{field}: a lead with this {what} already exists ({n} matching)", what = duplicate_what(field), n = ids.len())]
    DuplicateLead { field: String, ids: Vec<uuid::Uuid> },
    /// Storage failed. The detail is logged (redacted), never sent to clients.
    #[error("internal error")]
    Database(sea_orm::DbErr),
    /// A bug or an impossible state. The detail is logged, never sent to clients.
    #[error("internal error")]
    Internal(String),
}

/// What `Retry-After` says for SERVICE_UNAVAILABLE and IDEMPOTENCY_IN_PROGRESS.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 1;

/// Every storage error goes through the one classifier of faults: conflicts (retried by
/// `domain::retry`), an unreachable database, or an internal failure. A unique-constraint
/// violation is a race between two requests, not a bug: CONFLICT (409) wherever it
/// happens (places that can name a field map it first, e.g. a one-off item's code).
impl From<sea_orm::DbErr> for Error {
    fn from(err: sea_orm::DbErr) -> Self {
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) = err.sql_err() {
            return Self::UniqueRace("the request");
        }
        match crate::faults::classify(&err) {
            crate::faults::Fault::Conflict => Self::Conflict(err),
            crate::faults::Fault::Unavailable => Self::Unavailable(err),
            crate::faults::Fault::Other => Self::Database(err),
        }
    }
}

fn duplicate_what(field: &str) -> &'static str {
    if field.ends_with("phoneNumber") {
        "phone number"
    } else {
        "email"
    }
}

fn duration(millis: u64) -> String {
    if millis.is_multiple_of(1000) {
        format!("{} s", millis / 1000)
    } else {
        format!("{millis} ms")
    }
}

fn not_allowed(method: &str, allow: &str) -> String {
    if allow.is_empty() {
        format!("{method} is not allowed on this route (the Allow header lists what is)")
    } else {
        format!("{method} is not allowed on this route; use {allow}")
    }
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Debug output goes to logs and panic messages, so an internal error prints only its
/// redacted diagnostic: never SQL parameters or PostgreSQL's `detail`.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_internal() {
            write!(
                f,
                "{}({})",
                self.code(),
                crate::diagnostics::Diagnostic::of(self)
            )
        } else {
            write!(f, "{}({self})", self.code())
        }
    }
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
            Self::BadRequest(_) => "BAD_REQUEST",
            Self::MethodNotAllowed { .. } => "METHOD_NOT_ALLOWED",
            Self::PayloadTooLarge { .. } | Self::UploadTooLarge(_) => "PAYLOAD_TOO_LARGE",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::Timeout { .. } => "TIMEOUT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::UniqueRace(_) => "CONFLICT",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::LimitExceeded { code, .. } => code,
            Self::Unavailable(_) | Self::Conflict(_) => "SERVICE_UNAVAILABLE",
            Self::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            Self::IdempotencyInProgress => "IDEMPOTENCY_IN_PROGRESS",
            Self::DuplicateLead { .. } => "DUPLICATE_LEAD",
            Self::Database(_) | Self::Internal(_) => "INTERNAL",
        }
    }

    /// Whether the message may be shown to the client as is.
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::Database(_) | Self::Internal(_))
    }

    /// A storage fault that is not the client's doing and passes by itself: answered with
    /// its own message (and Retry-After), logged at WARN with its redacted diagnostic.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::Conflict(_))
    }

    /// Seconds after which a retry makes sense, for errors that have one.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            Self::Unavailable(_) | Self::Conflict(_) | Self::IdempotencyInProgress => {
                Some(UNAVAILABLE_RETRY_AFTER_SECS)
            }
            _ => None,
        }
    }
}

/// Turns a transaction error back into ours (the closure's error, or the commit's).
impl From<sea_orm::TransactionError<Error>> for Error {
    fn from(err: sea_orm::TransactionError<Error>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => Self::from(db),
            sea_orm::TransactionError::Transaction(err) => err,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
