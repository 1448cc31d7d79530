//! Agora's Leptos application: the HTML shell, the route tree (public site and `/admin`),
//! and — one folder per feature — models, server functions and, behind the `ssr` feature,
//! the services that hold every business rule and every SQL query.
//!
//! Hydration architecture: islands. Every page renders on the server only; the browser
//! hydrates just the interactive `#[island]` components, so the wasm holds those islands and
//! nothing else, and a new server-rendered page adds nothing to it (README, "Bundle budget").
//! Forms are `ActionForm`s, which post as plain HTML forms without the wasm.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod cart;
pub mod catalog;
pub mod components;
pub mod earnings;
pub mod email;
pub mod error;
pub mod ledger;
pub mod orders;
pub mod payments;
pub mod platform;
pub mod settings;
pub mod shell;
pub mod site;
pub mod vendors;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod envelope;
#[cfg(feature = "ssr")]
pub mod operator;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};
use shell::guard::SignedInOnly;
use shell::layout::{AdminLayout, SiteChrome, SiteLayout};
use shell::status::NotFound;
use site::pages::HomePage;

/// The name of the compiled JS/wasm/CSS bundle under `/pkg` (cargo-leptos' `name`).
pub const BUNDLE_NAME: &str = "agora";

/// The whole HTML document; the server renders it, the browser hydrates its islands.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=format!("/pkg/{BUNDLE_NAME}.css")/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body class="flex min-h-screen flex-col bg-slate-100 text-slate-900">
                <App/>
            </body>
        </html>
    }
}

/// The route tree. Pages whose first view needs their data render with `SsrMode::Async`: sent
/// whole once it is loaded, so no placeholder is swapped out and nothing shifts under the
/// reader (out-of-order streaming moved `/` and `/products` by a fifth of the screen).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|title: String| format!("{title} · Agora")/>
        <Router>
            <Routes fallback=|| view! { <SiteChrome><NotFound/></SiteChrome> }>
                <ParentRoute path=StaticSegment("") view=SiteLayout>
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("products") view=catalog::pages::ProductsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("search") view=catalog::pages::ProductsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("products"), ParamSegment("slug")) view=catalog::product_page::ProductPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("cart") view=cart::pages::CartPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("login") view=auth::pages::LoginPage/>
                    <Route path=StaticSegment("register") view=auth::pages::RegisterPage/>
                    <Route path=StaticSegment("forgot-password") view=auth::pages::ForgotPasswordPage/>
                    <Route path=(StaticSegment("verify-email"), ParamSegment("token")) view=auth::pages::VerifyEmailPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("reset-password"), ParamSegment("token")) view=auth::pages::ResetPasswordPage/>
                    <ParentRoute path=StaticSegment("account") view=SignedInOnly>
                        <Route path=StaticSegment("") view=auth::pages::AccountPage ssr=SsrMode::Async/>
                    </ParentRoute>
                    <ParentRoute path=StaticSegment("checkout") view=SignedInOnly>
                        <Route path=StaticSegment("") view=orders::pages::CheckoutPage ssr=SsrMode::Async/>
                    </ParentRoute>
                    <ParentRoute path=StaticSegment("orders") view=SignedInOnly>
                        <Route path=StaticSegment("") view=orders::pages::OrdersPage ssr=SsrMode::Async/>
                        <Route path=ParamSegment("id") view=orders::pages::OrderPage ssr=SsrMode::Async/>
                        <Route path=(ParamSegment("id"), StaticSegment("pay"), ParamSegment("method")) view=orders::pages::ProviderPayPage ssr=SsrMode::Async/>
                    </ParentRoute>
                    <ParentRoute path=StaticSegment("wishlist") view=SignedInOnly>
                        <Route path=StaticSegment("") view=catalog::wishlist_page::WishlistPage ssr=SsrMode::Async/>
                    </ParentRoute>
                    <ParentRoute path=StaticSegment("vendor") view=SignedInOnly>
                        <Route path=StaticSegment("") view=catalog::vendor_pages::VendorDashboardPage ssr=SsrMode::Async/>
                        <Route path=StaticSegment("earnings") view=earnings::pages::EarningsPage ssr=SsrMode::Async/>
                        <Route path=(StaticSegment("products"), StaticSegment("new")) view=catalog::vendor_pages::ProductEditorPage ssr=SsrMode::Async/>
                        <Route path=(StaticSegment("products"), ParamSegment("id")) view=catalog::vendor_pages::ProductEditorPage ssr=SsrMode::Async/>
                    </ParentRoute>
                    <ParentRoute path=StaticSegment("sell") view=SignedInOnly>
                        <Route path=StaticSegment("") view=vendors::pages::SellPage ssr=SsrMode::Async/>
                    </ParentRoute>
                    <Route path=(StaticSegment("vendors"), ParamSegment("slug")) view=vendors::pages::StorefrontPage ssr=SsrMode::Async/>
                </ParentRoute>
                <ParentRoute path=StaticSegment("admin") view=AdminLayout ssr=SsrMode::Async>
                    <Route path=StaticSegment("") view=admin::pages::AdminDashboard/>
                    <Route path=StaticSegment("users") view=admin::users::UsersPage/>
                    <Route path=(StaticSegment("users"), ParamSegment("id")) view=admin::users::UserDetailPage/>
                    <Route path=StaticSegment("vendors") view=vendors::pages::AdminVendorsPage/>
                    <Route path=StaticSegment("categories") view=catalog::pages::AdminCategoriesPage/>
                    <Route path=StaticSegment("products") view=catalog::pages::AdminProductsPage/>
                    <Route path=StaticSegment("reviews") view=catalog::admin_reviews::AdminReviewsPage/>
                    <Route path=StaticSegment("outbox") view=admin::users::OutboxPage/>
                    <Route path=StaticSegment("orders") view=orders::admin::AdminOrdersPage/>
                    <Route path=(StaticSegment("orders"), ParamSegment("id")) view=orders::admin::AdminOrderPage/>
                    <Route path=StaticSegment("ledger") view=ledger::pages::AdminLedgerPage/>
                    <Route path=StaticSegment("payouts") view=earnings::pages::AdminPayoutsPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
