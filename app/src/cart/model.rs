//! A cart as its owner sees it, and the tax arithmetic.

use crate::platform::types::{Id, Money};
use serde::{Deserialize, Serialize};

/// One product in a cart, at today's price. `available` is false when it can no longer be
/// bought (taken off sale, priced in another currency, or owned since): such a line is shown,
/// flagged, and left out of the totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CartLine {
    pub product_id: Id,
    pub slug: String,
    pub title: String,
    pub vendor_name: String,
    pub vendor_slug: String,
    /// The cover's thumbnail, when the product has a picture.
    pub thumbnail_url: Option<String>,
    pub price: Money,
    pub available: bool,
}

/// The caller's cart: its lines (most recently added first) and the totals of the available
/// ones. `tax` is `subtotal` × the site's rate, rounded half up to the minor unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Cart {
    pub lines: Vec<CartLine>,
    pub subtotal: Money,
    /// Basis points: 1000 is 10 %.
    pub tax_rate_bps: u32,
    pub tax: Money,
    pub total: Money,
}

/// `amount` × `rate_bps` / 10,000, rounded half up (amounts are never negative here).
pub fn tax(amount: i64, rate_bps: u32) -> i64 {
    (i128::from(amount) * i128::from(rate_bps) + 5_000)
        .div_euclid(10_000)
        .try_into()
        .unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::tax;

    #[test]
    fn tax_rounds_half_up_to_the_minor_unit() {
        assert_eq!(tax(2900, 0), 0);
        assert_eq!(tax(2900, 1000), 290);
        assert_eq!(tax(1005, 1000), 101, "100.5 rounds up");
        assert_eq!(tax(1004, 1000), 100);
        assert_eq!(tax(1, 825), 0);
        assert_eq!(tax(100_000_000_000, 10_000), 100_000_000_000);
    }
}
