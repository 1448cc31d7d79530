//! Products: approved vendors write them (drafts), submit them for review, and staff approve
//! (they go live) or reject them with a reason the vendor reads. Everyone browses the active
//! ones; a product that is not active is not found, except by its vendor and staff.

use super::categories;
use super::files;
use super::images;
use super::markdown;
use super::model::{BrowseQuery, ProductSort, QueueFilter};
use super::model::{Product, ProductImage, ProductInput, ProductStatus};
use super::rules;
use super::search::{self, Indexed};
use crate::audit::service::{NewEntry, record};
use crate::db::{Db, free_slug};
use crate::email::service as email;
use crate::email::templates;
use crate::error::{AppError, FieldError};
use crate::platform::Services;
use crate::platform::events::Event;
use crate::platform::identity::{Actor, Admin, Staff};
use crate::platform::paging::SEARCH_MAX;
use crate::platform::paging::Window;
use crate::platform::read_cache::{ReadCache, SharedPage};
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Money, Page, Timestamp};
use crate::platform::validate::{self, Checks};
use crate::settings::model::{CURRENCY, REREVIEW_LIVE_CHANGES, SITE_NAME};
use crate::settings::service as settings;
use crate::vendors::model::Vendor;
use crate::vendors::service as vendors;
use sqlx::AnyConnection;
use std::collections::HashMap;
use std::sync::Arc;

const COLUMNS: &str = "p.id, p.vendor_id, v.store_name AS vendor_name, v.slug AS vendor_slug, \
    p.category_id, c.slug AS category_slug, p.title, p.slug, p.summary, p.description, \
    p.description_html, p.price_amount, p.compare_at_amount, p.currency, p.status, \
    p.rejection_reason, p.featured, p.view_count, p.rating_count, p.rating_sum, p.published_at, \
    p.created_at, p.updated_at";
const FROM: &str = "products p JOIN vendors v ON v.id = p.vendor_id \
    JOIN categories c ON c.id = p.category_id";

