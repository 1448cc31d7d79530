//! The buyer's server functions: checkout (place and pay in one step from the browser, or
//! place and go on to a provider's form), starting a provider's payment, paying again,
//! cancelling, and reading orders.

use super::model::{CheckoutView, OrderSummary, OrderView, Paying};
use crate::error::AppError;
use crate::platform::types::Page;
use leptos::prelude::*;

/// The checkout page's data (signed in).
#[server(prefix = "/rpc", endpoint = "orders/checkout")]
pub async fn checkout_page() -> Result<CheckoutView, AppError> {
    use crate::platform::context;
    let actor = context::actor()?;
    let services = context::services()?;
    let user = crate::auth::service::me(&services.db, &actor).await?;
    Ok(CheckoutView {
        cart: crate::cart::service::view(&services.db, &actor).await?,
        methods: super::payment::methods(&services),
        name: format!("{} {}", user.first_name, user.last_name),
        key: crate::platform::tokens::random_token("checkout_"),
    })
}

/// The sandbox card typed into a form, as the service takes it.
#[cfg(feature = "ssr")]
fn card(number: String, expiry: String, cvc: String) -> crate::payments::model::Card {
    crate::payments::model::Card {
        number,
        expiry,
        cvc,
    }
}

/// Pays order `id` with the sandbox card; a declined card still goes to the order's page,
/// which says why and offers to pay again.
#[cfg(feature = "ssr")]
async fn pay_with_card(
    services: &crate::platform::Services,
    actor: &crate::platform::identity::Actor,
    id: &crate::platform::types::Id,
    card: &crate::payments::model::Card,
) -> Result<(), AppError> {
    use crate::payments::model::PaymentMethod;
    match super::payment::pay(services, actor, id, PaymentMethod::Sandbox, Some(card)).await {
        Ok(_) | Err(AppError::PaymentFailed(_)) => {
            leptos_axum::redirect(&format!("/orders/{id}"));
            Ok(())
        }
        Err(error) => Err(error),
    }
}

/// Places the order from the cart and pays it with the sandbox card, then shows the order;
/// with Stripe or Razorpay (`method`), places it and goes on to the provider's form.
#[server(prefix = "/rpc", endpoint = "orders/place")]
pub async fn place_order(
    key: String,
    billing_name: String,
    billing_country: String,
    #[server(default)] method: Option<String>,
    card_number: String,
    card_expiry: String,
    card_cvc: String,
) -> Result<(), AppError> {
    use crate::payments::model::PaymentMethod;
    use crate::platform::context;
    let actor = context::actor()?;
    let services = context::services()?;
    let checkout = super::model::Checkout {
        billing_name,
        billing_country,
    };
    let method = method_named(method.as_deref())?;
    let card = card(card_number, card_expiry, card_cvc);
    let order =
        super::payment::check_out(&services, &actor, &key, &checkout, method, &card).await?;
    if method == PaymentMethod::Sandbox || order.status != super::model::OrderStatus::Pending {
        leptos_axum::redirect(&format!("/orders/{}", order.id));
    } else {
        leptos_axum::redirect(&format!("/orders/{}/pay/{}", order.id, method.as_str()));
    }
    Ok(())
}

/// The payment method a form names; none is the sandbox.
#[cfg(feature = "ssr")]
fn method_named(value: Option<&str>) -> Result<crate::payments::model::PaymentMethod, AppError> {
    use crate::payments::model::PaymentMethod;
    match value.filter(|v| !v.is_empty()) {
        None => Ok(PaymentMethod::Sandbox),
        Some(name) => PaymentMethod::parse(name)
            .ok_or_else(|| AppError::invalid("method", "Choose one of the ways to pay.")),
    }
}

/// Starts (or resumes) paying a pending order with Stripe or Razorpay: what the provider's
/// form in the browser needs.
#[server(prefix = "/rpc", endpoint = "orders/provider")]
pub async fn provider_payment(id: String, method: String) -> Result<Paying, AppError> {
    use crate::platform::context;
    use crate::platform::types::Id;
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The order")?;
    let method = method_named(Some(&method))?;
    super::payment::pay(&context::services()?, &actor, &id, method, None).await
}

/// Pays a pending order again with the sandbox card.
#[server(prefix = "/rpc", endpoint = "orders/pay")]
pub async fn pay_order(
    id: String,
    card_number: String,
    card_expiry: String,
    card_cvc: String,
) -> Result<(), AppError> {
    use crate::platform::context;
    use crate::platform::types::Id;
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The order")?;
    let card = card(card_number, card_expiry, card_cvc);
    pay_with_card(&context::services()?, &actor, &id, &card).await
}

/// Cancels an unpaid order.
#[server(prefix = "/rpc", endpoint = "orders/cancel")]
pub async fn cancel_order(id: String) -> Result<(), AppError> {
    use crate::platform::context;
    use crate::platform::types::Id;
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The order")?;
    super::service::cancel(&context::services()?, &actor, &id).await?;
    leptos_axum::redirect(&format!("/orders/{id}"));
    Ok(())
}

/// One of the caller's orders, with fresh download links once it is paid.
#[server(prefix = "/rpc", endpoint = "orders/one")]
pub async fn order_page(id: String) -> Result<OrderView, AppError> {
    use crate::platform::context;
    use crate::platform::types::Id;
    let actor = context::actor()?;
    let services = context::services()?;
    let id = Id::parse_or_not_found(&id, "The order")?;
    let order = super::service::mine(&services.db, &actor, &id).await?;
    let downloads = if order.status.delivers() {
        super::downloads::list(&services, &actor, &id).await?
    } else {
        Vec::new()
    };
    let methods = if order.status == super::model::OrderStatus::Pending {
        super::payment::methods(&services)
    } else {
        Vec::new()
    };
    Ok(OrderView {
        order,
        downloads,
        methods,
    })
}

/// The caller's orders, newest first, optionally in one state.
#[server(prefix = "/rpc", endpoint = "orders/mine")]
pub async fn my_orders(
    status: Option<String>,
    page: Option<u32>,
) -> Result<Page<OrderSummary>, AppError> {
    use super::model::OrderStatus;
    use super::service::OrderFilter;
    use crate::platform::context;
    let actor = context::actor()?;
    let filter = OrderFilter {
        status: status.as_deref().and_then(OrderStatus::parse),
        ..OrderFilter::default()
    };
    let window = crate::platform::paging::Window::new(page, None)?;
    super::service::list_mine(&context::services()?.db, &actor, &filter, window).await
}
