//! `/api/v1/admin/users`: staff access to accounts (read for managers, changes for admins).

use super::params::{limit_schema, number, order_schema, page_schema, search_schema, words};
use crate::api::caller::ApiCaller;
use crate::api::json::ApiJson;
use crate::state::AppState;
use app::auth::management as admin;
use app::auth::model::{AccountChanges, AccountStatus, User, UserQuery};
use app::envelope::{Envelope, ErrorEnvelope};
use app::error::{AppError, FieldError};
use app::platform::identity::Role;
use app::platform::types::Id;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa::openapi::schema::Object;

/// The list's query string (`filter[role]=vendor&sort=email&order=asc&page=2`). Values are
/// parsed here so each bad one gets its own field message; the schemas say what parses.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct UsersParams {
    /// Part of a name or email (trimmed; case does not matter).
    #[param(schema_with = search_schema)]
    pub search: Option<String>,
    /// Only accounts with this role.
    #[serde(rename = "filter[role]")]
    #[param(rename = "filter[role]", value_type = Option<Role>)]
    pub role: Option<String>,
    /// Only accounts in this state.
    #[serde(rename = "filter[status]")]
    #[param(rename = "filter[status]", value_type = Option<AccountStatus>)]
    pub status: Option<String>,
    /// The sort key (default `created`).
    #[param(schema_with = sort_schema)]
    pub sort: Option<String>,
    /// `asc` or `desc` (default).
    #[param(schema_with = order_schema)]
    pub order: Option<String>,
    #[param(schema_with = page_schema)]
    pub page: Option<String>,
    #[param(schema_with = limit_schema)]
    pub limit: Option<String>,
}

fn sort_schema() -> Object {
    words(admin::SORT_KEYS.map(|(key, _)| key))
}

impl UsersParams {
    fn into_query(self) -> Result<UserQuery, AppError> {
        let mut errors = Vec::new();
        let page = number(&mut errors, "page", self.page);
        let limit = number(&mut errors, "limit", self.limit);
        let role = self.role.map(|r| {
            Role::parse(&r).ok_or_else(|| {
                FieldError::new("filter[role]", "Use user, vendor, manager or admin.")
            })
        });
        let status = self.status.map(|s| {
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
    Id::parse_or_not_found(id, "The account")
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
    Ok(Envelope::page(page))
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
              (status = 400, description = "Invalid fields", body = ErrorEnvelope),
              (status = 403, description = "Not an admin", body = ErrorEnvelope),
              (status = 404, description = "No such account", body = ErrorEnvelope),
              (status = 409, description = "The accounts' state refuses it: the last active admin, or an account its owner deleted (`CONFLICT`)", body = ErrorEnvelope)))]
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
