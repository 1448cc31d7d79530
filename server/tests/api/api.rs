//! The `/api/v1` envelope, its error codes, and the OpenAPI document and docs page.
use crate::fixtures::{read_only_key, register};
use crate::helpers::{Options, assert_error, envelope, on_each_backend, on_each_backend_with};
use app::error::AppError;
use axum::Router;
use axum::routing::post;
use server::api::json::ApiJson;
use server::state::AppState;

#[tokio::test(flavor = "multi_thread")]
async fn site_settings_come_in_the_envelope() {
    on_each_backend(|app| async move {
        let (status, body) = envelope(app.get("/api/v1/site").await).await;
        assert_eq!(status, 200);
        assert_eq!(body["data"]["siteName"], "Agora");
        assert_eq!(body["data"]["currency"], "USD");
        assert_eq!(body["data"]["commissionRateBps"], 1000);
        assert!(body.get("pagination").is_none());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_api_routes_get_a_404_envelope() {
    on_each_backend(|app| async move {
        for path in ["/api/v1/nope", "/api/v1/users/42/whatever", "/api/v1/"] {
            assert_error(app.get(path).await, 404, "NOT_FOUND").await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_method_gets_a_405_envelope() {
    on_each_backend(|app| async move {
        let response = app
            .client
            .delete(app.url("/api/v1/site"))
            .send()
            .await
            .unwrap();
        assert!(response.headers().contains_key("allow"));
        assert_error(response, 405, "METHOD_NOT_ALLOWED").await;
    })
    .await;
}

/// Probe routes on the real `/api/v1` stack, to exercise the JSON extractor and body limit
/// before the features that accept JSON exist.
fn probe() -> Options {
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Probe {
        name: String,
        count: u32,
    }
    async fn accept(ApiJson(_): ApiJson<Probe>) -> Result<(), AppError> {
        Ok(())
    }
    let routes: Router<AppState> = Router::new().route("/probe", post(accept));
    Options {
        env: vec![("AGORA_BODY_LIMIT_BYTES", "4096".into())],
        api_routes: Some(routes),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_is_a_400_envelope() {
    on_each_backend_with(probe, |app| async move {
        let response = app
            .client
            .post(app.url("/api/v1/probe"))
            .header("content-type", "application/json")
            .body("{\"name\": \"x\", ")
            .send()
            .await
            .unwrap();
        let body = assert_error(response, 400, "BAD_REQUEST").await;
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("not valid JSON")
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn json_of_the_wrong_shape_names_the_field() {
    on_each_backend_with(probe, |app| async move {
        let response = app
            .client
            .post(app.url("/api/v1/probe"))
            .json(&serde_json::json!({"name": "x", "count": -3}))
            .send()
            .await
            .unwrap();
        let body = assert_error(response, 400, "VALIDATION_ERROR").await;
        assert_eq!(body["error"]["details"][0]["field"], "count", "{body}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_without_json_content_type_is_a_400_envelope() {
    on_each_backend_with(probe, |app| async move {
        let response = app
            .client
            .post(app.url("/api/v1/probe"))
            .body("{\"name\":\"x\",\"count\":1}")
            .send()
            .await
            .unwrap();
        assert_error(response, 400, "BAD_REQUEST").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn oversize_bodies_are_a_413_envelope() {
    on_each_backend_with(probe, |app| async move {
        let big = format!("{{\"name\":\"{}\",\"count\":1}}", "x".repeat(10_000));
        let response = app
            .client
            .post(app.url("/api/v1/probe"))
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_error(response, 413, "PAYLOAD_TOO_LARGE").await;

        // Without a Content-Length (chunked), the limit still holds.
        let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(big.into_bytes())]);
        let response = app
            .client
            .post(app.url("/api/v1/probe"))
            .header("content-type", "application/json")
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await
            .unwrap();
        assert_error(response, 413, "PAYLOAD_TOO_LARGE").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_document_is_3_1_and_lists_the_routes() {
    on_each_backend(|app| async move {
        let response = app.get("/api/v1/openapi.json").await;
        assert_eq!(response.status(), 200);
        let doc: serde_json::Value = response.json().await.unwrap();
        assert!(
            doc["openapi"].as_str().unwrap().starts_with("3.1"),
            "{}",
            doc["openapi"]
        );
        assert!(doc["paths"]["/api/v1/site"]["get"].is_object());
        assert!(doc["components"]["schemas"]["ErrorEnvelope"].is_object());
        // What every operation can answer is documented on each: the request limit everywhere,
        // refusals of credentials where one is needed, bad bodies where one is read.
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let responses = &operation["responses"];
                let at = format!("{method} {path}");
                assert!(responses["429"].is_object(), "{at}");
                if operation["security"]
                    .as_array()
                    .is_some_and(|s| !s.is_empty())
                {
                    assert!(
                        responses["401"].is_object() && responses["403"].is_object(),
                        "{at}"
                    );
                }
                if operation["requestBody"].is_object() {
                    assert!(
                        responses["400"].is_object() && responses["413"].is_object(),
                        "{at}"
                    );
                }
                for (status, response) in responses.as_object().unwrap() {
                    assert!(
                        response["headers"]["X-RateLimit-Remaining"].is_object(),
                        "{at} {status}"
                    );
                }
            }
        }
        // The lengths the server enforces on credentials are in the document.
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["LoginRequest"]["properties"]["password"]["maxLength"],
            128
        );
        assert_eq!(
            schemas["LoginRequest"]["properties"]["email"]["maxLength"],
            254
        );
        assert_eq!(
            schemas["Registration"]["properties"]["password"]["minLength"],
            8
        );
        assert_eq!(
            schemas["ResetRequest"]["properties"]["token"]["maxLength"],
            128
        );
        // Staff's order list documents the buyer's filters and its own.
        let names: Vec<&str> = doc["paths"]["/api/v1/admin/orders"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        for name in [
            "filter[status]",
            "filter[from]",
            "filter[to]",
            "page",
            "limit",
        ] {
            assert!(names.contains(&name), "{name} in {names:?}");
        }
        assert!(
            names.contains(&"filter[vendor]") && names.contains(&"search"),
            "{names:?}"
        );
        // Times are documented as what they are on the wire: RFC 3339 strings.
        let timestamp = &doc["components"]["schemas"]["Timestamp"];
        assert_eq!(timestamp["type"], "string", "{timestamp}");
        assert_eq!(timestamp["format"], "date-time", "{timestamp}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_docs_page_renders_offline() {
    on_each_backend(|app| async move {
        let response = app.get("/api/docs").await;
        assert_eq!(response.status(), 200);
        let html = response.text().await.unwrap();
        assert!(html.contains("/api/v1/site"));
        assert!(html.contains("/api/v1/openapi.json"));
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "no external assets"
        );
    })
    .await;
}

/// The `X-RateLimit-*` headers of a response: limit, remaining, reset (unix seconds).
fn quota(response: &reqwest::Response) -> (u64, u64, u64) {
    let header = |name: &str| {
        response.headers()[name]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    (
        header("x-ratelimit-limit"),
        header("x-ratelimit-remaining"),
        header("x-ratelimit-reset"),
    )
}

/// Every `/api/v1` response says where its caller stands against the hourly limit — per
/// address for guests, per signed-in person, per API key, each counted on its own, with the
/// limits from the settings — and past the limit the answer is 429 with `Retry-After`.
#[tokio::test(flavor = "multi_thread")]
async fn the_api_counts_requests_per_caller_and_says_so_in_every_response() {
    on_each_backend(|app| async move {
        for (key, value) in [
            ("api_guest_requests_per_hour", 3),
            ("api_requests_per_hour", 3),
        ] {
            sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, 0)")
                .bind(key)
                .bind(value.to_string())
                .execute(app.db.pool())
                .await
                .unwrap();
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        // Guest requests from this address: the registration was the first.
        let token = register(&app, "counted@example.com").await["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        let second = app.get("/api/v1/site").await;
        let (limit, remaining, reset) = quota(&second);
        assert_eq!((limit, remaining), (3, 1));
        assert!(reset > now && reset <= now + 3600, "{reset} vs {now}");
        assert_eq!(quota(&app.get("/api/v1/site").await).1, 0);
        let refused = app.get("/api/v1/site").await;
        assert_eq!(quota(&refused).1, 0);
        assert!(refused.headers().contains_key("retry-after"));
        assert_error(refused, 429, "RATE_LIMIT_EXCEEDED").await;

        // The signed-in person has a count of their own, and so has each of their keys.
        let me = app.get_with("/api/v1/users/me", &token).await;
        assert_eq!(me.status(), 200);
        assert_eq!(quota(&me), (3, 2, quota(&me).2));
        let key = read_only_key(&app, &token).await;
        assert_eq!(quota(&app.get_with("/api/v1/users/me", &key).await).1, 2);
        assert_eq!(quota(&app.get_with("/api/v1/users/me", &token).await).1, 0);
        let over = app.get_with("/api/v1/users/me", &token).await;
        assert_error(over, 429, "RATE_LIMIT_EXCEEDED").await;
    })
    .await;
}
