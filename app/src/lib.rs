//! Agora's Leptos application: the HTML shell, the route tree (public site and `/admin`),
//! and — one folder per feature — models, server functions and, behind the `ssr` feature,
//! the services that hold every business rule and every SQL query.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod components;
pub mod email;
pub mod error;
pub mod jobs;
pub mod platform;
pub mod settings;
pub mod site;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod envelope;

use components::layout::{AdminLayout, SiteChrome, SiteLayout};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};
use site::pages::{HomePage, NotFound, SearchPage};

/// The name of the compiled JS/wasm/CSS bundle under `/pkg` (cargo-leptos' `name`).
pub const BUNDLE_NAME: &str = "agora";

/// The whole HTML document; the server renders it, the browser hydrates `<App/>` inside it.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // The same on every page, so it lives in the server-only shell rather than
                // in the hydrated app.
                <link rel="stylesheet" href=format!("/pkg/{BUNDLE_NAME}.css")/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="flex min-h-screen flex-col bg-slate-100 text-slate-900">
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Lets browser tests (and curious people) see that the wasm has taken over the page.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Title formatter=|title: String| format!("{title} · Agora")/>
        <Router>
            <Routes fallback=|| view! { <SiteChrome><NotFound/></SiteChrome> }>
                <ParentRoute path=StaticSegment("") view=SiteLayout>
                    <Route path=StaticSegment("") view=HomePage/>
                    <Route path=StaticSegment("search") view=SearchPage/>
                    <Route path=StaticSegment("login") view=auth::pages::LoginPage/>
                    <Route path=StaticSegment("register") view=auth::pages::RegisterPage/>
                    <Route path=StaticSegment("forgot-password") view=auth::pages::ForgotPasswordPage/>
                    <Route path=(StaticSegment("verify-email"), ParamSegment("token")) view=auth::pages::VerifyEmailPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("reset-password"), ParamSegment("token")) view=auth::pages::ResetPasswordPage/>
                    <Route path=StaticSegment("account") view=auth::pages::AccountPage ssr=SsrMode::Async/>
                </ParentRoute>
                <ParentRoute path=StaticSegment("admin") view=AdminLayout ssr=SsrMode::Async>
                    <Route path=StaticSegment("") view=admin::pages::AdminDashboard/>
                    <Route path=StaticSegment("users") view=admin::users::UsersPage/>
                    <Route path=(StaticSegment("users"), ParamSegment("id")) view=admin::users::UserDetailPage/>
                    <Route path=StaticSegment("outbox") view=admin::users::OutboxPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
