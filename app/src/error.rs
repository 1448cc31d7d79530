//! The one error type of Agora.
//!
//! Every service returns `Result<T, AppError>`. It is mapped exactly twice: to the JSON
//! envelope of `/api/v1` (the `IntoResponse` impl in `envelope.rs`, server only) and to the
//! error of the server functions (the `FromServerFnError` impl below), so a page shows the
//! same field messages the API returns in `details`. Database and internal failures are logged where they are
//! converted and reach the client only as a generic `INTERNAL_ERROR`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A message about one input field, shown next to the field or returned in `details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// One or more fields are invalid.
    #[error("The request has invalid fields.")]
    Validation(Vec<FieldError>),
    /// The request itself could not be read (malformed JSON, wrong content type).
    #[error("{0}")]
    BadRequest(String),
    #[error("Authentication is required.")]
    Unauthorized,
    #[error("The email or password is incorrect.")]
    InvalidCredentials,
    #[error("The token is invalid or has expired.")]
    InvalidToken,
    #[error("You do not have permission to do this.")]
    Forbidden,
    /// The account exists but is suspended (said only after the right password).
    #[error("This account is suspended. Contact support to restore it.")]
    Suspended,
    #[error("{0} was not found.")]
    NotFound(String),
    #[error("That method is not allowed here.")]
    MethodNotAllowed,
    #[error("The request took too long.")]
    Timeout,
    /// A unique value is already taken; the field names which.
    #[error("{}", .0.message)]
    Conflict(FieldError),
    /// A payment was refused by the provider (a declined card, insufficient funds); the field
    /// names what to change. The attempt is recorded and the order stays payable.
    #[error("{}", .0.message)]
    PaymentFailed(FieldError),
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("Too many requests; try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    #[error("{0} is unavailable.")]
    ServiceUnavailable(String),
    /// Something failed on our side; the cause is in the server log, never in the response.
    #[error("Something went wrong on our side.")]
    Internal,
}

impl AppError {
    /// A validation error about a single field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// The stable, documented error code: those of PRODUCT.md §9 and seed 004 (§6.5), plus
    /// `METHOD_NOT_ALLOWED`, `REQUEST_TIMEOUT` and `PAYLOAD_TOO_LARGE` for failures at the
    /// HTTP level.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation(_) => "VALIDATION_ERROR",
            Self::BadRequest(_) => "BAD_REQUEST",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::InvalidCredentials => "INVALID_CREDENTIALS",
            Self::InvalidToken => "INVALID_TOKEN",
            Self::Forbidden | Self::Suspended => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::Timeout => "REQUEST_TIMEOUT",
            Self::Conflict(_) => "CONFLICT",
            Self::PaymentFailed(_) => "PAYMENT_FAILED",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::RateLimited { .. } => "RATE_LIMIT_EXCEEDED",
            Self::ServiceUnavailable(_) => "SERVICE_UNAVAILABLE",
            Self::Internal => "INTERNAL_ERROR",
        }
    }

    /// The HTTP status that goes with the code.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            Self::Validation(_) | Self::BadRequest(_) => S::BAD_REQUEST,
            Self::Unauthorized | Self::InvalidCredentials | Self::InvalidToken => S::UNAUTHORIZED,
            Self::Forbidden | Self::Suspended => S::FORBIDDEN,
            Self::NotFound(_) => S::NOT_FOUND,
            Self::MethodNotAllowed => S::METHOD_NOT_ALLOWED,
            Self::Timeout => S::REQUEST_TIMEOUT,
            Self::Conflict(_) => S::CONFLICT,
            Self::PaymentFailed(_) => S::PAYMENT_REQUIRED,
            Self::PayloadTooLarge => S::PAYLOAD_TOO_LARGE,
            Self::RateLimited { .. } => S::TOO_MANY_REQUESTS,
            Self::ServiceUnavailable(_) => S::SERVICE_UNAVAILABLE,
            Self::Internal => S::INTERNAL_SERVER_ERROR,
        }
    }

    /// Per-field messages, empty unless the error is about fields.
    pub fn details(&self) -> &[FieldError] {
        match self {
            Self::Validation(fields) => fields,
            Self::Conflict(field) | Self::PaymentFailed(field) => std::slice::from_ref(field),
            _ => &[],
        }
    }

    /// The message for `field`, if this error has one (for showing next to a form input).
    pub fn field_message(&self, field: &str) -> Option<&str> {
        self.details()
            .iter()
            .find(|d| d.field == field)
            .map(|d| d.message.as_str())
    }

    /// The error for a status code that some layer produced without a body of ours
    /// (body limit, timeout, unknown method).
    pub fn from_status(status: http::StatusCode) -> Self {
        use http::StatusCode as S;
        match status {
            S::BAD_REQUEST => Self::BadRequest("The request could not be read.".into()),
            S::UNAUTHORIZED => Self::Unauthorized,
            S::FORBIDDEN => Self::Forbidden,
            S::NOT_FOUND => Self::NotFound("The resource".into()),
            S::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            S::REQUEST_TIMEOUT => Self::Timeout,
            S::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            S::TOO_MANY_REQUESTS => Self::RateLimited {
                retry_after_secs: 1,
            },
            S::SERVICE_UNAVAILABLE => Self::ServiceUnavailable("The service".into()),
            s if s.is_client_error() => {
                Self::BadRequest("The request could not be handled.".into())
            }
            _ => Self::Internal,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request did not carry readable arguments: the caller's mistake, not ours.
            ServerFnErrorErr::Args(message)
            | ServerFnErrorErr::MissingArg(message)
            | ServerFnErrorErr::Deserialization(message) => Self::BadRequest(message),
            ServerFnErrorErr::Request(_) => Self::ServiceUnavailable("The server".into()),
            _ => Self::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    /// Logged here, once. A broken unique constraint that `db::CONSTRAINTS` knows becomes a
    /// `CONFLICT` naming the field; an unreachable database is `SERVICE_UNAVAILABLE`; anything
    /// else reaches the client only as `INTERNAL_ERROR`.
    fn from(error: sqlx::Error) -> Self {
        if let Some(field) = crate::db::conflict_field(&error) {
            return AppError::Conflict(field);
        }
        match &error {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => {
                tracing::error!(%error, "database unavailable");
                AppError::ServiceUnavailable("The database".into())
            }
            _ => {
                tracing::error!(%error, "database error");
                AppError::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_maps_back_to_a_code_with_the_same_status() {
        for status in [400, 401, 403, 404, 405, 408, 413, 429, 503, 500, 418] {
            let status = http::StatusCode::from_u16(status).unwrap();
            let error = AppError::from_status(status);
            let expected = if status == http::StatusCode::IM_A_TEAPOT {
                http::StatusCode::BAD_REQUEST
            } else {
                status
            };
            assert_eq!(error.status(), expected, "{status}");
        }
    }

    #[test]
    fn field_messages_are_found_by_field() {
        let error = AppError::Validation(vec![
            FieldError::new("email", "Enter a valid email."),
            FieldError::new("name", "Too short."),
        ]);
        assert_eq!(error.field_message("name"), Some("Too short."));
        assert_eq!(error.field_message("phone"), None);
        assert_eq!(error.code(), "VALIDATION_ERROR");
    }

    #[test]
    fn conflicts_name_their_field() {
        let error = AppError::Conflict(FieldError::new("email", "That email is taken."));
        assert_eq!(error.details().len(), 1);
        assert_eq!(error.to_string(), "That email is taken.");
        assert_eq!(error.status(), http::StatusCode::CONFLICT);
    }
}
