//! Payment providers behind one interface (PRODUCT.md §3). A provider starts a payment and
//! later reports how it ended as a [`model::ProviderEvent`]; the orders feature applies every
//! such event through one path, whether it came from a signed webhook (Stripe, Razorpay) or
//! from the built-in sandbox, which decides at once and offline.

pub mod model;

#[cfg(feature = "ssr")]
pub mod gateways;
#[cfg(feature = "ssr")]
pub mod razorpay;
#[cfg(feature = "ssr")]
pub mod sandbox;
#[cfg(feature = "ssr")]
pub mod stripe;