/// `products` (with its vendor's and category's names) as stored.
#[derive(sqlx::FromRow)]
struct Row {
    id: Id,
    vendor_id: Id,
    vendor_name: String,
    vendor_slug: String,
    category_id: Id,
    category_slug: String,
    title: String,
    slug: String,
    summary: String,
    description: String,
    description_html: String,
    price_amount: i64,
    compare_at_amount: Option<i64>,
    currency: String,
    #[sqlx(try_from = "String")]
    status: ProductStatus,
    rejection_reason: Option<String>,
    featured: i64,
    view_count: i64,
    rating_count: i64,
    rating_sum: i64,
    published_at: Option<Timestamp>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl Row {
    fn into_product(self, tags: Vec<String>, images: Vec<ProductImage>) -> Product {
        let money = |amount| Money {
            amount,
            currency: self.currency.clone(),
        };
        Product {
            on_sale: self
                .compare_at_amount
                .is_some_and(|c| c > self.price_amount),
            price: money(self.price_amount),
            compare_at: self.compare_at_amount.map(money),
            id: self.id,
            vendor_id: self.vendor_id,
            vendor_name: self.vendor_name,
            vendor_slug: self.vendor_slug,
            category_id: self.category_id,
            category_slug: self.category_slug,
            title: self.title,
            slug: self.slug,
            summary: self.summary,
            description_html: self.description_html,
            description: self.description,
            tags,
            status: self.status,
            rejection_reason: self.rejection_reason,
            featured: self.featured != 0,
            view_count: self.view_count,
            images,
            #[allow(clippy::cast_precision_loss)] // counts and sums of stars are small
            rating_average: if self.rating_count == 0 {
                0.0
            } else {
                self.rating_sum as f64 / self.rating_count as f64
            },
            rating_count: self.rating_count,
            published_at: self.published_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// `rows` as products, with their tags and images (one query each for the page).
async fn complete(conn: &mut AnyConnection, rows: Vec<Row>) -> Result<Vec<Product>, AppError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&Id> = rows.iter().map(|row| &row.id).collect();
    let placeholders: Vec<String> = (1..=rows.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT product_id, tag FROM product_tags WHERE product_id IN ({}) ORDER BY tag",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (Id, String)>(&sql);
    for id in &ids {
        query = query.bind(*id);
    }
    let mut tags: HashMap<Id, Vec<String>> = HashMap::new();
    for (product, tag) in query.fetch_all(&mut *conn).await? {
        tags.entry(product).or_default().push(tag);
    }
    let mut images = images::of(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let own_tags = tags.remove(&row.id).unwrap_or_default();
            let own_images = images.remove(&row.id).unwrap_or_default();
            row.into_product(own_tags, own_images)
        })
        .collect())
}

pub(super) async fn find(conn: &mut AnyConnection, id: &Id) -> Result<Product, AppError> {
    let row: Row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(not_found)?;
    Ok(complete(conn, vec![row]).await?.remove(0))
}

fn not_found() -> AppError {
    AppError::NotFound("The product".into())
}

fn conflict(field: &str, message: impl Into<String>) -> AppError {
    AppError::Conflict(FieldError::new(field, message))
}

pub(super) use crate::vendors::service::selling as storefront;

/// The caller's product `id` (another vendor's is not found).
pub(super) async fn own(
    conn: &mut AnyConnection,
    vendor: &Vendor,
    id: &Id,
) -> Result<Product, AppError> {
    let product = find(conn, id).await?;
    if product.vendor_id == vendor.id {
        Ok(product)
    } else {
        Err(not_found())
    }
}

/// Product `id` about to change: `vendor`'s own (any product without one: an admin's word),
/// not being reviewed (`CONFLICT`), and its row taken until the transaction ends, so that
/// concurrent changes to one product (counting its images or files) go one at a time.
pub(super) async fn editable(
    conn: &mut AnyConnection,
    vendor: Option<&Vendor>,
    id: &Id,
) -> Result<Product, AppError> {
    let product = match vendor {
        Some(vendor) => own(&mut *conn, vendor, id).await?,
        None => find(&mut *conn, id).await?,
    };
    if product.status == ProductStatus::Pending {
        return Err(conflict(
            "status",
            "This product is being reviewed; change it once it is decided.",
        ));
    }
    sqlx::query("UPDATE products SET updated_at = $1 WHERE id = $2")
        .bind(Timestamp::now())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(product)
}

/// A product's fields, checked.
struct Checked {
    title: String,
    slug: Option<String>,
    summary: String,
    description: String,
    price: i64,
    compare_at: Option<i64>,
    tags: Vec<String>,
}

impl Checked {
    fn indexed(&self) -> Indexed<'_> {
        Indexed {
            title: &self.title,
            summary: &self.summary,
            description: &self.description,
            tags: &self.tags,
        }
    }
}

fn check(input: &ProductInput) -> Result<Checked, AppError> {
    let mut checks = Checks::default();
    let title = checks.check("title", rules::title(&input.title));
    let slug = checks.check(
        "slug",
        validate::slug(input.slug.as_deref().unwrap_or_default()),
    );
    let summary = checks.check(
        "summary",
        rules::summary(input.summary.as_deref().unwrap_or_default()),
    );
    let description = checks.check(
        "description",
        rules::product_description(input.description.as_deref().unwrap_or_default()),
    );
    let price = checks.check("price", rules::amount(input.price));
    let compare_at = input
        .compare_at
        .map(|amount| checks.check("compareAt", rules::amount(amount)));
    let tags = checks.check("tags", rules::tags(&input.tags));
    checks.finish()?;
    match (title, slug, summary, description, price, tags) {
        (Some(title), Some(slug), Some(summary), Some(description), Some(price), Some(tags)) => {
            Ok(Checked {
                title,
                slug,
                summary,
                description,
                price,
                compare_at: compare_at.flatten(),
                tags,
            })
        }
        _ => Err(AppError::Internal),
    }
}

async fn category_exists(conn: &mut AnyConnection, id: &Id) -> Result<(), AppError> {
    let found: Option<Id> = sqlx::query_scalar("SELECT id FROM categories WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    found
        .map(drop)
        .ok_or_else(|| AppError::NotFound("The category".into()))
}

async fn save_tags(conn: &mut AnyConnection, id: &Id, tags: &[String]) -> Result<(), AppError> {
    sqlx::query("DELETE FROM product_tags WHERE product_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for tag in tags {
        sqlx::query("INSERT INTO product_tags (product_id, tag) VALUES ($1, $2)")
            .bind(id)
            .bind(tag)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A new draft of the caller's storefront (approved vendors).
pub async fn create(
    services: &Services,
    actor: &Actor,
    input: ProductInput,
) -> Result<Product, AppError> {
    actor.writer()?;
    let vendor = storefront(&services.db, actor).await?;
    insert(services, &vendor.id, input, false).await
}

/// Puts a product of the storefront `vendor` straight on sale on an admin's word (the demo
/// seed), with the same checks as a vendor's own.
pub async fn publish_for(
    services: &Services,
    _admin: Admin<'_>,
    vendor: &Id,
    input: ProductInput,
) -> Result<Product, AppError> {
    insert(services, vendor, input, true).await
}

async fn insert(
    services: &Services,
    vendor: &Id,
    input: ProductInput,
    live: bool,
) -> Result<Product, AppError> {
    let fields = check(&input)?;
    let currency = settings::get(&services.db, &CURRENCY).await?;
    let mut tx = Tx::begin(services).await?;
    category_exists(&mut tx, &input.category_id).await?;
    let id = Id::random();
    let slug = match fields.slug.clone() {
        Some(slug) => slug,
        None => free_slug(
            &mut tx,
            "products",
            &validate::slugify(&fields.title),
            None,
            &[],
        )
        .await?
        .ok_or_else(|| conflict("slug", "Choose an address for this product."))?,
    };
    let now = Timestamp::now();
    let (status, published) = if live {
        (ProductStatus::Active, Some(now))
    } else {
        (ProductStatus::Draft, None)
    };
    // A taken slug is a CONFLICT on `slug` through `db::CONSTRAINTS`.
    sqlx::query(
        "INSERT INTO products (id, vendor_id, category_id, title, slug, summary, description, \
         description_html, price_amount, compare_at_amount, currency, status, published_at, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
    )
    .bind(&id)
    .bind(vendor)
    .bind(&input.category_id)
    .bind(&fields.title)
    .bind(&slug)
    .bind(&fields.summary)
    .bind(&fields.description)
    .bind(markdown::to_safe_html(&fields.description))
    .bind(fields.price)
    .bind(fields.compare_at)
    .bind(&currency)
    .bind(status.as_str())
    .bind(published)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    save_tags(&mut tx, &id, &fields.tags).await?;
    search::index(&mut tx, services.db.backend(), &id, fields.indexed()).await?;
    let product = find(&mut tx, &id).await?;
    tx.commit().await?;
    Ok(product)
}

/// The caller's products, every status, newest first.
pub async fn mine(db: &Db, actor: &Actor, window: Window) -> Result<Page<Product>, AppError> {
    let vendor = storefront(db, actor).await?;
    let mut conn = db.pool().acquire().await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE vendor_id = $1")
        .bind(&vendor.id)
        .fetch_one(&mut *conn)
        .await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE p.vendor_id = $1 \
         ORDER BY p.created_at DESC, p.id LIMIT $2 OFFSET $3"
    ))
    .bind(&vendor.id)
    .bind(i64::from(window.limit))
    .bind(window.offset())
    .fetch_all(&mut *conn)
    .await?;
    Ok(Page {
        items: complete(&mut conn, rows).await?,
        page: window.page,
        limit: window.limit,
        total: u64::try_from(total).unwrap_or(0),
    })
}

/// Changes one of the caller's products. A rejected one goes back to draft; one being
/// reviewed cannot change (`CONFLICT`); a live one whose price changes goes back to review
/// when the `rereview_live_changes` setting says so.
pub async fn update(
    services: &Services,
    actor: &Actor,
    id: &Id,
    input: ProductInput,
) -> Result<Product, AppError> {
    actor.writer()?;
    let vendor = storefront(&services.db, actor).await?;
    let fields = check(&input)?;
    let mut tx = Tx::begin(services).await?;
    let current = editable(&mut tx, Some(&vendor), id).await?;
    category_exists(&mut tx, &input.category_id).await?;
    let repriced = current.price.amount != fields.price
        || current.compare_at.as_ref().map(|c| c.amount) != fields.compare_at;
    let status = match current.status {
        ProductStatus::Rejected => ProductStatus::Draft,
        ProductStatus::Active
            if repriced && settings::get(&services.db, &REREVIEW_LIVE_CHANGES).await? =>
        {
            tx.publish(Event::new(
                "product.submitted",
                serde_json::json!({ "productId": id, "reason": "price changed" }),
            ));
            ProductStatus::Pending
        }
        other => other,
    };
    sqlx::query(
        "UPDATE products SET category_id = $1, title = $2, slug = $3, summary = $4, \
         description = $5, description_html = $6, price_amount = $7, compare_at_amount = $8, \
         status = $9, updated_at = $10 WHERE id = $11",
    )
    .bind(&input.category_id)
    .bind(&fields.title)
    .bind(fields.slug.as_deref().unwrap_or(&current.slug))
    .bind(&fields.summary)
    .bind(&fields.description)
    .bind(markdown::to_safe_html(&fields.description))
    .bind(fields.price)
    .bind(fields.compare_at)
    .bind(status.as_str())
    .bind(Timestamp::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    save_tags(&mut tx, id, &fields.tags).await?;
    search::index(&mut tx, services.db.backend(), id, fields.indexed()).await?;
    let product = find(&mut tx, id).await?;
    tx.commit().await?;
    Ok(product)
}

/// Deletes one of the caller's drafts or rejected products; a submitted or live one, or one
/// that was ever ordered, stays (`CONFLICT`).
pub async fn delete(services: &Services, actor: &Actor, id: &Id) -> Result<(), AppError> {
    actor.writer()?;
    let vendor = storefront(&services.db, actor).await?;
    let mut tx = Tx::begin(services).await?;
    let product = own(&mut tx, &vendor, id).await?;
    if !matches!(
        product.status,
        ProductStatus::Draft | ProductStatus::Rejected
    ) {
        return Err(conflict(
            "status",
            format!(
                "A {} product cannot be deleted; only drafts and rejected ones can.",
                product.status.as_str()
            ),
        ));
    }
    let ordered: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM order_lines WHERE product_id = $1 LIMIT 1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    if ordered.is_some() {
        return Err(conflict(
            "status",
            "This product has been ordered, so it stays on record; take it off sale instead.",
        ));
    }
    search::unindex(&mut tx, services.db.backend(), id).await?;
    let pictures = images::stored_names(&mut tx, id).await?;
    let deliverables = files::stored_names(&mut tx, id).await?;
    sqlx::query("DELETE FROM products WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    images::remove_files(services, &pictures).await;
    files::remove_stored(services, &deliverables).await;
    Ok(())
}

/// Submits a draft or rejected product for review.
pub async fn submit(services: &Services, actor: &Actor, id: &Id) -> Result<Product, AppError> {
    actor.writer()?;
    let vendor = storefront(&services.db, actor).await?;
    let mut tx = Tx::begin(services).await?;
    own(&mut tx, &vendor, id).await?;
    let moved = sqlx::query(
        "UPDATE products SET status = 'pending', rejection_reason = NULL, updated_at = $1 \
         WHERE id = $2 AND status IN ('draft', 'rejected')",
    )
    .bind(Timestamp::now())
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let product = find(&mut tx, id).await?;
    if moved == 0 {
        return Err(conflict(
            "status",
            format!(
                "This product is {}; only a draft or a rejected one can be submitted.",
                product.status.as_str()
            ),
        ));
    }
    tx.publish(Event::new(
        "product.submitted",
        serde_json::json!({ "productId": id, "vendorId": product.vendor_id }),
    ));
    tx.commit().await?;
    Ok(product)
}

/// The active products `user` saved to their wishlist, most recently saved first (for
/// `super::wishlist`, which checks the caller).
pub(super) async fn saved_by(
    db: &Db,
    user: &Id,
    window: Window,
) -> Result<Page<Product>, AppError> {
    let mut conn = db.pool().acquire().await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM wishlist w JOIN products p ON p.id = w.product_id \
         WHERE w.user_id = $1 AND p.status = 'active'",
    )
    .bind(user)
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} JOIN wishlist w ON w.product_id = p.id \
         WHERE w.user_id = $1 AND p.status = 'active' \
         ORDER BY w.created_at DESC, p.id LIMIT $2 OFFSET $3"
    ))
    .bind(user)
    .bind(i64::from(window.limit))
    .bind(window.offset())
    .fetch_all(&mut *conn)
    .await?;
    Ok(Page {
        items: complete(&mut conn, rows).await?,
        page: window.page,
        limit: window.limit,
        total: u64::try_from(total).unwrap_or(0),
    })
}

