//! The public site's chrome (header, navigation, search, footer) and the admin's (sidebar).
//! Both render on the server only; the one interactive part, the small-screen menu button,
//! is an island.
//!
//! The layouts end in `.into_any()`: without type erasure (a build without
//! `--cfg erase_components`) their nested view types exceed rustc's recursion limit.

use super::guard::{StaffOnly, viewer};
use crate::auth::pages::LogoutButton;
use crate::cart::pages::CartLink;
use crate::catalog::wishlist_page::WishlistLink;
use crate::platform::identity::Role;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::use_query_map;

/// The public site around the matched page.
#[component]
pub fn SiteLayout() -> impl IntoView {
    view! {
        <SiteChrome>
            <Outlet/>
        </SiteChrome>
    }
}

/// Header, main landmark and footer around `children`.
#[component]
pub fn SiteChrome(children: Children) -> impl IntoView {
    view! {
        <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:p-2 focus:bg-white">
            "Skip to content"
        </a>
        <SiteHeader/>
        <main id="main" class="mx-auto w-full max-w-6xl flex-1 px-4 py-8">
            {children()}
        </main>
        <SiteFooter/>
    }
    .into_any()
}

#[component]
fn SiteHeader() -> impl IntoView {
    let query = use_query_map();
    let current_query = move || query.read().get("q").unwrap_or_default();
    view! {
        <header class="border-b border-slate-200 bg-white">
            <div class="mx-auto flex max-w-6xl flex-wrap items-center gap-3 px-4 py-3">
                <a href="/" class="flex items-center gap-2 text-xl font-bold text-indigo-700">
                    <img src="/logo.svg" alt="" width="28" height="28"/>
                    <span>"Agora"</span>
                </a>
                <MenuToggle>
                    <ul class="flex flex-col gap-2 md:flex-row md:gap-5">
                        <li><A href="/" exact=true attr:class="hover:text-indigo-700">"Home"</A></li>
                        <li><A href="/products" attr:class="hover:text-indigo-700">"Browse"</A></li>
                        <li><A href="/sell" attr:class="hover:text-indigo-700">"Sell"</A></li>
                        <li><a href="/api/docs" class="hover:text-indigo-700">"API"</a></li>
                        <AccountLinks/>
                    </ul>
                </MenuToggle>
                <form
                    role="search"
                    action="/products"
                    method="get"
                    class="flex w-full gap-2 md:ml-auto md:w-auto"
                >
                    <label for="site-search" class="sr-only">"Search products"</label>
                    <input
                        id="site-search"
                        name="q"
                        type="search"
                        value=current_query
                        placeholder="Search products"
                        class="min-w-0 flex-1 rounded border border-slate-300 px-3 py-1.5 md:w-64"
                    />
                    <button type="submit" class="rounded bg-indigo-700 px-3 py-1.5 text-white">
                        "Search"
                    </button>
                </form>
            </div>
        </header>
    }
    .into_any()
}

/// The main navigation with its small-screen "Menu" button: the site's one island. On wide
/// screens the links always show; on small ones the button opens and closes them. (Before
/// the wasm loads the links show and the button does nothing.)
#[island]
fn MenuToggle(children: Children) -> impl IntoView {
    let (open, set_open) = signal(false);
    view! {
        <button
            type="button"
            class="ml-auto rounded border border-slate-300 px-3 py-1 text-sm md:hidden"
            aria-controls="site-nav"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| set_open.update(|open| *open = !*open)
        >
            {move || if open.get() { "Close menu" } else { "Menu" }}
        </button>
        <nav
            id="site-nav"
            aria-label="Main"
            class=move || {
                if open.get() {
                    "order-last w-full md:order-none md:w-auto"
                } else {
                    "hidden md:block"
                }
            }
        >
            {children()}
        </nav>
    }
}

/// "Sign in / Register" for guests; "Account / Sign out" (and "Admin" for staff) otherwise,
/// from the request's caller.
#[component]
fn AccountLinks() -> impl IntoView {
    match viewer() {
        Some(principal) => view! {
            {principal.role.is_staff().then(|| view! {
                <li><a href="/admin" class="hover:text-indigo-700">"Admin"</a></li>
            })}
            {(principal.role == Role::Vendor).then(|| view! {
                <li><a href="/vendor" class="hover:text-indigo-700">"Dashboard"</a></li>
            })}
            <li><WishlistLink/></li>
            <li><CartLink/></li>
            <li><a href="/orders" class="hover:text-indigo-700">"Orders"</a></li>
            <li><a href="/account" class="hover:text-indigo-700">"Account"</a></li>
            <li><LogoutButton/></li>
        }
        .into_any(),
        None => view! {
            <li><CartLink/></li>
            <li><a href="/login" class="hover:text-indigo-700">"Sign in"</a></li>
            <li><a href="/register" class="hover:text-indigo-700">"Register"</a></li>
        }
        .into_any(),
    }
}

