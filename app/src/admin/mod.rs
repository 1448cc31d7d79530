//! The back-office pages under `/admin`. They call the same services as the site and the API.
pub mod pages;
pub mod server;
pub mod users;