/// Up to `limit` other active products of `product`'s category, best rated and most viewed
/// first.
pub async fn related(db: &Db, product: &Product, limit: i64) -> Result<Vec<Product>, AppError> {
    let mut conn = db.pool().acquire().await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE p.category_id = $1 AND p.id <> $2 \
         AND p.status = 'active' ORDER BY p.rating_sum DESC, p.view_count DESC, p.id LIMIT $3"
    ))
    .bind(&product.category_id)
    .bind(&product.id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    complete(&mut conn, rows).await
}

/// Counts a visit to an active product's page: its total and the day's (for the vendor's
/// chart).
pub async fn record_view(db: &Db, product: &Id) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let counted = sqlx::query(
        "UPDATE products SET view_count = view_count + 1 WHERE id = $1 AND status = 'active'",
    )
    .bind(product)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if counted == 1 {
        sqlx::query(
            "INSERT INTO product_views (product_id, day, views) VALUES ($1, $2, 1) \
             ON CONFLICT (product_id, day) DO UPDATE SET views = product_views.views + 1",
        )
        .bind(product)
        .bind(Timestamp::now().as_millis() / 86_400_000)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Products for staff, least recently changed first, by status, storefront and category (a
/// review queue). An unknown storefront or category is `NOT_FOUND`.
pub async fn for_review(
    db: &Db,
    _staff: Staff<'_>,
    filter: &QueueFilter,
    window: Window,
) -> Result<Page<Product>, AppError> {
    let mut conditions = vec!["1 = 1".to_owned()];
    let mut args: Vec<Arg> = Vec::new();
    if let Some(status) = filter.status {
        let n = push(&mut args, Arg::Text(status.as_str().to_owned()));
        conditions.push(format!("p.status = ${n}"));
    }
    if let Some(slug) = &filter.vendor {
        let vendor: Option<Id> = sqlx::query_scalar("SELECT id FROM vendors WHERE slug = $1")
            .bind(slug)
            .fetch_optional(db.pool())
            .await?;
        let vendor = vendor.ok_or_else(|| AppError::NotFound("The storefront".into()))?;
        let n = push(&mut args, Arg::Text(vendor.as_str().to_owned()));
        conditions.push(format!("p.vendor_id = ${n}"));
    }
    if let Some(slug) = &filter.category {
        conditions.push(in_category(db, slug, &mut args).await?);
    }
    let filter = conditions.join(" AND ");
    let mut conn = db.pool().acquire().await?;
    page_where(&mut conn, "", &filter, "p.updated_at, p.id", args, window).await
}

/// The condition "in category `slug` or below it", its ids bound into `args`.
async fn in_category(db: &Db, slug: &str, args: &mut Vec<Arg>) -> Result<String, AppError> {
    let tree = categories::tree(db).await?;
    let root = tree
        .iter()
        .find(|c| c.slug == slug)
        .ok_or_else(|| AppError::NotFound("The category".into()))?;
    let placeholders: Vec<String> = categories::with_descendants(&tree, &root.id)
        .into_iter()
        .map(|id| format!("${}", push(args, Arg::Text(id.as_str().to_owned()))))
        .collect();
    Ok(format!("p.category_id IN ({})", placeholders.join(", ")))
}

/// Puts a pending product live (staff with write access). Audited; the vendor is emailed.
pub async fn approve(services: &Services, staff: Staff<'_>, id: &Id) -> Result<Product, AppError> {
    decide(services, staff.writer()?, id, ProductStatus::Active, None).await
}

/// Rejects a pending product with a reason the vendor reads (staff with write access).
pub async fn reject(
    services: &Services,
    staff: Staff<'_>,
    id: &Id,
    reason: &str,
) -> Result<Product, AppError> {
    let staff = staff.writer()?;
    let reason = crate::vendors::rules::reason(reason)
        .map_err(|message| AppError::invalid("reason", message))?;
    decide(services, staff, id, ProductStatus::Rejected, Some(reason)).await
}

async fn decide(
    services: &Services,
    staff: Staff<'_>,
    id: &Id,
    decision: ProductStatus,
    reason: Option<String>,
) -> Result<Product, AppError> {
    let mut tx = Tx::begin(services).await?;
    let now = Timestamp::now();
    let published = (decision == ProductStatus::Active).then_some(now);
    let decided = sqlx::query(
        "UPDATE products SET status = $1, rejection_reason = $2, \
         published_at = COALESCE(published_at, $3), updated_at = $4 \
         WHERE id = $5 AND status = 'pending'",
    )
    .bind(decision.as_str())
    .bind(&reason)
    .bind(published)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let product = find(&mut tx, id).await?;
    if decided == 0 {
        return Err(conflict(
            "status",
            format!(
                "This product is {}; only a pending one can be decided.",
                product.status.as_str()
            ),
        ));
    }
    record(
        &mut tx,
        NewEntry {
            actor: staff.actor().audit_label(),
            action: if decision == ProductStatus::Active {
                "products.approve"
            } else {
                "products.reject"
            },
            target: Some(format!("product:{id}")),
            details: serde_json::json!({ "title": product.title, "reason": reason }),
            ip: None,
        },
    )
    .await?;
    let contact: String = sqlx::query_scalar("SELECT contact_email FROM vendors WHERE id = $1")
        .bind(&product.vendor_id)
        .fetch_one(&mut *tx)
        .await?;
    let site = settings::get(&services.db, &SITE_NAME).await?;
    let link = format!("{}/products/{}", services.public_url, product.slug);
    let message = match &product.rejection_reason {
        None => templates::product_approved(&site, &contact, &product.title, &link),
        Some(reason) => templates::product_rejected(&site, &contact, &product.title, reason),
    };
    email::queue(&mut tx, &message)?;
    tx.publish(Event::new(
        if decision == ProductStatus::Active {
            "product.approved"
        } else {
            "product.rejected"
        },
        serde_json::json!({ "productId": id, "vendorId": product.vendor_id, "slug": product.slug }),
    ));
    tx.commit().await?;
    Ok(product)
}

/// A product by id or slug: active ones for everyone; others only for their vendor and
/// staff (anyone else gets `NOT_FOUND`).
pub async fn get(db: &Db, viewer: Option<&Actor>, key: &str) -> Result<Product, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE p.id = $1 OR p.slug = $1"
    ))
    .bind(key)
    .fetch_optional(db.pool())
    .await?;
    let row = row.ok_or_else(not_found)?;
    if row.status != ProductStatus::Active {
        let Some(viewer) = viewer else {
            return Err(not_found());
        };
        let staff = viewer.staff().is_ok();
        let owner = !staff
            && viewer.principal().is_some()
            && vendors::mine(db, viewer)
                .await?
                .is_some_and(|vendor| vendor.id == row.vendor_id);
        if !(staff || owner) {
            return Err(not_found());
        }
    }
    // Acquired only now: a connection is never held while another is asked for.
    let mut conn = db.pool().acquire().await?;
    Ok(complete(&mut conn, vec![row]).await?.remove(0))
}

