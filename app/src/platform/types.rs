//! The typed edge of the database and the API: ids, timestamps and email addresses are
//! newtypes, so a user id cannot be passed where a token goes, a timestamp is never a bare
//! number, and an email address is valid wherever one exists.
//!
//! All three are stored as plain text or integers (the `Any` driver carries nothing richer)
//! and serialise as their inner value, so the wire format is unchanged.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An opaque public id (a UUID for new rows). Ids from a request are checked by
/// [`Id::parse`] before anything else touches them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type, utoipa::ToSchema),
    sqlx(transparent)
)]
#[serde(transparent)]
pub struct Id(String);

impl Id {
    /// The longest id accepted from outside.
    pub const MAX_LEN: usize = 64;

    /// A new random id.
    #[cfg(feature = "ssr")]
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    /// An id from a request: at most [`Id::MAX_LEN`] characters of `A-Z a-z 0-9 - _`.
    /// Anything else cannot name a row, so it is refused before a query is built.
    pub fn parse(value: &str) -> Option<Self> {
        let ok = !value.is_empty()
            && value.len() <= Self::MAX_LEN
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(value.to_owned()))
    }

    /// An id that came from our own database or code.
    pub fn from_trusted(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A moment in UTC, stored and sent as unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type, utoipa::ToSchema),
    sqlx(transparent)
)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    #[cfg(feature = "ssr")]
    pub fn now() -> Self {
        let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
        Self(i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX))
    }

    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Seconds since the epoch (JWT claims count in seconds).
    pub const fn as_secs(self) -> i64 {
        self.0 / 1000
    }

    /// This moment plus `millis` (saturating).
    pub const fn plus_millis(self, millis: i64) -> Self {
        Self(self.0.saturating_add(millis))
    }

    /// `YYYY-MM-DD HH:MM UTC`, for pages.
    pub fn display_utc(self) -> String {
        let seconds = self.0.div_euclid(1000);
        let days = seconds.div_euclid(86_400);
        let time = seconds.rem_euclid(86_400);
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        format!(
            "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
            time / 3600,
            time % 3600 / 60
        )
    }
}

/// A valid email address: trimmed, at most 254 characters, one `@`, a dotted domain, no
/// spaces. Its [`key`](EmailAddress::key) (lower case) is what uniqueness uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type, utoipa::ToSchema),
    sqlx(transparent)
)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    /// The address, or the message a person sees next to the field.
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value.is_empty() {
            return Err("Enter your email address.".into());
        }
        if value.len() > Self::MAX_LEN {
            return Err(format!(
                "An email address has at most {} characters.",
                Self::MAX_LEN
            ));
        }
        let valid = value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
        }) && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err("Enter a valid email address, like name@example.com.".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive form that uniqueness and look-ups use.
    pub fn key(&self) -> String {
        email_key(&self.0)
    }
}

/// The look-up key of any typed address (valid or not): trimmed and lower-cased.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

impl TryFrom<String> for EmailAddress {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_outside_are_short_plain_tokens() {
        assert!(Id::parse("9f1c2a6e-7c1e-4b7b-a5a6-0f8f0c1b2d3e").is_some());
        assert!(Id::parse("").is_none());
        assert!(Id::parse(&"a".repeat(65)).is_none());
        assert!(Id::parse("../etc").is_none());
        assert!(Id::parse("a b").is_none());
    }

    #[test]
    fn timestamps_show_as_utc_dates() {
        assert_eq!(
            Timestamp::from_millis(0).display_utc(),
            "1970-01-01 00:00 UTC"
        );
        assert_eq!(
            Timestamp::from_millis(1_767_225_600_000).display_utc(),
            "2026-01-01 00:00 UTC"
        );
        assert_eq!(
            Timestamp::from_millis(1000).plus_millis(500).as_millis(),
            1500
        );
    }

    #[test]
    fn email_addresses_are_checked_and_keyed() {
        let email = EmailAddress::parse("  Ada@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "Ada@Example.COM");
        assert_eq!(email.key(), "ada@example.com");
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@x.io",
            "a@b@c.io",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        assert!(EmailAddress::parse(&format!("{}@x.io", "a".repeat(250))).is_err());
        let json = serde_json::to_string(&email).unwrap();
        assert_eq!(json, "\"Ada@Example.COM\"");
        assert!(serde_json::from_str::<EmailAddress>("\"nope\"").is_err());
    }
}
