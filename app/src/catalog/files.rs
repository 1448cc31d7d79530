//! The files a product delivers to its buyers (a ZIP of templates, a PDF e-book, a licence
//! key file): uploaded by the product's vendor, kept under a random name in the private files
//! folder (`AGORA_FILES_DIR`, never served as it is), and handed to buyers by the orders
//! feature through expiring signed links.
//!
//! Uploads are streamed to disk by the entry point ([`Incoming`]), so a 100 MB file never sits
//! in memory; this module then checks who may attach it and moves it into place, or deletes
//! it.

use super::model::{FileProblem, ProductFile, ProductStatus};
use super::products::{editable, own, storefront};
use crate::error::{AppError, FieldError};
use crate::platform::Services;
use crate::platform::events::Event;
use crate::platform::identity::Actor;
use crate::platform::tokens::random_token;
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Timestamp};
use crate::settings::model::REREVIEW_LIVE_CHANGES;
use crate::settings::service as settings;
use sqlx::AnyConnection;
use std::path::PathBuf;

/// The largest file, in bytes.
pub const MAX_BYTES: u64 = 100 * 1024 * 1024;
/// Files per product.
pub const MAX_PER_PRODUCT: i64 = 5;
/// A file name's length, in characters.
pub const NAME_MAX: usize = 200;

/// The folder under the files root where uploads land before they are attached.
const INCOMING: &str = "incoming";

/// An uploaded file on disk, not yet attached to a product. Dropping it without attaching
/// deletes it.
#[derive(Debug)]
pub struct Incoming {
    path: PathBuf,
    pub bytes: u64,
}

impl Drop for Incoming {
    fn drop(&mut self) {
        // Attached files were moved away: this only removes what was refused.
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Incoming {
    /// A new, empty file to stream an upload into, and its path.
    pub async fn create(services: &Services) -> Result<(Self, tokio::fs::File), AppError> {
        let folder = services.files_dir.join(INCOMING);
        tokio::fs::create_dir_all(&folder).await.map_err(io_error)?;
        let path = folder.join(random_token(""));
        let file = tokio::fs::File::create(&path).await.map_err(io_error)?;
        Ok((Self { path, bytes: 0 }, file))
    }
}

fn io_error(error: std::io::Error) -> AppError {
    tracing::error!(%error, "storing a product file failed");
    AppError::Internal
}

/// The name a buyer's download gets: the last part of what the browser sent, without control
/// characters or path separators, at most [`NAME_MAX`] characters; `download` when nothing is
/// left.
pub fn clean_name(sent: &str) -> String {
    let base = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(NAME_MAX)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "download".to_owned()
    } else {
        cleaned
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Id,
    name: String,
    bytes: i64,
    created_at: Timestamp,
}

impl From<Row> for ProductFile {
    fn from(row: Row) -> Self {
        ProductFile {
            id: row.id,
            name: row.name,
            bytes: u64::try_from(row.bytes).unwrap_or(0),
            created_at: row.created_at,
        }
    }
}

async fn list_of(conn: &mut AnyConnection, product: &Id) -> Result<Vec<ProductFile>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, name, bytes, created_at FROM product_files WHERE product_id = $1 \
         ORDER BY created_at, id",
    )
    .bind(product)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(ProductFile::from).collect())
}

/// The files of one of the caller's products.
pub async fn list(
    services: &Services,
    actor: &Actor,
    product: &Id,
) -> Result<Vec<ProductFile>, AppError> {
    let vendor = storefront(&services.db, actor).await?;
    let mut conn = services.db.pool().acquire().await?;
    own(&mut conn, &vendor, product).await?;
    list_of(&mut conn, product).await
}

/// What a change to a live product's files does to its status: back to review when the
/// `rereview_live_changes` setting says so.
async fn after_change(
    services: &Services,
    tx: &mut Tx,
    product: &Id,
    status: ProductStatus,
) -> Result<(), AppError> {
    if status == ProductStatus::Active
        && settings::get(&services.db, &REREVIEW_LIVE_CHANGES).await?
    {
        sqlx::query("UPDATE products SET status = 'pending', updated_at = $1 WHERE id = $2")
            .bind(Timestamp::now())
            .bind(product)
            .execute(&mut **tx)
            .await?;
        tx.publish(Event::new(
            "product.submitted",
            serde_json::json!({ "productId": product, "reason": "files changed" }),
        ));
    }
    Ok(())
}