/// Up to `limit` featured active products, most recently published first.
pub async fn featured(db: &Db, limit: i64) -> Result<Vec<Product>, AppError> {
    let mut conn = db.pool().acquire().await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE p.featured = 1 AND p.status = 'active' \
         ORDER BY p.published_at DESC, p.id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    complete(&mut conn, rows).await
}

/// Features a product on the home page, or stops featuring it (staff with write access).
/// Audited.
pub async fn set_featured(
    services: &Services,
    staff: Staff<'_>,
    id: &Id,
    featured: bool,
) -> Result<Product, AppError> {
    let staff = staff.writer()?;
    let mut tx = Tx::begin(services).await?;
    let changed = sqlx::query("UPDATE products SET featured = $1 WHERE id = $2")
        .bind(i64::from(featured))
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(not_found());
    }
    let product = find(&mut tx, id).await?;
    record(
        &mut tx,
        NewEntry {
            actor: staff.actor().audit_label(),
            action: if featured {
                "products.feature"
            } else {
                "products.unfeature"
            },
            target: Some(format!("product:{id}")),
            details: serde_json::json!({ "title": product.title }),
            ip: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(product)
}

/// One of the caller's products by id, in any status (another vendor's is not found).
pub async fn get_own(db: &Db, actor: &Actor, id: &str) -> Result<Product, AppError> {
    let vendor = storefront(db, actor).await?;
    let id = Id::parse_or_not_found(id, "The product")?;
    let mut conn = db.pool().acquire().await?;
    own(&mut conn, &vendor, &id).await
}

/// A value bound into a query built at run time.
#[derive(Debug)]
enum Arg {
    Text(String),
    Int(i64),
}

/// Adds `arg`; its placeholder number.
fn push(args: &mut Vec<Arg>, arg: Arg) -> usize {
    args.push(arg);
    args.len()
}

fn bind_all<'q>(
    sql: &'q str,
    args: &[Arg],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut query = sqlx::query(sql);
    for arg in args {
        query = match arg {
            Arg::Text(text) => query.bind(text.clone()),
            Arg::Int(number) => query.bind(*number),
        };
    }
    query
}

