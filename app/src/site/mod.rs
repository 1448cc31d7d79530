//! Pages of the public site that belong to no single feature: home, search, not found, error.
pub mod pages;
