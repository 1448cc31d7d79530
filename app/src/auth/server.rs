//! Server functions of the account pages: identify the caller from the session, call the
//! services, sign the session in or out. No SQL and no rules here.

use super::model::{ApiKeyInfo, NewApiKey, SessionInfo, User};
#[cfg(feature = "ssr")]
use super::model::{KeyScope, NotificationPrefs, ProfileChanges};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::platform::types::Id;
use leptos::prelude::*;

/// The longest `next` followed after sign-in.
const NEXT_MAX: usize = 2048;

/// Whether `next` is a path on this site, and so safe to send someone to after sign-in: a
/// single leading `/`, no whitespace, control characters or backslashes (browsers drop or
/// rewrite them, turning `/\t/evil.example` into `//evil.example`), and no percent-encoded
/// slash, backslash or control character either.
pub fn is_local_path(next: &str) -> bool {
    let bytes = next.as_bytes();
    if next.len() > NEXT_MAX || bytes.first() != Some(&b'/') {
        return false;
    }
    if next
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        || bytes.get(1) == Some(&b'/')
    {
        return false;
    }
    // Every `%XX` must decode to a harmless printable character.
    bytes.iter().enumerate().all(|(i, &b)| {
        if b != b'%' {
            return true;
        }
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(decoded) => !(decoded < 0x20 || decoded == 0x7f || b"/\\".contains(&decoded)),
            None => false,
        }
    })
}

#[cfg(feature = "ssr")]
mod session {
    //! Signing a browser session in and out: the part of a request only auth deals with.
    use crate::auth::device::{self, DEVICE_COOKIE, DEVICE_COOKIE_TLS, DEVICE_DAYS};
    use crate::auth::session::{AuthSession, CLIENT_KEY, ClientInfo, SessionUser};
    use crate::error::AppError;
    use crate::platform::Services;
    use crate::platform::request::{self, Client};
    use crate::platform::types::Timestamp;
    use crate::settings::model::{
        SESSION_ABSOLUTE_MINUTES, SESSION_IDLE_MINUTES, SESSION_REMEMBER_MINUTES,
    };
    use crate::settings::service as settings;

    pub async fn auth_session() -> Result<AuthSession, AppError> {
        leptos_axum::extract::<AuthSession>()
            .await
            .map_err(|_| AppError::Internal)
    }

    fn internal(error: &dyn std::fmt::Display) -> AppError {
        tracing::error!(%error, "session update failed");
        AppError::Internal
    }

    /// Signs `user` into the browser session under a new session id, with the idle and
    /// absolute limits from the settings ("remember me" lengthens both).
    pub async fn start(
        services: &Services,
        user: &SessionUser,
        client: Client,
        remember: bool,
    ) -> Result<(), AppError> {
        let settings = settings::snapshot(&services.db).await?;
        let (idle, absolute) = if remember {
            let minutes = settings.get(&SESSION_REMEMBER_MINUTES);
            (minutes, minutes)
        } else {
            (
                settings.get(&SESSION_IDLE_MINUTES),
                settings.get(&SESSION_ABSOLUTE_MINUTES),
            )
        };
        let mut session = auth_session().await?;
        // A new id at every sign-in, even over an existing signed-in session.
        session.session.cycle_id().await.map_err(|e| internal(&e))?;
        session.login(user).await.map_err(|e| internal(&e))?;
        let info = ClientInfo {
            ip: client.ip,
            user_agent: client.user_agent,
            absolute_expires_at: Timestamp::now()
                .plus_millis(i64::from(absolute) * 60_000)
                .as_millis(),
            idle_secs: i64::from(idle) * 60,
            refreshed_at: Timestamp::now().as_millis(),
        };
        session
            .session
            .insert(CLIENT_KEY, info)
            .await
            .map_err(|e| internal(&e))?;
        // The session middleware saves it with this idle limit (`ClientInfo::idle_secs`).
        Ok(())
    }

    /// Signs the browser session in again as `user` (after a password change).
    pub async fn renew(user: &SessionUser) -> Result<(), AppError> {
        let mut session = auth_session().await?;
        session.login(user).await.map_err(|e| internal(&e))
    }

    pub async fn end() -> Result<(), AppError> {
        let mut session = auth_session().await?;
        session.logout().await.map(drop).map_err(|e| internal(&e))
    }

