//! What every service call may need besides the database: the access-token signer, the
//! brute-force throttle, the event bus, the public URL for links in emails and the folder of
//! uploaded files. Built once at start-up; pages, server functions and API handlers all
//! receive the same value.
#[cfg(feature = "ssr")]
pub mod events;

#[cfg(feature = "ssr")]
mod services {
    use super::events::Events;
    use crate::auth::crypto::Signer;
    use crate::auth::throttle::Throttle;
    use crate::db::Db;
    use std::sync::Arc;

    #[derive(Clone, Debug)]
    pub struct Services {
        pub db: Db,
        pub signer: Signer,
        pub throttle: Throttle,
        pub events: Events,
        /// Wakes the job worker when a job is queued.
        pub jobs_ready: Arc<tokio::sync::Notify>,
        /// The site's address as people reach it (no trailing slash), for links in emails.
        pub public_url: Arc<str>,
        /// Where uploaded files live (served under `/media`).
        pub media_dir: Arc<std::path::Path>,
    }
}

#[cfg(feature = "ssr")]
pub use services::Services;
