//! `agora seed [--demo]`: data a fresh installation starts with. Idempotent: running it again
//! changes nothing. Later features add their demo data here.

use app::auth::model::{Actor, Role};
use app::auth::service as account;
use app::db::Db;
use app::error::AppError;
use app::settings::model::{SITE_NAME, Setting, SettingValue, TAX_RATE_BPS};
use app::settings::service as settings;

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

pub async fn run(db: &Db, demo: bool) -> Result<SeedReport, AppError> {
    let mut report = SeedReport::default();
    if demo {
        set_once(db, &mut report, &SITE_NAME, "Agora Demo Market".to_owned()).await?;
        set_once(db, &mut report, &TAX_RATE_BPS, 825).await?;
        for (email, password, first, last, role) in DEMO_ACCOUNTS {
            if account::exists(db, email).await? {
                continue;
            }
            account::provision(db, email, password.to_owned(), first, last, role).await?;
            report
                .changed
                .push(format!("{role} account {email} (password {password})"));
        }
    }
    Ok(report)
}

/// `agora create-admin`: an admin account with this email and password. A refused input
/// names each field and what is wrong with it.
pub async fn create_admin(
    db: &Db,
    email: &str,
    password: String,
    first_name: &str,
    last_name: &str,
) -> anyhow::Result<()> {
    account::provision(db, email, password, first_name, last_name, Role::Admin)
        .await
        .map_err(|error| {
            let fields: Vec<String> = error
                .details()
                .iter()
                .map(|field| format!("{}: {}", field.field, field.message))
                .collect();
            if fields.is_empty() {
                anyhow::anyhow!(error)
            } else {
                anyhow::anyhow!("{error} {}", fields.join(" "))
            }
        })?;
    Ok(())
}

/// Stores `value` only when the setting was never stored, so an operator's change survives a
/// second seed.
async fn set_once<T: SettingValue + std::fmt::Debug>(
    db: &Db,
    report: &mut SeedReport,
    setting: &Setting<T>,
    value: T,
) -> Result<(), AppError> {
    if settings::is_stored(db, setting).await? {
        return Ok(());
    }
    report
        .changed
        .push(format!("setting {} = {value:?}", setting.key));
    settings::set(db, &Actor::System, setting, value, None).await
}