    /// The device token this browser sent (see `auth::device`).
    pub fn device_token() -> Option<String> {
        let parts = leptos::prelude::use_context::<http::request::Parts>()?;
        [DEVICE_COOKIE_TLS, DEVICE_COOKIE]
            .into_iter()
            .find_map(|name| request::cookie(&parts.headers, name))
            .map(str::to_owned)
    }

    /// Remembers this browser as a device of the account with `email_key`.
    pub fn remember_device(services: &Services, email_key: &str) {
        let token = device::token(&services.signer, email_key);
        let (name, secure) = if services.public_url.starts_with("https://") {
            (DEVICE_COOKIE_TLS, "; Secure")
        } else {
            (DEVICE_COOKIE, "")
        };
        let cookie = format!(
            "{name}={token}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            DEVICE_DAYS * 24 * 3600
        );
        if let (Some(response), Ok(value)) = (
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(&cookie),
        ) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }
}

#[cfg(feature = "ssr")]
use crate::platform::context;

#[cfg(feature = "ssr")]
fn redirect(path: &str) {
    leptos_axum::redirect(path);
}

/// The signed-in person, or `None` for a guest.
#[server(prefix = "/rpc", endpoint = "auth/current")]
pub async fn current_user() -> Result<Option<User>, AppError> {
    let caller = context::caller()?;
    if !caller.is_signed_in() {
        return Ok(None);
    }
    super::service::me(&context::services()?.db, caller.actor()?)
        .await
        .map(Some)
}

#[server(prefix = "/rpc", endpoint = "auth/register")]
pub async fn register(
    email: String,
    password: String,
    first_name: String,
    last_name: String,
    phone: Option<String>,
    referral_code: Option<String>,
) -> Result<(), AppError> {
    let services = context::services()?;
    let client = context::client();
    let input = super::model::Registration {
        email,
        password,
        first_name,
        last_name,
        phone,
        referral_code,
    }
    .trimmed();
    let (account, user) = super::service::register(&services, input, &client).await?;
    session::start(&services, &user, client, false).await?;
    crate::cart::server::merge_guest_cart(&services, &account.id).await?;
    redirect("/account?welcome=1");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "auth/login")]
pub async fn log_in(
    email: String,
    password: String,
    remember: Option<String>,
    next: Option<String>,
) -> Result<(), AppError> {
    let services = context::services()?;
    let client = context::client();
    let device = session::device_token();
    let (account, user) =
        super::service::log_in(&services, &email, &password, &client, device.as_deref()).await?;
    session::start(&services, &user, client, remember.is_some()).await?;
    crate::cart::server::merge_guest_cart(&services, &account.id).await?;
    session::remember_device(&services, &crate::platform::types::email_key(&email));
    let next = next
        .filter(|n| is_local_path(n))
        .unwrap_or_else(|| "/account".into());
    redirect(&next);
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "auth/logout")]
pub async fn log_out() -> Result<(), AppError> {
    session::end().await?;
    redirect("/");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "auth/verify-email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    let services = context::services()?;
    super::service::verify_email(&services, &token, &context::client()).await
}

#[server(prefix = "/rpc", endpoint = "auth/resend-verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    let actor = context::actor()?;
    super::service::resend_verification(&context::services()?, &actor).await?;
    redirect("/account?sent=1");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "auth/forgot-password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    let services = context::services()?;
    super::service::forgot_password(&services, email.trim(), &context::client()).await?;
    redirect("/forgot-password?sent=1");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "auth/reset-password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    let services = context::services()?;
    super::service::reset_password(&services, &token, password, &context::client()).await?;
    redirect("/login?reset=1");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "account/profile")]
pub async fn update_profile(
    first_name: String,
    last_name: String,
    phone: String,
    bio: String,
    timezone: String,
    language: String,
) -> Result<User, AppError> {
    let actor = context::actor()?;
    let changes = ProfileChanges {
        first_name: Some(first_name),
        last_name: Some(last_name),
        phone: Some(phone),
        bio: Some(bio),
        timezone: Some(timezone),
        language: Some(language),
        notifications: None,
    }
    .trimmed();
    let user = super::service::update_profile(&context::services()?.db, &actor, changes).await?;
    redirect("/account?saved=profile#profile");
    Ok(user)
}

