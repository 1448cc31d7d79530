//! A vendor's earnings and payouts as they and staff see them.

use crate::platform::types::{Id, Money, Timestamp};
use serde::{Deserialize, Serialize};

/// A vendor's money, from the ledger: `pending` (inside the hold period), `available` (may be
/// paid out), `requested` (set aside for payouts not yet paid), `paidOut` (in all) and `debt`
/// (owed back after refunds of paid-out sales; zero or negative — what comes into
/// `available` pays it back first, so while it is negative `available` is zero).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Earnings {
    pub pending: Money,
    pub available: Money,
    pub requested: Money,
    pub paid_out: Money,
    pub debt: Money,
    /// The smallest payout that may be requested.
    pub payout_minimum: Money,
    /// Sales earnings of each of the last 30 days (UTC), oldest first, days without sales
    /// included.
    pub per_day: Vec<DayEarnings>,
    /// The newest movements of the vendor's accounts.
    pub history: Vec<Movement>,
}

/// One day's earnings from sales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DayEarnings {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub amount: i64,
}

/// One ledger entry on a vendor's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Movement {
    pub at: Timestamp,
    /// `order_payment`, `maturing`, `refund`, `payout`, `adjustment`.
    pub kind: String,
    pub memo: String,
    /// Which of the vendor's balances moved: `pending`, `available`, `payout` or `debt`.
    pub balance: String,
    pub amount: Money,
}

/// Where a payout stands: `requested → approved → paid`, or `rejected` before it is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum PayoutStatus {
    Requested,
    Approved,
    Rejected,
    Paid,
}

impl PayoutStatus {
    pub const ALL: [PayoutStatus; 4] =
        [Self::Requested, Self::Approved, Self::Rejected, Self::Paid];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Paid => "paid",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }
}

impl TryFrom<String> for PayoutStatus {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or_else(|| format!("unknown payout status {value:?}"))
    }
}

/// A payout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Payout {
    pub id: Id,
    pub vendor_id: Id,
    pub store_name: String,
    pub amount: Money,
    pub status: PayoutStatus,
    /// Why staff rejected it.
    pub reason: Option<String>,
    /// The transfer's reference, once paid.
    pub reference: Option<String>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
    pub paid_at: Option<Timestamp>,
}

/// At most this many payouts of one vendor may be open (requested or approved) at once.
pub const MAX_OPEN_PAYOUTS: i64 = 5;
