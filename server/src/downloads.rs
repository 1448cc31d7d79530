//! `GET /downloads/{token}`: a bought file, through a signed link from the order's page (see
//! `app::orders::downloads`). The link is checked and counted by the service; the file is
//! then streamed from the private files folder as an attachment, with range requests.

use crate::state::AppState;
use app::error::AppError;
use app::orders::downloads;
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, header};
use tower::ServiceExt;
use tower_http::services::ServeFile;

pub fn routes() -> Router<AppState> {
    Router::new().route("/downloads/{token}", get(download))
}

async fn download(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let delivery = downloads::open(&state.services, &token).await?;
    let mut response = ServeFile::new(&delivery.path)
        .oneshot(request)
        .await
        .map_err(|_| AppError::Internal)?
        .into_response();
    if response.status() == http::StatusCode::NOT_FOUND {
        tracing::error!(
            bytes = delivery.bytes,
            "a sold file is missing from the files folder"
        );
        return Err(AppError::NotFound("The file".into()));
    }
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition(&delivery.name))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// `attachment` with the file's name: an ASCII fallback, and the exact name per RFC 6266.
fn disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn names_are_quoted_safely() {
        assert_eq!(
            disposition("kit.zip"),
            "attachment; filename=\"kit.zip\"; filename*=UTF-8''kit.zip"
        );
        assert_eq!(
            disposition("naïve \"x\".pdf"),
            "attachment; filename=\"na_ve _x_.pdf\"; filename*=UTF-8''na%C3%AFve%20%22x%22.pdf"
        );
    }
}
