//! Product images through the API: what is accepted and stored, the thumbnail the job makes,
//! and every refusal (type, size, sides, count, state, owner) — on each backend.

use crate::fixtures::{category, live_product, product, register, send, staff_token, vendor};
use crate::helpers::{TestApp, assert_error, envelope, on_each_backend};
use app::platform::identity::Role;
use image::{ImageBuffer, ImageFormat, Rgb};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use std::io::Cursor;

/// A PNG of `width` × `height` pixels.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = ImageBuffer::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .unwrap();
    bytes
}

/// Uploads `bytes` as the `image` field (named `file_name`) to product `id`.
pub async fn upload(
    app: &TestApp,
    token: &str,
    id: &str,
    bytes: Vec<u8>,
    file_name: &str,
) -> reqwest::Response {
    let form = Form::new()
        .part("image", Part::bytes(bytes).file_name(file_name.to_owned()))
        .text("alt", "The workflow in the n8n editor");
    app.client
        .post(app.url(&format!("/api/v1/vendors/me/products/{id}/images")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// The answer to an upload that announces `length` bytes and sends none of them.
async fn refused_by_length(app: &TestApp, token: &str, id: &str, length: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/vendors/me/products/{id}/images HTTP/1.1\r\nHost: {}\r\n\
         Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary=b\r\n\
         Content-Length: {length}\r\n\r\n",
        app.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let mut chunk = [0u8; 4096];
        while !String::from_utf8_lossy(&answer).contains("PAYLOAD_TOO_LARGE") {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no answer before the body was sent");
    String::from_utf8_lossy(&answer).into_owned()
}

async fn draft(app: &TestApp, seller: &str, category: &str) -> String {
    let (status, body) = envelope(
        app.post_json(
            "/api/v1/vendors/me/products",
            Some(seller),
            product("Lead scoring for n8n", category),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["data"]["id"].as_str().unwrap().to_owned()
}

/// The product as its vendor sees it, waiting up to 10 s for `ready` to hold.
async fn product_when(
    app: &TestApp,
    token: &str,
    id: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..100 {
        let (_, body) =
            envelope(app.get_with(&format!("/api/v1/products/{id}"), token).await).await;
        if ready(&body["data"]) {
            return body["data"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("product {id} never got ready");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_image_is_stored_shown_and_thumbnailed_by_the_job() {
    on_each_backend(|app| async move {
        let manager = staff_token(&app, "manager@example.com", Role::Manager).await;
        let seller = vendor(&app, &manager, "seller@example.com", "Flowsmith").await;
        let automation = category(&app, &manager, "Automation").await;
        let id = draft(&app, &seller, &automation).await;
        let (status, body) =
            envelope(upload(&app, &seller, &id, png(1200, 800), "a.png").await).await;
        assert_eq!(status, 201, "{body}");
        let image = &body["data"];
        assert_eq!(image["width"], 1200);
        assert_eq!(image["height"], 800);
        assert_eq!(image["alt"], "The workflow in the n8n editor");
        let url = image["url"].as_str().unwrap().to_owned();
        assert!(
            url.starts_with("/media/products/") && url.ends_with(".png"),
            "{url}"
        );
        let served = app.get(&url).await;
        assert_eq!(served.status(), 200);
        assert_eq!(served.headers()["content-type"], "image/png");
        // Stored names are never reused: browsers keep the file.
        assert_eq!(
            served.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            served.bytes().await.unwrap().as_ref(),
            png(1200, 800).as_slice()
        );

        // The job makes a thumbnail at most 480 pixels on the longer side.
        let shown = product_when(&app, &seller, &id, |p| {
            p["images"][0]["thumbnailUrl"] != p["images"][0]["url"]
        })
        .await;
        assert_eq!(shown["images"].as_array().unwrap().len(), 1);
        let thumbnail = shown["images"][0]["thumbnailUrl"].as_str().unwrap();
        let bytes = app.get(thumbnail).await.bytes().await.unwrap();
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (480, 320));

        // A second image goes after it; removing the first makes the second the cover.
        let (status, second) =
            envelope(upload(&app, &seller, &id, png(300, 300), "b.png").await).await;
        assert_eq!(status, 201);
        let first_id = image["id"].as_str().unwrap();
        let removed = send(
            &app,
            reqwest::Method::DELETE,
            &format!("/api/v1/vendors/me/products/{id}/images/{first_id}"),
            &seller,
            None,
        )
        .await;
        assert_eq!(removed.status(), 204);
        assert_eq!(app.get(&url).await.status(), 404, "the file is gone too");
        let shown = product_when(&app, &seller, &id, |_| true).await;
        assert_eq!(shown["images"][0]["id"], second["data"]["id"]);
        assert_eq!(shown["images"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_images_are_refused_with_the_field_named() {
    on_each_backend(|app| async move {
        let manager = staff_token(&app, "manager@example.com", Role::Manager).await;
        let seller = vendor(&app, &manager, "seller@example.com", "Flowsmith").await;
        let automation = category(&app, &manager, "Automation").await;
        let id = draft(&app, &seller, &automation).await;
        let refused = |response: reqwest::Response, message: &'static str| async move {
            let body = assert_error(response, 400, "VALIDATION_ERROR").await;
            assert_eq!(body["error"]["details"][0]["field"], "image", "{body}");
            assert_eq!(body["error"]["details"][0]["message"], message, "{body}");
        };
        // Wrong type, whatever the name says.
        refused(
            upload(
                &app,
                &seller,
                &id,
                b"<svg onload=alert(1)>".to_vec(),
                "x.png",
            )
            .await,
            "Upload a PNG, JPEG or WebP image.",
        )
        .await;
        // Too large (over 5 MB, under the 16 MB body limit).
        let mut large = png(400, 400);
        large.resize(5 * 1024 * 1024 + 1, 0);
        refused(
            upload(&app, &seller, &id, large, "large.png").await,
            "The image is larger than 5 MB.",
        )
        .await;
        // Too small; too big.
        refused(
            upload(&app, &seller, &id, png(120, 400), "s.png").await,
            "The image must be at least 200 × 200 pixels.",
        )
        .await;
        refused(
            upload(&app, &seller, &id, png(6001, 200), "h.png").await,
            "The image must be at most 6000 × 6000 pixels.",
        )
        .await;
        // No file; not a multipart body; a body over 16 MB.
        let empty = app
            .client
            .post(app.url(&format!("/api/v1/vendors/me/products/{id}/images")))
            .bearer_auth(&seller)
            .multipart(Form::new().text("alt", "nothing"))
            .send()
            .await
            .unwrap();
        refused(empty, "Choose an image to upload.").await;
        assert_error(
            app.post_json(
                &format!("/api/v1/vendors/me/products/{id}/images"),
                Some(&seller),
                json!({"image": "x"}),
            )
            .await,
            400,
            "BAD_REQUEST",
        )
        .await;
        // Too big is refused by its Content-Length before the body is read. (Sent by hand:
        // an HTTP client that writes the whole body first can find the connection closed
        // under it, and then has no answer to show.)
        let refused = refused_by_length(&app, &seller, &id, 17 * 1024 * 1024).await;
        assert!(refused.starts_with("HTTP/1.1 413"), "{refused}");
        assert!(refused.contains("PAYLOAD_TOO_LARGE"), "{refused}");
        // Nothing was stored by any of them.
        let (_, body) = envelope(
            app.get_with(&format!("/api/v1/products/{id}"), &seller)
                .await,
        )
        .await;
        assert_eq!(body["data"]["images"], json!([]));
        let stored = std::fs::read_dir(app.media.path().join("products"))
            .map(|dir| dir.count())
            .unwrap_or(0);
        assert_eq!(stored, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_vendor_adds_images_and_at_most_eight_while_not_in_review() {
    on_each_backend(|app| async move {
        let manager = staff_token(&app, "manager@example.com", Role::Manager).await;
        let seller = vendor(&app, &manager, "seller@example.com", "Flowsmith").await;
        let rival = vendor(&app, &manager, "rival@example.com", "Rival Store").await;
        let customer = register(&app, "buyer@example.com").await["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        let automation = category(&app, &manager, "Automation").await;
        let id = draft(&app, &seller, &automation).await;
        assert_error(
            upload(&app, &rival, &id, png(300, 300), "a.png").await,
            404,
            "NOT_FOUND",
        )
        .await;
        assert_error(
            upload(&app, &customer, &id, png(300, 300), "a.png").await,
            403,
            "FORBIDDEN",
        )
        .await;
        assert_error(
            upload(&app, &seller, "not-an-id", png(300, 300), "a.png").await,
            404,
            "NOT_FOUND",
        )
        .await;
        for _ in 0..8 {
            assert_eq!(
                upload(&app, &seller, &id, png(300, 300), "a.png")
                    .await
                    .status(),
                201
            );
        }
        let body = assert_error(
            upload(&app, &seller, &id, png(300, 300), "a.png").await,
            409,
            "CONFLICT",
        )
        .await;
        assert_eq!(body["error"]["details"][0]["field"], "image");
        // Under review, the gallery is fixed; once live, it may change again.
        let submitted = send(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/vendors/me/products/{id}/submit"),
            &seller,
            None,
        )
        .await;
        assert_eq!(submitted.status(), 200);
        let live = live_product(
            &app,
            &seller,
            &manager,
            product("Invoice parser", &automation),
        )
        .await;
        assert_eq!(
            upload(&app, &seller, &live, png(300, 300), "a.png")
                .await
                .status(),
            201
        );
        let body = assert_error(
            upload(&app, &seller, &id, png(300, 300), "a.png").await,
            409,
            "CONFLICT",
        )
        .await;
        assert_eq!(body["error"]["details"][0]["field"], "status");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_uploads_never_pass_eight() {
    on_each_backend(|app| async move {
        let manager = staff_token(&app, "manager@example.com", Role::Manager).await;
        let seller = vendor(&app, &manager, "seller@example.com", "Flowsmith").await;
        let automation = category(&app, &manager, "Automation").await;
        let id = draft(&app, &seller, &automation).await;
        let uploads = (0..12).map(|_| upload(&app, &seller, &id, png(240, 240), "a.png"));
        let statuses: Vec<u16> = futures_util::future::join_all(uploads)
            .await
            .iter()
            .map(|r| r.status().as_u16())
            .collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            8,
            "{statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 409).count(),
            4,
            "{statuses:?}"
        );
        let (_, body) = envelope(
            app.get_with(&format!("/api/v1/products/{id}"), &seller)
                .await,
        )
        .await;
        assert_eq!(body["data"]["images"].as_array().unwrap().len(), 8);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_vendor_dashboard_creates_products_and_uploads_images_without_the_wasm() {
    on_each_backend(|app| async move {
        let manager = staff_token(&app, "manager@example.com", Role::Manager).await;
        vendor(&app, &manager, "seller@example.com", "Flowsmith").await;
        let automation = category(&app, &manager, "Automation").await;
        let cookie =
            crate::fixtures::form_login(&app, "seller@example.com", crate::fixtures::PASSWORD)
                .await;
        let html = app.html_with_cookie("/vendor", &cookie).await;
        assert!(html.contains("<h1") && html.contains("Flowsmith"), "{html}");
        assert!(
            html.contains("No products yet") && html.contains("<svg"),
            "{html}"
        );

        // The editor's form, posted as a browser without the wasm does: a draft, then its page.
        let response = crate::fixtures::post_form(
            &app,
            "/rpc/vendor/products/save",
            Some(&cookie),
            &[
                ("form[id]", ""),
                ("form[title]", "Lead scoring"),
                ("form[slug]", ""),
                ("form[summary]", "Scores leads."),
                ("form[description]", "## Hello"),
                ("form[price]", "29.50"),
                ("form[compare_at]", ""),
                ("form[category_id]", &automation),
                ("form[tags]", "n8n, Sales"),
            ],
        )
        .await;
        assert_eq!(response.status(), 302, "{:?}", response.headers());
        let editor = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(editor.starts_with("/vendor/products/"), "{editor}");
        let id = editor.trim_start_matches("/vendor/products/").to_owned();
        let html = app.html_with_cookie(&editor, &cookie).await;
        assert!(
            html.contains("value=\"29.50\"") && html.contains("value=\"n8n, sales\""),
            "{html}"
        );
        assert!(html.contains("Status: draft"), "{html}");

        // A bad price is refused with the field named, and nothing is written.
        let refused = crate::fixtures::post_form(
            &app,
            "/rpc/vendor/products/save",
            Some(&cookie),
            &[
                ("form[id]", ""),
                ("form[title]", "Other"),
                ("form[slug]", ""),
                ("form[summary]", ""),
                ("form[description]", ""),
                ("form[price]", "twelve"),
                ("form[compare_at]", ""),
                ("form[category_id]", &automation),
                ("form[tags]", ""),
            ],
        )
        .await;
        assert!(refused.status().is_redirection());
        let (_, mine) = envelope(
            app.get_with_cookie("/api/v1/vendors/me/products", &cookie)
                .await,
        )
        .await;
        assert_eq!(mine["pagination"]["total"], 1);

        // The image form: a good image is added; a bad one comes back with its problem.
        let upload = |bytes: Vec<u8>| {
            let form = Form::new().part("image", Part::bytes(bytes).file_name("cover.png"));
            app.client
                .post(app.url(&format!("/vendor/products/{id}/images")))
                .header("cookie", &cookie)
                .header("origin", format!("http://{}", app.addr))
                .multipart(form)
                .send()
        };
        let added = upload(png(640, 400)).await.unwrap();
        assert_eq!(added.status(), 303);
        assert_eq!(
            added.headers()["location"],
            format!("/vendor/products/{id}?image=saved#images")
        );
        let bad = upload(b"not an image".to_vec()).await.unwrap();
        assert_eq!(
            bad.headers()["location"],
            format!("/vendor/products/{id}?image=not-an-image#images")
        );
        let html = app
            .html_with_cookie(
                &format!("/vendor/products/{id}?image=not-an-image"),
                &cookie,
            )
            .await;
        assert!(html.contains("Upload a PNG, JPEG or WebP image."), "{html}");
        assert!(html.contains("/media/products/"), "the image shows: {html}");

        // The file form comes back with a problem's code, and the page shows only the
        // message of a known code: a link cannot make it say anything else.
        let attach = |bytes: Vec<u8>| {
            let form = Form::new().part("file", Part::bytes(bytes).file_name("kit.zip"));
            app.client
                .post(app.url(&format!("/vendor/products/{id}/files")))
                .header("cookie", &cookie)
                .header("origin", format!("http://{}", app.addr))
                .multipart(form)
                .send()
        };
        let attached = attach(b"PK the kit".to_vec()).await.unwrap();
        assert_eq!(
            attached.headers()["location"],
            format!("/vendor/products/{id}?file=saved#files")
        );
        let empty = attach(Vec::new()).await.unwrap();
        assert_eq!(
            empty.headers()["location"],
            format!("/vendor/products/{id}?file=missing#files")
        );
        let html = app
            .html_with_cookie(&format!("/vendor/products/{id}?file=missing"), &cookie)
            .await;
        assert!(html.contains("Choose a file to upload."), "{html}");
        let html = app
            .html_with_cookie(
                &format!("/vendor/products/{id}?file=Call%20us%20at%20555"),
                &cookie,
            )
            .await;
        assert!(!html.contains("Call us at 555"), "{html}");
        let html = app.html_with_cookie("/vendor", &cookie).await;
        assert!(
            html.contains("aria-label=\"Lead scoring\"") && html.contains("Submit for review"),
            "{html}"
        );

        // Someone without a storefront gets 403.
        let customer = app.with_user(Role::User).await;
        let response = app.get_with_cookie("/vendor", &customer.cookie).await;
        assert_eq!(response.status(), 403);
    })
    .await;
}