/// The active products a storefront visitor asked for: full-text search (ranked), category
/// (with its subcategories), storefront, tag, price and minimum-rating filters, a sort, and a
/// page. An unknown category or storefront is `NOT_FOUND`; a price range that is empty finds
/// nothing. The answer is the same for everyone, so it is kept in the read cache: the same
/// list asked for again is not computed again until something is written (or two seconds
/// pass).
pub async fn browse(
    services: &Services,
    query: &BrowseQuery,
) -> Result<Arc<SharedPage<Product>>, AppError> {
    let key = format!(
        "catalog.browse:{}",
        serde_json::to_string(query).map_err(|_| AppError::Internal)?
    );
    if let Some(page) = services.reads.get::<SharedPage<Product>>(&key) {
        return Ok(page);
    }
    let _lead = match services.reads.lead::<SharedPage<Product>>(&key).await {
        Ok(lead) => lead,
        Err(aged) => return Ok(aged),
    };
    if let Some(page) = services.reads.get::<SharedPage<Product>>(&key) {
        return Ok(page);
    }
    let generation = services.reads.generation();
    let page = browse_uncached(&services.db, &services.reads, query).await?;
    // The rows and, once written, their JSON.
    let bytes = page
        .items
        .iter()
        .map(|p| 2048 + 2 * (p.description.len() + p.description_html.len()))
        .sum();
    let page = Arc::new(SharedPage::new(page));
    services
        .reads
        .put(&key, generation, Arc::clone(&page), bytes);
    Ok(page)
}

