//! Shared UI pieces (form fields and their errors, charts); imports no feature.
pub mod chart;
pub mod forms;
