//! What the operator does at the command line — `agora seed [--demo]` and
//! `agora create-admin` — acting as the system. These are the only callers outside the job
//! worker that act as `Actor::system()`; no request reaches them.

use crate::auth::service as account;
use crate::catalog::categories;
use crate::catalog::model::{NewCategory, ProductInput, ProductStatus, QueueFilter, ReviewInput};
use crate::catalog::{files, images, products, purchases, reviews};
use crate::error::AppError;
use crate::ledger::model::Account;
use crate::platform::Services;
use crate::platform::identity::{Actor, Admin, Role};
use crate::platform::paging::Window;
use crate::platform::types::Id;
use crate::settings::model::{
    API_GUEST_REQUESTS_PER_HOUR, API_REQUESTS_PER_HOUR, PAYOUT_MINIMUM, SITE_NAME, Setting,
    SettingValue, TAX_RATE_BPS,
};
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
        seed_reviews(services, admin, &mut report).await?;
        seed_orders(services, admin, &mut report).await?;
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
    if products::for_review(db, admin.staff(), &QueueFilter::default(), any)
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
        let product =
            products::publish_for(services, admin, &stores[i % stores.len()].id, input).await?;
        images::publish_for(services, admin, &product.id, &demo_cover(i), None).await?;
        if i % (DEMO_PRODUCTS / 6) == 0 {
            products::set_featured(services, admin.staff(), &product.id, true).await?;
        }
    }
    report
        .changed
        .push(format!("{DEMO_PRODUCTS} products on sale"));
    Ok(())
}

/// A demo product's cover: an 800 × 500 PNG, a diagonal blend of two colours picked by `n`
/// with soft bands, so each product looks a little different.
pub fn demo_cover(n: usize) -> Vec<u8> {
    const PALETTE: [[u8; 3]; 8] = [
        [79, 70, 229],
        [14, 165, 233],
        [16, 185, 129],
        [245, 158, 11],
        [239, 68, 68],
        [168, 85, 247],
        [236, 72, 153],
        [20, 184, 166],
    ];
    let (from, to) = (PALETTE[n % 8], PALETTE[(n / 8 + n + 3) % 8]);
    let (width, height) = (800u32, 500u32);
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        let t = (x + y) * 255 / (width + height);
        let band = if (x / 40 + y / 40 + n as u32).is_multiple_of(5) {
            18
        } else {
            0
        };
        let mix = |a: u8, b: u8| {
            let v = (u32::from(a) * (255 - t) + u32::from(b) * t) / 255;
            u8::try_from((v + band).min(255)).unwrap_or(255)
        };
        image::Rgb([
            mix(from[0], to[0]),
            mix(from[1], to[1]),
            mix(from[2], to[2]),
        ])
    });
    let mut bytes = Vec::new();
    // Encoding an in-memory image to PNG cannot fail.
    let _ = image.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    );
    bytes
}

/// The demo reviewers (first and last names): customers who bought and reviewed demo products.
const DEMO_REVIEWERS: [(&str, &str); 10] = [
    ("Noor", "Haddad"),
    ("Mateo", "Silva"),
    ("Priya", "Raman"),
    ("Jonas", "Berg"),
    ("Aiko", "Tanaka"),
    ("Liam", "O'Connor"),
    ("Zara", "Okafor"),
    ("Felix", "Wagner"),
    ("Chloe", "Martin"),
    ("Omar", "Farouk"),
];

/// What demo reviewers say, by stars (index 0 for 2 stars … 3 for 5 stars).
const DEMO_REVIEW_TEXT: [&str; 4] = [
    "Did the job in the end, but the setup guide skips a few steps.",
    "Solid and does what it says. A video walkthrough would help.",
    "Very useful: I had it running in an afternoon and the guide is clear.",
    "Excellent. Saved me days of work, and the seller answered my question quickly.",
];

