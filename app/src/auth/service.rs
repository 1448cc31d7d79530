//! Accounts: registration, sign-in, emailed tokens, passwords, profiles and account removal.
//! Every rule and query about a person's own account lives here; credentials (sessions, API
//! keys, token pairs) are in `credentials.rs` and staff tools in `admin.rs`.

use super::crypto::{hash_password, new_id, random_token, token_hash, verify_password};
use super::model::{
    AccountStatus, Actor, NotificationPrefs, Principal, ProfileChanges, Registration, Role, User,
};
use super::session::SessionUser;
use super::throttle::{
    FORGOT_PER_ACCOUNT, FORGOT_PER_IP, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ACCOUNT_IP,
    LOGIN_PER_IP, REGISTER_PER_IP, TOKENS_PER_IP,
};
use super::validate::{self, Checks};
use crate::db::{Db, now_millis, violates_unique};
use crate::email::{service as email, templates};
use crate::error::{AppError, FieldError};
use crate::platform::Services;
use crate::platform::events::Event;
use crate::settings::{model::SITE_NAME, service as settings};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// How long an emailed verification link works.
pub const VERIFY_HOURS: i64 = 48;
/// How long an emailed reset link works.
pub const RESET_MINUTES: i64 = 60;

const HOUR: i64 = 3_600_000;
const MINUTE: i64 = 60_000;

/// Where a request came from, for throttling, the session list and the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Client {
    /// The peer's address and the `User-Agent` (cut to 256 characters) of a request.
    pub fn of_request(headers: &http::HeaderMap, peer: Option<std::net::SocketAddr>) -> Self {
        Self {
            ip: peer.map(|addr| addr.ip().to_string()),
            user_agent: headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(256).collect()),
        }
    }

    fn ip_key(&self) -> &str {
        self.ip.as_deref().unwrap_or("unknown")
    }
}

/// The columns [`user_from_row`] reads.
pub(crate) const USER_COLUMNS: &str = "id, email, email_verified_at, first_name, last_name, phone, \
    bio, timezone, language, avatar, role, status, referral_code, notification_prefs, created_at, \
    last_login_at";

pub(crate) fn user_from_row(row: &AnyRow) -> Result<User, AppError> {
    let role: String = row.try_get("role")?;
    let status: String = row.try_get("status")?;
    let prefs: String = row.try_get("notification_prefs")?;
    let avatar: Option<String> = row.try_get("avatar")?;
    let verified: Option<i64> = row.try_get("email_verified_at")?;
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        email_verified: verified.is_some(),
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        phone: row.try_get("phone")?,
        bio: row.try_get("bio")?,
        timezone: row.try_get("timezone")?,
        language: row.try_get("language")?,
        avatar_url: avatar.map(|file| format!("/media/avatars/{file}")),
        role: Role::parse(&role).ok_or(AppError::Internal)?,
        status: AccountStatus::parse(&status).ok_or(AppError::Internal)?,
        referral_code: row.try_get("referral_code")?,
        notifications: serde_json::from_str(&prefs).unwrap_or_default(),
        created_at: row.try_get("created_at")?,
        last_login_at: row.try_get("last_login_at")?,
    })
}

/// The account with `id`, whatever its status.
pub async fn find_user(db: &Db, id: &str) -> Result<User, AppError> {
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::NotFound("The account".into()))?;
    user_from_row(&row)
}

/// The signed-in person's own account.
pub async fn me(db: &Db, actor: &Actor) -> Result<User, AppError> {
    let principal = actor.principal().ok_or(AppError::Unauthorized)?;
    find_user(db, &principal.id).await
}

fn email_taken() -> AppError {
    AppError::Conflict(FieldError::new(
        "email",
        "An account with this email already exists.",
    ))
}

fn new_referral_code() -> String {
    // 10 characters from a 32-letter alphabet without look-alikes: 50 bits.
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    random_token("")
        .bytes()
        .take(10)
        .map(|b| char::from(ALPHABET[usize::from(b) % ALPHABET.len()]))
        .collect()
}

