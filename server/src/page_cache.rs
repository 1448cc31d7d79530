//! Guests' storefront lists, kept for a moment. `/` and `/products` render the same HTML for
//! every visitor without a session, and rendering them is the costliest thing a crowd of
//! guests asks for; so the rendered page is kept in the read cache (fresh as long as nothing
//! is written, two seconds at most — see `app::platform::read_cache`).
//!
//! The only per-response part of such a page is the CSP nonce of its inline scripts: the page
//! is kept cut at its nonce and each response is joined with its own request's nonce, so a
//! cached page is exactly what rendering it again would give. A request with a cookie or a
//! credential, and a response that sets a cookie or is not a plain 200 page, pass by.

use app::platform::Services;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, StatusCode, header};
use leptos::nonce::Nonce;
use std::sync::Arc;

/// The pages kept: the same for every guest, and not counting visits.
const PAGES: [&str; 2] = ["/", "/products"];

/// Rendered pages are smaller than this by far (the read cache keeps none over 1 MB).
const READ_LIMIT: usize = 8 * 1024 * 1024;

/// A rendered page, cut where its nonce was.
struct Kept {
    headers: HeaderMap,
    pieces: Vec<Bytes>,
}

impl Kept {
    fn cut(headers: HeaderMap, body: &Bytes, nonce: &str) -> Self {
        let mut pieces = Vec::new();
        let mut rest = body.clone();
        while let Some(at) = find(&rest, nonce.as_bytes()) {
            pieces.push(rest.slice(..at));
            rest = rest.slice(at + nonce.len()..);
        }
        pieces.push(rest);
        Self { headers, pieces }
    }

    fn join(&self, nonce: &str) -> Response {
        let size = self.pieces.iter().map(Bytes::len).sum::<usize>()
            + nonce.len() * (self.pieces.len() - 1);
        let mut body = Vec::with_capacity(size);
        for (n, piece) in self.pieces.iter().enumerate() {
            if n > 0 {
                body.extend_from_slice(nonce.as_bytes());
            }
            body.extend_from_slice(piece);
        }
        let mut response = Response::new(Body::from(body));
        *response.headers_mut() = self.headers.clone();
        response
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Serves a kept page to a guest, or renders it and keeps it.
pub async fn guest_pages(
    State(services): State<Services>,
    request: Request,
    next: Next,
) -> Response {
    let nonce = request.extensions().get::<Nonce>().map(ToString::to_string);
    let guest = request.method() == Method::GET
        && PAGES.contains(&request.uri().path())
        && !request.headers().contains_key(header::COOKIE)
        && !request.headers().contains_key(header::AUTHORIZATION);
    let (Some(nonce), true) = (nonce, guest) else {
        return next.run(request).await;
    };
    let key = format!(
        "page:{}",
        request.uri().path_and_query().map_or("", |p| p.as_str())
    );
    if let Some(kept) = services.reads.get::<Kept>(&key) {
        return kept.join(&nonce);
    }
    let _lead = match services.reads.lead::<Kept>(&key).await {
        Ok(lead) => lead,
        Err(aged) => return aged.join(&nonce),
    };
    if let Some(kept) = services.reads.get::<Kept>(&key) {
        return kept.join(&nonce);
    }
    let generation = services.reads.generation();
    let response = next.run(request).await;
    let keepable = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !keepable {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, READ_LIMIT).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(key, %error, "rendering a guest page failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    let kept = Arc::new(Kept::cut(parts.headers.clone(), &bytes, &nonce));
    services.reads.put(&key, generation, kept, bytes.len());
    Response::from_parts(parts, Body::from(bytes))
}
