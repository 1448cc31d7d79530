//! The HTTP status of a page, and the pages shown for a missing route or a failure.
//!
//! A page's status is set on the server through a [`PageStatus`] handle taken at the top of
//! the page (where the response context is at hand), never from inside a fallback that may
//! render under another owner. Pages load their data at their top and render it through
//! [`Loaded`], which shows the error page with the error's own status (404, 403, 503, …)
//! when loading fails — never an empty page with 200.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// Sets the HTTP status of the page being rendered (on the server; in the browser there is
/// none to set).
#[derive(Clone, Default)]
pub struct PageStatus {
    #[cfg(feature = "ssr")]
    response: Option<leptos_axum::ResponseOptions>,
}

impl PageStatus {
    pub fn current() -> Self {
        Self {
            #[cfg(feature = "ssr")]
            response: use_context(),
        }
    }

    /// Sets `status` (a number, so the browser build needs no `http` types).
    pub fn set(&self, status: u16) {
        #[cfg(feature = "ssr")]
        if let (Some(response), Ok(status)) = (&self.response, http::StatusCode::from_u16(status)) {
            response.set_status(status);
        }
        #[cfg(not(feature = "ssr"))]
        let _ = status;
    }
}

/// The value of a page's data, once loaded, through `view`; the error page (with its status)
/// when loading failed. Read each resource in one `Loaded` only.
#[component]
pub fn Loaded<T, V>(
    resource: Resource<Result<T, AppError>>,
    view: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    let status = PageStatus::current();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let view = view.clone();
                let status = status.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => view(value).into_any(),
                        Err(error) => view! { <ErrorPage error status/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Shown when a page's data could not be loaded, with the error's status: 404 for something
/// missing, 403 for something forbidden, 503 when the database is down, 500 otherwise.
#[component]
pub fn ErrorPage(error: AppError, status: PageStatus) -> impl IntoView {
    status.set(error.status().as_u16());
    let (title, text) = match &error {
        AppError::NotFound(_) => (
            "Not found",
            "There is nothing here. It may have been removed, or the link may be mistyped.",
        ),
        AppError::Forbidden => (
            "Not allowed",
            "Your account does not have access to this page.",
        ),
        _ => (
            "Something went wrong",
            "We could not show this page. Try again in a moment.",
        ),
    };
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold">{title}</h1>
        <p class="mt-4 text-slate-600">{text}</p>
        <p class="mt-4 text-sm text-slate-500">{error.to_string()}</p>
    }
}

/// Shown, with HTTP status 404, for any path no route matches.
#[component]
pub fn NotFound() -> impl IntoView {
    PageStatus::current().set(404);
    view! {
        <Title text="Page not found"/>
        <h1 class="text-2xl font-bold">"Page not found"</h1>
        <p class="mt-4 text-slate-600">"There is nothing at this address. It may have moved, or the link may be mistyped."</p>
        <p class="mt-4"><a href="/" class="text-indigo-700 underline">"Go to the home page"</a></p>
    }
}
