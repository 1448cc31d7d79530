//! The core every feature builds on and that imports no feature: identity and the permission
//! proofs, typed ids and timestamps, random tokens, the request context and the resolved
//! caller, throttling, signed tokens, domain events, the transaction that fires effects after
//! commit, the job queue with its handler registry, the cache of public reads, and threads'
//! CPU priorities.
pub mod identity;
pub mod paging;
pub mod types;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod caller;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod priority;
#[cfg(feature = "ssr")]
pub mod read_cache;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod signer;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod tokens;
#[cfg(feature = "ssr")]
pub mod tx;
#[cfg(feature = "ssr")]
pub mod worker;

#[cfg(feature = "ssr")]
mod services {
    use super::events::Events;
    use super::signer::Signer;
    use super::throttle::Throttle;
    use crate::db::Db;
    use std::sync::Arc;

    /// What every service call may need besides the database: the token signer, the
    /// brute-force throttle, the event bus, the job worker's wake-up, the public URL for links
    /// in emails, the folder of uploaded files and
    /// whether mail goes to the development outbox. Built once at start-up; pages, server
    /// functions and API handlers all receive the same value.
    #[derive(Clone, Debug)]
    pub struct Services {
        pub db: Db,
        pub signer: Signer,
        pub throttle: Throttle,
        pub events: Events,
        /// Wakes the job worker when a transaction that queued a job commits.
        pub jobs_ready: Arc<tokio::sync::Notify>,
        /// The site's address as people reach it (no trailing slash), for links in emails.
        pub public_url: Arc<str>,
        /// Where uploaded files live (served under `/media`).
        pub media_dir: Arc<std::path::Path>,
        /// Where files sold to buyers are kept (private: never served as they are).
        pub files_dir: Arc<std::path::Path>,
        /// The proxies whose `X-Forwarded-For` names the client.
        pub proxies: super::request::TrustedProxies,
        /// Emails go to the development outbox (no SMTP relay is configured); when false the
        /// outbox is neither written nor served.
        pub mail_outbox: bool,
        /// Public answers kept for a moment; every committed write makes them stale.
        pub reads: super::read_cache::ReadCache,
        /// The payment providers configured besides the sandbox.
        pub payments: crate::payments::gateways::Gateways,
    }
}

#[cfg(feature = "ssr")]
pub use services::Services;
