//! Queueing, claiming and settling jobs.

use crate::db::{Db, now_millis};
use crate::error::AppError;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

/// How long a claimed job stays invisible to other workers.
const LOCK_MILLIS: i64 = 5 * 60 * 1000;

/// A job a worker has claimed.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}

/// Queues a job inside the caller's transaction, so it exists exactly when the change that
/// asked for it was committed.
pub async fn enqueue(
    conn: &mut AnyConnection,
    kind: &str,
    payload: &impl Serialize,
    max_attempts: i64,
) -> Result<(), AppError> {
    let payload = serde_json::to_string(payload).map_err(|_| AppError::Internal)?;
    let now = now_millis();
    sqlx::query(
        "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at) \
         VALUES ($1, $2, 'queued', 0, $3, $4, $4, $4)",
    )
    .bind(kind)
    .bind(payload)
    .bind(max_attempts)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Claims the oldest due job, if any.
pub async fn claim(db: &Db) -> Result<Option<ClaimedJob>, AppError> {
    let now = now_millis();
    let row = sqlx::query(
        "UPDATE jobs SET locked_until = $1, attempts = attempts + 1, updated_at = $2 \
         WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $2 \
                     AND (locked_until IS NULL OR locked_until < $2) ORDER BY run_at, id LIMIT 1) \
         AND (locked_until IS NULL OR locked_until < $2) \
         RETURNING id, kind, payload, attempts, max_attempts",
    )
    .bind(now + LOCK_MILLIS)
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(ClaimedJob {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            payload: row.try_get("payload")?,
            attempts: row.try_get("attempts")?,
            max_attempts: row.try_get("max_attempts")?,
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| e.into())
}

/// Marks a job done and drops its payload (it may hold a link with a token).
pub async fn complete(db: &Db, id: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE jobs SET status = 'done', payload = '{}', locked_until = NULL, updated_at = $1 WHERE id = $2",
    )
    .bind(now_millis())
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Delay before retry number `attempts`: 10 s, 20 s, 40 s, … at most an hour.
pub fn backoff_millis(attempts: i64) -> i64 {
    let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    (10_000i64.saturating_mul(2i64.saturating_pow(exponent))).min(3_600_000)
}

/// Records a failure: retried later with backoff, or kept as `failed` after the last attempt.
pub async fn fail(db: &Db, job: &ClaimedJob, error: &str) -> Result<(), AppError> {
    let now = now_millis();
    let last = job.attempts >= job.max_attempts;
    sqlx::query(
        "UPDATE jobs SET status = $1, run_at = $2, locked_until = NULL, last_error = $3, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(if last { "failed" } else { "queued" })
    .bind(now + backoff_millis(job.attempts))
    .bind(error)
    .bind(now)
    .bind(job.id)
    .execute(db.pool())
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::backoff_millis;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_millis(1), 10_000);
        assert_eq!(backoff_millis(2), 20_000);
        assert_eq!(backoff_millis(4), 80_000);
        assert_eq!(backoff_millis(30), 3_600_000);
    }
}