/// Creates an account, queues its verification email, and returns it ready to sign in.
pub async fn register(
    services: &Services,
    input: Registration,
    client: &Client,
) -> Result<(User, SessionUser), AppError> {
    services.throttle.hit(&REGISTER_PER_IP, client.ip_key())?;
    let mut checks = Checks::default();
    let email = checks.check("email", validate::email(&input.email));
    checks.check("password", validate::password(&input.password));
    let first_name = checks.check("firstName", validate::name(&input.first_name));
    let last_name = checks.check("lastName", validate::name(&input.last_name));
    let phone = checks.check(
        "phone",
        validate::phone(input.phone.as_deref().unwrap_or("")),
    );
    let referral = checks.check(
        "referralCode",
        validate::referral_code(input.referral_code.as_deref().unwrap_or("")),
    );
    checks.finish()?;
    let (Some(email), Some(first_name), Some(last_name), Some(phone), Some(referral)) =
        (email, first_name, last_name, phone, referral)
    else {
        return Err(AppError::Internal);
    };
    let db = &services.db;
    let key = validate::email_key(&email);
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE email_key = $1")
        .bind(&key)
        .fetch_optional(db.pool())
        .await?;
    if taken.is_some() {
        return Err(email_taken());
    }
    let hash = hash_password(input.password).await?;
    let id = new_id();
    let now = now_millis();
    let site = settings::get(db, &SITE_NAME).await?;
    let mut tx = db.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO users (id, email, email_key, password_hash, first_name, last_name, phone, \
         referral_code, referred_by_code, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(&email)
    .bind(&key)
    .bind(&hash)
    .bind(&first_name)
    .bind(&last_name)
    .bind(&phone)
    .bind(new_referral_code())
    .bind(&referral)
    .bind(now)
    .execute(&mut *tx)
    .await;
    if let Err(error) = inserted {
        // Someone registered the same email between our check and this insert.
        if violates_unique(&error, "users_email_key", "users.email_key") {
            return Err(email_taken());
        }
        return Err(error.into());
    }
    queue_verification(&mut tx, services, &site, &id, &email, &first_name).await?;
    tx.commit().await?;
    services.jobs_ready.notify_one();
    services.events.publish(Event::UserRegistered {
        user_id: id.clone(),
        referred_by: referral,
    });
    let user = find_user(db, &id).await?;
    Ok((user, SessionUser::new(id, Role::User, &hash)))
}

async fn queue_verification(
    conn: &mut AnyConnection,
    services: &Services,
    site: &str,
    user_id: &str,
    email: &str,
    first_name: &str,
) -> Result<(), AppError> {
    let token = random_token("");
    let now = now_millis();
    sqlx::query(
        "INSERT INTO user_tokens (token_hash, user_id, purpose, email, expires_at, created_at) \
         VALUES ($1, $2, 'verify_email', $3, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(email)
    .bind(now + VERIFY_HOURS * HOUR)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let link = format!("{}/verify-email/{token}", services.public_url);
    email::queue(
        conn,
        &templates::verify_email(site, email, first_name, &link, VERIFY_HOURS),
    )
    .await
}

/// Checks an email and password; the same work and the same answer whether the email is
/// unknown or the password wrong. Throttled per address and per account.
pub async fn log_in(
    services: &Services,
    email: &str,
    password: &str,
    client: &Client,
) -> Result<(User, SessionUser), AppError> {
    let throttle = &services.throttle;
    let key = validate::email_key(email);
    let pair = format!("{key}|{}", client.ip_key());
    throttle.hit(&LOGIN_PER_IP, client.ip_key())?;
    throttle.check(&LOGIN_FAILURES_PER_ACCOUNT_IP, &pair)?;
    throttle.check(&LOGIN_FAILURES_PER_ACCOUNT, &key)?;
    if email.trim().is_empty() || password.is_empty() {
        let mut checks = Checks::default();
        if email.trim().is_empty() {
            checks.add("email", "Enter your email address.");
        }
        if password.is_empty() {
            checks.add("password", "Enter your password.");
        }
        checks.finish()?;
    }
    let db = &services.db;
    let row = sqlx::query(
        "SELECT id, role, status, password_hash FROM users WHERE email_key = $1 AND status <> 'deleted'",
    )
    .bind(&key)
    .fetch_optional(db.pool())
    .await?;
    let hash: Option<String> = row
        .as_ref()
        .map(|r| r.try_get("password_hash"))
        .transpose()?;
    let matches = verify_password(password.to_owned(), hash.clone()).await?;
    let (Some(row), Some(hash), true) = (row, hash, matches) else {
        throttle.hit(&LOGIN_FAILURES_PER_ACCOUNT_IP, &pair)?;
        throttle.hit(&LOGIN_FAILURES_PER_ACCOUNT, &key)?;
        return Err(AppError::InvalidCredentials);
    };
    let status: String = row.try_get("status")?;
    if status != AccountStatus::Active.as_str() {
        return Err(AppError::Suspended);
    }
    throttle.clear(&LOGIN_FAILURES_PER_ACCOUNT_IP, &pair);
    let id: String = row.try_get("id")?;
    let role: String = row.try_get("role")?;
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
        .bind(now_millis())
        .bind(&id)
        .execute(db.pool())
        .await?;
    services.events.publish(Event::UserLoggedIn {
        user_id: id.clone(),
    });
    let user = find_user(db, &id).await?;
    let role = Role::parse(&role).ok_or(AppError::Internal)?;
    Ok((user, SessionUser::new(id, role, &hash)))
}

/// Consumes an unused, unexpired emailed token of `purpose`; returns its user and email.
async fn consume_token(
    conn: &mut AnyConnection,
    token: &str,
    purpose: &str,
) -> Result<(String, String), AppError> {
    let now = now_millis();
    let row = sqlx::query(
        "UPDATE user_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
         RETURNING user_id, email",
    )
    .bind(now)
    .bind(token_hash(token.trim()))
    .bind(purpose)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::InvalidToken)?;
    Ok((row.try_get("user_id")?, row.try_get("email")?))
}

/// Confirms the email address a verification link was sent to.
pub async fn verify_email(
    services: &Services,
    token: &str,
    client: &Client,
) -> Result<(), AppError> {
    services.throttle.hit(&TOKENS_PER_IP, client.ip_key())?;
    let mut tx = services.db.begin().await?;
    let (user_id, email) = consume_token(&mut tx, token, "verify_email").await?;
    // The link proves the address it was sent to; if the account has moved on to another
    // address since, it proves nothing.
    let updated = sqlx::query(
        "UPDATE users SET email_verified_at = $1, updated_at = $1 \
         WHERE id = $2 AND email = $3 AND status = 'active'",
    )
    .bind(now_millis())
    .bind(&user_id)
    .bind(&email)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(AppError::InvalidToken);
    }
    tx.commit().await?;
    Ok(())
}

