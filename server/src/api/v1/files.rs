//! The files a product delivers: multipart uploads of up to 100 MB, streamed to disk, so
//! these routes read far larger bodies than the JSON ones (see [`router`]).

use crate::api::caller::ApiCaller;
use crate::state::AppState;
use crate::uploads::{FILE_BODY_LIMIT_BYTES, receive_file};
use app::catalog::files;
use app::catalog::model::ProductFile;
use app::envelope::{Envelope, ErrorEnvelope};
use app::error::AppError;
use app::platform::types::Id;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::routing::{delete, get};
use http::StatusCode;

/// The multipart body of a file upload (documentation of what [`add`] reads).
#[derive(utoipa::ToSchema)]
#[expect(
    dead_code,
    reason = "describes the form in OpenAPI; `receive_file` reads it"
)]
pub struct FileUpload {
    /// Any file of at most 100 MB; buyers download it under the name sent with it.
    #[schema(value_type = String, format = Binary, min_length = 1)]
    file: Vec<u8>,
}

/// The file routes, under `/api/v1`, with the file uploads' body limit.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/vendors/me/products/{id}/files", get(list).post(add))
        .route("/vendors/me/products/{id}/files/{file_id}", delete(remove))
        .layer(axum::extract::DefaultBodyLimit::max(FILE_BODY_LIMIT_BYTES))
}

fn product_id(id: &str) -> Result<Id, AppError> {
    Id::parse_or_not_found(id, "The product")
}

/// The files one of your products delivers to its buyers.
#[utoipa::path(get, path = "/api/v1/vendors/me/products/{id}/files", tag = "vendors",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The product's id")),
    responses((status = 200, description = "The files", body = Envelope<Vec<ProductFile>>),
              (status = 403, description = "Not an approved vendor", body = ErrorEnvelope),
              (status = 404, description = "No such product of yours", body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Envelope<Vec<ProductFile>>, AppError> {
    let id = product_id(&id)?;
    Ok(Envelope::ok(
        files::list(&state.services, &caller.actor, &id).await?,
    ))
}

/// Add a file for buyers to download (at most 5 a product; not while it is being reviewed).
/// It is stored privately; the orders feature hands it to buyers.
#[utoipa::path(post, path = "/api/v1/vendors/me/products/{id}/files", tag = "vendors",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The product's id")),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "The file", body = Envelope<ProductFile>),
              (status = 400, description = "No file, or over 100 MB", body = ErrorEnvelope),
              (status = 403, description = "Not an approved vendor", body = ErrorEnvelope),
              (status = 404, description = "No such product of yours", body = ErrorEnvelope),
              (status = 409, description = "Being reviewed, or 5 files already (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn add(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Envelope<ProductFile>), AppError> {
    let id = product_id(&id)?;
    let multipart = multipart.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    let (name, incoming) = receive_file(&state.services, multipart, "file")
        .await?
        .ok_or_else(|| AppError::invalid("file", "Choose a file to upload."))?;
    let file = files::attach(&state.services, &caller.actor, &id, &name, incoming).await?;
    Ok((StatusCode::CREATED, Envelope::ok(file)))
}

/// Remove a file from one of your products (not while it is being reviewed).
#[utoipa::path(delete, path = "/api/v1/vendors/me/products/{id}/files/{fileId}", tag = "vendors",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The product's id"),
           ("fileId" = String, Path, description = "The file's id")),
    responses((status = 204, description = "Removed"),
              (status = 403, description = "Not an approved vendor", body = ErrorEnvelope),
              (status = 404, description = "No such product of yours, or no such file of it", body = ErrorEnvelope),
              (status = 409, description = "Being reviewed (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn remove(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, file)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let id = product_id(&id)?;
    let file = Id::parse_or_not_found(&file, "The file")?;
    files::remove(&state.services, &caller.actor, &id, &file).await?;
    Ok(StatusCode::NO_CONTENT)
}
