//! The catalog's field rules: each [`Rule`] checks a value in the service and documents the
//! field in the OpenAPI document. Values are taken as sent.

use crate::platform::validate::{BLANK, CONTROL, Rule};
use std::sync::LazyLock;

pub const MAX_POSITION: i64 = 1000;
/// How deep the category tree goes: top level, and two levels below.
pub const MAX_DEPTH: u8 = 2;

static NAME: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        2,
        50,
        format!("^[^{BLANK}][^{CONTROL}]*[^{BLANK}]$"),
        "2–50 characters, no control characters, no space at either end.",
    )
});

static DESCRIPTION: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        0,
        500,
        String::new(),
        "At most 500 characters; stored without spaces at either end.",
    )
});

pub fn name(value: &str) -> Result<String, String> {
    if !NAME.fits(value) {
        return Err("Use 2 to 50 characters.".into());
    }
    if !NAME.matches(value) {
        return Err("Use letters, digits and punctuation, with no space at either end.".into());
    }
    Ok(value.to_owned())
}

pub fn description(value: &str) -> Result<String, String> {
    if DESCRIPTION.fits(value) {
        Ok(value.trim().to_owned())
    } else {
        Err(format!("Use at most {} characters.", DESCRIPTION.max()))
    }
}

pub fn position(value: i64) -> Result<i64, String> {
    if (0..=MAX_POSITION).contains(&value) {
        Ok(value)
    } else {
        Err(format!("Use a position from 0 to {MAX_POSITION}."))
    }
}

/// The fields' schemas in the OpenAPI document (`#[schema(schema_with = …)]`).
pub mod schema {
    use super::*;
    use utoipa::openapi::schema::Object;

    pub fn name() -> Object {
        NAME.schema()
    }
    pub fn optional_name() -> Object {
        NAME.nullable_schema()
    }
    pub fn optional_description() -> Object {
        DESCRIPTION.nullable_schema()
    }
}
