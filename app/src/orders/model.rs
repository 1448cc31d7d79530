//! Orders as buyers and staff see them, their two state machines, and the rules a checkout's
//! input must keep.

use crate::platform::types::{Id, Money, Timestamp};
use serde::{Deserialize, Serialize};

/// Where an order stands. `pending → paid → completed` (completed once the hold period is
/// over and the vendors' earnings matured); `cancelled` only while unpaid; `refunded` or
/// `partially_refunded` after staff refund all or some of its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Paid,
    Completed,
    Cancelled,
    Refunded,
    PartiallyRefunded,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        Self::Pending,
        Self::Paid,
        Self::Completed,
        Self::Cancelled,
        Self::Refunded,
        Self::PartiallyRefunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Refunded => "refunded",
            Self::PartiallyRefunded => "partially_refunded",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }

    /// How a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Awaiting payment",
            Self::Paid => "Paid",
            Self::Completed => "Completed",
            Self::Cancelled => "Cancelled",
            Self::Refunded => "Refunded",
            Self::PartiallyRefunded => "Partly refunded",
        }
    }

    /// Whether the buyer holds what they bought (downloads work for the lines not refunded).
    pub fn delivers(self) -> bool {
        matches!(self, Self::Paid | Self::Completed | Self::PartiallyRefunded)
    }

    /// Why the buyer may not pay or cancel an order in this state, if they may not.
    pub fn unpayable_because(self) -> Option<&'static str> {
        match self {
            Self::Pending => None,
            Self::Cancelled => Some("This order was cancelled; place a new one."),
            _ => Some("This order is paid already."),
        }
    }

    /// Why staff may not refund an order in this state, if they may not.
    pub fn unrefundable_because(self) -> Option<&'static str> {
        match self {
            Self::Paid | Self::Completed | Self::PartiallyRefunded => None,
            Self::Pending | Self::Cancelled => Some("Only a paid order can be refunded."),
            Self::Refunded => Some("This order is refunded already."),
        }
    }
}

impl TryFrom<String> for OrderStatus {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or_else(|| format!("unknown order status {value:?}"))
    }
}

/// Where an order's money stands: `failed` after a refused attempt (the order stays payable),
/// `refunded` once every line is refunded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Paid,
    Failed,
    Refunded,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 4] = [Self::Pending, Self::Paid, Self::Failed, Self::Refunded];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }
}

impl TryFrom<String> for PaymentStatus {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or_else(|| format!("unknown payment status {value:?}"))
    }
}

/// One product of an order, at the price and tax of the moment it was placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    /// The line's number within its order, from 1: what a per-line refund names.
    pub position: i64,
    pub product_id: Id,
    pub product_slug: String,
    pub title: String,
    pub vendor_id: Id,
    pub vendor_name: String,
    pub price: Money,
    pub tax: Money,
    pub refunded: bool,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: Id,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub billing_name: String,
    /// ISO 3166-1 alpha-2.
    pub billing_country: String,
    pub lines: Vec<OrderLine>,
    pub subtotal: Money,
    /// Basis points: 1000 is 10 %.
    pub tax_rate_bps: u32,
    /// The sum of the lines' taxes (each rounded half up).
    pub tax: Money,
    pub total: Money,
    pub refunded: Money,
    /// The refunds given, oldest first, and how far each has got at the payment provider.
    pub refunds: Vec<Refund>,
    /// Why the last payment attempt failed, while the order waits for another.
    pub payment_error: Option<String>,
    pub created_at: Timestamp,
    pub paid_at: Option<Timestamp>,
}

/// Where a refund stands at the payment provider: `pending` until the provider accepts it,
/// `accepted` once it has (the money is on its way back to the buyer), `failed` when the
/// provider refused every attempt and staff must refund by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    Pending,
    Accepted,
    Failed,
}

impl RefundStatus {
    pub const ALL: [RefundStatus; 3] = [Self::Pending, Self::Accepted, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }

    /// How a buyer reads it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "being sent back",
            Self::Accepted => "sent back",
            Self::Failed => "delayed: our staff are sending it by hand",
        }
    }
}

impl TryFrom<String> for RefundStatus {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or_else(|| format!("unknown refund status {value:?}"))
    }
}

/// A refund of some of an order's lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    pub amount: Money,
    /// The refunded lines' positions.
    pub positions: Vec<i64>,
    pub provider: crate::payments::model::PaymentMethod,
    pub status: RefundStatus,
    pub created_at: Timestamp,
}

/// An order in a list: no lines, their count and first title instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderSummary {
    pub id: Id,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    /// The buyer's email (shown to staff only; empty for the buyer's own list).
    pub buyer_email: String,
    pub first_title: String,
    pub line_count: i64,
    pub total: Money,
    pub refunded: Money,
    pub created_at: Timestamp,
}

/// A file the buyer may download, with a link that works for [`DOWNLOAD_LINK_MINUTES`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Download {
    pub file_id: Id,
    pub product_title: String,
    pub name: String,
    pub bytes: i64,
    /// A signed link (path under the site), valid until `expiresAt`.
    pub url: String,
    pub expires_at: Timestamp,
    /// How often this order has downloaded this file.
    pub downloads: i64,
}

/// What the buyer's browser does next to pay with a provider that confirms there: Stripe's
/// script confirms `clientSecret` with `publicKey`; Razorpay's checkout opens the order
/// `reference` with the key id `publicKey`. The provider's webhook then settles the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NextAction {
    pub provider: crate::payments::model::PaymentMethod,
    pub reference: String,
    pub client_secret: Option<String>,
    pub public_key: String,
}

