//! Server functions of the storefront pages. Each resolves the caller and lets the service
//! decide.

#[cfg(feature = "ssr")]
use super::model::{Application, PayoutMethod};
use super::model::{Storefront, Vendor, VendorQuery};
use crate::error::AppError;
use crate::platform::types::Page;
#[cfg(feature = "ssr")]
use crate::platform::{context, types::Id};
use leptos::prelude::*;

/// The signed-in person's storefront or application, if any.
#[server(prefix = "/rpc", endpoint = "vendors/mine")]
pub async fn my_storefront() -> Result<Option<Vendor>, AppError> {
    let actor = context::actor()?;
    super::service::mine(&context::services()?.db, &actor).await
}

/// The `/sell` form: apply, or apply again after a rejection.
#[server(prefix = "/rpc", endpoint = "vendors/apply")]
pub async fn apply(
    store_name: String,
    slug: String,
    description: String,
    website: String,
    contact_email: String,
    payout_method: String,
    payout_details: String,
) -> Result<Vendor, AppError> {
    let actor = context::actor()?;
    let payout_method = PayoutMethod::parse(&payout_method)
        .ok_or_else(|| AppError::invalid("payoutMethod", "Choose PayPal or bank transfer."))?;
    let application = Application {
        store_name,
        slug: Some(slug),
        description: Some(description),
        website: Some(website),
        contact_email,
        payout_method,
        payout_details,
    }
    .trimmed();
    let vendor = super::service::apply(&context::services()?, &actor, application).await?;
    leptos_axum::redirect("/sell?applied=1");
    Ok(vendor)
}

/// The public storefront at `slug`.
#[server(prefix = "/rpc", endpoint = "vendors/storefront")]
pub async fn load_storefront(slug: String) -> Result<Storefront, AppError> {
    super::service::storefront(&context::services()?.db, &slug).await
}

/// The staff review queue.
#[server(prefix = "/rpc", endpoint = "admin/vendors")]
pub async fn review_queue(#[server(default)] query: VendorQuery) -> Result<Page<Vendor>, AppError> {
    let actor = context::actor()?;
    super::service::list(&context::services()?.db, actor.staff()?, &query).await
}

#[server(prefix = "/rpc", endpoint = "admin/vendors/approve")]
pub async fn approve_vendor(id: String) -> Result<Vendor, AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The storefront")?;
    super::service::approve(&context::services()?, actor.staff()?, &id).await
}

#[server(prefix = "/rpc", endpoint = "admin/vendors/reject")]
pub async fn reject_vendor(id: String, reason: String) -> Result<Vendor, AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The storefront")?;
    super::service::reject(&context::services()?, actor.staff()?, &id, reason.trim()).await
}

/// Sets a storefront's own commission (admins): a percentage, or empty for the site's rate.
#[server(prefix = "/rpc", endpoint = "admin/vendors/commission")]
pub async fn set_vendor_commission(id: String, rate: String) -> Result<Vendor, AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The storefront")?;
    let rate = match rate.trim() {
        "" => None,
        typed => Some(
            crate::settings::model::typed_percent(typed)
                .map_err(|message| AppError::invalid("commissionBps", message))?,
        ),
    };
    super::service::set_commission(&context::services()?, actor.admin()?, &id, rate).await
}