/// Sends a new verification link to the signed-in person's address.
pub async fn resend_verification(services: &Services, actor: &Actor) -> Result<(), AppError> {
    let user = me(&services.db, actor).await?;
    if user.email_verified {
        return Ok(());
    }
    services
        .throttle
        .hit(&FORGOT_PER_ACCOUNT, &format!("verify|{}", user.id))?;
    let site = settings::get(&services.db, &SITE_NAME).await?;
    let mut tx = services.db.begin().await?;
    queue_verification(
        &mut tx,
        services,
        &site,
        &user.id,
        &user.email,
        &user.first_name,
    )
    .await?;
    tx.commit().await?;
    services.jobs_ready.notify_one();
    Ok(())
}

/// Emails a reset link if an active account has this address. Answers the same either way.
pub async fn forgot_password(
    services: &Services,
    email: &str,
    client: &Client,
) -> Result<(), AppError> {
    let email = validate::email(email).map_err(|message| AppError::invalid("email", message))?;
    let key = validate::email_key(&email);
    services.throttle.hit(&FORGOT_PER_IP, client.ip_key())?;
    services.throttle.hit(&FORGOT_PER_ACCOUNT, &key)?;
    let db = &services.db;
    let row = sqlx::query(
        "SELECT id, email, first_name FROM users WHERE email_key = $1 AND status = 'active'",
    )
    .bind(&key)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(()) };
    let (id, address, first_name): (String, String, String) = (
        row.try_get("id")?,
        row.try_get("email")?,
        row.try_get("first_name")?,
    );
    let site = settings::get(db, &SITE_NAME).await?;
    let token = random_token("");
    let now = now_millis();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO user_tokens (token_hash, user_id, purpose, email, expires_at, created_at) \
         VALUES ($1, $2, 'reset_password', $3, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(&id)
    .bind(&address)
    .bind(now + RESET_MINUTES * MINUTE)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let link = format!("{}/reset-password/{token}", services.public_url);
    email::queue(
        &mut tx,
        &templates::reset_password(&site, &address, &first_name, &link, RESET_MINUTES),
    )
    .await?;
    tx.commit().await?;
    services.jobs_ready.notify_one();
    Ok(())
}

