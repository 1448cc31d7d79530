//! Checkout on each backend: placing an order from the cart (idempotently), every sandbox
//! decline, payment through the provider-event path, the sale's posting, downloads, refunds
//! that reverse exactly, and the maturing of earnings.

use crate::fixtures::{
    PASSWORD, category, live_product, product, send, staff_token, upload_file, vendor,
};
use crate::helpers::{TestApp, assert_error, envelope, on_each_backend};
use app::ledger::model::Account;
use app::ledger::service as ledger;
use app::platform::identity::Role;
use app::settings::model::{EARNINGS_HOLD_DAYS, PAYOUT_MINIMUM, TAX_RATE_BPS};
use reqwest::Method;
use serde_json::{Value, json};

pub const GOOD_CARD: &str = "4242 4242 4242 4242";

pub fn checkout() -> Value {
    json!({"billingName": "Ada Lovelace", "billingCountry": "GB"})
}

pub fn card(number: &str) -> Value {
    json!({"method": "sandbox", "card": {"number": number, "expiry": "12/39", "cvc": "123"}})
}

/// `POST /api/v1/orders` with `key` as its `Idempotency-Key` (none when empty).
pub async fn place(app: &TestApp, token: &str, key: &str, body: Value) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/v1/orders"))
        .bearer_auth(token)
        .json(&body);
    if !key.is_empty() {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.unwrap()
}

