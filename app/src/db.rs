//! The database layer: one `sqlx::AnyPool`, chosen at run time from `DATABASE_URL`.
//!
//! Decision: every query is one SQL text that runs on both SQLite and PostgreSQL through the
//! `Any` driver (`$1` placeholders work on both). `Any` carries only integers, floats, bools,
//! text and bytes, so timestamps are `BIGINT` unix milliseconds and JSON is text. The few
//! dialect differences (DDL, full-text search) live in the two migration folders and in named
//! functions here. The alternative, an enum of two concrete pools behind a dispatch macro,
//! doubles every query's code path; it stays the fallback for a hot path that `Any` slows.

use crate::error::{AppError, FieldError};
use crate::platform::types::Id;
use crate::platform::validate::SLUG_MAX;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a transaction waits for its turn to write (SQLite's `busy_timeout` too).
const WRITER_WAIT: Duration = Duration::from_secs(5);

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database a `DATABASE_URL` points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Makes the transactions on `conn` that name the same `topic` run one after another,
    /// until each commits. SQLite needs nothing: a writing transaction already holds its one
    /// write lock (see [`Db::begin`]). PostgreSQL takes a transaction-scoped advisory lock on
    /// the topic, so a rule that reads other rows (e.g. "at least one admin stays") cannot be
    /// broken by two transactions that each see the other's rows as they were.
    pub async fn serialize(
        self,
        conn: &mut sqlx::AnyConnection,
        topic: &str,
    ) -> Result<(), sqlx::Error> {
        if self == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(topic_key(topic))
                .execute(conn)
                .await?;
        }
        Ok(())
    }

    /// The backend of a URL, or `None` when the scheme is neither `sqlite:` nor `postgres:`.
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    /// A pool size that suits the backend on a machine with `cores` cores: SQLite has one
    /// writer at a time (WAL lets readers go on), so a few connections suffice; PostgreSQL
    /// serves many sessions in parallel.
    pub fn default_pool_size(self, cores: usize) -> u32 {
        let cores = u32::try_from(cores).unwrap_or(1).max(1);
        match self {
            Self::Sqlite => (cores * 2).clamp(4, 16),
            Self::Postgres => (cores * 4).clamp(8, 64),
        }
    }

    /// How many nice steps below the reads the server's writers run unless told (see
    /// `server::runtimes`). On SQLite a write's database work runs on those threads, so the
    /// step weighs the whole write against the reads: 3, a reads thread worth about two
    /// writers. On PostgreSQL most of a write runs in the database's own processes, which no
    /// step of the server's reaches; the writers are a thin relay and take a larger step,
    /// 10 — measured with the checkout benchmark, PostgreSQL sharing the server's core: the
    /// products p99 under load 0.47–0.53 ms (1.8–2.1× idle) against 0.71–0.85 ms (2.6–3.6×)
    /// at 3.
    pub fn default_writes_nice(self) -> u8 {
        match self {
            Self::Sqlite => 3,
            Self::Postgres => 10,
        }
    }
}

/// The application's handle to its database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    /// One connection of its own for [`Db::ping`]: a health check answers whether the
    /// database answers, not how long the busy pool's queue is (under a burst of sign-ins
    /// every pooled connection may be writing).
    health: AnyPool,
    backend: Backend,
    /// On SQLite, the turn to write: SQLite lets one transaction write at a time, and
    /// writers that all begin at once would otherwise each hold a pooled connection while
    /// SQLite's busy handler sleeps and retries (1, 2, 5 … 100 ms). Here they wait in line,
    /// first come first served, holding nothing, and the next one starts the moment the
    /// last commits. PostgreSQL has row locks and needs no line.
    writers: Option<Arc<Semaphore>>,
}

