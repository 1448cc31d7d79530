//! Writing and reading the audit log. Staff actions call [`record`] inside their own
//! transaction, so an action and its audit entry are committed together or not at all.

use super::model::AuditEntry;
use crate::auth::model::Actor;
use crate::db::{Db, now_millis};
use crate::envelope::current_request_id;
use crate::error::AppError;
use sqlx::{AnyConnection, Row};

/// One staff action about to be recorded.
#[derive(Debug)]
pub struct NewEntry<'a> {
    pub actor: &'a Actor,
    pub action: &'a str,
    pub target: Option<String>,
    pub details: serde_json::Value,
    /// The client's address, when the action came over HTTP.
    pub ip: Option<String>,
}

/// Appends `entry` using `conn` — pass the action's transaction (`&mut *tx`).
pub async fn record(conn: &mut AnyConnection, entry: NewEntry<'_>) -> Result<(), AppError> {
    let request_id = Some(current_request_id()).filter(|id| id != "-");
    sqlx::query(
        "INSERT INTO audit_log (actor, action, target, details, ip, request_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.actor.audit_label())
    .bind(entry.action)
    .bind(entry.target)
    .bind(entry.details.to_string())
    .bind(entry.ip)
    .bind(request_id)
    .bind(now_millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// The newest entries first, optionally only those by or about `subject` (`kind:id`).
pub async fn recent(
    db: &Db,
    subject: Option<&str>,
    limit: u32,
) -> Result<Vec<AuditEntry>, AppError> {
    let rows = sqlx::query(
        "SELECT id, actor, action, target, details, ip, request_id, at FROM audit_log \
         WHERE $1 IS NULL OR actor = $1 OR target = $1 \
         ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(subject)
    .bind(i64::from(limit.clamp(1, 500)))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let details: String = row.try_get("details")?;
            Ok(AuditEntry {
                id: row.try_get("id")?,
                actor: row.try_get("actor")?,
                action: row.try_get("action")?,
                target: row.try_get("target")?,
                details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
                ip: row.try_get("ip")?,
                request_id: row.try_get("request_id")?,
                at: row.try_get("at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}
