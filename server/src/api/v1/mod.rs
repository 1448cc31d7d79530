//! Version 1 of the JSON API: its router and its OpenAPI document.

pub mod admin;
pub mod auth;
pub mod cart;
pub mod catalog;
pub mod earnings;
pub mod files;
pub mod images;
pub mod orders;
pub mod params;
pub mod products;
pub mod reviews;
pub mod site;
pub mod users;
pub mod vendors;
pub mod webhooks;
pub mod wishlist;

use crate::state::AppState;
use app::catalog::model::{ProductSort, ReviewSort};
use app::envelope::{ErrorEnvelope, Meta, Pagination};
use app::error::{AppError, FieldError};
use axum::Router;
use axum::response::IntoResponse;
use axum::routing::{delete, get, patch, post, put};
use http::header;
use std::sync::OnceLock;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Agora API",
        version = "1",
        description = "The JSON API of the Agora marketplace. Every response is an envelope: \
            `{success, data, pagination?, meta: {requestId, timestamp}}` on success and \
            `{success: false, error: {code, message, details: [{field, message}]}, meta}` on failure."
    ),
    paths(
        site::get_site,
        auth::register, auth::login, auth::refresh, auth::logout, auth::me,
        auth::forgot_password, auth::reset_password,
        users::get_me, users::patch_me, users::sessions, users::end_session,
        users::api_keys, users::create_api_key, users::revoke_api_key,
        admin::list_users, admin::get_user, admin::patch_user,
        vendors::apply, vendors::get_mine, vendors::put_mine, vendors::get_storefront,
        vendors::list, vendors::approve, vendors::reject, vendors::commission,
        catalog::tree, catalog::create, catalog::update, catalog::delete,
        products::mine, products::create, products::update, products::delete, products::submit,
        products::browse, products::get, products::review_queue, products::approve, products::reject,
        images::add, images::remove, files::list, files::add, files::remove,
        reviews::list, reviews::create, reviews::update, reviews::delete, reviews::reply,
        reviews::moderation, reviews::hide, reviews::unhide,
        wishlist::list, wishlist::add, wishlist::remove,
        cart::get, cart::add, cart::remove, cart::clear,
        orders::place, orders::list, orders::get, orders::pay, orders::cancel, orders::downloads,
        orders::methods, orders::admin_list, orders::admin_get, orders::refund, orders::ask_again,
        earnings::get, earnings::mine, earnings::request, earnings::list, earnings::approve,
        earnings::reject, earnings::mark_paid, webhooks::stripe, webhooks::razorpay,
    ),
    // Enums that only a query parameter names are listed here (responses collect the rest).
    components(schemas(ErrorEnvelope, Meta, Pagination, FieldError, ProductSort, ReviewSort)),
    modifiers(&BearerAuth, &CommonResponses),
    tags(
        (name = "site", description = "The marketplace itself"),
        (name = "auth", description = "Accounts and the token pair flow"),
        (name = "users", description = "The caller's profile, sessions and API keys"),
        (name = "vendors", description = "Storefronts: applying, the owner's store, public stores"),
        (name = "catalog", description = "Categories and products"),
        (name = "cart", description = "The signed-in buyer's cart"),
        (name = "orders", description = "Checkout, payment, orders and downloads"),
        (name = "admin", description = "Staff tools"),
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` scheme: an access token from `/auth/login` or a personal API key.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An access token from `POST /auth/login` or a personal API key (`agora_…`).",
                    ))
                    .build(),
            ),
        );
    }
}

/// What every operation can answer besides its own responses, added to each so the document
/// says what the server does: 429 everywhere (the request limit, with `Retry-After`); 401 and
/// 403 where a credential is needed; 400 and 413 where a JSON body is read; and the
/// `X-RateLimit-*` headers on every response.
struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                let reads_body = operation.request_body.is_some();
                let responses = &mut operation.responses.responses;
                let mut common = vec![(
                    "429",
                    "Over the request limit (`RATE_LIMIT_EXCEEDED`; `Retry-After` says when to \
                     come back)",
                )];
                if secured {
                    common.push((
                        "401",
                        "No credential, or one that is unknown, expired or revoked \
                         (`UNAUTHORIZED`, `INVALID_TOKEN`)",
                    ));
                    common.push((
                        "403",
                        "The credential may not do this (`FORBIDDEN`): a read-only key \
                         changing data, any API key managing credentials, or a non-staff \
                         caller on a staff route",
                    ));
                }
                if reads_body {
                    common.push((
                        "400",
                        "The body is not JSON of this shape (`BAD_REQUEST`) or a field is \
                         invalid (`VALIDATION_ERROR` with `details`)",
                    ));
                    common.push(("413", "The body is too large (`PAYLOAD_TOO_LARGE`)"));
                }
                for (status, description) in common {
                    responses
                        .entry(status.to_owned())
                        .or_insert_with(|| RefOr::T(error_response(description)));
                }
                for response in responses.values_mut() {
                    if let RefOr::T(response) = response {
                        response.headers.extend(rate_limit_headers());
                    }
                }
            }
        }
    }
}

/// An error response carrying the envelope.
fn error_response(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                .build(),
        )
        .build()
}

/// The `X-RateLimit-*` headers of every `/api/v1` response.
fn rate_limit_headers() -> [(String, utoipa::openapi::header::Header); 3] {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let header = |description: &str| {
        HeaderBuilder::new()
            .schema(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0)),
            )
            .description(Some(description))
            .build()
    };
    [
        (
            "X-RateLimit-Limit".to_owned(),
            header("Requests allowed in the current hour for this caller"),
        ),
        (
            "X-RateLimit-Remaining".to_owned(),
            header("Requests left in the current hour"),
        ),
        (
            "X-RateLimit-Reset".to_owned(),
            header("When the current hour's window ends, in unix seconds"),
        ),
    ]
}

/// `/api/v1`: every route, and the 404 envelope for unknown paths.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/site", get(site::get_site))
        .route("/auth/register", post(auth::register))
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me))
        .route("/auth/forgot-password", post(auth::forgot_password))
        .route("/auth/reset-password", post(auth::reset_password))
        .route("/users/me", get(users::get_me).patch(users::patch_me))
        .route("/users/me/sessions", get(users::sessions))
        .route("/users/me/sessions/{id}", delete(users::end_session))
        .route(
            "/users/me/api-keys",
            get(users::api_keys).post(users::create_api_key),
        )
        .route("/users/me/api-keys/{id}", delete(users::revoke_api_key))
        .route(
            "/users/me/wishlist",
            get(wishlist::list).post(wishlist::add),
        )
        .route("/users/me/wishlist/{product_id}", delete(wishlist::remove))
        .route("/cart", get(cart::get).delete(cart::clear))
        .route("/cart/items", post(cart::add))
        .route("/cart/items/{product_id}", delete(cart::remove))
        .route("/orders", post(orders::place).get(orders::list))
        .route("/orders/{id}", get(orders::get))
        .route("/orders/{id}/pay", post(orders::pay))
        .route("/orders/{id}/cancel", post(orders::cancel))
        .route("/orders/{id}/downloads", get(orders::downloads))
        .route("/payment-methods", get(orders::methods))
        .route("/admin/orders", get(orders::admin_list))
        .route("/admin/orders/{id}", get(orders::admin_get))
        .route("/admin/orders/{id}/refund", post(orders::refund))
        .route(
            "/admin/orders/{id}/refunds/ask-again",
            post(orders::ask_again),
        )
        .route("/vendors/me/earnings", get(earnings::get))
        .route(
            "/vendors/me/payouts",
            get(earnings::mine).post(earnings::request),
        )
        .route("/admin/payouts", get(earnings::list))
        .route("/admin/payouts/{id}/approve", post(earnings::approve))
        .route("/admin/payouts/{id}/reject", post(earnings::reject))
        .route("/admin/payouts/{id}/mark-paid", post(earnings::mark_paid))
        .route("/admin/users", get(admin::list_users))
        .route(
            "/admin/users/{id}",
            get(admin::get_user).patch(admin::patch_user),
        )
        .route("/vendors/apply", post(vendors::apply))
        .route("/vendors/me", get(vendors::get_mine).put(vendors::put_mine))
        .route("/vendors/{slug}", get(vendors::get_storefront))
        .route("/admin/vendors", get(vendors::list))
        .route("/admin/vendors/{id}/approve", post(vendors::approve))
        .route("/admin/vendors/{id}/reject", post(vendors::reject))
        .route("/admin/vendors/{id}/commission", put(vendors::commission))
        .route("/categories", get(catalog::tree))
        .route("/admin/categories", post(catalog::create))
        .route(
            "/admin/categories/{id}",
            patch(catalog::update).delete(catalog::delete),
        )
        .route(
            "/vendors/me/products",
            get(products::mine).post(products::create),
        )
        .route(
            "/vendors/me/products/{id}",
            put(products::update).delete(products::delete),
        )
        .route("/vendors/me/products/{id}/submit", post(products::submit))
        .route("/products", get(products::browse))
        .route("/products/{id_or_slug}", get(products::get))
        .route("/admin/products", get(products::review_queue))
        .route("/admin/products/{id}/approve", post(products::approve))
        .route("/admin/products/{id}/reject", post(products::reject))
        .route(
            "/products/{id}/reviews",
            get(reviews::list).post(reviews::create),
        )
        .route(
            "/reviews/{id}",
            patch(reviews::update).delete(reviews::delete),
        )
        .route("/reviews/{id}/reply", post(reviews::reply))
        .route("/admin/reviews", get(reviews::moderation))
        .route("/admin/reviews/{id}/hide", post(reviews::hide))
        .route("/admin/reviews/{id}/unhide", post(reviews::unhide))
        .fallback(not_found)
}

/// The OpenAPI document, serialised once.
async fn openapi_json() -> impl IntoResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let body = JSON.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_default());
    ([(header::CONTENT_TYPE, "application/json")], body.as_str())
}

async fn not_found() -> AppError {
    AppError::NotFound("This API route".into())
}
