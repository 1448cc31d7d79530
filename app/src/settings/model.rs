//! The settings Agora knows, each with its type, default and rule.
//!
//! A setting is stored as JSON under its key; a missing row means the default. Rates are
//! basis points (1/100 of a percent) so money maths stays in integers.

use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// A typed setting: its key, its default, and the rule a new value must follow.
#[derive(Debug)]
pub struct Setting<T> {
    pub key: &'static str,
    pub default: fn() -> T,
    /// `Err(message)` when a value is not acceptable.
    pub check: fn(&T) -> Result<(), String>,
}

/// Marker for types a setting can hold.
pub trait SettingValue: Serialize + DeserializeOwned + Send + Sync + 'static {}
impl<T: Serialize + DeserializeOwned + Send + Sync + 'static> SettingValue for T {}

// String settings' rules take `&String`: the signature is fixed by `Setting<String>::check`.
#[allow(clippy::ptr_arg)]
fn check_site_name(value: &String) -> Result<(), String> {
    if value.trim() != value {
        return Err("Must not start or end with spaces.".into());
    }
    if (2..=60).contains(&value.chars().count()) {
        Ok(())
    } else {
        Err("Must be 2 to 60 characters.".into())
    }
}

#[allow(clippy::ptr_arg)]
fn check_currency(value: &String) -> Result<(), String> {
    if value.len() == 3 && value.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err("Must be a three-letter ISO 4217 code such as USD.".into())
    }
}

fn check_rate_bps(value: &u32) -> Result<(), String> {
    if *value <= 10_000 {
        Ok(())
    } else {
        Err("Must be between 0 and 10000 basis points (0–100 %).".into())
    }
}

pub const SITE_NAME: Setting<String> = Setting {
    key: "site_name",
    default: || "Agora".to_owned(),
    check: check_site_name,
};

/// The marketplace's currency (ISO 4217).
pub const CURRENCY: Setting<String> = Setting {
    key: "currency",
    default: || "USD".to_owned(),
    check: check_currency,
};

/// Sales tax added at checkout, in basis points.
pub const TAX_RATE_BPS: Setting<u32> = Setting {
    key: "tax_rate_bps",
    default: || 0,
    check: check_rate_bps,
};

/// The platform's share of each sale, in basis points.
pub const COMMISSION_RATE_BPS: Setting<u32> = Setting {
    key: "commission_rate_bps",
    default: || 1_000,
    check: check_rate_bps,
};

fn check_minutes(value: &u32) -> Result<(), String> {
    if (5..=525_600).contains(value) {
        Ok(())
    } else {
        Err("Must be between 5 minutes and a year.".into())
    }
}

/// A browser session ends after this many minutes without a request.
pub const SESSION_IDLE_MINUTES: Setting<u32> = Setting {
    key: "session_idle_minutes",
    default: || 120,
    check: check_minutes,
};

/// A browser session ends this many minutes after sign-in, however active.
pub const SESSION_ABSOLUTE_MINUTES: Setting<u32> = Setting {
    key: "session_absolute_minutes",
    default: || 12 * 60,
    check: check_minutes,
};

/// With "remember me", both limits become this many minutes.
pub const SESSION_REMEMBER_MINUTES: Setting<u32> = Setting {
    key: "session_remember_minutes",
    default: || 30 * 24 * 60,
    check: check_minutes,
};

fn check_requests_per_hour(value: &u32) -> Result<(), String> {
    if (1..=1_000_000).contains(value) {
        Ok(())
    } else {
        Err("Must be between 1 and 1000000 requests an hour.".into())
    }
}

/// `/api/v1` requests an hour for each API key and each signed-in person.
pub const API_REQUESTS_PER_HOUR: Setting<u32> = Setting {
    key: "api_requests_per_hour",
    default: || 1_000,
    check: check_requests_per_hour,
};

/// `/api/v1` requests an hour for each address without a credential.
pub const API_GUEST_REQUESTS_PER_HOUR: Setting<u32> = Setting {
    key: "api_guest_requests_per_hour",
    default: || 100,
    check: check_requests_per_hour,
};

fn check_any(_: &bool) -> Result<(), String> {
    Ok(())
}

/// Whether changing a live product's price or files sends it back to review (off: it stays
/// live).
pub const REREVIEW_LIVE_CHANGES: Setting<bool> = Setting {
    key: "rereview_live_changes",
    default: || false,
    check: check_any,
};

fn check_hold_days(value: &u32) -> Result<(), String> {
    if *value <= 365 {
        Ok(())
    } else {
        Err("Must be between 0 and 365 days.".into())
    }
}

