//! The public JSON API under `/api/v1`: the envelope, the JSON extractor, the request limit,
//! the OpenAPI document and its human-readable docs page. Handlers call the same services as
//! the pages.

pub mod caller;
pub mod docs;
pub mod json;
pub mod limit;
pub mod v1;
