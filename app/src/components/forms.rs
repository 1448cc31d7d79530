//! Form pieces shared by every page: a labelled input with its error next to it, and a banner
//! for errors that belong to no field. Errors come from the server function's result, which
//! Leptos also restores from the URL after a form posted before the wasm loaded; the values
//! typed into such a form come back through [`SubmittedValues`].

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a form posted before the wasm loaded held when the server refused it, so the page it
/// returns to shows the typed values again. Secrets (any field named like a password) are
/// never kept. The server keeps them in the session for exactly one page view and hands them
/// to the render in the request's extensions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedValues(pub Vec<(String, String)>);

impl SubmittedValues {
    /// Whether a field's value may be kept (and later shown) at all.
    pub fn keeps(name: &str) -> bool {
        !name.contains("password") && !name.starts_with("__")
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The value of `name` in the refused form this page render answers, if any.
fn submitted_value(name: &str) -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()?
            .extensions
            .get::<SubmittedValues>()?
            .get(name)
            .map(str::to_owned)
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = name;
        None
    }
}

/// The error of a server action's last result, if it failed.
pub fn last_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// A labelled input; `field` is the name the service uses in its field errors.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    field: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(optional)] hint: &'static str,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let value = submitted_value(name).or(value);
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let message = move || {
        error
            .get()
            .and_then(|e| e.field_message(field).map(str::to_owned))
    };
    view! {
        <div class="flex flex-col gap-1">
            <label for=id.clone() class="text-sm font-medium">{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                required=required
                aria-invalid=move || message().is_some().to_string()
                aria-describedby=error_id.clone()
                class="rounded border border-slate-300 px-3 py-2 aria-[invalid=true]:border-red-600"
            />
            {(!hint.is_empty()).then(|| view! { <p class="text-xs text-slate-500">{hint}</p> })}
            <p id=error_id class="text-sm text-red-700" role="alert">{message}</p>
        </div>
    }
}

/// The message of an error that names no field (wrong password, too many attempts, …).
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    let message = move || {
        error
            .get()
            .filter(|e| e.details().is_empty())
            .map(|e| e.to_string())
    };
    view! {
        <Show when=move || message().is_some()>
            <p role="alert" class="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
                {message}
            </p>
        </Show>
    }
}

/// The classes of a primary button.
pub const BUTTON: &str =
    "rounded bg-indigo-700 px-4 py-2 font-semibold text-white hover:bg-indigo-800";
/// The classes of a secondary button.
pub const BUTTON_SECONDARY: &str =
    "rounded border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50";
