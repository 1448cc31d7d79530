//! The durable job queue (table `jobs`): work that must happen after a request, survive a
//! restart and be retried — sending emails now; maturing funds, expiring offers, webhooks and
//! clean-up later.
//!
//! Decision: a small queue on our own table rather than `apalis-sql`, whose releases pin other
//! sqlx versions than ours and which would need its own concrete pools; one conditional
//! `UPDATE … RETURNING` claims a job on both backends.
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod worker;
