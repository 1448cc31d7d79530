//! Pages of the public site that belong to no single feature: home and search.
pub mod pages;
