//! Accounts, sign-in, sessions and API credentials (PRODUCT.md §1). Identity itself — roles,
//! the `Actor` and its proofs — is `platform::identity`; this feature resolves who a request's
//! caller is (`caller`) and owns everything about accounts.
pub mod model;
pub mod pages;
pub mod server;

#[cfg(feature = "ssr")]
pub mod avatar;
#[cfg(feature = "ssr")]
pub mod caller;
#[cfg(feature = "ssr")]
pub mod credentials;
#[cfg(feature = "ssr")]
pub mod crypto;
#[cfg(feature = "ssr")]
pub mod device;
#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod management;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod validate;
