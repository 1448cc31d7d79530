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

    /// An id from a request that names a `what` ("The product"): one that cannot name a row
    /// is that thing's `NOT_FOUND`.
    pub fn parse_or_not_found(value: &str, what: &str) -> Result<Self, crate::error::AppError> {
        Self::parse(value).ok_or_else(|| crate::error::AppError::NotFound(what.into()))
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

/// A moment in UTC: unix milliseconds in the database, an RFC 3339 string with milliseconds
/// (`2026-11-22T09:49:49.447Z`) on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type, utoipa::ToSchema),
    sqlx(transparent),
    schema(value_type = String, format = DateTime, example = "2026-11-22T09:49:49.447Z")
)]
pub struct Timestamp(i64);

/// A date and time of day, split out of a [`Timestamp`].
struct Civil {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
}

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
        let c = self.civil();
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            c.year, c.month, c.day, c.hour, c.minute
        )
    }

    /// `YYYY-MM-DD` (UTC), for pages.
    /// The first moment (UTC) of a day written `YYYY-MM-DD`, as forms and query strings send
    /// dates; `None` for anything else.
    pub fn parse_day(value: &str) -> Option<Self> {
        if value.len() != 10 {
            return None;
        }
        Self::parse_rfc3339(&format!("{value}T00:00:00Z"))
    }

    /// The UTC year and month (1–12).
    pub fn year_month(self) -> (i64, i64) {
        let c = self.civil();
        (c.year, c.month)
    }

    pub fn display_date(self) -> String {
        let c = self.civil();
        format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (RFC 3339), as the API sends it.
    pub fn to_rfc3339(self) -> String {
        let c = self.civil();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            c.year, c.month, c.day, c.hour, c.minute, c.second, c.millis
        )
    }

    /// An RFC 3339 time in UTC (`Z` or `+00:00`), with or without fractions of a second
    /// (kept to the millisecond).
    pub fn parse_rfc3339(value: &str) -> Option<Self> {
        let (date, rest) = value.split_once(['T', 't'])?;
        let time = rest
            .strip_suffix(['Z', 'z'])
            .or_else(|| rest.strip_suffix("+00:00"))?;
        let number = |text: &str, digits: usize| {
            (text.len() == digits && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| text.parse::<i64>().ok())
                .flatten()
        };
        let mut ymd = date.split('-');
        let (year, month, day) = (
            number(ymd.next()?, 4)?,
            number(ymd.next()?, 2)?,
            number(ymd.next()?, 2)?,
        );
        let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
        let mut hms = clock.split(':');
        let (hour, minute, second) = (
            number(hms.next()?, 2)?,
            number(hms.next()?, 2)?,
            number(hms.next()?, 2)?,
        );
        if ymd.next().is_some() || hms.next().is_some() || fraction.len() > 9 {
            return None;
        }
        if !fraction.bytes().all(|b| b.is_ascii_digit())
            || (time.contains('.') && fraction.is_empty())
        {
            return None;
        }
        let millis = format!("{fraction:0<3}")[..3].parse::<i64>().ok()?;
        let valid = (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60;
        valid.then(|| {
            let seconds =
                days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
            Self(seconds * 1000 + millis)
        })
    }

    fn civil(self) -> Civil {
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
        Civil {
            year: yoe + era * 400 + i64::from(month <= 2),
            month,
            day,
            hour: time / 3600,
            minute: time % 3600 / 60,
            second: time % 60,
            millis: self.0.rem_euclid(1000),
        }
    }
}

/// Days since 1970-01-01 of a civil date (the inverse of `Timestamp::civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse_rfc3339(&text).ok_or_else(|| {
            serde::de::Error::custom(
                "expected an RFC 3339 time in UTC, e.g. 2026-11-22T09:49:49.447Z",
            )
        })
    }
}

/// An amount of money: integer minor units (cents) and an ISO 4217 currency code — never a
/// float.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Money {
    /// Minor units: `1999` is 19.99.
    pub amount: i64,
    /// ISO 4217, e.g. `USD`.
    pub currency: String,
}

impl Money {
    /// `19.99 USD`, for pages.
    pub fn display(&self) -> String {
        let sign = if self.amount < 0 { "-" } else { "" };
        let units = self.amount.unsigned_abs();
        format!("{sign}{}.{:02} {}", units / 100, units % 100, self.currency)
    }
}

/// One page of a list: its items, where it is, and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub limit: u32,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn total_pages(&self) -> u32 {
        u32::try_from(self.total.div_ceil(u64::from(self.limit.max(1)))).unwrap_or(u32::MAX)
    }
}

