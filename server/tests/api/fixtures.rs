//! Fixtures, in one place: accounts of every role signed in through the real endpoints, and
//! the actor of a credential resolved exactly as a request's is.
use crate::helpers::{TestApp, envelope, response_cookie};
use app::platform::identity::{Actor, Role};
use serde_json::{Value, json};

pub const PASSWORD: &str = "Sturdy-Otter-42";

pub fn registration(email: &str) -> Value {
    json!({
        "email": email,
        "password": PASSWORD,
        "firstName": "Ada",
        "lastName": "Lovelace",
    })
}

/// Registers `email` through the API; returns the token pair's data.
pub async fn register(app: &TestApp, email: &str) -> Value {
    let (status, body) = envelope(
        app.post_json("/api/v1/auth/register", None, registration(email))
            .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["data"].clone()
}

pub async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/login",
        None,
        json!({"email": email, "password": password}),
    )
    .await
}

async fn access_token(app: &TestApp, email: &str) -> String {
    let (status, body) = envelope(login(app, email, PASSWORD).await).await;
    assert_eq!(status, 200, "{body}");
    body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// Creates an account with `role` (an admin as `agora create-admin` does; other roles by that
/// admin) and signs it in through the API; returns its access token.
pub async fn staff_token(app: &TestApp, email: &str, role: Role) -> String {
    if role != Role::Admin {
        let admin_email = "fixture-admin@example.com";
        app::operator::create_admin(&app.services, admin_email, PASSWORD.into(), "Fix", "Ture")
            .await
            .expect("fixture admin");
        let admin = app.actor(&access_token(app, admin_email).await).await;
        app::auth::service::provision(
            &app.db,
            admin.admin().expect("admin proof"),
            email,
            PASSWORD.into(),
            "Staff",
            "Member",
            role,
        )
        .await
        .expect("provision");
    } else {
        app::operator::create_admin(&app.services, email, PASSWORD.into(), "Staff", "Member")
            .await
            .expect("create admin");
    }
    access_token(app, email).await
}

/// Posts a form to a server function as a browser without the wasm would (`Accept: text/html`,
/// a same-origin `Origin`), with `cookie` if given.
pub async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(path))
        .header("accept", "text/html")
        .header("origin", format!("http://{}", app.addr))
        .header("referer", app.url("/login"))
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.expect("POST form")
}

/// The `agora_session=…` pair a response sets, if any.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response_cookie(response, "agora_session")
}

/// Signs in through the login form; returns the session cookie.
pub async fn form_login(app: &TestApp, email: &str, password: &str) -> String {
    let response = post_form(
        app,
        "/rpc/auth/login",
        None,
        &[("email", email), ("password", password)],
    )
    .await;
    assert_eq!(response.status(), 302);
    session_cookie(&response).expect("a session cookie")
}

/// A signed-in staff member's session cookie.
pub async fn staff_cookie(app: &TestApp, role: Role) -> String {
    let email = format!("{}@staff.example", role.as_str());
    staff_token(app, &email, role).await;
    form_login(app, &email, PASSWORD).await
}

/// A new read-only API key of the holder of `token`.
pub async fn read_only_key(app: &TestApp, token: &str) -> String {
    let response = app
        .post_json(
            "/api/v1/users/me/api-keys",
            Some(token),
            json!({"name": "reader", "scope": "read"}),
        )
        .await;
    let (status, body) = envelope(response).await;
    assert_eq!(status, 201, "{body}");
    body["data"]["key"].as_str().expect("key").to_owned()
}

/// A person of some role, signed in both ways: a browser session and an API sign-in.
pub struct TestUser {
    pub email: String,
    /// `agora_session=…`, for pages and server functions.
    pub cookie: String,
    /// An access token, for `/api/v1`.
    pub token: String,
}

