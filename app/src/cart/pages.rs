//! `/cart` (guests too): each product with its cover, storefront and price, a remove button,
//! the totals, and the way to checkout; and the header's cart link with its count.

use super::model::{Cart, CartLine};
use super::server::{RemoveFromCart, cart_count, cart_page};
use crate::components::forms::{BUTTON, BUTTON_SECONDARY, FormError, last_error};
use crate::shell::guard::viewer;
use crate::shell::status::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CartPage() -> impl IntoView {
    let cart = Resource::new(|| (), |_| cart_page());
    let signed_in = viewer().is_some();
    view! {
        <Title text="Your cart"/>
        <h1 class="text-2xl font-bold">"Your cart"</h1>
        <Loaded resource=cart view=move |cart| view! { <CartView cart signed_in/> }/>
    }
}

#[component]
fn CartView(cart: Cart, signed_in: bool) -> impl IntoView {
    if cart.lines.is_empty() {
        return view! {
            <p role="status" class="mt-4 text-slate-600">
                "Your cart is empty. " <a class="text-indigo-700 underline" href="/products">"Browse products"</a>
            </p>
        }
        .into_any();
    }
    let remove = ServerAction::<RemoveFromCart>::new();
    let error = last_error(remove);
    let buyable = cart.lines.iter().any(|line| line.available);
    let checkout = if signed_in {
        "/checkout".to_owned()
    } else {
        "/login?next=%2Fcheckout".to_owned()
    };
    view! {
        <FormError error/>
        <ul aria-label="Products in your cart" class="mt-4 flex flex-col gap-3">
            {cart.lines.into_iter().map(|line| view! { <Line line remove/> }).collect_view()}
        </ul>
        <dl aria-label="Totals" class="mt-6 ml-auto grid max-w-xs grid-cols-2 gap-1 text-right">
            <dt>"Subtotal"</dt><dd>{cart.subtotal.display()}</dd>
            <dt>{format!("Tax ({}.{:02} %)", cart.tax_rate_bps / 100, cart.tax_rate_bps % 100)}</dt><dd>{cart.tax.display()}</dd>
            <dt class="font-semibold">"Total"</dt><dd class="font-semibold">{cart.total.display()}</dd>
        </dl>
        <p class="mt-4 text-right">
            {if buyable {
                view! { <a class=BUTTON href=checkout>{if signed_in { "Checkout" } else { "Sign in to check out" }}</a> }.into_any()
            } else {
                view! { <span class="text-slate-600">"Nothing here can be bought right now."</span> }.into_any()
            }}
        </p>
    }
    .into_any()
}

#[component]
fn Line(line: CartLine, remove: ServerAction<RemoveFromCart>) -> impl IntoView {
    view! {
        <li class="flex items-center gap-4 rounded-lg border border-slate-200 bg-white p-3">
            {line.thumbnail_url.clone().map(|src| view! {
                <img src=src alt="" width="64" height="64" class="h-16 w-16 rounded object-cover"/>
            })}
            <div class="flex-1">
                <a class="font-semibold text-indigo-700 underline" href=format!("/products/{}", line.slug)>{line.title.clone()}</a>
                <p class="text-sm text-slate-600">"by " {line.vendor_name.clone()}</p>
                {(!line.available).then(|| view! {
                    <p role="status" class="text-sm text-amber-800">"No longer available: left out of the total."</p>
                })}
            </div>
            <p class="font-semibold">{line.price.display()}</p>
            <ActionForm action=remove>
                <input type="hidden" name="product_id" value=line.product_id.to_string()/>
                <button type="submit" class=BUTTON_SECONDARY aria-label=format!("Remove {}", line.title)>"Remove"</button>
            </ActionForm>
        </li>
    }
}

/// "Cart (n)" in the site header.
#[component]
pub fn CartLink() -> impl IntoView {
    let count = Resource::new(|| (), |_| cart_count());
    view! {
        <a href="/cart" class="hover:text-indigo-700">
            "Cart"
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    count.await.ok().filter(|n| *n > 0).map(|n| view! {
                        " " <span aria-label=format!("{n} in cart") class="rounded-full bg-indigo-100 px-2 text-sm text-indigo-800">{n}</span>
                    })
                })}
            </Suspense>
        </a>
    }
}
