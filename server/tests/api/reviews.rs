//! Reviews: only verified buyers, one each, edit and delete one's own, the vendor's one
//! reply, staff hiding, the rating kept exact (also under concurrent writes), lists with
//! filters and sorts, and bad input — on each backend.

use crate::fixtures::{category, live_product, product, register, send, staff_token, vendor};
use crate::helpers::{TestApp, assert_error, envelope, on_each_backend};
use app::platform::identity::Role;
use app::platform::types::Id;
use reqwest::Method;
use serde_json::{Value, json};

/// A customer's access token and id (registered through the API as a person would).
async fn customer(app: &TestApp, email: &str) -> (String, Id) {
    let data = register(app, email).await;
    let token = data["accessToken"].as_str().unwrap().to_owned();
    (token.clone(), id_of(app, &token).await)
}

/// A customer an admin created: many of them stay under the registrations-per-address limit.
async fn provisioned_customer(app: &TestApp, email: &str) -> (String, Id) {
    let token = staff_token(app, email, Role::User).await;
    (token.clone(), id_of(app, &token).await)
}

async fn id_of(app: &TestApp, token: &str) -> Id {
    let (_, me) = envelope(app.get_with("/api/v1/users/me", token).await).await;
    Id::parse_or_not_found(me["data"]["id"].as_str().unwrap(), "user").unwrap()
}

/// Gives `user` the product through the purchases service, as a paid order will.
async fn buy(app: &TestApp, admin: &str, user: &Id, product: &str) {
    let actor = app.actor(admin).await;
    let product = Id::parse_or_not_found(product, "product").unwrap();
    app::catalog::purchases::grant(&app.services, actor.admin().unwrap(), user, &product)
        .await
        .unwrap();
}

async fn review(
    app: &TestApp,
    token: &str,
    product: &str,
    rating: u8,
    body: &str,
) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/products/{product}/reviews"),
        Some(token),
        json!({"rating": rating, "body": body}),
    )
    .await
}

async fn rating_of(app: &TestApp, product: &str) -> (f64, i64) {
    let (status, body) = envelope(app.get(&format!("/api/v1/products/{product}")).await).await;
    assert_eq!(status, 200, "{body}");
    (
        body["data"]["ratingAverage"].as_f64().unwrap(),
        body["data"]["ratingCount"].as_i64().unwrap(),
    )
}