/// Ends every browser session and API sign-in of `user_id` except the browser session
/// `keep` (a session id).
pub(crate) async fn end_sessions(
    conn: &mut AnyConnection,
    user_id: &str,
    keep: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR id <> $2)")
        .bind(user_id)
        .bind(keep)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE token_families SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_millis())
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stores a new password hash, ends the other sessions and queues the notice.
async fn replace_password(
    services: &Services,
    user_id: &str,
    new_password: String,
    keep_session: Option<&str>,
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
) -> Result<SessionUser, AppError> {
    let hash = hash_password(new_password).await?;
    let row = sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3 \
         RETURNING email, first_name, role",
    )
    .bind(&hash)
    .bind(now_millis())
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    let (address, first_name, role): (String, String, String) = (
        row.try_get("email")?,
        row.try_get("first_name")?,
        row.try_get("role")?,
    );
    end_sessions(&mut tx, user_id, keep_session).await?;
    let site = settings::get(&services.db, &SITE_NAME).await?;
    email::queue(
        &mut tx,
        &templates::password_changed(&site, &address, &first_name),
    )
    .await?;
    tx.commit().await?;
    services.jobs_ready.notify_one();
    Ok(SessionUser::new(
        user_id.to_owned(),
        Role::parse(&role).ok_or(AppError::Internal)?,
        &hash,
    ))
}

/// Sets a new password from an emailed reset link; every session of the account ends.
pub async fn reset_password(
    services: &Services,
    token: &str,
    new_password: String,
    client: &Client,
) -> Result<(), AppError> {
    services.throttle.hit(&TOKENS_PER_IP, client.ip_key())?;
    validate::password(&new_password).map_err(|message| AppError::invalid("password", message))?;
    let mut tx = services.db.begin().await?;
    let (user_id, _) = consume_token(&mut tx, token, "reset_password").await?;
    replace_password(services, &user_id, new_password, None, tx).await?;
    Ok(())
}

/// Checks the signed-in person's current password (throttled like a sign-in).
async fn confirm_password(
    services: &Services,
    principal: &Principal,
    password: &str,
    field: &str,
) -> Result<(), AppError> {
    let key = format!("confirm|{}", principal.id);
    services
        .throttle
        .check(&LOGIN_FAILURES_PER_ACCOUNT_IP, &key)?;
    let hash: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND status = 'active'")
            .bind(&principal.id)
            .fetch_optional(services.db.pool())
            .await?;
    if verify_password(password.to_owned(), hash).await? {
        Ok(())
    } else {
        services
            .throttle
            .hit(&LOGIN_FAILURES_PER_ACCOUNT_IP, &key)?;
        Err(AppError::invalid(
            field,
            "This is not your current password.",
        ))
    }
}

/// Changes the signed-in person's password; their other sessions end. Returns the session
/// user to sign the current session in again with.
pub async fn change_password(
    services: &Services,
    actor: &Actor,
    current: &str,
    new_password: String,
    current_session: Option<&str>,
) -> Result<SessionUser, AppError> {
    let principal = actor.principal().ok_or(AppError::Unauthorized)?;
    validate::password(&new_password)
        .map_err(|message| AppError::invalid("newPassword", message))?;
    confirm_password(services, principal, current, "currentPassword").await?;
    let tx = services.db.begin().await?;
    replace_password(services, &principal.id, new_password, current_session, tx).await
}

/// Changes the sign-in email after checking the password; the new address must be verified and
/// the old one is told of the change.
pub async fn change_email(
    services: &Services,
    actor: &Actor,
    new_email: &str,
    password: &str,
) -> Result<User, AppError> {
    let principal = actor.principal().ok_or(AppError::Unauthorized)?;
    let email =
        validate::email(new_email).map_err(|message| AppError::invalid("email", message))?;
    confirm_password(services, principal, password, "password").await?;
    let db = &services.db;
    let site = settings::get(db, &SITE_NAME).await?;
    let mut tx = db.begin().await?;
    let old_address: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(&principal.id)
        .fetch_one(&mut *tx)
        .await?;
    let row = sqlx::query(
        "UPDATE users SET email = $1, email_key = $2, email_verified_at = NULL, updated_at = $3 \
         WHERE id = $4 RETURNING first_name",
    )
    .bind(&email)
    .bind(validate::email_key(&email))
    .bind(now_millis())
    .bind(&principal.id)
    .fetch_one(&mut *tx)
    .await;
    let row = match row {
        Err(error) if violates_unique(&error, "users_email_key", "users.email_key") => {
            return Err(email_taken());
        }
        other => other?,
    };
    let first_name: String = row.try_get("first_name")?;
    queue_verification(&mut tx, services, &site, &principal.id, &email, &first_name).await?;
    email::queue(
        &mut tx,
        &templates::email_changed(&site, &old_address, &first_name, &email),
    )
    .await?;
    tx.commit().await?;
    services.jobs_ready.notify_one();
    find_user(db, &principal.id).await
}

