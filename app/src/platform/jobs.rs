//! The durable job queue (table `jobs`): work that must happen after a request, survive a
//! restart and be retried — sending emails now; maturing funds, expiring offers, webhooks and
//! clean-up later. Jobs are queued through [`super::tx::Tx::enqueue`], inside the transaction
//! of the change that asks for them; each feature registers the handlers of its own kinds in
//! [`JobHandlers`] at start-up, and the worker (`super::worker`) runs them.
//!
//! Decision: a small queue on our own table rather than `apalis-sql`, whose releases pin other
//! sqlx versions than ours and which would need its own concrete pools; one conditional
//! `UPDATE … RETURNING` claims a job on both backends.

use super::Services;
use super::identity::Actor;
use super::types::Timestamp;
use crate::db::{Db, value_rows};
use crate::error::AppError;
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// How long a claimed job stays invisible to other workers.
const LOCK_MILLIS: i64 = 5 * 60 * 1000;

/// A kind of job: its name in the table and how often it is tried before it is given up.
#[derive(Debug, Clone, Copy)]
pub struct JobKind {
    pub name: &'static str,
    pub max_attempts: i64,
}

/// A job a worker has claimed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}

/// What a handler gets: the services, the system as its actor, the job's JSON payload, and
/// whether this is the last attempt (a failure now is given up on: the handler may record
/// that where people will see it).
pub struct JobContext {
    pub services: Services,
    pub actor: Actor,
    pub payload: String,
    pub last_attempt: bool,
}

/// The outcome of one attempt; an error is a sentence for the job's record.
pub type JobFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
type Handler = Arc<dyn Fn(JobContext) -> JobFuture + Send + Sync>;

/// Which handler runs which kind; filled at start-up by each feature.
#[derive(Clone, Default)]
pub struct JobHandlers(HashMap<&'static str, Handler>);

impl std::fmt::Debug for JobHandlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl JobHandlers {
    /// Runs `handler` for jobs of `kind`. Registering a kind twice is a programming error.
    pub fn register<F, Fut>(&mut self, kind: &JobKind, handler: F)
    where
        F: Fn(JobContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |context| Box::pin(handler(context)));
        let previous = self.0.insert(kind.name, handler);
        assert!(
            previous.is_none(),
            "job kind {} registered twice",
            kind.name
        );
    }

    pub(super) async fn run(&self, services: &Services, job: &ClaimedJob) -> Result<(), String> {
        let handler = self
            .0
            .get(job.kind.as_str())
            .ok_or_else(|| format!("no handler for job kind {:?}", job.kind))?;
        handler(JobContext {
            services: services.clone(),
            actor: Actor::system(),
            payload: job.payload.clone(),
            last_attempt: job.attempts >= job.max_attempts,
        })
        .await
    }
}

/// A job a transaction queued: written just before it commits (see [`insert`]).
pub(super) struct NewJob {
    kind: &'static str,
    max_attempts: i64,
    payload: String,
    run_at: Timestamp,
}

impl NewJob {
    pub(super) fn new(
        kind: &JobKind,
        payload: &impl Serialize,
        run_at: Timestamp,
    ) -> Result<Self, AppError> {
        Ok(Self {
            kind: kind.name,
            max_attempts: kind.max_attempts,
            payload: serde_json::to_string(payload).map_err(|_| AppError::Internal)?,
            run_at,
        })
    }
}

/// The most jobs one statement writes (eight values each).
const JOBS_PER_INSERT: usize = 100;

/// Writes `queued` with `conn` (the caller's transaction): one statement for the usual
/// handful.
pub(super) async fn insert(
    conn: &mut sqlx::AnyConnection,
    queued: &[NewJob],
) -> Result<(), AppError> {
    let now = Timestamp::now();
    for chunk in queued.chunks(JOBS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, \
             created_at, updated_at) VALUES {}",
            value_rows(chunk.len(), 8)
        );
        let mut statement = sqlx::query(&sql);
        for job in chunk {
            statement = statement
                .bind(job.kind)
                .bind(&job.payload)
                .bind("queued")
                .bind(0_i64)
                .bind(job.max_attempts)
                .bind(job.run_at)
                .bind(now)
                .bind(now);
        }
        statement.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Claims the oldest due job, if any.
pub(super) async fn claim(db: &Db) -> Result<Option<ClaimedJob>, AppError> {
    let now = Timestamp::now();
    let job = sqlx::query_as(
        "UPDATE jobs SET locked_until = $1, attempts = attempts + 1, updated_at = $2 \
         WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $2 \
                     AND (locked_until IS NULL OR locked_until < $2) ORDER BY run_at, id LIMIT 1) \
         AND (locked_until IS NULL OR locked_until < $2) \
         RETURNING id, kind, payload, attempts, max_attempts",
    )
    .bind(now.plus_millis(LOCK_MILLIS))
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    Ok(job)
}

/// Marks a job done and drops its payload (it may hold a link with a token).
pub(super) async fn complete(db: &Db, id: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE jobs SET status = 'done', payload = '{}', locked_until = NULL, updated_at = $1 WHERE id = $2",
    )
    .bind(Timestamp::now())
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
pub(super) async fn fail(db: &Db, job: &ClaimedJob, error: &str) -> Result<(), AppError> {
    let now = Timestamp::now();
    let last = job.attempts >= job.max_attempts;
    sqlx::query(
        "UPDATE jobs SET status = $1, run_at = $2, locked_until = NULL, last_error = $3, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(if last { "failed" } else { "queued" })
    .bind(now.plus_millis(backoff_millis(job.attempts)))
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