async fn listed(app: &TestApp, path: &str) -> Vec<Value> {
    let (status, body) = envelope(app.get(path).await).await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn verified_buyers_review_once_and_the_rating_follows() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "seller@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        let id = live_product(&app, &seller, &admin, product("Lead scoring", &automation)).await;
        let (ada, ada_id) = customer(&app, "ada@example.com").await;
        let (bob, bob_id) = customer(&app, "bob@example.com").await;

        // Not bought: refused, and nothing is written.
        let body = assert_error(
            review(&app, &ada, &id, 5, "Great workflow, saved me hours.").await,
            409,
            "CONFLICT",
        )
        .await;
        assert_eq!(body["error"]["details"][0]["field"], "product");
        assert_eq!(rating_of(&app, &id).await, (0.0, 0));

        buy(&app, &admin, &ada_id, &id).await;
        buy(&app, &admin, &bob_id, &id).await;
        let (status, created) =
            envelope(review(&app, &ada, &id, 5, "Great workflow, saved me hours.").await).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["data"]["author"], "Ada L.");
        assert_eq!(created["data"]["rating"], 5);
        let ada_review = created["data"]["id"].as_str().unwrap().to_owned();
        // A second review by the same buyer is refused.
        let body = assert_error(
            review(&app, &ada, &id, 1, "Changed my mind about it.").await,
            409,
            "CONFLICT",
        )
        .await;
        assert_eq!(body["error"]["details"][0]["field"], "product");
        assert_eq!(
            envelope(review(&app, &bob, &id, 2, "Did not fit my CRM at all.").await)
                .await
                .0,
            201
        );
        assert_eq!(rating_of(&app, &id).await, (3.5, 2));

        // The author edits (others cannot: not found), then deletes.
        let path = format!("/api/v1/reviews/{ada_review}");
        assert_error(
            send(&app, Method::PATCH, &path, &bob, Some(json!({"rating": 1}))).await,
            404,
            "NOT_FOUND",
        )
        .await;
        let (status, body) =
            envelope(send(&app, Method::PATCH, &path, &ada, Some(json!({"rating": 4}))).await)
                .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["body"], "Great workflow, saved me hours.");
        assert_eq!(rating_of(&app, &id).await, (3.0, 2));
        assert_error(
            send(&app, Method::DELETE, &path, &bob, None).await,
            404,
            "NOT_FOUND",
        )
        .await;
        assert_eq!(
            send(&app, Method::DELETE, &path, &ada, None).await.status(),
            204
        );
        assert_eq!(rating_of(&app, &id).await, (2.0, 1));
        // Having deleted it, the buyer may review again.
        assert_eq!(
            envelope(review(&app, &ada, &id, 5, "Second look: it is excellent.").await)
                .await
                .0,
            201
        );
        assert_eq!(rating_of(&app, &id).await, (3.5, 2));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_vendor_replies_once_and_staff_hide_and_unhide() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let manager = staff_token(&app, "manager@example.com", Role::Manager).await;
        let seller = vendor(&app, &admin, "seller@example.com", "Flowsmith").await;
        let rival = vendor(&app, &admin, "rival@example.com", "Rival").await;
        let automation = category(&app, &admin, "Automation").await;
        let id = live_product(&app, &seller, &admin, product("Lead scoring", &automation)).await;
        let (ada, ada_id) = customer(&app, "ada@example.com").await;
        buy(&app, &admin, &ada_id, &id).await;
        let (_, created) =
            envelope(review(&app, &ada, &id, 1, "Spam spam spam spam spam.").await).await;
        let review_id = created["data"]["id"].as_str().unwrap().to_owned();

        let reply = format!("/api/v1/reviews/{review_id}/reply");
        assert_error(
            app.post_json(&reply, Some(&rival), json!({"reply": "Try ours"}))
                .await,
            404,
            "NOT_FOUND",
        )
        .await;
        assert_error(
            app.post_json(&reply, Some(&ada), json!({"reply": "Me again"}))
                .await,
            404,
            "NOT_FOUND",
        )
        .await;
        let body = assert_error(
            app.post_json(&reply, Some(&seller), json!({"reply": " padded "}))
                .await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(body["error"]["details"][0]["field"], "reply");
        let (status, body) = envelope(
            app.post_json(
                &reply,
                Some(&seller),
                json!({"reply": "Sorry to hear that."}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["reply"], "Sorry to hear that.");
        assert_error(
            app.post_json(&reply, Some(&seller), json!({"reply": "Again"}))
                .await,
            409,
            "CONFLICT",
        )
        .await;

        // Staff hide it: off the page and out of the rating; a customer cannot.
        let hide = format!("/api/v1/admin/reviews/{review_id}/hide");
        assert_error(
            app.post_json(&hide, Some(&ada), json!({})).await,
            403,
            "FORBIDDEN",
        )
        .await;
        assert_eq!(
            envelope(app.post_json(&hide, Some(&manager), json!({})).await)
                .await
                .0,
            200
        );
        assert_eq!(rating_of(&app, &id).await, (0.0, 0));
        assert!(
            listed(&app, &format!("/api/v1/products/{id}/reviews"))
                .await
                .is_empty()
        );
        let (status, body) = envelope(
            app.get_with("/api/v1/admin/reviews?filter[hidden]=true", &manager)
                .await,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(body["data"][0]["id"], review_id.as_str());
        let unhide = format!("/api/v1/admin/reviews/{review_id}/unhide");
        assert_eq!(
            envelope(app.post_json(&unhide, Some(&manager), json!({})).await)
                .await
                .0,
            200
        );
        assert_eq!(rating_of(&app, &id).await, (1.0, 1));
        let audited: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'reviews.%'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(audited, 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reviews_list_filters_sorts_and_refuses_bad_input() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "seller@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        let id = live_product(&app, &seller, &admin, product("Lead scoring", &automation)).await;
        for (n, stars) in [3u8, 5, 1, 5].into_iter().enumerate() {
            let (token, user) = provisioned_customer(&app, &format!("buyer{n}@example.com")).await;
            buy(&app, &admin, &user, &id).await;
            assert_eq!(
                envelope(
                    review(
                        &app,
                        &token,
                        &id,
                        stars,
                        &format!("Review number {n} here.")
                    )
                    .await
                )
                .await
                .0,
                201
            );
        }
        let stars = |items: Vec<Value>| {
            items
                .iter()
                .map(|r| r["rating"].as_i64().unwrap())
                .collect::<Vec<_>>()
        };
        let base = format!("/api/v1/products/{id}/reviews");
        assert_eq!(
            stars(listed(&app, &base).await),
            [5, 1, 5, 3],
            "newest first"
        );
        assert_eq!(
            stars(listed(&app, &format!("{base}?sort=rating")).await),
            [5, 5, 3, 1]
        );
        assert_eq!(
            stars(listed(&app, &format!("{base}?sort=rating&order=asc")).await),
            [1, 3, 5, 5]
        );
        assert_eq!(
            stars(listed(&app, &format!("{base}?filter[rating]=5")).await),
            [5, 5]
        );
        assert_eq!(
            stars(listed(&app, &format!("{base}?limit=2&page=2")).await),
            [5, 3]
        );
        for bad in [
            "filter[rating]=6",
            "filter[rating]=x",
            "sort=best",
            "order=up",
            "page=0",
        ] {
            assert_error(
                app.get(&format!("{base}?{bad}")).await,
                400,
                "VALIDATION_ERROR",
            )
            .await;
        }
        // Drafts and unknown products have no public reviews.
        assert_error(
            app.get("/api/v1/products/nope/reviews").await,
            404,
            "NOT_FOUND",
        )
        .await;

        let (token, user) = provisioned_customer(&app, "late@example.com").await;
        buy(&app, &admin, &user, &id).await;
        for (body, field) in [
            (
                json!({"rating": 0, "body": "Ten characters at least."}),
                "rating",
            ),
            (
                json!({"rating": 6, "body": "Ten characters at least."}),
                "rating",
            ),
            (json!({"rating": 4, "body": "short"}), "body"),
            (json!({"rating": 4, "body": " leading space here "}), "body"),
            (json!({"rating": 4, "body": "x".repeat(2001)}), "body"),
            (json!({"rating": 4}), "body"),
            (
                json!({"rating": "4", "body": "Ten characters at least."}),
                "rating",
            ),
            (
                json!({"rating": 300, "body": "Ten characters at least."}),
                "rating",
            ),
        ] {
            let response = app.post_json(&base, Some(&token), body).await;
            let error = assert_error(response, 400, "VALIDATION_ERROR").await;
            assert_eq!(error["error"]["details"][0]["field"], field, "{error}");
        }
        assert_eq!(rating_of(&app, &id).await.1, 4, "nothing was written");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rating_stays_exact_under_concurrent_reviews() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "seller@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        let id = live_product(&app, &seller, &admin, product("Lead scoring", &automation)).await;
        let mut buyers = Vec::new();
        for n in 0..12 {
            let (token, user) = provisioned_customer(&app, &format!("buyer{n}@example.com")).await;
            buy(&app, &admin, &user, &id).await;
            buyers.push(token);
        }
        // Everyone reviews at once, then half change their stars at once while the others
        // delete theirs.
        let created =
            futures_util::future::join_all(buyers.iter().enumerate().map(|(n, token)| {
                let stars = u8::try_from(n % 5 + 1).unwrap();
                let app = &app;
                let id = &id;
                async move {
                    let (status, body) =
                        envelope(review(app, token, id, stars, "Written at the same time.").await)
                            .await;
                    assert_eq!(status, 201, "{body}");
                    body["data"]["id"].as_str().unwrap().to_owned()
                }
            }))
            .await;
        let changes = created
            .iter()
            .zip(&buyers)
            .enumerate()
            .map(|(n, (review, token))| {
                let path = format!("/api/v1/reviews/{review}");
                let app = &app;
                async move {
                    let response = if n % 2 == 0 {
                        send(app, Method::PATCH, &path, token, Some(json!({"rating": 5}))).await
                    } else {
                        send(app, Method::DELETE, &path, token, None).await
                    };
                    assert!(response.status().is_success(), "{}", response.status());
                }
            });
        futures_util::future::join_all(changes).await;
        assert_eq!(rating_of(&app, &id).await, (5.0, 6));
        let (sum, count): (i64, i64) =
            sqlx::query_as("SELECT rating_sum, rating_count FROM products WHERE id = $1")
                .bind(&id)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!((sum, count), (30, 6));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_product_page_shows_ratings_reviews_and_each_viewers_forms() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller_email = "seller@example.com";
        let seller = vendor(&app, &admin, seller_email, "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        let id = live_product(&app, &seller, &admin, product("Lead scoring", &automation)).await;
        live_product(
            &app,
            &seller,
            &admin,
            product("Invoice chaser", &automation),
        )
        .await;
        let (ada, ada_id) = customer(&app, "ada@example.com").await;
        buy(&app, &admin, &ada_id, &id).await;
        let buyer =
            crate::fixtures::form_login(&app, "ada@example.com", crate::fixtures::PASSWORD).await;

        // Before reviewing: the buyer gets the form; a guest does not.
        let html = app.html_with_cookie("/products/lead-scoring", &buyer).await;
        assert!(html.contains("Review this product"), "{html}");
        let guest = app
            .get("/products/lead-scoring")
            .await
            .text()
            .await
            .unwrap();
        assert!(!guest.contains("Review this product") && guest.contains("No reviews yet"));
        assert!(
            guest.contains("<meta property=\"og:title\" content=\"Lead scoring\""),
            "{guest}"
        );
        assert!(guest.contains("<meta name=\"description\""), "{guest}");
        assert!(
            guest.contains("aria-label=\"Invoice chaser\""),
            "related products: {guest}"
        );

        // The form posts as a browser without the wasm would; the page then shows the review,
        // the rating and its histogram, and offers editing instead.
        let status = crate::fixtures::rpc(
            &app,
            "/rpc/catalog/reviews/create",
            &buyer,
            &[
                ("product_id", &id),
                ("rating", "4"),
                ("body", "  Clear guide, works with HubSpot.  "),
            ],
        )
        .await;
        assert!(status < 400, "{status}");
        let html = app.html_with_cookie("/products/lead-scoring", &buyer).await;
        assert!(html.contains("Clear guide, works with HubSpot."), "{html}");
        assert!(html.contains("Edit your review") && !html.contains("Review this product"));
        assert!(html.contains("4.0"), "{html}");
        assert!(html.contains("aria-label=\"4 out of 5 stars\""), "{html}");
        let (_, mine) = envelope(
            app.get_with(&format!("/api/v1/products/{id}/reviews"), &ada)
                .await,
        )
        .await;
        let review = mine["data"][0]["id"].as_str().unwrap().to_owned();

        // The seller sees a reply form, replies, and the form is gone.
        let seller_cookie =
            crate::fixtures::form_login(&app, seller_email, crate::fixtures::PASSWORD).await;
        let html = app
            .html_with_cookie("/products/lead-scoring", &seller_cookie)
            .await;
        assert!(html.contains("Your reply"), "{html}");
        let status = crate::fixtures::rpc(
            &app,
            "/rpc/catalog/reviews/reply",
            &seller_cookie,
            &[("id", &review), ("reply", "Thanks, Ada!")],
        )
        .await;
        assert!(status < 400, "{status}");
        let html = app
            .get("/products/lead-scoring")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("The seller replied") && html.contains("Thanks, Ada!"),
            "{html}"
        );

        // Guests' visits are counted (after the page is served); the seller's are not.
        let views = || async {
            let (_, body) = envelope(app.get(&format!("/api/v1/products/{id}")).await).await;
            body["data"]["viewCount"].as_i64().unwrap()
        };
        for _ in 0..50 {
            if views().await >= 4 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(
            views().await,
            4,
            "the guest's and the buyer's two views each; not the seller's"
        );
        let days: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(views), 0) AS BIGINT) FROM product_views WHERE product_id = $1",
        )
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(days, 4);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn products_filter_by_minimum_rating_and_sort_by_rating() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "seller@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        // Ratings: "Loved" 5 and 4 (4.5), "Fine" 4 (4.0), "Meh" 2 (2.0), "Unrated" none.
        let mut ids = Vec::new();
        for title in ["Loved", "Fine", "Meh", "Unrated"] {
            ids.push(live_product(&app, &seller, &admin, product(title, &automation)).await);
        }
        let (one, one_id) = provisioned_customer(&app, "one@example.com").await;
        let (two, two_id) = provisioned_customer(&app, "two@example.com").await;
        for (token, user, product, stars) in [
            (&one, &one_id, &ids[0], 5),
            (&two, &two_id, &ids[0], 4),
            (&one, &one_id, &ids[1], 4),
            (&one, &one_id, &ids[2], 2),
        ] {
            buy(&app, &admin, user, product).await;
            assert_eq!(
                envelope(review(&app, token, product, stars, "An honest review here.").await)
                    .await
                    .0,
                201
            );
        }
        let titles = |path: &'static str| {
            let app = &app;
            async move {
                listed(app, path)
                    .await
                    .iter()
                    .map(|p| p["title"].as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            titles("/api/v1/products?sort=rating").await,
            ["Loved", "Fine", "Meh", "Unrated"]
        );
        assert_eq!(
            titles("/api/v1/products?sort=rating&order=asc").await,
            ["Unrated", "Meh", "Fine", "Loved"]
        );
        assert_eq!(
            titles("/api/v1/products?filter[minRating]=4&sort=rating").await,
            ["Loved", "Fine"]
        );
        assert_eq!(
            titles("/api/v1/products?filter[minRating]=5").await,
            Vec::<String>::new()
        );
        assert_eq!(
            titles("/api/v1/products?filter[minRating]=2&sort=rating").await,
            ["Loved", "Fine", "Meh"]
        );
        let html = app
            .get("/products?rating=4&sort=rating")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("aria-label=\"Loved\"") && !html.contains("aria-label=\"Meh\""),
            "{html}"
        );
        assert!(
            html.contains("★ 4.5 (2)"),
            "the card shows the rating: {html}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn many_signed_in_product_pages_at_once_never_starve_a_small_pool() {
    // With two pooled connections, a page that held one while asking for another would wait
    // on itself once two such pages load together, until the pool's timeout (a 500).
    let options = || crate::helpers::Options {
        env: vec![("AGORA_DB_MAX_CONNECTIONS", "2".into())],
        ..Default::default()
    };
    crate::helpers::on_each_backend_with(options, |app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "seller@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        live_product(&app, &seller, &admin, product("Lead scoring", &automation)).await;
        let (_, draft) = envelope(
            app.post_json(
                "/api/v1/vendors/me/products",
                Some(&seller),
                product("Draft kit", &automation),
            )
            .await,
        )
        .await;
        assert_eq!(draft["data"]["slug"], "draft-kit");
        let seller_cookie =
            crate::fixtures::form_login(&app, "seller@example.com", crate::fixtures::PASSWORD)
                .await;
        let buyer = app.with_user(Role::User).await;
        let visits = (0..24).map(|n| {
            let (path, cookie) = if n % 2 == 0 {
                ("/products/draft-kit", seller_cookie.as_str())
            } else {
                ("/products/lead-scoring", buyer.cookie.as_str())
            };
            let app = &app;
            async move { app.get_with_cookie(path, cookie).await.status().as_u16() }
        });
        let statuses = futures_util::future::join_all(visits).await;
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    })
    .await;
}
