//! The catalog's field rules: each [`Rule`] checks a value in the service and documents the
//! field in the OpenAPI document. Values are taken as sent.

use super::model::{ProductForm, ProductInput};
use crate::error::AppError;
use crate::platform::types::Id;
use crate::platform::validate::{BLANK, CONTROL, Checks, Rule};
use std::sync::LazyLock;

pub const MAX_POSITION: i64 = 1000;
/// How deep the category tree goes: top level, and two levels below.
pub const MAX_DEPTH: u8 = 2;

static NAME: LazyLock<Rule> = LazyLock::new(|| {
    Rule::name(
        2,
        50,
        "2–50 characters, no control characters, no space at either end.",
    )
});

static DESCRIPTION: LazyLock<Rule> = LazyLock::new(|| {
    Rule::text(
        500,
        "At most 500 characters; stored without spaces at either end.",
    )
});

pub const PRICE_MAX: i64 = 100_000_000;
pub const TAGS_MAX: usize = 10;

static TITLE: LazyLock<Rule> = LazyLock::new(|| {
    Rule::name(
        2,
        120,
        "2–120 characters, no control characters, no space at either end.",
    )
});

static SUMMARY: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        0,
        300,
        format!("^[^{CONTROL}]*$"),
        "One line of at most 300 characters; stored without spaces at either end.",
    )
});

static PRODUCT_DESCRIPTION: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        0,
        20_000,
        String::new(),
        "Markdown, at most 20,000 characters.",
    )
});

static TAG: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        2,
        30,
        "^[a-z0-9]+(-[a-z0-9]+)*$".to_owned(),
        "Lower-case letters and digits joined by single dashes, 2–30 characters.",
    )
});

static REVIEW_BODY: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        10,
        2000,
        format!("^[^{BLANK}][\\s\\S]*[^{BLANK}]$"),
        "10–2,000 characters (lines allowed), no space at either end.",
    )
});

static REPLY: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        2,
        1000,
        format!("^[^{BLANK}][\\s\\S]*[^{BLANK}]$"),
        "2–1,000 characters (lines allowed), no space at either end.",
    )
});

/// A review's text: 10 to 2,000 characters, not starting or ending with a space.
pub fn review_body(value: &str) -> Result<String, String> {
    if REVIEW_BODY.fits(value) && REVIEW_BODY.matches(value) {
        Ok(value.to_owned())
    } else {
        Err("Write 10 to 2,000 characters, without spaces at either end.".into())
    }
}

/// A vendor's reply: 2 to 1,000 characters, not starting or ending with a space.
pub fn reply(value: &str) -> Result<String, String> {
    if REPLY.fits(value) && REPLY.matches(value) {
        Ok(value.to_owned())
    } else {
        Err("Write 2 to 1,000 characters, without spaces at either end.".into())
    }
}

/// A number of stars: 1 to 5.
pub fn rating(value: u8) -> Result<u8, String> {
    if (1..=5).contains(&value) {
        Ok(value)
    } else {
        Err("Give 1 to 5 stars.".into())
    }
}

pub fn title(value: &str) -> Result<String, String> {
    TITLE.check_name(value)
}

pub fn summary(value: &str) -> Result<String, String> {
    if SUMMARY.fits(value) && SUMMARY.matches(value) {
        Ok(value.trim().to_owned())
    } else {
        Err(format!(
            "Use one line of at most {} characters.",
            SUMMARY.max()
        ))
    }
}

pub fn product_description(value: &str) -> Result<String, String> {
    if PRODUCT_DESCRIPTION.fits(value) {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "Use at most {} characters.",
            PRODUCT_DESCRIPTION.max()
        ))
    }
}

