//! Accounts: registration, sign-in, emailed tokens, passwords, profiles and account removal.
//! Every rule and query about a person's own account lives here; credentials (sessions, API
//! keys, token pairs) are in `credentials.rs` and the staff tools in `management.rs`.

use super::crypto::{hash_password, verify_password};
use super::device;
use super::limits::{
    FORGOT_PER_ACCOUNT, FORGOT_PER_IP, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ACCOUNT_IP,
    LOGIN_FAILURES_PER_DEVICE, LOGIN_PER_IP, REGISTER_PER_IP, TOKENS_PER_IP,
};
use super::model::{AccountStatus, NotificationPrefs, ProfileChanges, Registration, User};
use super::session::{SessionUser, end_user_sessions};
use super::validate;
use crate::audit::service::{NewEntry, record, user_label};
use crate::db::Db;
use crate::email::{service as email, templates};
use crate::error::AppError;
use crate::platform::Services;
use crate::platform::events::Event;
use crate::platform::identity::{Actor, Admin, Principal, Role, Staff};
use crate::platform::request::Client;
use crate::platform::throttle::Rule;
use crate::platform::tokens::{plausible, random_token, token_hash};
use crate::platform::tx::Tx;
use crate::platform::types::{EmailAddress, Id, Timestamp, email_key};
use crate::platform::validate::Checks;
use crate::settings::{model::SITE_NAME, service as settings};
use serde_json::json;
use sqlx::AnyConnection;

/// How long an emailed verification link works.
pub const VERIFY_HOURS: i64 = 48;
/// How long an emailed reset link works.
pub const RESET_MINUTES: i64 = 60;

const HOUR: i64 = 3_600_000;
const MINUTE: i64 = 60_000;

/// `users` as stored; [`User`] is what people see.
#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Id,
    email: EmailAddress,
    email_verified_at: Option<Timestamp>,
    first_name: String,
    last_name: String,
    phone: Option<String>,
    bio: String,
    timezone: String,
    language: String,
    avatar: Option<String>,
    #[sqlx(try_from = "String")]
    role: Role,
    #[sqlx(try_from = "String")]
    status: AccountStatus,
    referral_code: String,
    notification_prefs: String,
    created_at: Timestamp,
    last_login_at: Option<Timestamp>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            id: row.id,
            email: row.email,
            email_verified: row.email_verified_at.is_some(),
            first_name: row.first_name,
            last_name: row.last_name,
            phone: row.phone,
            bio: row.bio,
            timezone: row.timezone,
            language: row.language,
            avatar_url: row.avatar.map(|file| format!("/media/avatars/{file}")),
            role: row.role,
            status: row.status,
            referral_code: row.referral_code,
            notifications: serde_json::from_str(&row.notification_prefs).unwrap_or_default(),
            created_at: row.created_at,
            last_login_at: row.last_login_at,
        }
    }
}

/// The columns [`UserRow`] reads.
pub(crate) const USER_COLUMNS: &str = "id, email, email_verified_at, first_name, last_name, phone, \
    bio, timezone, language, avatar, role, status, referral_code, notification_prefs, created_at, \
    last_login_at";

/// The account with `id`, whatever its status. No permission check: callers hold the proof.
pub(crate) async fn find_user(db: &Db, id: &Id) -> Result<User, AppError> {
    let row: UserRow = sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::NotFound("The account".into()))?;
    Ok(row.into())
}

