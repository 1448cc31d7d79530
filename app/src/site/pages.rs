//! The home page: the pitch and search, then the catalog — featured, newest and most viewed
//! products, and the categories.

use crate::catalog::model::{Category, HomeCatalog, Product};
use crate::catalog::pages::{LEAD_CARDS, ProductCard};
use crate::catalog::server::home_sections;
use crate::shell::status::Loaded;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

#[component]
pub fn HomePage() -> impl IntoView {
    let catalog = Resource::new(|| (), |_| home_sections());
    view! {
        <Title text="Digital products with cashback"/>
        <Meta name="description" content="Automation templates, AI agents, workflows, e-books and software licences from independent vendors, with cashback on every deal."/>
        <section class="rounded-xl bg-gradient-to-br from-indigo-700 to-violet-600 px-6 py-12 text-white">
            <h1 class="text-3xl font-bold md:text-5xl">"Digital products, with cashback on every deal"</h1>
            <p class="mt-4 max-w-2xl text-lg text-indigo-100">
                "Automation templates, AI agents, workflows, e-books and software licences from independent vendors — and cashback from the merchants you already shop with."
            </p>
            <form role="search" action="/products" method="get" class="mt-6 flex max-w-xl gap-2">
                <label for="hero-search" class="sr-only">"What are you looking for?"</label>
                <input
                    id="hero-search"
                    name="q"
                    type="search"
                    placeholder="What are you looking for?"
                    class="min-w-0 flex-1 rounded bg-white px-3 py-2 text-slate-900"
                />
                <button type="submit" class="rounded bg-white px-4 py-2 font-semibold text-indigo-700">
                    "Search"
                </button>
            </form>
        </section>
        <Loaded resource=catalog view=|c| view! { <Sections c/> }/>
        <section aria-labelledby="why" class="mt-10">
            <h2 id="why" class="text-2xl font-semibold">"Why Agora"</h2>
            <ul class="mt-4 grid gap-4 md:grid-cols-3">
                <li class="rounded-lg border border-slate-200 bg-white p-5">
                    <h3 class="font-semibold">"Instant delivery"</h3>
                    <p class="mt-2 text-slate-600">"Download what you bought the moment payment clears."</p>
                </li>
                <li class="rounded-lg border border-slate-200 bg-white p-5">
                    <h3 class="font-semibold">"Cashback you can withdraw"</h3>
                    <p class="mt-2 text-slate-600">"Every approved sale credits your wallet; withdraw to PayPal or your bank."</p>
                </li>
                <li class="rounded-lg border border-slate-200 bg-white p-5">
                    <h3 class="font-semibold">"Sell your work"</h3>
                    <p class="mt-2 text-slate-600">"Open a storefront, track your sales and get paid out."</p>
                </li>
            </ul>
        </section>
    }
}

#[component]
fn Sections(c: HomeCatalog) -> impl IntoView {
    // The first shelf shown leads: its first covers are fetched ahead of the rest.
    let nothing_featured = c.featured.is_empty();
    view! {
        <Shelf id="featured" title="Featured" products=c.featured more="/products" lead=true/>
        <Categories categories=c.categories/>
        <Shelf id="newest" title="New this week" products=c.newest more="/products?sort=newest" lead=nothing_featured/>
        <Shelf id="popular" title="Popular" products=c.popular more="/products?sort=popularity"/>
    }
}

/// A titled row of product cards with a link to the full list (nothing when empty).
#[component]
fn Shelf(
    id: &'static str,
    title: &'static str,
    products: Vec<Product>,
    more: &'static str,
    #[prop(optional)] lead: bool,
) -> impl IntoView {
    (!products.is_empty()).then(|| {
        view! {
            <section aria-labelledby=id class="mt-10">
                <div class="flex items-baseline justify-between">
                    <h2 id=id class="text-2xl font-semibold">{title}</h2>
                    <a class="text-indigo-700 underline" href=more>{format!("See all {}", title.to_lowercase())}</a>
                </div>
                <ul class="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
                    {products.into_iter().enumerate().map(|(n, product)| view! {
                        <ProductCard product saved=None lead={lead && n < LEAD_CARDS}/>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn Categories(categories: Vec<Category>) -> impl IntoView {
    view! {
        <section aria-labelledby="categories" class="mt-10">
            <h2 id="categories" class="text-2xl font-semibold">"Categories"</h2>
            <ul class="mt-4 flex flex-wrap gap-3">
                {categories.into_iter().map(|c| view! {
                    <li><a class="block rounded-lg border border-slate-200 bg-white px-4 py-3 font-medium hover:border-indigo-400" href=format!("/products?category={}", c.slug)>{c.name}</a></li>
                }).collect_view()}
            </ul>
        </section>
    }
}
