//! Reviews: one per verified buyer per product, 1–5 stars and text; the author edits or
//! deletes it, the product's vendor replies once, staff hide and unhide it.
//!
//! The product's rating (`rating_count`, `rating_sum` over visible reviews) is recomputed from
//! the reviews in the same transaction as every change, after taking the product's row: the
//! writers of one product's reviews go one at a time, and each recount sees every committed
//! review — so the rating stays exact under concurrent writes on both backends.

use super::model::ProductStatus;
use super::model::{RatingHistogram, Review, ReviewChanges, ReviewInput, ReviewSort};
use super::purchases;
use super::rules;
use crate::audit::service::{NewEntry, record};
use crate::db::Db;
use crate::error::{AppError, FieldError};
use crate::platform::Services;
use crate::platform::identity::{Actor, Admin, Staff};
use crate::platform::paging::Window;
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Page, Timestamp};
use crate::platform::validate::Checks;
use crate::vendors::service as vendors;
use sqlx::AnyConnection;

const COLUMNS: &str = "r.id, r.product_id, u.first_name, u.last_name, r.rating, r.body, \
    r.hidden, r.reply, r.replied_at, r.created_at, r.updated_at";
const FROM: &str = "reviews r JOIN users u ON u.id = r.user_id";

#[derive(sqlx::FromRow)]
struct Row {
    id: Id,
    product_id: Id,
    first_name: String,
    last_name: String,
    rating: i64,
    body: String,
    hidden: i64,
    reply: Option<String>,
    replied_at: Option<Timestamp>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl Row {
    fn into_review(self) -> Review {
        let initial = self
            .last_name
            .chars()
            .next()
            .map(|c| format!(" {c}."))
            .unwrap_or_default();
        Review {
            author: format!("{}{initial}", self.first_name),
            id: self.id,
            product_id: self.product_id,
            rating: u8::try_from(self.rating).unwrap_or(0),
            body: self.body,
            hidden: self.hidden != 0,
            reply: self.reply,
            replied_at: self.replied_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

fn not_found() -> AppError {
    AppError::NotFound("The review".into())
}

fn conflict(field: &str, message: &str) -> AppError {
    AppError::Conflict(FieldError::new(field, message))
}

async fn find(conn: &mut AnyConnection, id: &Id) -> Result<Review, AppError> {
    let row: Row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(not_found)?;
    Ok(row.into_review())
}

/// The author of review `id`, with its product (for the lock).
async fn owner(conn: &mut AnyConnection, id: &Id) -> Result<(Id, Id), AppError> {
    sqlx::query_as("SELECT user_id, product_id FROM reviews WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(not_found)
}

/// Takes `product`'s row until the transaction ends: every writer of its reviews goes in turn.
async fn lock_product(conn: &mut AnyConnection, product: &Id) -> Result<(), AppError> {
    sqlx::query("UPDATE products SET rating_count = rating_count WHERE id = $1")
        .bind(product)
        .execute(conn)
        .await?;
    Ok(())
}

/// Recounts `product`'s rating from its visible reviews (after [`lock_product`]).
async fn recount(conn: &mut AnyConnection, product: &Id) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE products SET \
         rating_count = (SELECT COUNT(*) FROM reviews WHERE product_id = $1 AND hidden = 0), \
         rating_sum = (SELECT COALESCE(SUM(rating), 0) FROM reviews \
                       WHERE product_id = $1 AND hidden = 0) \
         WHERE id = $1",
    )
    .bind(product)
    .execute(conn)
    .await?;
    Ok(())
}

/// Reviews an active product the caller bought: one review each (`CONFLICT` for a second,
/// and for someone who has not bought it).
pub async fn create(
    services: &Services,
    actor: &Actor,
    product: &Id,
    input: ReviewInput,
) -> Result<Review, AppError> {
    let principal = actor.writer()?;
    insert(services, &principal.id, product, input).await
}

/// Posts the review of a buyer on an admin's word (the demo seed), with the same checks.
pub async fn publish_for(
    services: &Services,
    _admin: Admin<'_>,
    buyer: &Id,
    product: &Id,
    input: ReviewInput,
) -> Result<Review, AppError> {
    insert(services, buyer, product, input).await
}

async fn insert(
    services: &Services,
    buyer: &Id,
    product: &Id,
    input: ReviewInput,
) -> Result<Review, AppError> {
    let mut checks = Checks::default();
    let rating = checks.check("rating", rules::rating(input.rating));
    let body = checks.check("body", rules::review_body(&input.body));
    checks.finish()?;
    let (Some(rating), Some(body)) = (rating, body) else {
        return Err(AppError::Internal);
    };
    let mut tx = Tx::begin(services).await?;
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM products WHERE id = $1")
        .bind(product)
        .fetch_optional(&mut *tx)
        .await?;
    if status.as_deref() != Some(ProductStatus::Active.as_str()) {
        return Err(AppError::NotFound("The product".into()));
    }
    if !purchases::owns(&mut tx, buyer, product).await? {
        return Err(conflict(
            "product",
            "Only people who bought this product can review it.",
        ));
    }
    lock_product(&mut tx, product).await?;
    let id = Id::random();
    let now = Timestamp::now();
    // A second review by the same buyer is a CONFLICT on `product` through `db::CONSTRAINTS`.
    sqlx::query(
        "INSERT INTO reviews (id, product_id, user_id, rating, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(product)
    .bind(buyer)
    .bind(i64::from(rating))
    .bind(&body)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    recount(&mut tx, product).await?;
    let review = find(&mut tx, &id).await?;
    tx.commit().await?;
    Ok(review)
}

/// Changes the caller's own review (anyone else's is not found).
pub async fn update(
    services: &Services,
    actor: &Actor,
    id: &Id,
    changes: ReviewChanges,
) -> Result<Review, AppError> {
    let principal = actor.writer()?;
    let mut checks = Checks::default();
    let rating = changes
        .rating
        .and_then(|r| checks.check("rating", rules::rating(r)));
    let body = changes
        .body
        .as_deref()
        .and_then(|b| checks.check("body", rules::review_body(b)));
    checks.finish()?;
    let mut tx = Tx::begin(services).await?;
    let (author, product) = owner(&mut tx, id).await?;
    if author != principal.id {
        return Err(not_found());
    }
    lock_product(&mut tx, &product).await?;
    sqlx::query(
        "UPDATE reviews SET rating = COALESCE($1, rating), body = COALESCE($2, body), \
         updated_at = $3 WHERE id = $4",
    )
    .bind(rating.map(i64::from))
    .bind(body)
    .bind(Timestamp::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    recount(&mut tx, &product).await?;
    let review = find(&mut tx, id).await?;
    tx.commit().await?;
    Ok(review)
}

/// Deletes the caller's own review.
pub async fn delete(services: &Services, actor: &Actor, id: &Id) -> Result<(), AppError> {
    let principal = actor.writer()?;
    let mut tx = Tx::begin(services).await?;
    let (author, product) = owner(&mut tx, id).await?;
    if author != principal.id {
        return Err(not_found());
    }
    lock_product(&mut tx, &product).await?;
    sqlx::query("DELETE FROM reviews WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    recount(&mut tx, &product).await?;
    tx.commit().await
}

/// The product's vendor answers a review, once (`CONFLICT` for a second reply).
pub async fn reply(
    services: &Services,
    actor: &Actor,
    id: &Id,
    text: &str,
) -> Result<Review, AppError> {
    actor.writer()?;
    let text = rules::reply(text).map_err(|message| AppError::invalid("reply", message))?;
    let vendor = vendors::mine(&services.db, actor)
        .await?
        .ok_or_else(not_found)?;
    let mut tx = Tx::begin(services).await?;
    let seller: Option<Id> = sqlx::query_scalar(
        "SELECT p.vendor_id FROM reviews r JOIN products p ON p.id = r.product_id \
         WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if seller.as_ref() != Some(&vendor.id) {
        return Err(not_found());
    }
    let replied = sqlx::query(
        "UPDATE reviews SET reply = $1, replied_at = $2 WHERE id = $3 AND reply IS NULL",
    )
    .bind(&text)
    .bind(Timestamp::now())
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if replied == 0 {
        return Err(conflict("reply", "This review already has your reply."));
    }
    let review = find(&mut tx, id).await?;
    tx.commit().await?;
    Ok(review)
}

/// Hides a review from the product's page and rating, or shows it again (staff with write
/// access). Audited.
pub async fn set_hidden(
    services: &Services,
    staff: Staff<'_>,
    id: &Id,
    hidden: bool,
) -> Result<Review, AppError> {
    let staff = staff.writer()?;
    let mut tx = Tx::begin(services).await?;
    let (_, product) = owner(&mut tx, id).await?;
    lock_product(&mut tx, &product).await?;
    sqlx::query("UPDATE reviews SET hidden = $1 WHERE id = $2")
        .bind(i64::from(hidden))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    recount(&mut tx, &product).await?;
    let review = find(&mut tx, id).await?;
    record(
        &mut tx,
        NewEntry {
            actor: staff.actor().audit_label(),
            action: if hidden {
                "reviews.hide"
            } else {
                "reviews.unhide"
            },
            target: Some(format!("review:{id}")),
            details: serde_json::json!({ "product": product }),
            ip: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(review)
}

/// What a list of one product's reviews asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReviewQuery {
    /// Only reviews with this many stars.
    pub rating: Option<u8>,
    pub sort: Option<ReviewSort>,
    /// `true` for lowest or oldest first.
    pub ascending: Option<bool>,
}

/// The visible reviews of a public product, a page at a time.
pub async fn for_product(
    db: &Db,
    product: &Id,
    query: ReviewQuery,
    window: Window,
) -> Result<Page<Review>, AppError> {
    if let Some(stars) = query.rating {
        rules::rating(stars).map_err(|message| AppError::invalid("filter[rating]", message))?;
    }
    let mut conn = db.pool().acquire().await?;
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM products WHERE id = $1")
        .bind(product)
        .fetch_optional(&mut *conn)
        .await?;
    if status.as_deref() != Some(ProductStatus::Active.as_str()) {
        return Err(AppError::NotFound("The product".into()));
    }
    let direction = if query.ascending.unwrap_or(false) {
        "ASC"
    } else {
        "DESC"
    };
    let order = match query.sort.unwrap_or(ReviewSort::Newest) {
        ReviewSort::Newest => format!("r.created_at {direction}"),
        ReviewSort::Rating => format!("r.rating {direction}, r.created_at DESC"),
    };
    let rating = query.rating.map(i64::from);
    let filter = "r.product_id = $1 AND r.hidden = 0 AND ($2 IS NULL OR r.rating = $2)";
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {FROM} WHERE {filter}"))
        .bind(product)
        .bind(rating)
        .fetch_one(&mut *conn)
        .await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE {filter} ORDER BY {order}, r.id LIMIT $3 OFFSET $4"
    ))
    .bind(product)
    .bind(rating)
    .bind(i64::from(window.limit))
    .bind(window.offset())
    .fetch_all(&mut *conn)
    .await?;
    Ok(Page {
        items: rows.into_iter().map(Row::into_review).collect(),
        page: window.page,
        limit: window.limit,
        total: u64::try_from(total).unwrap_or(0),
    })
}

/// How many visible reviews of `product` gave each number of stars.
pub async fn histogram(db: &Db, product: &Id) -> Result<RatingHistogram, AppError> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT rating, COUNT(*) FROM reviews WHERE product_id = $1 AND hidden = 0 \
         GROUP BY rating",
    )
    .bind(product)
    .fetch_all(db.pool())
    .await?;
    let mut histogram = RatingHistogram::default();
    for (stars, count) in rows {
        if let Some(slot) = usize::try_from(stars - 1)
            .ok()
            .and_then(|i| histogram.counts.get_mut(i))
        {
            *slot = count;
        }
    }
    Ok(histogram)
}

/// The caller's own review of `product`, if any (to offer "edit" instead of "write").
pub async fn mine(db: &Db, actor: &Actor, product: &Id) -> Result<Option<Review>, AppError> {
    let principal = actor.user()?;
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE r.product_id = $1 AND r.user_id = $2"
    ))
    .bind(product)
    .bind(&principal.id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(Row::into_review))
}

/// Every review for staff, newest first, optionally only the hidden or the visible ones.
pub async fn for_staff(
    db: &Db,
    _staff: Staff<'_>,
    hidden: Option<bool>,
    window: Window,
) -> Result<Page<Review>, AppError> {
    let hidden = hidden.map(i64::from);
    let mut conn = db.pool().acquire().await?;
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM reviews WHERE ($1 IS NULL OR hidden = $1)")
            .bind(hidden)
            .fetch_one(&mut *conn)
            .await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE ($1 IS NULL OR r.hidden = $1) \
         ORDER BY r.created_at DESC, r.id LIMIT $2 OFFSET $3"
    ))
    .bind(hidden)
    .bind(i64::from(window.limit))
    .bind(window.offset())
    .fetch_all(&mut *conn)
    .await?;
    Ok(Page {
        items: rows.into_iter().map(Row::into_review).collect(),
        page: window.page,
        limit: window.limit,
        total: u64::try_from(total).unwrap_or(0),
    })
}
