//! Credentials other than the password: browser sessions (listing and ending them), API
//! token pairs (short-lived signed access token + rotating refresh token) and personal API
//! keys.

use super::crypto::{Claims, new_id, random_token, token_hash};
use super::model::{Actor, ApiKeyInfo, KeyScope, NewApiKey, Principal, Role, SessionInfo, User};
use super::service::{Client, find_user};
use super::session::session_handle;
use super::throttle::TOKENS_PER_IP;
use super::validate;
use crate::db::{Db, now_millis};
use crate::error::AppError;
use crate::platform::Services;
use serde::{Deserialize, Serialize};
use sqlx::Row;

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

/// How a bearer credential authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerAuth {
    pub principal: Principal,
    /// `None` for an access token (full access), the key's scope for an API key.
    pub key_scope: Option<KeyScope>,
}

fn owner<'a>(actor: &'a Actor, user_id: &str) -> Result<&'a Principal, AppError> {
    let principal = actor.principal().ok_or(AppError::Unauthorized)?;
    if principal.id == user_id || actor.staff().is_some() {
        Ok(principal)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The browser sessions of `user_id` (the person themself, or staff), newest activity first.
/// `current` is the requesting session's id, to mark it.
pub async fn sessions(
    db: &Db,
    actor: &Actor,
    user_id: &str,
    current: Option<&str>,
) -> Result<Vec<SessionInfo>, AppError> {
    owner(actor, user_id)?;
    let rows = sqlx::query(
        "SELECT id, ip, user_agent, created_at, last_seen_at FROM sessions \
         WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC",
    )
    .bind(user_id)
    .bind(now_millis())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("id")?;
            Ok(SessionInfo {
                current: current == Some(id.as_str()),
                id: session_handle(&id),
                ip: row.try_get("ip")?,
                user_agent: row.try_get("user_agent")?,
                created_at: row.try_get("created_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// Ends the session with public handle `handle` of the signed-in person.
pub async fn end_session(db: &Db, actor: &Actor, handle: &str) -> Result<(), AppError> {
    let principal = actor.principal().ok_or(AppError::Unauthorized)?;
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions WHERE user_id = $1")
        .bind(&principal.id)
        .fetch_all(db.pool())
        .await?;
    let id = ids
        .into_iter()
        .find(|id| session_handle(id) == handle)
        .ok_or_else(|| AppError::NotFound("The session".into()))?;
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends every browser session of the signed-in person except `current`.
pub async fn end_other_sessions(
    db: &Db,
    actor: &Actor,
    current: Option<&str>,
) -> Result<u64, AppError> {
    let principal = actor.principal().ok_or(AppError::Unauthorized)?;
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR id <> $2)")
        .bind(&principal.id)
        .bind(current)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}

async fn insert_refresh_token(
    conn: &mut sqlx::AnyConnection,
    family: &str,
) -> Result<String, AppError> {
    let token = random_token("");
    let now = now_millis();
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family_id, expires_at, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash(&token))
    .bind(family)
    .bind(now + REFRESH_TOKEN_DAYS * 86_400_000)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(token)
}

fn access_token(services: &Services, user_id: &str, family: &str) -> String {
    let now = now_millis() / 1000;
    services.signer.sign(&Claims {
        sub: user_id.to_owned(),
        fam: family.to_owned(),
        iat: now,
        exp: now + ACCESS_TOKEN_SECS,
    })
}

/// Starts an API sign-in (a new token family) for a user who just proved their password.
pub async fn issue_tokens(
    services: &Services,
    user: User,
    client: &Client,
) -> Result<TokenPair, AppError> {
    let family = new_id();
    let mut tx = services.db.begin().await?;
    sqlx::query(
        "INSERT INTO token_families (id, user_id, ip, user_agent, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&family)
    .bind(&user.id)
    .bind(&client.ip)
    .bind(&client.user_agent)
    .bind(now_millis())
    .execute(&mut *tx)
    .await?;
    let refresh_token = insert_refresh_token(&mut tx, &family).await?;
    tx.commit().await?;
    Ok(TokenPair {
        access_token: access_token(services, &user.id, &family),
        refresh_token,
        expires_in: ACCESS_TOKEN_SECS,
        user,
    })
}

/// Trades a refresh token for a new pair. A token is good once: presenting a used one means it
/// was stolen (or replayed), so the whole family is revoked and both holders must sign in again.
pub async fn refresh(
    services: &Services,
    refresh_token: &str,
    client: &Client,
) -> Result<TokenPair, AppError> {
    services
        .throttle
        .hit(&TOKENS_PER_IP, client.ip.as_deref().unwrap_or("unknown"))?;
    let now = now_millis();
    let db = &services.db;
    let mut tx = db.begin().await?;
    // Claim the token first (a write), so two concurrent refreshes cannot both succeed.
    let claimed = sqlx::query(
        "UPDATE refresh_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING family_id",
    )
    .bind(now)
    .bind(token_hash(refresh_token.trim()))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(claimed) = claimed else {
        tx.rollback().await?;
        let reused: Option<String> = sqlx::query_scalar(
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
    let family: String = claimed.try_get("family_id")?;
    let owner = sqlx::query(
        "SELECT f.user_id FROM token_families f JOIN users u ON u.id = f.user_id \
         WHERE f.id = $1 AND f.revoked_at IS NULL AND u.status = 'active'",
    )
    .bind(&family)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(owner) = owner else {
        tx.rollback().await?;
        return Err(AppError::InvalidToken);
    };
    let user_id: String = owner.try_get("user_id")?;
    let refresh_token = insert_refresh_token(&mut tx, &family).await?;
    tx.commit().await?;
    Ok(TokenPair {
        access_token: access_token(services, &user_id, &family),
        refresh_token,
        expires_in: ACCESS_TOKEN_SECS,
        user: find_user(db, &user_id).await?,
    })
}

async fn revoke_family(db: &Db, family: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE token_families SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now_millis())
        .bind(family)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends the API sign-in an access token belongs to.
pub async fn log_out_tokens(services: &Services, access_token: &str) -> Result<(), AppError> {
    let claims = services.signer.verify(access_token, now_millis() / 1000)?;
    revoke_family(&services.db, &claims.fam).await
}

/// Who a bearer credential (access token or API key) belongs to, if it is still good.
pub async fn authenticate_bearer(
    services: &Services,
    credential: &str,
) -> Result<BearerAuth, AppError> {
    let db = &services.db;
    let now = now_millis();
    if credential.starts_with(API_KEY_PREFIX) {
        let row = sqlx::query(
            "UPDATE api_keys SET last_used_at = $1 \
             WHERE key_hash = $2 AND revoked_at IS NULL \
             AND user_id IN (SELECT id FROM users WHERE status = 'active') \
             RETURNING user_id, scope",
        )
        .bind(now)
        .bind(token_hash(credential))
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::InvalidToken)?;
        let user_id: String = row.try_get("user_id")?;
        let scope: String = row.try_get("scope")?;
        return Ok(BearerAuth {
            principal: principal_of(db, &user_id).await?,
            key_scope: Some(KeyScope::parse(&scope).ok_or(AppError::Internal)?),
        });
    }
    let claims = services.signer.verify(credential, now / 1000)?;
    let live: Option<String> = sqlx::query_scalar(
        "SELECT f.id FROM token_families f JOIN users u ON u.id = f.user_id \
         WHERE f.id = $1 AND f.user_id = $2 AND f.revoked_at IS NULL AND u.status = 'active'",
    )
    .bind(&claims.fam)
    .bind(&claims.sub)
    .fetch_optional(db.pool())
    .await?;
    if live.is_none() {
        return Err(AppError::InvalidToken);
    }
    Ok(BearerAuth {
        principal: principal_of(db, &claims.sub).await?,
        key_scope: None,
    })
}

async fn principal_of(db: &Db, user_id: &str) -> Result<Principal, AppError> {
    let role: String =
        sqlx::query_scalar("SELECT role FROM users WHERE id = $1 AND status = 'active'")
            .bind(user_id)
            .fetch_optional(db.pool())
            .await?
            .ok_or(AppError::InvalidToken)?;
    Ok(Principal {
        id: user_id.to_owned(),
        role: Role::parse(&role).ok_or(AppError::Internal)?,
    })
}

fn key_from_row(row: &sqlx::any::AnyRow) -> Result<ApiKeyInfo, AppError> {
    let scope: String = row.try_get("scope")?;
    Ok(ApiKeyInfo {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        prefix: row.try_get("prefix")?,
        scope: KeyScope::parse(&scope).ok_or(AppError::Internal)?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

/// The signed-in person's live API keys, newest first.
pub async fn api_keys(db: &Db, actor: &Actor) -> Result<Vec<ApiKeyInfo>, AppError> {
    let principal = actor.principal().ok_or(AppError::Unauthorized)?;
    let rows = sqlx::query(
        "SELECT id, name, prefix, scope, created_at, last_used_at FROM api_keys \
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id",
    )
    .bind(&principal.id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(key_from_row).collect()
}

/// Creates an API key; the returned secret is never shown again.
pub async fn create_api_key(
    db: &Db,
    actor: &Actor,
    name: &str,
    scope: KeyScope,
) -> Result<NewApiKey, AppError> {
    let principal = actor.principal().ok_or(AppError::Unauthorized)?;
    let name = validate::text(name, 60).map_err(|message| AppError::invalid("name", message))?;
    if name.is_empty() {
        return Err(AppError::invalid(
            "name",
            "Name the key, e.g. after the program that uses it.",
        ));
    }
    let live: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(&principal.id)
    .fetch_one(db.pool())
    .await?;
    if live >= MAX_KEYS {
        return Err(AppError::invalid(
            "name",
            format!("You can have at most {MAX_KEYS} keys; revoke one first."),
        ));
    }
    let key = random_token(API_KEY_PREFIX);
    let info = ApiKeyInfo {
        id: new_id(),
        name,
        prefix: key.chars().take(API_KEY_PREFIX.len() + 6).collect(),
        scope,
        created_at: now_millis(),
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
    .execute(db.pool())
    .await?;
    Ok(NewApiKey { key, info })
}

/// Revokes one of the signed-in person's keys.
pub async fn revoke_api_key(db: &Db, actor: &Actor, id: &str) -> Result<(), AppError> {
    let principal = actor.principal().ok_or(AppError::Unauthorized)?;
    let done = sqlx::query(
        "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_millis())
    .bind(id)
    .bind(&principal.id)
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound("The API key".into()));
    }
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
    .bind(now_millis())
    .execute(db.pool())
    .await?;
    let key: String =
        sqlx::query_scalar("SELECT value FROM secrets WHERE name = 'access_token_key'")
            .fetch_one(db.pool())
            .await?;
    Ok(key.into_bytes())
}