/// A valid email address, as sent: at most 254 characters, one `@` with something before it,
/// a dotted domain, no whitespace or control characters. Its [`key`](EmailAddress::key) (lower
/// case) is what uniqueness uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    /// The address, or the message a person sees next to the field.
    pub fn parse(value: &str) -> Result<Self, String> {
        if value.is_empty() {
            return Err("Enter your email address.".into());
        }
        if value.chars().count() > Self::MAX_LEN {
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

/// The OpenAPI schema of an email address: the same rule as [`EmailAddress::parse`], as a
/// pattern (a unit test holds the two together).
#[cfg(feature = "ssr")]
pub fn email_schema() -> utoipa::openapi::schema::Object {
    use crate::platform::validate::{BLANK, Rule};
    static EMAIL: std::sync::LazyLock<Rule> = std::sync::LazyLock::new(|| {
        Rule::new(
            1,
            EmailAddress::MAX_LEN,
            format!("^[^@{BLANK}]+@[^@.{BLANK}]+([.][^@.{BLANK}]+)+$"),
            "An email address such as `name@example.com`: no spaces, one `@`, a dotted domain.",
        )
    });
    EMAIL.schema()
}

#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for EmailAddress {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        email_schema().into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for EmailAddress {}

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
    fn timestamps_travel_as_rfc_3339() {
        let moment = Timestamp::from_millis(1_795_340_989_447);
        assert_eq!(moment.to_rfc3339(), "2026-11-22T09:49:49.447Z");
        assert_eq!(
            serde_json::to_value(moment).unwrap(),
            serde_json::json!("2026-11-22T09:49:49.447Z")
        );
        for text in [
            "2026-11-22T09:49:49.447Z",
            "2026-11-22t09:49:49.447z",
            "2026-11-22T09:49:49.447+00:00",
            "2026-11-22T09:49:49.447999Z",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(text), Some(moment), "{text}");
        }
        assert_eq!(
            Timestamp::parse_rfc3339("2024-02-29T00:00:00Z").map(Timestamp::display_utc),
            Some("2024-02-29 00:00 UTC".to_owned())
        );
        for bad in [
            "",
            "2026-11-22",
            "2026-11-22T09:49:49",
            "2026-11-22T09:49:49+02:00",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T09:49:49.Z",
            "1795340989447",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(
            Timestamp::parse_day("2026-11-22").map(Timestamp::display_utc),
            Some("2026-11-22 00:00 UTC".to_owned())
        );
        for bad in [
            "2026-11-2",
            "2026-13-01",
            "22/11/2026",
            "2026-11-22T00:00:00Z",
        ] {
            assert_eq!(Timestamp::parse_day(bad), None, "{bad}");
        }
        let epoch = Timestamp::from_millis(0);
        assert_eq!(Timestamp::parse_rfc3339(&epoch.to_rfc3339()), Some(epoch));
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
    fn money_displays_its_minor_units() {
        let money = |amount| Money {
            amount,
            currency: "USD".into(),
        };
        assert_eq!(money(1999).display(), "19.99 USD");
        assert_eq!(money(5).display(), "0.05 USD");
        assert_eq!(money(-250).display(), "-2.50 USD");
    }

    #[test]
    fn email_addresses_are_checked_and_keyed() {
        let email = EmailAddress::parse("Ada@Example.COM").unwrap();
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
            " ada@example.com",
            "ada@example.com\n",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        assert!(EmailAddress::parse(&format!("{}@x.io", "a".repeat(250))).is_err());
        assert!(EmailAddress::parse(&format!("{}@x.io", "é".repeat(249))).is_ok());
        let json = serde_json::to_string(&email).unwrap();
        assert_eq!(json, "\"Ada@Example.COM\"");
        assert!(serde_json::from_str::<EmailAddress>("\"nope\"").is_err());
    }

    /// The pattern in the OpenAPI document accepts exactly what `parse` accepts.
    #[cfg(feature = "ssr")]
    #[test]
    fn the_documented_email_pattern_is_the_parser() {
        let schema = email_schema();
        let pattern = regex::Regex::new(schema.pattern.as_deref().unwrap()).unwrap();
        let pieces = [
            "a", "Z", "0", ".", "@", " ", "\t", "\n", "\u{1c}", "\u{85}", "\u{a0}", "é",
            "\u{3000}", "-", "+", "..", "x.y",
        ];
        // Every string of up to four pieces: 17^4 cases, short enough to run in a blink.
        let mut cases = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = cases
                .iter()
                .flat_map(|case| pieces.iter().map(move |piece| format!("{case}{piece}")))
                .collect();
            cases.extend(longer.into_iter().filter(|case| case.len() <= 12));
            cases.sort();
            cases.dedup();
        }
        assert!(cases.len() > 10_000);
        for case in &cases {
            let fits = case.chars().count() <= EmailAddress::MAX_LEN;
            assert_eq!(
                EmailAddress::parse(case).is_ok(),
                fits && pattern.is_match(case),
                "{case:?}"
            );
        }
    }
}
