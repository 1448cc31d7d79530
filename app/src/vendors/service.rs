//! Storefronts: applying (`/sell`, `POST /vendors/apply`), the staff review — approving gives
//! the applicant the `vendor` role, publishes `vendor.approved` and emails them; rejecting
//! needs a reason, which they read — the owner's edits, and the public storefront.

use super::model::{Application, Storefront, Vendor, VendorQuery, VendorStatus};
use super::rules;
use crate::audit::service::{NewEntry, record};
use crate::db::{Db, free_slug};
use crate::email::service as email;
use crate::email::templates;
use crate::error::{AppError, FieldError};
use crate::platform::Services;
use crate::platform::events::Event;
use crate::platform::identity::{Actor, Admin, Staff};
use crate::platform::paging::{Window, like_pattern};
use crate::platform::tx::Tx;
use crate::platform::types::{EmailAddress, Id, Page, Timestamp};
use crate::platform::validate::{self, Checks};
use crate::settings::model::SITE_NAME;
use crate::settings::service as settings;

/// Addresses that are API routes (`/api/v1/vendors/me`, `…/apply`), never a storefront's.
const RESERVED_SLUGS: [&str; 2] = ["me", "apply"];

fn slug_taken() -> AppError {
    AppError::Conflict(FieldError::new(
        "slug",
        "This storefront address is taken; choose another.",
    ))
}

const COLUMNS: &str = "id, user_id, store_name, slug, description, website, contact_email, \
    payout_method, payout_details, status, rejection_reason, commission_bps, decided_at, \
    created_at, updated_at";

/// An application's fields, checked.
struct Checked {
    store_name: String,
    slug: Option<String>,
    description: String,
    website: Option<String>,
    contact_email: EmailAddress,
    payout_method: &'static str,
    payout_details: String,
}

fn check(application: &Application) -> Result<Checked, AppError> {
    let mut checks = Checks::default();
    let store_name = checks.check("storeName", rules::store_name(&application.store_name));
    let slug = checks.check(
        "slug",
        validate::slug(application.slug.as_deref().unwrap_or_default()),
    );
    let description = checks.check(
        "description",
        rules::description(application.description.as_deref().unwrap_or_default()),
    );
    let website = checks.check(
        "website",
        rules::website(application.website.as_deref().unwrap_or_default()),
    );
    let contact_email = checks.check(
        "contactEmail",
        EmailAddress::parse(&application.contact_email),
    );
    let payout_details = checks.check(
        "payoutDetails",
        rules::payout_details(&application.payout_details),
    );
    checks.finish()?;
    match (
        store_name,
        slug,
        description,
        website,
        contact_email,
        payout_details,
    ) {
        (
            Some(store_name),
            Some(slug),
            Some(description),
            Some(website),
            Some(contact_email),
            Some(payout_details),
        ) => Ok(Checked {
            store_name,
            slug,
            description,
            website,
            contact_email,
            payout_method: application.payout_method.as_str(),
            payout_details,
        }),
        _ => Err(AppError::Internal),
    }
}

/// The storefront `id`'s row, whatever its status. No permission check: callers hold the proof.
async fn find(conn: &mut sqlx::AnyConnection, id: &Id) -> Result<Vendor, AppError> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM vendors WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("The storefront".into()))
}

async fn find_by_owner(db: &Db, owner: &Id) -> Result<Option<Vendor>, AppError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM vendors WHERE user_id = $1"))
            .bind(owner)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Applies for a storefront, or applies again after a rejection. A pending or approved one
/// is `CONFLICT`. A taken store name or slug is `CONFLICT` on that field.
pub async fn apply(
    services: &Services,
    actor: &Actor,
    application: Application,
) -> Result<Vendor, AppError> {
    let owner = actor.writer()?;
    submit(services, &owner.id, application).await
}

/// Opens a storefront for the account `owner` on an admin's word — applied for, then approved
/// unless `approve` is false (the demo seed). `None` when the account has one already.
pub async fn open_for(
    services: &Services,
    admin: Admin<'_>,
    owner: &Id,
    application: Application,
    approve: bool,
) -> Result<Option<Vendor>, AppError> {
    if find_by_owner(&services.db, owner).await?.is_some() {
        return Ok(None);
    }
    let vendor = submit(services, owner, application).await?;
    if !approve {
        return Ok(Some(vendor));
    }
    let decided = decide(
        services,
        admin.staff(),
        &vendor.id,
        VendorStatus::Approved,
        None,
    )
    .await?;
    Ok(Some(decided))
}

