//! Staff tools over accounts: the searchable user list, one account's page, and role and
//! status changes (admins only, audited, never leaving the site without an admin).

use super::model::{AccountChanges, AccountStatus, User, UserQuery};
use super::service::{USER_COLUMNS, UserRow, find_user};
use super::session::end_user_sessions;
use crate::audit::service::{NewEntry, record};
use crate::db::Db;
use crate::error::{AppError, FieldError};
use crate::platform::Services;
use crate::platform::identity::{Admin, Role, Staff};
use crate::platform::paging::{Window, like_pattern};
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Page, Timestamp};

/// The sort keys the list accepts, and their columns.
pub const SORT_KEYS: [(&str, &str); 4] = [
    ("created", "created_at"),
    ("email", "email_key"),
    ("name", "last_name"),
    ("last_login", "last_login_at"),
];

fn sort_column(sort: Option<&str>) -> Result<&'static str, AppError> {
    let sort = sort.unwrap_or("created");
    SORT_KEYS
        .iter()
        .find(|(key, _)| *key == sort)
        .map(|(_, column)| *column)
        .ok_or_else(|| AppError::invalid("sort", "Sort by created, email, name or last_login."))
}

/// One page of accounts matching the query (staff).
pub async fn list_users(
    db: &Db,
    _staff: Staff<'_>,
    query: &UserQuery,
) -> Result<Page<User>, AppError> {
    let column = sort_column(query.sort.as_deref())?;
    let direction = match query.order.as_deref().unwrap_or("desc") {
        "asc" => "ASC",
        "desc" => "DESC",
        _ => return Err(AppError::invalid("order", "Order asc or desc.")),
    };
    let window = Window::new(query.page, query.limit)?;
    let search = like_pattern(query.search.as_deref())?;
    let filter = "($1 IS NULL OR email_key LIKE $1 OR LOWER(first_name || ' ' || last_name) LIKE $1) \
                  AND ($2 IS NULL OR role = $2) AND ($3 IS NULL OR status = $3)";
    let role = query.role.map(Role::as_str);
    let status = query.status.map(AccountStatus::as_str);
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM users WHERE {filter}"))
        .bind(&search)
        .bind(role)
        .bind(status)
        .fetch_one(db.pool())
        .await?;
    // NULLs (never signed in) sort last either way.
    let rows: Vec<UserRow> = sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE {filter} \
         ORDER BY {column} IS NULL, {column} {direction}, id LIMIT $4 OFFSET $5"
    ))
    .bind(&search)
    .bind(role)
    .bind(status)
    .bind(i64::from(window.limit))
    .bind(window.offset())
    .fetch_all(db.pool())
    .await?;
    Ok(Page {
        items: rows.into_iter().map(User::from).collect(),
        page: window.page,
        limit: window.limit,
        total: u64::try_from(total).unwrap_or(0),
    })
}

/// Makes the account a vendor when its storefront is approved (the vendors feature holds the
/// proof). Staff keep their role: theirs already reaches further.
pub(crate) async fn grant_vendor_role(
    conn: &mut sqlx::AnyConnection,
    id: &Id,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE users SET role = 'vendor', updated_at = $1 WHERE id = $2 AND role = 'user'",
    )
    .bind(Timestamp::now())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// One account (staff).
pub async fn get_user(db: &Db, _staff: Staff<'_>, id: &Id) -> Result<User, AppError> {
    find_user(db, id).await
}

/// Changes an account's role and/or status (admins). Suspending ends the account's sessions at
/// once; the last active admin can be neither demoted nor suspended, and a deleted account
/// stays deleted (both `CONFLICT`: the request is valid, the accounts' state refuses it).
/// Audited.
pub async fn update_account(
    services: &Services,
    admin: Admin<'_>,
    id: &Id,
    changes: AccountChanges,
    ip: Option<String>,
) -> Result<User, AppError> {
    if changes.status == Some(AccountStatus::Deleted) {
        return Err(AppError::invalid(
            "status",
            "Staff can set active or suspended; only the owner deletes an account.",
        ));
    }
    let db = &services.db;
    let before = find_user(db, id).await?;
    if before.status == AccountStatus::Deleted {
        return Err(AppError::Conflict(FieldError::new(
            "status",
            "This account was deleted by its owner.",
        )));
    }
    let role = changes.role.unwrap_or(before.role);
    let status = changes.status.unwrap_or(before.status);
    if role == before.role && status == before.status {
        return Ok(before);
    }
    let mut tx = Tx::begin(services).await?;
    // Account changes run one at a time, so two admins demoting each other at once cannot
    // both see the other still admin and leave none.
    tx.serialize("account-roles").await?;
    sqlx::query("UPDATE users SET role = $1, status = $2, updated_at = $3 WHERE id = $4")
        .bind(role.as_str())
        .bind(status.as_str())
        .bind(Timestamp::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let admins: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND status = 'active'")
            .fetch_one(&mut *tx)
            .await?;
    if admins == 0 {
        tx.rollback().await?;
        let field = if role == Role::Admin {
            "status"
        } else {
            "role"
        };
        return Err(AppError::Conflict(FieldError::new(
            field,
            "This is the last active admin; make someone else admin first.",
        )));
    }
    if status == AccountStatus::Suspended {
        end_user_sessions(&mut tx, id, None).await?;
    }
    record(
        &mut tx,
        NewEntry {
            actor: admin.actor().audit_label(),
            action: "users.update",
            target: Some(format!("user:{id}")),
            details: serde_json::json!({
                "role": { "old": before.role, "new": role },
                "status": { "old": before.status, "new": status },
            }),
            ip,
        },
    )
    .await?;
    tx.commit().await?;
    find_user(db, id).await
}
