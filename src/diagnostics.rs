//! What an internal error may say in a log, and how it is logged.
//!
//! Clients only ever see `internal error` and an `errorId`; the operator finds the detail
//! in the log line carrying that id. Even that line must not hold personal data: a
//! PostgreSQL error's `detail` (`Key (email)=(jane@example.com) already exists`), `where`
//! and the statement's parameters are never read, and the primary message keeps only the
//! names the driver reports separately (table, column, constraint, type); any other quoted
//! text, anything shaped like an email address and any long run of digits is replaced
//! by `…`.

use std::{borrow::Cow, fmt};

use sea_orm::{DbErr, RuntimeErr, sqlx};
use uuid::Uuid;

use crate::error::Error;

/// The longest message a diagnostic keeps.
const MAX_MESSAGE: usize = 300;

/// The loggable facts of an internal error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What failed: `database` (the server refused a statement), `pool`, `connection`,
    /// `driver`, `decode`, `orm`, `migration` or `bug`.
    pub kind: &'static str,
    /// The SQLSTATE (PostgreSQL) or extended result code (SQLite).
    pub code: Option<String>,
    pub table: Option<String>,
    pub column: Option<String>,
    pub constraint: Option<String>,
    /// The message, redacted.
    pub message: String,
}

impl Diagnostic {
    /// The diagnostic of any error (a client error's message is already safe to show).
    pub fn of(err: &Error) -> Self {
        match err {
            Error::Database(db) | Error::Unavailable(db) | Error::Conflict(db) => Self::of_db(db),
            Error::Internal(message) => Self::plain("bug", message),
            other => Self::plain("client", &other.to_string()),
        }
    }

    fn plain(kind: &'static str, message: &str) -> Self {
        Self {
            kind,
            code: None,
            table: None,
            column: None,
            constraint: None,
            message: redact(message, &[]),
        }
    }

    /// The diagnostic of a storage error.
    pub fn of_db(err: &DbErr) -> Self {
        let runtime = match err {
            DbErr::ConnectionAcquire(e) => return Self::plain("pool", &e.to_string()),
            DbErr::Conn(e) => return Self::of_runtime("connection", e),
            DbErr::Exec(e) | DbErr::Query(e) => e,
            DbErr::TryIntoErr { .. } | DbErr::Type(_) | DbErr::Json(_) => {
                return Self::plain("decode", &err.to_string());
            }
            DbErr::Migration(message) => return Self::plain("migration", message),
            other => return Self::plain("orm", &other.to_string()),
        };
        Self::of_runtime("driver", runtime)
    }

    fn of_runtime(kind: &'static str, err: &RuntimeErr) -> Self {
        let RuntimeErr::SqlxError(sqlx_err) = err else {
            return Self::plain(kind, &err.to_string());
        };
        let sqlx::Error::Database(db) = sqlx_err.as_ref() else {
            return Self::plain(kind, &sqlx_err.to_string());
        };
        let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>();
        let table = db.table().map(str::to_owned);
        let constraint = db.constraint().map(str::to_owned);
        let column = pg.and_then(|pg| pg.column()).map(str::to_owned);
        let data_type = pg.and_then(|pg| pg.data_type());
        let known: Vec<&str> = [
            table.as_deref(),
            constraint.as_deref(),
            column.as_deref(),
            data_type,
        ]
        .into_iter()
        .flatten()
        .collect();
        Self {
            kind: "database",
            code: db.code().map(Cow::into_owned),
            message: redact(db.message(), &known),
            table,
            column,
            constraint,
        }
    }

    /// Logs the error at ERROR level under a fresh id, which the client gets as
    /// `errorId`; returns the id.
    pub fn log(err: &Error) -> Uuid {
        let error_id = Uuid::new_v4();
        let d = Self::of(err);
        tracing::error!(
            %error_id,
            kind = d.kind,
            code = d.code.as_deref(),
            table = d.table.as_deref(),
            column = d.column.as_deref(),
            constraint = d.constraint.as_deref(),
            detail = %d.message,
            "internal error"
        );
        error_id
    }
}

