//! The one error type every server function returns.
//!
//! Internal failures are logged on the server with their detail and reach
//! the browser only as an opaque message: database text never leaves the
//! server.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Errors shared by the server and the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The request is malformed; the text says what to fix.
    #[error("{0}")]
    BadRequest(String),
    /// Nothing there.
    #[error("not found: {0}")]
    NotFound(String),
    /// Not signed in, or not allowed.
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// Someone else changed the thing first, or it exists already.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Well formed, but against a rule of the data (a check or a
    /// reference): the text names the rule.
    #[error("{0}")]
    Invalid(String),
    /// Something failed on the server; details are in the server log.
    #[error("something went wrong on the server; it has been logged")]
    Internal,
    /// The database cannot be reached just now; try again shortly.
    #[error("the cockpit's database is briefly unavailable; try again in a few seconds")]
    Unavailable,
    /// The call did not reach the server function or its answer was garbled.
    #[error("could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    /// HTTP status that goes with the error.
    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest(_) => 400,
            Self::NotFound(_) => 404,
            Self::Forbidden(_) => 403,
            Self::Conflict(_) => 409,
            Self::Invalid(_) => 422,
            Self::Internal => 500,
            Self::Unavailable => 503,
            Self::Transport(_) => 502,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server: the call's arguments could not be read.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => Self::BadRequest(value.to_string()),
            _ => Self::Transport(value.to_string()),
        }
    }
}

/// Every database error becomes an [`AppError`] here, and only here (the
/// token API's errors go through it too).
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        match e {
            sqlx::Error::RowNotFound => Self::NotFound("no such row".into()),
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => Self::unavailable(&e),
            // Statement or lock timeout, an administrator's shutdown, a
            // server starting up.
            sqlx::Error::Database(ref d)
                if matches!(
                    d.code().as_deref(),
                    Some("57014" | "55P03" | "57P01" | "57P03")
                ) =>
            {
                Self::unavailable(&e)
            }
            sqlx::Error::Database(ref d) => {
                let rule = d.constraint().unwrap_or("a rule of the data").to_string();
                match d.kind() {
                    ErrorKind::UniqueViolation => {
                        Self::Conflict(format!("it exists already ({rule})"))
                    }
                    ErrorKind::ForeignKeyViolation => Self::Invalid(format!(
                        "it refers to something that does not exist ({rule})"
                    )),
                    ErrorKind::CheckViolation | ErrorKind::NotNullViolation => {
                        Self::Invalid(format!("a value is not allowed ({rule})"))
                    }
                    _ => Self::internal(&e),
                }
            }
            // A row that does not decode (a bad value stored) is the
            // server's fault, never the caller's.
            e => Self::internal(&e),
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    fn unavailable(e: &sqlx::Error) -> Self {
        tracing::error!(error = %e, "database unavailable");
        Self::Unavailable
    }

    fn internal(e: &sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        Self::Internal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_shows_no_detail_to_the_browser() {
        let shown = AppError::Internal.to_string();
        assert!(!shown.contains("sql"), "{shown}");
        assert_eq!(AppError::Internal.status(), 500);
    }

    #[test]
    fn errors_round_trip_through_json_as_the_browser_receives_them() {
        let e = AppError::Conflict("action changed".into());
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), e);
    }
}
