//! Browser sessions: the tower-sessions store over our own database (both backends, shared by
//! every instance) and the axum-login backend over the account service.
//!
//! Decision: `tower-sessions-sqlx-store` needs a concrete `SqlitePool`/`PgPool` and keeps the
//! session as an opaque blob, so "list my sessions" and "end this user's sessions" would need
//! a second table kept in step. This store writes the `sessions` table through the `Any` pool
//! instead and copies the user id, address and browser out of the session data on every save.
//! Saving never recreates a session that was deleted meanwhile.

use super::model::SessionInfo;
use crate::db::Db;
use crate::error::AppError;
use crate::platform::identity::{Principal, Role};
use crate::platform::tokens::token_hash;
use crate::platform::types::{Id, Timestamp};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use tower_sessions::session::{Id as SessionId, Record};
use tower_sessions::session_store::{self, SessionStore};

/// The session key under which axum-login keeps the signed-in user.
pub const AUTH_KEY: &str = "auth";
/// The session key under which [`ClientInfo`] is kept.
pub const CLIENT_KEY: &str = "client";

/// Facts about the browser, recorded at sign-in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// When the session must end whatever the activity (unix ms).
    pub absolute_expires_at: i64,
    /// How long the session may stay idle (longer with "remember me").
    pub idle_secs: i64,
    /// When the idle deadline and "last seen" were last written (unix ms); see
    /// [`REFRESH_EVERY_MS`].
    #[serde(default)]
    pub refreshed_at: i64,
}

/// How often a request moves a session's idle deadline and "last seen" time: at most once a
/// minute, so browsing does not write to the database on every request (on SQLite every write
/// waits for the one writer). A session may therefore end up to a minute before its idle limit.
pub const REFRESH_EVERY_MS: i64 = 60_000;

impl ClientInfo {
    /// Whether a request at `now` (unix ms) should write the session again.
    pub fn due_for_refresh(&self, now: i64) -> bool {
        now - self.refreshed_at >= REFRESH_EVERY_MS
    }
}

/// The part of axum-login's session data the store reads.
#[derive(Deserialize)]
struct AuthData {
    user_id: Option<String>,
}

/// The tower-sessions store on the `sessions` table.
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Deletes sessions whose expiry has passed; returns how many.
    pub async fn delete_expired(&self) -> Result<u64, AppError> {
        let mut conn = self.db.pool().acquire().await?;
        Ok(delete_sessions(&mut conn, Which::Expired).await?)
    }
}

/// Which rows of `sessions` to delete.
enum Which<'a> {
    One(&'a str),
    /// A person's sessions, but for the one with id `except`.
    OfUser {
        user: &'a Id,
        except: Option<&'a str>,
    },
    Expired,
}

/// The one function that deletes browser sessions (the store's [`SessionStore::save`] is the
/// one that writes them). Returns how many ended.
async fn delete_sessions(conn: &mut AnyConnection, which: Which<'_>) -> Result<u64, sqlx::Error> {
    let done = match which {
        Which::One(id) => {
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(id)
                .execute(conn)
                .await?
        }
        Which::OfUser { user, except } => {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR id <> $2)")
                .bind(user)
                .bind(except)
                .execute(conn)
                .await?
        }
        Which::Expired => {
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(Timestamp::now())
                .execute(conn)
                .await?
        }
    };
    Ok(done.rows_affected())
}

/// Ends every browser session of `user` except `keep` (a session id); returns how many.
pub(crate) async fn end_browser_sessions(
    conn: &mut AnyConnection,
    user: &Id,
    keep: Option<&str>,
) -> Result<u64, AppError> {
    Ok(delete_sessions(conn, Which::OfUser { user, except: keep }).await?)
}

/// Ends every browser session (except `keep`) and every API sign-in of `user`: after a
/// password change, a reset, a suspension or a deletion.
pub(crate) async fn end_user_sessions(
    conn: &mut AnyConnection,
    user: &Id,
    keep: Option<&str>,
) -> Result<(), AppError> {
    end_browser_sessions(conn, user, keep).await?;
    sqlx::query(
        "UPDATE token_families SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(Timestamp::now())
    .bind(user)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends the session of `user` whose public handle is `handle`; false when there is none.
pub(crate) async fn end_by_handle(
    conn: &mut AnyConnection,
    user: &Id,
    handle: &str,
) -> Result<bool, AppError> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions WHERE user_id = $1")
        .bind(user)
        .fetch_all(&mut *conn)
        .await?;
    let Some(id) = ids.into_iter().find(|id| session_handle(id) == handle) else {
        return Ok(false);
    };
    Ok(delete_sessions(conn, Which::One(&id)).await? == 1)
}

/// `sessions` as listed.
#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    ip: Option<String>,
    user_agent: Option<String>,
    created_at: Timestamp,
    last_seen_at: Timestamp,
}

/// The live browser sessions of `user`, newest activity first; `current` marks the caller's.
pub(crate) async fn list(
    db: &Db,
    user: &Id,
    current: Option<&str>,
) -> Result<Vec<SessionInfo>, AppError> {
    let rows: Vec<SessionRow> = sqlx::query_as(
        "SELECT id, ip, user_agent, created_at, last_seen_at FROM sessions \
         WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC",
    )
    .bind(user)
    .bind(Timestamp::now())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| SessionInfo {
            current: current == Some(row.id.as_str()),
            id: session_handle(&row.id),
            ip: row.ip,
            user_agent: row.user_agent,
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
        })
        .collect())
}

