//! Collecting field errors, so a form reports every problem at once, and [`Rule`], one string field's constraints, from which both its check and its
//! schema in the OpenAPI document are made — so the document says exactly what the server
//! accepts (schemathesis holds us to it in CI).

use crate::error::{AppError, FieldError};

/// Field errors gathered while checking a form.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    /// Records `result`'s message against `field` and passes its value on.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.push(FieldError::new(field, message));
                None
            }
        }
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// `Ok` when nothing failed, otherwise the validation error with every message.
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}

/// Characters Rust calls whitespace (`char::is_whitespace`) or control (`char::is_control`),
/// as the inside of a regular-expression character class, spelled so that Rust's `regex`,
/// ECMAScript (the OpenAPI document's dialect) and Python's `re` read it alike.
pub const BLANK: &str = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// The control characters (`char::is_control`), in the same spelling.
pub const CONTROL: &str = r"\x00-\x1f\x7f-\x9f";

/// The longest slug (the address part of `/vendors/{slug}`, `/products/{slug}`, …).
pub const SLUG_MAX: usize = 60;

/// A slug made from a name: ASCII letters and digits, lower-cased, other runs turned into
/// single dashes, at most [`SLUG_MAX`] characters. Empty when the name has no ASCII letter or
/// digit.
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

#[cfg(feature = "ssr")]
pub use rule::{Rule, slug, slug_schema};

#[cfg(feature = "ssr")]
mod rule {
    use regex::Regex;
    use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

    static SLUG: std::sync::LazyLock<Rule> = std::sync::LazyLock::new(|| {
        Rule::new(
            0,
            super::SLUG_MAX,
            "^([a-z0-9]+(-[a-z0-9]+)*)?$".to_owned(),
            "The address in URLs: lower-case letters and digits in groups joined by single \
             dashes, at most 60; empty or absent to make one from the name.",
        )
    });

    /// A slug as sent; `None` when empty (make one from the name).
    pub fn slug(value: &str) -> Result<Option<String>, String> {
        if SLUG.fits(value) && SLUG.matches(value) {
            Ok((!value.is_empty()).then(|| value.to_owned()))
        } else {
            Err("Use lower-case letters and digits joined by single dashes, like my-store.".into())
        }
    }

    /// The schema of an optional slug field.
    pub fn slug_schema() -> Object {
        SLUG.nullable_schema()
    }

    /// A string field's constraints: its length in characters (as JSON Schema counts them) and
    /// a pattern in the syntax shared by Rust's `regex`, ECMAScript and Python.
    #[derive(Debug)]
    pub struct Rule {
        min: usize,
        max: usize,
        pattern: String,
        regex: Regex,
        description: &'static str,
    }

    impl Rule {
        /// An empty pattern allows any characters. Panics on an invalid pattern: rules are built from constants, and the unit tests
        /// build every one.
        pub fn new(min: usize, max: usize, pattern: String, description: &'static str) -> Self {
            let regex = Regex::new(&pattern).expect("a rule's pattern compiles");
            Self {
                min,
                max,
                pattern,
                regex,
                description,
            }
        }

        /// A one-line name or title: `min`–`max` characters, no control characters, no space
        /// at either end.
        pub fn name(min: usize, max: usize, description: &'static str) -> Self {
            Self::new(
                min,
                max,
                format!(
                    "^[^{BLANK}][^{CONTROL}]*[^{BLANK}]$",
                    BLANK = super::BLANK,
                    CONTROL = super::CONTROL
                ),
                description,
            )
        }

        /// Free text of at most `max` characters, any characters, stored trimmed.
        pub fn text(max: usize, description: &'static str) -> Self {
            Self::new(0, max, String::new(), description)
        }

        /// A value of a [`Rule::name`] rule as sent, or the message a person sees.
        pub fn check_name(&self, value: &str) -> Result<String, String> {
            if !self.fits(value) {
                return Err(format!("Use {} to {} characters.", self.min, self.max));
            }
            if value.chars().any(char::is_control) {
                return Err(
                    "Use letters, digits and punctuation, without control characters.".into(),
                );
            }
            if !self.matches(value) {
                return Err("Remove the spaces at the start and end.".into());
            }
            Ok(value.to_owned())
        }

        /// A value of a [`Rule::text`] rule, trimmed, or the message a person sees.
        pub fn check_text(&self, value: &str) -> Result<String, String> {
            if self.fits(value) {
                Ok(value.trim().to_owned())
            } else {
                Err(format!("Use at most {} characters.", self.max))
            }
        }

        /// Whether the value's length in characters is within the rule's bounds.
        pub fn fits(&self, value: &str) -> bool {
            (self.min..=self.max).contains(&value.chars().count())
        }

        pub fn matches(&self, value: &str) -> bool {
            self.regex.is_match(value)
        }

        pub fn max(&self) -> usize {
            self.max
        }

        /// The field's schema: a string with these lengths and this pattern.
        pub fn schema(&self) -> Object {
            self.builder(SchemaType::Type(Type::String)).build()
        }

        /// The schema of an optional field that may also be `null`.
        pub fn nullable_schema(&self) -> Object {
            self.builder(SchemaType::from_iter([Type::String, Type::Null]))
                .build()
        }

        fn builder(&self, schema_type: SchemaType) -> ObjectBuilder {
            ObjectBuilder::new()
                .schema_type(schema_type)
                .min_length(Some(self.min))
                .max_length(Some(self.max))
                .pattern((!self.pattern.is_empty()).then(|| self.pattern.clone()))
                .description(Some(self.description))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "ssr")]
    #[test]
    fn the_blank_and_control_classes_are_exactly_rusts() {
        let class = |body: &str| regex::Regex::new(&format!("^[{body}]$")).unwrap();
        let (blank, control) = (class(BLANK), class(CONTROL));
        for c in (0..=0x10_ffff).filter_map(char::from_u32) {
            let text = c.to_string();
            assert_eq!(
                blank.is_match(&text),
                c.is_whitespace() || c.is_control(),
                "{c:?}"
            );
            assert_eq!(control.is_match(&text), c.is_control(), "{c:?}");
        }
    }

    #[cfg(feature = "ssr")]
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
    fn checks_report_every_field() {
        let mut checks = Checks::default();
        let short = |value: &str| {
            if value.len() <= 3 {
                Ok(value.to_owned())
            } else {
                Err("Use at most 3 characters.".to_owned())
            }
        };
        assert_eq!(checks.check("a", short("ok")), Some("ok".to_owned()));
        assert_eq!(checks.check("b", short("too long")), None);
        checks.add("c", "Wrong.");
        let error = checks.finish().unwrap_err();
        assert_eq!(error.field_message("b"), Some("Use at most 3 characters."));
        assert_eq!(error.details().len(), 2);
    }
}
