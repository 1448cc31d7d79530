//! Queueing emails, sending them from the job queue, and reading the development outbox.

use super::model::{Email, OutboxEmail};
use super::sender::Mailer;
use crate::error::AppError;
use crate::platform::Services;
use crate::platform::identity::Admin;
use crate::platform::jobs::{JobContext, JobHandlers, JobKind};
use crate::platform::tx::Tx;
use crate::platform::types::Timestamp;

/// The job that sends one [`Email`]; a failing email is tried 8 times before it is given up.
pub const SEND_EMAIL: JobKind = JobKind {
    name: "email.send",
    max_attempts: 8,
};

/// Queues `email` inside the caller's transaction: it is sent only if that commits.
pub fn queue(tx: &mut Tx, email: &Email) -> Result<(), AppError> {
    tx.enqueue(&SEND_EMAIL, email)
}

/// Registers the sending of queued emails through `mailer`.
pub fn register_jobs(handlers: &mut JobHandlers, mailer: Mailer) {
    handlers.register(&SEND_EMAIL, move |job: JobContext| {
        let mailer = mailer.clone();
        async move {
            let email: Email = serde_json::from_str(&job.payload)
                .map_err(|error| format!("unreadable payload: {error}"))?;
            mailer.send(&job.services.db, &email).await
        }
    });
}

/// `outbox` as stored.
#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    recipient: String,
    subject: String,
    text_body: String,
    html_body: String,
    created_at: Timestamp,
}

/// The newest outbox emails, optionally only those to `recipient`. Admins only: the outbox
/// holds live sign-in links (password resets) of every account, staff included. Not found when
/// an SMTP relay is configured — the outbox is a development tool.
pub async fn outbox(
    services: &Services,
    _admin: Admin<'_>,
    recipient: Option<&str>,
    limit: u32,
) -> Result<Vec<OutboxEmail>, AppError> {
    if !services.mail_outbox {
        return Err(AppError::NotFound("The outbox".into()));
    }
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "SELECT id, recipient, subject, text_body, html_body, created_at FROM outbox \
         WHERE $1 IS NULL OR LOWER(recipient) = LOWER($1) ORDER BY id DESC LIMIT $2",
    )
    .bind(recipient)
    .bind(i64::from(limit.clamp(1, 200)))
    .fetch_all(services.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| OutboxEmail {
            id: row.id,
            email: Email {
                to: row.recipient,
                subject: row.subject,
                text: row.text_body,
                html: row.html_body,
            },
            created_at: row.created_at,
        })
        .collect())
}