/// The signed-in person's own account.
pub async fn me(db: &Db, actor: &Actor) -> Result<User, AppError> {
    find_user(db, &actor.user()?.id).await
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
    let email = checks.check("email", EmailAddress::parse(&input.email));
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
    let taken: Option<Id> = sqlx::query_scalar("SELECT id FROM users WHERE email_key = $1")
        .bind(email.key())
        .fetch_optional(db.pool())
        .await?;
    if taken.is_some() {
        return Err(AppError::Conflict(crate::error::FieldError::new(
            "email",
            "An account with this email already exists.",
        )));
    }
    let hash = hash_password(input.password).await?;
    let id = Id::random();
    let site = settings::get(db, &SITE_NAME).await?;
    let mut tx = Tx::begin(services).await?;
    // A lost race on the email (someone registered it since the check) is a CONFLICT on
    // `email` through `db::CONSTRAINTS`.
    sqlx::query(
        "INSERT INTO users (id, email, email_key, password_hash, first_name, last_name, phone, \
         referral_code, referred_by_code, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(&email)
    .bind(email.key())
    .bind(&hash)
    .bind(&first_name)
    .bind(&last_name)
    .bind(&phone)
    .bind(new_referral_code())
    .bind(&referral)
    .bind(Timestamp::now())
    .execute(&mut *tx)
    .await?;
    queue_verification(&mut tx, services, &site, &id, &email, &first_name).await?;
    tx.publish(Event::new(
        "user.registered",
        serde_json::json!({ "userId": id, "referredBy": referral }),
    ));
    tx.commit().await?;
    let user = find_user(db, &id).await?;
    Ok((user, SessionUser::new(id, Role::User, &hash)))
}

async fn queue_verification(
    tx: &mut Tx,
    services: &Services,
    site: &str,
    user_id: &Id,
    email: &EmailAddress,
    first_name: &str,
) -> Result<(), AppError> {
    let token = random_token("");
    let now = Timestamp::now();
    sqlx::query(
        "INSERT INTO user_tokens (token_hash, user_id, purpose, email, expires_at, created_at) \
         VALUES ($1, $2, 'verify_email', $3, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(email)
    .bind(now.plus_millis(VERIFY_HOURS * HOUR))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let link = format!("{}/verify-email/{token}", services.public_url);
    email::queue(
        tx,
        &templates::verify_email(site, email.as_str(), first_name, &link, VERIFY_HOURS),
    )
}

/// Records a security event of the account `user`, caused by its holder (signed in, or
/// proving it with an emailed link), in the audit log, where its admin page shows it — inside
/// `conn`'s transaction, so the event and the change commit together.
pub(crate) async fn security_event(
    conn: &mut AnyConnection,
    user: &Id,
    action: &str,
    details: serde_json::Value,
) -> Result<(), AppError> {
    let entry = NewEntry {
        actor: user_label(user),
        action,
        target: Some(user_label(user)),
        details,
        ip: None,
    };
    record(conn, entry).await
}

/// The account a stranger's sign-in was aimed at: known already, or to be found by email key.
enum Target {
    Account(Id),
    EmailKey(String),
}

/// Records that a stranger's sign-in to `target` (if that is an account) failed or was
/// throttled — in the background, so the answer's timing does not tell whether the account
/// exists. Such attempts are limited per address, which bounds these writes.
fn record_guest_sign_in(
    services: &Services,
    target: Target,
    action: &'static str,
    client: &Client,
) {
    let db = services.db.clone();
    let ip = client.ip.clone();
    tokio::spawn(async move {
        let recorded: Result<(), AppError> = async {
            let user = match target {
                Target::Account(id) => Some(id),
                Target::EmailKey(key) => {
                    sqlx::query_scalar(
                        "SELECT id FROM users WHERE email_key = $1 AND status <> 'deleted'",
                    )
                    .bind(&key)
                    .fetch_optional(db.pool())
                    .await?
                }
            };
            if let Some(user) = user {
                let entry = NewEntry {
                    actor: "guest".to_owned(),
                    action,
                    target: Some(user_label(&user)),
                    details: json!({}),
                    ip,
                };
                record(&mut *db.pool().acquire().await?, entry).await?;
            }
            Ok(())
        }
        .await;
        if let Err(error) = recorded {
            tracing::warn!(%error, action, "could not record a security event");
        }
    });
}

/// The columns of a sign-in check.
#[derive(sqlx::FromRow)]
struct Credentials {
    id: Id,
    #[sqlx(try_from = "String")]
    role: Role,
    #[sqlx(try_from = "String")]
    status: AccountStatus,
    password_hash: String,
}

/// Checks an email and password; the same work and the same answer whether the email is
/// unknown or the password wrong. Throttled per address, per account and address, and per
/// account — or, for a browser holding this account's device token (`device_token`, from
/// [`device`]), per device, so strangers' failures never lock the owner's own browser out. A
/// success clears the account's counters.
pub async fn log_in(
    services: &Services,
    email: &str,
    password: &str,
    client: &Client,
    device_token: Option<&str>,
) -> Result<(User, SessionUser), AppError> {
    // Lengths first: nothing a stranger typed reaches the throttle or the hasher unbounded.
    let mut checks = Checks::default();
    if email.is_empty() {
        checks.add("email", "Enter your email address.");
    } else if email.chars().count() > EmailAddress::MAX_LEN {
        checks.add(
            "email",
            format!(
                "An email address has at most {} characters.",
                EmailAddress::MAX_LEN
            ),
        );
    }
    checks.check("password", validate::typed_password(password));
    checks.finish()?;
    let throttle = &services.throttle;
    let key = email_key(email);
    let pair = format!("{key}|{}", client.ip_key());
    // Failures from anywhere count against the account, unless this browser is a known device.
    let (wide_rule, wide_key): (&Rule, String) =
        match device_token.and_then(|token| device::recognise(&services.signer, token, &key)) {
            Some(device) => (&LOGIN_FAILURES_PER_DEVICE, device),
            None => (&LOGIN_FAILURES_PER_ACCOUNT, key.clone()),
        };
    throttle.hit(&LOGIN_PER_IP, client.ip_key())?;
    let account_limits = throttle
        .check(&LOGIN_FAILURES_PER_ACCOUNT_IP, &pair)
        .and_then(|()| throttle.check(wide_rule, &wide_key));
    if let Err(refused) = account_limits {
        let target = Target::EmailKey(key);
        record_guest_sign_in(services, target, "auth.sign_in_throttled", client);
        return Err(refused);
    }
    let db = &services.db;
    let account: Option<Credentials> = sqlx::query_as(
        "SELECT id, role, status, password_hash FROM users WHERE email_key = $1 AND status <> 'deleted'",
    )
    .bind(&key)
    .fetch_optional(db.pool())
    .await?;
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    let matches = verify_password(password.to_owned(), hash).await?;
    let account = match (account, matches) {
        (Some(account), true) => account,
        (account, _) => {
            throttle.hit(&LOGIN_FAILURES_PER_ACCOUNT_IP, &pair)?;
            throttle.hit(wide_rule, &wide_key)?;
            if let Some(account) = account {
                let target = Target::Account(account.id);
                record_guest_sign_in(services, target, "auth.sign_in_failed", client);
            }
            return Err(AppError::InvalidCredentials);
        }
    };
    if account.status != AccountStatus::Active {
        return Err(AppError::Suspended);
    }
    throttle.clear(&LOGIN_FAILURES_PER_ACCOUNT_IP, &pair);
    throttle.clear(&LOGIN_FAILURES_PER_ACCOUNT, &key);
    throttle.clear(wide_rule, &wide_key);
    let mut tx = Tx::begin(services).await?;
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
        .bind(Timestamp::now())
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
    security_event(&mut tx, &account.id, "auth.sign_in", json!({})).await?;
    tx.publish(Event::new(
        "user.logged_in",
        serde_json::json!({ "userId": account.id }),
    ));
    tx.commit().await?;
    let user = find_user(db, &account.id).await?;
    Ok((
        user,
        SessionUser::new(account.id, account.role, &account.password_hash),
    ))
}

/// Consumes an unused, unexpired emailed token of `purpose`; returns its user and email.
async fn consume_token(tx: &mut Tx, token: &str, purpose: &str) -> Result<(Id, String), AppError> {
    sqlx::query_as(
        "UPDATE user_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
         RETURNING user_id, email",
    )
    .bind(Timestamp::now())
    .bind(token_hash(token.trim()))
    .bind(purpose)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::InvalidToken)
}

/// Confirms the email address a verification link was sent to.
pub async fn verify_email(
    services: &Services,
    token: &str,
    client: &Client,
) -> Result<(), AppError> {
    services.throttle.hit(&TOKENS_PER_IP, client.ip_key())?;
    if !plausible(token.trim()) {
        return Err(AppError::InvalidToken);
    }
    let mut tx = Tx::begin(services).await?;
    let (user_id, email) = consume_token(&mut tx, token, "verify_email").await?;
    // The link proves the address it was sent to; if the account has moved on to another
    // address since, it proves nothing.
    let updated = sqlx::query(
        "UPDATE users SET email_verified_at = $1, updated_at = $1 \
         WHERE id = $2 AND email = $3 AND status = 'active'",
    )
    .bind(Timestamp::now())
    .bind(&user_id)
    .bind(&email)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(AppError::InvalidToken);
    }
    tx.commit().await
}

