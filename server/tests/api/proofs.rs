//! Permission proofs at every entry point, on both databases: a customer, a manager and a
//! read-only API key are refused by the service whether they come through a page, a server
//! function or `/api/v1` — and the refusal carries its real status.
use crate::fixtures::{TestUser, read_only_key, rpc};
use crate::helpers::{TestApp, assert_error, envelope, on_each_backend};
use app::platform::identity::Role;
use serde_json::json;

async fn id_of(app: &TestApp, user: &TestUser) -> String {
    let (_, me) = envelope(app.get_with("/api/v1/auth/me", &user.token).await).await;
    me["data"]["id"].as_str().expect("id").to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn account_changes_need_an_admin_with_full_access_at_every_entry_point() {
    on_each_backend(|app| async move {
        let customer = app.with_user(Role::User).await;
        let manager = app.with_user(Role::Manager).await;
        let admin = app.with_user(Role::Admin).await;
        let admin_reader = read_only_key(&app, &admin.token).await;
        let target = id_of(&app, &customer).await;
        let change = [
            ("id", target.as_str()),
            ("role", "vendor"),
            ("status", "active"),
        ];
        // Server functions: customers and managers are refused by the service.
        for user in [&customer, &manager] {
            assert_eq!(
                rpc(&app, "/rpc/admin/user/update", &user.cookie, &change).await,
                403
            );
        }
        // The API: managers and an admin's read-only key are refused.
        let patch = |credential: String| {
            let app = &app;
            let target = target.clone();
            async move {
                app.client
                    .patch(app.url(&format!("/api/v1/admin/users/{target}")))
                    .bearer_auth(credential)
                    .json(&json!({"role": "vendor"}))
                    .send()
                    .await
                    .expect("PATCH")
            }
        };
        assert_error(patch(manager.token.clone()).await, 403, "FORBIDDEN").await;
        assert_error(patch(admin_reader.clone()).await, 403, "FORBIDDEN").await;
        let (_, me) = envelope(app.get_with("/api/v1/auth/me", &customer.token).await).await;
        assert_eq!(me["data"]["role"], "user", "nothing changed");
        // An admin with full access may, through either door.
        assert_eq!(
            rpc(&app, "/rpc/admin/user/update", &admin.cookie, &change).await,
            200
        );
        let (status, body) = envelope(patch(admin.token.clone()).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["role"], "vendor");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_data_needs_staff_and_a_read_only_key_cannot_write_anything() {
    on_each_backend(|app| async move {
        let customer = app.with_user(Role::User).await;
        let manager = app.with_user(Role::Manager).await;
        let customer_reader = read_only_key(&app, &customer.token).await;
        // Staff lists: refused to the customer (cookie and read key), open to the manager.
        assert_eq!(
            rpc(&app, "/rpc/admin/users", &customer.cookie, &[]).await,
            403
        );
        assert_eq!(
            rpc(&app, "/rpc/admin/outbox", &customer.cookie, &[]).await,
            403
        );
        assert_eq!(
            rpc(&app, "/rpc/admin/users", &manager.cookie, &[]).await,
            200
        );
        assert_error(
            app.get_with("/api/v1/admin/users", &customer_reader).await,
            403,
            "FORBIDDEN",
        )
        .await;
        let (status, _) = envelope(app.get_with("/api/v1/admin/users", &manager.token).await).await;
        assert_eq!(status, 200);
        // A read-only key reads its owner's data but changes nothing, whatever the method.
        let (status, _) = envelope(app.get_with("/api/v1/users/me", &customer_reader).await).await;
        assert_eq!(status, 200);
        let patched = app
            .client
            .patch(app.url("/api/v1/users/me"))
            .bearer_auth(&customer_reader)
            .json(&json!({"firstName": "Mallory"}))
            .send()
            .await
            .unwrap();
        assert_error(patched, 403, "FORBIDDEN").await;
        let (_, me) = envelope(app.get_with("/api/v1/users/me", &customer.token).await).await;
        assert_eq!(me["data"]["firstName"], "Ada");
        // Pages: the back-office answers the customer with the 403 page, the manager with 200.
        let page = app.get_with_cookie("/admin/users", &customer.cookie).await;
        assert_eq!(page.status(), 403);
        assert!(page.text().await.unwrap().contains("Staff only"));
        let page = app.get_with_cookie("/admin/users", &manager.cookie).await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains(&customer.email));
    })
    .await;
}

/// The development outbox holds live password-reset links of every account, staff included:
/// only admins read it. A manager gets 403 from the page and the server function, and the
/// sidebar does not offer it.
#[tokio::test(flavor = "multi_thread")]
async fn only_admins_read_the_outbox() {
    on_each_backend(|app| async move {
        let manager = app.with_user(Role::Manager).await;
        let admin = app.with_user(Role::Admin).await;
        assert_eq!(
            rpc(&app, "/rpc/admin/outbox", &manager.cookie, &[]).await,
            403
        );
        let page = app.get_with_cookie("/admin/outbox", &manager.cookie).await;
        assert_eq!(page.status(), 403);
        assert!(page.text().await.unwrap().contains("Not allowed"));
        let sidebar = app.html_with_cookie("/admin", &manager.cookie).await;
        assert!(!sidebar.contains("/admin/outbox"), "{sidebar}");

        assert_eq!(
            rpc(&app, "/rpc/admin/outbox", &admin.cookie, &[]).await,
            200
        );
        let page = app.get_with_cookie("/admin/outbox", &admin.cookie).await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Email outbox"));
        let sidebar = app.html_with_cookie("/admin", &admin.cookie).await;
        assert!(sidebar.contains("href=\"/admin/outbox\""), "{sidebar}");
    })
    .await;
}

/// A read-write API key changes the account's data but never how it signs in: it cannot
/// create or revoke keys or end sessions, so a leaked key cannot mint more keys or lock its
/// owner out. The owner's access token can.
#[tokio::test(flavor = "multi_thread")]
async fn an_api_key_never_manages_the_accounts_credentials() {
    on_each_backend(|app| async move {
        let owner = app.with_user(Role::User).await;
        let new_key = |credential: String| {
            let app = &app;
            async move {
                app.post_json(
                    "/api/v1/users/me/api-keys",
                    Some(&credential),
                    json!({"name": "robot", "scope": "read_write"}),
                )
                .await
            }
        };
        let (status, body) = envelope(new_key(owner.token.clone()).await).await;
        assert_eq!(status, 201, "{body}");
        let key = body["data"]["key"].as_str().unwrap().to_owned();
        let key_id = body["data"]["info"]["id"].as_str().unwrap().to_owned();

        let patched = app
            .client
            .patch(app.url("/api/v1/users/me"))
            .bearer_auth(&key)
            .json(&json!({"bio": "written by the robot"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            envelope(patched).await.0,
            200,
            "a read-write key writes data"
        );

        assert_error(new_key(key.clone()).await, 403, "FORBIDDEN").await;
        for path in [
            format!("/api/v1/users/me/api-keys/{key_id}"),
            "/api/v1/users/me/sessions/anything".to_owned(),
        ] {
            let response = app
                .client
                .delete(app.url(&path))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap();
            assert_error(response, 403, "FORBIDDEN").await;
        }
        let (_, keys) = envelope(
            app.get_with("/api/v1/users/me/api-keys", &owner.token)
                .await,
        )
        .await;
        assert_eq!(
            keys["data"].as_array().unwrap().len(),
            1,
            "only the one key"
        );
    })
    .await;
}