/// Logs a transient storage fault (`Error::is_transient`) at WARN with its redacted
/// diagnostic: the client was told to retry, the operator sees why.
pub fn log_transient(err: &Error) {
    let d = Diagnostic::of(err);
    tracing::warn!(
        code = err.code(),
        kind = d.kind,
        db_code = d.code.as_deref(),
        detail = %d.message,
        "storage unavailable"
    );
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "kind={}", self.kind)?;
        for (name, value) in [
            ("code", &self.code),
            ("table", &self.table),
            ("column", &self.column),
            ("constraint", &self.constraint),
        ] {
            if let Some(value) = value {
                write!(f, " {name}={value}")?;
            }
        }
        write!(f, " message={:?}", self.message)
    }
}

/// Replaces quoted text (unless it is one of the `known` identifiers), email-like words
/// and runs of 7 or more digits with `…`, and bounds the length.
pub fn redact(message: &str, known: &[&str]) -> String {
    let mut out = String::with_capacity(message.len().min(MAX_MESSAGE));
    let mut rest = message;
    while let Some(start) = rest.find(['"', '\'', '`']) {
        let quote = rest[start..].chars().next().unwrap_or('"');
        out.push_str(&redact_words(&rest[..start]));
        let after = &rest[start + 1..];
        let Some(len) = after.find(quote) else {
            // An unterminated quote: everything after it is unknown text.
            out.push(quote);
            out.push('…');
            rest = "";
            break;
        };
        let quoted = &after[..len];
        out.push(quote);
        out.push_str(if known.contains(&quoted) {
            quoted
        } else {
            "…"
        });
        out.push(quote);
        rest = &after[len + 1..];
    }
    out.push_str(&redact_words(rest));
    let out = out.replace(['\n', '\r'], " ");
    match out.char_indices().nth(MAX_MESSAGE) {
        Some((cut, _)) => format!("{}…", &out[..cut]),
        None => out,
    }
}

fn redact_words(text: &str) -> Cow<'_, str> {
    let suspicious = |word: &str| {
        word.contains('@')
            || word
                .as_bytes()
                .split(|b| !b.is_ascii_digit())
                .any(|run| run.len() >= 7)
    };
    if !text.split_whitespace().any(suspicious) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, piece) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(if suspicious(piece) { "…" } else { piece });
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_go_known_names_stay() {
        assert_eq!(
            redact(
                "duplicate key value violates unique constraint \"leads_pkey\"",
                &["leads_pkey"]
            ),
            "duplicate key value violates unique constraint \"leads_pkey\""
        );
        assert_eq!(
            redact(
                "invalid input syntax for type uuid: \"jane@example.com\"",
                &[]
            ),
            "invalid input syntax for type uuid: \"…\""
        );
        assert_eq!(
            redact("value 'secret' and `x`, then \"open", &[]),
            "value '…' and `…`, then \"…"
        );
    }

    #[test]
    fn emails_and_phone_numbers_go_even_unquoted() {
        assert_eq!(
            redact("no match for jane@example.com or +16782319992 (id 42)", &[]),
            "no match for … or … (id 42)"
        );
        assert_eq!(redact("line one\nline two", &[]), "line one line two");
        let long = "x".repeat(1000);
        assert_eq!(redact(&long, &[]).chars().count(), MAX_MESSAGE + 1);
    }

    #[test]
    fn internal_errors_print_only_their_diagnostic() {
        let err = Error::Internal("lookup of \"jane@example.com\" failed".into());
        assert_eq!(
            format!("{err:?}"),
            "INTERNAL(kind=bug message=\"lookup of \\\"…\\\" failed\")"
        );
        assert_eq!(err.to_string(), "internal error");
    }
}
