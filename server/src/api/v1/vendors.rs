//! `/api/v1/vendors/*` and `/api/v1/admin/vendors/*`: applying for a storefront, the owner's
//! storefront, the public storefront, and the staff review.

use super::params::{limit_schema, number, page_schema, search_schema};
use crate::api::caller::ApiCaller;
use crate::api::json::ApiJson;
use crate::state::AppState;
use app::envelope::{Envelope, ErrorEnvelope};
use app::error::{AppError, FieldError};
use app::platform::types::Id;
use app::vendors::model::{Application, Storefront, Vendor, VendorQuery, VendorStatus};
use app::vendors::service;
use axum::extract::{Path, Query, State};
use http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Apply for a storefront (or apply again after a rejection). Staff review it; the answer
/// comes by email and shows in `GET /vendors/me`.
#[utoipa::path(post, path = "/api/v1/vendors/apply", tag = "vendors", security(("bearer" = [])),
    request_body = Application,
    responses((status = 201, description = "The application, pending review", body = Envelope<Vendor>),
              (status = 400, description = "Invalid fields", body = ErrorEnvelope),
              (status = 409, description = "An application is pending or approved already, or the store name or address is taken (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn apply(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(application): ApiJson<Application>,
) -> Result<(StatusCode, Envelope<Vendor>), AppError> {
    let vendor = service::apply(&state.services, &caller.actor, application).await?;
    Ok((StatusCode::CREATED, Envelope::ok(vendor)))
}

/// The caller's storefront or application, with its status and any rejection reason.
#[utoipa::path(get, path = "/api/v1/vendors/me", tag = "vendors", security(("bearer" = [])),
    responses((status = 200, description = "The storefront", body = Envelope<Vendor>),
              (status = 404, description = "No application yet", body = ErrorEnvelope)))]
pub async fn get_mine(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Envelope<Vendor>, AppError> {
    service::mine(state.db(), &caller.actor)
        .await?
        .map(Envelope::ok)
        .ok_or_else(|| AppError::NotFound("Your storefront".into()))
}

/// Change an approved storefront; an absent or empty `slug` keeps the current address.
#[utoipa::path(put, path = "/api/v1/vendors/me", tag = "vendors", security(("bearer" = [])),
    request_body = Application,
    responses((status = 200, description = "The storefront", body = Envelope<Vendor>),
              (status = 400, description = "Invalid fields", body = ErrorEnvelope),
              (status = 404, description = "No storefront", body = ErrorEnvelope),
              (status = 409, description = "Not approved, or the name or address is taken (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn put_mine(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(changes): ApiJson<Application>,
) -> Result<Envelope<Vendor>, AppError> {
    Ok(Envelope::ok(
        service::update_mine(&state.services, &caller.actor, changes).await?,
    ))
}

/// A public storefront (approved stores only).
#[utoipa::path(get, path = "/api/v1/vendors/{slug}", tag = "vendors",
    params(("slug" = String, Path, description = "The storefront's address")),
    responses((status = 200, description = "The storefront", body = Envelope<Storefront>),
              (status = 404, description = "No such open storefront", body = ErrorEnvelope)))]
pub async fn get_storefront(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Envelope<Storefront>, AppError> {
    Ok(Envelope::ok(service::storefront(state.db(), &slug).await?))
}

/// The review queue's query string (`filter[status]=pending&search=north&page=2`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct VendorsParams {
    /// Only storefronts in this state.
    #[serde(rename = "filter[status]")]
    #[param(rename = "filter[status]", value_type = Option<VendorStatus>)]
    pub status: Option<String>,
    /// Part of the store name or contact email (trimmed; case does not matter).
    #[param(schema_with = search_schema)]
    pub search: Option<String>,
    #[param(schema_with = page_schema)]
    pub page: Option<String>,
    #[param(schema_with = limit_schema)]
    pub limit: Option<String>,
}