async fn browse_uncached(
    db: &Db,
    reads: &ReadCache,
    query: &BrowseQuery,
) -> Result<Page<Product>, AppError> {
    let window = Window::new(query.page, query.limit)?;
    let mut checks = Checks::default();
    let search = query.search.as_deref().unwrap_or_default();
    if search.chars().count() > SEARCH_MAX {
        checks.add(
            "search",
            format!("Search with at most {SEARCH_MAX} characters."),
        );
    }
    let min_price = query
        .min_price
        .map(|v| checks.check("minPrice", rules::amount(v)));
    let max_price = query
        .max_price
        .map(|v| checks.check("maxPrice", rules::amount(v)));
    let min_rating = query
        .min_rating
        .map(|v| checks.check("minRating", rules::rating(v)));
    let tag = query
        .tag
        .as_ref()
        .map(|t| checks.check("tag", rules::tags(std::slice::from_ref(t))));
    checks.finish()?;
    let mut conditions = vec!["p.status = 'active'".to_owned()];
    let mut args: Vec<Arg> = Vec::new();
    if let Some(slug) = &query.category {
        conditions.push(in_category(db, slug, &mut args).await?);
    }
    if let Some(slug) = &query.vendor {
        let vendor = vendors::storefront(db, slug).await?;
        let n = push(&mut args, Arg::Text(vendor.slug));
        conditions.push(format!(
            "p.vendor_id = (SELECT id FROM vendors WHERE slug = ${n})"
        ));
    }
    if let Some(tag) = tag.flatten().and_then(|mut tags| tags.pop()) {
        let n = push(&mut args, Arg::Text(tag));
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM product_tags t WHERE t.product_id = p.id AND t.tag = ${n})"
        ));
    }
    if let Some(min) = min_price.flatten() {
        let n = push(&mut args, Arg::Int(min));
        conditions.push(format!("p.price_amount >= ${n}"));
    }
    if let Some(max) = max_price.flatten() {
        let n = push(&mut args, Arg::Int(max));
        conditions.push(format!("p.price_amount <= ${n}"));
    }
    if let Some(stars) = min_rating.flatten() {
        // The average is at least `stars` exactly when the sum is at least `stars` × count.
        let n = push(&mut args, Arg::Int(i64::from(stars)));
        conditions.push(format!(
            "p.rating_count > 0 AND p.rating_sum >= ${n} * p.rating_count"
        ));
    }
    let words = search::words(search);
    let (join, relevance) = if words.is_empty() {
        (String::new(), None)
    } else {
        let n = args.len() + 1;
        let (join, order, text) = search::matcher(db.backend(), &words, n);
        args.push(Arg::Text(text));
        (join, Some(order))
    };
    let sort = query.sort.unwrap_or(if relevance.is_some() {
        ProductSort::Relevance
    } else {
        ProductSort::Newest
    });
    let direction = |natural_ascending: bool| {
        if query.ascending.unwrap_or(natural_ascending) {
            "ASC"
        } else {
            "DESC"
        }
    };
    // Ties are broken by id in the sort's own direction, so that an index on the sort column
    // and id (see migration 0009) yields the order as stored and a deep page is a walk along
    // the index, not a sort.
    let order = match (sort, relevance) {
        (ProductSort::Relevance, Some(best)) => format!("{best}, p.id"),
        (ProductSort::Price, _) => {
            let direction = direction(true);
            format!("p.price_amount {direction}, p.id {direction}")
        }
        (ProductSort::Rating, _) => {
            let direction = direction(false);
            format!(
                "CASE WHEN p.rating_count = 0 THEN 0 ELSE p.rating_sum * 1.0 / p.rating_count END \
                 {direction}, p.rating_count {direction}, p.id {direction}"
            )
        }
        (ProductSort::Popularity, _) => {
            let direction = direction(false);
            format!("p.view_count {direction}, p.id {direction}")
        }
        (ProductSort::Newest | ProductSort::Relevance, _) => {
            let direction = direction(false);
            format!("p.published_at {direction}, p.id {direction}")
        }
    };
    let filter = conditions.join(" AND ");
    let mut conn = db.pool().acquire().await?;
    // How many match changes only with a write: counted once per filter, not per page.
    let count_key = format!("catalog.count:{join}|{filter}|{args:?}");
    let total = match reads.get::<u64>(&count_key) {
        Some(total) => *total,
        None => {
            let generation = reads.generation();
            let total = count_where(&mut conn, &join, &filter, &args).await?;
            reads.put(&count_key, generation, Arc::new(total), 64);
            total
        }
    };
    Ok(Page {
        items: window_where(&mut conn, &join, &filter, &order, args, window).await?,
        page: window.page,
        limit: window.limit,
        total,
    })
}

