//! Orders: placing one from the cart (`POST /orders` with an `Idempotency-Key`), the buyer's
//! orders, paying, cancelling and downloading; `GET /payment-methods`; and, for staff,
//! `GET /admin/orders`, one order, and refunds.

use super::params::{limit_schema, page_schema, search_schema, slug_schema, window};
use crate::api::caller::ApiCaller;
use crate::api::json::ApiJson;
use crate::state::AppState;
use app::envelope::{Envelope, ErrorEnvelope};
use app::error::{AppError, FieldError};
use app::orders::downloads;
use app::orders::model::{Checkout, Download, Order, OrderStatus, OrderSummary, Paying};
use app::orders::service::{self as orders, OrderFilter, Placed};
use app::orders::settlement::{self, RefundRequest};
use app::orders::{payment, refunds};
use app::payments::model::{Card, MethodInfo, PaymentMethod};
use app::platform::paging::Window;
use app::platform::types::{Id, Timestamp};
use axum::extract::{Path, Query, State};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

fn order_id(id: &str) -> Result<Id, AppError> {
    Id::parse_or_not_found(id, "The order")
}

/// `POST /orders`'s header.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct PlaceHeaders {
    /// Unique per order you mean to place: 1 to 100 visible ASCII characters.
    #[param(
        rename = "Idempotency-Key",
        min_length = 1,
        max_length = 100,
        pattern = "^[!-~]{1,100}$"
    )]
    pub idempotency_key: String,
}

/// Place an order from your cart: every line that can be bought, at today's prices and tax.
/// Send a fresh `Idempotency-Key` per order you mean to place: sending the same key again (a
/// retry, a double click) returns the order it made, with 200 instead of 201.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])),
    params(PlaceHeaders),
    request_body = Checkout,
    responses((status = 201, description = "The order, pending payment", body = Envelope<Order>),
              (status = 200, description = "The order this key placed before", body = Envelope<Order>),
              (status = 409, description = "The cart has nothing that can be bought (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn place(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    ApiJson(checkout): ApiJson<Checkout>,
) -> Result<(StatusCode, Envelope<Order>), AppError> {
    let key = headers
        .get("idempotency-key")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    Ok(
        match orders::place(&state.services, &caller.actor, key, &checkout).await? {
            Placed::New(order) => (StatusCode::CREATED, Envelope::ok(order)),
            Placed::Existing(order) => (StatusCode::OK, Envelope::ok(order)),
        },
    )
}

/// A list of orders' query string.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct OrderParams {
    /// Only orders in this state.
    #[serde(rename = "filter[status]")]
    #[param(rename = "filter[status]", value_type = Option<OrderStatus>)]
    pub status: Option<String>,
    /// Placed on or after this day (`YYYY-MM-DD`, UTC).
    #[serde(rename = "filter[from]")]
    #[param(rename = "filter[from]", value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Placed on or before this day (`YYYY-MM-DD`, UTC).
    #[serde(rename = "filter[to]")]
    #[param(rename = "filter[to]", value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    #[param(schema_with = page_schema)]
    pub page: Option<String>,
    #[param(schema_with = limit_schema)]
    pub limit: Option<String>,
}

/// What staff may filter orders by besides [`OrderParams`]: a storefront and a search.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct StaffOrderParams {
    /// Only orders with a line from this storefront (its slug).
    #[serde(rename = "filter[vendor]")]
    #[param(rename = "filter[vendor]", schema_with = slug_schema)]
    pub vendor: Option<String>,
    /// Part of the buyer's email or of the order's id.
    #[param(schema_with = search_schema)]
    pub search: Option<String>,
}

/// A `YYYY-MM-DD` day's first moment, plus `days`.
fn day(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    days: i64,
) -> Option<Timestamp> {
    match Timestamp::parse_day(value?) {
        Some(start) => Some(start.plus_millis(days * 86_400_000)),
        None => {
            errors.push(FieldError::new(field, "Use a date as YYYY-MM-DD."));
            None
        }
    }
}

impl OrderParams {
    /// The filter, and the page window once every field is fine.
    fn read(self) -> Result<(OrderFilter, Window), AppError> {
        let mut errors = Vec::new();
        let status = self.status.as_deref().and_then(|s| {
            OrderStatus::parse(s).or_else(|| {
                errors.push(FieldError::new(
                    "filter[status]",
                    "Use pending, paid, completed, cancelled, refunded or partially_refunded.",
                ));
                None
            })
        });
        let filter = OrderFilter {
            status,
            from: day(&mut errors, "filter[from]", self.from.as_deref(), 0),
            until: day(&mut errors, "filter[to]", self.to.as_deref(), 1),
            ..OrderFilter::default()
        };
        Ok((filter, window(errors, self.page, self.limit)?))
    }
}

/// Your orders, newest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])),
    params(OrderParams),
    responses((status = 200, description = "One page of orders", body = Envelope<Vec<OrderSummary>>),
              (status = 400, description = "A bad filter or page", body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<OrderParams>,
) -> Result<Envelope<Vec<OrderSummary>>, AppError> {
    let (filter, window) = params.read()?;
    Ok(Envelope::page(
        orders::list_mine(state.db(), &caller.actor, &filter, window).await?,
    ))
}

/// One of your orders.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "The order", body = Envelope<Order>),
              (status = 404, description = "No such order of yours", body = ErrorEnvelope)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Envelope<Order>, AppError> {
    Ok(Envelope::ok(
        orders::mine(state.db(), &caller.actor, &order_id(&id)?).await?,
    ))
}

/// How to pay.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"method": "sandbox", "card": {"number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"}}))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayBody {
    pub method: PaymentMethod,
    /// The card, for the sandbox.
    pub card: Option<Card>,
}

