//! Product images: the product's vendor uploads them; they are checked by their content (the
//! format from the signature bytes, the size from the header) in the request, stored under a
//! random name in the media folder's `products/`, and served from `/media/products/`. The
//! thumbnail is made afterwards by a job (decoding a 6000-pixel photo has no place in a
//! request), and the pages show the full image until it exists.
//!
//! Decision: the upload is kept as sent (PNG, JPEG or WebP — nothing else is ever served from
//! the media folder); thumbnails are JPEG, or PNG when the image has transparency.

use super::model::{ImageProblem, ProductImage, THUMBNAIL_SIDE};
use super::products::{editable, storefront};
use crate::error::{AppError, FieldError};
use crate::platform::Services;
use crate::platform::identity::{Actor, Admin};
use crate::platform::jobs::{JobContext, JobHandlers, JobKind};
use crate::platform::tokens::random_token;
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Timestamp};
use crate::vendors::model::Vendor;
use image::{ImageFormat, ImageReader, Limits};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// The largest image accepted, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The shortest side accepted, in pixels.
pub const MIN_SIDE: u32 = 200;
/// The longest side accepted, in pixels.
pub const MAX_SIDE: u32 = 6000;
/// Images per product.
pub const MAX_PER_PRODUCT: i64 = 8;
/// Alt text, in characters.
pub const ALT_MAX: usize = 200;

/// The folder under the media root that holds product images and thumbnails.
const FOLDER: &str = "products";

/// Makes an image's thumbnail.
pub const MAKE_THUMBNAIL: JobKind = JobKind {
    name: "catalog.thumbnail",
    max_attempts: 3,
};

#[derive(Serialize, Deserialize)]
struct ThumbnailJob {
    image: Id,
}

/// An image that passed the checks.
#[derive(Debug, PartialEq, Eq)]
pub struct Checked {
    pub extension: &'static str,
    pub width: u32,
    pub height: u32,
}

/// What `bytes` is, or why it is refused: PNG, JPEG or WebP by its signature, at most
/// [`MAX_BYTES`], between [`MIN_SIDE`] and [`MAX_SIDE`] pixels a side by its header.
pub fn check(bytes: &[u8]) -> Result<Checked, ImageProblem> {
    if bytes.is_empty() {
        return Err(ImageProblem::Missing);
    }
    if bytes.len() > MAX_BYTES {
        return Err(ImageProblem::TooLarge);
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| ImageProblem::NotAnImage)?;
    let extension = match reader.format() {
        Some(ImageFormat::Png) => "png",
        Some(ImageFormat::Jpeg) => "jpg",
        Some(ImageFormat::WebP) => "webp",
        _ => return Err(ImageProblem::NotAnImage),
    };
    let (width, height) = reader
        .into_dimensions()
        .map_err(|_| ImageProblem::NotAnImage)?;
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(ImageProblem::TooSmall);
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ImageProblem::TooBig);
    }
    Ok(Checked {
        extension,
        width,
        height,
    })
}

fn refused(problem: ImageProblem) -> AppError {
    AppError::invalid("image", problem.message())
}

fn folder(services: &Services) -> PathBuf {
    services.media_dir.join(FOLDER)
}

fn url(file: &str) -> String {
    format!("/media/{FOLDER}/{file}")
}

fn io_error(error: std::io::Error) -> AppError {
    tracing::error!(%error, "storing a product image failed");
    AppError::Internal
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Id,
    product_id: Id,
    file: String,
    thumbnail: Option<String>,
    width: i64,
    height: i64,
    alt: String,
}

impl Row {
    fn into_image(self) -> ProductImage {
        ProductImage {
            thumbnail_url: url(self.thumbnail.as_deref().unwrap_or(&self.file)),
            url: url(&self.file),
            id: self.id,
            width: u32::try_from(self.width).unwrap_or(0),
            height: u32::try_from(self.height).unwrap_or(0),
            alt: self.alt,
        }
    }
}

/// The galleries of `products`, cover first.
pub(crate) async fn of(
    conn: &mut AnyConnection,
    products: &[&Id],
) -> Result<HashMap<Id, Vec<ProductImage>>, AppError> {
    let mut galleries: HashMap<Id, Vec<ProductImage>> = HashMap::new();
    if products.is_empty() {
        return Ok(galleries);
    }
    let placeholders: Vec<String> = (1..=products.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT id, product_id, file, thumbnail, width, height, alt FROM product_images \
         WHERE product_id IN ({}) ORDER BY position, id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, Row>(&sql);
    for id in products {
        query = query.bind(*id);
    }
    for row in query.fetch_all(conn).await? {
        galleries
            .entry(row.product_id.clone())
            .or_default()
            .push(row.into_image());
    }
    Ok(galleries)
}

/// The stored names (images and thumbnails) of `product`'s gallery, to remove once the
/// product is gone.
pub(super) async fn stored_names(
    conn: &mut AnyConnection,
    product: &Id,
) -> Result<Vec<String>, AppError> {
    let rows: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT file, thumbnail FROM product_images WHERE product_id = $1")
            .bind(product)
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .flat_map(|(file, thumbnail)| std::iter::once(file).chain(thumbnail))
        .collect())
}