/// Demo reviewers buy demo products and review them (0 to 5 reviews a product, mostly 4 and
/// 5 stars) — only when there are no reviews yet.
async fn seed_reviews(
    services: &Services,
    admin: Admin<'_>,
    report: &mut SeedReport,
) -> Result<(), AppError> {
    let db = &services.db;
    let any = Window::new(Some(1), Some(1))?;
    if reviews::for_staff(db, admin.staff(), None, any)
        .await?
        .total
        > 0
    {
        return Ok(());
    }
    let mut reviewers = Vec::new();
    for (n, (first, last)) in DEMO_REVIEWERS.into_iter().enumerate() {
        let email = format!("reviewer{}@agora.test", n + 1);
        let id = match account::find_id(db, admin.staff(), &email).await? {
            Some(id) => id,
            None => {
                let password = "Customer-Demo-2026".to_owned();
                account::provision(db, admin, &email, password, first, last, Role::User).await?;
                account::find_id(db, admin.staff(), &email)
                    .await?
                    .ok_or(AppError::Internal)?
            }
        };
        reviewers.push(id);
    }
    let mut written = 0;
    let mut page = 1;
    let active = QueueFilter::status(Some(ProductStatus::Active));
    loop {
        let window = Window::new(Some(page), Some(100))?;
        let batch = products::for_review(db, admin.staff(), &active, window).await?;
        for (i, product) in batch.items.iter().enumerate() {
            let n = (page as usize - 1) * 100 + i;
            for k in 0..(n * 7) % 6 {
                let buyer = &reviewers[(n + k * 3) % reviewers.len()];
                let stars = [5u8, 4, 5, 3, 4, 5, 2][(n + k) % 7];
                purchases::grant(services, admin, buyer, &product.id).await?;
                let input = ReviewInput {
                    rating: stars,
                    body: DEMO_REVIEW_TEXT[usize::from(stars) - 2].to_owned(),
                };
                reviews::publish_for(services, admin, buyer, &product.id, input).await?;
                written += 1;
            }
        }
        if page >= batch.total_pages() {
            break;
        }
        page += 1;
    }
    report
        .changed
        .push(format!("{written} reviews by {} buyers", reviewers.len()));
    Ok(())
}

/// Every live demo product gets a small file to download, and the demo customers buy a few
/// (sandbox payments): the earnings of the older sales matured, one storefront with a payout
/// paid and another waiting for approval — so the orders, earnings, payouts and ledger pages
/// show something. Only when there are no orders yet.
async fn seed_orders(
    services: &Services,
    admin: Admin<'_>,
    report: &mut SeedReport,
) -> Result<(), AppError> {
    use crate::earnings::service::{self as earnings, Decision};
    use crate::orders::{service as orders, settlement};
    let db = &services.db;
    let placed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(db.pool())
        .await?;
    if placed > 0 {
        return Ok(());
    }
    let active = QueueFilter::status(Some(ProductStatus::Active));
    let mut live = Vec::new();
    let mut page = 1;
    loop {
        let batch = products::for_review(
            db,
            admin.staff(),
            &active,
            Window::new(Some(page), Some(100))?,
        )
        .await?;
        live.extend(
            batch
                .items
                .iter()
                .map(|p| (p.id.clone(), p.slug.clone(), p.vendor_id.clone())),
        );
        if page >= batch.total_pages() {
            break;
        }
        page += 1;
    }
    // By slug, so every run picks the same products (ids are random).
    live.sort_by(|a, b| a.1.cmp(&b.1));
    for (id, slug, _) in &live {
        let text = format!(
            "Thank you for buying {slug} on the Agora demo.\nThis file stands in for the real download.\n"
        );
        files::attach_demo(services, admin, id, &format!("{slug}.txt"), text.as_bytes()).await?;
    }
    let mut count = 0;
    for (n, email) in ["ada@agora.test", "grace@agora.test"]
        .into_iter()
        .enumerate()
    {
        let Some(buyer) = account::find_id(db, admin.staff(), email).await? else {
            continue;
        };
        for k in 0..4 {
            let picks: Vec<Id> = live
                .iter()
                .skip(n * 40 + k * 9)
                .step_by(7)
                .take(2)
                .map(|(id, _, _)| id.clone())
                .collect();
            let key = format!("demo-{n}-{k}");
            if let Some(order) =
                orders::demo_purchase(services, admin, &buyer, &picks, &key).await?
            {
                count += 1;
                // The first three orders of each buyer are past their hold period.
                if k < 3 {
                    settlement::mature(services, admin.staff(), &order.id).await?;
                }
            }
        }
    }
    // The first storefront with enough available is paid out; the next waits for approval.
    let mut storefronts: Vec<Id> = Vec::new();
    for (_, _, vendor) in &live {
        if !storefronts.contains(vendor) {
            storefronts.push(vendor.clone());
        }
    }
    let mut vendors_paid = 0;
    for vendor in storefronts {
        let available = Account::vendor_available(&vendor);
        let balance: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(SUM(amount) AS BIGINT) FROM ledger_entries WHERE account = $1",
        )
        .bind(available.as_str())
        .fetch_one(db.pool())
        .await?;
        let amount = balance.unwrap_or(0) / 2;
        if amount < settings::get(db, &PAYOUT_MINIMUM).await? {
            continue;
        }
        let payout = earnings::demo_request(services, admin, &vendor, amount).await?;
        if vendors_paid == 0 {
            earnings::decide(services, admin.staff(), &payout.id, &Decision::Approve).await?;
            let paid = Decision::MarkPaid {
                reference: "DEMO-1".to_owned(),
            };
            earnings::decide(services, admin.staff(), &payout.id, &paid).await?;
        }
        vendors_paid += 1;
    }
    report.changed.push(format!(
        "{} downloadable files, {count} paid demo orders, {vendors_paid} payouts",
        live.len()
    ));
    Ok(())
}