/// Pay one of your pending orders. The sandbox answers at once: 200 with the paid order, or
/// 402 `PAYMENT_FAILED` saying why the card was refused — the order stays payable. Stripe
/// and Razorpay answer with the next step for the browser (`next`); their webhook settles
/// the order.
#[utoipa::path(post, path = "/api/v1/orders/{id}/pay", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")),
    request_body = PayBody,
    responses((status = 200, description = "Paid, or the provider's next step", body = Envelope<Paying>),
              (status = 402, description = "The card was refused (`PAYMENT_FAILED`)", body = ErrorEnvelope),
              (status = 404, description = "No such order of yours", body = ErrorEnvelope),
              (status = 409, description = "Paid or cancelled already, or a product you now own (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn pay(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PayBody>,
) -> Result<Envelope<Paying>, AppError> {
    let id = order_id(&id)?;
    Ok(Envelope::ok(
        payment::pay(
            &state.services,
            &caller.actor,
            &id,
            body.method,
            body.card.as_ref(),
        )
        .await?,
    ))
}

/// Cancel one of your unpaid orders.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "Cancelled", body = Envelope<Order>),
              (status = 404, description = "No such order of yours", body = ErrorEnvelope),
              (status = 409, description = "Paid or cancelled already (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Envelope<Order>, AppError> {
    Ok(Envelope::ok(
        orders::cancel(&state.services, &caller.actor, &order_id(&id)?).await?,
    ))
}

/// The files of one of your paid orders, each with a link that works for 15 minutes.
#[utoipa::path(get, path = "/api/v1/orders/{id}/downloads", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "The files", body = Envelope<Vec<Download>>),
              (status = 404, description = "No such order of yours", body = ErrorEnvelope),
              (status = 409, description = "Not paid, cancelled or refunded (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn downloads(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Envelope<Vec<Download>>, AppError> {
    Ok(Envelope::ok(
        downloads::list(&state.services, &caller.actor, &order_id(&id)?).await?,
    ))
}

/// The ways to pay this site offers.
#[utoipa::path(get, path = "/api/v1/payment-methods", tag = "orders",
    responses((status = 200, description = "The methods", body = Envelope<Vec<MethodInfo>>)))]
pub async fn methods(State(state): State<AppState>) -> Envelope<Vec<MethodInfo>> {
    Envelope::ok(payment::methods(&state.services))
}

/// Every order, newest first (staff).
#[utoipa::path(get, path = "/api/v1/admin/orders", tag = "admin", security(("bearer" = [])),
    params(OrderParams, StaffOrderParams),
    responses((status = 200, description = "One page of orders", body = Envelope<Vec<OrderSummary>>),
              (status = 400, description = "A bad filter or page", body = ErrorEnvelope)))]
pub async fn admin_list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(common): Query<OrderParams>,
    Query(staff): Query<StaffOrderParams>,
) -> Result<Envelope<Vec<OrderSummary>>, AppError> {
    let (filter, window) = common.read()?;
    let filter = OrderFilter {
        vendor: staff.vendor,
        search: staff.search,
        ..filter
    };
    Ok(Envelope::page(
        orders::list_all(state.db(), caller.actor.staff()?, &filter, window).await?,
    ))
}

/// Any order (staff).
#[utoipa::path(get, path = "/api/v1/admin/orders/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "The order", body = Envelope<Order>),
              (status = 404, description = "No such order", body = ErrorEnvelope)))]
pub async fn admin_get(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Envelope<Order>, AppError> {
    Ok(Envelope::ok(
        orders::for_staff(state.db(), caller.actor.staff()?, &order_id(&id)?).await?,
    ))
}

/// Refund a paid order, whole or by line (staff): the ledger reverses exactly what the sale
/// posted, the refunded downloads stop working, and the buyer is emailed the reason.
#[utoipa::path(post, path = "/api/v1/admin/orders/{id}/refund", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")),
    request_body = RefundRequest,
    responses((status = 200, description = "Refunded", body = Envelope<Order>),
              (status = 404, description = "No such order", body = ErrorEnvelope),
              (status = 409, description = "Not paid, or refunded already (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn refund(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RefundRequest>,
) -> Result<Envelope<Order>, AppError> {
    let id = order_id(&id)?;
    Ok(Envelope::ok(
        settlement::refund(&state.services, caller.actor.staff()?, &id, &body).await?,
    ))
}

/// Ask the providers again for the refunds of an order they refused (staff): each goes back
/// to `pending` with a new idempotency key, and is sent as the first time was.
#[utoipa::path(post, path = "/api/v1/admin/orders/{id}/refunds/ask-again", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "Asked again: the order, its refunds pending", body = Envelope<Order>),
              (status = 404, description = "No such order", body = ErrorEnvelope),
              (status = 409, description = "No refund of the order was refused (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn ask_again(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Envelope<Order>, AppError> {
    let id = order_id(&id)?;
    Ok(Envelope::ok(
        refunds::ask_again(&state.services, caller.actor.staff()?, &id).await?,
    ))
}
