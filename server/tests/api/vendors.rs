//! Storefronts: applying, the staff review and its state machine, who may do what, and what
//! the public sees — through the API and the pages, on each backend.

use crate::fixtures::{read_only_key, register, staff_cookie, staff_token};
use crate::helpers::{TestApp, assert_error, envelope, on_each_backend};
use app::platform::identity::Role;
use serde_json::{Value, json};

fn application(store: &str) -> Value {
    json!({
        "storeName": store,
        "description": "Notion and n8n templates for small agencies.",
        "website": "https://northwind.example",
        "contactEmail": "hello@northwind.example",
        "payoutMethod": "paypal",
        "payoutDetails": "payouts@northwind.example",
    })
}

async fn customer(app: &TestApp, email: &str) -> String {
    register(app, email).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn apply(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/vendors/apply", Some(token), body)
        .await
}

async fn decide(
    app: &TestApp,
    token: &str,
    id: &str,
    action: &str,
    body: Value,
) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/admin/vendors/{id}/{action}"),
        Some(token),
        body,
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_approved_application_opens_a_storefront_and_makes_a_vendor() {
    on_each_backend(|app| async move {
        let seller = customer(&app, "seller@example.com").await;
        let (status, body) =
            envelope(apply(&app, &seller, application("Northwind Templates")).await).await;
        assert_eq!(status, 201, "{body}");
        let vendor = &body["data"];
        assert_eq!(vendor["status"], "pending");
        assert_eq!(vendor["slug"], "northwind-templates", "made from the name");
        let id = vendor["id"].as_str().unwrap().to_owned();
        // Not public while pending.
        assert_error(
            app.get("/api/v1/vendors/northwind-templates").await,
            404,
            "NOT_FOUND",
        )
        .await;
        // Applying again while pending is a conflict, and so is another seller's same name.
        assert_error(
            apply(&app, &seller, application("Other")).await,
            409,
            "CONFLICT",
        )
        .await;
        let rival = customer(&app, "rival@example.com").await;
        let body = assert_error(
            apply(&app, &rival, application("NORTHWIND templates")).await,
            409,
            "CONFLICT",
        )
        .await;
        assert_eq!(body["error"]["details"][0]["field"], "storeName");

        let manager = staff_token(&app, "manager@example.com", Role::Manager).await;
        let (status, queue) = envelope(
            app.get_with("/api/v1/admin/vendors?filter[status]=pending", &manager)
                .await,
        )
        .await;
        assert_eq!(status, 200, "{queue}");
        assert_eq!(queue["pagination"]["total"], 1);
        let (status, approved) =
            envelope(decide(&app, &manager, &id, "approve", json!({})).await).await;
        assert_eq!(status, 200, "{approved}");
        assert_eq!(approved["data"]["status"], "approved");
        // A decision is made once.
        assert_error(
            decide(&app, &manager, &id, "approve", json!({})).await,
            409,
            "CONFLICT",
        )
        .await;
        assert_error(
            decide(
                &app,
                &manager,
                &id,
                "reject",
                json!({"reason": "Changed my mind"}),
            )
            .await,
            409,
            "CONFLICT",
        )
        .await;

        let (_, me) = envelope(app.get_with("/api/v1/auth/me", &seller).await).await;
        assert_eq!(me["data"]["role"], "vendor");
        let (status, store) = envelope(app.get("/api/v1/vendors/northwind-templates").await).await;
        assert_eq!(status, 200, "{store}");
        assert_eq!(store["data"]["storeName"], "Northwind Templates");
        assert!(store["data"].get("payoutDetails").is_none(), "{store}");
        assert!(!store.to_string().contains("payouts@northwind.example"));
        let (text, _) = app
            .email_to("hello@northwind.example", "Your storefront is approved")
            .await;
        assert!(text.contains("/vendors/northwind-templates"), "{text}");
        let html = app
            .get("/vendors/northwind-templates")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("<h1") && html.contains("Northwind Templates"),
            "{html}"
        );
        let audited: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'vendors.approve' AND target = $1",
        )
        .bind(format!("vendor:{id}"))
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(audited, 1);
        // The owner edits the store; a reserved or taken address is refused.
        let mut changes = application("Northwind Studio");
        changes["slug"] = json!("northwind");
        let response = app
            .client
            .put(app.url("/api/v1/vendors/me"))
            .bearer_auth(&seller)
            .json(&changes)
            .send()
            .await
            .unwrap();
        let (status, body) = envelope(response).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["slug"], "northwind");
        changes["slug"] = json!("me");
        let response = app
            .client
            .put(app.url("/api/v1/vendors/me"))
            .bearer_auth(&seller)
            .json(&changes)
            .send()
            .await
            .unwrap();
        assert_error(response, 409, "CONFLICT").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejection_needs_a_reason_and_the_applicant_may_apply_again() {
    on_each_backend(|app| async move {
        let seller = customer(&app, "seller@example.com").await;
        let (_, body) = envelope(apply(&app, &seller, application("Quick Bucks")).await).await;
        let id = body["data"]["id"].as_str().unwrap().to_owned();
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let body = assert_error(
            decide(&app, &admin, &id, "reject", json!({"reason": "  "})).await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(body["error"]["details"][0]["field"], "reason");
        let (status, rejected) = envelope(
            decide(
                &app,
                &admin,
                &id,
                "reject",
                json!({"reason": "Describe what you will sell."}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{rejected}");
        let (_, mine) = envelope(app.get_with("/api/v1/vendors/me", &seller).await).await;
        assert_eq!(mine["data"]["status"], "rejected");
        assert_eq!(
            mine["data"]["rejectionReason"],
            "Describe what you will sell."
        );
        let (text, _) = app
            .email_to(
                "hello@northwind.example",
                "Your storefront application was not approved",
            )
            .await;
        assert!(text.contains("Describe what you will sell."), "{text}");
        let (_, me) = envelope(app.get_with("/api/v1/auth/me", &seller).await).await;
        assert_eq!(me["data"]["role"], "user", "no vendor role on a rejection");
        // Applying again reuses the storefront and clears the reason.
        let (status, again) =
            envelope(apply(&app, &seller, application("Quick Bucks")).await).await;
        assert_eq!(status, 201, "{again}");
        assert_eq!(again["data"]["id"], id.as_str());
        assert_eq!(again["data"]["status"], "pending");
        assert!(again["data"]["rejectionReason"].is_null());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_staff_with_write_access_decide_and_bad_input_writes_nothing() {
    on_each_backend(|app| async move {
        let seller = customer(&app, "seller@example.com").await;
        let (_, body) = envelope(apply(&app, &seller, application("Northwind")).await).await;
        let id = body["data"]["id"].as_str().unwrap().to_owned();
        // A customer (the applicant too) cannot list or decide.
        assert_error(
            app.get_with("/api/v1/admin/vendors", &seller).await,
            403,
            "FORBIDDEN",
        )
        .await;
        assert_error(
            decide(&app, &seller, &id, "approve", json!({})).await,
            403,
            "FORBIDDEN",
        )
        .await;
        // A manager's read-only key reads the queue but cannot decide.
        let manager = staff_token(&app, "manager@example.com", Role::Manager).await;
        let key = read_only_key(&app, &manager).await;
        assert_eq!(
            envelope(app.get_with("/api/v1/admin/vendors", &key).await)
                .await
                .0,
            200
        );
        assert_error(
            decide(&app, &key, &id, "approve", json!({})).await,
            403,
            "FORBIDDEN",
        )
        .await;
        assert_error(
            decide(&app, &manager, "no-such-id", "approve", json!({})).await,
            404,
            "NOT_FOUND",
        )
        .await;
        // Every bad field at once, and nothing stored.
        let other = customer(&app, "other@example.com").await;
        let body = assert_error(
            apply(
                &app,
                &other,
                json!({
                    "storeName": " x",
                    "slug": "Bad Slug",
                    "website": "northwind.example",
                    "contactEmail": "nope",
                    "payoutMethod": "paypal",
                    "payoutDetails": "",
                }),
            )
            .await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        let fields: Vec<&str> = body["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "storeName",
                "slug",
                "website",
                "contactEmail",
                "payoutDetails"
            ]
        );
        assert_error(
            apply(
                &app,
                &other,
                json!({"storeName": "X Store", "payoutMethod": "cash"}),
            )
            .await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM vendors")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(stored, 1);
        assert_error(
            app.get_with("/api/v1/admin/vendors?filter[status]=open", &manager)
                .await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
    })
    .await;
}

/// The pages: a guest is sent to sign in from `/sell`; the staff queue is staff-only.
#[tokio::test(flavor = "multi_thread")]
async fn the_sell_page_needs_a_sign_in_and_the_queue_needs_staff() {
    on_each_backend(|app| async move {
        let response = app
            .client
            .get(app.url("/sell"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 302);
        assert_eq!(response.headers()["location"], "/login?next=/sell");
        let manager = staff_cookie(&app, Role::Manager).await;
        let html = app.html_with_cookie("/admin/vendors", &manager).await;
        assert!(html.contains("<h1") && html.contains("Vendors"), "{html}");
    })
    .await;
}
