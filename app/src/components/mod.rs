//! Shared UI: the site and admin layouts, form fields.
pub mod forms;
pub mod layout;
