//! The cart's server functions, for signed-in buyers (the stored cart) and guests (the signed
//! cookie of [`super::guest`]).

use super::model::Cart;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod request {
    //! The guest cart of the current request, read from and written to its cookie.
    use crate::cart::guest;
    use crate::error::AppError;
    use crate::platform::Services;
    use crate::platform::types::Id;

    pub fn products(services: &Services) -> Vec<Id> {
        leptos::prelude::use_context::<http::request::Parts>()
            .map(|parts| guest::read(services, &parts.headers))
            .unwrap_or_default()
    }

    pub fn store(services: &Services, products: Vec<Id>) -> Result<(), AppError> {
        let value = http::HeaderValue::from_str(&guest::cookie(services, products))
            .map_err(|_| AppError::Internal)?;
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.append_header(http::header::SET_COOKIE, value);
        }
        Ok(())
    }
}

/// Moves the guest cart of this request into the cart of `buyer`, who has just signed in, and
/// clears it.
#[cfg(feature = "ssr")]
pub(crate) async fn merge_guest_cart(
    services: &crate::platform::Services,
    buyer: &crate::platform::types::Id,
) -> Result<(), AppError> {
    let products = request::products(services);
    if !products.is_empty() {
        super::service::merge(services, buyer, &products).await?;
        request::store(services, Vec::new())?;
    }
    Ok(())
}

/// The caller's cart, priced now: the stored one when signed in, the guest's otherwise.
#[server(prefix = "/rpc", endpoint = "cart")]
pub async fn cart_page() -> Result<Cart, AppError> {
    use crate::platform::context;
    let services = context::services()?;
    match context::caller()?.viewer()? {
        Some(actor) => super::service::view(&services.db, actor).await,
        None => super::service::view_guest(&services.db, &request::products(&services)).await,
    }
}

/// How many products are in the caller's cart.
#[server(prefix = "/rpc", endpoint = "cart/count")]
pub async fn cart_count() -> Result<usize, AppError> {
    cart_page().await.map(|cart| cart.lines.len())
}

/// Puts a product in the caller's cart, then shows the cart.
#[server(prefix = "/rpc", endpoint = "cart/add")]
pub async fn add_to_cart(product_id: String) -> Result<(), AppError> {
    use crate::platform::context;
    use crate::platform::types::Id;
    let services = context::services()?;
    let id = Id::parse_or_not_found(&product_id, "The product")?;
    match context::caller()?.viewer()? {
        Some(actor) => super::service::add(&services, actor, &id).await?,
        None => {
            let mut products = request::products(&services);
            super::service::check_guest_add(&services.db, &products, &id).await?;
            products.insert(0, id);
            request::store(&services, products)?;
        }
    }
    leptos_axum::redirect("/cart");
    Ok(())
}

/// Takes a product out of the caller's cart.
#[server(prefix = "/rpc", endpoint = "cart/remove")]
pub async fn remove_from_cart(product_id: String) -> Result<(), AppError> {
    use crate::platform::context;
    use crate::platform::types::Id;
    let services = context::services()?;
    let id = Id::parse_or_not_found(&product_id, "The product")?;
    match context::caller()?.viewer()? {
        Some(actor) => super::service::remove(&services, actor, &id).await?,
        None => {
            let mut products = request::products(&services);
            products.retain(|product| *product != id);
            request::store(&services, products)?;
        }
    }
    leptos_axum::redirect("/cart");
    Ok(())
}
