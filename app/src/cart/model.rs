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
/// ones. `tax` is the sum of each available line's tax (its price × the site's rate, rounded
/// half up to the minor unit), so an order's lines, refunded one by one, give back exactly
/// what was charged.
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

impl Cart {
    /// The cart of `lines` with the totals of the available ones at `rate_bps`.
    pub fn priced(lines: Vec<CartLine>, currency: &str, rate_bps: u32) -> Self {
        let (subtotal, tax) =
            lines
                .iter()
                .filter(|line| line.available)
                .fold((0, 0), |(subtotal, tax), line| {
                    (
                        subtotal + line.price.amount,
                        tax + rate_of(line.price.amount, rate_bps),
                    )
                });
        let money = |amount| Money {
            amount,
            currency: currency.to_owned(),
        };
        Self {
            lines,
            subtotal: money(subtotal),
            tax_rate_bps: rate_bps,
            tax: money(tax),
            total: money(subtotal + tax),
        }
    }
}

/// `amount` × `rate_bps` / 10,000, rounded half up (amounts are never negative here): a line's
/// tax, a sale's commission.
pub fn rate_of(amount: i64, rate_bps: u32) -> i64 {
    (i128::from(amount) * i128::from(rate_bps) + 5_000)
        .div_euclid(10_000)
        .try_into()
        .unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::rate_of;

    #[test]
    fn a_rate_rounds_half_up_to_the_minor_unit() {
        assert_eq!(rate_of(2900, 0), 0);
        assert_eq!(rate_of(2900, 1000), 290);
        assert_eq!(rate_of(1005, 1000), 101, "100.5 rounds up");
        assert_eq!(rate_of(1004, 1000), 100);
        assert_eq!(rate_of(1, 825), 0);
        assert_eq!(rate_of(100_000_000_000, 10_000), 100_000_000_000);
    }
}