/// Which emails the signed-in person wants. A checkbox sends its field only when ticked.
#[server(prefix = "/rpc", endpoint = "account/notifications")]
pub async fn update_notifications(
    order_emails: Option<String>,
    marketing_emails: Option<String>,
    security_emails: Option<String>,
) -> Result<User, AppError> {
    let actor = context::actor()?;
    let changes = ProfileChanges {
        notifications: Some(NotificationPrefs {
            order_emails: order_emails.is_some(),
            marketing_emails: marketing_emails.is_some(),
            security_emails: security_emails.is_some(),
        }),
        ..ProfileChanges::default()
    };
    let user = super::service::update_profile(&context::services()?.db, &actor, changes).await?;
    redirect("/account?saved=notifications#notifications");
    Ok(user)
}

/// Moves the account to a new address (needs the password); the new one must be confirmed.
#[server(prefix = "/rpc", endpoint = "account/email")]
pub async fn change_email(new_email: String, password: String) -> Result<User, AppError> {
    let actor = context::actor()?;
    let user =
        super::service::change_email(&context::services()?, &actor, new_email.trim(), &password)
            .await?;
    redirect("/account?email=changed");
    Ok(user)
}

#[server(prefix = "/rpc", endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    let caller = context::caller()?;
    let services = context::services()?;
    let user = super::service::change_password(
        &services,
        caller.actor()?,
        &current_password,
        new_password,
        caller.session_id(),
    )
    .await?;
    // The password hash changed, so this session must be signed in again to stay valid.
    session::renew(&user).await?;
    redirect("/account?password=changed");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "account/sessions")]
pub async fn my_sessions() -> Result<Vec<SessionInfo>, AppError> {
    let caller = context::caller()?;
    let actor = caller.actor()?;
    super::credentials::sessions(
        &context::services()?.db,
        actor,
        &actor.user()?.id,
        caller.session_id(),
    )
    .await
}

#[server(prefix = "/rpc", endpoint = "account/sessions/end")]
pub async fn end_session(id: String) -> Result<(), AppError> {
    let actor = context::actor()?;
    super::credentials::end_session(&context::services()?, &actor, &id).await?;
    redirect("/account#sessions");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "account/sessions/end-others")]
pub async fn end_other_sessions() -> Result<(), AppError> {
    let caller = context::caller()?;
    super::credentials::end_other_sessions(
        &context::services()?,
        caller.actor()?,
        caller.session_id(),
    )
    .await?;
    redirect("/account#sessions");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "account/api-keys")]
pub async fn my_api_keys() -> Result<Vec<ApiKeyInfo>, AppError> {
    let actor = context::actor()?;
    super::credentials::api_keys(&context::services()?.db, &actor).await
}

#[server(prefix = "/rpc", endpoint = "account/api-keys/create")]
pub async fn create_api_key(name: String, scope: String) -> Result<NewApiKey, AppError> {
    let actor = context::actor()?;
    let scope = KeyScope::parse(&scope)
        .ok_or_else(|| AppError::invalid("scope", "Choose read or read and write."))?;
    super::credentials::create_api_key(&context::services()?.db, &actor, &name, scope).await
}

#[server(prefix = "/rpc", endpoint = "account/api-keys/revoke")]
pub async fn revoke_api_key(id: String) -> Result<(), AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The API key")?;
    super::credentials::revoke_api_key(&context::services()?.db, &actor, &id).await?;
    redirect("/account#api-keys");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "account/delete")]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    let actor = context::actor()?;
    let services = context::services()?;
    super::service::delete_account(&services, &actor, &password).await?;
    session::end().await?;
    redirect("/?deleted=1");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        for good in [
            "/account",
            "/admin/users?page=2&sort=email",
            "/search?q=ai%20agents",
            "/caf%C3%A9",
        ] {
            assert!(is_local_path(good), "{good}");
        }
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "account",
            "",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/ /evil.example",
            "/x\\..\\evil",
            "/%09/evil.example",
            "/%0a/evil.example",
            "/%2f/evil.example",
            "/%2F/evil.example",
            "/%5c/evil.example",
            "/%5C%5Cevil.example",
            "/%00",
            "/%zz",
            "/%2",
            "/\u{85}/evil.example",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
        assert!(!is_local_path(&format!("/{}", "a".repeat(2048))));
    }
}