/// Tags as sent: at most 10, each a lower-case word or words joined by dashes, no repeats.
pub fn tags(values: &[String]) -> Result<Vec<String>, String> {
    if values.len() > TAGS_MAX {
        return Err(format!("Use at most {TAGS_MAX} tags."));
    }
    if let Some(bad) = values.iter().find(|t| !(TAG.fits(t) && TAG.matches(t))) {
        return Err(format!(
            "\"{bad}\" is not a tag: use 2 to 30 lower-case letters and digits joined by dashes."
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = values.iter().find(|t| !seen.insert(t.as_str())) {
        return Err(format!("\"{twice}\" is listed twice."));
    }
    Ok(values.to_vec())
}

/// An amount in minor units: 0 to [`PRICE_MAX`] (1,000,000.00).
pub fn amount(value: i64) -> Result<i64, String> {
    if (0..=PRICE_MAX).contains(&value) {
        Ok(value)
    } else {
        Err("Use an amount in cents from 0 to 100,000,000.".into())
    }
}

/// The editor's form as the products service's input: prices typed in currency units, tags
/// separated by commas; every unreadable price named at once.
pub fn product_input(form: ProductForm) -> Result<ProductInput, AppError> {
    let mut checks = Checks::default();
    let price = checks.check("price", typed_amount(&form.price));
    let compare_at = if form.compare_at.trim().is_empty() {
        Some(None)
    } else {
        checks
            .check("compareAt", typed_amount(&form.compare_at))
            .map(Some)
    };
    checks.finish()?;
    Ok(ProductInput {
        title: form.title.trim().to_owned(),
        slug: Some(form.slug.trim().to_owned()),
        summary: Some(form.summary.trim().to_owned()),
        description: Some(form.description),
        price: price.unwrap_or_default(),
        compare_at: compare_at.flatten(),
        category_id: Id::parse_or_not_found(&form.category_id, "The category")?,
        tags: form
            .tags
            .split(',')
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect(),
    })
}

/// An amount typed in a form in whole currency units, with at most two decimals ("29",
/// "29.5", "29.00"), as minor units.
pub fn typed_amount(value: &str) -> Result<i64, String> {
    let refused = || "Use an amount such as 29 or 29.99.".to_owned();
    let (units, cents) = value.trim().split_once('.').unwrap_or((value.trim(), ""));
    let digits = |part: &str| {
        !part.is_empty() && part.len() <= 9 && part.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(units) || !(cents.is_empty() || (cents.len() <= 2 && digits(cents))) {
        return Err(refused());
    }
    let units: i64 = units.parse().map_err(|_| refused())?;
    let cents: i64 = format!("{cents:0<2}").parse().map_err(|_| refused())?;
    amount(units * 100 + cents)
}

pub fn name(value: &str) -> Result<String, String> {
    NAME.check_name(value)
}

pub fn description(value: &str) -> Result<String, String> {
    DESCRIPTION.check_text(value)
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
    pub fn title() -> Object {
        TITLE.schema()
    }
    pub fn optional_summary() -> Object {
        SUMMARY.nullable_schema()
    }
    pub fn optional_product_description() -> Object {
        PRODUCT_DESCRIPTION.nullable_schema()
    }
    pub fn review_body() -> Object {
        REVIEW_BODY.schema()
    }
    pub fn optional_review_body() -> Object {
        REVIEW_BODY.nullable_schema()
    }
    pub fn reply() -> Object {
        REPLY.schema()
    }
    pub fn tag() -> Object {
        TAG.schema()
    }
    pub fn tags() -> utoipa::openapi::schema::Array {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(TAG.schema())
            .max_items(Some(TAGS_MAX))
            .unique_items(true)
            .description(Some("At most 10 tags, no repeats."))
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_amounts_become_minor_units() {
        assert_eq!(typed_amount("29"), Ok(2900));
        assert_eq!(typed_amount(" 29.5 "), Ok(2950));
        assert_eq!(typed_amount("29.99"), Ok(2999));
        assert_eq!(typed_amount("0"), Ok(0));
        for bad in ["", "-1", "29.999", "1e3", "29,99", ".5", "abc", "2000000"] {
            assert!(typed_amount(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn review_texts_follow_their_rule() {
        assert!(review_body("Works well.\nTwo lines too.").is_ok());
        assert!(review_body(" Leading space is refused").is_err());
        assert!(review_body("short").is_err());
        assert!(reply("Thanks!").is_ok());
        assert!(rating(0).is_err() && rating(6).is_err() && rating(3).is_ok());
    }
}