/// Days a sale's earnings stay `pending` (refundable without touching what a vendor may
/// withdraw) before they become `available`.
pub const EARNINGS_HOLD_DAYS: Setting<u32> = Setting {
    key: "earnings_hold_days",
    default: || 14,
    check: check_hold_days,
};

fn check_payout_minimum(value: &i64) -> Result<(), String> {
    if (1..=100_000_000).contains(value) {
        Ok(())
    } else {
        Err("Must be between 1 and 100,000,000 minor units.".into())
    }
}

/// The smallest payout a vendor may request, in minor units of the site's currency.
pub const PAYOUT_MINIMUM: Setting<i64> = Setting {
    key: "payout_minimum",
    default: || 5_000,
    check: check_payout_minimum,
};

/// The settings shown on the admin dashboard and to API clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SiteSettings {
    pub site_name: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Basis points: 1000 is 10 %.
    pub tax_rate_bps: u32,
    /// Basis points: 1000 is 10 %.
    pub commission_rate_bps: u32,
}

/// A percentage typed in a form ("10", "7.25") as basis points; at most two decimals.
pub fn typed_percent(value: &str) -> Result<u32, String> {
    let refused = || "Use a percentage such as 10 or 7.25.".to_owned();
    let value = value.trim().trim_end_matches('%').trim();
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let digits = |part: &str| {
        !part.is_empty() && part.len() <= 3 && part.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(whole) || !(fraction.is_empty() || (fraction.len() <= 2 && digits(fraction))) {
        return Err(refused());
    }
    let whole: u32 = whole.parse().map_err(|_| refused())?;
    let fraction: u32 = format!("{fraction:0<2}").parse().map_err(|_| refused())?;
    Ok(whole * 100 + fraction)
}

/// The money settings as typed into the admin dashboard's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyForm {
    /// Percent.
    pub tax_rate: String,
    /// Percent.
    pub commission_rate: String,
    /// Whole days.
    pub earnings_hold_days: String,
    /// Currency units.
    pub payout_minimum: String,
}

/// The money settings as the admin dashboard's form shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneySettings {
    pub tax_rate_bps: u32,
    pub commission_rate_bps: u32,
    pub earnings_hold_days: u32,
    pub payout_minimum: i64,
    pub currency: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_percentages_become_basis_points() {
        assert_eq!(typed_percent("10"), Ok(1000));
        assert_eq!(typed_percent(" 7.25 %"), Ok(725));
        assert_eq!(typed_percent("0.5"), Ok(50));
        for bad in ["", "-1", "1.234", "abc", "1,5", "10000"] {
            assert!(typed_percent(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn defaults_pass_their_own_checks() {
        assert!((SITE_NAME.check)(&(SITE_NAME.default)()).is_ok());
        assert!((CURRENCY.check)(&(CURRENCY.default)()).is_ok());
        assert!((TAX_RATE_BPS.check)(&(TAX_RATE_BPS.default)()).is_ok());
        assert!((COMMISSION_RATE_BPS.check)(&(COMMISSION_RATE_BPS.default)()).is_ok());
        assert!((API_REQUESTS_PER_HOUR.check)(&(API_REQUESTS_PER_HOUR.default)()).is_ok());
        let guests = API_GUEST_REQUESTS_PER_HOUR;
        assert!((guests.check)(&(guests.default)()).is_ok());
        assert!((guests.check)(&0).is_err());
        assert!((EARNINGS_HOLD_DAYS.check)(&(EARNINGS_HOLD_DAYS.default)()).is_ok());
        assert!((PAYOUT_MINIMUM.check)(&(PAYOUT_MINIMUM.default)()).is_ok());
        assert!((EARNINGS_HOLD_DAYS.check)(&366).is_err());
        assert!((PAYOUT_MINIMUM.check)(&0).is_err());
    }

    #[test]
    fn bad_values_are_refused_with_a_reason() {
        assert!((SITE_NAME.check)(&" A ".to_owned()).is_err());
        assert!((SITE_NAME.check)(&" Agora".to_owned()).is_err());
        assert!((SITE_NAME.check)(&"Agora".to_owned()).is_ok());
        assert!((CURRENCY.check)(&"usd".to_owned()).is_err());
        assert!((CURRENCY.check)(&"EURO".to_owned()).is_err());
        assert!((TAX_RATE_BPS.check)(&10_001).is_err());
        assert!((TAX_RATE_BPS.check)(&10_000).is_ok());
    }
}
