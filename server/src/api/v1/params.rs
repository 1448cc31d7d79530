//! What every list's query string shares: the schemas of `page`, `limit`, `search` and enum
//! words (from the same bounds the services check), and reading numbers with a field message.

use app::error::{AppError, FieldError};
use app::platform::paging::Window;
use app::platform::paging::{MAX_PAGE, MAX_PAGE_SIZE, SEARCH_MAX};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

pub fn page_schema() -> Object {
    whole_number(MAX_PAGE)
        .description(Some("The page, from 1 (default 1)."))
        .build()
}

pub fn limit_schema() -> Object {
    whole_number(MAX_PAGE_SIZE)
        .description(Some("Items per page (default 20)."))
        .build()
}

pub fn search_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(SEARCH_MAX))
        .build()
}

/// An amount of money in minor units, from 0 to `max`.
pub fn amount_schema(max: i64) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .maximum(Some(max))
        .build()
}

/// A slug naming something (an unknown one is `NOT_FOUND`).
pub fn slug_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(app::platform::validate::SLUG_MAX))
        .build()
}

/// `asc` or `desc`.
pub fn order_schema() -> Object {
    words(["asc", "desc"])
}

/// A string that is one of `values`.
pub fn words<const N: usize>(values: [&str; N]) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .build()
}

fn whole_number(max: u32) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(max))
}

/// A whole number of minor units as sent in a query string; a message on `field` otherwise
/// (the service checks the bounds).
pub fn money(errors: &mut Vec<FieldError>, field: &str, value: Option<String>) -> Option<i64> {
    value.and_then(|v| match v.parse::<i64>() {
        Ok(n) => Some(n),
        _ => {
            errors.push(FieldError::new(field, "Use a whole number of cents."));
            None
        }
    })
}

/// A whole number from 1 as sent in a query string; a message on `field` otherwise (the
/// service checks the upper bound).
pub fn number(errors: &mut Vec<FieldError>, field: &str, value: Option<String>) -> Option<u32> {
    value.and_then(|v| match v.parse::<u32>() {
        Ok(n) if n >= 1 => Some(n),
        _ => {
            errors.push(FieldError::new(field, "Use a whole number from 1."));
            None
        }
    })
}

/// The page window of a query string, once `errors` (what its other fields got wrong) and
/// `page` and `limit` are all fine: every problem is named at once.
pub fn window(
    mut errors: Vec<FieldError>,
    page: Option<String>,
    limit: Option<String>,
) -> Result<Window, AppError> {
    let page = number(&mut errors, "page", page);
    let limit = number(&mut errors, "limit", limit);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Window::new(page, limit)
}

/// A number of stars, 1 to 5.
pub fn stars_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(5))
        .build()
}

/// A number of stars as sent in a query string; a message on `field` otherwise.
pub fn stars(errors: &mut Vec<FieldError>, field: &str, value: Option<String>) -> Option<u8> {
    value.and_then(|v| match v.parse::<u8>() {
        Ok(n) if (1..=5).contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::new(field, "Use 1 to 5 stars."));
            None
        }
    })
}
