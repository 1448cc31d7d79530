//! Shared UI pieces (form fields and their errors); imports no feature.
pub mod forms;
