//! Vendors' money: `GET /vendors/me/earnings`, `GET/POST /vendors/me/payouts`; and for staff,
//! `GET /admin/payouts` and `POST /admin/payouts/{id}/approve|reject|mark-paid`.

use super::params::{limit_schema, page_schema, window};
use super::products::PageParams;
use crate::api::caller::ApiCaller;
use crate::api::json::ApiJson;
use crate::state::AppState;
use app::earnings::model::{Earnings, Payout, PayoutStatus};
use app::earnings::service::{self as earnings, Decision};
use app::envelope::{Envelope, ErrorEnvelope};
use app::error::{AppError, FieldError};
use app::platform::types::Id;
use axum::extract::{Path, Query, State};
use http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Your balances (pending, available, set aside for payouts, paid out, debt), earnings per
/// day for 30 days, and the newest movements (approved vendors).
#[utoipa::path(get, path = "/api/v1/vendors/me/earnings", tag = "vendors", security(("bearer" = [])),
    responses((status = 200, description = "Your earnings", body = Envelope<Earnings>),
              (status = 403, description = "Not an approved vendor", body = ErrorEnvelope)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Envelope<Earnings>, AppError> {
    Ok(Envelope::ok(
        earnings::mine(state.db(), &caller.actor).await?,
    ))
}

/// Your payouts, newest first (approved vendors).
#[utoipa::path(get, path = "/api/v1/vendors/me/payouts", tag = "vendors", security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, description = "One page of payouts", body = Envelope<Vec<Payout>>),
              (status = 400, description = "Bad page", body = ErrorEnvelope),
              (status = 403, description = "Not an approved vendor", body = ErrorEnvelope)))]
pub async fn mine(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<PageParams>,
) -> Result<Envelope<Vec<Payout>>, AppError> {
    Ok(Envelope::page(
        earnings::my_payouts(state.db(), &caller.actor, params.window()?).await?,
    ))
}

/// A payout request.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"amount": 5000}))]
#[serde(deny_unknown_fields)]
pub struct PayoutRequest {
    /// Minor units of the site's currency: at least the payout minimum, at most what is
    /// available.
    #[schema(minimum = 1, maximum = 100_000_000_000_i64)]
    pub amount: i64,
}

/// Ask for some of your available earnings to be paid out; the amount is set aside at once.
#[utoipa::path(post, path = "/api/v1/vendors/me/payouts", tag = "vendors", security(("bearer" = [])),
    request_body = PayoutRequest,
    responses((status = 201, description = "Requested", body = Envelope<Payout>),
              (status = 403, description = "Not an approved vendor", body = ErrorEnvelope),
              (status = 409, description = "More than is available, or too many open payouts (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn request(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<PayoutRequest>,
) -> Result<(StatusCode, Envelope<Payout>), AppError> {
    let payout = earnings::request(&state.services, &caller.actor, body.amount).await?;
    Ok((StatusCode::CREATED, Envelope::ok(payout)))
}

/// Staff's list of payouts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct PayoutParams {
    /// Only payouts in this state.
    #[serde(rename = "filter[status]")]
    #[param(rename = "filter[status]", value_type = Option<PayoutStatus>)]
    pub status: Option<String>,
    #[param(schema_with = page_schema)]
    pub page: Option<String>,
    #[param(schema_with = limit_schema)]
    pub limit: Option<String>,
}

/// Every payout, newest first (staff).
#[utoipa::path(get, path = "/api/v1/admin/payouts", tag = "admin", security(("bearer" = [])),
    params(PayoutParams),
    responses((status = 200, description = "One page of payouts", body = Envelope<Vec<Payout>>),
              (status = 400, description = "A bad filter or page", body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<PayoutParams>,
) -> Result<Envelope<Vec<Payout>>, AppError> {
    let mut errors = Vec::new();
    let status = params.status.as_deref().and_then(|s| {
        PayoutStatus::parse(s).or_else(|| {
            errors.push(FieldError::new(
                "filter[status]",
                "Use requested, approved, rejected or paid.",
            ));
            None
        })
    });
    let window = window(errors, params.page, params.limit)?;
    Ok(Envelope::page(
        earnings::payouts(state.db(), caller.actor.staff()?, status, window).await?,
    ))
}

fn payout_id(id: &str) -> Result<Id, AppError> {
    Id::parse_or_not_found(id, "The payout")
}

async fn decide(
    state: &AppState,
    caller: &ApiCaller,
    id: &str,
    decision: Decision,
) -> Result<Envelope<Payout>, AppError> {
    let id = payout_id(id)?;
    Ok(Envelope::ok(
        earnings::decide(&state.services, caller.actor.staff()?, &id, &decision).await?,
    ))
}

/// Approve a requested payout (staff).
#[utoipa::path(post, path = "/api/v1/admin/payouts/{id}/approve", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The payout's id")),
    responses((status = 200, description = "Approved", body = Envelope<Payout>),
              (status = 404, description = "No such payout", body = ErrorEnvelope),
              (status = 409, description = "Not waiting for approval (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn approve(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Envelope<Payout>, AppError> {
    decide(&state, &caller, &id, Decision::Approve).await
}

/// Why a payout is refused.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reason": "The bank details do not match the storefront's owner."}))]
#[serde(deny_unknown_fields)]
pub struct PayoutRejection {
    /// 3 to 500 characters; the vendor reads it.
    #[schema(min_length = 3, max_length = 500)]
    pub reason: String,
}

/// Reject a requested or approved payout (staff): the amount is available again.
#[utoipa::path(post, path = "/api/v1/admin/payouts/{id}/reject", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The payout's id")),
    request_body = PayoutRejection,
    responses((status = 200, description = "Rejected", body = Envelope<Payout>),
              (status = 404, description = "No such payout", body = ErrorEnvelope),
              (status = 409, description = "Paid or rejected already (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PayoutRejection>,
) -> Result<Envelope<Payout>, AppError> {
    decide(
        &state,
        &caller,
        &id,
        Decision::Reject {
            reason: body.reason,
        },
    )
    .await
}

/// The transfer that paid a payout.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reference": "SEPA-2026-11-22-0042"}))]
#[serde(deny_unknown_fields)]
pub struct PayoutPaid {
    /// 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub reference: String,
}

/// Mark an approved payout paid, with the transfer's reference (staff).
#[utoipa::path(post, path = "/api/v1/admin/payouts/{id}/mark-paid", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The payout's id")),
    request_body = PayoutPaid,
    responses((status = 200, description = "Paid", body = Envelope<Payout>),
              (status = 404, description = "No such payout", body = ErrorEnvelope),
              (status = 409, description = "Not approved, or paid already (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn mark_paid(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PayoutPaid>,
) -> Result<Envelope<Payout>, AppError> {
    decide(
        &state,
        &caller,
        &id,
        Decision::MarkPaid {
            reference: body.reference,
        },
    )
    .await
}
