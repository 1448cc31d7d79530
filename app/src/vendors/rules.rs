//! The storefront rules: each field's [`Rule`] checks the value in the service and documents
//! it in the OpenAPI document, so the two cannot drift. Values are taken as sent.

use crate::platform::validate::{BLANK, CONTROL, Rule};
use std::sync::LazyLock;

pub const SLUG_MAX: usize = 60;

static STORE_NAME: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        2,
        60,
        format!("^[^{BLANK}][^{CONTROL}]*[^{BLANK}]$"),
        "2–60 characters, no control characters, no space at either end; unique whatever \
         the case.",
    )
});

static SLUG: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        0,
        SLUG_MAX,
        "^([a-z0-9]+(-[a-z0-9]+)*)?$".to_owned(),
        "The storefront's address, `/vendors/{slug}`: lower-case letters and digits in groups \
         joined by single dashes, at most 60; empty to make one from the store name.",
    )
});

static DESCRIPTION: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        0,
        2000,
        String::new(),
        "At most 2,000 characters; stored without spaces at either end.",
    )
});

static WEBSITE: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        0,
        200,
        format!("^(https?://[^/?#{BLANK}]+([/?#][^{BLANK}]*)?)?$"),
        "An `http://` or `https://` address, at most 200 characters; empty for none.",
    )
});

static PAYOUT_DETAILS: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        3,
        200,
        format!("^[^{CONTROL}]*[^{BLANK}][^{CONTROL}]*$"),
        "The PayPal address or the bank details (IBAN and BIC, or account and routing \
         numbers), on one line; 3–200 characters. Only the vendor and admins see them.",
    )
});

static REASON: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        5,
        500,
        format!("^[^{CONTROL}]*[^{BLANK}][^{CONTROL}]*$"),
        "Why, in 5–500 characters on one line; the applicant reads it.",
    )
});

pub fn store_name(value: &str) -> Result<String, String> {
    if !STORE_NAME.fits(value) {
        return Err("Use 2 to 60 characters.".into());
    }
    if !STORE_NAME.matches(value) {
        return Err("Use letters, digits and punctuation, with no space at either end.".into());
    }
    Ok(value.to_owned())
}

/// A slug as sent; `None` when empty (make one from the store name).
pub fn slug(value: &str) -> Result<Option<String>, String> {
    if SLUG.fits(value) && SLUG.matches(value) {
        Ok((!value.is_empty()).then(|| value.to_owned()))
    } else {
        Err("Use lower-case letters and digits joined by single dashes, like my-store.".into())
    }
}

pub fn description(value: &str) -> Result<String, String> {
    if DESCRIPTION.fits(value) {
        Ok(value.trim().to_owned())
    } else {
        Err(format!("Use at most {} characters.", DESCRIPTION.max()))
    }
}

/// A website as sent; `None` when empty.
pub fn website(value: &str) -> Result<Option<String>, String> {
    if WEBSITE.fits(value) && WEBSITE.matches(value) {
        Ok((!value.is_empty()).then(|| value.to_owned()))
    } else {
        Err("Enter an address starting with https://, like https://example.com.".into())
    }
}

pub fn payout_details(value: &str) -> Result<String, String> {
    if PAYOUT_DETAILS.fits(value) && PAYOUT_DETAILS.matches(value) {
        Ok(value.trim().to_owned())
    } else {
        Err("Enter your PayPal address or bank details on one line (3 to 200 characters).".into())
    }
}

/// A rejection reason, stored trimmed.
pub fn reason(value: &str) -> Result<String, String> {
    if REASON.fits(value) && REASON.matches(value) {
        Ok(value.trim().to_owned())
    } else {
        Err("Say why in 5 to 500 characters on one line.".into())
    }
}

/// A slug made from a store name: ASCII letters and digits, lower-cased, other runs turned
/// into single dashes, at most [`SLUG_MAX`] characters. Empty when the name has no ASCII
/// letter or digit.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(SLUG_MAX);
    slug.trim_end_matches('-').to_owned()
}

/// The fields' schemas in the OpenAPI document (`#[schema(schema_with = …)]`).
pub mod schema {
    use super::*;
    use utoipa::openapi::schema::Object;

    pub fn store_name() -> Object {
        STORE_NAME.schema()
    }
    pub fn optional_slug() -> Object {
        SLUG.nullable_schema()
    }
    pub fn optional_description() -> Object {
        DESCRIPTION.nullable_schema()
    }
    pub fn optional_website() -> Object {
        WEBSITE.nullable_schema()
    }
    pub fn payout_details() -> Object {
        PAYOUT_DETAILS.schema()
    }
    pub fn reason() -> Object {
        REASON.schema()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_made_from_names_and_checked_as_sent() {
        assert_eq!(slugify("Northwind  Templates!"), "northwind-templates");
        assert_eq!(slugify("  --Café 42--"), "caf-42");
        assert_eq!(slugify("日本"), "");
        assert_eq!(slugify(&"ab ".repeat(40)).len(), 59);
        assert_eq!(slug("").unwrap(), None);
        assert_eq!(slug("my-store-2").unwrap().as_deref(), Some("my-store-2"));
        for bad in ["My-Store", "-store", "store-", "my--store", "my store"] {
            assert!(slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_websites_details_and_reasons() {
        assert!(store_name("Northwind").is_ok());
        assert!(store_name(" Northwind").is_err());
        assert!(store_name("N").is_err());
        assert_eq!(website("").unwrap(), None);
        assert!(website("https://northwind.example/about?x=1").is_ok());
        for bad in [
            "northwind.example",
            "https://",
            "ftp://x.io",
            "https://a b.io",
        ] {
            assert!(website(bad).is_err(), "{bad}");
        }
        assert!(payout_details("me@paypal.example").is_ok());
        assert!(payout_details("   ").is_err());
        assert!(payout_details("line\nbreak").is_err());
        assert!(reason("Too short").is_ok());
        assert!(reason("No").is_err());
    }
}
