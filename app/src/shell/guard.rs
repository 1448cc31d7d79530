//! Who may see a page, decided on the server from the request's resolved caller before the
//! page renders — no resource, no round trip. Guests are sent to sign in and come back;
//! signed-in people without the role get the 403 page. (A convenience and a courtesy: every
//! server function and service checks again.)

use super::status::PageStatus;
use crate::platform::identity::Principal;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;

/// The signed-in person making this request, if any (server only; pages are rendered there).
pub fn viewer() -> Option<Principal> {
    #[cfg(feature = "ssr")]
    {
        let caller = crate::platform::context::caller().ok()?;
        caller.actor().ok()?.principal().cloned()
    }
    #[cfg(not(feature = "ssr"))]
    None
}

/// The matched page for signed-in people; guests go to `/login?next=<this page>`.
#[component]
pub fn SignedInOnly() -> impl IntoView {
    match viewer() {
        Some(_) => Outlet().into_any(),
        None => sign_in_first().into_any(),
    }
}

/// The matched page for staff; guests sign in first, others get 403.
#[component]
pub fn StaffOnly() -> impl IntoView {
    match viewer() {
        Some(principal) if principal.role.is_staff() => Outlet().into_any(),
        Some(_) => {
            PageStatus::current().set(403);
            view! {
                <Title text="Staff only"/>
                <h1 class="text-2xl font-bold">"Staff only"</h1>
                <p class="mt-2">"Your account does not have access to the back-office."</p>
            }
            .into_any()
        }
        None => sign_in_first().into_any(),
    }
}

/// Redirects to the sign-in page, which sends the person back here afterwards.
fn sign_in_first() -> impl IntoView {
    let location = use_location();
    let here = format!(
        "{}{}",
        location.pathname.get_untracked(),
        location.search.get_untracked()
    );
    let target = format!("/login?next={}", encode(&here));
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(&target);
    view! {
        <Title text="Sign in"/>
        <p>"Please " <a href=target class="text-indigo-700 underline">"sign in"</a> " to continue."</p>
    }
}

/// `value` percent-encoded for a query parameter.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
