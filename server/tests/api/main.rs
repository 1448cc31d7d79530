//! Integration tests: the real router over HTTP, on SQLite and (when configured) PostgreSQL.
mod accounts;
mod api;
mod catalog;
mod email;
mod fixtures;
mod helpers;
mod images;
mod ops;
mod pages;
mod platform;
mod products;
mod profile;
mod proofs;
mod sessions;
mod settings;
mod stress;
mod vendors;
