//! The stored cart through the API, on each backend: one of each active product, never one
//! the buyer owns or sells, priced afresh (a product taken off sale is flagged and left out
//! of the totals), with the site's tax — and the refusals, which change nothing.

use crate::fixtures::{category, live_product, product, send, staff_token, vendor};
use crate::helpers::{assert_error, envelope, on_each_backend};
use app::platform::identity::Role;
use app::platform::types::Id;
use app::settings::model::TAX_RATE_BPS;
use reqwest::Method;
use serde_json::{Value, json};

fn item(id: &str) -> Value {
    json!({"productId": id})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_buyer_fills_the_cart_once_per_product_at_todays_prices() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let proof = app.actor(&admin).await;
        app::settings::service::set(
            &app.services,
            proof.admin().unwrap(),
            &TAX_RATE_BPS,
            1000,
            None,
        )
        .await
        .unwrap();
        let seller = vendor(&app, &admin, "flows@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        let mut lead = product("Lead scoring", &automation);
        lead["price"] = json!(2905);
        let lead = live_product(&app, &seller, &admin, lead).await;
        let mut chaser = product("Invoice chaser", &automation);
        chaser["price"] = json!(1500);
        let chaser = live_product(&app, &seller, &admin, chaser).await;
        let buyer = staff_token(&app, "buyer@example.com", Role::User).await;

        let (status, body) = envelope(app.get_with("/api/v1/cart", &buyer).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["lines"], json!([]));
        assert_eq!(
            body["data"]["total"],
            json!({"amount": 0, "currency": "USD"})
        );

        let (status, body) = envelope(
            app.post_json("/api/v1/cart/items", Some(&buyer), item(&lead))
                .await,
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let (_, body) = envelope(
            app.post_json("/api/v1/cart/items", Some(&buyer), item(&chaser))
                .await,
        )
        .await;
        let cart = &body["data"];
        assert_eq!(cart["lines"].as_array().unwrap().len(), 2);
        assert_eq!(
            cart["lines"][0]["title"], "Invoice chaser",
            "most recent first"
        );
        assert_eq!(cart["lines"][0]["vendorName"], "Flowsmith");
        assert_eq!(cart["subtotal"]["amount"], 4405);
        assert_eq!(cart["taxRateBps"], 1000);
        assert_eq!(cart["tax"]["amount"], 441, "440.5 rounds up");
        assert_eq!(cart["total"]["amount"], 4846);

        // Buying twice, buying one's own, an unknown or malformed product: refused, clearly.
        let twice = app
            .post_json("/api/v1/cart/items", Some(&buyer), item(&lead))
            .await;
        assert_error(twice, 409, "CONFLICT").await;
        let own = app
            .post_json("/api/v1/cart/items", Some(&seller), item(&lead))
            .await;
        assert_error(own, 409, "CONFLICT").await;
        let unknown = app
            .post_json(
                "/api/v1/cart/items",
                Some(&buyer),
                item(&Id::random().to_string()),
            )
            .await;
        assert_error(unknown, 404, "NOT_FOUND").await;
        let bad = app
            .post_json("/api/v1/cart/items", Some(&buyer), json!({"productId": 7}))
            .await;
        assert_error(bad, 400, "VALIDATION_ERROR").await;
        assert_error(app.get("/api/v1/cart").await, 401, "UNAUTHORIZED").await;

        // Owned (a copy given by an admin): flagged, out of the totals, and not added again.
        let buyer_id = {
            let (_, me) = envelope(app.get_with("/api/v1/users/me", &buyer).await).await;
            Id::parse(me["data"]["id"].as_str().unwrap()).unwrap()
        };
        app::catalog::purchases::grant(
            &app.services,
            proof.admin().unwrap(),
            &buyer_id,
            &Id::parse(&chaser).unwrap(),
        )
        .await
        .unwrap();
        let (_, body) = envelope(app.get_with("/api/v1/cart", &buyer).await).await;
        assert_eq!(body["data"]["lines"][0]["available"], false);
        assert_eq!(body["data"]["subtotal"]["amount"], 2905);
        assert_eq!(body["data"]["total"]["amount"], 2905 + 291);

        // Removing is idempotent; emptying empties.
        let remove = format!("/api/v1/cart/items/{chaser}");
        assert_eq!(
            send(&app, Method::DELETE, &remove, &buyer, None)
                .await
                .status(),
            204
        );
        assert_eq!(
            send(&app, Method::DELETE, &remove, &buyer, None)
                .await
                .status(),
            204
        );
        let (_, body) = envelope(app.get_with("/api/v1/cart", &buyer).await).await;
        assert_eq!(body["data"]["lines"].as_array().unwrap().len(), 1);
        assert_eq!(
            send(&app, Method::DELETE, "/api/v1/cart", &buyer, None)
                .await
                .status(),
            204
        );
        let (_, body) = envelope(app.get_with("/api/v1/cart", &buyer).await).await;
        assert_eq!(body["data"]["lines"], json!([]));
    })
    .await;
}