impl TestApp {
    /// A new account with `role`, signed in through the login form and the API.
    pub async fn with_user(&self, role: Role) -> TestUser {
        let email = format!(
            "{}-{}@example.com",
            role.as_str(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let token = if role == Role::User {
            register(self, &email).await["accessToken"]
                .as_str()
                .expect("token")
                .to_owned()
        } else {
            staff_token(self, &email, role).await
        };
        let cookie = form_login(self, &email, PASSWORD).await;
        TestUser {
            email,
            cookie,
            token,
        }
    }

    /// The actor of a bearer credential (access token or API key), resolved by the same code
    /// that resolves every request's caller.
    pub async fn actor(&self, credential: &str) -> Actor {
        let (parts, ()) = http::Request::builder()
            .header("authorization", format!("Bearer {credential}"))
            .body(())
            .expect("request")
            .into_parts();
        app::auth::caller::resolve(&self.services, &parts)
            .await
            .actor()
            .expect("a valid credential")
            .clone()
    }
}

/// POSTs a server function as the hydrated page would (same origin, URL-encoded form) and
/// returns the status.
pub async fn rpc(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> u16 {
    app.client
        .post(app.url(path))
        .header("cookie", cookie)
        .header("origin", format!("http://{}", app.addr))
        .form(form)
        .send()
        .await
        .expect("server function")
        .status()
        .as_u16()
}

/// An approved vendor's access token: registered, applied, approved by `staff`.
pub async fn vendor(app: &TestApp, staff: &str, email: &str, store: &str) -> String {
    let token = register(app, email).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let application = json!({
        "storeName": store,
        "contactEmail": email,
        "payoutMethod": "paypal",
        "payoutDetails": email,
    });
    let (status, body) = envelope(
        app.post_json("/api/v1/vendors/apply", Some(&token), application)
            .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["data"]["id"].as_str().unwrap();
    let (status, body) = envelope(
        app.post_json(
            &format!("/api/v1/admin/vendors/{id}/approve"),
            Some(staff),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    token
}

/// A new top-level category's id.
pub async fn category(app: &TestApp, staff: &str, name: &str) -> String {
    let (status, body) = envelope(
        app.post_json(
            "/api/v1/admin/categories",
            Some(staff),
            json!({"name": name}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["data"]["id"].as_str().unwrap().to_owned()
}

/// A product's fields, as a vendor sends them.
pub fn product(title: &str, category: &str) -> Value {
    json!({
        "title": title,
        "summary": "Scores inbound leads and routes them to your CRM.",
        "description": "## What you get\n\n- The workflow\n- A guide",
        "price": 2900,
        "compareAt": 3900,
        "categoryId": category,
        "tags": ["n8n", "sales"],
    })
}

/// An API request with a bearer credential and an optional JSON body.
pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// Puts `body` live for `seller` (created, submitted, approved by `staff`); its id.
pub async fn live_product(app: &TestApp, seller: &str, staff: &str, body: Value) -> String {
    let (status, created) = envelope(
        app.post_json("/api/v1/vendors/me/products", Some(seller), body)
            .await,
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let submit = format!("/api/v1/vendors/me/products/{id}/submit");
    let (status, body) = envelope(app.post_json(&submit, Some(seller), json!({})).await).await;
    assert_eq!(status, 200, "{body}");
    let approve = format!("/api/v1/admin/products/{id}/approve");
    let (status, body) = envelope(app.post_json(&approve, Some(staff), json!({})).await).await;
    assert_eq!(status, 200, "{body}");
    id
}

/// Uploads `bytes` as the file `name` of `seller`'s product `id` (through the API).
pub async fn upload_file(
    app: &TestApp,
    seller: &str,
    id: &str,
    bytes: Vec<u8>,
    name: &str,
) -> reqwest::Response {
    use reqwest::multipart::{Form, Part};
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    app.client
        .post(app.url(&format!("/api/v1/vendors/me/products/{id}/files")))
        .bearer_auth(seller)
        .multipart(form)
        .send()
        .await
        .unwrap()
}