/// The answer to paying: the order as it stands now, and for a provider that confirms in the
/// browser what to do next (the sandbox has decided already: no next step).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Paying {
    pub order: Order,
    pub next: Option<NextAction>,
}

/// What `/checkout` shows: the cart as it will be ordered, the ways to pay, the buyer's
/// name to start from, and this checkout's idempotency key (a double click places one order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    pub cart: crate::cart::model::Cart,
    pub methods: Vec<crate::payments::model::MethodInfo>,
    pub name: String,
    pub key: String,
}

/// What `/orders/{id}` shows: the order, once it is paid its downloads, and while it is
/// pending the ways to pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub order: Order,
    pub downloads: Vec<Download>,
    pub methods: Vec<crate::payments::model::MethodInfo>,
}

/// How long a download link works.
pub const DOWNLOAD_LINK_MINUTES: i64 = 15;

/// The checkout form: who is billed, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Checkout {
    /// The name on the receipt, 1 to 100 characters, not only spaces.
    #[cfg_attr(
        feature = "ssr",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
        )
    )]
    pub billing_name: String,
    /// ISO 3166-1 alpha-2 (`DE`, `US`).
    #[cfg_attr(feature = "ssr", schema(schema_with = country_schema))]
    pub billing_country: String,
}

/// The billing country's schema: one of [`COUNTRIES`].
#[cfg(feature = "ssr")]
fn country_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(COUNTRIES.split_ascii_whitespace()))
        .description(Some("ISO 3166-1 alpha-2 (`DE`, `US`)."))
        .build()
}

/// The longest billing name, in characters.
pub const BILLING_NAME_MAX: usize = 100;
/// The longest idempotency key.
pub const IDEMPOTENCY_KEY_MAX: usize = 100;

/// Every assigned ISO 3166-1 alpha-2 code.
pub const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG \
BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX \
CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN \
GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI \
KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ \
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR \
PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC \
TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT \
ZA ZM ZW";

impl Checkout {
    /// The form with its name trimmed and its country upper-cased, or every field's problem.
    pub fn checked(&self) -> Result<Self, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let name = self.billing_name.trim();
        if name.is_empty() || name.chars().count() > BILLING_NAME_MAX {
            problems.push((
                "billingName",
                format!("Enter the name for the receipt, at most {BILLING_NAME_MAX} characters."),
            ));
        } else if name.chars().any(char::is_control) {
            problems.push(("billingName", "Use letters, not control characters.".into()));
        }
        let country = self.billing_country.trim().to_ascii_uppercase();
        if country.len() != 2
            || !COUNTRIES
                .split_ascii_whitespace()
                .any(|code| code == country)
        {
            problems.push((
                "billingCountry",
                "Choose a country (a two-letter ISO code such as DE or US).".into(),
            ));
        }
        if problems.is_empty() {
            Ok(Self {
                billing_name: name.to_owned(),
                billing_country: country,
            })
        } else {
            Err(problems)
        }
    }
}

/// Whether `key` may be an idempotency key: 1 to [`IDEMPOTENCY_KEY_MAX`] visible ASCII
/// characters (what Stripe and the IETF draft allow, and what fits a header).
pub fn valid_idempotency_key(key: &str) -> bool {
    (1..=IDEMPOTENCY_KEY_MAX).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_code_is_two_capitals_and_listed_once() {
        let codes: Vec<&str> = COUNTRIES.split_ascii_whitespace().collect();
        assert_eq!(codes.len(), 249);
        assert!(
            codes
                .iter()
                .all(|code| code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()))
        );
        assert!(
            codes.windows(2).all(|pair| pair[0] < pair[1]),
            "sorted, no repeats"
        );
    }

    #[test]
    fn a_checkout_is_trimmed_and_each_bad_field_named() {
        let good = Checkout {
            billing_name: "  Ada Lovelace ".into(),
            billing_country: "gb".into(),
        };
        assert_eq!(
            good.checked(),
            Ok(Checkout {
                billing_name: "Ada Lovelace".into(),
                billing_country: "GB".into(),
            })
        );
        let bad = Checkout {
            billing_name: " ".into(),
            billing_country: "XX".into(),
        };
        let fields: Vec<&str> = bad.checked().unwrap_err().iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["billingName", "billingCountry"]);
        let long = Checkout {
            billing_name: "a".repeat(101),
            billing_country: "US".into(),
        };
        assert!(long.checked().is_err());
    }

    #[test]
    fn states_say_what_may_happen_next() {
        assert_eq!(OrderStatus::Pending.unpayable_because(), None);
        assert!(OrderStatus::Paid.unpayable_because().is_some());
        assert!(OrderStatus::Cancelled.unpayable_because().is_some());
        assert!(OrderStatus::Pending.unrefundable_because().is_some());
        assert_eq!(OrderStatus::PartiallyRefunded.unrefundable_because(), None);
        assert!(OrderStatus::Refunded.unrefundable_because().is_some());
        assert!(OrderStatus::Completed.delivers());
        assert!(!OrderStatus::Refunded.delivers());
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn idempotency_keys_are_short_visible_ascii() {
        assert!(valid_idempotency_key("checkout-7f3a"));
        assert!(!valid_idempotency_key(""));
        assert!(!valid_idempotency_key("has space"));
        assert!(!valid_idempotency_key(&"k".repeat(101)));
        assert!(!valid_idempotency_key("naïve"));
    }
}
