//! Products: the draft → pending → active | rejected lifecycle and its illegal moves, who may
//! see and change what, and bad input — through the API, on each backend.

use crate::fixtures::{read_only_key, register, staff_token};
use crate::helpers::{TestApp, assert_error, envelope, on_each_backend};
use app::platform::identity::Role;
use serde_json::{Value, json};

/// An approved vendor's access token: registered, applied, approved by `staff`.
async fn vendor(app: &TestApp, staff: &str, email: &str, store: &str) -> String {
    let token = register(app, email).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let application = json!({
        "storeName": store,
        "contactEmail": email,
        "payoutMethod": "paypal",
        "payoutDetails": email,
    });
    let (status, body) = envelope(
        app.post_json("/api/v1/vendors/apply", Some(&token), application)
            .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["data"]["id"].as_str().unwrap();
    let (status, body) = envelope(
        app.post_json(
            &format!("/api/v1/admin/vendors/{id}/approve"),
            Some(staff),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    token
}

async fn category(app: &TestApp, staff: &str, name: &str) -> String {
    let (status, body) = envelope(
        app.post_json(
            "/api/v1/admin/categories",
            Some(staff),
            json!({"name": name}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["data"]["id"].as_str().unwrap().to_owned()
}

fn product(title: &str, category: &str) -> Value {
    json!({
        "title": title,
        "summary": "Scores inbound leads and routes them to your CRM.",
        "description": "## What you get\n\n- The workflow\n- A guide",
        "price": 2900,
        "compareAt": 3900,
        "categoryId": category,
        "tags": ["n8n", "sales"],
    })
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_product_goes_live_only_through_review() {
    on_each_backend(|app| async move {
        let manager = staff_token(&app, "manager@example.com", Role::Manager).await;
        let seller = vendor(&app, &manager, "seller@example.com", "Flowsmith").await;
        let automation = category(&app, &manager, "Automation").await;
        let (status, body) = envelope(
            app.post_json(
                "/api/v1/vendors/me/products",
                Some(&seller),
                product("Lead scoring for n8n", &automation),
            )
            .await,
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let created = &body["data"];
        assert_eq!(created["status"], "draft");
        assert_eq!(created["slug"], "lead-scoring-for-n8n");
        assert_eq!(created["price"], json!({"amount": 2900, "currency": "USD"}));
        assert_eq!(created["onSale"], true);
        assert_eq!(created["tags"], json!(["n8n", "sales"]));
        let id = created["id"].as_str().unwrap().to_owned();
        let public = format!("/api/v1/products/{id}");
        // A draft is the vendor's and staff's only.
        assert_error(app.get(&public).await, 404, "NOT_FOUND").await;
        let stranger = register(&app, "stranger@example.com").await["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_error(app.get_with(&public, &stranger).await, 404, "NOT_FOUND").await;
        assert_eq!(envelope(app.get_with(&public, &seller).await).await.0, 200);
        assert_eq!(envelope(app.get_with(&public, &manager).await).await.0, 200);
        // Staff cannot approve a draft; the vendor submits it; it cannot change while pending.
        let approve = format!("/api/v1/admin/products/{id}/approve");
        assert_error(
            app.post_json(&approve, Some(&manager), json!({})).await,
            409,
            "CONFLICT",
        )
        .await;
        let submit = format!("/api/v1/vendors/me/products/{id}/submit");
        let (status, body) = envelope(app.post_json(&submit, Some(&seller), json!({})).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["status"], "pending");
        assert_error(
            app.post_json(&submit, Some(&seller), json!({})).await,
            409,
            "CONFLICT",
        )
        .await;
        let own = format!("/api/v1/vendors/me/products/{id}");
        assert_error(
            send(
                &app,
                reqwest::Method::PUT,
                &own,
                &seller,
                Some(product("Changed", &automation)),
            )
            .await,
            409,
            "CONFLICT",
        )
        .await;
        let (_, queue) = envelope(
            app.get_with("/api/v1/admin/products?filter[status]=pending", &manager)
                .await,
        )
        .await;
        assert_eq!(queue["pagination"]["total"], 1);
        // Approved: live for everyone, by id and by slug; the vendor is told.
        let (status, body) =
            envelope(app.post_json(&approve, Some(&manager), json!({})).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["status"], "active");
        assert!(body["data"]["publishedAt"].as_str().is_some());
        assert_eq!(envelope(app.get(&public).await).await.0, 200);
        let (status, by_slug) =
            envelope(app.get("/api/v1/products/lead-scoring-for-n8n").await).await;
        assert_eq!(status, 200);
        assert_eq!(by_slug["data"]["vendorSlug"], "flowsmith");
        app.email_to("seller@example.com", "Your product is live")
            .await;
        // A live product is not deleted, and its category stays.
        assert_error(
            send(&app, reqwest::Method::DELETE, &own, &seller, None).await,
            409,
            "CONFLICT",
        )
        .await;
        let body = assert_error(
            send(
                &app,
                reqwest::Method::DELETE,
                &format!("/api/v1/admin/categories/{automation}"),
                &manager,
                None,
            )
            .await,
            409,
            "CONFLICT",
        )
        .await;
        assert!(
            body["error"]["details"][0]["message"]
                .as_str()
                .unwrap()
                .contains("1 products")
        );
        let audited: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'products.approve'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(audited, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_product_is_fixed_and_submitted_again() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "seller@example.com", "Pages").await;
        let books = category(&app, &admin, "E-books").await;
        let (_, body) = envelope(
            app.post_json(
                "/api/v1/vendors/me/products",
                Some(&seller),
                product("Prompt book", &books),
            )
            .await,
        )
        .await;
        let id = body["data"]["id"].as_str().unwrap().to_owned();
        app.post_json(
            &format!("/api/v1/vendors/me/products/{id}/submit"),
            Some(&seller),
            json!({}),
        )
        .await;
        let reject = format!("/api/v1/admin/products/{id}/reject");
        assert_error(
            app.post_json(&reject, Some(&admin), json!({"reason": "no"}))
                .await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        let (status, body) = envelope(
            app.post_json(
                &reject,
                Some(&admin),
                json!({"reason": "Add a table of contents."}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["status"], "rejected");
        let (text, _) = app
            .email_to("seller@example.com", "Your product was not approved")
            .await;
        assert!(text.contains("Add a table of contents."), "{text}");
        let (_, mine) = envelope(app.get_with("/api/v1/vendors/me/products", &seller).await).await;
        assert_eq!(
            mine["data"][0]["rejectionReason"],
            "Add a table of contents."
        );
        // Changing it makes it a draft again; submitting clears the reason.
        let own = format!("/api/v1/vendors/me/products/{id}");
        let mut fixed = product("Prompt book, with contents", &books);
        fixed["compareAt"] = json!(100);
        let (status, body) =
            envelope(send(&app, reqwest::Method::PUT, &own, &seller, Some(fixed)).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["status"], "draft");
        assert_eq!(body["data"]["slug"], "prompt-book", "the address is kept");
        assert_eq!(
            body["data"]["onSale"], false,
            "a compare-at price below the price is no sale"
        );
        let (_, body) = envelope(
            app.post_json(
                &format!("/api/v1/vendors/me/products/{id}/submit"),
                Some(&seller),
                json!({}),
            )
            .await,
        )
        .await;
        assert_eq!(body["data"]["status"], "pending");
        assert!(body["data"]["rejectionReason"].is_null());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_a_products_vendor_changes_it_and_bad_input_writes_nothing() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "seller@example.com", "Studio").await;
        let rival = vendor(&app, &admin, "rival@example.com", "Rival").await;
        let templates = category(&app, &admin, "Templates").await;
        let (_, body) = envelope(app.post_json("/api/v1/vendors/me/products", Some(&seller), product("Notion CRM", &templates)).await).await;
        let id = body["data"]["id"].as_str().unwrap().to_owned();
        let own = format!("/api/v1/vendors/me/products/{id}");
        // Another vendor cannot see, change, submit or delete it.
        assert_error(send(&app, reqwest::Method::PUT, &own, &rival, Some(product("Mine now", &templates))).await, 404, "NOT_FOUND").await;
        assert_error(send(&app, reqwest::Method::DELETE, &own, &rival, None).await, 404, "NOT_FOUND").await;
        assert_error(app.post_json(&format!("{own}/submit"), Some(&rival), json!({})).await, 404, "NOT_FOUND").await;
        assert_error(app.get_with(&format!("/api/v1/products/{id}"), &rival).await, 404, "NOT_FOUND").await;
        // A customer is not a vendor; a read-only key does not write; a customer is not staff.
        let customer = register(&app, "cust@example.com").await["accessToken"].as_str().unwrap().to_owned();
        assert_error(app.post_json("/api/v1/vendors/me/products", Some(&customer), product("Nope", &templates)).await, 403, "FORBIDDEN").await;
        let key = read_only_key(&app, &seller).await;
        assert_error(app.post_json("/api/v1/vendors/me/products", Some(&key), product("Nope", &templates)).await, 403, "FORBIDDEN").await;
        assert_error(app.get_with("/api/v1/admin/products", &customer).await, 403, "FORBIDDEN").await;
        // Every bad field at once; an unknown category; repeated tags.
        let body = assert_error(
            app.post_json(
                "/api/v1/vendors/me/products",
                Some(&seller),
                json!({"title": "x", "slug": "Bad", "summary": "two\nlines", "price": -1, "compareAt": 200_000_000, "categoryId": templates, "tags": ["OK"]}),
            )
            .await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        let fields: Vec<&str> = body["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["title", "slug", "summary", "price", "compareAt", "tags"]);
        assert_error(app.post_json("/api/v1/vendors/me/products", Some(&seller), product("Lost", "no-such-category")).await, 404, "NOT_FOUND").await;
        let mut twice = product("Twice", &templates);
        twice["tags"] = json!(["crm", "crm"]);
        assert_error(app.post_json("/api/v1/vendors/me/products", Some(&seller), twice).await, 400, "VALIDATION_ERROR").await;
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(stored, 1);
        // Deleting a draft works.
        assert_eq!(send(&app, reqwest::Method::DELETE, &own, &seller, None).await.status(), 204);
    })
    .await;
}
