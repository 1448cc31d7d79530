//! The transaction every write goes through. While the work runs, it collects the events to
//! publish and the jobs it queues (rows written in the same transaction, together, just
//! before it commits); only once the commit succeeds are the events published, the job worker
//! woken and the cached public reads made stale (unless the transaction said it changes none of
//! them). A transaction that is rolled back — explicitly, by an error, or by being dropped —
//! publishes nothing and leaves no job behind.

use super::Services;
use super::events::{Event, Events};
use super::jobs::{self, JobKind, NewJob};
use super::read_cache::ReadCache;
use super::types::Timestamp;
use crate::db::{Backend, WriteTransaction};
use crate::error::AppError;
use serde::Serialize;
use sqlx::AnyConnection;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use tokio::sync::Notify;

pub struct Tx {
    inner: WriteTransaction,
    backend: Backend,
    bus: Events,
    jobs_ready: Arc<Notify>,
    reads: ReadCache,
    events: Vec<Event>,
    /// Written together just before the commit.
    jobs: Vec<NewJob>,
    /// False once the transaction said it changes nothing the public read cache holds.
    stales_reads: bool,
}

impl Tx {
    /// Starts a transaction that may write (on SQLite it takes the write lock at once; see
    /// `Db::begin`).
    pub async fn begin(services: &Services) -> Result<Self, AppError> {
        Ok(Self {
            inner: services.db.begin().await?,
            backend: services.db.backend(),
            bus: services.events.clone(),
            jobs_ready: services.jobs_ready.clone(),
            reads: services.reads.clone(),
            events: Vec::new(),
            jobs: Vec::new(),
            stales_reads: true,
        })
    }

    /// Waits for, then excludes, every other transaction serialized on `topic` until this one
    /// ends (see `Backend::serialize`).
    pub async fn serialize(&mut self, topic: &str) -> Result<(), AppError> {
        self.backend.serialize(&mut self.inner, topic).await?;
        Ok(())
    }

    /// Says that this transaction writes nothing the public read cache keeps (product lists,
    /// their counts, guests' list pages): a cart, an order, a payment, a ledger posting, a
    /// payout. Its commit then leaves those answers cached; without this, every commit makes
    /// them stale (the safe default). Under a stream of checkouts this is what keeps the
    /// catalog's reads cache hits.
    pub fn keep_public_reads(&mut self) {
        self.stales_reads = false;
    }

    /// Publishes `event` once (and only if) this transaction commits.
    pub fn publish(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Queues a job of `kind` inside this transaction: it is written with the commit, and
    /// the worker hears of it after.
    pub fn enqueue(&mut self, kind: &JobKind, payload: &impl Serialize) -> Result<(), AppError> {
        self.enqueue_at(kind, payload, Timestamp::now())
    }

    /// Queues a job of `kind` that is due at `run_at` (a hold period's end).
    pub fn enqueue_at(
        &mut self,
        kind: &JobKind,
        payload: &impl Serialize,
        run_at: Timestamp,
    ) -> Result<(), AppError> {
        self.jobs.push(NewJob::new(kind, payload, run_at)?);
        Ok(())
    }

    /// Writes the queued jobs and commits, then fires the effects.
    pub async fn commit(self) -> Result<(), AppError> {
        let Self {
            mut inner,
            backend: _,
            bus,
            jobs_ready,
            reads,
            events,
            jobs,
            stales_reads,
        } = self;
        if !jobs.is_empty() {
            jobs::insert(&mut inner, &jobs).await?;
        }
        inner.commit().await?;
        if stales_reads {
            reads.invalidate();
        }
        if !jobs.is_empty() {
            jobs_ready.notify_one();
        }
        for event in events {
            bus.publish(event);
        }
        Ok(())
    }

    /// Rolls back; nothing collected fires.
    pub async fn rollback(self) -> Result<(), AppError> {
        self.inner.rollback().await?;
        Ok(())
    }
}

impl Deref for Tx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}