impl Db {
    /// Opens a pool to `url` (creating a SQLite file and its folder when missing) without
    /// migrating.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).ok_or_else(|| {
            sqlx::Error::Configuration(
                format!("unsupported database URL scheme: {}", scheme(url)).into(),
            )
        })?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url).await?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool_options = |max_connections: u32| {
            let pool = AnyPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(5));
            if backend == Backend::Sqlite {
                pool.after_connect(|conn, _| Box::pin(sqlite_pragmas(conn)))
            } else {
                pool
            }
        };
        let mut pool = pool_options(max_connections);
        if backend == Backend::Sqlite {
            pool = pool.min_connections(1);
        }
        let pool = pool.connect_with(options.clone()).await?;
        let health = pool_options(1).connect_lazy_with(options);
        Ok(Self {
            pool,
            health,
            backend,
            writers: (backend == Backend::Sqlite).then(|| Arc::new(Semaphore::new(1))),
        })
    }

    /// Applies the backend's pending migrations.
    pub async fn migrate(&self) -> Result<(), MigrateError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction that may write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes fails with
    /// `SQLITE_BUSY` — without waiting — when another connection committed in between, which
    /// every signed-in request's session save makes likely. PostgreSQL's row locks need no
    /// such care.
    ///
    /// On SQLite the transaction first waits for its turn to write (see `writers`), before it
    /// takes a connection from the pool, and keeps the turn until it ends; a turn not had
    /// within five seconds is `PoolTimedOut`, as a pool that gives no connection.
    pub async fn begin(&self) -> Result<WriteTransaction, sqlx::Error> {
        let turn = match &self.writers {
            Some(writers) => Some(
                tokio::time::timeout(WRITER_WAIT, writers.clone().acquire_owned())
                    .await
                    .map_err(|_| sqlx::Error::PoolTimedOut)?
                    .map_err(|_| sqlx::Error::PoolClosed)?,
            ),
            None => None,
        };
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTransaction { inner, _turn: turn })
    }

    /// Runs a trivial query on the health connection and reports how long the round trip
    /// took.
    pub async fn ping(&self) -> Result<Duration, sqlx::Error> {
        let started = Instant::now();
        sqlx::query("SELECT 1").execute(&self.health).await?;
        Ok(started.elapsed())
    }

    /// Closes every connection; later queries fail with `PoolClosed`.
    pub async fn close(&self) {
        self.pool.close().await;
        self.health.close().await;
    }
}

/// A transaction from [`Db::begin`]: on SQLite it holds the writer's turn until it commits,
/// rolls back or is dropped.
pub struct WriteTransaction {
    inner: Transaction<'static, Any>,
    _turn: Option<OwnedSemaphorePermit>,
}

impl WriteTransaction {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.inner.rollback().await
    }
}

