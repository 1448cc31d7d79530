//! Products: the draft → pending → active | rejected lifecycle and its illegal moves, who may
//! see and change what, and bad input — through the API, on each backend.

use crate::fixtures::{
    category, live_product, product, read_only_key, register, send, staff_token, vendor,
};
use crate::helpers::{TestApp, assert_error, envelope, on_each_backend};
use app::platform::identity::Role;
use serde_json::{Value, json};

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

async fn titles(app: &TestApp, query: &str) -> (Vec<String>, u64) {
    let (status, body) = envelope(app.get(&format!("/api/v1/products{query}")).await).await;
    assert_eq!(status, 200, "{query}: {body}");
    let titles = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_owned())
        .collect();
    (titles, body["pagination"]["total"].as_u64().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn guests_search_filter_sort_and_page_the_live_products() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let flows = vendor(&app, &admin, "flows@example.com", "Flowsmith").await;
        let pages = vendor(&app, &admin, "pages@example.com", "Pages").await;
        let automation = category(&app, &admin, "Automation").await;
        let (_, body) = envelope(app.post_json("/api/v1/admin/categories", Some(&admin), json!({"name": "n8n", "parentId": automation})).await).await;
        let n8n = body["data"]["id"].as_str().unwrap().to_owned();
        let books = category(&app, &admin, "E-books").await;
        let item = |title: &str, category: &str, price: i64, tags: Value, description: &str| {
            json!({"title": title, "categoryId": category, "price": price, "tags": tags, "description": description})
        };
        live_product(&app, &flows, &admin, item("Lead scoring workflow", &n8n, 2900, json!(["sales", "n8n"]), "Scores leads.")).await;
        live_product(&app, &flows, &admin, item("Invoice chaser", &automation, 1500, json!(["finance"]), "Chases unpaid invoices; good for lead follow-up too.")).await;
        live_product(&app, &pages, &admin, item("Prompt engineering handbook", &books, 900, json!(["ai"]), "A book about prompts.")).await;
        // A draft is never listed.
        app.post_json("/api/v1/vendors/me/products", Some(&pages), item("Unfinished lead book", &books, 100, json!([]), "")).await;

        let (all, total) = titles(&app, "").await;
        assert_eq!(total, 3);
        assert_eq!(all, ["Prompt engineering handbook", "Invoice chaser", "Lead scoring workflow"], "newest first");
        // Ranked search: the title match before the description match; prefixes match.
        assert_eq!(titles(&app, "?search=lead").await.0, ["Lead scoring workflow", "Invoice chaser"]);
        assert_eq!(titles(&app, "?search=Scor%20LEAD").await.0, ["Lead scoring workflow"]);
        assert_eq!(titles(&app, "?search=finance").await.0, ["Invoice chaser"], "tags are searched");
        assert_eq!(titles(&app, "?search=%22%20OR%20*%20--").await.1, 0, "syntax is only words");
        // Filters: a category includes its subcategories; storefront, tag, price range.
        assert_eq!(titles(&app, "?filter[category]=automation").await.1, 2);
        assert_eq!(titles(&app, "?filter[category]=n8n").await.0, ["Lead scoring workflow"]);
        assert_eq!(titles(&app, "?filter[vendor]=pages").await.0, ["Prompt engineering handbook"]);
        assert_eq!(titles(&app, "?filter[tag]=sales").await.0, ["Lead scoring workflow"]);
        assert_eq!(titles(&app, "?filter[minPrice]=1000&filter[maxPrice]=2000").await.0, ["Invoice chaser"]);
        assert_eq!(titles(&app, "?filter[minPrice]=2000&filter[maxPrice]=1000").await.1, 0);
        // Sorts and pages.
        assert_eq!(titles(&app, "?sort=price").await.0, ["Prompt engineering handbook", "Invoice chaser", "Lead scoring workflow"]);
        assert_eq!(titles(&app, "?sort=price&order=desc&limit=2&page=2").await, (vec!["Prompt engineering handbook".to_owned()], 3));
        // Refusals.
        assert_error(app.get("/api/v1/products?filter[category]=nope").await, 404, "NOT_FOUND").await;
        assert_error(app.get("/api/v1/products?filter[vendor]=nope").await, 404, "NOT_FOUND").await;
        for bad in ["?sort=best", "?filter[minRating]=6", "?filter[minRating]=0", "?order=up", "?filter[minPrice]=cheap", "?filter[tag]=Not%20A%20Tag", "?limit=500"] {
            assert_error(app.get(&format!("/api/v1/products{bad}")).await, 400, "VALIDATION_ERROR").await;
        }
        let long = "x".repeat(101);
        assert_error(app.get(&format!("/api/v1/products?search={long}")).await, 400, "VALIDATION_ERROR").await;
    })
    .await;
}

