//! The providers this site is configured for, with their keys, and starting a payment with
//! one over its HTTP API. Keys come from the environment (the server's config); a provider
//! without keys is not offered.

use super::model::PaymentMethod;
use super::{razorpay, stripe};
use crate::error::AppError;
use crate::platform::types::{Id, Money};
use std::sync::Arc;
use std::time::Duration;

/// A secret key; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(String);

impl Key {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Stripe's keys and API address (`https://api.stripe.com`, or a local stand-in in tests).
#[derive(Debug, Clone)]
pub struct StripeKeys {
    pub secret_key: Key,
    pub publishable_key: String,
    pub webhook_secret: Key,
    pub api_base: String,
}

/// Razorpay's keys and API address (`https://api.razorpay.com`, or a local stand-in).
#[derive(Debug, Clone)]
pub struct RazorpayKeys {
    pub key_id: String,
    pub key_secret: Key,
    pub webhook_secret: Key,
    pub api_base: String,
}

/// The configured providers and the HTTP client that reaches them.
#[derive(Debug, Clone)]
pub struct Gateways {
    pub stripe: Option<Arc<StripeKeys>>,
    pub razorpay: Option<Arc<RazorpayKeys>>,
    http: reqwest::Client,
}

impl Default for Gateways {
    /// The sandbox only.
    fn default() -> Self {
        Self::new(None, None)
    }
}

/// Origins a page's policy allows, per directive, beyond our own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrowserSources {
    pub script: Vec<&'static str>,
    pub frame: Vec<&'static str>,
    pub connect: Vec<&'static str>,
}

/// A payment a provider has started: its reference (what its webhooks will name), and for
/// Stripe the client secret the browser confirms the card with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub reference: String,
    pub client_secret: Option<String>,
}

impl Gateways {
    pub fn new(stripe: Option<StripeKeys>, razorpay: Option<RazorpayKeys>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Self {
            stripe: stripe.map(Arc::new),
            razorpay: razorpay.map(Arc::new),
            http,
        }
    }

    /// Whether `method` can be used here.
    pub fn offers(&self, method: PaymentMethod) -> bool {
        match method {
            PaymentMethod::Sandbox => true,
            PaymentMethod::Stripe => self.stripe.is_some(),
            PaymentMethod::Razorpay => self.razorpay.is_some(),
        }
    }

    /// What the pages' Content-Security-Policy must allow for the configured providers'
    /// scripts in the buyer's browser (Stripe.js and its frames and API; Razorpay Checkout,
    /// its frame and API), as each provider documents: nothing without keys.
    pub fn browser_sources(&self) -> BrowserSources {
        let mut sources = BrowserSources::default();
        if self.stripe.is_some() {
            sources
                .script
                .extend(["https://js.stripe.com", "https://*.js.stripe.com"]);
            sources.frame.extend([
                "https://js.stripe.com",
                "https://*.js.stripe.com",
                "https://hooks.stripe.com",
            ]);
            sources.connect.push("https://api.stripe.com");
        }
        if self.razorpay.is_some() {
            sources.script.push("https://checkout.razorpay.com");
            sources.frame.push("https://api.razorpay.com");
            sources.connect.extend([
                "https://api.razorpay.com",
                "https://lumberjack.razorpay.com",
            ]);
        }
        sources
    }

    /// The key the buyer's browser uses with `method`'s own script, if it has one.
    pub fn public_key(&self, method: PaymentMethod) -> Option<String> {
        match method {
            PaymentMethod::Sandbox => None,
            PaymentMethod::Stripe => self.stripe.as_ref().map(|k| k.publishable_key.clone()),
            PaymentMethod::Razorpay => self.razorpay.as_ref().map(|k| k.key_id.clone()),
        }
    }

    /// Starts a payment of `amount` for `order` with a provider that confirms in the browser
    /// (`attempt` makes the provider's side idempotent). A provider that cannot be reached or
    /// refuses is `SERVICE_UNAVAILABLE`; the cause is logged.
    pub async fn start(
        &self,
        method: PaymentMethod,
        amount: &Money,
        order: &Id,
        attempt: &Id,
    ) -> Result<Started, AppError> {
        let started = match (method, &self.stripe, &self.razorpay) {
            (PaymentMethod::Stripe, Some(keys), _) => {
                stripe::create_intent(&self.http, keys, amount, order, attempt).await
            }
            (PaymentMethod::Razorpay, _, Some(keys)) => {
                razorpay::create_order(&self.http, keys, amount, order).await
            }
            _ => {
                return Err(AppError::invalid(
                    "method",
                    "This payment method is not offered here.",
                ));
            }
        };
        started.map_err(|error| {
            tracing::error!(provider = method.as_str(), %error, "cannot start a payment");
            AppError::ServiceUnavailable("The payment provider".into())
        })
    }
}

/// A refund a provider has accepted: its id for the refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub refund_id: String,
}

impl Gateways {
    /// Asks `method`'s provider to give back `amount` of the captured payment `payment` (for
    /// Stripe the PaymentIntent, for Razorpay the `pay_…` id). `refund` names our refund and
    /// the round of asking, which make the idempotency key (see [`RefundKey`]).
    /// The error is a sentence for staff (the provider's own words where it gave some).
    pub async fn refund(
        &self,
        method: PaymentMethod,
        payment: &str,
        amount: &Money,
        refund: &RefundKey<'_>,
    ) -> Result<Accepted, String> {
        match (method, &self.stripe, &self.razorpay) {
            (PaymentMethod::Stripe, Some(keys), _) => {
                stripe::create_refund(&self.http, keys, payment, amount, refund).await
            }
            (PaymentMethod::Razorpay, _, Some(keys)) => {
                razorpay::refund_payment(&self.http, keys, payment, amount, refund).await
            }
            _ => Err(format!(
                "{} is not configured here any more: refund in its dashboard.",
                method.label()
            )),
        }
    }
}

/// Our refund as a provider is told of it: its id, and the idempotency key of this round of
/// asking. Within a round the key stays the same, so asking again after a lost answer
/// refunds once; a new round (staff asking again after every attempt was refused) needs a new
/// key, because providers keep a key's first answer, a refusal too, for about a day.
pub struct RefundKey<'a> {
    pub refund: &'a Id,
    pub round: i64,
}

impl RefundKey<'_> {
    /// `agora-refund-{id}` in the first round, `agora-refund-{id}-{round}` after.
    pub fn idempotency_key(&self) -> String {
        match self.round {
            ..=1 => format!("agora-refund-{}", self.refund),
            round => format!("agora-refund-{}-{round}", self.refund),
        }
    }
}

/// Why a provider refused a request, in its own words where its error body has some
/// (`error.message` at Stripe, `error.description` at Razorpay), at most 300 characters.
pub(super) async fn refusal(provider: &str, response: reqwest::Response) -> String {
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let error = &body["error"];
    let words = error["message"]
        .as_str()
        .or_else(|| error["description"].as_str())
        .unwrap_or("no reason given");
    let mut sentence = format!("{provider} answered {status}: {words}");
    if let Some((cut, _)) = sentence.char_indices().nth(300) {
        sentence.truncate(cut);
    }
    sentence
}

/// Constant-time equality of two byte strings of equal length.
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// HMAC-SHA256 of `message` under `key`, as lower-case hex.
pub(super) fn hmac_hex(key: &str, message: &[&[u8]]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes())
        .expect("HMAC takes keys of any length");
    for part in message {
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}
