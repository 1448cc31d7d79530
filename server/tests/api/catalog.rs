//! The category tree: public reading, staff changes and every refusal (a cycle, a fourth
//! level, a taken address, a category with subcategories), through the API and the admin
//! page, on each backend.

use crate::fixtures::{read_only_key, register, staff_cookie, staff_token};
use crate::helpers::{TestApp, assert_error, envelope, on_each_backend};
use app::platform::identity::Role;
use serde_json::{Value, json};

async fn create(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/admin/categories", Some(token), body)
        .await
}

async fn patch(app: &TestApp, token: &str, id: &str, body: Value) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/api/v1/admin/categories/{id}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn delete(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    app.client
        .delete(app.url(&format!("/api/v1/admin/categories/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn created(app: &TestApp, token: &str, body: Value) -> String {
    let (status, body) = envelope(create(app, token, body).await).await;
    assert_eq!(status, 201, "{body}");
    body["data"]["id"].as_str().unwrap().to_owned()
}

async fn tree(app: &TestApp) -> Vec<(String, u64)> {
    let (status, body) = envelope(app.get("/api/v1/categories").await).await;
    assert_eq!(status, 200, "{body}");
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["slug"].as_str().unwrap().to_owned(),
                c["depth"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_shape_the_tree_and_it_never_breaks() {
    on_each_backend(|app| async move {
        assert!(tree(&app).await.is_empty());
        let manager = staff_token(&app, "manager@example.com", Role::Manager).await;
        let automation = created(&app, &manager, json!({"name": "Automation"})).await;
        let ebooks = created(&app, &manager, json!({"name": "E-books", "position": 1})).await;
        let n8n = created(
            &app,
            &manager,
            json!({"name": "n8n", "parentId": automation}),
        )
        .await;
        let ai = created(
            &app,
            &manager,
            json!({"name": "AI flows", "slug": "ai-flows", "parentId": n8n}),
        )
        .await;
        assert_eq!(
            tree(&app).await,
            [
                ("automation".to_owned(), 0),
                ("n8n".to_owned(), 1),
                ("ai-flows".to_owned(), 2),
                ("e-books".to_owned(), 0)
            ]
        );
        // A fourth level, an unknown parent, a taken address.
        let body = assert_error(
            create(&app, &manager, json!({"name": "Too deep", "parentId": ai})).await,
            409,
            "CONFLICT",
        )
        .await;
        assert_eq!(body["error"]["details"][0]["field"], "parentId");
        assert_error(
            create(
                &app,
                &manager,
                json!({"name": "Orphan", "parentId": "no-such"}),
            )
            .await,
            404,
            "NOT_FOUND",
        )
        .await;
        let body = assert_error(
            create(&app, &manager, json!({"name": "Again", "slug": "n8n"})).await,
            409,
            "CONFLICT",
        )
        .await;
        assert_eq!(body["error"]["details"][0]["field"], "slug");
        // No cycles, no move that makes the tree too deep.
        assert_error(
            patch(&app, &manager, &automation, json!({"parentId": ai})).await,
            409,
            "CONFLICT",
        )
        .await;
        assert_error(
            patch(&app, &manager, &automation, json!({"parentId": automation})).await,
            409,
            "CONFLICT",
        )
        .await;
        // Automation has two levels below it: under E-books it would make a fourth.
        assert_error(
            patch(&app, &manager, &automation, json!({"parentId": ebooks})).await,
            409,
            "CONFLICT",
        )
        .await;
        // Moving a leaf is fine; `null` moves to the top level.
        let (status, moved) = envelope(
            patch(
                &app,
                &manager,
                &ai,
                json!({"parentId": ebooks, "name": "AI e-books"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!(moved["data"]["depth"], 1);
        let (status, _) =
            envelope(patch(&app, &manager, &ai, json!({"parentId": null})).await).await;
        assert_eq!(status, 200);
        assert!(tree(&app).await.contains(&("ai-flows".to_owned(), 0)));
        // A category with subcategories stays; a leaf goes.
        let body = assert_error(delete(&app, &manager, &automation).await, 409, "CONFLICT").await;
        assert!(
            body["error"]["details"][0]["message"]
                .as_str()
                .unwrap()
                .contains("1 subcategories")
        );
        assert_eq!(delete(&app, &manager, &n8n).await.status(), 204);
        assert_eq!(delete(&app, &manager, &automation).await.status(), 204);
        assert_error(delete(&app, &manager, &automation).await, 404, "NOT_FOUND").await;
        let audited: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'categories.%'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(audited, 4 + 2 + 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_staff_with_write_access_change_it_and_bad_input_writes_nothing() {
    on_each_backend(|app| async move {
        let customer = register(&app, "cust@example.com").await["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_error(
            create(&app, &customer, json!({"name": "Mine"})).await,
            403,
            "FORBIDDEN",
        )
        .await;
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let key = read_only_key(&app, &admin).await;
        assert_error(
            create(&app, &key, json!({"name": "Read only"})).await,
            403,
            "FORBIDDEN",
        )
        .await;
        let body = assert_error(
            create(
                &app,
                &admin,
                json!({"name": " x", "slug": "Not A Slug", "position": 5000}),
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
        assert_eq!(fields, ["name", "slug", "position"]);
        assert_error(
            create(&app, &admin, json!([null, null])).await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        assert!(tree(&app).await.is_empty(), "nothing written");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_page_lists_the_tree_for_staff() {
    on_each_backend(|app| async move {
        let token = staff_token(&app, "admin@example.com", Role::Admin).await;
        created(&app, &token, json!({"name": "Automation"})).await;
        let cookie = staff_cookie(&app, Role::Manager).await;
        let html = app.html_with_cookie("/admin/categories", &cookie).await;
        assert!(
            html.contains("<h1") && html.contains("Categories"),
            "{html}"
        );
        assert!(html.contains("aria-label=\"Automation\""), "{html}");
    })
    .await;
}
