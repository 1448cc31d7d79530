//! The account rules of PRODUCT.md §1. Each string rule is a [`Rule`] that both checks the
//! value and documents the field in the OpenAPI document, so what the document calls valid is
//! exactly what the service accepts: values are taken as sent (the browser forms trim what
//! people type before it gets here). Each check returns the message a person sees next to the
//! field, or the value to store. (Email addresses are `platform::types::EmailAddress`; free
//! text is `platform::validate::text`.)

use crate::platform::validate::{BLANK, CONTROL, Rule};
use std::collections::HashSet;
use std::sync::LazyLock;
use utoipa::openapi::schema::Object;

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;
pub const NAME_MIN: usize = 2;
pub const NAME_MAX: usize = 50;
pub const BIO_MAX: usize = 1000;
pub const KEY_NAME_MAX: usize = 60;

/// The 3,000 most common passwords, lower-cased (source and licence in
/// `common_passwords.NOTICE`).
fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: LazyLock<HashSet<&'static str>> =
        LazyLock::new(|| include_str!("common_passwords.txt").lines().collect());
    &LIST
}

/// A new password: an upper-case letter, a lower-case letter and a digit in any order (ASCII,
/// so every regular-expression dialect reads the rule alike), anything else allowed.
static PASSWORD: LazyLock<Rule> = LazyLock::new(|| {
    let (upper, lower, digit, any) = ("[A-Z]", "[a-z]", "[0-9]", r"[\s\S]*");
    let orders = [
        [upper, lower, digit],
        [upper, digit, lower],
        [lower, upper, digit],
        [lower, digit, upper],
        [digit, upper, lower],
        [digit, lower, upper],
    ];
    let pattern = orders
        .iter()
        .map(|order| order.join(any))
        .collect::<Vec<_>>()
        .join("|");
    Rule::new(
        PASSWORD_MIN,
        PASSWORD_MAX,
        pattern,
        "8–128 characters with an upper-case letter (A–Z), a lower-case letter (a–z) and a \
         digit; one of the 3,000 most common passwords is refused (`VALIDATION_ERROR`).",
    )
});

/// A first or last name: no control characters, and no space at either end.
static NAME: LazyLock<Rule> = LazyLock::new(|| {
    Rule::name(
        NAME_MIN,
        NAME_MAX,
        "2–50 characters, no control characters, no space at either end.",
    )
});

/// A phone number: a leading `+` if any, then 7–15 digits with spaces, dashes, dots and
/// brackets anywhere among them; empty for none.
static PHONE: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        0,
        32,
        r"^(\+?[ ().-]*([0-9][ ().-]*){7,15})?$".to_owned(),
        "7–15 digits with spaces, dashes, dots and brackets, and an optional leading `+`, \
         like `+1 (555) 123-4567`; an empty string means no phone number.",
    )
});

/// An IANA time zone name (its shape: the list of zones changes).
static TIMEZONE: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        1,
        64,
        r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$".to_owned(),
        "An IANA time zone name such as `Europe/Paris` or `UTC`.",
    )
});

/// A language tag: a 2–3 letter primary language and optional subtags.
static LANGUAGE: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        2,
        35,
        "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$".to_owned(),
        "A language tag such as `en` or `pt-BR`.",
    )
});

/// A referral code as typed (either case); empty for none.
static REFERRAL_CODE: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        0,
        32,
        "^[A-Za-z0-9]*$".to_owned(),
        "Letters and digits (either case); an empty string means none.",
    )
});

/// A short free-text profile, any characters.
static BIO: LazyLock<Rule> = LazyLock::new(|| {
    Rule::text(
        BIO_MAX,
        "At most 1,000 characters; stored without spaces at either end.",
    )
});

/// An API key's name: something visible, no control characters.
static KEY_NAME: LazyLock<Rule> = LazyLock::new(|| {
    Rule::new(
        1,
        KEY_NAME_MAX,
        format!("^[^{CONTROL}]*[^{BLANK}][^{CONTROL}]*$"),
        "1–60 characters with at least one that is not a space; no control characters.",
    )
});

/// A new password: 8–128 characters with an upper-case letter, a lower-case letter and a
/// digit, and not one of the most common passwords.
pub fn password(value: &str) -> Result<(), String> {
    let length = value.chars().count();
    if length < PASSWORD_MIN {
        return Err(format!(
            "Use at least {PASSWORD_MIN} characters for your password."
        ));
    }
    if length > PASSWORD_MAX {
        return Err(format!("Use at most {PASSWORD_MAX} characters."));
    }
    if !PASSWORD.matches(value) {
        return Err(
            "Include an upper-case letter (A–Z), a lower-case letter (a–z) and a digit.".into(),
        );
    }
    if common_passwords().contains(value.to_lowercase().as_str()) {
        return Err("This password is too common; choose another.".into());
    }
    Ok(())
}

/// A password as typed to sign in or confirm: present, and no longer than any password can be
/// (so nothing longer reaches the throttle or the hasher).
pub fn typed_password(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("Enter your password.".into());
    }
    if value.chars().count() > PASSWORD_MAX {
        return Err(format!("A password has at most {PASSWORD_MAX} characters."));
    }
    Ok(())
}

/// A first or last name, as sent.
pub fn name(value: &str) -> Result<String, String> {
    NAME.check_name(value)
}