pub async fn add_to_cart(app: &TestApp, token: &str, product: &str) {
    let (status, body) = envelope(
        app.post_json(
            "/api/v1/cart/items",
            Some(token),
            json!({"productId": product}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// An account's balance in USD, from its entries.
pub async fn balance(app: &TestApp, account: &Account) -> i64 {
    let sum: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(amount) AS BIGINT) FROM ledger_entries WHERE account = $1",
    )
    .bind(account.as_str())
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    sum.unwrap_or(0)
}

pub async fn assert_balanced(app: &TestApp) {
    let token = staff_token(app, "auditor@example.com", Role::Manager).await;
    let actor = app.actor(&token).await;
    let trial = ledger::trial(&app.db, actor.staff().unwrap())
        .await
        .unwrap();
    assert!(trial.is_balanced(), "{trial:?}");
}

async fn set<T: app::settings::model::SettingValue>(
    app: &TestApp,
    admin: &str,
    setting: &app::settings::model::Setting<T>,
    value: T,
) {
    let proof = app.actor(admin).await;
    app::settings::service::set(&app.services, proof.admin().unwrap(), setting, value, None)
        .await
        .unwrap();
}

/// The shop of these tests: an admin, a vendor with two live products (29.00 with a file,
/// 15.00 without), and a buyer.
struct Shop {
    admin: String,
    seller: String,
    seller_id: String,
    kit: String,
    guide: String,
    buyer: String,
}

async fn shop(app: &TestApp) -> Shop {
    let admin = staff_token(app, "admin@example.com", Role::Admin).await;
    let seller = vendor(app, &admin, "flows@example.com", "Flowsmith").await;
    let automation = category(app, &admin, "Automation").await;
    let mut kit = product("Lead kit", &automation);
    kit["price"] = json!(2900);
    let (status, created) = envelope(
        app.post_json("/api/v1/vendors/me/products", Some(&seller), kit)
            .await,
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let kit = created["data"]["id"].as_str().unwrap().to_owned();
    let uploaded = upload_file(app, &seller, &kit, b"PK-the-kit".to_vec(), "lead kit.zip").await;
    assert_eq!(uploaded.status(), 201);
    for step in [
        format!("/api/v1/vendors/me/products/{kit}/submit"),
        format!("/api/v1/admin/products/{kit}/approve"),
    ] {
        let token = if step.contains("admin") {
            &admin
        } else {
            &seller
        };
        let (status, body) = envelope(app.post_json(&step, Some(token), json!({})).await).await;
        assert_eq!(status, 200, "{body}");
    }
    let mut guide = product("Invoice guide", &automation);
    guide["price"] = json!(1500);
    let guide = live_product(app, &seller, &admin, guide).await;
    let (_, store) = envelope(app.get_with("/api/v1/vendors/me", &seller).await).await;
    let seller_id = store["data"]["id"].as_str().unwrap().to_owned();
    let buyer = staff_token(app, "buyer@example.com", Role::User).await;
    Shop {
        admin,
        seller,
        seller_id,
        kit,
        guide,
        buyer,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_buyer_checks_out_pays_downloads_and_staff_refund_exactly() {
    on_each_backend(|app| async move {
        let shop = shop(&app).await;
        set(&app, &shop.admin, &TAX_RATE_BPS, 1000).await;
        add_to_cart(&app, &shop.buyer, &shop.kit).await;
        add_to_cart(&app, &shop.buyer, &shop.guide).await;

        // Bad input is refused and places nothing.
        let keyless = place(&app, &shop.buyer, "", checkout()).await;
        let body = assert_error(keyless, 400, "VALIDATION_ERROR").await;
        assert_eq!(body["error"]["details"][0]["field"], "Idempotency-Key");
        let nowhere = place(
            &app,
            &shop.buyer,
            "k-1",
            json!({"billingName": " ", "billingCountry": "XX"}),
        )
        .await;
        let body = assert_error(nowhere, 400, "VALIDATION_ERROR").await;
        assert_eq!(body["error"]["details"].as_array().unwrap().len(), 2);

        let (status, body) = envelope(place(&app, &shop.buyer, "k-1", checkout()).await).await;
        assert_eq!(status, 201, "{body}");
        let order = body["data"].clone();
        let id = order["id"].as_str().unwrap().to_owned();
        assert_eq!(order["status"], "pending");
        assert_eq!(order["paymentStatus"], "pending");
        assert_eq!(order["lines"].as_array().unwrap().len(), 2);
        assert_eq!(order["subtotal"]["amount"], 4400);
        assert_eq!(order["tax"]["amount"], 440);
        assert_eq!(order["total"]["amount"], 4840);
        assert_eq!(order["billingCountry"], "GB");
        // The same key again is the same order; the cart was emptied by the first.
        let (status, again) = envelope(place(&app, &shop.buyer, "k-1", checkout()).await).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(again["data"]["id"], order["id"]);
        let (_, cart) = envelope(app.get_with("/api/v1/cart", &shop.buyer).await).await;
        assert_eq!(cart["data"]["lines"], json!([]));
        let empty = place(&app, &shop.buyer, "k-2", checkout()).await;
        assert_error(empty, 409, "CONFLICT").await;

        // Unpaid: no downloads. Every decline is a clear 402 and leaves the order payable.
        let downloads = format!("/api/v1/orders/{id}/downloads");
        assert_error(app.get_with(&downloads, &shop.buyer).await, 409, "CONFLICT").await;
        let pay = format!("/api/v1/orders/{id}/pay");
        let declined = send(
            &app,
            Method::POST,
            &pay,
            &shop.buyer,
            Some(card("4000 0000 0000 0002")),
        )
        .await;
        let body = assert_error(declined, 402, "PAYMENT_FAILED").await;
        assert_eq!(body["error"]["details"][0]["field"], "card.number");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("declined")
        );
        let (_, seen) = envelope(
            app.get_with(&format!("/api/v1/orders/{id}"), &shop.buyer)
                .await,
        )
        .await;
        assert_eq!(seen["data"]["status"], "pending");
        assert_eq!(seen["data"]["paymentStatus"], "failed");
        assert!(
            seen["data"]["paymentError"]
                .as_str()
                .unwrap()
                .contains("declined")
        );
        let broke = send(
            &app,
            Method::POST,
            &pay,
            &shop.buyer,
            Some(card("4000000000009995")),
        )
        .await;
        let body = assert_error(broke, 402, "PAYMENT_FAILED").await;
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("insufficient funds")
        );
        let typo = send(
            &app,
            Method::POST,
            &pay,
            &shop.buyer,
            Some(card("4242 4242 4242 4241")),
        )
        .await;
        assert_error(typo, 400, "VALIDATION_ERROR").await;
        let stranger = staff_token(&app, "stranger@example.com", Role::User).await;
        let theirs = send(&app, Method::POST, &pay, &stranger, Some(card(GOOD_CARD))).await;
        assert_error(theirs, 404, "NOT_FOUND").await;
        assert_eq!(
            balance(&app, &Account::customer_cash()).await,
            0,
            "nothing was posted"
        );

        let (status, paid) =
            envelope(send(&app, Method::POST, &pay, &shop.buyer, Some(card(GOOD_CARD))).await)
                .await;
        assert_eq!(status, 200, "{paid}");
        assert_eq!(paid["data"]["order"]["status"], "paid");
        assert_eq!(paid["data"]["order"]["paymentStatus"], "paid");
        assert_eq!(paid["data"]["next"], Value::Null);
        assert_eq!(paid["data"]["order"]["paymentError"], Value::Null);
        let twice = send(&app, Method::POST, &pay, &shop.buyer, Some(card(GOOD_CARD))).await;
        assert_error(twice, 409, "CONFLICT").await;
        let cancel = send(
            &app,
            Method::POST,
            &format!("/api/v1/orders/{id}/cancel"),
            &shop.buyer,
            None,
        )
        .await;
        assert_error(cancel, 409, "CONFLICT").await;

        // The sale, posted once: 10 % commission, the tax, the vendor's share pending.
        let pending = Account::vendor_pending(&app::platform::types::Id::from_trusted(
            shop.seller_id.clone(),
        ));
        assert_eq!(balance(&app, &Account::customer_cash()).await, -4840);
        assert_eq!(balance(&app, &pending).await, 2610 + 1350);
        assert_eq!(
            balance(&app, &Account::platform_commission()).await,
            290 + 150
        );
        assert_eq!(balance(&app, &Account::taxes_payable()).await, 440);
        assert_balanced(&app).await;
        let (receipt, _) = app.email_to("buyer@example.com", "Your receipt").await;
        assert!(
            receipt.contains("Lead kit") && receipt.contains("48.40 USD"),
            "{receipt}"
        );

        // Owned now: downloads work and are counted; buying it again is refused.
        let (status, files) = envelope(app.get_with(&downloads, &shop.buyer).await).await;
        assert_eq!(status, 200, "{files}");
        let files = files["data"].as_array().unwrap().clone();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0]["name"], "lead kit.zip");
        let link = files[0]["url"].as_str().unwrap().to_owned();
        let file = app.get(&link).await;
        assert_eq!(file.status(), 200);
        assert!(
            file.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        assert_eq!(file.bytes().await.unwrap().as_ref(), b"PK-the-kit");
        let (_, files) = envelope(app.get_with(&downloads, &shop.buyer).await).await;
        assert_eq!(files["data"][0]["downloads"], 1);
        assert_error(app.get(&format!("{link}x")).await, 401, "INVALID_TOKEN").await;
        let again = app
            .post_json(
                "/api/v1/cart/items",
                Some(&shop.buyer),
                json!({"productId": shop.kit}),
            )
            .await;
        assert_error(again, 409, "CONFLICT").await;
        assert_error(app.get_with(&downloads, &stranger).await, 404, "NOT_FOUND").await;

        // Lists: the buyer's own, and staff's by buyer and storefront.
        let (_, mine) = envelope(
            app.get_with("/api/v1/orders?filter[status]=paid", &shop.buyer)
                .await,
        )
        .await;
        assert_eq!(mine["pagination"]["total"], 1);
        assert_eq!(mine["data"][0]["lineCount"], 2);
        let bad = app
            .get_with(
                "/api/v1/orders?filter[status]=shipped&filter[from]=yesterday",
                &shop.buyer,
            )
            .await;
        let body = assert_error(bad, 400, "VALIDATION_ERROR").await;
        assert_eq!(body["error"]["details"].as_array().unwrap().len(), 2);
        let (_, found) = envelope(
            app.get_with(
                "/api/v1/admin/orders?search=buyer@&filter[vendor]=flowsmith",
                &shop.admin,
            )
            .await,
        )
        .await;
        assert_eq!(found["pagination"]["total"], 1, "{found}");
        assert_eq!(found["data"][0]["buyerEmail"], "buyer@example.com");
        // Staff's filters and the buyer's come from one query string.
        let (_, found) = envelope(
            app.get_with(
                "/api/v1/admin/orders?filter[status]=cancelled&filter[vendor]=flowsmith",
                &shop.admin,
            )
            .await,
        )
        .await;
        assert_eq!(found["pagination"]["total"], 0, "{found}");
        let bad = app
            .get_with(
                "/api/v1/admin/orders?filter[status]=shipped&search=buyer@",
                &shop.admin,
            )
            .await;
        let body = assert_error(bad, 400, "VALIDATION_ERROR").await;
        assert_eq!(body["error"]["details"][0]["field"], "filter[status]");
        assert_error(
            app.get_with("/api/v1/admin/orders", &shop.buyer).await,
            403,
            "FORBIDDEN",
        )
        .await;

        // Refund the kit's line: exactly its share of everything comes back; its link dies.
        let refund = format!("/api/v1/admin/orders/{id}/refund");
        let vague = send(
            &app,
            Method::POST,
            &refund,
            &shop.admin,
            Some(json!({"positions": [1], "reason": ""})),
        )
        .await;
        assert_error(vague, 400, "VALIDATION_ERROR").await;
        let nowhere = send(
            &app,
            Method::POST,
            &refund,
            &shop.admin,
            Some(json!({"positions": [9], "reason": "Broken archive"})),
        )
        .await;
        assert_error(nowhere, 400, "VALIDATION_ERROR").await;
        let kit_line = order["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["productId"] == shop.kit.as_str())
            .unwrap()["position"]
            .clone();
        let (status, partly) = envelope(
            send(
                &app,
                Method::POST,
                &refund,
                &shop.admin,
                Some(json!({"positions": [kit_line], "reason": "Broken archive"})),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{partly}");
        assert_eq!(partly["data"]["status"], "partially_refunded");
        assert_eq!(partly["data"]["refunded"]["amount"], 3190);
        assert_eq!(balance(&app, &Account::customer_cash()).await, -4840 + 3190);
        assert_eq!(balance(&app, &pending).await, 1350);
        assert_eq!(balance(&app, &Account::platform_commission()).await, 150);
        assert_eq!(balance(&app, &Account::taxes_payable()).await, 150);
        assert_error(app.get(&link).await, 409, "CONFLICT").await;
        let (_, files) = envelope(app.get_with(&downloads, &shop.buyer).await).await;
        assert_eq!(files["data"], json!([]));
        let repeat = send(
            &app,
            Method::POST,
            &refund,
            &shop.admin,
            Some(json!({"positions": [kit_line], "reason": "Broken archive"})),
        )
        .await;
        assert_error(repeat, 409, "CONFLICT").await;
        app.email_to("buyer@example.com", "Your order was refunded")
            .await;

        // The rest: everything is back where it started.
        let (status, whole) = envelope(
            send(
                &app,
                Method::POST,
                &refund,
                &shop.admin,
                Some(json!({"reason": "Goodwill"})),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{whole}");
        assert_eq!(whole["data"]["status"], "refunded");
        assert_eq!(whole["data"]["paymentStatus"], "refunded");
        // Each refund is listed; the sandbox accepts its refunds at once.
        let refunds = whole["data"]["refunds"].as_array().unwrap();
        let given: Vec<(i64, &str, &str)> = refunds
            .iter()
            .map(|r| {
                (
                    r["amount"]["amount"].as_i64().unwrap(),
                    r["provider"].as_str().unwrap(),
                    r["status"].as_str().unwrap(),
                )
            })
            .collect();
        let total = whole["data"]["total"]["amount"].as_i64().unwrap();
        assert_eq!(given.len(), 2, "{refunds:?}");
        assert_eq!(given.iter().map(|g| g.0).sum::<i64>(), total);
        assert!(
            given.iter().all(|g| g.1 == "sandbox" && g.2 == "accepted"),
            "{given:?}"
        );
        for account in [
            Account::customer_cash(),
            pending,
            Account::platform_commission(),
            Account::taxes_payable(),
        ] {
            assert_eq!(balance(&app, &account).await, 0, "{}", account.as_str());
        }
        let done = send(
            &app,
            Method::POST,
            &refund,
            &shop.admin,
            Some(json!({"reason": "Again"})),
        )
        .await;
        assert_error(done, 409, "CONFLICT").await;
        assert_balanced(&app).await;
        let _ = shop.seller;
    })
    .await;
}

/// `POST /api/v1/vendors/me/payouts` for `amount` as `token`.
async fn ask_payout(app: &TestApp, token: &str, amount: i64) -> reqwest::Response {
    let body = json!({"amount": amount});
    send(
        app,
        Method::POST,
        "/api/v1/vendors/me/payouts",
        token,
        Some(body),
    )
    .await
}

/// Places and pays (sandbox, good card) an order of what is in `buyer`'s cart, then waits
/// for the maturing job (due at once with a hold of 0 days) to complete it: its id.
async fn bought_and_matured(app: &TestApp, buyer: &str, key: &str) -> String {
    let (_, order) = envelope(place(app, buyer, key, checkout()).await).await;
    let id = order["data"]["id"].as_str().unwrap().to_owned();
    let pay = format!("/api/v1/orders/{id}/pay");
    let paid = send(app, Method::POST, &pay, buyer, Some(card(GOOD_CARD))).await;
    assert_eq!(paid.status(), 200);
    let mut status = Value::Null;
    for _ in 0..100 {
        let (_, seen) = envelope(app.get_with(&format!("/api/v1/orders/{id}"), buyer).await).await;
        status = seen["data"]["status"].clone();
        if status == "completed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "completed");
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn a_late_refund_is_owed_back_from_the_vendors_next_earnings() {
    on_each_backend(|app| async move {
        let shop = shop(&app).await;
        set(&app, &shop.admin, &EARNINGS_HOLD_DAYS, 0).await;
        set(&app, &shop.admin, &PAYOUT_MINIMUM, 1000).await;
        let vendor = app::platform::types::Id::from_trusted(shop.seller_id.clone());
        let (available, debt) = (
            Account::vendor_available(&vendor),
            Account::vendor_debt(&vendor),
        );
        add_to_cart(&app, &shop.buyer, &shop.guide).await;
        let guide_order = bought_and_matured(&app, &shop.buyer, "m-1").await;
        assert_eq!(balance(&app, &Account::vendor_pending(&vendor)).await, 0);
        assert_eq!(balance(&app, &available).await, 1350);

        // The vendor is paid out 1000 of it; a refund now takes the 350 left and books 1000
        // as the vendor's debt, explicitly — no wallet goes below zero.
        let mut tx = app::platform::tx::Tx::begin(&app.services).await.unwrap();
        let mut payout = app::ledger::model::Posting::new(
            "payout:test".into(),
            app::ledger::model::Kind::Payout,
            String::new(),
        );
        payout.add(available.clone(), "USD", -1000);
        payout.add(Account::payouts_paid(), "USD", 1000);
        ledger::post(&mut tx, &payout).await.unwrap();
        tx.commit().await.unwrap();
        let refund = |id: &str| format!("/api/v1/admin/orders/{id}/refund");
        let reason = json!({"reason": "Chargeback"});
        let (status, body) = envelope(
            send(
                &app,
                Method::POST,
                &refund(&guide_order),
                &shop.admin,
                Some(reason.clone()),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(balance(&app, &available).await, 0);
        assert_eq!(balance(&app, &debt).await, -1000);
        assert_eq!(balance(&app, &Account::customer_cash()).await, 0);

        // The vendor's next sale pays it back first: of the kit's 2610, 1000 goes to the debt.
        add_to_cart(&app, &shop.buyer, &shop.kit).await;
        let kit_order = bought_and_matured(&app, &shop.buyer, "m-2").await;
        assert_eq!(balance(&app, &debt).await, 0);
        assert_eq!(balance(&app, &available).await, 1610);

        // A payout request sets 1500 aside; refunding the kit then takes the 110 left and
        // books 2500 of debt; rejecting the payout returns its 1500, which pays part of it
        // back. A vendor who still owes has nothing to pay out.
        let (status, requested) = envelope(ask_payout(&app, &shop.seller, 1500).await).await;
        assert_eq!(status, 201, "{requested}");
        let (status, body) = envelope(
            send(
                &app,
                Method::POST,
                &refund(&kit_order),
                &shop.admin,
                Some(reason),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(balance(&app, &available).await, 0);
        assert_eq!(balance(&app, &debt).await, -2500);
        let reject = format!(
            "/api/v1/admin/payouts/{}/reject",
            requested["data"]["id"].as_str().unwrap()
        );
        let (status, body) = envelope(
            send(
                &app,
                Method::POST,
                &reject,
                &shop.admin,
                Some(json!({"reason": "Owes a refund"})),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(balance(&app, &Account::vendor_payout(&vendor)).await, 0);
        assert_eq!(balance(&app, &available).await, 0);
        assert_eq!(balance(&app, &debt).await, -1000);
        let (_, earnings) = envelope(
            app.get_with("/api/v1/vendors/me/earnings", &shop.seller)
                .await,
        )
        .await;
        assert_eq!(earnings["data"]["available"]["amount"], 0);
        assert_eq!(earnings["data"]["debt"]["amount"], -1000);
        assert_error(ask_payout(&app, &shop.seller, 1000).await, 409, "CONFLICT").await;
        let seller = crate::fixtures::form_login(&app, "flows@example.com", PASSWORD).await;
        let page = app.html_with_cookie("/vendor/earnings", &seller).await;
        assert!(page.contains("You owe 10.00 USD"), "{page}");
        assert_balanced(&app).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn payouts_take_only_available_earnings_through_every_staff_step() {
    on_each_backend(|app| async move {
        let shop = shop(&app).await;
        set(&app, &shop.admin, &EARNINGS_HOLD_DAYS, 0).await;
        add_to_cart(&app, &shop.buyer, &shop.kit).await;
        add_to_cart(&app, &shop.buyer, &shop.guide).await;
        let (_, order) = envelope(place(&app, &shop.buyer, "p-1", checkout()).await).await;
        let id = order["data"]["id"].as_str().unwrap().to_owned();
        let pay = format!("/api/v1/orders/{id}/pay");
        let paid = send(&app, Method::POST, &pay, &shop.buyer, Some(card(GOOD_CARD))).await;
        assert_eq!(paid.status(), 200);
        let mut available = Value::Null;
        for _ in 0..100 {
            let (_, earnings) = envelope(
                app.get_with("/api/v1/vendors/me/earnings", &shop.seller)
                    .await,
            )
            .await;
            available = earnings["data"]["available"]["amount"].clone();
            if available == 3960 {
                let days = earnings["data"]["perDay"].as_array().unwrap();
                assert_eq!(days.len(), 30);
                assert_eq!(days[29]["amount"], 3960, "today's sales");
                assert!(!earnings["data"]["history"].as_array().unwrap().is_empty());
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(available, 3960);

        let small = ask_payout(&app, &shop.seller, 3960).await;
        let body = assert_error(small, 400, "VALIDATION_ERROR").await;
        assert!(
            body["error"]["details"][0]["message"]
                .as_str()
                .unwrap()
                .contains("50.00 USD")
        );
        set(&app, &shop.admin, &PAYOUT_MINIMUM, 1000).await;
        let greedy = ask_payout(&app, &shop.seller, 5000).await;
        let body = assert_error(greedy, 409, "CONFLICT").await;
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("39.60 USD")
        );
        assert_error(ask_payout(&app, &shop.buyer, 1000).await, 403, "FORBIDDEN").await;

        let (status, first) = envelope(ask_payout(&app, &shop.seller, 2000).await).await;
        assert_eq!(status, 201, "{first}");
        assert_eq!(first["data"]["status"], "requested");
        let first = first["data"]["id"].as_str().unwrap().to_owned();
        let (_, earnings) = envelope(
            app.get_with("/api/v1/vendors/me/earnings", &shop.seller)
                .await,
        )
        .await;
        assert_eq!(earnings["data"]["available"]["amount"], 1960);
        assert_eq!(earnings["data"]["requested"]["amount"], 2000);

        let step = |id: &str, what: &str| format!("/api/v1/admin/payouts/{id}/{what}");
        let early = send(
            &app,
            Method::POST,
            &step(&first, "mark-paid"),
            &shop.admin,
            Some(json!({"reference": "T-1"})),
        )
        .await;
        assert_error(early, 409, "CONFLICT").await;
        assert_error(
            send(
                &app,
                Method::POST,
                &step(&first, "approve"),
                &shop.seller,
                None,
            )
            .await,
            403,
            "FORBIDDEN",
        )
        .await;
        let (status, approved) = envelope(
            send(
                &app,
                Method::POST,
                &step(&first, "approve"),
                &shop.admin,
                None,
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{approved}");
        assert_eq!(approved["data"]["status"], "approved");
        assert_error(
            send(
                &app,
                Method::POST,
                &step(&first, "approve"),
                &shop.admin,
                None,
            )
            .await,
            409,
            "CONFLICT",
        )
        .await;
        let blank = send(
            &app,
            Method::POST,
            &step(&first, "mark-paid"),
            &shop.admin,
            Some(json!({"reference": " "})),
        )
        .await;
        assert_error(blank, 400, "VALIDATION_ERROR").await;
        let (status, sent) = envelope(
            send(
                &app,
                Method::POST,
                &step(&first, "mark-paid"),
                &shop.admin,
                Some(json!({"reference": "SEPA-42"})),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{sent}");
        assert_eq!(sent["data"]["reference"], "SEPA-42");
        assert_eq!(balance(&app, &Account::payouts_paid()).await, 2000);
        app.email_to("flows@example.com", "Payout sent").await;

        // A rejected request gives the amount back.
        let (_, second) = envelope(ask_payout(&app, &shop.seller, 1500).await).await;
        let second = second["data"]["id"].as_str().unwrap().to_owned();
        let (status, rejected) = envelope(
            send(
                &app,
                Method::POST,
                &step(&second, "reject"),
                &shop.admin,
                Some(json!({"reason": "Bank details unclear"})),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{rejected}");
        assert_error(
            send(
                &app,
                Method::POST,
                &step(&second, "reject"),
                &shop.admin,
                Some(json!({"reason": "Again"})),
            )
            .await,
            409,
            "CONFLICT",
        )
        .await;
        let (_, earnings) = envelope(
            app.get_with("/api/v1/vendors/me/earnings", &shop.seller)
                .await,
        )
        .await;
        assert_eq!(earnings["data"]["available"]["amount"], 1960);
        assert_eq!(earnings["data"]["requested"]["amount"], 0);
        assert_eq!(earnings["data"]["paidOut"]["amount"], 2000);

        // Eight requests of 1,000 at once from 1,960: exactly one is granted.
        let attempts = (0..8).map(|_| ask_payout(&app, &shop.seller, 1000));
        let statuses: Vec<u16> = futures_util::future::join_all(attempts)
            .await
            .iter()
            .map(|r| r.status().as_u16())
            .collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 201 || *s == 409),
            "{statuses:?}"
        );
        let vendor = app::platform::types::Id::from_trusted(shop.seller_id.clone());
        assert_eq!(
            balance(&app, &Account::vendor_available(&vendor)).await,
            960
        );
        let (_, listed) = envelope(
            app.get_with(
                "/api/v1/admin/payouts?filter[status]=requested",
                &shop.admin,
            )
            .await,
        )
        .await;
        assert_eq!(listed["pagination"]["total"], 1);
        assert_balanced(&app).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_guest_cart_is_merged_at_sign_in_and_checked_out_through_the_pages() {
    use crate::fixtures::post_form;
    use crate::helpers::response_cookie;
    on_each_backend(|app| async move {
        let shop = shop(&app).await;
        // A guest fills a cart: it lives in a signed cookie.
        let added = post_form(&app, "/rpc/cart/add", None, &[("product_id", &shop.kit)]).await;
        assert_eq!(added.status(), 302);
        let guest = response_cookie(&added, "agora_cart").expect("a guest cart cookie");
        let added = post_form(
            &app,
            "/rpc/cart/add",
            Some(&guest),
            &[("product_id", &shop.guide)],
        )
        .await;
        let guest = response_cookie(&added, "agora_cart").unwrap();
        let page = app.html_with_cookie("/cart", &guest).await;
        assert!(
            page.contains("Lead kit") && page.contains("Invoice guide"),
            "{page}"
        );
        assert!(page.contains("44.00 USD"));
        assert!(page.contains("Sign in to check out"));
        let twice = post_form(
            &app,
            "/rpc/cart/add",
            Some(&guest),
            &[("product_id", &shop.kit)],
        )
        .await;
        let back = twice.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            back.contains("__err="),
            "the same product twice is refused: {back}"
        );
        let forged = format!("agora_cart={}x", guest.trim_start_matches("agora_cart="));
        assert!(
            !app.html_with_cookie("/cart", &forged)
                .await
                .contains("Lead kit")
        );

        // Signing in merges it into the stored cart and clears the cookie.
        let login = post_form(
            &app,
            "/rpc/auth/login",
            Some(&guest),
            &[
                ("email", "buyer@example.com"),
                ("password", PASSWORD),
                ("next", "/checkout"),
            ],
        )
        .await;
        assert_eq!(login.status(), 302);
        assert!(response_cookie(&login, "agora_cart").is_some_and(|c| c == "agora_cart="));
        let session = crate::fixtures::session_cookie(&login).unwrap();
        let (_, cart) = envelope(app.get_with("/api/v1/cart", &shop.buyer).await).await;
        assert_eq!(cart["data"]["lines"].as_array().unwrap().len(), 2);

        // Checkout through the page's form: a declined card leaves the order payable, with
        // the reason on its page; paying again settles it.
        let checkout_page = app.html_with_cookie("/checkout", &session).await;
        assert!(checkout_page.contains("Place order") && checkout_page.contains("44.00 USD"));
        let key = "page-checkout-1";
        let placed = post_form(
            &app,
            "/rpc/orders/place",
            Some(&session),
            &[
                ("key", key),
                ("billing_name", "Ada Lovelace"),
                ("billing_country", "GB"),
                ("card_number", "4000 0000 0000 0002"),
                ("card_expiry", "12/39"),
                ("card_cvc", "123"),
            ],
        )
        .await;
        assert_eq!(placed.status(), 302);
        let location = placed.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("/orders/"), "{location}");
        let order_page = app.html_with_cookie(&location, &session).await;
        assert!(
            order_page.contains("Your card was declined"),
            "{order_page}"
        );
        assert!(order_page.contains("Pay 44.00 USD"));
        let id = location.trim_start_matches("/orders/").to_owned();
        let paid = post_form(
            &app,
            "/rpc/orders/pay",
            Some(&session),
            &[
                ("id", &id),
                ("card_number", GOOD_CARD),
                ("card_expiry", "12/39"),
                ("card_cvc", "123"),
            ],
        )
        .await;
        assert_eq!(paid.status(), 302);
        let order_page = app.html_with_cookie(&location, &session).await;
        assert!(
            order_page.contains("your payment went through"),
            "{order_page}"
        );
        assert!(order_page.contains("Download lead kit.zip"));
        let orders = app.html_with_cookie("/orders", &session).await;
        assert!(orders.contains(&id[..8]));

        // Staff see it, the ledger page says the books balance, and the vendor sees earnings.
        let staff = crate::fixtures::staff_cookie(&app, Role::Admin).await;
        assert!(
            app.html_with_cookie("/admin/orders?search=buyer", &staff)
                .await
                .contains(&id[..8])
        );
        assert!(
            app.html_with_cookie(&format!("/admin/orders/{id}"), &staff)
                .await
                .contains("Refund the whole order")
        );
        assert!(
            app.html_with_cookie("/admin/ledger", &staff)
                .await
                .contains("Ledger balanced")
        );
        let vendor = crate::fixtures::form_login(&app, "flows@example.com", PASSWORD).await;
        let earnings = app.html_with_cookie("/vendor/earnings", &vendor).await;
        assert!(
            earnings.contains("39.60 USD"),
            "pending earnings: {earnings}"
        );
    })
    .await;
}

/// One random step of the money property test; what it did, for the failure message.
async fn random_step(
    app: &TestApp,
    dice: &mut crate::ledger::Dice,
    shop: &Shop,
    buyers: &[app::platform::identity::Actor],
    products: &[app::platform::types::Id],
    vendors: &[(app::platform::identity::Actor, app::platform::types::Id)],
) -> String {
    use app::earnings::service::{self as earnings, Decision};
    use app::error::AppError;
    use app::orders::settlement::{self, RefundRequest};
    use app::payments::model::{Card, PaymentMethod};
    let staff_actor = app.actor(&shop.admin).await;
    let staff = staff_actor.staff().unwrap();
    let pick = |dice: &mut crate::ledger::Dice, n: usize| dice.below(n as u64) as usize;
    let orders: Vec<(app::platform::types::Id, String)> =
        sqlx::query_as("SELECT id, status FROM orders ORDER BY created_at, id")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    let expected = |result: Result<(), AppError>| match result {
        Ok(()) => "ok".to_owned(),
        Err(e @ (AppError::Conflict(_) | AppError::PaymentFailed(_) | AppError::Validation(_))) => {
            format!("refused: {e}")
        }
        Err(e) => panic!("unexpected {e:?}"),
    };
    match dice.below(5) {
        0 | 1 => {
            let buyer = &buyers[pick(dice, buyers.len())];
            for _ in 0..=dice.below(2) {
                let product = &products[pick(dice, products.len())];
                let _ = app::cart::service::add(&app.services, buyer, product).await;
            }
            let key = format!("prop-{}", dice.below(u64::MAX));
            let checkout = app::orders::model::Checkout {
                billing_name: "Prop Buyer".into(),
                billing_country: "FR".into(),
            };
            let placed = app::orders::service::place(&app.services, buyer, &key, &checkout).await;
            let order = match placed {
                Ok(app::orders::service::Placed::New(order)) => order,
                other => return format!("place: {}", expected(other.map(drop))),
            };
            let number = if dice.below(4) == 0 {
                "4000000000000002"
            } else {
                GOOD_CARD
            };
            let card = Card {
                number: number.into(),
                expiry: "12/39".into(),
                cvc: "123".into(),
            };
            let paid = app::orders::payment::pay(
                &app.services,
                buyer,
                &order.id,
                PaymentMethod::Sandbox,
                Some(&card),
            )
            .await;
            format!("buy {}: {}", order.id, expected(paid.map(drop)))
        }
        2 if !orders.is_empty() => {
            let (id, status) = &orders[pick(dice, orders.len())];
            let positions = if dice.below(2) == 0 { vec![] } else { vec![1] };
            let request = RefundRequest {
                positions,
                reason: "Property test".into(),
            };
            let result = settlement::refund(&app.services, staff, id, &request).await;
            format!("refund {id} ({status}): {}", expected(result.map(drop)))
        }
        3 if !orders.is_empty() => {
            let (id, _) = &orders[pick(dice, orders.len())];
            format!(
                "mature {id}: {}",
                expected(settlement::mature(&app.services, staff, id).await)
            )
        }
        _ => {
            let (vendor, _) = &vendors[pick(dice, vendors.len())];
            let payouts: Vec<app::platform::types::Id> = sqlx::query_scalar(
                "SELECT id FROM payouts WHERE status IN ('requested', 'approved')",
            )
            .fetch_all(app.db.pool())
            .await
            .unwrap();
            if payouts.is_empty() || dice.below(2) == 0 {
                let amount = 1 + dice.below(5_000) as i64;
                let result = earnings::request(&app.services, vendor, amount).await;
                format!("payout {amount}: {}", expected(result.map(drop)))
            } else {
                let id = &payouts[pick(dice, payouts.len())];
                let decision = match dice.below(3) {
                    0 => Decision::Approve,
                    1 => Decision::Reject {
                        reason: "Property test".into(),
                    },
                    _ => Decision::MarkPaid {
                        reference: "PROP-1".into(),
                    },
                };
                let result = earnings::decide(&app.services, staff, id, &decision).await;
                format!("{decision:?} {id}: {}", expected(result.map(drop)))
            }
        }
    }
}

/// No vendor's debt is positive, and one who owes has nothing available (what comes in pays
/// the debt back first).
async fn assert_owing_vendors_have_nothing_available(
    app: &TestApp,
    vendors: &[(app::platform::identity::Actor, app::platform::types::Id)],
    log: &[String],
) {
    for (_, vendor) in vendors {
        let debt = balance(app, &Account::vendor_debt(vendor)).await;
        let available = balance(app, &Account::vendor_available(vendor)).await;
        assert!(
            debt <= 0 && (debt == 0 || available == 0),
            "debt {debt}, available {available}: {log:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn random_payments_refunds_maturing_and_payouts_keep_the_books_balanced() {
    on_each_backend(|app| async move {
        let shop = shop(&app).await;
        set(&app, &shop.admin, &TAX_RATE_BPS, 1900).await;
        set(&app, &shop.admin, &PAYOUT_MINIMUM, 1).await;
        let admin = shop.admin.clone();
        let second = vendor(&app, &admin, "pages@example.com", "Pages").await;
        let writing = category(&app, &admin, "Writing").await;
        let mut products = vec![shop.kit.clone(), shop.guide.clone()];
        for title in ["Prompt book", "Style guide"] {
            let mut body = product(title, &writing);
            body["price"] = json!(1999);
            products.push(live_product(&app, &second, &admin, body).await);
        }
        let products: Vec<_> = products
            .into_iter()
            .map(app::platform::types::Id::from_trusted)
            .collect();
        let mut buyers = Vec::new();
        for i in 0..4 {
            let token = staff_token(&app, &format!("prop{i}@example.com"), Role::User).await;
            buyers.push(app.actor(&token).await);
        }
        let mut vendors = Vec::new();
        for token in [&shop.seller, &second] {
            let (_, store) = envelope(app.get_with("/api/v1/vendors/me", token).await).await;
            let id = app::platform::types::Id::from_trusted(store["data"]["id"].as_str().unwrap());
            vendors.push((app.actor(token).await, id));
        }
        let mut dice = crate::ledger::Dice(0x9e37_79b9_7f4a_7c15);
        let mut log = Vec::new();
        for step in 0..150 {
            log.push(random_step(&app, &mut dice, &shop, &buyers, &products, &vendors).await);
            if step % 25 == 24 {
                assert_balanced(&app).await;
                assert_owing_vendors_have_nothing_available(&app, &vendors, &log).await;
            }
        }
        assert_balanced(&app).await;
        assert_owing_vendors_have_nothing_available(&app, &vendors, &log).await;
        // The buyers' money is exactly what they paid less what came back.
        let (paid, refunded): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT CAST(SUM(total_amount) AS BIGINT), CAST(SUM(refunded_amount) AS BIGINT) \
             FROM orders WHERE paid_at IS NOT NULL",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let net = paid.unwrap_or(0) - refunded.unwrap_or(0);
        assert_eq!(
            balance(&app, &Account::customer_cash()).await,
            -net,
            "{log:#?}"
        );
        // Every payout's amount sits where its state says.
        for (_, vendor) in &vendors {
            let held: Option<i64> = sqlx::query_scalar(
                "SELECT CAST(SUM(amount) AS BIGINT) FROM payouts WHERE vendor_id = $1 \
                 AND status IN ('requested', 'approved')",
            )
            .bind(vendor)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
            assert_eq!(
                balance(&app, &Account::vendor_payout(vendor)).await,
                held.unwrap_or(0)
            );
        }
        let kinds: Vec<(String, i64)> = sqlx::query_as(
            "SELECT kind, COUNT(*) FROM ledger_transactions GROUP BY kind ORDER BY kind",
        )
        .fetch_all(app.db.pool())
        .await
        .unwrap();
        assert!(
            kinds.len() >= 4,
            "the run exercised sales, refunds, maturing and payouts: {kinds:?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn order_events_fire_after_their_commits_only() {
    on_each_backend(|app| async move {
        let shop = shop(&app).await;
        let mut events = app.services.events.subscribe();
        add_to_cart(&app, &shop.buyer, &shop.guide).await;
        // Refused before anything is written: no event.
        let refused = place(
            &app,
            &shop.buyer,
            "e-1",
            json!({"billingName": "", "billingCountry": "GB"}),
        )
        .await;
        assert_eq!(refused.status(), 400);
        let (_, order) = envelope(place(&app, &shop.buyer, "e-1", checkout()).await).await;
        let id = order["data"]["id"].as_str().unwrap().to_owned();
        let pay = format!("/api/v1/orders/{id}/pay");
        let declined = send(
            &app,
            Method::POST,
            &pay,
            &shop.buyer,
            Some(card("4000000000000002")),
        )
        .await;
        assert_eq!(declined.status(), 402);
        let paid = send(&app, Method::POST, &pay, &shop.buyer, Some(card(GOOD_CARD))).await;
        assert_eq!(paid.status(), 200);
        let refund = format!("/api/v1/admin/orders/{id}/refund");
        let refunded = send(
            &app,
            Method::POST,
            &refund,
            &shop.admin,
            Some(json!({"reason": "Test"})),
        )
        .await;
        assert_eq!(refunded.status(), 200);
        let mut names = Vec::new();
        while let Ok(event) = events.try_recv() {
            if event.name.starts_with("order.") || event.name.starts_with("payment.") {
                assert_eq!(event.data["orderId"], id.as_str(), "{event:?}");
                names.push(event.name);
            }
        }
        assert_eq!(
            names,
            [
                "order.created",
                "payment.failed",
                "order.paid",
                "order.refunded"
            ]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn checkouts_leave_the_catalogs_cached_reads_fresh() {
    on_each_backend(|app| async move {
        let shop = shop(&app).await;
        let (_, listed) = envelope(app.get("/api/v1/products?limit=5").await).await;
        let before = app.services.reads.generation();
        add_to_cart(&app, &shop.buyer, &shop.guide).await;
        let (_, order) = envelope(place(&app, &shop.buyer, "c-1", checkout()).await).await;
        let id = order["data"]["id"].as_str().unwrap().to_owned();
        let pay = format!("/api/v1/orders/{id}/pay");
        assert_eq!(
            send(&app, Method::POST, &pay, &shop.buyer, Some(card(GOOD_CARD)))
                .await
                .status(),
            200
        );
        assert_eq!(
            app.services.reads.generation(),
            before,
            "a checkout changes no public list"
        );
        let (_, again) = envelope(app.get("/api/v1/products?limit=5").await).await;
        assert_eq!(again["data"], listed["data"]);
        // A catalog write still makes them stale.
        let automation = category(&app, &shop.admin, "Bundles").await;
        live_product(
            &app,
            &shop.seller,
            &shop.admin,
            product("Fresh kit", &automation),
        )
        .await;
        assert_ne!(app.services.reads.generation(), before);
        let (_, fresh) = envelope(app.get("/api/v1/products?limit=5").await).await;
        assert_eq!(fresh["data"][0]["title"], "Fresh kit");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_vendors_own_commission_applies_to_orders_placed_after_it() {
    on_each_backend(|app| async move {
        let shop = shop(&app).await;
        let path = format!("/api/v1/admin/vendors/{}/commission", shop.seller_id);
        let too_much = send(
            &app,
            Method::PUT,
            &path,
            &shop.admin,
            Some(json!({"commissionBps": 10001})),
        )
        .await;
        assert_error(too_much, 400, "VALIDATION_ERROR").await;
        let manager = staff_token(&app, "manager@example.com", Role::Manager).await;
        assert_error(
            send(
                &app,
                Method::PUT,
                &path,
                &manager,
                Some(json!({"commissionBps": 0})),
            )
            .await,
            403,
            "FORBIDDEN",
        )
        .await;
        // Placed at the site's 10 %, paid after the override: the order keeps its 10 %.
        add_to_cart(&app, &shop.buyer, &shop.guide).await;
        let (_, before) = envelope(place(&app, &shop.buyer, "v-1", checkout()).await).await;
        let (status, vendor) = envelope(
            send(
                &app,
                Method::PUT,
                &path,
                &shop.admin,
                Some(json!({"commissionBps": 250})),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{vendor}");
        assert_eq!(vendor["data"]["commissionBps"], 250);
        let first = before["data"]["id"].as_str().unwrap();
        let paid = send(
            &app,
            Method::POST,
            &format!("/api/v1/orders/{first}/pay"),
            &shop.buyer,
            Some(card(GOOD_CARD)),
        )
        .await;
        assert_eq!(paid.status(), 200);
        assert_eq!(balance(&app, &Account::platform_commission()).await, 150);
        // Placed after it: 2.5 % of 29.00 is 0.725, rounded half up to 0.73.
        add_to_cart(&app, &shop.buyer, &shop.kit).await;
        let (_, after) = envelope(place(&app, &shop.buyer, "v-2", checkout()).await).await;
        let second = after["data"]["id"].as_str().unwrap();
        let paid = send(
            &app,
            Method::POST,
            &format!("/api/v1/orders/{second}/pay"),
            &shop.buyer,
            Some(card(GOOD_CARD)),
        )
        .await;
        assert_eq!(paid.status(), 200);
        assert_eq!(
            balance(&app, &Account::platform_commission()).await,
            150 + 73
        );
        let vendor_id = app::platform::types::Id::from_trusted(shop.seller_id.clone());
        assert_eq!(
            balance(&app, &Account::vendor_pending(&vendor_id)).await,
            1350 + 2827
        );
        // Back on the site's rate.
        let (_, reset) = envelope(
            send(
                &app,
                Method::PUT,
                &path,
                &shop.admin,
                Some(json!({"commissionBps": null})),
            )
            .await,
        )
        .await;
        assert_eq!(reset["data"]["commissionBps"], Value::Null);
        assert_balanced(&app).await;
    })
    .await;
}