async fn submit(
    services: &Services,
    owner: &Id,
    application: Application,
) -> Result<Vendor, AppError> {
    let fields = check(&application)?;
    let existing = find_by_owner(&services.db, owner).await?;
    match existing.as_ref().map(|vendor| vendor.status) {
        Some(VendorStatus::Pending) => {
            return Err(AppError::Conflict(FieldError::new(
                "storeName",
                "Your application is being reviewed; you will hear from us by email.",
            )));
        }
        Some(VendorStatus::Approved) => {
            return Err(AppError::Conflict(FieldError::new(
                "storeName",
                "You already have a storefront; edit it instead.",
            )));
        }
        Some(VendorStatus::Rejected) | None => {}
    }
    let id = existing.map_or_else(Id::random, |vendor| vendor.id);
    let mut tx = Tx::begin(services).await?;
    let slug = match &fields.slug {
        Some(slug) if RESERVED_SLUGS.contains(&slug.as_str()) => return Err(slug_taken()),
        Some(slug) => slug.clone(),
        None => free_slug(
            &mut tx,
            "vendors",
            &validate::slugify(&fields.store_name),
            Some(&id),
            &RESERVED_SLUGS,
        )
        .await?
        .ok_or_else(slug_taken)?,
    };
    let now = Timestamp::now();
    // Unique store name, slug and owner: a lost race is a CONFLICT on the field through
    // `db::CONSTRAINTS`.
    sqlx::query(
        "INSERT INTO vendors (id, user_id, store_name, store_key, slug, description, website, \
         contact_email, payout_method, payout_details, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $11) \
         ON CONFLICT (id) DO UPDATE SET store_name = $3, store_key = $4, slug = $5, \
         description = $6, website = $7, contact_email = $8, payout_method = $9, \
         payout_details = $10, status = 'pending', rejection_reason = NULL, decided_at = NULL, \
         updated_at = $11",
    )
    .bind(&id)
    .bind(owner)
    .bind(&fields.store_name)
    .bind(fields.store_name.to_lowercase())
    .bind(&slug)
    .bind(&fields.description)
    .bind(&fields.website)
    .bind(fields.contact_email.as_str())
    .bind(fields.payout_method)
    .bind(&fields.payout_details)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.publish(Event::new(
        "vendor.applied",
        serde_json::json!({ "vendorId": id, "userId": owner }),
    ));
    let vendor = find(&mut tx, &id).await?;
    tx.commit().await?;
    Ok(vendor)
}

/// The caller's own storefront or application, if any.
pub async fn mine(db: &Db, actor: &Actor) -> Result<Option<Vendor>, AppError> {
    find_by_owner(db, &actor.user()?.id).await
}

/// The caller's approved storefront: only approved vendors sell and earn (`FORBIDDEN`
/// otherwise).
pub async fn selling(db: &Db, actor: &Actor) -> Result<Vendor, AppError> {
    mine(db, actor)
        .await?
        .filter(|vendor| vendor.status == VendorStatus::Approved)
        .ok_or(AppError::Forbidden)
}

/// Changes an approved storefront (its owner). Store name and slug stay unique.
pub async fn update_mine(
    services: &Services,
    actor: &Actor,
    changes: Application,
) -> Result<Vendor, AppError> {
    let owner = actor.writer()?;
    let fields = check(&changes)?;
    let current = find_by_owner(&services.db, &owner.id)
        .await?
        .ok_or_else(|| AppError::NotFound("Your storefront".into()))?;
    if current.status != VendorStatus::Approved {
        return Err(AppError::Conflict(FieldError::new(
            "storeName",
            "Only an approved storefront can be edited; apply at /sell.",
        )));
    }
    let mut tx = Tx::begin(services).await?;
    let slug = match &fields.slug {
        Some(slug) if RESERVED_SLUGS.contains(&slug.as_str()) => return Err(slug_taken()),
        Some(slug) => slug.clone(),
        None => current.slug.clone(),
    };
    sqlx::query(
        "UPDATE vendors SET store_name = $1, store_key = $2, slug = $3, description = $4, \
         website = $5, contact_email = $6, payout_method = $7, payout_details = $8, \
         updated_at = $9 WHERE id = $10",
    )
    .bind(&fields.store_name)
    .bind(fields.store_name.to_lowercase())
    .bind(&slug)
    .bind(&fields.description)
    .bind(&fields.website)
    .bind(fields.contact_email.as_str())
    .bind(fields.payout_method)
    .bind(&fields.payout_details)
    .bind(Timestamp::now())
    .bind(&current.id)
    .execute(&mut *tx)
    .await?;
    let vendor = find(&mut tx, &current.id).await?;
    tx.commit().await?;
    Ok(vendor)
}

/// The public storefront at `slug` (approved stores only; anything else is not found).
pub async fn storefront(db: &Db, slug: &str) -> Result<Storefront, AppError> {
    sqlx::query_as(
        "SELECT store_name, slug, description, website, COALESCE(decided_at, created_at) AS since \
         FROM vendors WHERE slug = $1 AND status = 'approved'",
    )
    .bind(slug)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::NotFound("The storefront".into()))
}

