//! Shared UI: the site and admin layouts.
pub mod layout;