/// Removes stored files, best effort (a file left behind is only disk space).
pub(super) async fn remove_files(services: &Services, names: &[String]) {
    let folder = folder(services);
    for name in names {
        if let Err(error) = tokio::fs::remove_file(folder.join(name)).await {
            tracing::warn!(%error, file = %name, "cannot remove a product image");
        }
    }
}

/// Adds an image to the end of one of the caller's products' gallery (its vendor; not while
/// it is being reviewed), and queues its thumbnail.
pub async fn add(
    services: &Services,
    actor: &Actor,
    product: &Id,
    bytes: &[u8],
    alt: Option<&str>,
) -> Result<ProductImage, AppError> {
    actor.writer()?;
    let vendor = storefront(&services.db, actor).await?;
    store(services, Some(&vendor), product, bytes, alt).await
}

/// Adds an image to any product on an admin's word (the demo seed), with the same checks.
pub async fn publish_for(
    services: &Services,
    _admin: Admin<'_>,
    product: &Id,
    bytes: &[u8],
    alt: Option<&str>,
) -> Result<ProductImage, AppError> {
    store(services, None, product, bytes, alt).await
}

/// Checks and stores an image of `product` (which must be `vendor`'s when one is given).
async fn store(
    services: &Services,
    vendor: Option<&Vendor>,
    product: &Id,
    bytes: &[u8],
    alt: Option<&str>,
) -> Result<ProductImage, AppError> {
    let alt = alt.unwrap_or_default();
    if alt.chars().count() > ALT_MAX {
        return Err(AppError::invalid(
            "alt",
            format!("Use at most {ALT_MAX} characters."),
        ));
    }
    let checked = check(bytes).map_err(refused)?;
    let mut tx = Tx::begin(services).await?;
    let current = editable(&mut tx, vendor, product).await?;
    let now = Timestamp::now();
    let (count, last): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MAX(position) FROM product_images WHERE product_id = $1")
            .bind(product)
            .fetch_one(&mut *tx)
            .await?;
    if count >= MAX_PER_PRODUCT {
        return Err(AppError::Conflict(FieldError::new(
            "image",
            ImageProblem::TooMany.message(),
        )));
    }
    let folder = folder(services);
    tokio::fs::create_dir_all(&folder).await.map_err(io_error)?;
    let file = format!("{}.{}", random_token(""), checked.extension);
    tokio::fs::write(folder.join(&file), bytes)
        .await
        .map_err(io_error)?;
    let id = Id::random();
    let alt = if alt.trim().is_empty() {
        current.title.clone()
    } else {
        alt.to_owned()
    };
    let saved = async {
        sqlx::query(
            "INSERT INTO product_images (id, product_id, position, file, width, height, bytes, \
             alt, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(product)
        .bind(last.map_or(0, |position| position + 1))
        .bind(&file)
        .bind(i64::from(checked.width))
        .bind(i64::from(checked.height))
        .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
        .bind(&alt)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.enqueue(&MAKE_THUMBNAIL, &ThumbnailJob { image: id.clone() })?;
        tx.commit().await
    }
    .await;
    if let Err(error) = saved {
        // Nothing points at the file: do not leave it behind.
        remove_files(services, std::slice::from_ref(&file)).await;
        return Err(error);
    }
    Ok(ProductImage {
        thumbnail_url: url(&file),
        url: url(&file),
        id,
        width: checked.width,
        height: checked.height,
        alt,
    })
}

/// Removes an image from one of the caller's products (its vendor; not while it is being
/// reviewed).
pub async fn remove(
    services: &Services,
    actor: &Actor,
    product: &Id,
    image: &Id,
) -> Result<(), AppError> {
    actor.writer()?;
    let vendor = storefront(&services.db, actor).await?;
    let mut tx = Tx::begin(services).await?;
    editable(&mut tx, Some(&vendor), product).await?;
    let stored: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT file, thumbnail FROM product_images WHERE id = $1 AND product_id = $2",
    )
    .bind(image)
    .bind(product)
    .fetch_optional(&mut *tx)
    .await?;
    let (file, thumbnail) = stored.ok_or_else(|| AppError::NotFound("The image".into()))?;
    sqlx::query("DELETE FROM product_images WHERE id = $1")
        .bind(image)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let names: Vec<String> = std::iter::once(file).chain(thumbnail).collect();
    remove_files(services, &names).await;
    Ok(())
}

