//! File uploads from the browser's plain forms, and the media folder they fill.
//!
//! Server functions take URL-encoded forms only before hydration, so uploads are ordinary
//! multipart `POST`s answered with a redirect back to the page: they work with and without
//! the wasm, behind the same session and CSRF rules as everything else.

use crate::state::AppState;
use app::auth::avatar;
use app::auth::model::AvatarProblem;
use app::error::AppError;
use app::platform::caller::Caller;
use axum::Router;
use axum::extract::{Extension, Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use http::StatusCode;
use tower_http::services::ServeDir;

/// The largest upload request read. Above the largest file accepted (a phone photo of a few
/// MB must get "larger than 1 MB" next to the field, not a bare 413), but bounded.
pub const BODY_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// `POST /account/avatar` and the files under `/media`.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/account/avatar", post(upload_avatar))
        .nest_service("/media", ServeDir::new(&state.config.media_dir))
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
    let bytes = match avatar_field(multipart).await {
        Ok(bytes) => bytes,
        Err(problem) => return back(Some(problem)),
    };
    if let Err(problem) = avatar::check(&bytes) {
        return back(Some(problem));
    }
    avatar::set(&state.services, actor, &bytes).await?;
    back(None)
}

/// The bytes of the form's `avatar` field, holding no more than one byte over the limit in
/// memory (the rest is read and dropped, so the browser gets the answer cleanly).
async fn avatar_field(mut multipart: Multipart) -> Result<Vec<u8>, AvatarProblem> {
    let problem = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AvatarProblem::TooLarge
        } else {
            AvatarProblem::Missing
        }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(problem)? {
        if field.name() != Some("avatar") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(problem)? {
            let room = (avatar::MAX_BYTES + 1).saturating_sub(bytes.len());
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        return Ok(bytes);
    }
    Err(AvatarProblem::Missing)
}
