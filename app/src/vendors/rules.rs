//! The storefront rules: each field's [`Rule`] checks the value in the service and documents
//! it in the OpenAPI document, so the two cannot drift. Values are taken as sent.

use crate::platform::validate::{BLANK, CONTROL, Rule};
use std::sync::LazyLock;

static STORE_NAME: LazyLock<Rule> = LazyLock::new(|| {
    Rule::name(
        2,
        60,
        "2–60 characters, no control characters, no space at either end; unique whatever \
         the case.",
    )
});

static DESCRIPTION: LazyLock<Rule> = LazyLock::new(|| {
    Rule::text(
        2000,
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
    STORE_NAME.check_name(value)
}

pub fn description(value: &str) -> Result<String, String> {
    DESCRIPTION.check_text(value)
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

/// The fields' schemas in the OpenAPI document (`#[schema(schema_with = …)]`).
pub mod schema {
    use super::*;
    use utoipa::openapi::schema::Object;

    pub fn store_name() -> Object {
        STORE_NAME.schema()
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