#[component]
fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="border-t border-slate-200 bg-slate-50 text-sm text-slate-600">
            <div class="mx-auto flex max-w-6xl flex-col gap-2 px-4 py-6 md:flex-row md:justify-between">
                <p>"Agora — a marketplace for digital products, with cashback on every deal."</p>
                <nav aria-label="Footer">
                    <ul class="flex gap-4">
                        <li><a href="/api/docs">"API documentation"</a></li>
                        <li><a href="/health">"Status"</a></li>
                    </ul>
                </nav>
            </div>
        </footer>
    }
    .into_any()
}

/// Whether the sidebar links the development outbox: for admins, while no SMTP relay is set.
fn outbox_shown() -> bool {
    #[cfg(feature = "ssr")]
    {
        let admin = viewer()
            .is_some_and(|principal| principal.role == crate::platform::identity::Role::Admin);
        admin && crate::platform::context::services().is_ok_and(|services| services.mail_outbox)
    }
    #[cfg(not(feature = "ssr"))]
    false
}

/// The back-office: a sidebar of sections beside the matched admin page.
#[component]
pub fn AdminLayout() -> impl IntoView {
    view! {
        <div class="flex min-h-screen flex-col md:flex-row">
            <aside class="bg-slate-900 text-slate-100 md:w-56 md:shrink-0">
                <div class="px-4 py-4 text-lg font-bold">
                    <a href="/admin">"Agora admin"</a>
                </div>
                <nav aria-label="Admin">
                    <ul class="flex gap-1 overflow-x-auto px-2 pb-3 md:flex-col">
                        <li>
                            <A href="/admin" exact=true attr:class="block rounded px-3 py-2 hover:bg-slate-700 aria-[current=page]:bg-slate-700">
                                "Dashboard"
                            </A>
                        </li>
                        <li>
                            <A href="/admin/users" attr:class="block rounded px-3 py-2 hover:bg-slate-700 aria-[current=page]:bg-slate-700">
                                "Users"
                            </A>
                        </li>
                        <li>
                            <A href="/admin/vendors" attr:class="block rounded px-3 py-2 hover:bg-slate-700 aria-[current=page]:bg-slate-700">
                                "Vendors"
                            </A>
                        </li>
                        <li>
                            <A href="/admin/categories" attr:class="block rounded px-3 py-2 hover:bg-slate-700 aria-[current=page]:bg-slate-700">
                                "Categories"
                            </A>
                        </li>
                        <li>
                            <A href="/admin/products" attr:class="block rounded px-3 py-2 hover:bg-slate-700 aria-[current=page]:bg-slate-700">
                                "Products"
                            </A>
                        </li>
                        <li>
                            <A href="/admin/reviews" attr:class="block rounded px-3 py-2 hover:bg-slate-700 aria-[current=page]:bg-slate-700">
                                "Reviews"
                            </A>
                        </li>
                        <li>
                            <A href="/admin/orders" attr:class="block rounded px-3 py-2 hover:bg-slate-700 aria-[current=page]:bg-slate-700">
                                "Orders"
                            </A>
                        </li>
                        <li>
                            <A href="/admin/payouts" attr:class="block rounded px-3 py-2 hover:bg-slate-700 aria-[current=page]:bg-slate-700">
                                "Payouts"
                            </A>
                        </li>
                        <li>
                            <A href="/admin/ledger" attr:class="block rounded px-3 py-2 hover:bg-slate-700 aria-[current=page]:bg-slate-700">
                                "Ledger"
                            </A>
                        </li>
                        {outbox_shown().then(|| view! {
                            <li>
                                <A href="/admin/outbox" attr:class="block rounded px-3 py-2 hover:bg-slate-700 aria-[current=page]:bg-slate-700">
                                    "Outbox"
                                </A>
                            </li>
                        })}
                        <li>
                            <a href="/" class="block rounded px-3 py-2 hover:bg-slate-700">"View site"</a>
                        </li>
                    </ul>
                </nav>
            </aside>
            <main id="main" class="flex-1 bg-slate-50 px-4 py-6 md:px-8">
                <StaffOnly/>
            </main>
        </div>
    }
    .into_any()
}
