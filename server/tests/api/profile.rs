//! The account page's own forms: the profile picture upload, the email change and the
//! notification preferences — each as a browser without the wasm sends it.
use crate::fixtures::{PASSWORD, form_login, login, post_form, register};
use crate::helpers::{TestApp, envelope, on_each_backend};
use serde_json::Value;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR picture";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF photo";

/// Sends the avatar form: one file part named `avatar`, as a browser on our origin does.
async fn upload(
    app: &TestApp,
    cookie: Option<&str>,
    origin: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name("me.png")
        .mime_str("image/png")
        .unwrap();
    let mut request = app
        .client
        .post(app.url("/account/avatar"))
        .header("accept", "text/html")
        .header("origin", origin)
        .multipart(reqwest::multipart::Form::new().part("avatar", part));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.expect("upload")
}

async fn me(app: &TestApp, cookie: &str) -> Value {
    let response = app.get_with_cookie("/api/v1/users/me", cookie).await;
    let (status, body) = envelope(response).await;
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

fn location(response: &reqwest::Response) -> &str {
    response.headers()["location"].to_str().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_avatar_is_checked_by_its_content_stored_and_served() {
    on_each_backend(|app| async move {
        register(&app, "pic@example.com").await;
        let cookie = form_login(&app, "pic@example.com", PASSWORD).await;
        let origin = format!("http://{}", app.addr);

        let saved = upload(&app, Some(&cookie), &origin, PNG.to_vec()).await;
        assert_eq!(saved.status(), 303);
        assert_eq!(location(&saved), "/account?avatar=saved#profile");
        let url = me(&app, &cookie).await["avatarUrl"]
            .as_str()
            .expect("an avatar URL")
            .to_owned();
        assert!(url.starts_with("/media/avatars/") && url.ends_with(".png"));
        let served = app.get(&url).await;
        assert_eq!(served.status(), 200);
        assert_eq!(served.headers()["content-type"], "image/png");
        assert_eq!(served.headers()["x-content-type-options"], "nosniff");
        assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);

        // Refused: not an image whatever its name, over 1 MB, over the form body limit too.
        let mut big = PNG.to_vec();
        big.resize(1024 * 1024 + 1, 0);
        let mut huge = PNG.to_vec();
        huge.resize(3 * 1024 * 1024, 0);
        for (bytes, problem) in [
            (b"<svg onload=alert(1)>".to_vec(), "not-an-image"),
            (big, "too-large"),
            (huge, "too-large"),
            (Vec::new(), "missing"),
        ] {
            let refused = upload(&app, Some(&cookie), &origin, bytes).await;
            assert_eq!(refused.status(), 303, "{problem}");
            assert_eq!(
                location(&refused),
                format!("/account?avatar={problem}#profile")
            );
            assert_eq!(me(&app, &cookie).await["avatarUrl"], url.as_str());
        }
        let page = app
            .html_with_cookie("/account?avatar=not-an-image", &cookie)
            .await;
        assert!(page.contains("Upload a PNG, JPEG, WebP or GIF image."));
        assert!(
            page.contains(&format!("src=\"{url}\"")),
            "the picture shows"
        );

        // A new picture replaces the old file.
        upload(&app, Some(&cookie), &origin, JPEG.to_vec()).await;
        let new_url = me(&app, &cookie).await["avatarUrl"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(new_url.ends_with(".jpg"));
        assert_eq!(app.get(&url).await.status(), 404, "the old file is gone");
        let files = std::fs::read_dir(app.media.path().join("avatars")).unwrap();
        assert_eq!(files.count(), 1);

        // Guests are sent to sign in; another site cannot post with the cookie.
        let guest = upload(&app, None, &origin, PNG.to_vec()).await;
        assert_eq!(location(&guest), "/login?next=/account");
        let forged = upload(&app, Some(&cookie), "https://evil.example", PNG.to_vec()).await;
        assert_eq!(forged.status(), 403);
        assert_eq!(me(&app, &cookie).await["avatarUrl"], new_url.as_str());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_the_email_needs_the_password_and_a_new_confirmation() {
    on_each_backend(|app| async move {
        register(&app, "old@example.com").await;
        register(&app, "taken@example.com").await;
        let cookie = form_login(&app, "old@example.com", PASSWORD).await;
        let change = |email: &'static str, password: &'static str| {
            let (app, cookie) = (&app, cookie.clone());
            async move {
                app.client
                    .post(app.url("/rpc/account/email"))
                    .header("origin", format!("http://{}", app.addr))
                    .header("cookie", cookie)
                    .form(&[("new_email", email), ("password", password)])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let wrong = change("new@example.com", "Not-The-Password-1").await;
        assert_eq!(wrong.status(), 400);
        assert!(wrong.text().await.unwrap().contains("password"));
        let taken = change("Taken@Example.com", PASSWORD).await;
        assert_eq!(taken.status(), 409);
        assert!(taken.text().await.unwrap().contains("email"));
        let invalid = change("not-an-email", PASSWORD).await;
        assert_eq!(invalid.status(), 400);
        assert_eq!(me(&app, &cookie).await["email"], "old@example.com");

        let done = post_form(
            &app,
            "/rpc/account/email",
            Some(&cookie),
            &[("new_email", "new@example.com"), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(done.status(), 302);
        assert_eq!(location(&done), "/account?email=changed");
        let user = me(&app, &cookie).await;
        assert_eq!(user["email"], "new@example.com");
        assert_eq!(
            user["emailVerified"], false,
            "the new address is unconfirmed"
        );
        let (text, _) = app
            .email_to("new@example.com", "Confirm your email address")
            .await;
        assert!(text.contains("/verify-email/"), "{text}");
        let (notice, _) = app
            .email_to("old@example.com", "Your email address was changed")
            .await;
        assert!(notice.contains("new@example.com"), "{notice}");
        assert_eq!(login(&app, "old@example.com", PASSWORD).await.status(), 401);
        assert_eq!(login(&app, "new@example.com", PASSWORD).await.status(), 200);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn notification_preferences_are_saved_from_the_form() {
    on_each_backend(|app| async move {
        register(&app, "prefs@example.com").await;
        let cookie = form_login(&app, "prefs@example.com", PASSWORD).await;
        let defaults = me(&app, &cookie).await["notifications"].clone();
        assert_eq!(defaults["orderEmails"], true);
        assert_eq!(defaults["marketingEmails"], false);

        // Only ticked boxes are sent.
        let saved = post_form(
            &app,
            "/rpc/account/notifications",
            Some(&cookie),
            &[("marketing_emails", "on")],
        )
        .await;
        assert!(saved.status().is_redirection(), "{}", saved.status());
        let prefs = me(&app, &cookie).await["notifications"].clone();
        assert_eq!(prefs["orderEmails"], false);
        assert_eq!(prefs["marketingEmails"], true);
        assert_eq!(prefs["securityEmails"], false);
    })
    .await;
}