/// What the catalog benchmark measures (`cargo bench --bench catalog`): `products` live
/// products over 50 approved storefronts and 20 categories (`category-1` … `category-20`), the
/// sizes of the reference peer's data — only into a database without products. It also lifts
/// the API request limits (per address and per person), which would answer a load test with
/// 429s.
pub async fn seed_benchmark_catalog(
    services: &Services,
    products: usize,
) -> Result<SeedReport, AppError> {
    const VENDORS: usize = 50;
    const CATEGORIES: usize = 20;
    const WORDS: [&str; 8] = [
        "workflow",
        "agent",
        "template",
        "guide",
        "toolkit",
        "prompts",
        "dashboard",
        "licence",
    ];
    let system = Actor::system();
    let admin = system.admin()?;
    let db = &services.db;
    let mut report = SeedReport::default();
    let any = Window::new(Some(1), Some(1))?;
    if products::for_review(db, admin.staff(), &QueueFilter::default(), any)
        .await?
        .total
        > 0
    {
        return Ok(report);
    }
    for limit in [&API_GUEST_REQUESTS_PER_HOUR, &API_REQUESTS_PER_HOUR] {
        settings::set(services, admin, limit, 1_000_000, None).await?;
    }
    let mut categories_made = Vec::new();
    for n in 1..=CATEGORIES {
        let mut input = category(&format!("Category {n}"), None);
        input.slug = Some(format!("category-{n}"));
        categories_made.push(categories::create(services, admin.staff(), input).await?.id);
    }
    let mut stores = Vec::new();
    for n in 1..=VENDORS {
        let email = format!("bench-vendor-{n}@agora.test");
        account::provision(
            db,
            admin,
            &email,
            "Vendor-Bench-2026".into(),
            "Bench",
            "Vendor",
            Role::User,
        )
        .await?;
        let owner = account::find_id(db, admin.staff(), &email)
            .await?
            .ok_or(AppError::Internal)?;
        let application = Application {
            store_name: format!("Bench Store {n}"),
            slug: None,
            description: Some("A storefront of the catalog benchmark.".into()),
            website: None,
            contact_email: email.clone(),
            payout_method: PayoutMethod::Paypal,
            payout_details: email,
        };
        if let Some(vendor) = vendors::open_for(services, admin, &owner, application, true).await? {
            stores.push(vendor.id);
        }
    }
    for n in 0..products {
        let word = WORDS[n % WORDS.len()];
        let price = i64::try_from((n * 37) % 9_000).unwrap_or(0) + 500;
        let input = ProductInput {
            title: format!("Bench {word} {n}"),
            slug: None,
            summary: Some(format!("A {word} for the benchmark, number {n}.")),
            description: Some(format!("## The {word}\n\n- Ready to use\n- Number {n}")),
            price,
            compare_at: (n % 5 == 0).then_some(price + 1_000),
            category_id: categories_made[n % CATEGORIES].clone(),
            tags: vec![word.to_owned()],
        };
        products::publish_for(services, admin, &stores[n % stores.len()], input).await?;
    }
    report.changed.push(format!(
        "benchmark catalog: {products} products, {} storefronts, {CATEGORIES} categories",
        stores.len()
    ));
    Ok(report)
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