/// Updates the signed-in person's profile fields.
pub async fn update_profile(
    db: &Db,
    actor: &Actor,
    changes: ProfileChanges,
) -> Result<User, AppError> {
    let principal = actor.principal().ok_or(AppError::Unauthorized)?;
    let current = find_user(db, &principal.id).await?;
    let mut checks = Checks::default();
    let first_name = match &changes.first_name {
        Some(v) => checks.check("firstName", validate::name(v)),
        None => Some(current.first_name),
    };
    let last_name = match &changes.last_name {
        Some(v) => checks.check("lastName", validate::name(v)),
        None => Some(current.last_name),
    };
    let phone = match &changes.phone {
        Some(v) => checks.check("phone", validate::phone(v)),
        None => Some(current.phone),
    };
    let bio = match &changes.bio {
        Some(v) => checks.check("bio", validate::text(v, validate::BIO_MAX)),
        None => Some(current.bio),
    };
    let timezone = match &changes.timezone {
        Some(v) => checks.check("timezone", validate::timezone(v)),
        None => Some(current.timezone),
    };
    let language = match &changes.language {
        Some(v) => checks.check("language", validate::language(v)),
        None => Some(current.language),
    };
    checks.finish()?;
    let prefs: NotificationPrefs = changes.notifications.unwrap_or(current.notifications);
    sqlx::query(
        "UPDATE users SET first_name = $1, last_name = $2, phone = $3, bio = $4, timezone = $5, \
         language = $6, notification_prefs = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(first_name)
    .bind(last_name)
    .bind(phone.flatten())
    .bind(bio)
    .bind(timezone)
    .bind(language)
    .bind(serde_json::to_string(&prefs).map_err(|_| AppError::Internal)?)
    .bind(now_millis())
    .bind(&principal.id)
    .execute(db.pool())
    .await?;
    find_user(db, &principal.id).await
}

/// Soft-deletes the signed-in person's account after checking the password: the email is
/// freed, every session, API sign-in and API key ends.
pub async fn delete_account(
    services: &Services,
    actor: &Actor,
    password: &str,
) -> Result<(), AppError> {
    let principal = actor.principal().ok_or(AppError::Unauthorized)?;
    confirm_password(services, principal, password, "password").await?;
    let now = now_millis();
    let mut tx = services.db.begin().await?;
    sqlx::query(
        "UPDATE users SET status = 'deleted', deleted_at = $1, updated_at = $1, \
         email_key = 'deleted:' || id WHERE id = $2",
    )
    .bind(now)
    .bind(&principal.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(&principal.id)
        .execute(&mut *tx)
        .await?;
    end_sessions(&mut tx, &principal.id, None).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether an account (of any status) has this email.
pub async fn exists(db: &Db, email: &str) -> Result<bool, AppError> {
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE email_key = $1")
        .bind(validate::email_key(email))
        .fetch_optional(db.pool())
        .await?;
    Ok(found.is_some())
}

/// Creates an account with a role from the command line (`agora create-admin`, demo seed).
/// An existing account with the email gets the role and password instead.
pub async fn provision(
    db: &Db,
    email: &str,
    password: String,
    first_name: &str,
    last_name: &str,
    role: Role,
) -> Result<String, AppError> {
    let mut checks = Checks::default();
    let email = checks.check("email", validate::email(email));
    checks.check("password", validate::password(&password));
    checks.finish()?;
    let email = email.ok_or(AppError::Internal)?;
    let hash = hash_password(password).await?;
    let now = now_millis();
    let key = validate::email_key(&email);
    let id: String = sqlx::query_scalar(
        "INSERT INTO users (id, email, email_key, password_hash, first_name, last_name, role, \
         email_verified_at, referral_code, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $8) \
         ON CONFLICT (email_key) DO UPDATE SET password_hash = excluded.password_hash, \
         role = excluded.role, status = 'active', updated_at = excluded.updated_at RETURNING id",
    )
    .bind(new_id())
    .bind(&email)
    .bind(&key)
    .bind(&hash)
    .bind(first_name)
    .bind(last_name)
    .bind(role.as_str())
    .bind(now)
    .bind(new_referral_code())
    .fetch_one(db.pool())
    .await?;
    Ok(id)
}
