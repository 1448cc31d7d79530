//! Product images through the API: multipart uploads, so these routes read larger bodies than
//! the JSON ones (see [`router`]).

use crate::api::caller::ApiCaller;
use crate::state::AppState;
use crate::uploads::{self, read_upload};
use app::catalog::images;
use app::catalog::model::{ImageProblem, ProductImage};
use app::envelope::{Envelope, ErrorEnvelope};
use app::error::AppError;
use app::platform::types::Id;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::routing::{delete, post};
use http::StatusCode;

/// The multipart body of an image upload (documentation of what [`add`] reads).
#[derive(utoipa::ToSchema)]
#[expect(
    dead_code,
    reason = "describes the form in OpenAPI; `read_upload` reads it"
)]
pub struct ImageUpload {
    /// A PNG, JPEG or WebP file: at most 5 MB, 200 to 6000 pixels a side.
    #[schema(value_type = String, format = Binary)]
    image: Vec<u8>,
    /// Text for people who cannot see the image (at most 200 characters; the product's
    /// title when absent or blank).
    alt: Option<String>,
}

/// The upload routes, under `/api/v1`, with the uploads' body limit.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/vendors/me/products/{id}/images", post(add))
        .route(
            "/vendors/me/products/{id}/images/{image_id}",
            delete(remove),
        )
        .layer(axum::extract::DefaultBodyLimit::max(
            uploads::BODY_LIMIT_BYTES,
        ))
}

/// Add an image to the end of one of the caller's products' gallery (not while it is being
/// reviewed). Its thumbnail is made shortly after; until then `thumbnailUrl` is the image.
#[utoipa::path(post, path = "/api/v1/vendors/me/products/{id}/images", tag = "vendors",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The product's id")),
    request_body(content = ImageUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "The image", body = Envelope<ProductImage>),
              (status = 400, description = "Not a usable image, or a bad form", body = ErrorEnvelope),
              (status = 403, description = "Not an approved vendor", body = ErrorEnvelope),
              (status = 404, description = "No such product of yours", body = ErrorEnvelope),
              (status = 409, description = "Being reviewed, or 8 images already (`CONFLICT`)", body = ErrorEnvelope),
              (status = 413, description = "The body is over 16 MB", body = ErrorEnvelope)))]
pub async fn add(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Envelope<ProductImage>), AppError> {
    let id = Id::parse_or_not_found(&id, "The product")?;
    let multipart = multipart.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    let upload = read_upload(multipart, "image", images::MAX_BYTES, &["alt"]).await?;
    if upload.file.is_empty() {
        return Err(AppError::invalid("image", ImageProblem::Missing.message()));
    }
    let image = images::add(
        &state.services,
        &caller.actor,
        &id,
        &upload.file,
        upload.text("alt"),
    )
    .await?;
    Ok((StatusCode::CREATED, Envelope::ok(image)))
}

/// Remove an image from one of the caller's products (not while it is being reviewed).
#[utoipa::path(delete, path = "/api/v1/vendors/me/products/{id}/images/{imageId}", tag = "vendors",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The product's id"),
           ("imageId" = String, Path, description = "The image's id")),
    responses((status = 204, description = "Removed"),
              (status = 403, description = "Not an approved vendor", body = ErrorEnvelope),
              (status = 404, description = "No such product of yours, or no such image of it", body = ErrorEnvelope),
              (status = 409, description = "Being reviewed (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn remove(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, image)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let id = Id::parse_or_not_found(&id, "The product")?;
    let image = Id::parse_or_not_found(&image, "The image")?;
    images::remove(&state.services, &caller.actor, &id, &image).await?;
    Ok(StatusCode::NO_CONTENT)
}
