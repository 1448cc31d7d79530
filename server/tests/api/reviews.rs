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
