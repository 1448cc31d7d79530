//! Outgoing email: templates (HTML + text), the sender (SMTP through lettre, or the
//! development outbox in the database when no relay is configured), the job that sends queued
//! emails, and the outbox list.
pub mod model;
#[cfg(feature = "ssr")]
pub mod sender;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod templates;
