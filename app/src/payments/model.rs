//! Payment methods, the card form of the sandbox, and the events providers report.

use serde::{Deserialize, Serialize};

/// A way to pay. The sandbox is always offered; Stripe and Razorpay only when their keys are
/// configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum PaymentMethod {
    Sandbox,
    Stripe,
    Razorpay,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 3] = [Self::Sandbox, Self::Stripe, Self::Razorpay];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sandbox => "sandbox",
            Self::Stripe => "stripe",
            Self::Razorpay => "razorpay",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|method| method.as_str() == value)
    }

    /// How a buyer reads it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Sandbox => "Test card (sandbox)",
            Self::Stripe => "Card (Stripe)",
            Self::Razorpay => "Razorpay",
        }
    }

    /// The provider's own script that takes the payment in the buyer's browser, loaded from
    /// the provider as each asks (never bundled): Stripe.js, Razorpay Checkout.
    pub fn browser_script(self) -> Option<&'static str> {
        match self {
            Self::Sandbox => None,
            Self::Stripe => Some("https://js.stripe.com/v3/"),
            Self::Razorpay => Some("https://checkout.razorpay.com/v1/checkout.js"),
        }
    }
}

/// A payment method as `GET /payment-methods` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MethodInfo {
    pub id: PaymentMethod,
    pub label: String,
    /// What the buyer needs to know (the sandbox's test cards).
    pub hint: String,
}

/// A card as typed into the sandbox's form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Card {
    /// 12 to 19 digits, spaces allowed (`4242 4242 4242 4242`).
    #[cfg_attr(feature = "ssr", schema(max_length = 30))]
    pub number: String,
    /// `MM/YY`, not in the past.
    #[cfg_attr(feature = "ssr", schema(max_length = 7))]
    pub expiry: String,
    /// 3 or 4 digits.
    #[cfg_attr(feature = "ssr", schema(max_length = 4))]
    pub cvc: String,
}

/// How a payment ended, as its provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    /// Refused: the provider's code (`card_declined`, `insufficient_funds`) and a sentence
    /// the buyer can act on.
    Failed {
        code: String,
        message: String,
    },
}

/// One report from a provider: its own id for the event (what makes a redelivery a
/// duplicate), the payment it is about (the provider's reference, as stored when the payment
/// started), the provider's id of the captured payment where refunds need one other than the
/// reference (Razorpay's `pay_…`), and the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEvent {
    pub provider: PaymentMethod,
    pub event_id: String,
    pub reference: String,
    pub payment_id: Option<String>,
    pub outcome: Outcome,
}

/// The longest event id or payment reference a provider may send that is kept.
pub const PROVIDER_ID_MAX: usize = 255;
