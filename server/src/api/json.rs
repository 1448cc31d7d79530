//! `ApiJson<T>`: a JSON request body whose every failure is an envelope error a client can act
//! on — never a 500, never a message with Rust type names in it.

use app::error::{AppError, FieldError};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use http::header;
use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, Deserializer, IntoDeserializer, Unexpected, Visitor};
use serde_json::Value;

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

/// Malformed JSON is `BAD_REQUEST`; JSON of the wrong shape is a `VALIDATION_ERROR` naming the
/// field.
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|_| AppError::BadRequest("The request body is not valid JSON.".into()))?;
    serde_path_to_error::deserialize(Strict(value)).map_err(|error| {
        let path = error.path().to_string();
        let (field, message) = describe(&path, error.inner());
        AppError::Validation(vec![FieldError::new(field, message)])
    })
}

/// A parsed body read into Rust types as the OpenAPI document describes them. `serde_json`
/// would also read a struct from an array of its fields in order (`[null, null]` as an
/// `AccountChanges`), which no schema allows, and would refuse `39.0` for an integer, which
/// JSON Schema calls one; here a struct comes only from an object, at any depth, and a whole
/// number is an integer however it is written. Everything else reads as `serde_json` does.
struct Strict(Value);

impl<'de> Deserializer<'de> for Strict {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(value) => visitor.visit_bool(value),
            Value::Number(number) => match whole(&number) {
                Some(n) if n < 0 => visitor.visit_i64(n),
                Some(n) => visitor.visit_u64(n.unsigned_abs()),
                None => number.deserialize_any(visitor),
            },
            Value::String(text) => visitor.visit_string(text),
            Value::Array(items) => {
                let mut items = SeqDeserializer::new(items.into_iter().map(Strict));
                let value = visitor.visit_seq(&mut items)?;
                items.end()?;
                Ok(value)
            }
            Value::Object(fields) => visit_object(fields, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(fields) => visit_object(fields, visitor),
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

impl IntoDeserializer<'_, serde_json::Error> for Strict {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// A number JSON Schema calls an integer — one without a fractional part, `39.0` included —
/// as an `i64`, when it fits.
fn whole(number: &serde_json::Number) -> Option<i64> {
    number.as_i64().or_else(|| {
        let value = number.as_f64()?;
        // The bounds are exact in f64 (±2^63); the upper one is excluded.
        let fits = (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&value);
        #[allow(clippy::cast_possible_truncation)] // whole and within range: exact
        (value.fract() == 0.0 && fits).then_some(value as i64)
    })
}

fn visit_object<'de, V: Visitor<'de>>(
    fields: serde_json::Map<String, Value>,
    visitor: V,
) -> Result<V::Value, serde_json::Error> {
    let mut fields = MapDeserializer::new(fields.into_iter().map(|(k, v)| (k, Strict(v))));
    let value = visitor.visit_map(&mut fields)?;
    fields.end()?;
    Ok(value)
}

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(value) => Unexpected::Bool(*value),
        Value::Number(_) => Unexpected::Other("a number"),
        Value::String(text) => Unexpected::Str(text),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// The field a data error is about and a sentence without serde's position suffix.
fn describe(path: &str, error: &serde_json::Error) -> (String, String) {
    let text = error.to_string();
    let mut text = text.split(" at line ").next().unwrap_or(&text).to_owned();
    // serde names the Rust type it expected; say what the JSON should have been instead.
    for (rust, json) in [
        ("struct", "an object"),
        ("enum", "one of the documented values"),
    ] {
        if let Some((head, _)) = text.rsplit_once(&format!(", expected {rust} ")) {
            text = format!("{head}, expected {json}");
        }
    }
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

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Settings {
        inner: Option<Flags>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Flags {
        on: bool,
    }

    /// serde's derive reads a struct from an array of its fields too; the schema says object.
    #[test]
    fn structs_are_read_only_from_objects_at_any_depth() {
        assert!(parse::<Settings>(br#"{"inner":{"on":true}}"#).is_ok());
        assert!(parse::<Settings>(br#"{"inner":null}"#).is_ok());
        let error = parse::<Settings>(br#"[null]"#).unwrap_err();
        assert_eq!(error.code(), "VALIDATION_ERROR");
        let error = parse::<Settings>(br#"{"inner":[true]}"#).unwrap_err();
        assert_eq!(error.details()[0].field, "inner");
        assert_eq!(
            error.details()[0].message,
            "Invalid value: invalid type: sequence, expected an object."
        );
        assert!(parse::<Order>(br#"{"items":[["a",1]]}"#).is_err());
        assert!(parse::<Order>(br#"{"items":[{"name":"a","count":1}]}"#).is_ok());
    }

    /// JSON Schema's integers include `39.0`; a fraction is still refused.
    #[test]
    fn whole_numbers_are_integers_however_written() {
        assert!(parse::<Order>(br#"{"items":[{"name":"a","count":39.0}]}"#).is_ok());
        assert!(parse::<Order>(br#"{"items":[{"name":"a","count":3.5}]}"#).is_err());
        assert!(parse::<Order>(br#"{"items":[{"name":"a","count":-1.0}]}"#).is_err());
        assert!(parse::<Order>(br#"{"items":[{"name":"a","count":1e300}]}"#).is_err());
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