/// The storefront pages: `/products` lists live products (filters in the URL) and
/// `/products/{slug}` shows one, with a real 404 for what is not public.
#[tokio::test(flavor = "multi_thread")]
async fn the_product_pages_show_live_products_to_guests() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "flows@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        let books = category(&app, &admin, "E-books").await;
        let mut sale = product("Lead scoring workflow", &automation);
        sale["price"] = json!(2900);
        sale["compareAt"] = json!(3900);
        sale["description"] = json!(
            "## What you get\n\n- The workflow\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>"
        );
        live_product(&app, &seller, &admin, sale).await;
        live_product(&app, &seller, &admin, product("Prompt handbook", &books)).await;
        let (_, draft) = envelope(
            app.post_json(
                "/api/v1/vendors/me/products",
                Some(&seller),
                product("Secret draft", &books),
            )
            .await,
        )
        .await;
        let draft = draft["data"]["slug"].as_str().unwrap().to_owned();

        let html = app
            .get("/products?category=automation")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("aria-label=\"Lead scoring workflow\""),
            "{html}"
        );
        assert!(!html.contains("Prompt handbook"), "filtered by category");
        assert!(
            html.contains("29.00 USD") && html.contains("<s"),
            "price and struck-through compare-at"
        );
        let html = app.get("/products?q=handbook").await.text().await.unwrap();
        assert!(
            html.contains("Results for “handbook”") && html.contains("Prompt handbook"),
            "{html}"
        );
        let html = app
            .get("/products?q=nothing-like-this")
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("No products match"), "{html}");
        assert!(html.contains("<meta name=\"description\""), "{html}");

        let page = app.get("/products/lead-scoring-workflow").await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("<h1") && html.contains("Lead scoring workflow"),
            "{html}"
        );
        assert!(html.contains("href=\"/vendors/flowsmith\""), "{html}");
        // The CSP allows no inline styles: none is rendered (the browser would refuse it).
        assert!(!html.contains(" style="), "{html}");
        // The description is Markdown, rendered and sanitised: nothing a vendor writes runs.
        assert!(html.contains("<h2>What you get</h2>"), "{html}");
        assert!(!html.contains("alert(") && !html.contains("onerror"), "{html}");
        let (_, api) = envelope(app.get("/api/v1/products/lead-scoring-workflow").await).await;
        let rendered = api["data"]["descriptionHtml"].as_str().unwrap();
        assert!(rendered.contains("<li>The workflow</li>") && !rendered.contains("script"), "{rendered}");
        assert_eq!(app.get(&format!("/products/{draft}")).await.status(), 404);
        assert_eq!(app.get("/products/no-such-thing").await.status(), 404);
    })
    .await;
}

