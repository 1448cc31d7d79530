//! `ApiJson<T>`: `axum::Json` whose rejections become envelope errors with a clear message.

use app::error::{AppError, FieldError};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// A JSON request body. Malformed JSON is `BAD_REQUEST`; JSON of the wrong shape is a
/// `VALIDATION_ERROR` naming the field; an oversize body is `PAYLOAD_TOO_LARGE`.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejection_to_error(&rejection)),
        }
    }
}

fn rejection_to_error(rejection: &JsonRejection) -> AppError {
    match rejection {
        JsonRejection::JsonDataError(error) => {
            // axum's text is "Failed to deserialize …: <path>: <reason>".
            let text = error.body_text();
            let detail = text
                .split_once("target type: ")
                .map_or(text.as_str(), |(_, d)| d);
            let (field, message) = match detail.split_once(": ") {
                Some((path, reason)) if !path.contains(' ') => (path.to_owned(), reason.to_owned()),
                _ => ("body".to_owned(), detail.to_owned()),
            };
            AppError::Validation(vec![FieldError::new(field, message)])
        }
        JsonRejection::JsonSyntaxError(_) => {
            AppError::BadRequest("The request body is not valid JSON.".into())
        }
        JsonRejection::MissingJsonContentType(_) => {
            AppError::BadRequest("Send the body with `Content-Type: application/json`.".into())
        }
        other if other.status() == http::StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        _ => AppError::BadRequest("The request body could not be read.".into()),
    }
}
