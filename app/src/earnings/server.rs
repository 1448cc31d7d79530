//! The earnings pages' server functions: the vendor's balances and payouts, requesting one,
//! and staff's list and decisions.

use super::model::{Earnings, Payout};
use crate::error::AppError;
use crate::platform::types::Page;
use leptos::prelude::*;

/// The caller's earnings and their newest payouts (approved vendors).
#[server(prefix = "/rpc", endpoint = "vendor/earnings")]
pub async fn earnings_page() -> Result<(Earnings, Page<Payout>), AppError> {
    use crate::platform::context;
    let actor = context::actor()?;
    let db = &context::services()?.db;
    let earnings = super::service::mine(db, &actor).await?;
    let window = crate::platform::paging::Window::new(Some(1), Some(20))?;
    Ok((
        earnings,
        super::service::my_payouts(db, &actor, window).await?,
    ))
}

/// Asks for a payout of `amount`, typed in currency units ("25" or "25.50").
#[server(prefix = "/rpc", endpoint = "vendor/payouts/request")]
pub async fn request_payout(amount: String) -> Result<(), AppError> {
    use crate::platform::context;
    let actor = context::actor()?;
    let amount = crate::catalog::rules::typed_amount(&amount)
        .map_err(|message| AppError::invalid("amount", message))?;
    super::service::request(&context::services()?, &actor, amount).await?;
    leptos_axum::redirect("/vendor/earnings?requested=1");
    Ok(())
}

/// Every payout, newest first, optionally in one state (staff).
#[server(prefix = "/rpc", endpoint = "admin/payouts")]
pub async fn admin_payouts(
    status: Option<String>,
    page: Option<u32>,
) -> Result<Page<Payout>, AppError> {
    use super::model::PayoutStatus;
    use crate::platform::context;
    let actor = context::actor()?;
    let window = crate::platform::paging::Window::new(page, None)?;
    let status = status.as_deref().and_then(PayoutStatus::parse);
    super::service::payouts(&context::services()?.db, actor.staff()?, status, window).await
}

/// A staff decision on a payout: `approve`, `reject` (with `reason`) or `paid` (with
/// `reference`).
#[server(prefix = "/rpc", endpoint = "admin/payouts/decide")]
pub async fn decide_payout(
    id: String,
    decision: String,
    reason: Option<String>,
    reference: Option<String>,
) -> Result<(), AppError> {
    use super::service::Decision;
    use crate::platform::context;
    use crate::platform::types::Id;
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The payout")?;
    let decision = match decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject {
            reason: reason.unwrap_or_default(),
        },
        "paid" => Decision::MarkPaid {
            reference: reference.unwrap_or_default(),
        },
        _ => {
            return Err(AppError::invalid(
                "decision",
                "Approve, reject or mark paid.",
            ));
        }
    };
    super::service::decide(&context::services()?, actor.staff()?, &id, &decision).await?;
    leptos_axum::redirect("/admin/payouts");
    Ok(())
}