impl VendorsParams {
    fn into_query(self) -> Result<VendorQuery, AppError> {
        let mut errors = Vec::new();
        let page = number(&mut errors, "page", self.page);
        let limit = number(&mut errors, "limit", self.limit);
        let status = self.status.and_then(|s| {
            VendorStatus::parse(&s).or_else(|| {
                errors.push(FieldError::new(
                    "filter[status]",
                    "Use pending, approved or rejected.",
                ));
                None
            })
        });
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(VendorQuery {
            status,
            search: self.search,
            page,
            limit,
        })
    }
}

/// Storefronts and applications, oldest first (staff).
#[utoipa::path(get, path = "/api/v1/admin/vendors", tag = "admin", security(("bearer" = [])),
    params(VendorsParams),
    responses((status = 200, description = "One page of storefronts", body = Envelope<Vec<Vendor>>),
              (status = 400, description = "Bad filter or page", body = ErrorEnvelope),
              (status = 403, description = "Not staff", body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<VendorsParams>,
) -> Result<Envelope<Vec<Vendor>>, AppError> {
    let page = service::list(state.db(), caller.actor.staff()?, &params.into_query()?).await?;
    Ok(Envelope::page(page))
}

fn vendor_id(id: &str) -> Result<Id, AppError> {
    Id::parse_or_not_found(id, "The storefront")
}

/// Approve a pending application (staff): the owner becomes a vendor and is emailed.
#[utoipa::path(post, path = "/api/v1/admin/vendors/{id}/approve", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The storefront's id")),
    responses((status = 200, description = "Approved", body = Envelope<Vendor>),
              (status = 403, description = "Not staff, or a read-only key", body = ErrorEnvelope),
              (status = 404, description = "No such storefront", body = ErrorEnvelope),
              (status = 409, description = "Not pending (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn approve(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Envelope<Vendor>, AppError> {
    let id = vendor_id(&id)?;
    Ok(Envelope::ok(
        service::approve(&state.services, caller.actor.staff()?, &id).await?,
    ))
}

/// Why staff reject an application or a product; the vendor reads it.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reason": "Add a description of what you will sell."}))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rejection {
    #[schema(schema_with = app::vendors::rules::schema::reason)]
    pub reason: String,
}

/// Reject a pending application with a reason the applicant reads (staff).
#[utoipa::path(post, path = "/api/v1/admin/vendors/{id}/reject", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The storefront's id")),
    request_body = Rejection,
    responses((status = 200, description = "Rejected", body = Envelope<Vendor>),
              (status = 400, description = "No usable reason", body = ErrorEnvelope),
              (status = 403, description = "Not staff, or a read-only key", body = ErrorEnvelope),
              (status = 404, description = "No such storefront", body = ErrorEnvelope),
              (status = 409, description = "Not pending (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<Rejection>,
) -> Result<Envelope<Vendor>, AppError> {
    let id = vendor_id(&id)?;
    Ok(Envelope::ok(
        service::reject(&state.services, caller.actor.staff()?, &id, &input.reason).await?,
    ))
}

/// A storefront's own commission.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"commissionBps": 500}))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Commission {
    /// Basis points (0–10000: 500 is 5 %), or `null` for the site's rate.
    #[schema(minimum = 0, maximum = 10000)]
    pub commission_bps: Option<u32>,
}

/// Give a storefront its own commission rate, or put it back on the site's (admins). Orders
/// placed from now on use it; each order line keeps the rate it was placed at.
#[utoipa::path(put, path = "/api/v1/admin/vendors/{id}/commission", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The storefront's id")),
    request_body = Commission,
    responses((status = 200, description = "The storefront", body = Envelope<Vendor>),
              (status = 403, description = "Not an admin, or a read-only key", body = ErrorEnvelope),
              (status = 404, description = "No such storefront", body = ErrorEnvelope)))]
pub async fn commission(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<Commission>,
) -> Result<Envelope<Vendor>, AppError> {
    let id = vendor_id(&id)?;
    Ok(Envelope::ok(
        service::set_commission(
            &state.services,
            caller.actor.admin()?,
            &id,
            input.commission_bps,
        )
        .await?,
    ))
}
