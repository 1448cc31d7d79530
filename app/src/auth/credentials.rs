//! Credentials other than the password: browser sessions (listing and ending them), API
//! token pairs (short-lived signed access token + rotating refresh token) and personal API
//! keys.

use super::limits::TOKENS_PER_IP;
use super::model::{ApiKeyInfo, KeyScope, NewApiKey, SessionInfo, User};
use super::service::find_user;
use super::service::security_event;
use super::session::{self, SessionUser};
use super::validate;
use crate::db::Db;
use crate::error::{AppError, FieldError};
use crate::platform::Services;
use crate::platform::identity::{Actor, Principal, Role};
use crate::platform::request::Client;
use crate::platform::signer::Claims;
use crate::platform::tokens::{plausible, random_token, token_hash};
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Lifetime of an access token.
pub const ACCESS_TOKEN_SECS: i64 = 15 * 60;
/// Lifetime of a refresh token (each refresh starts a new one).
pub const REFRESH_TOKEN_DAYS: i64 = 30;
/// API keys start with this, so they are recognisable (and scannable) in leaked text.
pub const API_KEY_PREFIX: &str = "agora_";
const MAX_KEYS: i64 = 25;

/// A signed-in API client's tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TokenPair {
    pub user: User,
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

/// What an access token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct AccessClaims {
    /// The user's id.
    sub: Id,
    /// The sign-in (token family) it belongs to; logging out revokes it.
    fam: Id,
    /// Issued at and expiry, unix seconds.
    iat: i64,
    exp: i64,
}

impl Claims for AccessClaims {
    fn expires_at(&self) -> i64 {
        self.exp
    }
}

/// How a bearer credential authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BearerAuth {
    pub principal: Principal,
    /// `None` for an access token (full access), the key's scope for an API key.
    pub key_scope: Option<KeyScope>,
}

/// The browser sessions of `user_id` (the person themself, or staff), newest activity first.
/// `current` is the requesting session's id, to mark it.
pub async fn sessions(
    db: &Db,
    actor: &Actor,
    user_id: &Id,
    current: Option<&str>,
) -> Result<Vec<SessionInfo>, AppError> {
    if actor.user()?.id != *user_id {
        actor.staff()?;
    }
    session::list(db, user_id, current).await
}

/// Ends the session with public handle `handle` of the signed-in person.
pub async fn end_session(services: &Services, actor: &Actor, handle: &str) -> Result<(), AppError> {
    let principal = actor.account_holder()?;
    let mut tx = Tx::begin(services).await?;
    if !session::end_by_handle(&mut tx, &principal.id, handle).await? {
        return Err(AppError::NotFound("The session".into()));
    }
    security_event(&mut tx, &principal.id, "auth.session_ended", json!({})).await?;
    tx.commit().await
}

/// Ends every browser session of the signed-in person except `current`.
pub async fn end_other_sessions(
    services: &Services,
    actor: &Actor,
    current: Option<&str>,
) -> Result<u64, AppError> {
    let principal = actor.account_holder()?;
    let mut tx = Tx::begin(services).await?;
    let ended = session::end_browser_sessions(&mut tx, &principal.id, current).await?;
    let details = json!({ "count": ended });
    security_event(&mut tx, &principal.id, "auth.sessions_ended", details).await?;
    tx.commit().await?;
    Ok(ended)
}

async fn insert_refresh_token(tx: &mut Tx, family: &Id) -> Result<String, AppError> {
    let token = random_token("");
    let now = Timestamp::now();
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family_id, expires_at, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash(&token))
    .bind(family)
    .bind(now.plus_millis(REFRESH_TOKEN_DAYS * 86_400_000))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

fn access_token(services: &Services, user_id: &Id, family: &Id) -> String {
    let now = Timestamp::now().as_secs();
    services.signer.sign(&AccessClaims {
        sub: user_id.clone(),
        fam: family.clone(),
        iat: now,
        exp: now + ACCESS_TOKEN_SECS,
    })
}

