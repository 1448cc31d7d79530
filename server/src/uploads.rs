//! File uploads from the browser's plain forms (avatars, product images), and the media folder
//! they fill; and the multipart reader the API's uploads share.
//!
//! Server functions take URL-encoded forms only before hydration, so uploads are ordinary
//! multipart `POST`s answered with a redirect back to the page: they work with and without
//! the wasm, behind the same session and CSRF rules as everything else.

use crate::state::AppState;
use app::auth::avatar;
use app::auth::model::AvatarProblem;
use app::catalog::files::{self, Incoming};
use app::catalog::images;
use app::catalog::model::{FileProblem, ImageProblem};
use app::error::AppError;
use app::platform::caller::Caller;
use app::platform::types::Id;
use axum::Router;
use axum::extract::{Extension, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use http::{HeaderValue, StatusCode, header};
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The largest upload request read. Above the largest file accepted (a phone photo of a few
/// MB must get "larger than 1 MB" next to the field, not a bare 413), but bounded.
pub const BODY_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// `POST /account/avatar` and the files under `/media`. Every stored file gets a new random
/// name and is never rewritten, so browsers may keep it for a year without asking again.
pub fn routes(state: &AppState) -> Router<AppState> {
    let media = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .service(ServeDir::new(&state.config.media_dir));
    Router::new()
        .route("/account/avatar", post(upload_avatar))
        .route("/vendor/products/{id}/images", post(upload_product_image))
        .nest_service("/media", media)
}

/// Replaces the signed-in person's avatar with the `avatar` file of the form, then goes back
/// to `/account` (with `?avatar=<problem>` when the file was refused).
async fn upload_avatar(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let Ok(actor) = caller.actor() else {
        return Ok(Redirect::to("/login?next=/account").into_response());
    };
    let back = |problem: Option<AvatarProblem>| {
        let query = problem.map_or("saved", AvatarProblem::code);
        Ok(Redirect::to(&format!("/account?avatar={query}#profile")).into_response())
    };
    let bytes = match read_upload(multipart, "avatar", avatar::MAX_BYTES, &[]).await {
        Ok(upload) => upload.file,
        Err(UploadError::TooLarge) => return back(Some(AvatarProblem::TooLarge)),
        Err(UploadError::Malformed) => return back(Some(AvatarProblem::Missing)),
    };
    if let Err(problem) = avatar::check(&bytes) {
        return back(Some(problem));
    }
    avatar::set(&state.services, actor, &bytes).await?;
    back(None)
}

/// Adds the `image` file of the form (with its `alt` text) to one of the vendor's products,
/// then goes back to the product's editor (with `?image=<problem>` when it was refused).
async fn upload_product_image(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let Ok(actor) = caller.actor() else {
        return Ok(Redirect::to(&format!("/login?next=/vendor/products/{id}")).into_response());
    };
    let product = Id::parse_or_not_found(&id, "The product")?;
    let back = |problem: Option<ImageProblem>| {
        Ok(to_editor(
            &product,
            "image",
            problem.map_or("saved", ImageProblem::code),
        ))
    };
    let upload = match read_upload(multipart, "image", images::MAX_BYTES, &["alt"]).await {
        Ok(upload) => upload,
        Err(UploadError::TooLarge) => return back(Some(ImageProblem::TooLarge)),
        Err(UploadError::Malformed) => return back(Some(ImageProblem::Missing)),
    };
    if upload.file.is_empty() {
        return back(Some(ImageProblem::Missing));
    }
    if let Err(problem) = images::check(&upload.file) {
        return back(Some(problem));
    }
    match images::add(
        &state.services,
        actor,
        &product,
        &upload.file,
        upload.text("alt"),
    )
    .await
    {
        Ok(_) => back(None),
        Err(AppError::Conflict(field)) if field.field == "image" => {
            back(Some(ImageProblem::TooMany))
        }
        Err(error) => Err(error),
    }
}

/// The body limit of file uploads: the largest file and room for the form around it.
pub const FILE_BODY_LIMIT_BYTES: usize = files::MAX_BYTES as usize + 1024 * 1024;

/// `POST /vendor/products/{id}/files`, under [`FILE_BODY_LIMIT_BYTES`].
pub fn file_routes() -> Router<AppState> {
    Router::new().route("/vendor/products/{id}/files", post(upload_product_file))
}

/// Streams the multipart field `field` of the form to a new [`Incoming`] file, stopping
/// (and refusing) once it passes [`files::MAX_BYTES`]; returns it with the name the browser
/// gave.
pub async fn receive_file(
    services: &app::platform::Services,
    mut multipart: Multipart,
    field_name: &str,
) -> Result<Option<(String, Incoming)>, AppError> {
    use tokio::io::AsyncWriteExt;
    let malformed = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest("The body is not a well-formed multipart form.".into())
        }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        if field.name() != Some(field_name) {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let (mut incoming, mut file) = Incoming::create(services).await?;
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            incoming.bytes += chunk.len() as u64;
            if incoming.bytes > files::MAX_BYTES {
                return Err(AppError::invalid("file", "The file is larger than 100 MB."));
            }
            file.write_all(&chunk).await.map_err(|error| {
                tracing::error!(%error, "writing an upload failed");
                AppError::Internal
            })?;
        }
        file.flush().await.map_err(|_| AppError::Internal)?;
        return Ok(Some((name, incoming)));
    }
    Ok(None)
}