/// Sends a new verification link to the signed-in person's address.
pub async fn resend_verification(services: &Services, actor: &Actor) -> Result<(), AppError> {
    actor.writer()?;
    let user = me(&services.db, actor).await?;
    if user.email_verified {
        return Ok(());
    }
    services
        .throttle
        .hit(&FORGOT_PER_ACCOUNT, &format!("verify|{}", user.id))?;
    let site = settings::get(&services.db, &SITE_NAME).await?;
    let mut tx = Tx::begin(services).await?;
    queue_verification(
        &mut tx,
        services,
        &site,
        &user.id,
        &user.email,
        &user.first_name,
    )
    .await?;
    tx.commit().await
}

/// Emails a reset link if an active account has this address. Answers the same either way.
pub async fn forgot_password(
    services: &Services,
    email: &str,
    client: &Client,
) -> Result<(), AppError> {
    let email =
        EmailAddress::parse(email).map_err(|message| AppError::invalid("email", message))?;
    services.throttle.hit(&FORGOT_PER_IP, client.ip_key())?;
    services.throttle.hit(&FORGOT_PER_ACCOUNT, &email.key())?;
    let db = &services.db;
    let account: Option<(Id, EmailAddress, String)> = sqlx::query_as(
        "SELECT id, email, first_name FROM users WHERE email_key = $1 AND status = 'active'",
    )
    .bind(email.key())
    .fetch_optional(db.pool())
    .await?;
    let Some((id, address, first_name)) = account else {
        return Ok(());
    };
    let site = settings::get(db, &SITE_NAME).await?;
    let token = random_token("");
    let now = Timestamp::now();
    let mut tx = Tx::begin(services).await?;
    sqlx::query(
        "INSERT INTO user_tokens (token_hash, user_id, purpose, email, expires_at, created_at) \
         VALUES ($1, $2, 'reset_password', $3, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(&id)
    .bind(&address)
    .bind(now.plus_millis(RESET_MINUTES * MINUTE))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let link = format!("{}/reset-password/{token}", services.public_url);
    email::queue(
        &mut tx,
        &templates::reset_password(&site, address.as_str(), &first_name, &link, RESET_MINUTES),
    )?;
    tx.commit().await
}

/// Makes every emailed link of `user_id` that is still unused (password resets, address
/// confirmations) useless.
async fn retire_emailed_tokens(tx: &mut Tx, user_id: &Id) -> Result<(), AppError> {
    sqlx::query("UPDATE user_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(Timestamp::now())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stores a new password hash (hashed before the transaction began, so the hashing never holds
/// the database's write lock), ends the other sessions, retires every emailed link and queues
/// the notice.
async fn replace_password(
    services: &Services,
    user_id: &Id,
    hash: String,
    keep_session: Option<&str>,
    mut tx: Tx,
    action: &str,
) -> Result<SessionUser, AppError> {
    let (address, first_name, role): (String, String, String) = sqlx::query_as(
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3 \
         RETURNING email, first_name, role",
    )
    .bind(&hash)
    .bind(Timestamp::now())
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    end_user_sessions(&mut tx, user_id, keep_session).await?;
    retire_emailed_tokens(&mut tx, user_id).await?;
    security_event(&mut tx, user_id, action, json!({})).await?;
    let site = settings::get(&services.db, &SITE_NAME).await?;
    email::queue(
        &mut tx,
        &templates::password_changed(&site, &address, &first_name),
    )?;
    tx.commit().await?;
    Ok(SessionUser::new(
        user_id.clone(),
        Role::try_from(role).map_err(|_| AppError::Internal)?,
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
    if !plausible(token.trim()) {
        return Err(AppError::InvalidToken);
    }
    let hash = hash_password(new_password).await?;
    let mut tx = Tx::begin(services).await?;
    let (user_id, _) = consume_token(&mut tx, token, "reset_password").await?;
    replace_password(services, &user_id, hash, None, tx, "auth.password_reset").await?;
    Ok(())
}

/// Checks the signed-in person's current password (throttled like a sign-in).
async fn confirm_password(
    services: &Services,
    principal: &Principal,
    password: &str,
    field: &str,
) -> Result<(), AppError> {
    validate::typed_password(password).map_err(|message| AppError::invalid(field, message))?;
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
    let principal = actor.account_holder()?;
    validate::password(&new_password)
        .map_err(|message| AppError::invalid("newPassword", message))?;
    confirm_password(services, principal, current, "currentPassword").await?;
    let hash = hash_password(new_password).await?;
    let tx = Tx::begin(services).await?;
    let action = "auth.password_changed";
    replace_password(services, &principal.id, hash, current_session, tx, action).await
}

/// Changes the sign-in email after checking the password; the new address must be verified and
/// the old one is told of the change.
pub async fn change_email(
    services: &Services,
    actor: &Actor,
    new_email: &str,
    password: &str,
) -> Result<User, AppError> {
    let principal = actor.account_holder()?;
    let email =
        EmailAddress::parse(new_email).map_err(|message| AppError::invalid("email", message))?;
    confirm_password(services, principal, password, "password").await?;
    let db = &services.db;
    let site = settings::get(db, &SITE_NAME).await?;
    let mut tx = Tx::begin(services).await?;
    let old_address: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(&principal.id)
        .fetch_one(&mut *tx)
        .await?;
    // A taken address is a CONFLICT on `email` through `db::CONSTRAINTS`.
    let first_name: String = sqlx::query_scalar(
        "UPDATE users SET email = $1, email_key = $2, email_verified_at = NULL, updated_at = $3 \
         WHERE id = $4 RETURNING first_name",
    )
    .bind(&email)
    .bind(email.key())
    .bind(Timestamp::now())
    .bind(&principal.id)
    .fetch_one(&mut *tx)
    .await?;
    // Links sent before — to the old address, or for a reset — no longer apply.
    retire_emailed_tokens(&mut tx, &principal.id).await?;
    let change = json!({ "old": old_address, "new": email.as_str() });
    security_event(&mut tx, &principal.id, "auth.email_changed", change).await?;
    queue_verification(&mut tx, services, &site, &principal.id, &email, &first_name).await?;
    email::queue(
        &mut tx,
        &templates::email_changed(&site, &old_address, &first_name, email.as_str()),
    )?;
    tx.commit().await?;
    find_user(db, &principal.id).await
}

/// Updates the signed-in person's profile fields.
pub async fn update_profile(
    db: &Db,
    actor: &Actor,
    changes: ProfileChanges,
) -> Result<User, AppError> {
    let principal = actor.writer()?;
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
        Some(v) => checks.check("bio", validate::bio(v)),
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
    .bind(Timestamp::now())
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
    let principal = actor.account_holder()?;
    confirm_password(services, principal, password, "password").await?;
    let now = Timestamp::now();
    let mut tx = Tx::begin(services).await?;
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
    end_user_sessions(&mut tx, &principal.id, None).await?;
    tx.commit().await
}

/// The id of the account (of any status) with this email, if any (staff).
pub async fn find_id(db: &Db, _staff: Staff<'_>, email: &str) -> Result<Option<Id>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM users WHERE email_key = $1")
            .bind(email_key(email))
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Creates an account with a role (admins: `agora create-admin`, the demo seed). An existing
/// account with the email gets the role and password instead.
pub async fn provision(
    db: &Db,
    _admin: Admin<'_>,
    email: &str,
    password: String,
    first_name: &str,
    last_name: &str,
    role: Role,
) -> Result<Id, AppError> {
    let mut checks = Checks::default();
    let email = checks.check("email", EmailAddress::parse(email));
    checks.check("password", validate::password(&password));
    checks.finish()?;
    let email = email.ok_or(AppError::Internal)?;
    let hash = hash_password(password).await?;
    let id = sqlx::query_scalar(
        "INSERT INTO users (id, email, email_key, password_hash, first_name, last_name, role, \
         email_verified_at, referral_code, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $8) \
         ON CONFLICT (email_key) DO UPDATE SET password_hash = excluded.password_hash, \
         role = excluded.role, status = 'active', updated_at = excluded.updated_at RETURNING id",
    )
    .bind(Id::random())
    .bind(&email)
    .bind(email.key())
    .bind(&hash)
    .bind(first_name)
    .bind(last_name)
    .bind(role.as_str())
    .bind(Timestamp::now())
    .bind(new_referral_code())
    .fetch_one(db.pool())
    .await?;
    Ok(id)
}