/// Applications and storefronts for staff, oldest first (a review queue), filtered by status
/// and by store name or contact email.
pub async fn list(
    db: &Db,
    _staff: Staff<'_>,
    query: &VendorQuery,
) -> Result<Page<Vendor>, AppError> {
    let window = Window::new(query.page, query.limit)?;
    let search = like_pattern(query.search.as_deref())?;
    let status = query.status.map(VendorStatus::as_str);
    let filter = "($1 IS NULL OR store_key LIKE $1 OR LOWER(contact_email) LIKE $1) \
                  AND ($2 IS NULL OR status = $2)";
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM vendors WHERE {filter}"))
        .bind(&search)
        .bind(status)
        .fetch_one(db.pool())
        .await?;
    let items: Vec<Vendor> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM vendors WHERE {filter} ORDER BY created_at, id LIMIT $3 OFFSET $4"
    ))
    .bind(&search)
    .bind(status)
    .bind(i64::from(window.limit))
    .bind(window.offset())
    .fetch_all(db.pool())
    .await?;
    Ok(Page {
        items,
        page: window.page,
        limit: window.limit,
        total: u64::try_from(total).unwrap_or(0),
    })
}

/// Approves a pending application (staff with write access): the owner becomes a vendor
/// (staff keep their role), `vendor.approved` is published and the owner emailed. Audited.
pub async fn approve(services: &Services, staff: Staff<'_>, id: &Id) -> Result<Vendor, AppError> {
    decide(services, staff.writer()?, id, VendorStatus::Approved, None).await
}

/// Gives storefront `id` its own commission rate in basis points, or (`None`) puts it back on
/// the site's rate (admins; audited). It applies to orders placed from now on: each order
/// line keeps the rate it was placed at.
pub async fn set_commission(
    services: &Services,
    admin: Admin<'_>,
    id: &Id,
    rate_bps: Option<u32>,
) -> Result<Vendor, AppError> {
    if rate_bps.is_some_and(|rate| rate > 10_000) {
        return Err(AppError::invalid(
            "commissionBps",
            "Use 0 to 10000 basis points (0–100 %), or none for the site's rate.",
        ));
    }
    let mut tx = Tx::begin(services).await?;
    let before = find(&mut tx, id).await?;
    sqlx::query("UPDATE vendors SET commission_bps = $1, updated_at = $2 WHERE id = $3")
        .bind(rate_bps.map(i64::from))
        .bind(Timestamp::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        NewEntry {
            actor: admin.actor().audit_label(),
            action: "vendors.commission",
            target: Some(format!("vendor:{id}")),
            details: serde_json::json!({ "old": before.commission_bps, "new": rate_bps }),
            ip: None,
        },
    )
    .await?;
    let vendor = find(&mut tx, id).await?;
    tx.commit().await?;
    Ok(vendor)
}

/// Rejects a pending application with a reason the applicant reads (staff with write
/// access); they may apply again. Audited and emailed.
pub async fn reject(
    services: &Services,
    staff: Staff<'_>,
    id: &Id,
    reason: &str,
) -> Result<Vendor, AppError> {
    let staff = staff.writer()?;
    let reason = rules::reason(reason).map_err(|message| AppError::invalid("reason", message))?;
    decide(services, staff, id, VendorStatus::Rejected, Some(reason)).await
}

async fn decide(
    services: &Services,
    staff: Staff<'_>,
    id: &Id,
    decision: VendorStatus,
    reason: Option<String>,
) -> Result<Vendor, AppError> {
    let mut tx = Tx::begin(services).await?;
    let now = Timestamp::now();
    // Only a pending application is decided, once: the condition makes a second, concurrent
    // decision change nothing.
    let decided = sqlx::query(
        "UPDATE vendors SET status = $1, rejection_reason = $2, decided_at = $3, updated_at = $3 \
         WHERE id = $4 AND status = 'pending'",
    )
    .bind(decision.as_str())
    .bind(&reason)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let vendor = find(&mut tx, id).await?;
    if decided == 0 {
        return Err(AppError::Conflict(FieldError::new(
            "status",
            format!(
                "This application is already {}; only a pending one can be decided.",
                vendor.status.as_str()
            ),
        )));
    }
    if decision == VendorStatus::Approved {
        crate::auth::management::grant_vendor_role(&mut tx, &vendor.user_id).await?;
        tx.publish(Event::new(
            "vendor.approved",
            serde_json::json!({ "vendorId": vendor.id, "userId": vendor.user_id, "slug": vendor.slug }),
        ));
    }
    record(
        &mut tx,
        NewEntry {
            actor: staff.actor().audit_label(),
            action: if decision == VendorStatus::Approved {
                "vendors.approve"
            } else {
                "vendors.reject"
            },
            target: Some(format!("vendor:{id}")),
            details: serde_json::json!({ "storeName": vendor.store_name, "reason": reason }),
            ip: None,
        },
    )
    .await?;
    let site = settings::get(&services.db, &SITE_NAME).await?;
    let link = format!("{}/sell", services.public_url);
    let message = match &vendor.rejection_reason {
        None => templates::vendor_approved(
            &site,
            &vendor.contact_email,
            &vendor.store_name,
            &format!("{}/vendors/{}", services.public_url, vendor.slug),
        ),
        Some(reason) => templates::vendor_rejected(
            &site,
            &vendor.contact_email,
            &vendor.store_name,
            reason,
            &link,
        ),
    };
    email::queue(&mut tx, &message)?;
    tx.commit().await?;
    Ok(vendor)
}
