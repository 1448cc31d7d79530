//! Settings and the audit log through their services, on both backends: changes need an
//! admin's proof, the audit log a staff member's; the actors come from real credentials
//! resolved as a request's caller is.
use crate::fixtures::read_only_key;
use crate::helpers::on_each_backend;
use app::audit::service::recent;
use app::error::AppError;
use app::platform::identity::Role;
use app::settings::model::{CURRENCY, SITE_NAME, TAX_RATE_BPS};
use app::settings::service::{get, set, snapshot};

#[tokio::test(flavor = "multi_thread")]
async fn unset_settings_have_their_defaults() {
    on_each_backend(|app| async move {
        assert_eq!(get(&app.db, &SITE_NAME).await.unwrap(), "Agora");
        assert_eq!(get(&app.db, &TAX_RATE_BPS).await.unwrap(), 0);
    })
    .await;
}

/// A snapshot reads every setting in one query and answers each as `get` would: the stored
/// value, the default when none is stored, and the default when the stored one is unreadable.
#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_answers_each_setting_as_get_does() {
    on_each_backend(|app| async move {
        let admin = app.with_user(Role::Admin).await;
        let admin = app.actor(&admin.token).await;
        set(
            &app.services,
            admin.admin().unwrap(),
            &CURRENCY,
            "EUR".into(),
            None,
        )
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ('tax_rate_bps', 'not json', 0)",
        )
        .execute(app.db.pool())
        .await
        .unwrap();
        let settings = snapshot(&app.db).await.unwrap();
        assert_eq!(settings.get(&CURRENCY), "EUR");
        assert_eq!(settings.get(&SITE_NAME), "Agora");
        assert_eq!(settings.get(&TAX_RATE_BPS), 0);
        assert_eq!(get(&app.db, &TAX_RATE_BPS).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_is_stored_and_audited_together() {
    on_each_backend(|app| async move {
        let admin = app.with_user(Role::Admin).await;
        let admin = app.actor(&admin.token).await;
        let proof = admin.admin().unwrap();
        set(
            &app.services,
            proof,
            &CURRENCY,
            "EUR".into(),
            Some("203.0.113.9".into()),
        )
        .await
        .unwrap();
        set(&app.services, proof, &CURRENCY, "GBP".into(), None)
            .await
            .unwrap();
        assert_eq!(get(&app.db, &CURRENCY).await.unwrap(), "GBP");
        let staff = proof.staff();
        let entries = recent(&app.db, staff, Some("setting:currency"), 10)
            .await
            .unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].action, "settings.update");
        assert_eq!(entries[0].actor, admin.audit_label());
        assert_eq!(entries[0].details["old"], "EUR");
        assert_eq!(entries[0].details["new"], "GBP");
        assert_eq!(entries[1].ip.as_deref(), Some("203.0.113.9"));
        let label = admin.audit_label();
        let by_admin = recent(&app.db, staff, Some(&label), 10).await.unwrap();
        // Besides the admin's own security events (their sign-ins).
        let changes = by_admin.iter().filter(|e| e.action == "settings.update");
        assert_eq!(changes.count(), 2);
        assert_eq!(recent(&app.db, staff, None, 1).await.unwrap().len(), 1);
    })
    .await;
}

