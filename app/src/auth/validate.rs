//! The account rules of PRODUCT.md §1, as pure functions: each returns the message a person
//! sees next to the field, or the cleaned value. (Email addresses are
//! `platform::types::EmailAddress`; free text is `platform::validate::text`.)

use std::collections::HashSet;
use std::sync::OnceLock;

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;
pub const NAME_MIN: usize = 2;
pub const NAME_MAX: usize = 50;
pub const BIO_MAX: usize = 1000;

/// The 3,000 most common passwords, lower-cased (source and licence in
/// `common_passwords.NOTICE`).
fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| include_str!("common_passwords.txt").lines().collect())
}

/// 8–128 characters with an upper-case letter, a lower-case letter and a digit, and not one
/// of the most common passwords.
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
    let upper = value.chars().any(char::is_uppercase);
    let lower = value.chars().any(char::is_lowercase);
    let digit = value.chars().any(|c| c.is_ascii_digit());
    if !(upper && lower && digit) {
        return Err("Include an upper-case letter, a lower-case letter and a digit.".into());
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

/// A first or last name: 2–50 characters after trimming.
pub fn name(value: &str) -> Result<String, String> {
    let value = value.trim();
    let length = value.chars().count();
    if !(NAME_MIN..=NAME_MAX).contains(&length) {
        return Err(format!("Use {NAME_MIN} to {NAME_MAX} characters."));
    }
    if value.chars().any(char::is_control) {
        return Err("Use letters, spaces and punctuation only.".into());
    }
    Ok(value.to_owned())
}

/// An optional phone number: digits with spaces, dashes, dots, brackets and a leading `+`,
/// 7–15 digits. An empty value means "no phone".
pub fn phone(value: &str) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value.chars().enumerate().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')') || (c == '+' && i == 0)
    });
    if allowed && (7..=15).contains(&digits) {
        Ok(Some(value.to_owned()))
    } else {
        Err("Enter a phone number of 7 to 15 digits, like +1 555 123 4567.".into())
    }
}

/// An IANA time zone name such as `Europe/Paris` or `UTC` (shape only: the list changes).
pub fn timezone(value: &str) -> Result<String, String> {
    let value = value.trim();
    let valid = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'))
        && !value.starts_with('/')
        && !value.ends_with('/');
    if valid {
        Ok(value.to_owned())
    } else {
        Err("Choose a time zone such as Europe/Paris or UTC.".into())
    }
}

/// A language tag such as `en` or `pt-BR`.
pub fn language(value: &str) -> Result<String, String> {
    let value = value.trim();
    let mut parts = value.split('-');
    let primary = parts.next().unwrap_or_default();
    let valid = (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && parts
            .all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if valid {
        Ok(value.to_owned())
    } else {
        Err("Choose a language code such as en or pt-BR.".into())
    }
}

/// An optional referral code: letters and digits, at most 32.
pub fn referral_code(value: &str) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() <= 32 && value.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(Some(value.to_ascii_uppercase()))
    } else {
        Err("A referral code has only letters and digits.".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_follow_the_policy() {
        assert!(password("Tr0ub4dor&3").is_ok());
        assert!(password("Short1A").is_err());
        assert!(password("alllowercase1").is_err());
        assert!(password("ALLUPPERCASE1").is_err());
        assert!(password("NoDigitsHere").is_err());
        assert!(password(&format!("Aa1{}", "x".repeat(126))).is_err());
        assert!(password(&format!("Aa1{}", "x".repeat(125))).is_ok());
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
    fn names_are_two_to_fifty_characters() {
        assert_eq!(name(" Jo ").unwrap(), "Jo");
        assert!(name("J").is_err());
        assert!(name(&"é".repeat(50)).is_ok());
        assert!(name(&"é".repeat(51)).is_err());
    }

    #[test]
    fn phones_timezones_languages_and_codes() {
        assert_eq!(phone("").unwrap(), None);
        assert_eq!(
            phone("+1 (555) 123-4567").unwrap().as_deref(),
            Some("+1 (555) 123-4567")
        );
        assert!(phone("12345").is_err());
        assert!(phone("555-CALL-NOW").is_err());
        assert!(timezone("America/Argentina/Buenos_Aires").is_ok());
        assert!(timezone("../etc").is_err());
        assert!(language("pt-BR").is_ok());
        assert!(language("english").is_err());
        assert_eq!(referral_code(" ab12 ").unwrap().as_deref(), Some("AB12"));
        assert!(referral_code("no spaces!").is_err());
    }
}
