//! Accounts through `/api/v1`: registration, the token pair flow, recovery, profiles, API keys,
//! staff tools and throttling — success and failure paths, on both databases.
use crate::fixtures::{
    PASSWORD, form_login, login, post_form, read_only_key, register, registration, staff_token,
};
use crate::helpers::{TestApp, assert_error, envelope, on_each_backend};
use app::platform::identity::Role;
use app::platform::types::Timestamp;
use serde_json::{Value, json};

fn token(pair: &Value, name: &str) -> String {
    pair[name].as_str().expect(name).to_owned()
}

/// No response may carry a password or any stored hash.
fn assert_no_secrets(body: &Value) {
    let text = body.to_string();
    for needle in [
        "passwordHash",
        "password_hash",
        "$argon2",
        "keyHash",
        "tokenHash",
        PASSWORD,
    ] {
        assert!(!text.contains(needle), "{needle} leaked: {text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn registration_returns_the_user_and_a_token_pair() {
    on_each_backend(|app| async move {
        let pair = register(&app, "ada@example.com").await;
        assert_no_secrets(&pair);
        assert_eq!(pair["user"]["email"], "ada@example.com");
        assert_eq!(pair["user"]["role"], "user");
        assert_eq!(pair["user"]["emailVerified"], false);
        assert_eq!(pair["expiresIn"], 900);
        let access = token(&pair, "accessToken");
        let (status, me) = envelope(app.get_with("/api/v1/auth/me", &access).await).await;
        assert_eq!(status, 200);
        assert_eq!(me["data"]["id"], pair["user"]["id"]);
        assert_no_secrets(&me);
        // The verification email is queued and delivered to the outbox.
        let (text, html) = app
            .email_to("ada@example.com", "Confirm your email address")
            .await;
        assert!(text.contains("/verify-email/"), "{text}");
        assert!(html.contains("<a href="), "{html}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn registration_reports_every_bad_field_and_writes_nothing() {
    on_each_backend(|app| async move {
        let body = assert_error(
            app.post_json(
                "/api/v1/auth/register",
                None,
                json!({"email": "nope", "password": "short", "firstName": "A", "lastName": "", "phone": "12"}),
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
        assert_eq!(fields, ["email", "password", "firstName", "lastName", "phone"]);
        let common = assert_error(
            app.post_json(
                "/api/v1/auth/register",
                None,
                json!({"email": "a@b.io", "password": "Password1", "firstName": "Ada", "lastName": "Byron"}),
            )
            .await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(common["error"]["details"][0]["field"], "password");
        assert_error(
            app.post_json("/api/v1/auth/register", None, json!({"email": "a@b.io"})).await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(users, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_taken_email_is_a_conflict_whatever_its_case() {
    on_each_backend(|app| async move {
        register(&app, "grace@example.com").await;
        let body = assert_error(
            app.post_json(
                "/api/v1/auth/register",
                None,
                registration("GRACE@Example.com"),
            )
            .await,
            409,
            "CONFLICT",
        )
        .await;
        assert_eq!(body["error"]["details"][0]["field"], "email");
        // The API takes values as sent, as its document says: spaces make an invalid address.
        let body = assert_error(
            app.post_json(
                "/api/v1/auth/register",
                None,
                registration(" grace@example.com"),
            )
            .await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(body["error"]["details"][0]["field"], "email");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_passwords_and_unknown_emails_get_the_same_answer() {
    on_each_backend(|app| async move {
        register(&app, "ann@example.com").await;
        let wrong = assert_error(
            login(&app, "ann@example.com", "Wrong-pass-1").await,
            401,
            "INVALID_CREDENTIALS",
        )
        .await;
        let unknown = assert_error(
            login(&app, "nobody@example.com", PASSWORD).await,
            401,
            "INVALID_CREDENTIALS",
        )
        .await;
        assert_eq!(wrong["error"]["message"], unknown["error"]["message"]);
        let (status, body) = envelope(login(&app, "ANN@example.com", PASSWORD).await).await;
        assert_eq!(status, 200);
        assert_no_secrets(&body);
        let last_login = body["data"]["user"]["lastLoginAt"]
            .as_str()
            .expect("RFC 3339");
        assert!(
            Timestamp::parse_rfc3339(last_login).is_some(),
            "{last_login}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    on_each_backend(|app| async move {
        let pair = register(&app, "rot@example.com").await;
        let first = token(&pair, "refreshToken");
        let (status, body) = envelope(
            app.post_json("/api/v1/auth/refresh", None, json!({"refreshToken": first}))
                .await,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let second = token(&body["data"], "refreshToken");
        let access = token(&body["data"], "accessToken");
        assert_ne!(first, second);
        assert_eq!(
            envelope(app.get_with("/api/v1/auth/me", &access).await)
                .await
                .0,
            200
        );

        // Replaying the used token: refused, and the whole family is revoked.
        assert_error(
            app.post_json("/api/v1/auth/refresh", None, json!({"refreshToken": first}))
                .await,
            401,
            "INVALID_TOKEN",
        )
        .await;
        assert_error(
            app.post_json(
                "/api/v1/auth/refresh",
                None,
                json!({"refreshToken": second}),
            )
            .await,
            401,
            "INVALID_TOKEN",
        )
        .await;
        assert_error(
            app.get_with("/api/v1/auth/me", &access).await,
            401,
            "INVALID_TOKEN",
        )
        .await;
        assert_error(
            app.post_json(
                "/api/v1/auth/refresh",
                None,
                json!({"refreshToken": "made-up"}),
            )
            .await,
            401,
            "INVALID_TOKEN",
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_revokes_the_sign_in() {
    on_each_backend(|app| async move {
        let pair = register(&app, "out@example.com").await;
        let access = token(&pair, "accessToken");
        let (status, _) = envelope(
            app.post_json("/api/v1/auth/logout", Some(&access), json!({}))
                .await,
        )
        .await;
        assert_eq!(status, 200);
        assert_error(
            app.get_with("/api/v1/auth/me", &access).await,
            401,
            "INVALID_TOKEN",
        )
        .await;
        assert_error(
            app.post_json(
                "/api/v1/auth/refresh",
                None,
                json!({"refreshToken": token(&pair, "refreshToken")}),
            )
            .await,
            401,
            "INVALID_TOKEN",
        )
        .await;
        assert_error(
            app.post_json("/api/v1/auth/logout", None, json!({})).await,
            401,
            "UNAUTHORIZED",
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_and_forged_credentials_are_refused() {
    on_each_backend(|app| async move {
        assert_error(app.get("/api/v1/auth/me").await, 401, "UNAUTHORIZED").await;
        assert_error(app.get("/api/v1/users/me").await, 401, "UNAUTHORIZED").await;
        assert_error(
            app.get_with("/api/v1/auth/me", "abc.def.ghi").await,
            401,
            "INVALID_TOKEN",
        )
        .await;
        assert_error(
            app.get_with("/api/v1/auth/me", "agora_notakey").await,
            401,
            "INVALID_TOKEN",
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn forgot_and_reset_password_end_every_session() {
    on_each_backend(|app| async move {
        let pair = register(&app, "lost@example.com").await;
        let old_access = token(&pair, "accessToken");
        // An API key is a credential of its own (README, "Accounts and sessions"): a reset
        // ends every sign-in but keeps the keys, which their owner revokes in /account.
        let key = read_only_key(&app, &old_access).await;
        for email in ["lost@example.com", "nobody@example.com"] {
            let (status, body) = envelope(
                app.post_json(
                    "/api/v1/auth/forgot-password",
                    None,
                    json!({"email": email}),
                )
                .await,
            )
            .await;
            assert_eq!(status, 200);
            assert_eq!(
                body["data"]["message"],
                "If an account exists for this address, an email is on its way."
            );
        }
        assert_error(
            app.post_json(
                "/api/v1/auth/forgot-password",
                None,
                json!({"email": "not-an-email"}),
            )
            .await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        let (text, _) = app
            .email_to("lost@example.com", "Reset your password")
            .await;
        let reset_token = text
            .split("/reset-password/")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("a reset link")
            .to_owned();
        // A weak password is refused without using the token up.
        assert_error(
            app.post_json(
                "/api/v1/auth/reset-password",
                None,
                json!({"token": reset_token, "password": "weak"}),
            )
            .await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        let (status, _) = envelope(
            app.post_json(
                "/api/v1/auth/reset-password",
                None,
                json!({"token": reset_token, "password": "Brand-New-Pass-7"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        assert_error(
            app.post_json(
                "/api/v1/auth/reset-password",
                None,
                json!({"token": reset_token, "password": "Another-Pass-8"}),
            )
            .await,
            401,
            "INVALID_TOKEN",
        )
        .await;
        assert_error(
            app.get_with("/api/v1/auth/me", &old_access).await,
            401,
            "INVALID_TOKEN",
        )
        .await;
        assert_eq!(app.get_with("/api/v1/auth/me", &key).await.status(), 200);
        assert_error(
            login(&app, "lost@example.com", PASSWORD).await,
            401,
            "INVALID_CREDENTIALS",
        )
        .await;
        assert_eq!(
            envelope(login(&app, "lost@example.com", "Brand-New-Pass-7").await)
                .await
                .0,
            200
        );
        app.email_to("lost@example.com", "Your password was changed")
            .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_are_updated_field_by_field() {
    on_each_backend(|app| async move {
        let access = token(&register(&app, "pro@example.com").await, "accessToken");
        let response = app
            .client
            .patch(app.url("/api/v1/users/me"))
            .bearer_auth(&access)
            .json(&json!({"bio": "Builds engines.", "timezone": "Europe/London", "phone": "+44 20 7946 0958",
                          "notifications": {"marketingEmails": true}}))
            .send()
            .await
            .unwrap();
        let (status, body) = envelope(response).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["bio"], "Builds engines.");
        assert_eq!(body["data"]["firstName"], "Ada");
        assert_eq!(body["data"]["notifications"]["marketingEmails"], true);
        let bad = app
            .client
            .patch(app.url("/api/v1/users/me"))
            .bearer_auth(&access)
            .json(&json!({"firstName": "A", "language": "klingon!"}))
            .send()
            .await
            .unwrap();
        let body = assert_error(bad, 400, "VALIDATION_ERROR").await;
        assert_eq!(body["error"]["details"].as_array().unwrap().len(), 2);
        let unknown = app
            .client
            .patch(app.url("/api/v1/users/me"))
            .bearer_auth(&access)
            .json(&json!({"role": "admin"}))
            .send()
            .await
            .unwrap();
        assert_error(unknown, 400, "VALIDATION_ERROR").await;
        let (_, me) = envelope(app.get_with("/api/v1/users/me", &access).await).await;
        assert_eq!(me["data"]["role"], "user");
        assert_eq!(me["data"]["firstName"], "Ada");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn api_keys_are_shown_once_scoped_and_revocable() {
    on_each_backend(|app| async move {
        let access = token(&register(&app, "keys@example.com").await, "accessToken");
        let create = |scope: &'static str| {
            app.post_json(
                "/api/v1/users/me/api-keys",
                Some(&access),
                json!({"name": "CI", "scope": scope}),
            )
        };
        let (status, read) = envelope(create("read").await).await;
        assert_eq!(status, 201, "{read}");
        let read_key = read["data"]["key"].as_str().unwrap().to_owned();
        assert!(read_key.starts_with("agora_"));
        let (_, write) = envelope(create("read_write").await).await;
        let write_key = write["data"]["key"].as_str().unwrap().to_owned();
        assert_error(create("admin").await, 400, "VALIDATION_ERROR").await;

        let (_, list) = envelope(app.get_with("/api/v1/users/me/api-keys", &access).await).await;
        assert_eq!(list["data"].as_array().unwrap().len(), 2);
        assert!(!list.to_string().contains(&read_key));
        assert_no_secrets(&list);

        assert_eq!(
            envelope(app.get_with("/api/v1/users/me", &read_key).await)
                .await
                .0,
            200
        );
        let patch = |key: String| {
            app.client
                .patch(app.url("/api/v1/users/me"))
                .bearer_auth(key)
                .json(&json!({"bio": "via key"}))
                .send()
        };
        assert_error(patch(read_key.clone()).await.unwrap(), 403, "FORBIDDEN").await;
        assert_eq!(
            envelope(patch(write_key.clone()).await.unwrap()).await.0,
            200
        );
        let (_, list) = envelope(app.get_with("/api/v1/users/me/api-keys", &access).await).await;
        assert!(
            list["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["lastUsedAt"].as_str().is_some_and(|t| t.ends_with('Z')))
        );

        let id = read["data"]["info"]["id"].as_str().unwrap();
        let revoke = app
            .client
            .delete(app.url(&format!("/api/v1/users/me/api-keys/{id}")))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap();
        assert_eq!(revoke.status(), 204);
        assert_error(
            app.get_with("/api/v1/users/me", &read_key).await,
            401,
            "INVALID_TOKEN",
        )
        .await;
        let again = app
            .client
            .delete(app.url(&format!("/api/v1/users/me/api-keys/{id}")))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap();
        assert_error(again, 404, "NOT_FOUND").await;
        // At most 25 live keys: the request is valid, the account's state refuses the 26th —
        // also when several ask at once (on PostgreSQL each would otherwise count 23 keys).
        for _ in 0..22 {
            assert_eq!(envelope(create("read").await).await.0, 201);
        }
        let racers = futures_util::future::join_all((0..8).map(|_| create("read"))).await;
        let created = racers.iter().filter(|r| r.status() == 201).count();
        assert_eq!(created, 2, "23 + 2 = 25 keys");
        let body = assert_error(create("read").await, 409, "CONFLICT").await;
        assert_eq!(body["error"]["details"][0]["field"], "name");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_staff_reach_the_user_list_and_only_admins_change_accounts() {
    on_each_backend(|app| async move {
        let customer = register(&app, "cust@example.com").await;
        let customer_token = token(&customer, "accessToken");
        let customer_id = customer["user"]["id"].as_str().unwrap().to_owned();
        assert_error(
            app.get_with("/api/v1/admin/users", &customer_token).await,
            403,
            "FORBIDDEN",
        )
        .await;

        let manager = staff_token(&app, "manager@example.com", Role::Manager).await;
        let (status, page) = envelope(
            app.get_with(
                "/api/v1/admin/users?search=CUST&filter[role]=user&sort=email&order=asc",
                &manager,
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["data"].as_array().unwrap().len(), 1);
        assert_eq!(page["pagination"]["total"], 1);
        assert_no_secrets(&page);
        let body = assert_error(
            app.get_with("/api/v1/admin/users?filter[role]=root&limit=0", &manager)
                .await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(body["error"]["details"].as_array().unwrap().len(), 2);
        let suspend = |bearer: String, id: String| {
            app.client
                .patch(app.url(&format!("/api/v1/admin/users/{id}")))
                .bearer_auth(bearer)
                .json(&json!({"status": "suspended"}))
                .send()
        };
        assert_error(
            suspend(manager.clone(), customer_id.clone()).await.unwrap(),
            403,
            "FORBIDDEN",
        )
        .await;

        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let (status, body) =
            envelope(suspend(admin.clone(), customer_id.clone()).await.unwrap()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["status"], "suspended");
        // Suspension ends the account's sign-ins at once and stops new ones.
        assert_error(
            app.get_with("/api/v1/auth/me", &customer_token).await,
            401,
            "INVALID_TOKEN",
        )
        .await;
        assert_error(
            login(&app, "cust@example.com", PASSWORD).await,
            403,
            "FORBIDDEN",
        )
        .await;
        let admin_actor = app.actor(&admin).await;
        let audit = app::audit::service::recent(
            &app.db,
            admin_actor.staff().unwrap(),
            Some(&format!("user:{customer_id}")),
            10,
        )
        .await
        .unwrap();
        assert_eq!(audit[0].action, "users.update");

        let missing = app
            .get_with(
                "/api/v1/admin/users/00000000-0000-0000-0000-000000000000",
                &admin,
            )
            .await;
        assert_error(missing, 404, "NOT_FOUND").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_admin_cannot_be_demoted() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "solo@example.com", Role::Admin).await;
        let (_, me) = envelope(app.get_with("/api/v1/auth/me", &admin).await).await;
        let id = me["data"]["id"].as_str().unwrap();
        let response = app
            .client
            .patch(app.url(&format!("/api/v1/admin/users/{id}")))
            .bearer_auth(&admin)
            .json(&json!({"role": "user"}))
            .send()
            .await
            .unwrap();
        let body = assert_error(response, 409, "CONFLICT").await;
        assert_eq!(body["error"]["details"][0]["field"], "role");
        let (_, me) = envelope(app.get_with("/api/v1/auth/me", &admin).await).await;
        assert_eq!(me["data"]["role"], "admin");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_wrong_passwords_are_throttled_with_retry_after() {
    on_each_backend(|app| async move {
        register(&app, "target@example.com").await;
        for _ in 0..5 {
            assert_error(
                login(&app, "target@example.com", "Wrong-pass-1").await,
                401,
                "INVALID_CREDENTIALS",
            )
            .await;
        }
        let response = login(&app, "target@example.com", PASSWORD).await;
        let retry_after: u64 = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("Retry-After");
        assert!((1..=900).contains(&retry_after));
        assert_error(response, 429, "RATE_LIMIT_EXCEEDED").await;
        // Another account from the same address is not affected.
        register(&app, "other@example.com").await;
        assert_eq!(
            envelope(login(&app, "other@example.com", PASSWORD).await)
                .await
                .0,
            200
        );
    })
    .await;
}

/// A key's "last used" is kept to the minute: a use records it when it is unset or over a
/// minute old, so a key in steady use writes once a minute instead of on every request (on
/// SQLite each write waits for the one writer — read-only calls would queue behind sign-ins).
#[tokio::test]
async fn an_api_key_in_steady_use_records_its_last_use_once_a_minute() {
    on_each_backend(|app| async move {
        let user = app.with_user(Role::User).await;
        let key = read_only_key(&app, &user.token).await;
        let last_used = || async {
            sqlx::query_scalar::<_, Option<i64>>("SELECT last_used_at FROM api_keys")
                .fetch_one(app.db.pool())
                .await
                .unwrap()
        };
        assert_eq!(last_used().await, None);

        assert_eq!(app.get_with("/api/v1/auth/me", &key).await.status(), 200);
        let first = last_used().await.expect("the first use is recorded");
        // Pretend that use was 30 s ago: a use now is within the minute and writes nothing.
        let recent = first - 30_000;
        sqlx::query("UPDATE api_keys SET last_used_at = $1")
            .bind(recent)
            .execute(app.db.pool())
            .await
            .unwrap();
        assert_eq!(app.get_with("/api/v1/auth/me", &key).await.status(), 200);
        assert_eq!(last_used().await, Some(recent));

        // Over a minute old: the next use records the time again.
        sqlx::query("UPDATE api_keys SET last_used_at = $1")
            .bind(first - 61_000)
            .execute(app.db.pool())
            .await
            .unwrap();
        assert_eq!(app.get_with("/api/v1/auth/me", &key).await.status(), 200);
        assert!(last_used().await.expect("recorded") >= first);
    })
    .await;
}

/// Over-long credentials are refused by their length before the throttle or the password
/// hasher sees them: nothing is counted, so a stranger cannot fill memory with them.
#[tokio::test]
async fn over_long_credentials_are_refused_before_anything_keeps_them() {
    on_each_backend(|app| async move {
        // The API's request limit counts this address once; nothing else may add a key.
        app.get("/api/v1/site").await;
        let counted = app.services.throttle.keys();
        let huge = "a".repeat(1_500_000);
        let cases = [
            (
                json!({"email": format!("{huge}@example.com"), "password": "x"}),
                "email",
            ),
            (
                json!({"email": "ada@example.com", "password": huge}),
                "password",
            ),
            (
                json!({"email": "ada@example.com", "password": "P".repeat(129)}),
                "password",
            ),
        ];
        for (body, field) in cases {
            let response = app.post_json("/api/v1/auth/login", None, body).await;
            let (status, body) = envelope(response).await;
            assert_eq!(status, 400, "{body}");
            assert_eq!(body["error"]["code"], "VALIDATION_ERROR");
            assert_eq!(body["error"]["details"][0]["field"], field, "{body}");
        }
        assert_eq!(app.services.throttle.keys(), counted, "nothing was counted");
    })
    .await;
}

/// The link in the newest email to `to` with `subject` whose path starts with `path`.
async fn emailed_token(app: &TestApp, to: &str, subject: &str, path: &str) -> String {
    let (text, _) = app.email_to(to, subject).await;
    text.split(path)
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no {path} link in {text}"))
        .to_owned()
}

/// Emailed links die with the circumstances they were sent in: an email change retires every
/// outstanding reset and confirmation link, and so does a password reset (or change).
#[tokio::test(flavor = "multi_thread")]
async fn emailed_links_die_after_an_email_change_or_a_reset() {
    on_each_backend(|app| async move {
        let (old, new) = ("before@example.com", "after@example.com");
        register(&app, old).await;
        let confirm_old =
            emailed_token(&app, old, "Confirm your email address", "/verify-email/").await;
        let forgot = |email: &'static str| {
            let app = &app;
            async move {
                let response = app
                    .post_json(
                        "/api/v1/auth/forgot-password",
                        None,
                        json!({"email": email}),
                    )
                    .await;
                assert_eq!(response.status(), 200);
            }
        };
        forgot(old).await;
        let reset_old = emailed_token(&app, old, "Reset your password", "/reset-password/").await;
        let reset = |token: String| {
            let app = &app;
            async move {
                app.post_json(
                    "/api/v1/auth/reset-password",
                    None,
                    json!({"token": token, "password": "Brand-New-Pass-7"}),
                )
                .await
            }
        };
        let page_says_invalid = |token: String| {
            let app = &app;
            async move {
                let html = app
                    .get(&format!("/verify-email/{token}"))
                    .await
                    .text()
                    .await;
                html.unwrap().contains("invalid or has expired")
            }
        };

        let cookie = form_login(&app, old, PASSWORD).await;
        let changed = post_form(
            &app,
            "/rpc/account/email",
            Some(&cookie),
            &[("new_email", new), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(changed.status(), 302);
        assert_error(reset(reset_old).await, 401, "INVALID_TOKEN").await;
        assert!(
            page_says_invalid(confirm_old).await,
            "the old address's link"
        );

        let confirm_new =
            emailed_token(&app, new, "Confirm your email address", "/verify-email/").await;
        forgot(new).await;
        let reset_new = emailed_token(&app, new, "Reset your password", "/reset-password/").await;
        assert_eq!(envelope(reset(reset_new).await).await.0, 200);
        assert!(page_says_invalid(confirm_new).await, "retired by the reset");
    })
    .await;
}

/// Two admins demoting each other at the same moment leave one admin, never none — round
/// after round, on PostgreSQL too (where each transaction would otherwise see the other admin
/// still in place).
#[tokio::test(flavor = "multi_thread")]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    on_each_backend(|app| async move {
        let id_of = |token: String| {
            let app = &app;
            async move {
                let (_, me) = envelope(app.get_with("/api/v1/auth/me", &token).await).await;
                me["data"]["id"].as_str().unwrap().to_owned()
            }
        };
        let demote = |token: String, id: String| {
            let app = &app;
            async move {
                app.client
                    .patch(app.url(&format!("/api/v1/admin/users/{id}")))
                    .bearer_auth(&token)
                    .json(&json!({"role": "user"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        let mut survivor = staff_token(&app, "admin-0@example.com", Role::Admin).await;
        for round in 1..=8 {
            let newcomer =
                staff_token(&app, &format!("admin-{round}@example.com"), Role::Admin).await;
            let (survivor_id, newcomer_id) =
                (id_of(survivor.clone()).await, id_of(newcomer.clone()).await);
            let (a, b) = tokio::join!(
                demote(survivor.clone(), newcomer_id),
                demote(newcomer.clone(), survivor_id)
            );
            let admins: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM users WHERE role = 'admin' AND status = 'active'",
            )
            .fetch_one(app.db.pool())
            .await
            .unwrap();
            assert_eq!(admins, 1, "round {round}: statuses {a} and {b}");
            let mut statuses = [a, b];
            statuses.sort_unstable();
            assert!(
                statuses == [200, 403] || statuses == [200, 409],
                "round {round}: {statuses:?}"
            );
            if a != 200 {
                survivor = newcomer;
            }
        }
    })
    .await;
}

/// Security events land in the audit log and show on the account's admin page: sign-ins
/// (succeeded, failed, throttled), password changed and reset, email changed, sessions ended,
/// API keys created and revoked — with the client's address.
#[tokio::test(flavor = "multi_thread")]
async fn security_events_show_on_the_accounts_admin_page() {
    on_each_backend(|app| async move {
        let email = "watched@example.com";
        let token = token(&register(&app, email).await, "accessToken");
        let (_, me) = envelope(app.get_with("/api/v1/auth/me", &token).await).await;
        let page = format!("/admin/users/{}", me["data"]["id"].as_str().unwrap());
        let (status, key) = envelope(
            app.post_json(
                "/api/v1/users/me/api-keys",
                Some(&token),
                json!({"name": "ci", "scope": "read"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 201);
        let key_id = key["data"]["info"]["id"].as_str().unwrap();
        let revoked = app
            .client
            .delete(app.url(&format!("/api/v1/users/me/api-keys/{key_id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), 204);
        let cookie = form_login(&app, email, PASSWORD).await;
        let ended = post_form(&app, "/rpc/account/sessions/end-others", Some(&cookie), &[]).await;
        assert_eq!(ended.status(), 302);
        let changed = post_form(
            &app,
            "/rpc/account/password",
            Some(&cookie),
            &[
                ("current_password", PASSWORD),
                ("new_password", "Fresh-Otter-77"),
            ],
        )
        .await;
        assert_eq!(changed.headers()["location"], "/account?password=changed");
        let cookie = crate::fixtures::session_cookie(&changed).unwrap_or(cookie);
        let moved = post_form(
            &app,
            "/rpc/account/email",
            Some(&cookie),
            &[
                ("new_email", "moved@example.com"),
                ("password", "Fresh-Otter-77"),
            ],
        )
        .await;
        assert_eq!(moved.headers()["location"], "/account?email=changed");
        let forgot = json!({"email": "moved@example.com"});
        app.post_json("/api/v1/auth/forgot-password", None, forgot)
            .await;
        let (text, _) = app
            .email_to("moved@example.com", "Reset your password")
            .await;
        let reset_token = text.split("/reset-password/").nth(1).unwrap();
        let reset_token = reset_token.split_whitespace().next().unwrap();
        let reset = json!({"token": reset_token, "password": "Brand-New-Pass-7"});
        let (status, _) = envelope(
            app.post_json("/api/v1/auth/reset-password", None, reset)
                .await,
        )
        .await;
        assert_eq!(status, 200);
        // Five wrong passwords, then a throttled attempt.
        for _ in 0..6 {
            login(&app, "moved@example.com", "Wrong-Guess-1").await;
        }

        let manager = app.with_user(Role::Manager).await;
        let expected = [
            "auth.sign_in by user:",
            "auth.key_created",
            "auth.key_revoked",
            "auth.sessions_ended",
            "auth.password_changed",
            "auth.email_changed",
            "auth.password_reset",
            "auth.sign_in_failed by guest from 127.0.0.1",
            "auth.sign_in_throttled by guest",
        ];
        // Failed and throttled sign-ins are recorded in the background.
        for attempt in 0.. {
            let html = app.html_with_cookie(&page, &manager.cookie).await;
            let missing: Vec<_> = expected.iter().filter(|e| !html.contains(*e)).collect();
            if missing.is_empty() {
                break;
            }
            assert!(attempt < 50, "missing {missing:?} in {html}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    })
    .await;
}
