//! Writing and reading the audit log: staff actions and the security events of accounts
//! (sign-ins, password and email changes, sessions ended, API keys). Actions call [`record`]
//! inside their own transaction, so an action and its audit entry are committed together or
//! not at all.

use super::model::AuditEntry;
use crate::db::Db;
use crate::error::AppError;
use crate::platform::identity::Staff;
use crate::platform::request::{current_client_ip, current_request_id};
use crate::platform::types::{Id, Timestamp};
use sqlx::AnyConnection;

/// One action about to be recorded.
#[derive(Debug)]
pub struct NewEntry<'a> {
    /// Who acted: `Actor::audit_label`, or `guest` for someone not signed in.
    pub actor: String,
    pub action: &'a str,
    pub target: Option<String>,
    pub details: serde_json::Value,
    /// The client's address; when `None`, the current request's (if any).
    pub ip: Option<String>,
}

/// The audit label of the account `id` (`user:<id>`), as actor or target.
pub fn user_label(id: &Id) -> String {
    format!("user:{id}")
}

/// Appends `entry` using `conn` — pass the action's transaction (`&mut tx`).
pub async fn record(conn: &mut AnyConnection, entry: NewEntry<'_>) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO audit_log (actor, action, target, details, ip, request_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.target)
    .bind(entry.details.to_string())
    .bind(entry.ip.or_else(current_client_ip))
    .bind(current_request_id())
    .bind(Timestamp::now())
    .execute(conn)
    .await?;
    Ok(())
}

/// `audit_log` as stored.
#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    actor: String,
    action: String,
    target: Option<String>,
    details: String,
    ip: Option<String>,
    request_id: Option<String>,
    at: Timestamp,
}

/// The newest entries first, optionally only those by or about `subject` (`kind:id`) (staff).
pub async fn recent(
    db: &Db,
    _staff: Staff<'_>,
    subject: Option<&str>,
    limit: u32,
) -> Result<Vec<AuditEntry>, AppError> {
    let rows: Vec<EntryRow> = sqlx::query_as(
        "SELECT id, actor, action, target, details, ip, request_id, at FROM audit_log \
         WHERE $1 IS NULL OR actor = $1 OR target = $1 \
         ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(subject)
    .bind(i64::from(limit.clamp(1, 500)))
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| AuditEntry {
            id: row.id,
            actor: row.actor,
            action: row.action,
            target: row.target,
            details: serde_json::from_str(&row.details).unwrap_or(serde_json::Value::Null),
            ip: row.ip,
            request_id: row.request_id,
            at: row.at,
        })
        .collect())
}
