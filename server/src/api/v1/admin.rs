//! `/api/v1/admin/users`: staff access to accounts (read for managers, changes for admins).

use crate::api::caller::ApiCaller;
use crate::api::json::ApiJson;
use crate::state::AppState;
use app::auth::management as admin;
use app::auth::model::{AccountChanges, AccountStatus, User, UserQuery};
use app::envelope::{Envelope, ErrorEnvelope, Pagination};
use app::error::{AppError, FieldError};
use app::platform::identity::Role;
use app::platform::types::Id;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use utoipa::IntoParams;

/// The list's query string (`filter[role]=vendor&sort=email&order=asc&page=2`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct UsersParams {
    /// Part of a name or email.
    pub search: Option<String>,
    /// `user`, `vendor`, `manager` or `admin`.
    #[serde(rename = "filter[role]")]
    #[param(rename = "filter[role]")]
    pub role: Option<String>,
    /// `active`, `suspended` or `deleted`.
    #[serde(rename = "filter[status]")]
    #[param(rename = "filter[status]")]
    pub status: Option<String>,
    /// `created` (default), `email`, `name` or `last_login`.
    pub sort: Option<String>,
    /// `asc` or `desc` (default).
    pub order: Option<String>,
    pub page: Option<String>,
    /// 1–100, default 20.
    pub limit: Option<String>,
}

impl UsersParams {
    fn into_query(self) -> Result<UserQuery, AppError> {
        let mut errors = Vec::new();
        let mut number = |field: &str, value: Option<String>| {
            value.and_then(|v| match v.parse::<u32>() {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    errors.push(FieldError::new(field, "Use a whole number from 1."));
                    None
                }
            })
        };
        let page = number("page", self.page);
        let limit = number("limit", self.limit);
        let role = self.role.filter(|r| !r.is_empty()).map(|r| {
            Role::parse(&r).ok_or_else(|| {
                FieldError::new("filter[role]", "Use user, vendor, manager or admin.")
            })
        });
        let status = self.status.filter(|s| !s.is_empty()).map(|s| {
            AccountStatus::parse(&s).ok_or_else(|| {
                FieldError::new("filter[status]", "Use active, suspended or deleted.")
            })
        });
        let role = role.transpose().map_err(|e| errors.push(e)).ok().flatten();
        let status = status
            .transpose()
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(UserQuery {
            search: self.search,
            role,
            status,
            sort: self.sort,
            order: self.order,
            page,
            limit,
        })
    }
}

fn account_id(id: &str) -> Result<Id, AppError> {
    Id::parse(id).ok_or_else(|| AppError::NotFound("The account".into()))
}

/// Search, filter, sort and page through accounts (staff).
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])),
    params(UsersParams),
    responses((status = 200, description = "One page of accounts", body = Envelope<Vec<User>>),
              (status = 400, description = "Bad filter, sort or page", body = ErrorEnvelope),
              (status = 403, description = "Not staff", body = ErrorEnvelope)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<UsersParams>,
) -> Result<Envelope<Vec<User>>, AppError> {
    let page = admin::list_users(state.db(), caller.actor.staff()?, &params.into_query()?).await?;
    let pagination = Pagination::new(page.page, page.limit, page.total);
    Ok(Envelope::page(page.users, pagination))
}

/// One account (staff).
#[utoipa::path(get, path = "/api/v1/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The account's id")),
    responses((status = 200, description = "The account", body = Envelope<User>),
              (status = 403, description = "Not staff", body = ErrorEnvelope),
              (status = 404, description = "No such account", body = ErrorEnvelope)))]
pub async fn get_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Envelope<User>, AppError> {
    Ok(Envelope::ok(
        admin::get_user(state.db(), caller.actor.staff()?, &account_id(&id)?).await?,
    ))
}

/// Change an account's role or status (admins). Suspending signs the account out everywhere.
#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The account's id")),
    request_body = AccountChanges,
    responses((status = 200, description = "The updated account", body = Envelope<User>),
              (status = 400, description = "Not allowed (e.g. the last admin)", body = ErrorEnvelope),
              (status = 403, description = "Not an admin", body = ErrorEnvelope),
              (status = 404, description = "No such account", body = ErrorEnvelope)))]
pub async fn patch_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(changes): ApiJson<AccountChanges>,
) -> Result<Envelope<User>, AppError> {
    Ok(Envelope::ok(
        admin::update_account(
            &state.services,
            caller.actor.admin()?,
            &account_id(&id)?,
            changes,
            caller.client.ip.clone(),
        )
        .await?,
    ))
}