/// Attaches `bytes` as the file `name` of `product`, for the demo seed (admins: the
/// operator's command). A product that has files already is left as it is.
pub async fn attach_demo(
    services: &Services,
    _admin: crate::platform::identity::Admin<'_>,
    product: &Id,
    name: &str,
    bytes: &[u8],
) -> Result<(), AppError> {
    let mut tx = Tx::begin(services).await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM product_files WHERE product_id = $1")
        .bind(product)
        .fetch_one(&mut *tx)
        .await?;
    if count > 0 {
        return tx.rollback().await;
    }
    let stored = random_token("");
    tokio::fs::create_dir_all(&*services.files_dir)
        .await
        .map_err(io_error)?;
    let target = services.files_dir.join(&stored);
    tokio::fs::write(&target, bytes).await.map_err(io_error)?;
    sqlx::query(
        "INSERT INTO product_files (id, product_id, name, stored, bytes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Id::random())
    .bind(product)
    .bind(clean_name(name))
    .bind(&stored)
    .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
    .bind(Timestamp::now())
    .execute(&mut *tx)
    .await?;
    if let Err(error) = tx.commit().await {
        let _ = tokio::fs::remove_file(&target).await;
        return Err(error);
    }
    Ok(())
}

/// Attaches an uploaded file to one of the caller's products (not while it is being reviewed;
/// at most [`MAX_PER_PRODUCT`]).
pub async fn attach(
    services: &Services,
    actor: &Actor,
    product: &Id,
    name: &str,
    incoming: Incoming,
) -> Result<ProductFile, AppError> {
    actor.writer()?;
    let vendor = storefront(&services.db, actor).await?;
    if incoming.bytes == 0 {
        return Err(AppError::invalid("file", FileProblem::Missing.message()));
    }
    if incoming.bytes > MAX_BYTES {
        return Err(AppError::invalid("file", FileProblem::TooLarge.message()));
    }
    let mut tx = Tx::begin(services).await?;
    let current = editable(&mut tx, Some(&vendor), product).await?;
    let now = Timestamp::now();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM product_files WHERE product_id = $1")
        .bind(product)
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_PER_PRODUCT {
        return Err(AppError::Conflict(FieldError::new(
            "file",
            FileProblem::TooMany.message(),
        )));
    }
    let id = Id::random();
    let stored = random_token("");
    let name = clean_name(name);
    sqlx::query(
        "INSERT INTO product_files (id, product_id, name, stored, bytes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(product)
    .bind(&name)
    .bind(&stored)
    .bind(i64::try_from(incoming.bytes).unwrap_or(i64::MAX))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    after_change(services, &mut tx, product, current.status).await?;
    let target = services.files_dir.join(&stored);
    tokio::fs::rename(&incoming.path, &target)
        .await
        .map_err(io_error)?;
    if let Err(error) = tx.commit().await {
        let _ = tokio::fs::remove_file(&target).await;
        return Err(error);
    }
    Ok(ProductFile {
        id,
        name,
        bytes: incoming.bytes,
        created_at: now,
    })
}

/// Removes a file from one of the caller's products (not while it is being reviewed).
pub async fn remove(
    services: &Services,
    actor: &Actor,
    product: &Id,
    file: &Id,
) -> Result<(), AppError> {
    actor.writer()?;
    let vendor = storefront(&services.db, actor).await?;
    let mut tx = Tx::begin(services).await?;
    let current = editable(&mut tx, Some(&vendor), product).await?;
    let stored: Option<String> =
        sqlx::query_scalar("SELECT stored FROM product_files WHERE id = $1 AND product_id = $2")
            .bind(file)
            .bind(product)
            .fetch_optional(&mut *tx)
            .await?;
    let stored = stored.ok_or_else(|| AppError::NotFound("The file".into()))?;
    sqlx::query("DELETE FROM product_files WHERE id = $1")
        .bind(file)
        .execute(&mut *tx)
        .await?;
    after_change(services, &mut tx, product, current.status).await?;
    tx.commit().await?;
    if let Err(error) = tokio::fs::remove_file(services.files_dir.join(&stored)).await {
        tracing::warn!(%error, "cannot remove a product file");
    }
    Ok(())
}

/// The stored names of `product`'s files, to remove once the product is gone.
pub(super) async fn stored_names(
    conn: &mut AnyConnection,
    product: &Id,
) -> Result<Vec<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT stored FROM product_files WHERE product_id = $1")
            .bind(product)
            .fetch_all(conn)
            .await?,
    )
}

/// Removes stored files, best effort.
pub(super) async fn remove_stored(services: &Services, names: &[String]) {
    for name in names {
        if let Err(error) = tokio::fs::remove_file(services.files_dir.join(name)).await {
            tracing::warn!(%error, "cannot remove a product file");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FileProblem, MAX_BYTES, MAX_PER_PRODUCT, clean_name};

    #[test]
    fn refusals_name_the_real_bounds() {
        assert!(
            FileProblem::TooMany
                .message()
                .contains(&format!(" {MAX_PER_PRODUCT} files"))
        );
        assert!(
            FileProblem::TooLarge
                .message()
                .contains(&format!(" {} MB", MAX_BYTES / 1024 / 1024))
        );
    }

    #[test]
    fn file_names_are_cleaned_to_a_safe_base_name() {
        assert_eq!(clean_name("templates.zip"), "templates.zip");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\me\\book.pdf"), "book.pdf");
        assert_eq!(clean_name("a\"b\r\n.txt"), "ab.txt");
        assert_eq!(clean_name(".htaccess"), "htaccess");
        assert_eq!(clean_name(""), "download");
        assert_eq!(clean_name("x".repeat(300).as_str()).len(), 200);
    }
}
