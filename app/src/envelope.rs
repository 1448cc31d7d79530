//! The JSON envelope of `/api/v1` (PRODUCT.md §9), and the one mapping of [`AppError`] to an
//! HTTP response. Every envelope — including errors produced by extractors and layers —
//! carries the `meta.requestId` that the response's `X-Request-Id` header and the log lines
//! show (`platform::request`).

use crate::error::{AppError, FieldError};
use crate::platform::read_cache::SharedPage;
use crate::platform::request::current_request_id;
use crate::platform::types::{Page, Timestamp};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// `meta` of every envelope.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// Equal to the `X-Request-Id` response header.
    pub request_id: String,
    /// When the response was produced (RFC 3339, UTC, to the millisecond like every time in
    /// the API).
    pub timestamp: Timestamp,
}

impl Meta {
    pub fn now() -> Self {
        Self {
            request_id: current_request_id().unwrap_or_else(|| "-".to_owned()),
            timestamp: Timestamp::now(),
        }
    }
}

/// Page information of a list response.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    pub page: u32,
    pub limit: u32,
    pub total: u64,
    pub total_pages: u32,
    pub has_next: bool,
    pub has_prev: bool,
}

impl Pagination {
    pub fn new(page: u32, limit: u32, total: u64) -> Self {
        let limit = limit.max(1);
        let total_pages = u32::try_from(total.div_ceil(u64::from(limit))).unwrap_or(u32::MAX);
        Self {
            page,
            limit,
            total,
            total_pages,
            has_next: page < total_pages,
            has_prev: page > 1,
        }
    }
}

/// A successful response: `{"success": true, "data": …, "meta": …}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Envelope<T> {
    /// Always `true`.
    pub success: bool,
    pub data: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
    pub meta: Meta,
}

impl<T: Serialize> Envelope<T> {
    pub fn ok(data: T) -> Self {
        Self {
            success: true,
            data,
            pagination: None,
            meta: Meta::now(),
        }
    }
}

impl<T: Serialize> Envelope<Vec<T>> {
    /// One page of a list, with its `pagination`.
    pub fn page(page: Page<T>) -> Self {
        Self {
            pagination: Some(Pagination::new(page.page, page.limit, page.total)),
            ..Self::ok(page.items)
        }
    }
}

/// The items of a page that the read cache shares: written as the list itself, from the JSON
/// the cache keeps.
#[derive(Debug)]
pub struct SharedItems<T>(Arc<SharedPage<T>>);

impl<T: Serialize> Serialize for SharedItems<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.items_json() {
            Some(json) => json.serialize(serializer),
            None => self.0.page().items.serialize(serializer),
        }
    }
}

impl<T: Serialize> Envelope<SharedItems<T>> {
    /// One page of a list held by the read cache, with its `pagination`.
    pub fn shared_page(shared: Arc<SharedPage<T>>) -> Self {
        let page = shared.page();
        Self {
            pagination: Some(Pagination::new(page.page, page.limit, page.total)),
            ..Self::ok(SharedItems(shared))
        }
    }
}

impl<T: Serialize> axum::response::IntoResponse for Envelope<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self).into_response()
    }
}

/// `error` of a failed response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code such as `VALIDATION_ERROR` or `NOT_FOUND`.
    pub code: &'static str,
    /// A sentence a person can act on.
    pub message: String,
    /// Per-field messages (empty when the error is not about fields).
    pub details: Vec<FieldError>,
}

/// A failed response: `{"success": false, "error": …, "meta": …}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// Always `false`.
    pub success: bool,
    pub error: ErrorBody,
    pub meta: Meta,
}

impl ErrorEnvelope {
    pub fn new(error: &AppError) -> Self {
        Self {
            success: false,
            error: ErrorBody {
                code: error.code(),
                message: error.to_string(),
                details: error.details().to_vec(),
            },
            meta: Meta::now(),
        }
    }
}

impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = self.status();
        let retry_after = match &self {
            AppError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let mut response = (status, axum::Json(ErrorEnvelope::new(&self))).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_counts_pages_and_neighbours() {
        let p = Pagination::new(1, 20, 100);
        assert_eq!((p.total_pages, p.has_next, p.has_prev), (5, true, false));
        let p = Pagination::new(5, 20, 100);
        assert_eq!((p.total_pages, p.has_next, p.has_prev), (5, false, true));
        let p = Pagination::new(1, 20, 0);
        assert_eq!((p.total_pages, p.has_next, p.has_prev), (0, false, false));
    }
}