/// Starts an API sign-in (a new token family) for a person who just signed in or registered:
/// only those two make a [`SessionUser`].
pub async fn issue_tokens(
    services: &Services,
    user: &SessionUser,
    client: &Client,
) -> Result<TokenPair, AppError> {
    let user_id = &user.principal.id;
    let family = Id::random();
    let mut tx = Tx::begin(services).await?;
    sqlx::query(
        "INSERT INTO token_families (id, user_id, ip, user_agent, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&family)
    .bind(user_id)
    .bind(&client.ip)
    .bind(&client.user_agent)
    .bind(Timestamp::now())
    .execute(&mut *tx)
    .await?;
    let refresh_token = insert_refresh_token(&mut tx, &family).await?;
    tx.commit().await?;
    Ok(TokenPair {
        access_token: access_token(services, user_id, &family),
        refresh_token,
        expires_in: ACCESS_TOKEN_SECS,
        user: find_user(&services.db, user_id).await?,
    })
}

/// Trades a refresh token for a new pair. A token is good once: presenting a used one means it
/// was stolen (or replayed), so the whole family is revoked and both holders must sign in again.
pub async fn refresh(
    services: &Services,
    refresh_token: &str,
    client: &Client,
) -> Result<TokenPair, AppError> {
    services.throttle.hit(&TOKENS_PER_IP, client.ip_key())?;
    if !plausible(refresh_token) {
        return Err(AppError::InvalidToken);
    }
    let now = Timestamp::now();
    let db = &services.db;
    let mut tx = Tx::begin(services).await?;
    // Claim the token first (a write), so two concurrent refreshes cannot both succeed.
    let claimed: Option<Id> = sqlx::query_scalar(
        "UPDATE refresh_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING family_id",
    )
    .bind(now)
    .bind(token_hash(refresh_token.trim()))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(family) = claimed else {
        tx.rollback().await?;
        let reused: Option<Id> = sqlx::query_scalar(
            "SELECT family_id FROM refresh_tokens WHERE token_hash = $1 AND used_at IS NOT NULL",
        )
        .bind(token_hash(refresh_token.trim()))
        .fetch_optional(db.pool())
        .await?;
        if let Some(family) = reused {
            tracing::warn!(family = %family, "a used refresh token was presented; revoking its family");
            revoke_family(db, &family).await?;
        }
        return Err(AppError::InvalidToken);
    };
    let owner: Option<Id> = sqlx::query_scalar(
        "SELECT f.user_id FROM token_families f JOIN users u ON u.id = f.user_id \
         WHERE f.id = $1 AND f.revoked_at IS NULL AND u.status = 'active'",
    )
    .bind(&family)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = owner else {
        tx.rollback().await?;
        return Err(AppError::InvalidToken);
    };
    let refresh_token = insert_refresh_token(&mut tx, &family).await?;
    tx.commit().await?;
    Ok(TokenPair {
        access_token: access_token(services, &user_id, &family),
        refresh_token,
        expires_in: ACCESS_TOKEN_SECS,
        user: find_user(db, &user_id).await?,
    })
}

async fn revoke_family(db: &Db, family: &Id) -> Result<(), AppError> {
    sqlx::query("UPDATE token_families SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(Timestamp::now())
        .bind(family)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends the API sign-in an access token belongs to.
pub async fn log_out_tokens(services: &Services, access_token: &str) -> Result<(), AppError> {
    let claims: AccessClaims = services
        .signer
        .verify(access_token, Timestamp::now().as_secs())?;
    revoke_family(&services.db, &claims.fam).await
}

/// Who a bearer credential (access token or API key) belongs to, if it is still good. Only
/// the caller resolver asks.
pub(crate) async fn authenticate_bearer(
    services: &Services,
    credential: &str,
) -> Result<BearerAuth, AppError> {
    let db = &services.db;
    let now = Timestamp::now();
    if credential.starts_with(API_KEY_PREFIX) {
        let key: KeyAuthRow = sqlx::query_as(
            "SELECT k.id, k.scope, k.last_used_at, u.id AS user_id, u.role \
             FROM api_keys k JOIN users u ON u.id = k.user_id \
             WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND u.status = 'active'",
        )
        .bind(token_hash(credential))
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::InvalidToken)?;
        let stale_before = now.plus_millis(-LAST_USED_RESOLUTION_MS);
        if key.last_used_at.is_none_or(|used| used < stale_before) {
            // Conditional, so of concurrent first uses only one writes.
            sqlx::query(
                "UPDATE api_keys SET last_used_at = $1 \
                 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
            )
            .bind(now)
            .bind(&key.id)
            .bind(stale_before)
            .execute(db.pool())
            .await?;
        }
        return Ok(BearerAuth {
            principal: Principal {
                id: key.user_id,
                role: key.role,
            },
            key_scope: Some(key.scope),
        });
    }
    let claims: AccessClaims = services.signer.verify(credential, now.as_secs())?;
    // The family is live and its user active — and their role — in one query.
    let role: Option<String> = sqlx::query_scalar(
        "SELECT u.role FROM token_families f JOIN users u ON u.id = f.user_id \
         WHERE f.id = $1 AND f.user_id = $2 AND f.revoked_at IS NULL AND u.status = 'active'",
    )
    .bind(&claims.fam)
    .bind(&claims.sub)
    .fetch_optional(db.pool())
    .await?;
    let role = role.ok_or(AppError::InvalidToken)?;
    Ok(BearerAuth {
        principal: Principal {
            id: claims.sub,
            role: Role::try_from(role).map_err(|_| AppError::Internal)?,
        },
        key_scope: None,
    })
}

/// How old a key's "last used" may get before a use records it again. A key in steady use
/// then costs one write a minute rather than one per request — which matters because every
/// write waits for SQLite's one writer, so a per-request write made read-only API calls queue
/// behind sign-ins (`cargo bench --bench login`).
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

/// A live API key and its owner, as the resolver reads them.
#[derive(sqlx::FromRow)]
struct KeyAuthRow {
    id: Id,
    #[sqlx(try_from = "String")]
    scope: KeyScope,
    last_used_at: Option<Timestamp>,
    user_id: Id,
    #[sqlx(try_from = "String")]
    role: Role,
}

/// `api_keys` as listed.
#[derive(sqlx::FromRow)]
struct KeyRow {
    id: Id,
    name: String,
    prefix: String,
    #[sqlx(try_from = "String")]
    scope: KeyScope,
    created_at: Timestamp,
    last_used_at: Option<Timestamp>,
}

impl From<KeyRow> for ApiKeyInfo {
    fn from(row: KeyRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            scope: row.scope,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        }
    }
}

/// The signed-in person's live API keys, newest first.
pub async fn api_keys(db: &Db, actor: &Actor) -> Result<Vec<ApiKeyInfo>, AppError> {
    let principal = actor.user()?;
    let rows: Vec<KeyRow> = sqlx::query_as(
        "SELECT id, name, prefix, scope, created_at, last_used_at FROM api_keys \
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id",
    )
    .bind(&principal.id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(ApiKeyInfo::from).collect())
}

/// Creates an API key; the returned secret is never shown again.
pub async fn create_api_key(
    db: &Db,
    actor: &Actor,
    name: &str,
    scope: KeyScope,
) -> Result<NewApiKey, AppError> {
    let principal = actor.account_holder()?;
    let name = validate::key_name(name).map_err(|message| AppError::invalid("name", message))?;
    let mut tx = db.begin().await?;
    // One creation at a time per account, so two at once cannot both see 24 keys.
    db.backend()
        .serialize(&mut tx, &format!("api-keys:{}", principal.id))
        .await?;
    let live: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(&principal.id)
    .fetch_one(&mut *tx)
    .await?;
    if live >= MAX_KEYS {
        return Err(AppError::Conflict(FieldError::new(
            "name",
            format!("You can have at most {MAX_KEYS} keys; revoke one first."),
        )));
    }
    let key = random_token(API_KEY_PREFIX);
    let info = ApiKeyInfo {
        id: Id::random(),
        name,
        prefix: key.chars().take(API_KEY_PREFIX.len() + 6).collect(),
        scope,
        created_at: Timestamp::now(),
        last_used_at: None,
    };
    sqlx::query(
        "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scope, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&info.id)
    .bind(&principal.id)
    .bind(&info.name)
    .bind(&info.prefix)
    .bind(token_hash(&key))
    .bind(scope.as_str())
    .bind(info.created_at)
    .execute(&mut *tx)
    .await?;
    let details = json!({ "key": info.id, "name": info.name, "scope": scope.as_str() });
    security_event(&mut tx, &principal.id, "auth.key_created", details).await?;
    tx.commit().await?;
    Ok(NewApiKey { key, info })
}

/// Revokes one of the signed-in person's keys.
pub async fn revoke_api_key(db: &Db, actor: &Actor, id: &Id) -> Result<(), AppError> {
    let principal = actor.account_holder()?;
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(Timestamp::now())
    .bind(id)
    .bind(&principal.id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound("The API key".into()));
    }
    security_event(
        &mut tx,
        &principal.id,
        "auth.key_revoked",
        json!({ "key": id }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The access-token signing key: generated on first start and kept in the database, so every
/// instance signs and checks with the same key and restarts keep tokens valid.
pub async fn signing_key(db: &Db) -> Result<Vec<u8>, AppError> {
    sqlx::query(
        "INSERT INTO secrets (name, value, created_at) VALUES ('access_token_key', $1, $2) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(random_token(""))
    .bind(Timestamp::now())
    .execute(db.pool())
    .await?;
    let key: String =
        sqlx::query_scalar("SELECT value FROM secrets WHERE name = 'access_token_key'")
            .fetch_one(db.pool())
            .await?;
    Ok(key.into_bytes())
}
