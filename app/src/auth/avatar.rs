//! Profile pictures: checked by their content (not by the name or type the browser claims),
//! stored under a random name in the media folder, served from `/media/avatars/`.
//!
//! Decision: the image is kept as uploaded (no re-encoding) and only PNG, JPEG, WebP and GIF
//! up to [`MAX_BYTES`] are accepted, recognised by their signature bytes. A file that is not
//! one of them is refused whatever its extension, so nothing else is ever served from the
//! media folder (which is also served with `X-Content-Type-Options: nosniff`).

use super::model::{AvatarProblem, User};
use super::service::find_user;
use crate::error::AppError;
use crate::platform::Services;
use crate::platform::identity::Actor;
use crate::platform::tokens::random_token;
use crate::platform::types::Timestamp;

/// The largest avatar accepted, in bytes.
pub const MAX_BYTES: usize = 1024 * 1024;

/// The folder under the media root that holds avatars.
pub const FOLDER: &str = "avatars";

/// The image kinds accepted, by signature: (magic bytes at offset 0, extension).
const KINDS: [(&[u8], &str); 5] = [
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"RIFF", "webp"),
];

/// The file extension of an accepted image, or why it is refused.
pub fn check(bytes: &[u8]) -> Result<&'static str, AvatarProblem> {
    if bytes.is_empty() {
        return Err(AvatarProblem::Missing);
    }
    if bytes.len() > MAX_BYTES {
        return Err(AvatarProblem::TooLarge);
    }
    KINDS
        .iter()
        .find(|(magic, ext)| {
            bytes.starts_with(magic) && (*ext != "webp" || bytes.get(8..12) == Some(b"WEBP"))
        })
        .map(|(_, ext)| *ext)
        .ok_or(AvatarProblem::NotAnImage)
}

/// Stores `bytes` as the caller's avatar and removes the one it replaces.
pub async fn set(services: &Services, actor: &Actor, bytes: &[u8]) -> Result<User, AppError> {
    let principal = actor.writer()?;
    let ext = check(bytes).map_err(|problem| AppError::invalid("avatar", problem.message()))?;
    let folder = services.media_dir.join(FOLDER);
    let name = format!("{}.{ext}", random_token(""));
    let io_error = |error: std::io::Error| {
        tracing::error!(%error, "storing an avatar failed");
        AppError::Internal
    };
    tokio::fs::create_dir_all(&folder).await.map_err(io_error)?;
    tokio::fs::write(folder.join(&name), bytes)
        .await
        .map_err(io_error)?;
    let previous: Option<Option<String>> =
        sqlx::query_scalar("SELECT avatar FROM users WHERE id = $1")
            .bind(&principal.id)
            .fetch_optional(services.db.pool())
            .await?;
    let updated = sqlx::query("UPDATE users SET avatar = $1, updated_at = $2 WHERE id = $3")
        .bind(&name)
        .bind(Timestamp::now())
        .bind(&principal.id)
        .execute(services.db.pool())
        .await;
    if let Err(error) = updated {
        // Nothing points at the new file: do not leave it behind.
        let _ = tokio::fs::remove_file(folder.join(&name)).await;
        return Err(error.into());
    }
    if let Some(Some(old)) = previous
        && is_stored_name(&old)
    {
        let _ = tokio::fs::remove_file(folder.join(old)).await;
    }
    find_user(&services.db, &principal.id).await
}

/// Whether `name` is one of ours (a URL-safe random token, one known extension): never a
/// path.
fn is_stored_name(name: &str) -> bool {
    name.split_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && stem
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && KINDS.iter().any(|(_, known)| *known == ext)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_recognised_by_their_bytes() {
        assert_eq!(check(b"\x89PNG\r\n\x1a\n rest"), Ok("png"));
        assert_eq!(check(b"\xff\xd8\xff\xe0 jfif"), Ok("jpg"));
        assert_eq!(check(b"GIF89a..."), Ok("gif"));
        assert_eq!(check(b"RIFF\x10\0\0\0WEBPVP8 "), Ok("webp"));
    }

    #[test]
    fn other_files_and_oversized_images_are_refused() {
        assert!(check(b"").is_err());
        assert!(check(b"<svg onload=alert(1)>").is_err());
        assert!(
            check(b"RIFF\x10\0\0\0WAVEfmt ").is_err(),
            "a RIFF that is not WebP"
        );
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(MAX_BYTES + 1, 0);
        assert_eq!(check(&big), Err(AvatarProblem::TooLarge));
    }

    #[test]
    fn only_our_own_file_names_are_deleted() {
        assert!(is_stored_name("a1b2-c3_d.png"));
        assert!(!is_stored_name("../../etc/passwd"));
        assert!(!is_stored_name("x.svg"));
        assert!(!is_stored_name(".png"));
    }
}