/// Registers the thumbnail job.
pub fn register_jobs(handlers: &mut JobHandlers) {
    handlers.register(&MAKE_THUMBNAIL, |job: JobContext| async move {
        make_thumbnail(&job.services, &job.payload)
            .await
            .map_err(|error| error.to_string())
    });
}

/// Makes the thumbnail of the image the job names; an image deleted meanwhile needs none.
async fn make_thumbnail(services: &Services, payload: &str) -> Result<(), String> {
    let job: ThumbnailJob = serde_json::from_str(payload).map_err(|e| e.to_string())?;
    let file: Option<String> =
        sqlx::query_scalar("SELECT file FROM product_images WHERE id = $1 AND thumbnail IS NULL")
            .bind(&job.image)
            .fetch_optional(services.db.pool())
            .await
            .map_err(|e| e.to_string())?;
    let Some(file) = file else {
        return Ok(());
    };
    let folder = folder(services);
    let source = folder.join(&file);
    let stem = file.split('.').next().unwrap_or(&file).to_owned();
    let made = tokio::task::spawn_blocking(move || render_thumbnail(&source))
        .await
        .map_err(|e| e.to_string())??;
    let thumbnail = format!("{stem}-thumb.{}", made.extension);
    tokio::fs::write(folder.join(&thumbnail), &made.bytes)
        .await
        .map_err(|e| e.to_string())?;
    let updated = sqlx::query("UPDATE product_images SET thumbnail = $1 WHERE id = $2")
        .bind(&thumbnail)
        .bind(&job.image)
        .execute(services.db.pool())
        .await
        .map_err(|e| e.to_string())?
        .rows_affected();
    if updated == 0 {
        remove_files(services, &[thumbnail]).await;
    } else {
        // Lists show covers by their thumbnail: cached ones are out of date.
        services.reads.invalidate();
    }
    Ok(())
}

struct Thumbnail {
    bytes: Vec<u8>,
    extension: &'static str,
}

/// Decodes `source` (within the accepted size, whatever its header claims) and encodes a copy
/// at most [`THUMBNAIL_SIDE`] pixels on its longer side.
fn render_thumbnail(source: &Path) -> Result<Thumbnail, String> {
    let mut reader = ImageReader::open(source)
        .and_then(ImageReader::with_guessed_format)
        .map_err(|e| e.to_string())?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| e.to_string())?;
    let small = image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE);
    let mut bytes = Vec::new();
    let extension = if small.color().has_alpha() {
        small
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .map_err(|e| e.to_string())?;
        "png"
    } else {
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 82)
            .encode_image(&small.to_rgb8())
            .map_err(|e| e.to_string())?;
        "jpg"
    };
    Ok(Thumbnail { bytes, extension })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb, Rgba};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = ImageBuffer::from_pixel(width, height, Rgb([10u8, 120, 200]));
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn images_are_checked_by_content_and_size() {
        assert_eq!(
            check(&png(640, 400)),
            Ok(Checked {
                extension: "png",
                width: 640,
                height: 400
            })
        );
        assert_eq!(check(&png(199, 400)), Err(ImageProblem::TooSmall));
        assert_eq!(check(b""), Err(ImageProblem::Missing));
        assert_eq!(
            check(b"<svg onload=alert(1)>"),
            Err(ImageProblem::NotAnImage)
        );
        assert_eq!(check(b"GIF89a\x01\0\x01\0"), Err(ImageProblem::NotAnImage));
        let mut truncated = png(640, 400);
        truncated.truncate(12);
        assert_eq!(check(&truncated), Err(ImageProblem::NotAnImage));
        let mut big = png(640, 400);
        big.resize(MAX_BYTES + 1, 0);
        assert_eq!(check(&big), Err(ImageProblem::TooLarge));
    }

    #[test]
    fn sides_are_read_from_the_header() {
        assert_eq!(check(&png(6001, 200)), Err(ImageProblem::TooBig));
        assert!(check(&png(6000, 200)).is_ok());
    }

    #[test]
    fn thumbnails_fit_the_box_and_keep_transparency() {
        let dir = tempfile::tempdir().unwrap();
        let opaque = dir.path().join("a.png");
        std::fs::write(&opaque, png(1200, 600)).unwrap();
        let made = render_thumbnail(&opaque).unwrap();
        assert_eq!(made.extension, "jpg");
        let decoded = image::load_from_memory(&made.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (480, 240));

        let clear = dir.path().join("b.png");
        let image = ImageBuffer::from_pixel(300, 300, Rgba([0u8, 0, 0, 0]));
        image.save(&clear).unwrap();
        assert_eq!(render_thumbnail(&clear).unwrap().extension, "png");
    }
}