/// `/admin/products`: the pending product is listed for staff and approved from the page's
/// form (its server function); customers get the 403 page.
#[tokio::test(flavor = "multi_thread")]
async fn staff_review_products_in_the_back_office() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "flows@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        let (_, body) = envelope(
            app.post_json(
                "/api/v1/vendors/me/products",
                Some(&seller),
                product("Queue me", &automation),
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

        let manager = crate::fixtures::staff_cookie(&app, Role::Manager).await;
        let html = app.html_with_cookie("/admin/products", &manager).await;
        assert!(
            html.contains("aria-label=\"Queue me\"") && html.contains("Approve"),
            "{html}"
        );
        register(&app, "cust@example.com").await;
        let cookie =
            crate::fixtures::form_login(&app, "cust@example.com", crate::fixtures::PASSWORD).await;
        assert_eq!(
            app.get_with_cookie("/admin/products", &cookie)
                .await
                .status(),
            403
        );
        assert_eq!(
            crate::fixtures::rpc(&app, "/rpc/admin/products/approve", &cookie, &[("id", &id)])
                .await,
            403
        );

        assert_eq!(
            crate::fixtures::rpc(
                &app,
                "/rpc/admin/products/approve",
                &manager,
                &[("id", &id)]
            )
            .await,
            200
        );
        assert_eq!(
            envelope(app.get(&format!("/api/v1/products/{id}")).await)
                .await
                .0,
            200,
            "live"
        );
        let html = app.html_with_cookie("/admin/products", &manager).await;
        assert!(
            !html.contains("aria-label=\"Queue me\""),
            "gone from the queue: {html}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_filter_the_queue_and_feature_products_on_the_home_page() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let flows = vendor(&app, &admin, "flows@example.com", "Flowsmith").await;
        let pages = vendor(&app, &admin, "pages@example.com", "Pages").await;
        let automation = category(&app, &admin, "Automation").await;
        let books = category(&app, &admin, "E-books").await;
        let lead = live_product(&app, &flows, &admin, product("Lead scoring", &automation)).await;
        live_product(&app, &pages, &admin, product("Prompt handbook", &books)).await;
        let titles = |query: &'static str| {
            let app = &app;
            let admin = &admin;
            async move {
                let (status, body) = envelope(
                    app.get_with(&format!("/api/v1/admin/products?{query}"), admin)
                        .await,
                )
                .await;
                assert_eq!(status, 200, "{body}");
                body["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["title"].as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(titles("filter[vendor]=flowsmith").await, ["Lead scoring"]);
        assert_eq!(
            titles("filter[category]=e-books&filter[status]=active").await,
            ["Prompt handbook"]
        );
        assert_error(
            app.get_with("/api/v1/admin/products?filter[vendor]=nobody", &admin)
                .await,
            404,
            "NOT_FOUND",
        )
        .await;
        assert_error(
            app.get_with("/api/v1/admin/products?filter[category]=nope", &admin)
                .await,
            404,
            "NOT_FOUND",
        )
        .await;

        // Featuring, through the queue page's button as a browser without the wasm would.
        let staff = crate::fixtures::staff_cookie(&app, Role::Manager).await;
        let html = app
            .html_with_cookie("/admin/products?status=active&vendor=flowsmith", &staff)
            .await;
        assert!(
            html.contains("Feature on the home page") && !html.contains("Prompt handbook"),
            "{html}"
        );
        let home = app.get("/").await.text().await.unwrap();
        assert!(!home.contains("id=\"featured\""), "no featured shelf yet");
        assert!(
            home.contains("id=\"newest\"") && home.contains("aria-label=\"Lead scoring\""),
            "{home}"
        );
        assert!(
            home.contains("href=\"/products?category=automation\""),
            "categories: {home}"
        );
        let status = crate::fixtures::rpc(
            &app,
            "/rpc/admin/products/feature",
            &staff,
            &[("id", &lead), ("featured", "true")],
        )
        .await;
        assert!(status < 400, "{status}");
        let home = app.get("/").await.text().await.unwrap();
        assert!(home.contains("id=\"featured\""), "{home}");
        // A customer cannot.
        let customer = app.with_user(Role::User).await;
        let status = crate::fixtures::rpc(
            &app,
            "/rpc/admin/products/feature",
            &customer.cookie,
            &[("id", &lead), ("featured", "false")],
        )
        .await;
        assert_eq!(status, 403);
        let (_, body) = envelope(app.get(&format!("/api/v1/products/{lead}")).await).await;
        assert_eq!(body["data"]["featured"], true);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_price_change_goes_back_to_review_only_when_the_setting_says_so() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "flows@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        let mut events = app.services.events.subscribe();
        let id = live_product(&app, &seller, &admin, product("Lead scoring", &automation)).await;
        let names: Vec<&str> = std::iter::from_fn(|| events.try_recv().ok())
            .map(|e| e.name)
            .collect();
        assert!(
            names.contains(&"product.submitted") && names.contains(&"product.approved"),
            "{names:?}"
        );

        let path = format!("/api/v1/vendors/me/products/{id}");
        let mut changed = product("Lead scoring", &automation);
        changed["price"] = json!(3500);
        let (status, body) = envelope(
            send(
                &app,
                reqwest::Method::PUT,
                &path,
                &seller,
                Some(changed.clone()),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["data"]["status"], "active",
            "off by default: it stays live"
        );

        let actor = app.actor(&admin).await;
        app::settings::service::set(
            &app.services,
            actor.admin().unwrap(),
            &app::settings::model::REREVIEW_LIVE_CHANGES,
            true,
            None,
        )
        .await
        .unwrap();
        // The same price again changes nothing; a new price sends it back to review.
        let (_, body) = envelope(
            send(
                &app,
                reqwest::Method::PUT,
                &path,
                &seller,
                Some(changed.clone()),
            )
            .await,
        )
        .await;
        assert_eq!(body["data"]["status"], "active");
        changed["price"] = json!(4500);
        let (_, body) =
            envelope(send(&app, reqwest::Method::PUT, &path, &seller, Some(changed)).await).await;
        assert_eq!(body["data"]["status"], "pending");
        assert_error(
            app.get(&format!("/api/v1/products/{id}")).await,
            404,
            "NOT_FOUND",
        )
        .await;
    })
    .await;
}

/// The read cache: the product list and guests' list pages are kept between writes, and no
/// write is ever hidden by them — each list below is asked for once before the write (so it
/// is kept) and once after (well within the cache's two seconds).
#[tokio::test(flavor = "multi_thread")]
async fn kept_lists_and_guest_pages_never_outlive_a_write() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "flows@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        let first = live_product(
            &app,
            &seller,
            &admin,
            product("Lead scoring workflow", &automation),
        )
        .await;
        assert_eq!(
            titles(&app, "").await,
            (vec!["Lead scoring workflow".to_owned()], 1)
        );
        let page = app.get("/products").await.text().await.unwrap();
        assert!(page.contains("Lead scoring workflow") && !page.contains("Invoice chaser"));

        // A product approved: listed at once, on the API and on the guests' page.
        live_product(
            &app,
            &seller,
            &admin,
            product("Invoice chaser", &automation),
        )
        .await;
        assert_eq!(titles(&app, "").await.1, 2);
        let page = app.get("/products").await.text().await.unwrap();
        assert!(page.contains("Invoice chaser"), "{page}");

        // A live product changed by its vendor: the list shows the change.
        let (status, body) = envelope(
            send(
                &app,
                reqwest::Method::PUT,
                &format!("/api/v1/vendors/me/products/{first}"),
                &seller,
                Some(product("Lead scoring, renamed", &automation)),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(
            titles(&app, "")
                .await
                .0
                .contains(&"Lead scoring, renamed".to_owned())
        );
        assert!(
            app.get("/products")
                .await
                .text()
                .await
                .unwrap()
                .contains("Lead scoring, renamed")
        );

        // A kept guest page is the page rendered again, down to its own script nonce (the
        // header's nonce is the page's), and is never what a signed-in visitor gets.
        let nonce_of = |response: &reqwest::Response| {
            let policy = response.headers()["content-security-policy"]
                .to_str()
                .unwrap();
            policy
                .split("'nonce-")
                .nth(1)
                .unwrap()
                .split('\'')
                .next()
                .unwrap()
                .to_owned()
        };
        let one = app.get("/products").await;
        let two = app.get("/products").await;
        let (nonce_one, nonce_two) = (nonce_of(&one), nonce_of(&two));
        assert_ne!(nonce_one, nonce_two);
        let (one, two) = (one.text().await.unwrap(), two.text().await.unwrap());
        assert!(two.contains(&format!("nonce=\"{nonce_two}\"")) && !two.contains(&nonce_one));
        assert_eq!(one.replace(&nonce_one, "N"), two.replace(&nonce_two, "N"));
        assert!(two.contains(">Sign in<"));
        register(&app, "buyer@example.com").await;
        let cookie =
            crate::fixtures::form_login(&app, "buyer@example.com", crate::fixtures::PASSWORD).await;
        let signed_in = app.html_with_cookie("/products", &cookie).await;
        assert!(
            signed_in.contains("href=\"/account\"") && !signed_in.contains(">Sign in<"),
            "{signed_in}"
        );
    })
    .await;
}
