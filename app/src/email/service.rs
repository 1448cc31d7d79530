//! Queueing emails and reading the development outbox.

use super::model::{Email, OutboxEmail};
use crate::auth::model::Staff;
use crate::db::Db;
use crate::error::AppError;
use crate::jobs::service::enqueue;
use crate::jobs::worker::SEND_EMAIL;
use sqlx::{AnyConnection, Row};

/// How often a failing email is tried before it is given up.
const EMAIL_ATTEMPTS: i64 = 8;

/// Queues `email` inside the caller's transaction.
pub async fn queue(conn: &mut AnyConnection, email: &Email) -> Result<(), AppError> {
    enqueue(conn, SEND_EMAIL, email, EMAIL_ATTEMPTS).await
}

/// The newest outbox emails, optionally only those to `recipient` (staff only).
pub async fn outbox(
    db: &Db,
    _staff: Staff<'_>,
    recipient: Option<&str>,
    limit: u32,
) -> Result<Vec<OutboxEmail>, AppError> {
    let rows = sqlx::query(
        "SELECT id, recipient, subject, text_body, html_body, created_at FROM outbox \
         WHERE $1 IS NULL OR LOWER(recipient) = LOWER($1) ORDER BY id DESC LIMIT $2",
    )
    .bind(recipient)
    .bind(i64::from(limit.clamp(1, 200)))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(OutboxEmail {
                id: row.try_get("id")?,
                email: Email {
                    to: row.try_get("recipient")?,
                    subject: row.try_get("subject")?,
                    text: row.try_get("text_body")?,
                    html: row.try_get("html_body")?,
                },
                created_at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}
