//! Server functions of the back-office. Each resolves the caller and lets the service decide
//! (staff to read, admins to change).

use crate::audit::model::AuditEntry;
#[cfg(feature = "ssr")]
use crate::auth::model::{AccountChanges, AccountStatus, Role};
use crate::auth::model::{SessionInfo, User, UserPage, UserQuery};
use crate::email::model::OutboxEmail;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::server::context;

/// Whether the caller may see the back-office (for the layout's guard; every function below
/// checks again in the service).
#[server(prefix = "/rpc", endpoint = "admin/access")]
pub async fn staff_access() -> Result<bool, AppError> {
    match context::actor().await {
        Ok((actor, _)) => Ok(actor.staff().is_some()),
        Err(AppError::Unauthorized) => Err(AppError::Unauthorized),
        Err(error) => Err(error),
    }
}

#[server(prefix = "/rpc", endpoint = "admin/users")]
pub async fn list_users(#[server(default)] query: UserQuery) -> Result<UserPage, AppError> {
    let (actor, _) = context::actor().await?;
    let staff = actor.staff().ok_or(AppError::Forbidden)?;
    crate::auth::admin::list_users(&context::services()?.db, staff, &query).await
}

/// One account's page: the account, its sessions and its audit trail.
#[server(prefix = "/rpc", endpoint = "admin/user")]
pub async fn user_details(
    id: String,
) -> Result<(User, Vec<SessionInfo>, Vec<AuditEntry>), AppError> {
    let (actor, _) = context::actor().await?;
    let staff = actor.staff().ok_or(AppError::Forbidden)?;
    let db = context::services()?.db;
    let user = crate::auth::admin::get_user(&db, staff, &id).await?;
    let sessions = crate::auth::credentials::sessions(&db, &actor, &id, None).await?;
    let audit = crate::audit::service::recent(&db, Some(&format!("user:{id}")), 50).await?;
    Ok((user, sessions, audit))
}

#[server(prefix = "/rpc", endpoint = "admin/user/update")]
pub async fn update_user(id: String, role: String, status: String) -> Result<User, AppError> {
    let (actor, _) = context::actor().await?;
    let admin = actor.admin().ok_or(AppError::Forbidden)?;
    let changes = AccountChanges {
        role: Some(
            Role::parse(&role)
                .ok_or_else(|| AppError::invalid("role", "Choose a role from the list."))?,
        ),
        status: Some(
            AccountStatus::parse(&status)
                .ok_or_else(|| AppError::invalid("status", "Choose active or suspended."))?,
        ),
    };
    let ip = context::client().await.ip;
    crate::auth::admin::update_account(&context::services()?.db, admin, &id, changes, ip).await
}

#[server(prefix = "/rpc", endpoint = "admin/outbox")]
pub async fn outbox() -> Result<Vec<OutboxEmail>, AppError> {
    let (actor, _) = context::actor().await?;
    let staff = actor.staff().ok_or(AppError::Forbidden)?;
    crate::email::service::outbox(&context::services()?.db, staff, None, 100).await
}
