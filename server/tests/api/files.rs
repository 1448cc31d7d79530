//! The files a product delivers: streamed uploads kept privately, listed and removed by the
//! vendor only, bounded in size and count, and a live product's change going back to review
//! when the setting says so — on each backend.

use crate::fixtures::{
    category, live_product, product, send, staff_token, upload_file as upload, vendor,
};
use crate::helpers::{TestApp, assert_error, envelope, on_each_backend};
use app::platform::identity::Role;
use reqwest::Method;

/// Files in the private folder (not counting uploads in progress).
fn stored(app: &TestApp) -> usize {
    std::fs::read_dir(app.files.path())
        .map(|dir| {
            dir.filter(|e| e.as_ref().is_ok_and(|e| e.path().is_file()))
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn vendors_attach_private_files_within_bounds() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "seller@example.com", "Flowsmith").await;
        let rival = vendor(&app, &admin, "rival@example.com", "Rival").await;
        let automation = category(&app, &admin, "Automation").await;
        let (_, draft) = envelope(
            app.post_json(
                "/api/v1/vendors/me/products",
                Some(&seller),
                product("Kit", &automation),
            )
            .await,
        )
        .await;
        let id = draft["data"]["id"].as_str().unwrap().to_owned();

        let (status, body) = envelope(
            upload(
                &app,
                &seller,
                &id,
                b"PK\x03\x04 zip bytes".to_vec(),
                "../kit v1.zip",
            )
            .await,
        )
        .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["data"]["name"], "kit v1.zip", "a base name only");
        assert_eq!(body["data"]["bytes"], 14);
        assert_eq!(stored(&app), 1);
        // Kept privately: nothing under the public media folder.
        assert_eq!(std::fs::read_dir(app.media.path()).unwrap().count(), 0);

        let files = format!("/api/v1/vendors/me/products/{id}/files");
        let (status, body) = envelope(app.get_with(&files, &seller).await).await;
        assert_eq!(status, 200);
        assert_eq!(body["data"].as_array().unwrap().len(), 1);
        assert_error(app.get_with(&files, &rival).await, 404, "NOT_FOUND").await;
        assert_error(
            upload(&app, &rival, &id, b"x".to_vec(), "x.txt").await,
            404,
            "NOT_FOUND",
        )
        .await;

        // Bounds: empty, over 100 MB (streamed, never whole in memory), more than five.
        let body = assert_error(
            upload(&app, &seller, &id, Vec::new(), "empty.txt").await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(body["error"]["details"][0]["field"], "file");
        let body = assert_error(
            upload(
                &app,
                &seller,
                &id,
                vec![0; 100 * 1024 * 1024 + 1],
                "big.bin",
            )
            .await,
            400,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(
            body["error"]["details"][0]["message"],
            "The file is larger than 100 MB."
        );
        for n in 0..4 {
            assert_eq!(
                upload(&app, &seller, &id, vec![1; 10], &format!("{n}.txt"))
                    .await
                    .status(),
                201
            );
        }
        assert_error(
            upload(&app, &seller, &id, vec![1; 10], "six.txt").await,
            409,
            "CONFLICT",
        )
        .await;
        assert_eq!(stored(&app), 5, "refused uploads leave nothing behind");
        let incoming = app.files.path().join("incoming");
        assert_eq!(
            std::fs::read_dir(incoming).map(|d| d.count()).unwrap_or(0),
            0
        );

        // Removing one, then deleting the draft, removes the stored files.
        let first = body_first_id(&app, &seller, &files).await;
        assert_eq!(
            send(
                &app,
                Method::DELETE,
                &format!("{files}/{first}"),
                &seller,
                None
            )
            .await
            .status(),
            204
        );
        assert_eq!(stored(&app), 4);
        assert_eq!(
            send(
                &app,
                Method::DELETE,
                &format!("/api/v1/vendors/me/products/{id}"),
                &seller,
                None
            )
            .await
            .status(),
            204
        );
        assert_eq!(stored(&app), 0);
    })
    .await;
}

async fn body_first_id(app: &TestApp, token: &str, path: &str) -> String {
    let (_, body) = envelope(app.get_with(path, token).await).await;
    body["data"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_products_new_file_goes_back_to_review_when_the_setting_says_so() {
    on_each_backend(|app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "seller@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        let id = live_product(&app, &seller, &admin, product("Kit", &automation)).await;
        assert_eq!(
            upload(&app, &seller, &id, vec![1; 10], "v1.zip")
                .await
                .status(),
            201
        );
        let (_, body) = envelope(app.get_with("/api/v1/vendors/me/products", &seller).await).await;
        assert_eq!(body["data"][0]["status"], "active", "off by default");
        let actor = app.actor(&admin).await;
        app::settings::service::set(
            &app.services,
            actor.admin().unwrap(),
            &app::settings::model::REREVIEW_LIVE_CHANGES,
            true,
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            upload(&app, &seller, &id, vec![1; 10], "v2.zip")
                .await
                .status(),
            201
        );
        let (_, body) = envelope(app.get_with("/api/v1/vendors/me/products", &seller).await).await;
        assert_eq!(body["data"][0]["status"], "pending");
        assert_error(
            upload(&app, &seller, &id, vec![1; 10], "v3.zip").await,
            409,
            "CONFLICT",
        )
        .await;
    })
    .await;
}
