//! `/admin/reviews`: every review, newest first (all, hidden or visible), each with its stars,
//! author, product and text, and a button to hide or show it.

use super::server::{HideReview, moderate_reviews};
use crate::components::forms::{BUTTON_SECONDARY, FormError, last_error};
use crate::shell::status::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminReviewsPage() -> impl IntoView {
    let query = use_query_map();
    let hidden = Memo::new(move |_| match query.read().get("hidden").as_deref() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    });
    let page = Memo::new(move |_| query.read().get("page").and_then(|p| p.parse::<u32>().ok()));
    let hide = ServerAction::<HideReview>::new();
    let error = last_error(hide);
    let reviews = Resource::new(
        move || (hidden.get(), page.get(), hide.version().get()),
        |(hidden, page, _)| moderate_reviews(hidden, page),
    );
    view! {
        <Title text="Reviews"/>
        <h1 class="text-2xl font-bold">"Reviews"</h1>
        <nav aria-label="Filter" class="mt-3 flex flex-wrap gap-2">
            {[("", "all"), ("false", "visible"), ("true", "hidden")].into_iter().map(|(value, label)| view! {
                <a class=BUTTON_SECONDARY href=format!("/admin/reviews?hidden={value}")
                    aria-current=move || (hidden.get().map(|h| h.to_string()).unwrap_or_default() == value).then_some("page")>{label}</a>
            }).collect_view()}
        </nav>
        <FormError error/>
        <Loaded resource=reviews view=move |page| {
            let pages = page.total_pages().max(1);
            let current = hidden.get_untracked().map(|h| h.to_string()).unwrap_or_default();
            view! {
                <p class="mt-4 text-sm text-slate-600">{format!("{} reviews · page {} of {}", page.total, page.page, pages)}</p>
                <ul class="mt-2 flex flex-col gap-3">
                    {page.items.into_iter().map(|r| view! {
                        <li class="rounded-lg border border-slate-200 bg-white p-4">
                            <article aria-label=format!("Review by {}", r.author)>
                                <p class="text-sm text-slate-600">
                                    {format!("{} ★ · {} · {}", r.rating, r.author, r.created_at.display_date())}
                                    {r.hidden.then_some(" · hidden")}
                                </p>
                                <p class="mt-1 whitespace-pre-line">{r.body.clone()}</p>
                                <ActionForm action=hide attr:class="mt-2">
                                    <input type="hidden" name="id" value=r.id.to_string()/>
                                    <input type="hidden" name="hidden" value=(!r.hidden).to_string()/>
                                    <button type="submit" class=BUTTON_SECONDARY>{if r.hidden { "Show" } else { "Hide" }}</button>
                                </ActionForm>
                            </article>
                        </li>
                    }).collect_view()}
                </ul>
                <nav aria-label="Pages" class="mt-4 flex gap-3">
                    {(page.page > 1).then(|| view! { <a class=BUTTON_SECONDARY href=format!("/admin/reviews?hidden={current}&page={}", page.page - 1)>"Previous"</a> })}
                    {(page.page < pages).then(|| view! { <a class=BUTTON_SECONDARY href=format!("/admin/reviews?hidden={current}&page={}", page.page + 1)>"Next"</a> })}
                </nav>
            }
        }/>
    }
}
