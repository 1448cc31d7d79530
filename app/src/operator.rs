//! What the operator does at the command line — `agora seed [--demo]` and
//! `agora create-admin` — acting as the system. These are the only callers outside the job
//! worker that act as `Actor::system()`; no request reaches them.

use crate::auth::service as account;
use crate::catalog::categories;
use crate::catalog::model::{NewCategory, ProductInput};
use crate::catalog::products;
use crate::error::AppError;
use crate::platform::Services;
use crate::platform::identity::{Actor, Admin, Role};
use crate::platform::paging::Window;
use crate::platform::types::Id;
use crate::settings::model::{SITE_NAME, Setting, SettingValue, TAX_RATE_BPS};
use crate::settings::service as settings;
use crate::vendors::model::{Application, PayoutMethod};
use crate::vendors::model::{VendorQuery, VendorStatus};
use crate::vendors::service as vendors;

/// What the seed changed, for the command to print.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub changed: Vec<String>,
}

/// The demo accounts: (email, password, first name, last name, role). The three vendors get
/// their role when their demo storefronts are approved (`DEMO_STORES`).
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

/// Data a fresh installation starts with (with `demo`: settings, the demo accounts and their
/// storefronts).
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
            if account::find_id(db, admin.staff(), email).await?.is_some() {
                continue;
            }
            account::provision(db, admin, email, password.to_owned(), first, last, role).await?;
            report
                .changed
                .push(format!("{role} account {email} (password {password})"));
        }
        if categories::tree(db).await?.is_empty() {
            for (name, children) in DEMO_CATEGORIES {
                let parent =
                    categories::create(services, admin.staff(), category(name, None)).await?;
                for child in children {
                    categories::create(services, admin.staff(), category(child, Some(&parent.id)))
                        .await?;
                }
            }
            report
                .changed
                .push(format!("{} categories", categories::tree(db).await?.len()));
        }
        for store in DEMO_STORES {
            let Some(owner) = account::find_id(db, admin.staff(), store.owner).await? else {
                continue;
            };
            let application = Application {
                store_name: store.name.to_owned(),
                slug: None,
                description: Some(store.description.to_owned()),
                website: Some(store.website.to_owned()),
                contact_email: store.owner.to_owned(),
                payout_method: PayoutMethod::Paypal,
                payout_details: store.owner.to_owned(),
            };
            if let Some(vendor) =
                vendors::open_for(services, admin, &owner, application, store.approved).await?
            {
                report.changed.push(format!(
                    "storefront {} ({}) at /vendors/{}",
                    vendor.store_name,
                    vendor.status.as_str(),
                    vendor.slug
                ));
            }
        }
        seed_products(services, admin, &mut report).await?;
    }
    Ok(report)
}

/// How many demo products the seed puts on sale.
pub const DEMO_PRODUCTS: usize = 210;

/// Live demo products spread over the approved demo storefronts and every subcategory, with
/// prices, compare-at prices and tags — only into a catalog that has no products yet.
async fn seed_products(
    services: &Services,
    admin: Admin<'_>,
    report: &mut SeedReport,
) -> Result<(), AppError> {
    let db = &services.db;
    let any = Window::new(Some(1), Some(1))?;
    if products::for_review(db, admin.staff(), None, any)
        .await?
        .total
        > 0
    {
        return Ok(());
    }
    let approved = VendorQuery {
        status: Some(VendorStatus::Approved),
        ..VendorQuery::default()
    };
    let stores = vendors::list(db, admin.staff(), &approved).await?.items;
    let leaves: Vec<_> = categories::tree(db)
        .await?
        .into_iter()
        .filter(|c| c.depth > 0)
        .collect();
    if stores.is_empty() || leaves.is_empty() {
        return Ok(());
    }
    const EDITIONS: [&str; 8] = [
        "Essential",
        "Pro",
        "Starter",
        "Advanced",
        "Complete",
        "Lean",
        "Team",
        "Solo",
    ];
    const KINDS: [&str; 6] = ["kit", "pack", "guide", "template", "workflow", "toolkit"];
    for i in 0..DEMO_PRODUCTS {
        let leaf = &leaves[i % leaves.len()];
        let rest = i / leaves.len();
        let edition = EDITIONS[rest % EDITIONS.len()];
        let kind = KINDS[(rest / EDITIONS.len()) % KINDS.len()];
        let step = i64::try_from((i * 37) % 90).unwrap_or(0);
        let price = (step + 5) * 100 - 1;
        let input = ProductInput {
            title: format!("{edition} {} {kind}", leaf.name),
            slug: None,
            summary: Some(format!(
                "A {kind} for {} — the {} edition.",
                leaf.name,
                edition.to_lowercase()
            )),
            description: Some(format!(
                "## What you get\n\n- The {kind}, ready to use\n- A step-by-step setup guide\n\n\
                 Made for {} work; updates are free.",
                leaf.name
            )),
            price,
            compare_at: (i % 4 == 0).then_some(price + 1000),
            category_id: leaf.id.clone(),
            tags: vec![leaf.slug.clone(), kind.to_owned(), edition.to_lowercase()],
        };
        products::publish_for(services, admin, &stores[i % stores.len()].id, input).await?;
    }
    report
        .changed
        .push(format!("{DEMO_PRODUCTS} products on sale"));
    Ok(())
}

/// The demo category tree: top-level categories and their subcategories.
const DEMO_CATEGORIES: [(&str, &[&str]); 5] = [
    ("Automation", &["n8n", "Zapier", "Make"]),
    (
        "AI Agents",
        &["Chatbots", "Research assistants", "Coding agents"],
    ),
    ("E-books", &["Programming", "Business", "Design"]),
    ("Templates", &["Notion", "Spreadsheets", "Slides"]),
    ("Software licences", &["Developer tools", "Productivity"]),
];

fn category(name: &str, parent: Option<&Id>) -> NewCategory {
    NewCategory {
        name: name.to_owned(),
        slug: None,
        parent_id: parent.cloned(),
        description: None,
        position: None,
    }
}

/// A demo storefront; the ones not approved wait in the staff review queue.
struct DemoStore {
    owner: &'static str,
    name: &'static str,
    description: &'static str,
    website: &'static str,
    approved: bool,
}

const DEMO_STORES: [DemoStore; 4] = [
    DemoStore {
        owner: "studio@agora.test",
        name: "Studio Sasha",
        description: "Notion workspaces and design-system kits for small studios.",
        website: "https://studio.example",
        approved: true,
    },
    DemoStore {
        owner: "workflows@agora.test",
        name: "Flowsmith",
        description: "n8n and Zapier automation templates, each with a step-by-step guide.",
        website: "https://flowsmith.example",
        approved: true,
    },
    DemoStore {
        owner: "ebooks@agora.test",
        name: "Pages & Prompts",
        description: "Practical e-books on prompt engineering and AI agents.",
        website: "https://pages.example",
        approved: true,
    },
    DemoStore {
        owner: "grace@agora.test",
        name: "Hopper Labs",
        description: "Compiler-themed developer tools (application waiting for review).",
        website: "https://hopper.example",
        approved: false,
    },
];

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