/// An optional phone number; an empty value means "no phone".
pub fn phone(value: &str) -> Result<Option<String>, String> {
    if !(PHONE.fits(value) && PHONE.matches(value)) {
        return Err("Enter a phone number of 7 to 15 digits, like +1 555 123 4567.".into());
    }
    let value = value.trim();
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

/// An IANA time zone name such as `Europe/Paris` or `UTC`.
pub fn timezone(value: &str) -> Result<String, String> {
    if TIMEZONE.fits(value) && TIMEZONE.matches(value) {
        Ok(value.to_owned())
    } else {
        Err("Choose a time zone such as Europe/Paris or UTC.".into())
    }
}

/// A language tag such as `en` or `pt-BR`.
pub fn language(value: &str) -> Result<String, String> {
    if LANGUAGE.fits(value) && LANGUAGE.matches(value) {
        Ok(value.to_owned())
    } else {
        Err("Choose a language code such as en or pt-BR.".into())
    }
}

/// An optional referral code, stored upper-case; an empty value means none.
pub fn referral_code(value: &str) -> Result<Option<String>, String> {
    if !(REFERRAL_CODE.fits(value) && REFERRAL_CODE.matches(value)) {
        return Err("A referral code has at most 32 letters and digits.".into());
    }
    Ok((!value.is_empty()).then(|| value.to_ascii_uppercase()))
}

/// A profile's bio, stored trimmed.
pub fn bio(value: &str) -> Result<String, String> {
    BIO.check_text(value)
}

/// An API key's name, stored trimmed.
pub fn key_name(value: &str) -> Result<String, String> {
    if !KEY_NAME.fits(value) {
        return Err(format!("Use 1 to {KEY_NAME_MAX} characters."));
    }
    if !KEY_NAME.matches(value) {
        return Err("Name the key, e.g. after the program that uses it.".into());
    }
    Ok(value.trim().to_owned())
}

/// The fields' schemas in the OpenAPI document (`#[schema(schema_with = …)]`).
pub mod schema {
    use super::*;

    pub fn password() -> Object {
        PASSWORD.schema()
    }
    pub fn name() -> Object {
        NAME.schema()
    }
    pub fn optional_name() -> Object {
        NAME.nullable_schema()
    }
    pub fn optional_phone() -> Object {
        PHONE.nullable_schema()
    }
    pub fn optional_timezone() -> Object {
        TIMEZONE.nullable_schema()
    }
    pub fn optional_language() -> Object {
        LANGUAGE.nullable_schema()
    }
    pub fn optional_referral_code() -> Object {
        REFERRAL_CODE.nullable_schema()
    }
    pub fn optional_bio() -> Object {
        BIO.nullable_schema()
    }
    pub fn key_name() -> Object {
        KEY_NAME.schema()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_follow_the_policy() {
        assert!(password("Tr0ub4dor&3").is_ok());
        assert!(password("3rd\nLine ok").is_ok());
        assert!(password("Short1A").is_err());
        assert!(password("alllowercase1").is_err());
        assert!(password("ALLUPPERCASE1").is_err());
        assert!(password("NoDigitsHere").is_err());
        assert!(password("ÉÇÀ-éçà-1234").is_err(), "A–Z and a–z only");
        assert!(password(&format!("Aa1{}", "x".repeat(126))).is_err());
        assert!(password(&format!("Aa1{}", "é".repeat(125))).is_ok());
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        assert_eq!(common_passwords().len(), 3000);
        // "password1" is on the list; the capitalised form passes the character rules.
        assert_eq!(
            password("Password1").unwrap_err(),
            "This password is too common; choose another."
        );
    }

    #[test]
    fn names_are_taken_as_sent() {
        assert_eq!(name("Jo").unwrap(), "Jo");
        assert_eq!(name("Mary Ann").unwrap(), "Mary Ann");
        assert_eq!(
            name(" Jo ").unwrap_err(),
            "Remove the spaces at the start and end."
        );
        assert!(name("Jo\u{3000}").is_err());
        assert!(name("J").is_err());
        assert!(name("J\u{1c}o").is_err());
        assert!(name(&"é".repeat(50)).is_ok());
        assert!(name(&"é".repeat(51)).is_err());
    }

    #[test]
    fn phones_timezones_languages_codes_and_key_names() {
        assert_eq!(phone("").unwrap(), None);
        assert_eq!(
            phone("+1 (555) 123-4567 ").unwrap().as_deref(),
            Some("+1 (555) 123-4567")
        );
        assert!(phone("12345").is_err());
        assert!(phone(" +15551234567").is_err());
        assert!(phone("555-CALL-NOW").is_err());
        assert!(phone(&format!("1234567{}", " ".repeat(26))).is_err());
        assert!(timezone("America/Argentina/Buenos_Aires").is_ok());
        assert!(timezone("../etc").is_err());
        assert!(timezone("Europe//Paris").is_err());
        assert!(timezone(" UTC").is_err());
        assert!(language("pt-BR").is_ok());
        assert!(language("english").is_err());
        assert_eq!(referral_code("ab12").unwrap().as_deref(), Some("AB12"));
        assert_eq!(referral_code("").unwrap(), None);
        assert!(referral_code(" ab12 ").is_err());
        assert_eq!(key_name(" ci ").unwrap(), "ci");
        assert!(key_name("   ").is_err());
        assert!(key_name("c\ni").is_err());
        assert_eq!(bio(&format!(" {} ", "b".repeat(998))).unwrap().len(), 998);
        assert!(bio(&"b".repeat(1001)).is_err());
    }
}
