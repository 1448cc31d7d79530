//! Integration tests: the real router over HTTP, on SQLite and (when configured) PostgreSQL.
mod accounts;
mod api;
mod email;
mod helpers;
mod ops;
mod pages;
mod profile;
mod sessions;
mod settings;
