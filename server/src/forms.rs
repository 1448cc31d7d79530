//! Forms posted before the wasm loaded keep what was typed when the server refuses them.
//!
//! Such a post goes to a server function, which answers a refusal with a redirect back to the
//! form's page carrying the error (`__err`) in the URL. This middleware puts the posted
//! fields — never a password — in a short-lived cookie for that one page view; the page's
//! render finds them in the request's extensions and `Field` shows them again.
//!
//! Decision: a cookie, not the session, so a refused sign-in creates no session and writes
//! nothing. It holds only what the person just typed, lives a minute, is `HttpOnly`, and is
//! cleared by the page view that uses it; values that would not fit in a cookie are dropped.

use app::components::forms::SubmittedValues;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderValue, Method, StatusCode, header};

const COOKIE: &str = "agora_form";

/// Browsers keep cookies up to 4 KB; stay well under it.
const MAX_COOKIE_BYTES: usize = 3_000;

pub async fn keep_submitted_values(
    secure: bool,
    body_limit: usize,
    mut request: Request,
    next: Next,
) -> Response {
    if is_form_post_without_wasm(&request) {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, body_limit).await else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        let values = SubmittedValues(
            form_urlencoded::parse(&bytes)
                .filter(|(name, _)| SubmittedValues::keeps(name))
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        );
        let mut response = next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
        if is_refusal(&response)
            && let Some(cookie) = encode(&values, secure)
        {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        return response;
    }
    let kept = (request.method() == Method::GET)
        .then(|| decode(request.headers()))
        .flatten();
    let Some(values) = kept else {
        return next.run(request).await;
    };
    request.extensions_mut().insert(values);
    let mut response = next.run(request).await;
    let clear = format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    if let Ok(clear) = HeaderValue::from_str(&clear) {
        response.headers_mut().append(header::SET_COOKIE, clear);
    }
    response
}

fn encode(values: &SubmittedValues, secure: bool) -> Option<HeaderValue> {
    let json = serde_json::to_vec(values).ok()?;
    let value = URL_SAFE_NO_PAD.encode(json);
    if value.len() > MAX_COOKIE_BYTES {
        return None;
    }
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}

fn decode(headers: &http::HeaderMap) -> Option<SubmittedValues> {
    let value = app::platform::request::cookie(headers, COOKIE)?;
    let json = URL_SAFE_NO_PAD.decode(value).ok()?;
    serde_json::from_slice(&json).ok()
}

/// A URL-encoded `POST` to a server function from a page that has not hydrated (it asks for
/// HTML back; the wasm asks for the function's own encoding).
fn is_form_post_without_wasm(request: &Request) -> bool {
    let header_has = |name: header::HeaderName, needle: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.contains(needle))
    };
    request.method() == Method::POST
        && request.uri().path().starts_with("/rpc/")
        && header_has(header::ACCEPT, "text/html")
        && header_has(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
}

/// The redirect back to the form with the error in the URL.
fn is_refusal(response: &Response) -> bool {
    response.status().is_redirection()
        && response
            .headers()
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|location| location.contains("__err="))
}