/// How many products of `products p` (with `join`) match `filter` — which names only
/// `products` columns, so counting needs no join with storefronts and categories (five times
/// cheaper on SQLite over 10,000 products); `args` fill its placeholders.
async fn count_where(
    conn: &mut AnyConnection,
    join: &str,
    filter: &str,
    args: &[Arg],
) -> Result<u64, AppError> {
    let count_sql = format!("SELECT COUNT(*) FROM products p {join} WHERE {filter}");
    let total: i64 =
        sqlx::Row::try_get(&bind_all(&count_sql, args).fetch_one(&mut *conn).await?, 0)?;
    Ok(u64::try_from(total).unwrap_or(0))
}

/// One `window` of the products matching `filter` (as for [`count_where`]) in `order`, which
/// ends in a unique key. The window's ids are found first, from `products` alone (an index
/// walk when one matches the order); only those rows are then read with their storefront and
/// category — skipping a deep page's offset never joins.
async fn window_where(
    conn: &mut AnyConnection,
    join: &str,
    filter: &str,
    order: &str,
    mut args: Vec<Arg>,
    window: Window,
) -> Result<Vec<Product>, AppError> {
    let limit_at = args.len() + 1;
    let ids_sql = format!(
        "SELECT p.id FROM products p {join} WHERE {filter} ORDER BY {order} \
         LIMIT ${limit_at} OFFSET ${}",
        limit_at + 1
    );
    args.push(Arg::Int(i64::from(window.limit)));
    args.push(Arg::Int(window.offset()));
    let ids: Vec<Id> = bind_all(&ids_sql, &args)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| sqlx::Row::try_get(row, 0))
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
    let rows_sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE p.id IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, Row>(&rows_sql);
    for id in &ids {
        query = query.bind(id);
    }
    let mut rows: HashMap<Id, Row> = query
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| (row.id.clone(), row))
        .collect();
    // In the window's order; a row deleted between the two reads is left out.
    let rows = ids.iter().filter_map(|id| rows.remove(id)).collect();
    complete(conn, rows).await
}

/// [`count_where`] and [`window_where`] together: one page.
async fn page_where(
    conn: &mut AnyConnection,
    join: &str,
    filter: &str,
    order: &str,
    args: Vec<Arg>,
    window: Window,
) -> Result<Page<Product>, AppError> {
    let total = count_where(conn, join, filter, &args).await?;
    Ok(Page {
        items: window_where(conn, join, filter, order, args, window).await?,
        page: window.page,
        limit: window.limit,
        total,
    })
}