impl Deref for WriteTransaction {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl DerefMut for WriteTransaction {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

/// Every SQLite connection's settings: WAL lets readers run beside the writer; the busy
/// timeout makes a second writer wait instead of failing; NORMAL sync is durable in WAL mode.
async fn sqlite_pragmas(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    conn.execute("PRAGMA journal_mode = WAL").await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    conn.execute("PRAGMA busy_timeout = 5000").await?;
    conn.execute("PRAGMA synchronous = NORMAL").await?;
    // Sorts' scratch space in memory. (No `mmap_size`: every pooled connection would map the
    // whole file, and once lists come from the read cache and pages from index walks, the
    // copies it saved no longer show in the profile.)
    conn.execute("PRAGMA temp_store = MEMORY").await?;
    // A small page cache per connection: the kernel keeps the file's pages once for all of
    // them, and a page it holds is a copy away.
    conn.execute("PRAGMA cache_size = -512").await?;
    Ok(())
}

/// A unique constraint a request can break, and what the person is told: the field it is
/// about and a sentence. PostgreSQL reports the index name; SQLite reports the indexed
/// `table.column`s.
#[derive(Debug)]
pub struct Constraint {
    pub postgres: &'static str,
    pub sqlite: &'static str,
    pub field: &'static str,
    pub message: &'static str,
}

/// Every unique constraint that user input can break, in one place: a lost race on a unique
/// value becomes a `CONFLICT` naming the field (through `From<sqlx::Error> for AppError`)
/// without any caller knowing either backend's index names. A feature that adds a unique
/// index a request can hit adds its row here.
pub const CONSTRAINTS: &[Constraint] = &[
    Constraint {
        postgres: "users_email_key",
        sqlite: "users.email_key",
        field: "email",
        message: "An account with this email already exists.",
    },
    Constraint {
        postgres: "vendors_store_key",
        sqlite: "vendors.store_key",
        field: "storeName",
        message: "A storefront with this name already exists.",
    },
    Constraint {
        postgres: "vendors_slug",
        sqlite: "vendors.slug",
        field: "slug",
        message: "This storefront address is taken; choose another.",
    },
    Constraint {
        postgres: "categories_slug",
        sqlite: "categories.slug",
        field: "slug",
        message: "Another category has this address; choose another.",
    },
    Constraint {
        postgres: "products_slug",
        sqlite: "products.slug",
        field: "slug",
        message: "Another product has this address; choose another.",
    },
    Constraint {
        postgres: "reviews_one_per_buyer",
        sqlite: "reviews.product_id, reviews.user_id",
        field: "product",
        message: "You have already reviewed this product; edit your review instead.",
    },
    Constraint {
        postgres: "vendors_user_id",
        sqlite: "vendors.user_id",
        field: "storeName",
        message: "You already have a storefront application.",
    },
];

/// The `VALUES` list of a multi-row insert: `rows` groups of `columns` numbered
/// placeholders, `($1, $2), ($3, $4)` for two rows of two.
pub(crate) fn value_rows(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let first = row * columns + 1;
            let values: Vec<String> = (first..first + columns).map(|n| format!("${n}")).collect();
            format!("({})", values.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The field error for a unique violation listed in [`CONSTRAINTS`].
pub(crate) fn conflict_field(error: &sqlx::Error) -> Option<FieldError> {
    let db_error = error.as_database_error()?;
    if !db_error.is_unique_violation() {
        return None;
    }
    let message = db_error.message();
    CONSTRAINTS
        .iter()
        .find(|c| {
            db_error.constraint() == Some(c.postgres)
                || message
                    .strip_prefix("UNIQUE constraint failed: ")
                    .is_some_and(|columns| columns == c.sqlite)
        })
        .map(|c| FieldError::new(c.field, c.message))
}

/// The first slug among `base`, `base-2`, … `base-50` that no other row of `table` has and
/// that is not `reserved` (`item` when the name gave no slug); `None` when all are taken.
/// `own` is the row being saved, whose own slug counts as free.
pub(crate) async fn free_slug(
    conn: &mut AnyConnection,
    table: &'static str,
    base: &str,
    own: Option<&Id>,
    reserved: &[&str],
) -> Result<Option<String>, AppError> {
    let base = if base.is_empty() { "item" } else { base };
    for n in 1..=50 {
        let candidate = if n == 1 {
            base.to_owned()
        } else {
            let suffix = format!("-{n}");
            let stem = &base[..base.len().min(SLUG_MAX - suffix.len())];
            format!("{}{suffix}", stem.trim_end_matches('-'))
        };
        let taken: Option<Id> =
            sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE slug = $1"))
                .bind(&candidate)
                .fetch_optional(&mut *conn)
                .await?;
        let free = taken.is_none() || taken.as_ref() == own;
        if free && !reserved.contains(&candidate.as_str()) {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

fn scheme(url: &str) -> &str {
    url.split_once(':').map_or(url, |(scheme, _)| scheme)
}

/// Adds `mode=rwc` (create the file if missing) and creates the file's folder.
async fn prepare_sqlite_url(url: &str) -> Result<String, sqlx::Error> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" {
        return Ok(url.to_owned());
    }
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        tokio::fs::create_dir_all(parent).await?;
    }
    Ok(if query.contains("mode=") {
        url.to_owned()
    } else if query.is_empty() {
        format!("{url}?mode=rwc")
    } else {
        format!("{url}&mode=rwc")
    })
}

/// A stable 64-bit key for an advisory-lock topic (FNV-1a).
fn topic_key(topic: &str) -> i64 {
    let hash = topic.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    i64::from_ne_bytes(hash.to_ne_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn value_rows_number_every_placeholder_once_row_by_row() {
        assert_eq!(value_rows(1, 1), "($1)");
        assert_eq!(value_rows(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(value_rows(0, 4), "");
    }

    #[test]
    fn backends_are_recognised_by_scheme() {
        assert_eq!(
            Backend::of_url("sqlite://data/agora.db"),
            Some(Backend::Sqlite)
        );
        assert_eq!(Backend::of_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::of_url("postgres://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::of_url("postgresql://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::of_url("mysql://u@h/db"), None);
        assert_eq!(Backend::of_url("data/agora.db"), None);
    }

    #[test]
    fn pools_are_sized_for_the_backend() {
        assert_eq!(Backend::Sqlite.default_pool_size(2), 4);
        assert_eq!(Backend::Postgres.default_pool_size(2), 8);
        assert_eq!(Backend::Postgres.default_pool_size(32), 64);
    }

    #[tokio::test]
    async fn a_new_sqlite_file_is_created_in_wal_mode_with_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/nested/agora.db", dir.path().display());
        let db = Db::connect(&url, 2).await.unwrap();
        db.migrate().await.unwrap();
        assert!(dir.path().join("nested/agora.db").exists());
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(fk, 1);
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(busy, 5000);
        // Migrating twice is a no-op.
        db.migrate().await.unwrap();
    }

    /// Writers waiting for their turn on SQLite hold no pooled connection, so reads go on
    /// while a writer works and more queue behind it; the queue is first come, first served.
    #[tokio::test(flavor = "multi_thread")]
    async fn sqlite_writers_wait_in_line_without_taking_the_readers_connections() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/q.db", dir.path().display()), 4)
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let first = db.begin().await.unwrap();
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut waiting = Vec::new();
        for n in 0..6 {
            let (db, order) = (db.clone(), order.clone());
            waiting.push(tokio::spawn(async move {
                let tx = db.begin().await?;
                order.lock().unwrap().push(n);
                tx.commit().await
            }));
            // Each is in line before the next asks.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let started = Instant::now();
        let one: i64 = sqlx::query_scalar("SELECT 1")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(one, 1);
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "a read waited {:?} for a connection held by a waiting writer",
            started.elapsed()
        );
        assert!(
            order.lock().unwrap().is_empty(),
            "nobody writes beside the first"
        );
        first.commit().await.unwrap();
        for writer in waiting {
            writer.await.unwrap().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3, 4, 5]);
    }

    /// Read-then-write transactions racing on SQLite: each must wait for the other, not fail
    /// with `SQLITE_BUSY` because a write landed between its read and its write.
    #[tokio::test(flavor = "multi_thread")]
    async fn racing_read_then_write_transactions_all_commit_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/r.db", dir.path().display()), 8)
            .await
            .unwrap();
        db.migrate().await.unwrap();
        sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ('n', '0', 0)")
            .execute(db.pool())
            .await
            .unwrap();
        let writers = (0..8).map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut tx = db.begin().await?;
                let n: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'n'")
                    .fetch_one(&mut *tx)
                    .await?;
                tokio::time::sleep(Duration::from_millis(20)).await;
                let next = n.parse::<i64>().unwrap_or_default() + 1;
                sqlx::query("UPDATE settings SET value = $1 WHERE key = 'n'")
                    .bind(next.to_string())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            })
        });
        for writer in writers.collect::<Vec<_>>() {
            writer.await.unwrap().expect("no SQLITE_BUSY");
        }
        let n: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'n'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(n, "8", "no lost update");
    }

