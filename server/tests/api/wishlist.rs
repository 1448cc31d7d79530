//! The wishlist through the API and the pages: save, list, count in the header, remove;
//! only active products; guests and read-only keys refused — on each backend.

use crate::fixtures::{
    category, live_product, product, read_only_key, register, send, staff_token, vendor,
};
use crate::helpers::{assert_error, envelope, on_each_backend};
use app::platform::identity::Role;
use reqwest::Method;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn people_save_and_remove_active_products() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "seller@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        let first = live_product(&app, &seller, &admin, product("Lead scoring", &automation)).await;
        let second = live_product(
            &app,
            &seller,
            &admin,
            product("Invoice chaser", &automation),
        )
        .await;
        let (_, draft) = envelope(
            app.post_json(
                "/api/v1/vendors/me/products",
                Some(&seller),
                product("Draft", &automation),
            )
            .await,
        )
        .await;
        let draft = draft["data"]["id"].as_str().unwrap().to_owned();
        let ada = register(&app, "ada@example.com").await["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        let save = |token: String, id: String| {
            let app = &app;
            async move {
                app.post_json(
                    "/api/v1/users/me/wishlist",
                    Some(&token),
                    json!({"productId": id}),
                )
                .await
            }
        };
        assert_eq!(save(ada.clone(), first.clone()).await.status(), 204);
        assert_eq!(save(ada.clone(), second.clone()).await.status(), 204);
        assert_eq!(
            save(ada.clone(), first.clone()).await.status(),
            204,
            "saving twice is fine"
        );
        assert_error(save(ada.clone(), draft).await, 404, "NOT_FOUND").await;
        assert_error(save(ada.clone(), "nope".into()).await, 404, "NOT_FOUND").await;
        assert_error(
            app.post_json(
                "/api/v1/users/me/wishlist",
                None,
                json!({"productId": first}),
            )
            .await,
            401,
            "UNAUTHORIZED",
        )
        .await;
        let key = read_only_key(&app, &ada).await;
        assert_error(save(key.clone(), first.clone()).await, 403, "FORBIDDEN").await;
        let body = assert_error(
            app.post_json(
                "/api/v1/users/me/wishlist",
                Some(&ada),
                json!({"product": first}),
            )
            .await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(body["error"]["details"][0]["field"], "product", "{body}");

        let (status, body) = envelope(app.get_with("/api/v1/users/me/wishlist", &key).await).await;
        assert_eq!(status, 200, "a read-only key reads it");
        let titles: Vec<&str> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            ["Invoice chaser", "Lead scoring"],
            "most recently saved first"
        );
        assert_eq!(body["pagination"]["total"], 2);

        let removed = send(
            &app,
            Method::DELETE,
            &format!("/api/v1/users/me/wishlist/{second}"),
            &ada,
            None,
        )
        .await;
        assert_eq!(removed.status(), 204);
        let again = send(
            &app,
            Method::DELETE,
            &format!("/api/v1/users/me/wishlist/{second}"),
            &ada,
            None,
        )
        .await;
        assert_eq!(
            again.status(),
            204,
            "removing what is not there changes nothing"
        );
        let (_, body) = envelope(app.get_with("/api/v1/users/me/wishlist", &ada).await).await;
        assert_eq!(body["pagination"]["total"], 1);
        assert_eq!(body["data"][0]["id"], first.as_str());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wishlist_page_and_the_header_count() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "seller@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        let id = live_product(&app, &seller, &admin, product("Lead scoring", &automation)).await;
        let user = app.with_user(Role::User).await;

        let html = app.html_with_cookie("/wishlist", &user.cookie).await;
        assert!(html.contains("Nothing saved yet"), "{html}");
        // The product page's button saves it, as a form without the wasm would.
        let status = crate::fixtures::rpc(
            &app,
            "/rpc/catalog/wishlist/toggle",
            &user.cookie,
            &[("product_id", &id), ("save", "true")],
        )
        .await;
        assert!(status < 400, "{status}");
        let html = app.html_with_cookie("/wishlist", &user.cookie).await;
        assert!(html.contains("aria-label=\"Lead scoring\""), "{html}");
        assert!(html.contains("Remove from wishlist"), "{html}");
        assert!(
            html.contains("aria-label=\"1 saved\""),
            "the header counts it: {html}"
        );
        let html = app.html_with_cookie("/products", &user.cookie).await;
        assert!(
            html.contains("Remove from wishlist"),
            "cards know it is saved"
        );
        let html = app
            .html_with_cookie("/products/lead-scoring", &user.cookie)
            .await;
        assert!(html.contains("Remove from wishlist"), "{html}");

        // Guests are sent to sign in.
        let guest = app
            .client
            .get(app.url("/wishlist"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(guest.status(), 302);
        assert!(
            guest.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/login?next=")
        );
    })
    .await;
}
