//! `/wishlist` (signed in): the products the person saved, each with its remove button, and
//! the header's link with the count.

use super::pages::ProductCard;
use super::server::{wishlist_count, wishlist_page};
use crate::components::forms::BUTTON_SECONDARY;
use crate::shell::status::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn WishlistPage() -> impl IntoView {
    let query = use_query_map();
    let products = Resource::new(
        move || query.read().get("page").and_then(|p| p.parse::<u32>().ok()),
        wishlist_page,
    );
    view! {
        <Title text="Wishlist"/>
        <h1 class="text-2xl font-bold">"Your wishlist"</h1>
        <Loaded resource=products view=|page| {
            let pages = page.total_pages().max(1);
            if page.items.is_empty() {
                return view! {
                    <p role="status" class="mt-4 text-slate-600">
                        "Nothing saved yet. " <a class="text-indigo-700 underline" href="/products">"Browse products"</a> " and add the ones you like."
                    </p>
                }
                .into_any();
            }
            view! {
                <p role="status" class="mt-4 text-sm text-slate-600">{format!("{} saved products", page.total)}</p>
                <ul class="mt-2 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
                    {page.items.into_iter().map(|product| view! { <ProductCard product saved=Some(true)/> }).collect_view()}
                </ul>
                <nav aria-label="Pages" class="mt-4 flex gap-3">
                    {(page.page > 1).then(|| view! { <a class=BUTTON_SECONDARY href=format!("/wishlist?page={}", page.page - 1)>"Previous"</a> })}
                    {(page.page < pages).then(|| view! { <a class=BUTTON_SECONDARY href=format!("/wishlist?page={}", page.page + 1)>"Next"</a> })}
                </nav>
            }
            .into_any()
        }/>
    }
}

/// "Wishlist (n)" in the site header, for signed-in people.
#[component]
pub fn WishlistLink() -> impl IntoView {
    let count = Resource::new(|| (), |_| wishlist_count());
    view! {
        <a href="/wishlist" class="hover:text-indigo-700">
            "Wishlist"
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    count.await.ok().filter(|n| *n > 0).map(|n| view! {
                        " " <span aria-label=format!("{n} saved") class="rounded-full bg-indigo-100 px-2 text-sm text-indigo-800">{n}</span>
                    })
                })}
            </Suspense>
        </a>
    }
}