/// The proofs at the service level: a customer, a manager and an admin's read-only API key
/// cannot change settings; a customer and a read-only customer key cannot read the audit log;
/// a manager and an admin's read-only key can.
#[tokio::test(flavor = "multi_thread")]
async fn settings_need_an_admin_and_the_audit_log_needs_staff() {
    on_each_backend(|app| async move {
        let customer = app.with_user(Role::User).await;
        let manager = app.with_user(Role::Manager).await;
        let admin = app.with_user(Role::Admin).await;
        let admin_read_key = read_only_key(&app, &admin.token).await;
        let customer_read_key = read_only_key(&app, &customer.token).await;
        for credential in [&customer.token, &manager.token, &admin_read_key] {
            let actor = app.actor(credential).await;
            assert_eq!(actor.admin().unwrap_err(), AppError::Forbidden);
        }
        for credential in [&customer.token, &customer_read_key] {
            let actor = app.actor(credential).await;
            assert_eq!(actor.staff().unwrap_err(), AppError::Forbidden);
        }
        for credential in [&manager.token, &admin_read_key] {
            let actor = app.actor(credential).await;
            let staff = actor.staff().expect("staff may read the audit log");
            recent(&app.db, staff, None, 10).await.unwrap();
        }
        assert_eq!(get(&app.db, &SITE_NAME).await.unwrap(), "Agora");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_value_is_refused_and_nothing_is_written() {
    on_each_backend(|app| async move {
        let admin = app.with_user(Role::Admin).await;
        let admin = app.actor(&admin.token).await;
        let proof = admin.admin().unwrap();
        let error = set(&app.services, proof, &TAX_RATE_BPS, 20_000, None)
            .await
            .unwrap_err();
        assert!(matches!(&error, AppError::Validation(_)));
        assert!(error.field_message("tax_rate_bps").is_some());
        assert_eq!(get(&app.db, &TAX_RATE_BPS).await.unwrap(), 0);
        let entries = recent(&app.db, proof.staff(), Some("setting:tax_rate_bps"), 10);
        assert!(entries.await.unwrap().is_empty(), "no audit entry");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_seed_is_idempotent_and_keeps_operator_changes() {
    on_each_backend(|app| async move {
        let first = app::operator::seed(&app.services, true).await.unwrap();
        assert!(!first.changed.is_empty());
        // A catalog that looks real: live products from every demo storefront, in every
        // subcategory, some on sale.
        let live = |query: String| {
            let app = &app;
            async move {
                let (_, body) =
                    crate::helpers::envelope(app.get(&format!("/api/v1/products?{query}")).await)
                        .await;
                body["pagination"]["total"].as_u64().unwrap()
            }
        };
        let total = live("limit=1".into()).await;
        assert_eq!(total, app::operator::DEMO_PRODUCTS as u64);
        for store in ["studio-sasha", "flowsmith", "pages-prompts"] {
            assert!(live(format!("filter[vendor]={store}")).await > 0, "{store}");
        }
        for category in ["n8n", "chatbots", "notion", "productivity"] {
            assert!(
                live(format!("filter[category]={category}")).await > 0,
                "{category}"
            );
        }
        // Every product has a cover image; many have reviews, and ratings match them.
        let (_, body) = crate::helpers::envelope(app.get("/api/v1/products?limit=100").await).await;
        let products = body["data"].as_array().unwrap();
        assert!(
            products
                .iter()
                .all(|p| p["images"].as_array().unwrap().len() == 1)
        );
        let rated = products
            .iter()
            .filter(|p| p["ratingCount"].as_i64().unwrap() > 0)
            .count();
        assert!(
            rated > products.len() / 2,
            "{rated} of {} rated",
            products.len()
        );
        let (sum, count, reviews): (i64, i64, i64) = sqlx::query_as(
            "SELECT CAST(SUM(rating_sum) AS BIGINT), CAST(SUM(rating_count) AS BIGINT), \
             (SELECT COUNT(*) FROM reviews) FROM products",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(count, reviews);
        assert!(sum >= 3 * count, "mostly good reviews");
        assert_eq!(get(&app.db, &SITE_NAME).await.unwrap(), "Agora Demo Market");
        // Orders, earnings and payouts, so the dashboards are not empty; the books balance.
        let count = |sql: &'static str| {
            let app = &app;
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(app.db.pool())
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            count("SELECT COUNT(*) FROM orders WHERE status IN ('paid', 'completed')").await,
            8
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM orders WHERE status = 'completed'").await,
            6
        );
        assert!(count("SELECT COUNT(*) FROM payouts WHERE status = 'paid'").await >= 1);
        assert!(count("SELECT COUNT(*) FROM payouts WHERE status = 'requested'").await >= 1);
        assert_eq!(
            count("SELECT COUNT(DISTINCT product_id) FROM product_files").await,
            app::operator::DEMO_PRODUCTS as i64
        );
        assert_eq!(
            count(
                "SELECT COUNT(*) FROM (SELECT transaction_id FROM ledger_entries \
                   GROUP BY transaction_id, currency HAVING SUM(amount) <> 0) unbalanced"
            )
            .await,
            0
        );
        let token = crate::fixtures::login(&app, "admin@agora.test", "Admin-Demo-2026").await;
        let (_, body) = crate::helpers::envelope(token).await;
        let admin = app
            .actor(body["data"]["accessToken"].as_str().unwrap())
            .await;
        let proof = admin.admin().unwrap();
        set(&app.services, proof, &SITE_NAME, "My Market".into(), None)
            .await
            .unwrap();
        let audit_rows = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log")
                .fetch_one(app.db.pool())
                .await
                .unwrap()
        };
        let audited = audit_rows().await;
        let second = app::operator::seed(&app.services, true).await.unwrap();
        assert!(second.changed.is_empty(), "{:?}", second.changed);
        assert_eq!(
            live("limit=1".into()).await,
            total,
            "no second set of products"
        );
        let again: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reviews")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(again, reviews, "no second set of reviews");
        assert_eq!(get(&app.db, &SITE_NAME).await.unwrap(), "My Market");
        assert_eq!(audit_rows().await, audited, "a second seed records nothing");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_money_form_stores_all_four_settings_or_none() {
    use crate::fixtures::{post_form, rpc, staff_cookie};
    use app::settings::model::{EARNINGS_HOLD_DAYS, PAYOUT_MINIMUM};
    on_each_backend(|app| async move {
        let admin = staff_cookie(&app, Role::Admin).await;
        let form = |tax: &'static str, hold: &'static str| {
            [
                ("tax_rate", tax),
                ("commission_rate", "12.5"),
                ("earnings_hold_days", hold),
                ("payout_minimum", "25"),
            ]
        };
        let page = app.html_with_cookie("/admin", &admin).await;
        assert!(
            page.contains("Save money settings") && page.contains("14"),
            "{page}"
        );
        // One bad field: nothing is stored.
        let refused = post_form(
            &app,
            "/rpc/settings/money/update",
            Some(&admin),
            &form("7.5", "400"),
        )
        .await;
        assert!(
            refused.headers()["location"]
                .to_str()
                .unwrap()
                .contains("__err=")
        );
        assert_eq!(get(&app.db, &TAX_RATE_BPS).await.unwrap(), 0);
        let saved = post_form(
            &app,
            "/rpc/settings/money/update",
            Some(&admin),
            &form("7.5", "0"),
        )
        .await;
        assert_eq!(saved.headers()["location"], "/admin?saved=1");
        assert_eq!(get(&app.db, &TAX_RATE_BPS).await.unwrap(), 750);
        assert_eq!(get(&app.db, &EARNINGS_HOLD_DAYS).await.unwrap(), 0);
        assert_eq!(get(&app.db, &PAYOUT_MINIMUM).await.unwrap(), 2500);
        // Not an admin: the dashboard has no form, and posting it is refused.
        let manager = staff_cookie(&app, Role::Manager).await;
        let page = app.html_with_cookie("/admin", &manager).await;
        assert!(page.contains("Site settings") && !page.contains("Save money settings"));
        let status = rpc(
            &app,
            "/rpc/settings/money/update",
            &manager,
            &form("1", "1"),
        )
        .await;
        assert_eq!(status, 403);
        assert_eq!(get(&app.db, &TAX_RATE_BPS).await.unwrap(), 750);
    })
    .await;
}
