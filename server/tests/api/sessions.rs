//! Browser sessions through the pages' server functions: sign-in rotates the session id, the
//! cookie's attributes, CSRF refusal, suspension and password changes ending sessions, the
//! admin guard, and pages that work before the wasm loads.
use crate::fixtures::{
    PASSWORD, form_login, post_form, read_only_key, register, session_cookie, staff_cookie,
    staff_token,
};
use crate::helpers::{
    Options, TestApp, assert_error, envelope, on_each_backend, on_each_backend_with,
    response_cookie,
};
use app::platform::identity::Role;
use axum::routing::get;
use axum::{Extension, Router};
use http::StatusCode;
use serde_json::json;
use std::net::IpAddr;
use std::sync::Arc;
use tokio::sync::Notify;
use tower_sessions::Session;

/// GETs a page as a browser navigation does (`Accept: text/html`).
async fn navigate(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("accept", "text/html")
        .send()
        .await
        .expect("GET page")
}

async fn me_status(app: &TestApp, cookie: &str) -> u16 {
    app.get_with_cookie("/api/v1/auth/me", cookie)
        .await
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_sets_a_safe_cookie_and_rotates_the_session_id() {
    on_each_backend(|app| async move {
        register(&app, "rot@example.com").await;
        let response = post_form(
            &app,
            "/rpc/auth/login",
            None,
            &[
                ("email", "rot@example.com"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
        assert_eq!(response.status(), 302);
        assert_eq!(response.headers()["location"], "/account");
        let set_cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
        assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
        assert!(!set_cookie.contains("Secure"), "no TLS here: {set_cookie}");
        let first = session_cookie(&response).unwrap();
        assert_eq!(me_status(&app, &first).await, 200);

        // Signing in again over the same session gives a new id and retires the old one.
        let again = post_form(
            &app,
            "/rpc/auth/login",
            Some(&first),
            &[
                ("email", "rot@example.com"),
                ("password", PASSWORD),
                ("next", "https://evil.example"),
            ],
        )
        .await;
        assert_eq!(
            again.headers()["location"],
            "/account",
            "foreign next is ignored"
        );
        let second = session_cookie(&again).unwrap();
        assert_ne!(first, second);
        assert_eq!(me_status(&app, &first).await, 401);
        assert_eq!(me_status(&app, &second).await, 200);

        // Logging out ends it.
        let out = post_form(&app, "/rpc/auth/logout", Some(&second), &[]).await;
        assert_eq!(out.status(), 302);
        assert_eq!(me_status(&app, &second).await, 401);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_on_the_form_comes_back_to_the_page_with_the_message() {
    on_each_backend(|app| async move {
        let response = post_form(
            &app,
            "/rpc/auth/login",
            None,
            &[("email", "who@example.com"), ("password", "Nope-nope-1")],
        )
        .await;
        assert_eq!(response.status(), 302);
        assert!(session_cookie(&response).is_none());
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.contains("__err="), "{location}");
        let html = app
            .client
            .get(&location)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("The email or password is incorrect."),
            "{html}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cross_site_posts_with_the_session_cookie_are_refused() {
    on_each_backend(|app| async move {
        register(&app, "csrf@example.com").await;
        let cookie = form_login(&app, "csrf@example.com", PASSWORD).await;
        for path in ["/rpc/auth/logout", "/api/v1/users/me/api-keys"] {
            let response = app
                .client
                .post(app.url(path))
                .header("cookie", &cookie)
                .header("origin", "https://evil.example")
                .header("sec-fetch-site", "cross-site")
                .json(&json!({"name": "stolen", "scope": "read_write"}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 403, "{path}");
        }
        assert_eq!(me_status(&app, &cookie).await, 200, "still signed in");
        // A junk bearer header does not switch the check off: the request loses the cookie.
        let second = form_login(&app, "csrf@example.com", PASSWORD).await;
        for path in ["/rpc/auth/logout", "/rpc/account/sessions/end-others"] {
            let response = app
                .client
                .post(app.url(path))
                .header("cookie", &cookie)
                .header("authorization", "Bearer nonsense")
                .header("origin", "https://evil.example")
                .header("sec-fetch-site", "cross-site")
                .send()
                .await
                .unwrap();
            assert!(response.status().is_client_error(), "{path}");
        }
        assert_eq!(me_status(&app, &cookie).await, 200, "still signed in");
        assert_eq!(me_status(&app, &second).await, 200, "other session kept");
        // Login CSRF: another site cannot sign the visitor in, or register, even cookieless.
        for (path, form) in [
            (
                "/rpc/auth/login",
                vec![("email", "csrf@example.com"), ("password", PASSWORD)],
            ),
            (
                "/rpc/auth/register",
                vec![
                    ("email", "planted@example.com"),
                    ("password", PASSWORD),
                    ("first_name", "Planted"),
                    ("last_name", "Account"),
                ],
            ),
        ] {
            let response = app
                .client
                .post(app.url(path))
                .header("origin", "https://evil.example")
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 403, "{path}");
            assert!(response.headers().get("set-cookie").is_none(), "{path}");
        }
        let planted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = $1")
            .bind("planted@example.com")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(planted, 0);
        // The same request from our own origin goes through.
        let response = app
            .client
            .post(app.url("/api/v1/users/me/api-keys"))
            .header("cookie", &cookie)
            .header("origin", format!("http://{}", app.addr))
            .json(&json!({"name": "mine", "scope": "read"}))
            .send()
            .await
            .unwrap();
        assert_eq!(envelope(response).await.0, 201);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_session_list_marks_this_device_and_can_end_the_others() {
    on_each_backend(|app| async move {
        register(&app, "many@example.com").await;
        let phone = form_login(&app, "many@example.com", PASSWORD).await;
        let laptop = form_login(&app, "many@example.com", PASSWORD).await;
        let response = app
            .get_with_cookie("/api/v1/users/me/sessions", &laptop)
            .await;
        let (_, body) = envelope(response).await;
        let sessions = body["data"].as_array().unwrap();
        assert_eq!(sessions.len(), 2, "{body}");
        assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
        assert!(sessions.iter().all(|s| s["ip"] == "127.0.0.1"));
        assert!(
            !body
                .to_string()
                .contains(laptop.trim_start_matches("agora_session="))
        );
        let other = sessions.iter().find(|s| s["current"] == false).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let response = app
            .client
            .delete(app.url(&format!("/api/v1/users/me/sessions/{other}")))
            .header("cookie", &laptop)
            .header("origin", format!("http://{}", app.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
        assert_eq!(me_status(&app, &phone).await, 401);
        assert_eq!(me_status(&app, &laptop).await, 200);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_the_password_ends_the_other_sessions_only() {
    on_each_backend(|app| async move {
        let pair = register(&app, "pw@example.com").await;
        let access = pair["accessToken"].as_str().unwrap().to_owned();
        let key = read_only_key(&app, &access).await;
        let other = form_login(&app, "pw@example.com", PASSWORD).await;
        let this = form_login(&app, "pw@example.com", PASSWORD).await;
        let wrong = post_form(
            &app,
            "/rpc/account/password",
            Some(&this),
            &[
                ("current_password", "Not-mine-123"),
                ("new_password", "Fresh-Otter-77"),
            ],
        )
        .await;
        assert!(
            wrong.headers()["location"]
                .to_str()
                .unwrap()
                .contains("__err=")
        );
        assert_eq!(
            me_status(&app, &other).await,
            200,
            "a failed change ends nothing"
        );
        let response = post_form(
            &app,
            "/rpc/account/password",
            Some(&this),
            &[
                ("current_password", PASSWORD),
                ("new_password", "Fresh-Otter-77"),
            ],
        )
        .await;
        assert_eq!(response.headers()["location"], "/account?password=changed");
        let this = session_cookie(&response).unwrap_or(this);
        assert_eq!(me_status(&app, &this).await, 200);
        assert_eq!(me_status(&app, &other).await, 401);
        // API sign-ins end; API keys stay (README, "Accounts and sessions").
        assert_eq!(app.get_with("/api/v1/auth/me", &access).await.status(), 401);
        assert_eq!(app.get_with("/api/v1/auth/me", &key).await.status(), 200);
        app.email_to("pw@example.com", "Your password was changed")
            .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn suspension_ends_browser_sessions_at_once() {
    on_each_backend(|app| async move {
        let user = register(&app, "sus@example.com").await;
        let cookie = form_login(&app, "sus@example.com", PASSWORD).await;
        let admin = staff_token(&app, "boss@example.com", Role::Admin).await;
        let id = user["user"]["id"].as_str().unwrap();
        let response = app
            .client
            .patch(app.url(&format!("/api/v1/admin/users/{id}")))
            .bearer_auth(&admin)
            .json(&json!({"status": "suspended"}))
            .send()
            .await
            .unwrap();
        assert_eq!(envelope(response).await.0, 200);
        assert_eq!(me_status(&app, &cookie).await, 401);
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(left, 0);
        let retry = post_form(
            &app,
            "/rpc/auth/login",
            None,
            &[("email", "sus@example.com"), ("password", PASSWORD)],
        )
        .await;
        assert!(session_cookie(&retry).is_none());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_back_office_is_for_staff_only() {
    on_each_backend(|app| async move {
        let guest = navigate(&app, "/admin/users").await;
        assert_eq!(guest.status(), 302);
        assert_eq!(guest.headers()["location"], "/login?next=/admin/users");

        register(&app, "cust@example.com").await;
        let customer = form_login(&app, "cust@example.com", PASSWORD).await;
        let html = app.html_with_cookie("/admin/users", &customer).await;
        assert!(html.contains("Staff only"));
        assert!(!html.contains("cust@example.com"));
        // The server function refuses too, whatever the page does.
        let rpc = app
            .client
            .post(app.url("/rpc/admin/users"))
            .header("cookie", &customer)
            .header("origin", format!("http://{}", app.addr))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
            .send()
            .await
            .unwrap();
        let status = rpc.status();
        assert_eq!(status, 403, "{}", rpc.text().await.unwrap());

        let manager = staff_cookie(&app, Role::Manager).await;
        let html = app
            .html_with_cookie("/admin/users?search=cust&role=user", &manager)
            .await;
        assert!(html.contains("cust@example.com"), "{html}");
        assert!(html.contains("1 accounts"), "{html}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_verification_link_works_once() {
    on_each_backend(|app| async move {
        register(&app, "ver@example.com").await;
        let (text, _) = app
            .email_to("ver@example.com", "Confirm your email address")
            .await;
        let path = text
            .split_whitespace()
            .find(|w| w.contains("/verify-email/"))
            .and_then(|url| url.find("/verify-email/").map(|i| url[i..].to_owned()))
            .expect("link");
        let html = app.get(&path).await.text().await.unwrap();
        assert!(html.contains("your email address is confirmed"), "{html}");
        let again = app.get(&path).await.text().await.unwrap();
        assert!(
            again.contains("The token is invalid or has expired."),
            "{again}"
        );
        let (_, body) =
            envelope(crate::fixtures::login(&app, "ver@example.com", PASSWORD).await).await;
        assert_eq!(body["data"]["user"]["emailVerified"], true);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn account_pages_render_before_the_wasm() {
    on_each_backend(|app| async move {
        let html = app
            .get("/register?ref=FRIEND42")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("value=\"FRIEND42\""),
            "referral code from the link"
        );
        for (path, text) in [
            ("/login", "Sign in"),
            ("/forgot-password", "Reset your password"),
            ("/reset-password/x", "Choose a new password"),
        ] {
            let html = app.get(path).await.text().await.unwrap();
            assert!(html.contains(text), "{path}");
        }
        let account = navigate(&app, "/account").await;
        assert_eq!(account.status(), 302);
        assert_eq!(account.headers()["location"], "/login?next=/account");
        register(&app, "page@example.com").await;
        let cookie = form_login(&app, "page@example.com", PASSWORD).await;
        let html = app.html_with_cookie("/account", &cookie).await;
        assert!(html.contains("Signed in as page@example.com"), "{html}");
        assert!(html.contains("This device"));
        assert_error(
            app.post_json("/api/v1/auth/logout", None, json!({})).await,
            401,
            "UNAUTHORIZED",
        )
        .await;
    })
    .await;
}

/// People leave spaces around what they type; the form trims them before the service, which
/// (like the API) takes values as sent.
#[tokio::test(flavor = "multi_thread")]
async fn the_registration_form_forgives_spaces_around_values() {
    on_each_backend(|app| async move {
        let response = app
            .client
            .post(app.url("/rpc/auth/register"))
            .header("accept", "text/html")
            .header("origin", format!("http://{}", app.addr))
            .form(&[
                ("email", "  Spacey@Example.com "),
                ("password", PASSWORD),
                ("first_name", " Grace "),
                ("last_name", "Hopper\t"),
                ("phone", " +1 555 123 4567 "),
                ("referral_code", " "),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 302);
        assert!(session_cookie(&response).is_some(), "signed in");
        let stored: (String, String, String, Option<String>) = sqlx::query_as(
            "SELECT email, first_name, last_name, phone FROM users WHERE email_key = $1",
        )
        .bind("spacey@example.com")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(
            stored,
            (
                "Spacey@Example.com".to_owned(),
                "Grace".to_owned(),
                "Hopper".to_owned(),
                Some("+1 555 123 4567".to_owned())
            )
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_form_keeps_what_was_typed_but_never_the_password() {
    on_each_backend(|app| async move {
        let refused = app
            .client
            .post(app.url("/rpc/auth/register"))
            .header("accept", "text/html")
            .header("origin", format!("http://{}", app.addr))
            .header("referer", app.url("/register"))
            .form(&[
                ("email", "typed@example.com"),
                ("password", "weak-Secret9"),
                ("first_name", "Grace"),
                ("last_name", "H"),
                ("phone", ""),
                ("referral_code", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 302);
        // Back to the form's page (the Referer), absolute.
        let location = refused.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.starts_with(&app.url("/register?")) && location.contains("__err="),
            "{location}"
        );
        assert!(
            session_cookie(&refused).is_none(),
            "a refused form starts no session"
        );
        let cookie = response_cookie(&refused, "agora_form")
            .expect("the typed values ride in a short-lived cookie");
        // The location is absolute (the Referer), so it is fetched as it is.
        let html = app
            .client
            .get(&location)
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("value=\"typed@example.com\""), "{html}");
        assert!(html.contains("value=\"Grace\""));
        assert!(
            !html.contains("weak-Secret9"),
            "a password is never sent back"
        );
        assert!(
            html.contains("Use 2 to 50 characters."),
            "the field error shows too"
        );
        let cleared = app
            .client
            .get(&location)
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        let clears = cleared
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.starts_with("agora_form=;") && v.contains("Max-Age=0"));
        assert!(clears, "kept for one page view only");
    })
    .await;
}

/// A request that loaded the session before it was ended (signed out here; "sign out the
/// others" and a password change end sessions the same way) must not bring it back when it
/// finishes: saving a session updates it only if it still exists.
#[tokio::test(flavor = "multi_thread")]
async fn a_session_ended_while_one_of_its_requests_runs_stays_ended() {
    let started = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let options = {
        let (started, release) = (started.clone(), release.clone());
        move || {
            let (started, release) = (started.clone(), release.clone());
            // Changes the session, as any request that writes to it does, then waits.
            let hold = move |Extension(session): Extension<Session>| {
                let (started, release) = (started.clone(), release.clone());
                async move {
                    session.insert("probe", 1).await.expect("session");
                    started.notify_one();
                    release.notified().await;
                    StatusCode::NO_CONTENT
                }
            };
            Options {
                api_routes: Some(Router::new().route("/hold", get(hold))),
                ..Options::default()
            }
        }
    };
    on_each_backend_with(options, |app| {
        let (started, release) = (started.clone(), release.clone());
        async move {
            register(&app, "held@example.com").await;
            let cookie = form_login(&app, "held@example.com", PASSWORD).await;
            let held = tokio::spawn(
                app.client
                    .get(app.url("/api/v1/hold"))
                    .header("cookie", &cookie)
                    .send(),
            );
            started.notified().await;
            let out = post_form(&app, "/rpc/auth/logout", Some(&cookie), &[]).await;
            assert_eq!(out.status(), 302);
            release.notify_one();
            assert_eq!(held.await.unwrap().unwrap().status(), 204);

            assert_eq!(me_status(&app, &cookie).await, 401, "still signed out");
            let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
            assert_eq!(sessions, 0, "the ended session was not written back");
        }
    })
    .await;
}

/// The session row, as the store wrote it last: data, "last seen" and the idle deadline.
async fn session_row(app: &TestApp) -> (String, i64, i64) {
    sqlx::query_as("SELECT data, last_seen_at, expires_at FROM sessions")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// Browsing does not write the session on every request: the idle deadline and "last seen"
/// move at most once a minute, and then with the session's own idle limit.
#[tokio::test(flavor = "multi_thread")]
async fn browsing_writes_the_session_at_most_once_a_minute() {
    on_each_backend(|app| async move {
        register(&app, "browse@example.com").await;
        let cookie = form_login(&app, "browse@example.com", PASSWORD).await;
        let signed_in = session_row(&app).await;
        for path in ["/account", "/", "/account", "/api/v1/auth/me"] {
            let response = app.get_with_cookie(path, &cookie).await;
            assert_eq!(response.status(), 200, "{path}");
        }
        assert_eq!(session_row(&app).await, signed_in, "nothing was written");

        // Pretend the last refresh was two minutes ago: the next request refreshes.
        let mut data: serde_json::Value = serde_json::from_str(&signed_in.0).unwrap();
        let refreshed = data["client"]["refreshedAt"].as_i64().expect("refreshedAt");
        data["client"]["refreshedAt"] = json!(refreshed - 120_000);
        sqlx::query("UPDATE sessions SET data = $1")
            .bind(data.to_string())
            .execute(app.db.pool())
            .await
            .unwrap();
        assert_eq!(app.get_with_cookie("/account", &cookie).await.status(), 200);
        let (data, last_seen, expires) = session_row(&app).await;
        let data: serde_json::Value = serde_json::from_str(&data).unwrap();
        assert!(data["client"]["refreshedAt"].as_i64().unwrap() >= refreshed);
        assert!(last_seen >= signed_in.1 && expires >= signed_in.2);
        let idle_ms = data["client"]["idleSecs"].as_i64().unwrap() * 1000;
        assert!(
            (expires - last_seen - idle_ms).abs() < 5_000,
            "the session's own idle limit, not the layer's default"
        );
    })
    .await;
}

/// After sign-in, `next` is followed only when it is a plain path on this site; the tricks
/// browsers turn into another site (a tab or newline they strip, a backslash they read as a
/// slash, encoded slashes) send the person to their account instead.
#[tokio::test(flavor = "multi_thread")]
async fn sign_in_never_redirects_to_another_site() {
    on_each_backend(|app| async move {
        register(&app, "next@example.com").await;
        let sign_in = |next: &'static str| {
            let app = &app;
            async move {
                let form = [
                    ("email", "next@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ];
                let response = post_form(app, "/rpc/auth/login", None, &form).await;
                assert_eq!(response.status(), 302, "{next:?}");
                response.headers()["location"].to_str().unwrap().to_owned()
            }
        };
        for next in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "//evil.example",
            "/%2F/evil.example",
            "/%5C%5Cevil.example",
            "/%09/evil.example",
            "https://evil.example",
        ] {
            assert_eq!(sign_in(next).await, "/account", "{next:?}");
        }
        assert_eq!(
            sign_in("/search?q=ai%20agents").await,
            "/search?q=ai%20agents"
        );
    })
    .await;
}

/// Strangers failing to sign in to an account from many addresses hold new devices off for a
/// bounded time, but never lock the owner out of a browser that has signed in before (it
/// carries a device token and is limited on its own); the owner's success clears the count.
#[tokio::test(flavor = "multi_thread")]
async fn failures_from_everywhere_never_lock_the_owner_out_of_their_own_browser() {
    on_each_backend(|app| async move {
        let email = "owner@example.com";
        register(&app, email).await;
        let form = [("email", email), ("password", PASSWORD)];
        let first = post_form(&app, "/rpc/auth/login", None, &form).await;
        assert_eq!(first.headers()["location"], "/account");
        let device = response_cookie(&first, "agora_device").expect("a device cookie");
        let set_cookie = first.headers().get_all("set-cookie").iter();
        let device_attributes = set_cookie
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("agora_device="))
            .unwrap();
        assert!(
            device_attributes.contains("HttpOnly"),
            "{device_attributes}"
        );

        // 25 wrong guesses from 25 addresses: past the per-account limit of 20.
        for i in 1..=25u8 {
            let stranger = reqwest::Client::builder()
                .local_address(IpAddr::from([127, 0, 1, i]))
                .build()
                .unwrap();
            let response = stranger
                .post(app.url("/api/v1/auth/login"))
                .json(&json!({"email": email, "password": "Wrong-Guess-1"}))
                .send()
                .await
                .unwrap();
            assert!([401, 429].contains(&response.status().as_u16()));
        }
        // A browser the account never used waits, for at most the 15-minute window.
        let login_api = || {
            app.post_json(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": PASSWORD}),
            )
        };
        let held_off = login_api().await;
        let retry_after: u64 = held_off.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&retry_after), "{retry_after}");
        assert_error(held_off, 429, "RATE_LIMIT_EXCEEDED").await;

        // The owner's own browser signs in at once, and that clears the count.
        let owner = post_form(&app, "/rpc/auth/login", Some(&device), &form).await;
        assert_eq!(owner.headers()["location"], "/account");
        let (status, _) = envelope(login_api().await).await;
        assert_eq!(status, 200);
    })
    .await;
}

/// Nothing that carries a token or personal data may be kept by a cache: signed-in pages and
/// every API and server-function response say `no-store`. A guest's page may be cached.
#[tokio::test(flavor = "multi_thread")]
async fn private_responses_are_never_stored() {
    on_each_backend(|app| async move {
        let pair = register(&app, "private@example.com").await;
        let cookie = form_login(&app, "private@example.com", PASSWORD).await;
        let no_store = |response: &reqwest::Response| {
            response
                .headers()
                .get("cache-control")
                .is_some_and(|v| v == "no-store")
        };
        let signed_in_page = app.get_with_cookie("/account", &cookie).await;
        assert!(no_store(&signed_in_page), "the account page");
        let token = pair["accessToken"].as_str().unwrap();
        assert!(no_store(&app.get_with("/api/v1/users/me", token).await));
        let tokens = app
            .post_json(
                "/api/v1/auth/login",
                None,
                json!({"email": "private@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(tokens.status(), 200);
        assert!(no_store(&tokens), "a response with tokens");
        assert!(!no_store(&app.get("/").await), "a guest's home page");
    })
    .await;
}

/// Behind TLS the session and device cookies are `__Host-` prefixed: `Secure`, for the whole
/// host, no `Domain` — browsers refuse to let a subdomain plant or overwrite them.
#[tokio::test(flavor = "multi_thread")]
async fn behind_tls_the_cookies_are_host_only() {
    let options = || Options {
        env: vec![("AGORA_PUBLIC_URL", "https://agora.example".into())],
        ..Options::default()
    };
    on_each_backend_with(options, |app| async move {
        register(&app, "tls@example.com").await;
        let form = [("email", "tls@example.com"), ("password", PASSWORD)];
        let response = post_form(&app, "/rpc/auth/login", None, &form).await;
        let set_cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.contains("agora_session="))
            .expect("a session cookie")
            .to_owned();
        assert!(
            set_cookie.starts_with("__Host-agora_session="),
            "{set_cookie}"
        );
        assert!(set_cookie.contains("Secure") && set_cookie.contains("Path=/"));
        assert!(!set_cookie.contains("Domain"), "{set_cookie}");
        let cookie = response_cookie(&response, "__Host-agora_session").unwrap();
        assert_eq!(me_status(&app, &cookie).await, 200);
        // The device cookie too.
        let device = response_cookie(&response, "__Host-agora_device");
        assert!(device.is_some(), "a __Host- device cookie");
    })
    .await;
}
