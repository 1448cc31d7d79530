//! The home page.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Digital products with cashback"/>
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
