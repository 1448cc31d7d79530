//! The public site's chrome (header, navigation, search, footer) and the admin's (sidebar).
//!
//! The layouts end in `.into_any()`: without type erasure (a build without
//! `--cfg erase_components`) their nested view types exceed rustc's recursion limit.

use crate::admin::server::staff_access;
use crate::auth::pages::LogoutButton;
use crate::auth::server::current_user;
use crate::error::AppError;
use crate::site::pages::{ErrorPage, PageStatus};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::{use_location, use_query_map};

/// The public site around the matched page.
#[component]
pub fn SiteLayout() -> impl IntoView {
    view! {
        <SiteChrome>
            <Outlet/>
        </SiteChrome>
    }
}

/// Header, main landmark (with an error boundary) and footer around `children`.
#[component]
pub fn SiteChrome(children: Children) -> impl IntoView {
    let status = PageStatus::current();
    view! {
        <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:p-2 focus:bg-white">
            "Skip to content"
        </a>
        <SiteHeader/>
        <main id="main" class="mx-auto w-full max-w-6xl flex-1 px-4 py-8">
            <ErrorBoundary fallback=move |errors| view! { <ErrorPage errors status=status.clone()/> }>
                {children()}
            </ErrorBoundary>
        </main>
        <SiteFooter/>
    }
    .into_any()
}

#[component]
fn SiteHeader() -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    let query = use_query_map();
    let current_query = move || query.read().get("q").unwrap_or_default();
    view! {
        <header class="border-b border-slate-200 bg-white">
            <div class="mx-auto flex max-w-6xl flex-wrap items-center gap-3 px-4 py-3">
                <a href="/" class="flex items-center gap-2 text-xl font-bold text-indigo-700">
                    <img src="/logo.svg" alt="" width="28" height="28"/>
                    <span>"Agora"</span>
                </a>
                <button
                    type="button"
                    class="ml-auto rounded border border-slate-300 px-3 py-1 text-sm md:hidden"
                    aria-controls="site-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| set_menu_open.update(|open| *open = !*open)
                >
                    {move || if menu_open.get() { "Close menu" } else { "Menu" }}
                </button>
                <nav
                    id="site-nav"
                    aria-label="Main"
                    class=move || {
                        if menu_open.get() {
                            "order-last w-full md:order-none md:w-auto"
                        } else {
                            "hidden md:block"
                        }
                    }
                >
                    <ul class="flex flex-col gap-2 md:flex-row md:gap-5">
                        <li><A href="/" exact=true attr:class="hover:text-indigo-700">"Home"</A></li>
                        <li><A href="/search" attr:class="hover:text-indigo-700">"Browse"</A></li>
                        <li><a href="/api/docs" class="hover:text-indigo-700">"API"</a></li>
                        <AccountLinks/>
                    </ul>
                </nav>
                <form
                    role="search"
                    action="/search"
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

/// "Sign in / Register" for guests; "Account / Sign out" (and "Admin" for staff) otherwise.
/// Refetched on every navigation, so signing in or out shows at once.
#[component]
fn AccountLinks() -> impl IntoView {
    let location = use_location();
    let user = Resource::new(move || location.pathname.get(), |_| current_user());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match user.await.ok().flatten() {
                    Some(user) => view! {
                        {user.role.is_staff().then(|| view! {
                            <li><a href="/admin" class="hover:text-indigo-700">"Admin"</a></li>
                        })}
                        <li><a href="/account" class="hover:text-indigo-700">"Account"</a></li>
                        <li><LogoutButton/></li>
                    }.into_any(),
                    None => view! {
                        <li><a href="/login" class="hover:text-indigo-700">"Sign in"</a></li>
                        <li><a href="/register" class="hover:text-indigo-700">"Register"</a></li>
                    }.into_any(),
                }
            })}
        </Suspense>
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

/// The matched admin page for staff; guests are sent to sign in, others are told no. (A
/// convenience: every admin server function checks the role again in the service.)
#[component]
fn StaffOnly() -> impl IntoView {
    let location = use_location();
    let access = Resource::new(move || location.pathname.get(), |_| staff_access());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match access.await {
                    Ok(true) => Ok(view! { <Outlet/> }.into_any()),
                    Ok(false) => Ok(view! {
                        <h1 class="text-2xl font-bold">"Staff only"</h1>
                        <p class="mt-2">"Your account does not have access to the back-office."</p>
                    }.into_any()),
                    Err(AppError::Unauthorized) => {
                        let next = location.pathname.get_untracked();
                        Ok(view! { <Redirect path=format!("/login?next={next}")/> }.into_any())
                    }
                    Err(error) => Err(error),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// The back-office: a sidebar of sections beside the matched admin page.
#[component]
pub fn AdminLayout() -> impl IntoView {
    let status = PageStatus::current();
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
                            <A href="/admin/outbox" attr:class="block rounded px-3 py-2 hover:bg-slate-700 aria-[current=page]:bg-slate-700">
                                "Outbox"
                            </A>
                        </li>
                        <li>
                            <a href="/" class="block rounded px-3 py-2 hover:bg-slate-700">"View site"</a>
                        </li>
                    </ul>
                </nav>
            </aside>
            <main id="main" class="flex-1 bg-slate-50 px-4 py-6 md:px-8">
                <ErrorBoundary fallback=move |errors| view! { <ErrorPage errors status=status.clone()/> }>
                    <StaffOnly/>
                </ErrorBoundary>
            </main>
        </div>
    }
    .into_any()
}
