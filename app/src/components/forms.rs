//! Form pieces shared by every page: a labelled input with its error next to it, and a banner
//! for errors that belong to no field. Errors come from the server function's result, which
//! Leptos also restores from the URL after a form posted before the wasm loaded.

use crate::error::AppError;
use leptos::prelude::*;

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