/// Attaches the `file` of the form to one of the vendor's products, then goes back to the
/// product's editor (with `?file=<problem code>` when it was refused).
async fn upload_product_file(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let Ok(actor) = caller.actor() else {
        return Ok(Redirect::to(&format!("/login?next=/vendor/products/{id}")).into_response());
    };
    let product = Id::parse_or_not_found(&id, "The product")?;
    let attached = match receive_file(&state.services, multipart, "file").await {
        Ok(Some((name, incoming))) => {
            files::attach(&state.services, actor, &product, &name, incoming).await
        }
        Ok(None) => Err(AppError::invalid("file", FileProblem::Missing.message())),
        Err(error) => Err(error),
    };
    // A refusal the page can name goes back to it; anything else is the error page.
    let refusal = match &attached {
        Ok(_) => None,
        Err(AppError::Validation(errors)) => errors.first(),
        Err(AppError::Conflict(error)) => Some(error),
        Err(_) => None,
    }
    .and_then(|error| FileProblem::from_message(&error.message));
    match (attached, refusal) {
        (Ok(_), _) => Ok(to_editor(&product, "file", "saved")),
        (Err(_), Some(problem)) => Ok(to_editor(&product, "file", problem.code())),
        (Err(error), None) => Err(error),
    }
}

/// Back to a product's editor, at the section of `field` (`image` → `#images`), with the
/// upload's outcome (`saved` or a problem's code) in `?{field}=`.
fn to_editor(product: &Id, field: &str, outcome: &str) -> Response {
    Redirect::to(&format!(
        "/vendor/products/{product}?{field}={outcome}#{field}s"
    ))
    .into_response()
}

/// What a multipart form sent: one file field and a few short text fields.
#[derive(Debug, Default)]
pub struct Upload {
    /// The file's bytes, at most one byte over the limit it was read with (so "too large" can
    /// be told apart); empty when the field was absent.
    pub file: Vec<u8>,
    /// The text fields asked for, each cut at [`TEXT_FIELD_MAX`] bytes.
    pub text: Vec<(&'static str, String)>,
}

impl Upload {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.text
            .iter()
            .find(|(field, _)| *field == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The longest text field kept from a multipart form, in bytes.
pub const TEXT_FIELD_MAX: usize = 4096;

/// Why a multipart form could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadError {
    /// The body went over the route's limit while streaming.
    TooLarge,
    /// Not a well-formed multipart body.
    Malformed,
}

impl From<UploadError> for AppError {
    fn from(error: UploadError) -> Self {
        match error {
            UploadError::TooLarge => AppError::PayloadTooLarge,
            UploadError::Malformed => {
                AppError::BadRequest("The body is not a well-formed multipart form.".into())
            }
        }
    }
}

/// Reads the `file_field` file (holding at most `max + 1` bytes in memory; the rest is read
/// and dropped, so the client gets its answer cleanly) and the `text_fields`; other fields
/// are skipped.
pub async fn read_upload(
    mut multipart: Multipart,
    file_field: &str,
    max: usize,
    text_fields: &[&'static str],
) -> Result<Upload, UploadError> {
    let problem = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::TooLarge
        } else {
            UploadError::Malformed
        }
    };
    let mut upload = Upload::default();
    while let Some(mut field) = multipart.next_field().await.map_err(problem)? {
        let name = field.name().unwrap_or_default().to_owned();
        let (limit, text_name) = if name == file_field {
            (max + 1, None)
        } else if let Some(known) = text_fields.iter().find(|known| **known == name) {
            (TEXT_FIELD_MAX, Some(*known))
        } else {
            (0, None)
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(problem)? {
            let room = limit.saturating_sub(bytes.len());
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        match text_name {
            Some(known) => upload
                .text
                .push((known, String::from_utf8_lossy(&bytes).into_owned())),
            None if name == file_field => upload.file = bytes,
            None => {}
        }
    }
    Ok(upload)
}
