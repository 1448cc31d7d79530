//! What the operator does at the command line — `agora seed [--demo]` and
//! `agora create-admin` — acting as the system. These are the only callers outside the job
//! worker that act as `Actor::system()`; no request reaches them.

use crate::auth::service as account;
use crate::error::AppError;
use crate::platform::Services;
use crate::platform::identity::{Actor, Role};
use crate::settings::model::{SITE_NAME, Setting, SettingValue, TAX_RATE_BPS};
use crate::settings::service as settings;

/// What the seed changed, for the command to print.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub changed: Vec<String>,
}

/// The demo accounts: (email, password, first name, last name, role). Vendors-to-be are
/// customers until their storefront applications are approved (the vendors feature).
pub const DEMO_ACCOUNTS: [(&str, &str, &str, &str, Role); 7] = [
    (
        "admin@agora.test",
        "Admin-Demo-2026",
        "Alex",
        "Admin",
        Role::Admin,
    ),
    (
        "manager@agora.test",
        "Manager-Demo-2026",
        "Morgan",
        "Manager",
        Role::Manager,
    ),
    (
        "studio@agora.test",
        "Vendor-Demo-2026",
        "Sasha",
        "Studio",
        Role::User,
    ),
    (
        "workflows@agora.test",
        "Vendor-Demo-2026",
        "Wren",
        "Flowsmith",
        Role::User,
    ),
    (
        "ebooks@agora.test",
        "Vendor-Demo-2026",
        "Eli",
        "Pages",
        Role::User,
    ),
    (
        "ada@agora.test",
        "Customer-Demo-2026",
        "Ada",
        "Lovelace",
        Role::User,
    ),
    (
        "grace@agora.test",
        "Customer-Demo-2026",
        "Grace",
        "Hopper",
        Role::User,
    ),
];

/// Data a fresh installation starts with (with `demo`: settings and the demo accounts).
/// Idempotent: running it again changes nothing, and keeps what an operator changed.
pub async fn seed(services: &Services, demo: bool) -> Result<SeedReport, AppError> {
    let system = Actor::system();
    let admin = system.admin()?;
    let db = &services.db;
    let mut report = SeedReport::default();
    if demo {
        set_once(
            services,
            &mut report,
            &SITE_NAME,
            "Agora Demo Market".to_owned(),
        )
        .await?;
        set_once(services, &mut report, &TAX_RATE_BPS, 825).await?;
        for (email, password, first, last, role) in DEMO_ACCOUNTS {
            if account::exists(db, admin.staff(), email).await? {
                continue;
            }
            account::provision(db, admin, email, password.to_owned(), first, last, role).await?;
            report
                .changed
                .push(format!("{role} account {email} (password {password})"));
        }
    }
    Ok(report)
}

/// An admin account with this email and password (an existing account is promoted and gets
/// the password). A refused input names each field and what is wrong with it.
pub async fn create_admin(
    services: &Services,
    email: &str,
    password: String,
    first_name: &str,
    last_name: &str,
) -> Result<(), AppError> {
    let system = Actor::system();
    account::provision(
        &services.db,
        system.admin()?,
        email,
        password,
        first_name,
        last_name,
        Role::Admin,
    )
    .await
    .map(drop)
}

/// Stores `value` only when the setting was never stored, so an operator's change survives a
/// second seed.
async fn set_once<T: SettingValue + std::fmt::Debug>(
    services: &Services,
    report: &mut SeedReport,
    setting: &Setting<T>,
    value: T,
) -> Result<(), AppError> {
    if settings::is_stored(&services.db, setting).await? {
        return Ok(());
    }
    report
        .changed
        .push(format!("setting {} = {value:?}", setting.key));
    let system = Actor::system();
    settings::set(services, system.admin()?, setting, value, None).await
}
