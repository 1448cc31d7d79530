//! `ApiJson<T>`: a JSON request body whose every failure is an envelope error a client can act
//! on — never a 500, never a message with Rust type names in it.

use app::error::{AppError, FieldError};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use http::header;
use serde::de::DeserializeOwned;

/// A JSON request body. Malformed JSON is `BAD_REQUEST`; JSON of the wrong shape is a
/// `VALIDATION_ERROR` naming the field (`items[2].price`); an oversize body is
/// `PAYLOAD_TOO_LARGE`.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime == "application/json"
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        if !is_json {
            return Err(AppError::BadRequest(
                "Send the body with `Content-Type: application/json`.".into(),
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest("The request body could not be read.".into())
                }
            })?;
        parse(&bytes).map(Self)
    }
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let (field, message) = describe(&path, &inner);
                AppError::Validation(vec![FieldError::new(field, message)])
            }
            _ => AppError::BadRequest("The request body is not valid JSON.".into()),
        }
    })?;
    deserializer
        .end()
        .map_err(|_| AppError::BadRequest("The request body is not valid JSON.".into()))?;
    Ok(value)
}

/// The field a data error is about and a sentence without serde's position suffix.
fn describe(path: &str, error: &serde_json::Error) -> (String, String) {
    let text = error.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text).to_owned();
    // A missing field is reported at its parent; name the field itself.
    if let Some(name) = text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        let field = if path == "." {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        return (field, "This field is required.".to_owned());
    }
    let field = if path == "." {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    (field, format!("Invalid value: {text}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)] // the fields are only deserialised
    struct Item {
        name: String,
        count: u32,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Order {
        items: Vec<Item>,
    }

    fn field_of(result: Result<Order, AppError>) -> (String, String) {
        let error = result.unwrap_err();
        let detail = error.details().first().cloned().expect("a field error");
        (detail.field, detail.message)
    }

    #[test]
    fn wrong_types_name_the_nested_field() {
        let (field, message) = field_of(parse(
            br#"{"items":[{"name":"a","count":1},{"name":"b","count":-3}]}"#,
        ));
        assert_eq!(field, "items[1].count");
        assert!(!message.contains("line"), "{message}");
    }

    #[test]
    fn missing_fields_are_named() {
        let (field, message) = field_of(parse(br#"{"items":[{"name":"a"}]}"#));
        assert_eq!(field, "items[0].count");
        assert_eq!(message, "This field is required.");
        let (field, _) = field_of(parse(b"{}"));
        assert_eq!(field, "items");
    }

    #[test]
    fn syntax_errors_and_trailing_garbage_are_bad_requests() {
        for body in [&b"{\"items\": ["[..], b"not json", b"{\"items\":[]} extra"] {
            let error = parse::<Order>(body).unwrap_err();
            assert_eq!(
                error.code(),
                "BAD_REQUEST",
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