    #[tokio::test]
    async fn only_listed_unique_violations_become_field_conflicts() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/u.db", dir.path().display()), 2)
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let insert = "INSERT INTO settings (key, value, updated_at) VALUES ('k', '1', 0)";
        sqlx::query(insert).execute(db.pool()).await.unwrap();
        let error = sqlx::query(insert).execute(db.pool()).await.unwrap_err();
        assert_eq!(conflict_field(&error), None, "settings.key is not listed");
        let user = "INSERT INTO users (id, email, email_key, password_hash, first_name, last_name, \
                    referral_code, created_at, updated_at) VALUES ($1, 'a@x.io', 'a@x.io', 'h', 'A', 'B', $2, 0, 0)";
        sqlx::query(user)
            .bind("u1")
            .bind("R1")
            .execute(db.pool())
            .await
            .unwrap();
        let error = sqlx::query(user)
            .bind("u2")
            .bind("R2")
            .execute(db.pool())
            .await
            .unwrap_err();
        let field = conflict_field(&error).expect("users.email_key is listed");
        assert_eq!(field.field, "email");
        assert!(matches!(AppError::from(error), AppError::Conflict(_)));
    }

    #[tokio::test]
    async fn a_closed_pool_fails_the_ping() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/a.db", dir.path().display()), 2)
            .await
            .unwrap();
        assert!(db.ping().await.is_ok());
        db.close().await;
        assert!(db.ping().await.is_err());
    }
}