fn backend_error(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn expiry_millis(record: &Record) -> i64 {
    i64::try_from(record.expiry_date.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn column<T: serde::de::DeserializeOwned>(record: &Record, key: &str) -> Option<T> {
    record
        .data
        .get(key)
        .and_then(|value| serde_json::from_value(value.clone()).ok())
}

/// How [`DbSessionStore::write`] treats the row.
enum Write {
    /// A new session: insert, unless the id is taken.
    Insert,
    /// A loaded session: update it if it still exists. A session ended (signed out, "sign out
    /// others", a password change) while a request that loaded it was running stays ended.
    Update,
}

impl DbSessionStore {
    /// Writes `record`, copying the user, address and browser out of its data. Returns the
    /// rows written.
    async fn write(&self, record: &Record, mode: Write) -> session_store::Result<u64> {
        let data = serde_json::to_string(&record.data).map_err(backend_error)?;
        let client: Option<ClientInfo> = column(record, CLIENT_KEY);
        let auth: Option<AuthData> = column(record, AUTH_KEY);
        let sql = match mode {
            Write::Insert => {
                "INSERT INTO sessions (id, user_id, data, expires_at, ip, user_agent, created_at, last_seen_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (id) DO NOTHING"
            }
            Write::Update => {
                "UPDATE sessions SET user_id = $2, data = $3, expires_at = $4, ip = $5, \
                 user_agent = $6, last_seen_at = $7 WHERE id = $1"
            }
        };
        let done = sqlx::query(sql)
            .bind(record.id.to_string())
            .bind(auth.and_then(|a| a.user_id))
            .bind(data)
            .bind(expiry_millis(record))
            .bind(client.as_ref().and_then(|c| c.ip.clone()))
            .bind(client.and_then(|c| c.user_agent))
            .bind(Timestamp::now())
            .execute(self.db.pool())
            .await
            .map_err(backend_error)?;
        Ok(done.rows_affected())
    }
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random id colliding is astronomically unlikely; if it happens, draw again.
        while self.write(record, Write::Insert).await? == 0 {
            record.id = SessionId::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(record, Write::Update).await.map(drop)
    }

    async fn load(&self, id: &SessionId) -> session_store::Result<Option<Record>> {
        let row =
            sqlx::query("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
                .bind(id.to_string())
                .bind(Timestamp::now())
                .fetch_optional(self.db.pool())
                .await
                .map_err(backend_error)?;
        let Some(row) = row else { return Ok(None) };
        let data: String = row.try_get("data").map_err(backend_error)?;
        let expires_at: i64 = row.try_get("expires_at").map_err(backend_error)?;
        let expiry_date =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires_at) * 1_000_000)
                .map_err(backend_error)?;
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data).map_err(backend_error)?,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &SessionId) -> session_store::Result<()> {
        let mut conn = self.db.pool().acquire().await.map_err(backend_error)?;
        delete_sessions(&mut conn, Which::One(&id.to_string()))
            .await
            .map_err(backend_error)?;
        Ok(())
    }
}

/// The public handle of a session: a digest of its id, so the id (the cookie's value) is never
/// shown, not even to staff.
pub fn session_handle(session_id: &str) -> String {
    token_hash(session_id)[..24].to_owned()
}

/// The signed-in user as axum-login keeps them. The auth hash is a digest of the password
/// hash: changing the password signs every other session out.
#[derive(Clone)]
pub struct SessionUser {
    pub principal: Principal,
    auth_hash: Vec<u8>,
}

impl std::fmt::Debug for SessionUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionUser")
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

impl SessionUser {
    pub(crate) fn new(id: Id, role: Role, password_hash: &str) -> Self {
        Self {
            principal: Principal { id, role },
            auth_hash: token_hash(password_hash).into_bytes(),
        }
    }
}

impl axum_login::AuthUser for SessionUser {
    type Id = Id;

    fn id(&self) -> Id {
        self.principal.id.clone()
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.auth_hash
    }
}

/// axum-login's view of the account service. Sign-in itself goes through
/// `auth::service::log_in` (throttling, status checks, events); this backend only reloads
/// the user of a session, and only while the account is active.
#[derive(Debug, Clone)]
pub struct SessionBackend {
    db: Db,
}

impl SessionBackend {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

impl axum_login::AuthnBackend for SessionBackend {
    type User = SessionUser;
    /// An already verified user (from `auth::service::log_in`).
    type Credentials = SessionUser;
    type Error = AppError;

    async fn authenticate(&self, user: SessionUser) -> Result<Option<SessionUser>, AppError> {
        Ok(Some(user))
    }

    async fn get_user(&self, id: &Id) -> Result<Option<SessionUser>, AppError> {
        let row: Option<(Id, String, String)> = sqlx::query_as(
            "SELECT id, role, password_hash FROM users WHERE id = $1 AND status = 'active'",
        )
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?;
        row.map(|(id, role, hash)| {
            let role = Role::try_from(role).map_err(|_| AppError::Internal)?;
            Ok(SessionUser::new(id, role, &hash))
        })
        .transpose()
    }
}

/// The axum-login session type the server and the server functions use.
pub type AuthSession = axum_login::AuthSession<SessionBackend>;
