//! Server functions of the back-office. Each resolves the caller and lets the service decide
//! (staff to read, admins to change).

use crate::audit::model::AuditEntry;
#[cfg(feature = "ssr")]
use crate::auth::model::{AccountChanges, AccountStatus};
use crate::auth::model::{SessionInfo, User, UserQuery};
use crate::email::model::OutboxEmail;
use crate::error::AppError;
use crate::platform::types::Page;
#[cfg(feature = "ssr")]
use crate::platform::{context, identity::Role, types::Id};
use leptos::prelude::*;

#[server(prefix = "/rpc", endpoint = "admin/users")]
pub async fn list_users(#[server(default)] query: UserQuery) -> Result<Page<User>, AppError> {
    let actor = context::actor()?;
    crate::auth::management::list_users(&context::services()?.db, actor.staff()?, &query).await
}

/// One account's page: the account, its sessions and its audit trail.
#[server(prefix = "/rpc", endpoint = "admin/user")]
pub async fn user_details(
    id: String,
) -> Result<(User, Vec<SessionInfo>, Vec<AuditEntry>), AppError> {
    let actor = context::actor()?;
    let staff = actor.staff()?;
    let id = Id::parse_or_not_found(&id, "The account")?;
    let db = context::services()?.db;
    let user = crate::auth::management::get_user(&db, staff, &id).await?;
    let sessions = crate::auth::credentials::sessions(&db, &actor, &id, None).await?;
    let audit = crate::audit::service::recent(&db, staff, Some(&format!("user:{id}")), 50).await?;
    Ok((user, sessions, audit))
}

#[server(prefix = "/rpc", endpoint = "admin/user/update")]
pub async fn update_user(id: String, role: String, status: String) -> Result<User, AppError> {
    let actor = context::actor()?;
    let admin = actor.admin()?;
    let id = Id::parse_or_not_found(&id, "The account")?;
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
    let ip = context::client().ip;
    crate::auth::management::update_account(&context::services()?, admin, &id, changes, ip).await
}

/// Gives the user a copy of a live product (by its address or id), as if they had bought it.
#[server(prefix = "/rpc", endpoint = "admin/user/grant")]
pub async fn grant_product(id: String, product: String) -> Result<(), AppError> {
    let actor = context::actor()?;
    let admin = actor.admin()?;
    let services = context::services()?;
    let user = crate::platform::types::Id::parse_or_not_found(&id, "The user")?;
    let product = crate::catalog::products::get(&services.db, Some(&actor), product.trim()).await?;
    crate::catalog::purchases::grant(&services, admin, &user, &product.id).await?;
    leptos_axum::redirect(&format!("/admin/users/{user}?granted={}", product.slug));
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "admin/outbox")]
pub async fn outbox() -> Result<Vec<OutboxEmail>, AppError> {
    let actor = context::actor()?;
    crate::email::service::outbox(&context::services()?, actor.admin()?, None, 100).await
}
